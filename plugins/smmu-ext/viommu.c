/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vIOMMU object and what it owns: vEVENTQs, vDEVICEs, mappings (and,
 * through hwqueue.c, HW queues).  Creation unwinds completely on failure;
 * destruction follows one order on every path:
 *   direct overlays, vDEVICEs, HW queues (descending), vEVENTQs (close the
 *   fd, then destroy), munmap, vIOMMU.
 */
#include <string.h>
#include <errno.h>
#include "instance-priv.h"

/* ARM_SMMUV3 event records: four little-endian 64-bit words. */
#define SMMUV3_EVENT_LEN 32
#define SMMUV3_EVENTQ_MAX_LOG2 19
#define EXT_EVENTQ_DEFAULT_DEPTH 64

void
smmu_ext_viommu_destroy_id(SmmuExtInstance *inst, uint32_t id,
                           const char *what, GError **errp)
{
    g_autoptr(GError) first = NULL;
    int r = smmu_ext_iommufd_destroy(inst->iommufd, id, what, &first);

    if (!r) {
        return;
    }
    /* ENOENT: the object is already gone (destroyed behind our back, e.g.
     * by a kernel that freed it with its parent).  Our record of it goes
     * too, or the next destroy of its parent would be refused forever. */
    if (r == ENOENT) {
        smmu_ext_inst_log(inst, G_LOG_LEVEL_WARNING, "%s: already gone, "
                          "forgotten", first->message);
        return;
    }
    /* A refused destroy leaves a kernel object behind: try once more so a
     * transient failure does not leak, and report the failure either way. */
    if (!smmu_ext_iommufd_destroy(inst->iommufd, id, what, NULL)) {
        smmu_ext_inst_log(inst, G_LOG_LEVEL_WARNING, "%s (succeeded on "
                          "retry)", first->message);
        return;
    }
    smmu_ext_error_append(errp, g_steal_pointer(&first));
}

/* --- event delivery ------------------------------------------------------- */

static void
deliver_smmu_event(void *opaque, const void *payload, size_t len)
{
    SmmuExtInstance *inst = opaque;
    const struct se_iommu_vevent_arm_smmuv3 *rec = payload;
    uint64_t evt[4];

    for (int i = 0; i < 4; i++) {
        evt[i] = GUINT64_FROM_LE(rec->evt[i]);
    }
    if (inst->hops && inst->hops->inject_event &&
        inst->hops->inject_event(inst->opaque, evt)) {
        return;
    }
    /* The guest queue is full or off: the SMMU reports an EVENTQ abort. */
    inst->stats.eventq_aborts++;
    if (inst->hops && inst->hops->eventq_abort) {
        inst->hops->eventq_abort(inst->opaque);
    }
}

static void
deliver_ext_event(void *opaque, const void *payload, size_t len)
{
    SmmuExtCore *core = opaque;

    core->ops->event(core->state, payload, len);
}

static SmmuExtVeventq *
veventq_new(SmmuExtInstance *inst, uint32_t type, uint32_t depth,
            uint32_t payload_len, SmmuExtEventFn fn, void *opaque,
            GError **errp)
{
    SmmuExtVeventq *q = g_new0(SmmuExtVeventq, 1);

    if (!smmu_ext_iommufd_veventq_alloc(inst->iommufd, inst->viommu_id, type,
                                        depth, &q->id, &q->fd, errp)) {
        g_free(q);
        return NULL;
    }
    q->type = type;
    q->depth = depth;
    q->payload_len = payload_len;
    q->deliver = fn;
    q->opaque = opaque;
    q->rl = (SmmuExtRatelimit)SMMU_EXT_RATELIMIT_INIT(5 * G_TIME_SPAN_SECOND,
                                                      5);
    if (inst->hops && inst->hops->fd_watch) {
        inst->hops->fd_watch(inst->opaque, q->fd, true);
    }
    return q;
}

static void
veventq_free(SmmuExtInstance *inst, SmmuExtVeventq **qp, GError **errp)
{
    SmmuExtVeventq *q = *qp;
    int r;

    if (!q) {
        return;
    }
    *qp = NULL;
    if (inst->hops && inst->hops->fd_watch) {
        inst->hops->fd_watch(inst->opaque, q->fd, false);
    }
    /* The open fd holds the object: close first, then destroy. */
    r = smmu_ext_iommufd_close(inst->iommufd, q->fd);
    if (r < 0) {
        smmu_ext_set_kernel_error(errp, -r, "close(vEVENTQ fd %d, id %u)",
                                  q->fd, q->id);
    }
    smmu_ext_viommu_destroy_id(inst, q->id, "vEVENTQ", errp);
    g_free(q);
}

