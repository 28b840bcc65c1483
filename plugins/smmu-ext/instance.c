/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host API: one instance per emulated SMMUv3.  Selection of the
 * extension (cmdqv=off|on|auto|<name>), device plug and unplug, guest
 * event-queue state, MMIO forwarding, reset and free.
 */
#include <errno.h>
#include <string.h>
#include "instance-priv.h"

void
smmu_ext_inst_log(SmmuExtInstance *inst, GLogLevelFlags level,
                  const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    smmu_ext_log_to(inst->hops, inst->opaque, level, fmt, ap);
    va_end(ap);
}

static void
probe_answer_free(gpointer p)
{
    SmmuExtProbeAnswer *a = p;

    g_free(a->name);
    g_free(a->version);
    g_free(a->answer);
    g_free(a);
}

SmmuExtInstance *
smmu_ext_instance_new(SmmuExtRegistry *reg, const char *mode,
                      const SmmuExtHostOps *ops, void *opaque, GError **errp)
{
    g_autofree SmmuExtInstance *inst = g_new0(SmmuExtInstance, 1);

    g_return_val_if_fail(reg != NULL, NULL);
    if (ops && ops->size < SMMU_EXT_HOST_OPS_SIZE_1_0) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "host ops table of %u bytes is smaller than the API 1.0 "
                    "table (%zu bytes): set .size = sizeof(SmmuExtHostOps)",
                    ops->size, (size_t)SMMU_EXT_HOST_OPS_SIZE_1_0);
        return NULL;
    }
    inst->mode = smmu_ext_mode_parse(reg, mode ? mode : "auto", errp);
    if (!inst->mode) {
        return NULL;
    }
    inst->reg = reg;
    if (ops) {
        /* Never read past the host's table; what it lacks reads NULL. */
        memcpy(&inst->hops_copy, ops, MIN(ops->size, sizeof(*ops)));
        inst->hops_copy.size = sizeof(inst->hops_copy);
        inst->hops = &inst->hops_copy;
    }
    inst->opaque = opaque;
    inst->probes = g_ptr_array_new_with_free_func(probe_answer_free);
    inst->mappings = g_array_new(FALSE, TRUE, sizeof(SmmuExtMapping));
    inst->devices = g_array_new(FALSE, TRUE, sizeof(SmmuExtDevice));
    inst->guest_rl = (SmmuExtRatelimit)SMMU_EXT_RATELIMIT_INIT(
        5 * G_TIME_SPAN_SECOND, 10);
    return g_steal_pointer(&inst);
}

void
smmu_ext_instance_free(SmmuExtInstance *inst)
{
    g_autoptr(GError) err = NULL;

    if (!inst) {
        return;
    }
    smmu_ext_viommu_destroy(inst, &err);
    if (err) {
        smmu_ext_inst_log(inst, G_LOG_LEVEL_WARNING, "teardown: %s",
                          err->message);
    }
    smmu_ext_core_free(inst->ext);
    g_ptr_array_unref(inst->probes);
    g_array_unref(inst->mappings);
    g_array_unref(inst->devices);
    g_free(inst->reason);
    g_free(inst->blocker);
    smmu_ext_mode_free(inst->mode);
    g_free(inst);
}

/* --- selection ------------------------------------------------------------ */

static void
record_answer(SmmuExtInstance *inst, const SmmuExtModule *m, bool accepted,
              const char *answer)
{
    SmmuExtProbeAnswer *a = g_new0(SmmuExtProbeAnswer, 1);

    a->name = g_strdup(m->info.name);
    a->version = g_strdup(m->info.version);
    a->hw_info_type = m->ops->hw_info_type;
    a->accepted = accepted;
    a->answer = g_strdup(answer);
    g_ptr_array_add(inst->probes, a);
}

/* The host SMMU's own info: IDRs for the modules, and a sanity check that
 * the device is behind an IOMMU at all. */
static gboolean
read_smmu_info(SmmuExtInstance *inst, uint32_t dev_id, GError **errp)
{
    struct se_iommu_hw_info_arm_smmuv3 info = { 0 };
    uint32_t len = sizeof(info), type = 0;

    if (!smmu_ext_iommufd_get_hw_info(inst->iommufd, dev_id, 0, &info, &len,
                                      &type, errp)) {
        return FALSE;
    }
    if (type == SE_IOMMU_HW_INFO_TYPE_ARM_SMMUV3 && len >= sizeof(info)) {
        memcpy(inst->smmu_idr, info.idr, sizeof(inst->smmu_idr));
        inst->have_idr = true;
    }
    return TRUE;
}

/* Ask the kernel for @m's hw_info type and let the module judge it. */
static bool
probe_one(SmmuExtInstance *inst, const SmmuExtModule *m, uint32_t dev_id,
          SmmuExtGeometry *geo)
{
    g_autoptr(GError) err = NULL;
    uint8_t buf[256] = { 0 };
    uint32_t len = sizeof(buf), type = 0;
    SmmuExtProbeInput in;

    if (!smmu_ext_iommufd_get_hw_info(inst->iommufd, dev_id,
                                      m->ops->hw_info_type, buf, &len, &type,
                                      &err)) {
        record_answer(inst, m, false, err->message);
        return false;
    }
    in = (SmmuExtProbeInput) {
        .size = sizeof(in),
        .type = type,
        .data = buf,
        .len = MIN(len, sizeof(buf)),
        .smmu_idr = inst->have_idr ? inst->smmu_idr : NULL,
    };
    *geo = (SmmuExtGeometry) { .size = sizeof(*geo) };
    if (!m->ops->probe(&in, geo, &err)) {
        record_answer(inst, m, false,
                      err ? err->message : "declined without a reason");
        return false;
    }
    geo->size = sizeof(*geo);   /* the module may have assigned it all */
    record_answer(inst, m, true, "accepted");
    return true;
}

static gboolean
start_extension(SmmuExtInstance *inst, const SmmuExtModule *m,
                const SmmuExtGeometry *geo, GError **errp)
{
    inst->ext = smmu_ext_core_new(inst, m, geo, errp);
    if (!inst->ext) {
        return FALSE;
    }
    inst->mmio_read = m->ops->mmio_read;
    inst->mmio_write = m->ops->mmio_write;
    inst->mmio_state = inst->ext->state;
    inst->mmio_size = m->ops->mmio_size;
    return TRUE;
}

static char *
types_tried(SmmuExtInstance *inst)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < inst->probes->len; i++) {
        SmmuExtProbeAnswer *a = g_ptr_array_index(inst->probes, i);

        g_string_append_printf(s, "%s%u (%s: %s)", i ? ", " : "",
                               a->hw_info_type, a->name, a->answer);
    }
    if (!s->len) {
        g_string_append(s, "none (no extension module found)");
    }
    return g_string_free(s, FALSE);
}

static gboolean
no_extension(SmmuExtInstance *inst, const char *why, GError **errp)
{
    g_autofree char *tried = types_tried(inst);
    g_autofree char *where = smmu_ext_registry_describe(inst->reg);

    if (inst->mode->kind == SMMU_EXT_MODE_AUTO) {
        inst->reason = g_strdup_printf("cmdqv=auto: %s; hw_info types "
                                       "tried: %s; using a plain "
                                       "ARM_SMMUV3 vIOMMU", why, tried);
        smmu_ext_inst_log(inst, G_LOG_LEVEL_INFO, "%s", inst->reason);
        return TRUE;
    }
    g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_NO_EXTENSION,
                "cmdqv=%s: %s; hw_info types tried: %s; %s",
                smmu_ext_mode_name(inst->mode), why, tried, where);
    return FALSE;
}