gboolean
smmu_ext_viommu_smmu_eventq(SmmuExtInstance *inst, GError **errp)
{
    uint32_t depth = 1u << MIN(inst->guest_evtq_log2, SMMUV3_EVENTQ_MAX_LOG2);
    GError *err = NULL;

    if (!inst->viommu_id || !inst->guest_evtq_enabled) {
        return TRUE;
    }
    if (inst->smmu_evq && inst->smmu_evq->depth == depth) {
        return TRUE;
    }
    veventq_free(inst, &inst->smmu_evq, &err);
    if (err) {
        g_propagate_error(errp, err);
        return FALSE;
    }
    inst->smmu_evq = veventq_new(inst, SE_IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
                                 depth, SMMUV3_EVENT_LEN, deliver_smmu_event,
                                 inst, errp);
    return inst->smmu_evq != NULL;
}

/* --- vDEVICEs ------------------------------------------------------------- */

gboolean
smmu_ext_viommu_vdevice_alloc(SmmuExtInstance *inst, SmmuExtDevice *dev,
                              GError **errp)
{
    SmmuExtCore *core = inst->ext;

    if (!smmu_ext_iommufd_vdevice_alloc(inst->iommufd, inst->viommu_id,
                                        dev->dev_id, dev->vsid,
                                        &dev->vdevice_id, errp)) {
        dev->vdevice_id = 0;
        return FALSE;
    }
    if (core && core->ops->vdevice_changed) {
        core->ops->vdevice_changed(core->state, dev->dev_id, dev->vsid, true);
    }
    return TRUE;
}

void
smmu_ext_viommu_vdevice_free(SmmuExtInstance *inst, SmmuExtDevice *dev,
                             GError **errp)
{
    SmmuExtCore *core = inst->ext;
    uint32_t id = dev->vdevice_id;

    if (!id) {
        return;
    }
    dev->vdevice_id = 0;
    if (core && core->ops->vdevice_changed) {
        core->ops->vdevice_changed(core->state, dev->dev_id, dev->vsid,
                                   false);
    }
    smmu_ext_viommu_destroy_id(inst, id, "vDEVICE", errp);
}

/* --- create / destroy ----------------------------------------------------- */

static gboolean
viommu_alloc(SmmuExtInstance *inst, uint32_t dev_id, uint32_t s2_hwpt_id,
             void *data, uint32_t data_len, GError **errp)
{
    SmmuExtCore *core = inst->ext;

    inst->viommu_type = core ? core->ops->viommu_type
                             : SE_IOMMU_VIOMMU_TYPE_ARM_SMMUV3;
    if (core && data_len && core->ops->viommu_data_in) {
        core->ops->viommu_data_in(core->state, data, data_len);
    }
    if (!smmu_ext_iommufd_viommu_alloc(inst->iommufd, dev_id,
                                       inst->viommu_type, s2_hwpt_id, data,
                                       data_len, &inst->viommu_id, errp)) {
        inst->viommu_id = 0;
        return FALSE;
    }
    inst->creator_dev_id = dev_id;
    inst->s2_hwpt_id = s2_hwpt_id;
    return TRUE;
}

/* The extension's half: its vEVENTQ (per vIOMMU, not per queue, so no
 * error can be missed), then the module's own post-allocation work. */
static gboolean
viommu_extension_up(SmmuExtInstance *inst, const void *data,
                    uint32_t data_len, GError **errp)
{
    SmmuExtCore *core = inst->ext;
    g_autoptr(GError) err = NULL;
    const SmmuExtOps *ops;

    if (!core) {
        return TRUE;
    }
    ops = core->ops;
    if (ops->veventq_type) {
        inst->ext_evq = veventq_new(inst, ops->veventq_type,
                                    ops->veventq_depth ?:
                                    EXT_EVENTQ_DEFAULT_DEPTH,
                                    ops->event_size, deliver_ext_event, core,
                                    errp);
        if (!inst->ext_evq) {
            return FALSE;
        }
    }
    if (ops->viommu_ready &&
        !ops->viommu_ready(core->state, data, data_len, errp)) {
        return FALSE;
    }
    /*
     * A queue the kernel refuses is the guest's problem, not the
     * device's: the module shows it (FAILED), the host hears it once, and
     * the attach goes on.
     */
    if (!smmu_ext_hwq_reconcile_all(core, &err)) {
        g_prefix_error(&err, "vIOMMU %u: ", inst->viommu_id);
        smmu_ext_core_report_error(core, err);
    }
    return TRUE;
}

gboolean
smmu_ext_viommu_create(SmmuExtInstance *inst, uint32_t dev_id,
                       uint32_t s2_hwpt_id, GError **errp)
{
    SmmuExtCore *core = inst->ext;
    uint32_t data_len = core ? core->ops->viommu_data_len : 0;
    g_autofree uint8_t *data = data_len ? g_malloc0(data_len) : NULL;
    GError *err = NULL;

    if (!viommu_alloc(inst, dev_id, s2_hwpt_id, data, data_len, errp)) {
        return FALSE;
    }
    /* Devices get their vDEVICE when their vSID is known (set_vsid). */
    if (!viommu_extension_up(inst, data, data_len, &err) ||
        !smmu_ext_viommu_smmu_eventq(inst, &err)) {
        goto unwind;
    }
    return TRUE;

unwind:
    smmu_ext_viommu_destroy(inst, &err);
    g_propagate_error(errp, err);
    return FALSE;
}