static gboolean
select_emulated(SmmuExtInstance *inst, GError **errp)
{
    const SmmuExtModule *m;
    SmmuExtGeometry geo = { .size = sizeof(geo) };
    g_autoptr(GError) err = NULL;

    switch (inst->mode->kind) {
    case SMMU_EXT_MODE_AUTO:
        inst->reason = g_strdup("cmdqv=auto: no host iommufd (accel=off): "
                                "no extension; name one (cmdqv=<name>) to "
                                "run it fully emulated");
        smmu_ext_inst_log(inst, G_LOG_LEVEL_INFO, "%s", inst->reason);
        return TRUE;
    case SMMU_EXT_MODE_ON:
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_NO_EXTENSION,
                    "cmdqv=on needs a host iommufd (accel=on); name an "
                    "extension (cmdqv=<name>) to run it fully emulated");
        return FALSE;
    default:
        break;
    }
    m = smmu_ext_registry_find(inst->reg, inst->mode->name);
    if (!m || !(m->ops->flags & SMMU_EXT_OPS_EMULATION)) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_NO_EXTENSION,
                    "cmdqv=%s: extension %s cannot run without a host "
                    "iommufd (no emulated mode)", inst->mode->name,
                    m ? m->info.name : inst->mode->name);
        return FALSE;
    }
    if (!m->ops->probe(NULL, &geo, &err)) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_NO_EXTENSION,
                    "cmdqv=%s: emulated mode refused: %s", inst->mode->name,
                    err ? err->message : "no reason given");
        return FALSE;
    }
    geo.size = sizeof(geo);
    record_answer(inst, m, true, "emulated (no host iommufd)");
    inst->reason = g_strdup_printf("cmdqv=%s: %s runs fully emulated (no "
                                   "host iommufd)", inst->mode->name,
                                   m->info.name);
    return start_extension(inst, m, &geo, errp);
}

static gboolean
select_accelerated(SmmuExtInstance *inst, uint32_t dev_id, GError **errp)
{
    g_autoptr(GError) load_err = NULL;
    SmmuExtGeometry geo;

    if (!read_smmu_info(inst, dev_id, errp)) {
        g_prefix_error(errp, "probing the host SMMU of device %u: ", dev_id);
        return FALSE;
    }
    if (!smmu_ext_registry_ensure_loaded(inst->reg, &load_err)) {
        return no_extension(inst, load_err->message, errp);
    }
    for (guint i = 0; i < smmu_ext_registry_n_modules(inst->reg); i++) {
        const SmmuExtModule *m = smmu_ext_registry_get(inst->reg, i);

        if (inst->mode->kind == SMMU_EXT_MODE_NAMED &&
            strcmp(m->info.name, inst->mode->name) != 0) {
            continue;
        }
        if (!probe_one(inst, m, dev_id, &geo)) {
            continue;
        }
        inst->reason = g_strdup_printf("cmdqv=%s: %s %s accepted the host "
                                       "(hw_info type %u)",
                                       smmu_ext_mode_name(inst->mode),
                                       m->info.name, m->info.version,
                                       m->ops->hw_info_type);
        return start_extension(inst, m, &geo, errp);
    }
    return no_extension(inst, "no extension accepted the host SMMU", errp);
}

bool
smmu_ext_instance_select(SmmuExtInstance *inst, SmmuExtIommufd *iommufd,
                         uint32_t dev_id, GError **errp)
{
    bool ok;

    g_return_val_if_fail(inst != NULL, false);
    if (inst->selected) {
        return true;
    }
    inst->iommufd = iommufd;
    if (inst->mode->kind == SMMU_EXT_MODE_OFF) {
        inst->reason = g_strdup("cmdqv=off: no extension loaded or probed");
        ok = TRUE;
    } else if (!iommufd) {
        ok = select_emulated(inst, errp);
    } else {
        ok = select_accelerated(inst, dev_id, errp);
    }
    if (!ok) {
        /* A failed selection may be retried by the next device. */
        g_ptr_array_set_size(inst->probes, 0);
        g_clear_pointer(&inst->reason, g_free);
        inst->iommufd = NULL;
        inst->have_idr = false;
        return false;
    }
    inst->selected = true;
    return true;
}

/* --- devices -------------------------------------------------------------- */

static SmmuExtDevice *
find_device(SmmuExtInstance *inst, uint32_t dev_id, guint *idx)
{
    for (guint i = 0; i < inst->devices->len; i++) {
        SmmuExtDevice *d = &g_array_index(inst->devices, SmmuExtDevice, i);

        if (d->dev_id == dev_id) {
            if (idx) {
                *idx = i;
            }
            return d;
        }
    }
    return NULL;
}

bool
smmu_ext_instance_attach(SmmuExtInstance *inst, SmmuExtIommufd *iommufd,
                         uint32_t dev_id, uint32_t s2_hwpt_id, GError **errp)
{
    SmmuExtDevice dev = { .dev_id = dev_id };

    g_return_val_if_fail(inst != NULL, false);
    if (find_device(inst, dev_id, NULL)) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "device %u is already attached", dev_id);
        return false;
    }
    if (inst->selected && iommufd != inst->iommufd) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "device %u: every device of one SMMU must use the same "
                    "iommufd", dev_id);
        return false;
    }
    if (!smmu_ext_instance_select(inst, iommufd, dev_id, errp)) {
        return false;
    }
    g_array_append_val(inst->devices, dev);
    if (inst->iommufd && !inst->viommu_id &&
        !smmu_ext_viommu_create(inst, dev_id, s2_hwpt_id, errp)) {
        g_array_remove_index(inst->devices, inst->devices->len - 1);
        return false;
    }
    return true;
}

bool
smmu_ext_instance_set_vsid(SmmuExtInstance *inst, uint32_t dev_id,
                           uint64_t vsid, GError **errp)
{
    SmmuExtDevice *d = find_device(inst, dev_id, NULL);
    GError *err = NULL;

    if (!d) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "device %u is not attached", dev_id);
        return false;
    }
    if (d->has_vsid && d->vsid == vsid && (d->vdevice_id || !inst->viommu_id)) {
        return true;
    }
    if (d->vdevice_id) {
        smmu_ext_viommu_vdevice_free(inst, d, &err);
    }
    d->has_vsid = true;
    d->vsid = vsid;
    if (inst->viommu_id) {
        smmu_ext_viommu_vdevice_alloc(inst, d, &err);
    }
    if (err) {
        g_propagate_error(errp, err);
        return false;
    }
    return true;
}

bool
smmu_ext_instance_detach(SmmuExtInstance *inst, uint32_t dev_id,
                         GError **errp)
{
    guint idx;
    SmmuExtDevice *d = find_device(inst, dev_id, &idx);
    GError *err = NULL;

    if (!d) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "device %u is not attached", dev_id);
        return false;
    }
    /* The vDEVICE goes before anything else of the device. */
    if (d->vdevice_id) {
        smmu_ext_viommu_vdevice_free(inst, d, &err);
    }
    g_array_remove_index(inst->devices, idx);
    if (dev_id == inst->creator_dev_id) {
        /* Nothing left to protect: the blocker named this device. */
        inst->creator_dev_id = 0;
        g_clear_pointer(&inst->blocker, g_free);
    }
    if (!inst->devices->len && inst->viommu_id) {
        smmu_ext_viommu_destroy(inst, &err);
    }
    if (err) {
        g_propagate_error(errp, err);
        return false;
    }
    return true;
}

const char *
smmu_ext_instance_unplug_blocker(const SmmuExtInstance *inst,
                                 uint32_t dev_id)
{
    SmmuExtInstance *mut = (SmmuExtInstance *)inst;

    if (!inst->ext || !inst->viommu_id || !dev_id ||
        dev_id != inst->creator_dev_id) {
        return NULL;
    }
    if (!mut->blocker) {
        mut->blocker = g_strdup_printf(
            "iommufd device %u backs the vIOMMU of the active %s "
            "extension; "
            "unplugging it would break the guest's command queues",
            dev_id, inst->ext->mod->info.name);
    }
    return mut->blocker;
}