static void
munmap_all(SmmuExtInstance *inst, GError **errp)
{
    for (guint i = inst->mappings->len; i-- > 0;) {
        SmmuExtMapping *m = &g_array_index(inst->mappings, SmmuExtMapping, i);

        if (!smmu_ext_iommufd_munmap(inst->iommufd, m->addr, m->len, errp)) {
            /* The mapping keeps the vIOMMU busy: one more try. */
            smmu_ext_iommufd_munmap(inst->iommufd, m->addr, m->len, NULL);
        }
    }
    g_array_set_size(inst->mappings, 0);
}

void
smmu_ext_viommu_destroy(SmmuExtInstance *inst, GError **errp)
{
    SmmuExtCore *core = inst->ext;

    if (!inst->viommu_id) {
        return;
    }
    if (core) {
        smmu_ext_core_unmap_all_direct(core);
    }
    for (guint i = 0; i < inst->devices->len; i++) {
        smmu_ext_viommu_vdevice_free(inst, &g_array_index(inst->devices,
                                                          SmmuExtDevice, i),
                                     errp);
    }
    if (core) {
        smmu_ext_hwq_destroy_all(core, errp);
        if (core->ops->viommu_gone) {
            core->ops->viommu_gone(core->state);
        }
    }
    veventq_free(inst, &inst->ext_evq, errp);
    veventq_free(inst, &inst->smmu_evq, errp);
    munmap_all(inst, errp);
    smmu_ext_viommu_destroy_id(inst, inst->viommu_id, "vIOMMU", errp);
    inst->viommu_id = 0;
    inst->creator_dev_id = 0;
    g_clear_pointer(&inst->blocker, g_free);
}

/* --- dispatch ------------------------------------------------------------- */

static void
pump(SmmuExtInstance *inst, SmmuExtVeventq *q)
{
    if (q) {
        smmu_ext_veventq_pump(inst->iommufd, q, &inst->stats, inst->hops,
                              inst->opaque);
    }
}

void
smmu_ext_instance_dispatch(SmmuExtInstance *inst)
{
    pump(inst, inst->ext_evq);
    pump(inst, inst->smmu_evq);
}

void
smmu_ext_instance_dispatch_fd(SmmuExtInstance *inst, int fd)
{
    if (inst->ext_evq && inst->ext_evq->fd == fd) {
        pump(inst, inst->ext_evq);
    } else if (inst->smmu_evq && inst->smmu_evq->fd == fd) {
        pump(inst, inst->smmu_evq);
    }
}

/* --- GSource -------------------------------------------------------------- */

typedef struct SmmuExtSource {
    GSource base;
    SmmuExtInstance *inst;
    int fds[2];
    gpointer tags[2];
} SmmuExtSource;

static void
source_sync(SmmuExtSource *s)
{
    SmmuExtVeventq *qs[2] = { s->inst->ext_evq, s->inst->smmu_evq };

    for (int i = 0; i < 2; i++) {
        int fd = qs[i] ? qs[i]->fd : -1;

        if (s->fds[i] == fd) {
            continue;
        }
        if (s->tags[i]) {
            g_source_remove_unix_fd(&s->base, s->tags[i]);
            s->tags[i] = NULL;
        }
        s->fds[i] = fd;
        if (fd >= 0) {
            s->tags[i] = g_source_add_unix_fd(&s->base, fd, G_IO_IN);
        }
    }
}

static gboolean
source_prepare(GSource *base, gint *timeout)
{
    source_sync((SmmuExtSource *)base);
    *timeout = -1;
    return FALSE;
}

static gboolean
source_check(GSource *base)
{
    SmmuExtSource *s = (SmmuExtSource *)base;

    for (int i = 0; i < 2; i++) {
        if (s->tags[i] && (g_source_query_unix_fd(base, s->tags[i]) &
                           G_IO_IN)) {
            return TRUE;
        }
    }
    return FALSE;
}

static gboolean
source_dispatch(GSource *base, GSourceFunc cb, gpointer data)
{
    SmmuExtSource *s = (SmmuExtSource *)base;

    smmu_ext_instance_dispatch(s->inst);
    return cb ? cb(data) : G_SOURCE_CONTINUE;
}

static GSourceFuncs source_funcs = {
    .prepare = source_prepare,
    .check = source_check,
    .dispatch = source_dispatch,
};

GSource *
smmu_ext_instance_source_new(SmmuExtInstance *inst)
{
    SmmuExtSource *s = (SmmuExtSource *)g_source_new(&source_funcs,
                                                     sizeof(SmmuExtSource));

    s->inst = inst;
    s->fds[0] = s->fds[1] = -1;
    g_source_set_name(&s->base, "smmu-ext vEVENTQ");
    source_sync(s);
    return &s->base;
}