/*
 * Disabling keeps the vEVENTQ (it goes with the vIOMMU; events meanwhile
 * become EVENTQ aborts, as on hardware); a new size reallocates it so the
 * kernel's depth follows the guest's queue.
 */
bool
smmu_ext_instance_set_eventq(SmmuExtInstance *inst, bool enabled,
                             unsigned log2size, GError **errp)
{
    inst->guest_evtq_enabled = enabled;
    if (!enabled) {
        return true;
    }
    inst->guest_evtq_log2 = log2size;
    return smmu_ext_viommu_smmu_eventq(inst, errp);
}

/* --- MMIO ----------------------------------------------------------------- */

uint64_t
smmu_ext_instance_mmio_size(const SmmuExtInstance *inst)
{
    return inst ? inst->mmio_size : 0;
}

/* Out-of-region or malformed accesses never reach a module.  The check is
 * all the hot path does besides the call; the log line is out of line. */
static inline bool
mmio_ok(const SmmuExtInstance *inst, uint64_t offset, unsigned size)
{
    return size - 1 < 8 && offset < inst->mmio_size &&
           size <= inst->mmio_size - offset;
}

static void __attribute__((noinline, cold))
mmio_refused(SmmuExtInstance *inst, uint64_t offset, unsigned size)
{
    if (smmu_ext_ratelimit_ok(&inst->guest_rl, NULL)) {
        smmu_ext_inst_log(inst, G_LOG_LEVEL_MESSAGE,
                          "guest: extension MMIO access outside the region "
                          "(offset 0x%" G_GINT64_MODIFIER "x, size %u)",
                          offset, size);
    }
}

uint64_t
smmu_ext_instance_mmio_read(SmmuExtInstance *inst, uint64_t offset,
                            unsigned size)
{
    if (G_UNLIKELY(!mmio_ok(inst, offset, size))) {
        mmio_refused(inst, offset, size);
        return 0;
    }
    return inst->mmio_read(inst->mmio_state, offset, size);
}

void
smmu_ext_instance_mmio_write(SmmuExtInstance *inst, uint64_t offset,
                             uint64_t value, unsigned size)
{
    if (G_UNLIKELY(!mmio_ok(inst, offset, size))) {
        mmio_refused(inst, offset, size);
        return;
    }
    inst->mmio_write(inst->mmio_state, offset, value, size);
}

bool
smmu_ext_instance_mmio_handlers(SmmuExtInstance *inst, SmmuExtMmioRead *read,
                                SmmuExtMmioWrite *write, void **opaque)
{
    bool ok = inst && inst->mmio_size;

    /* The module's own ops, called on its state: nothing in between. */
    *read = ok ? inst->mmio_read : NULL;
    *write = ok ? inst->mmio_write : NULL;
    *opaque = ok ? inst->mmio_state : NULL;
    return ok;
}

/* --- reset, run state ----------------------------------------------------- */

/*
 * Kernel objects go first (descending, with DESTROYING notifications while
 * the module still holds its live state), then the module returns every
 * register to its reset value, so nothing snapshotted can overwrite them.
 */
void
smmu_ext_instance_reset(SmmuExtInstance *inst)
{
    g_autoptr(GError) err = NULL;
    SmmuExtCore *core = inst->ext;

    if (!core) {
        return;
    }
    smmu_ext_core_unmap_all_direct(core);
    for (guint i = 0; i < core->hwqs->len; i++) {
        g_array_index(core->hwqs, SmmuExtHwq, i).desired = false;
    }
    smmu_ext_hwq_destroy_all(core, &err);
    g_array_set_size(core->hwqs, 0);
    core->ops->reset(core->state);
    if (err) {
        smmu_ext_inst_log(inst, G_LOG_LEVEL_WARNING, "reset: %s",
                          err->message);
    }
}

void
smmu_ext_instance_set_running(SmmuExtInstance *inst, bool running)
{
    if (inst->ext && inst->ext->ops->run_state) {
        inst->ext->ops->run_state(inst->ext->state, running);
    }
}

/* --- queries -------------------------------------------------------------- */

uint32_t
smmu_ext_instance_viommu_id(const SmmuExtInstance *inst)
{
    return inst->viommu_id;
}

const char *
smmu_ext_instance_extension(const SmmuExtInstance *inst)
{
    return inst->ext ? inst->ext->mod->info.name : "none";
}

bool
smmu_ext_instance_emulated(const SmmuExtInstance *inst)
{
    return inst->ext && !inst->iommufd;
}

/*
 * Fill a caller's sized struct @out (its uint32_t size first) from @src
 * (NULL: zeroes), @own bytes long in this build: the bytes both know, the
 * rest of a newer caller's struct zeroed, size = the bytes filled.  Below
 * @size_1_0 nothing is written.  True when @src was copied.
 */
static bool
sized_out(void *out, uint32_t own, uint32_t size_1_0, const void *src)
{
    uint32_t size;
    uint32_t n;

    memcpy(&size, out, sizeof(size));
    if (size < size_1_0) {
        return false;
    }
    n = MIN(size, own);
    memset((char *)out + n, 0, size - n);
    if (src) {
        memcpy(out, src, n);
    } else {
        memset(out, 0, n);
    }
    memcpy(out, &n, sizeof(n));
    return src != NULL;
}

bool
smmu_ext_instance_geometry(const SmmuExtInstance *inst, SmmuExtGeometry *out)
{
    return sized_out(out, sizeof(*out), SMMU_EXT_GEOMETRY_SIZE_1_0,
                     inst->ext ? &inst->ext->geo : NULL);
}

uint32_t
smmu_ext_instance_cmdqs_cap(const SmmuExtInstance *inst)
{
    return inst->ext ? inst->ext->geo.queue_log2_cap : 0;
}

void
smmu_ext_instance_counters(const SmmuExtInstance *inst,
                           SmmuExtCounterFn emit, void *ctx)
{
    g_return_if_fail(inst && emit);
    if (inst->ext && inst->ext->ops->counters) {
        inst->ext->ops->counters(inst->ext->state, emit, ctx);
    }
}

bool
smmu_ext_instance_stats(const SmmuExtInstance *inst, SmmuExtStats *out)
{
    return sized_out(out, sizeof(*out), SMMU_EXT_STATS_SIZE_1_0,
                     &inst->stats);
}

bool
smmu_ext_instance_can_migrate(const SmmuExtInstance *inst, GError **errp)
{
    if (!inst->ext) {
        return true;
    }
    if (inst->iommufd) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_NOT_SUPPORTED,
                    "%s is accelerated: its queues live in host hardware "
                    "and kernel objects that cannot be migrated",
                    inst->ext->mod->info.name);
        return false;
    }
    if (!inst->ext->ops->save || !inst->ext->ops->load) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_NOT_SUPPORTED,
                    "%s has no state save/load", inst->ext->mod->info.name);
        return false;
    }
    return true;
}

bool
smmu_ext_instance_save(SmmuExtInstance *inst, GByteArray *out, GError **errp)
{
    if (!smmu_ext_instance_can_migrate(inst, errp)) {
        return false;
    }
    if (!inst->ext) {
        return true;
    }
    return inst->ext->ops->save(inst->ext->state, out, errp);
}

bool
smmu_ext_instance_load(SmmuExtInstance *inst, const void *buf, size_t len,
                       GError **errp)
{
    if (!smmu_ext_instance_can_migrate(inst, errp)) {
        return false;
    }
    if (!inst->ext) {
        if (len) {
            g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                        "state for an extension, but none is selected");
            return false;
        }
        return true;
    }
    return inst->ext->ops->load(inst->ext->state, buf, len, errp);
}
