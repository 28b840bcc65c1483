/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HW queues by desired state.  The kernel allocates a type's queues only in
 * ascending and destroys them only in descending index (a queue holds a
 * reference on the one below it).  Modules say what they want; this file
 * computes the smallest legal sequence of destroys and allocations, tells
 * the module before each destroy and after each allocation, and never
 * touches a live queue whose parameters did not change.
 *
 * One attempt per request: a queue the kernel refused is not tried again
 * until the module asks for it again (a guest write to one of its
 * preconditions) or the vIOMMU is re-created, so a failure the module has
 * shown the guest stays true, and a persistent one costs one ioctl per
 * request, not one per request of every other queue.  A queue waiting for
 * a lower index is told once, and allocated as soon as the order allows.
 */
#include "instance-priv.h"

static SmmuExtHwq *
hwq_at(SmmuExtCore *core, guint i)
{
    return &g_array_index(core->hwqs, SmmuExtHwq, i);
}

static SmmuExtHwq *
hwq_find(SmmuExtCore *core, uint32_t type, uint32_t index)
{
    for (guint i = 0; i < core->hwqs->len; i++) {
        SmmuExtHwq *q = hwq_at(core, i);

        if (q->type == type && q->index == index) {
            return q;
        }
    }
    return NULL;
}

static SmmuExtHwq *
hwq_get(SmmuExtCore *core, uint32_t type, uint32_t index)
{
    SmmuExtHwq *q = hwq_find(core, type, index);
    SmmuExtHwq fresh = { .type = type, .index = index };
    guint pos = 0;

    if (q) {
        return q;
    }
    while (pos < core->hwqs->len &&
           (hwq_at(core, pos)->type < type ||
            (hwq_at(core, pos)->type == type &&
             hwq_at(core, pos)->index < index))) {
        pos++;
    }
    g_array_insert_val(core->hwqs, pos, fresh);
    return hwq_at(core, pos);
}

static void
notify(SmmuExtCore *core, const SmmuExtHwq *q, SmmuExtHwQueueEvent ev,
       const GError *err)
{
    if (core->ops->hw_queue_changed) {
        core->ops->hw_queue_changed(core->state, q->type, q->index, ev, err);
    }
}

/* The module asks again: the next reconcile makes one new attempt. */
static void
hwq_forget_outcome(SmmuExtHwq *q)
{
    q->failed = false;
    q->waiting = false;
}

static bool
needs_change(const SmmuExtHwq *q)
{
    return q->live && (!q->desired || q->gpa != q->live_gpa ||
                       q->len != q->live_len);
}

/* Destroy live queues of @type from the top down to the lowest one that
 * must change.  Returns false if a destroy failed (order is then stuck). */
static bool
destroy_down_to_change(SmmuExtCore *core, uint32_t type, GError **errp)
{
    SmmuExtInstance *inst = core->inst;
    int64_t lowest = -1;

    for (guint i = 0; i < core->hwqs->len; i++) {
        SmmuExtHwq *q = hwq_at(core, i);

        if (q->type == type && needs_change(q)) {
            lowest = q->index;
            break;
        }
    }
    if (lowest < 0) {
        return true;
    }
    for (guint i = core->hwqs->len; i-- > 0;) {
        SmmuExtHwq *q = hwq_at(core, i);
        GError *err = NULL;

        if (q->type != type || !q->live || q->index < lowest) {
            continue;
        }
        notify(core, q, SMMU_EXT_HWQ_DESTROYING, NULL);
        smmu_ext_viommu_destroy_id(inst, q->id, "HW queue", &err);
        if (err) {
            g_prefix_error(&err, "HW queue type %u index %u: ", type,
                           q->index);
            smmu_ext_error_append(errp, err);
            return false;
        }
        q->live = false;
        q->id = 0;
    }
    return true;
}

static GError *
order_error(const SmmuExtHwq *q)
{
    return g_error_new(SMMU_EXT_ERROR, SMMU_EXT_ERROR_ORDER,
                       "HW queue type %u index %u waits for index %u below "
                       "it", q->type, q->index, q->index - 1);
}

/* Allocate every desired queue of @type in ascending order; a queue whose
 * lower neighbour is not live waits.  Errors of @want go to @errp, errors
 * of re-allocations of other queues are appended too. */
static bool
allocate_up(SmmuExtCore *core, uint32_t type, uint32_t want, GError **errp)
{
    SmmuExtInstance *inst = core->inst;
    uint32_t next = 0;         /* the index the kernel accepts next */
    bool ok = true;

    for (guint i = 0; i < core->hwqs->len; i++) {
        SmmuExtHwq *q = hwq_at(core, i);
        g_autoptr(GError) err = NULL;

        if (q->type != type) {
            continue;
        }
        if (q->live) {
            next = q->index + 1;
            continue;
        }
        if (!q->desired || q->failed) {
            continue;          /* a refused queue waits to be asked again */
        }
        if (q->index != next) {
            if (q->waiting && q->index != want) {
                continue;      /* the module knows already */
            }
            q->waiting = true;
            err = order_error(q);
        } else if (smmu_ext_iommufd_hw_queue_alloc(inst->iommufd,
                                                   inst->viommu_id, type,
                                                   q->index, q->gpa, q->len,
                                                   &q->id, &err)) {
            q->live = true;
            q->waiting = false;
            q->live_gpa = q->gpa;
            q->live_len = q->len;
            next = q->index + 1;
            notify(core, q, SMMU_EXT_HWQ_LIVE, NULL);
            continue;
        } else {
            q->failed = true;
            q->waiting = false;
        }
        notify(core, q, SMMU_EXT_HWQ_FAILED, err);
        if (q->index == want ||
            err->code != SMMU_EXT_ERROR_ORDER) {
            ok = false;
            smmu_ext_error_append(errp, g_steal_pointer(&err));
        }
    }
    return ok;
}

/* Bring @type's queues in line; errors about @want are the caller's. */
static gboolean
hwq_reconcile(SmmuExtCore *core, uint32_t type, uint32_t want, GError **errp)
{
    if (!core->inst->viommu_id) {
        return TRUE;        /* applied when a vIOMMU exists */
    }
    if (!destroy_down_to_change(core, type, errp)) {
        return FALSE;
    }
    return allocate_up(core, type, want, errp);
}

gboolean
smmu_ext_hwq_reconcile_all(SmmuExtCore *core, GError **errp)
{
    gboolean ok = TRUE;
    uint32_t type = 0;

    for (guint i = 0; i < core->hwqs->len; i++) {
        SmmuExtHwq *q = hwq_at(core, i);

        if (i == 0 || q->type != type) {
            type = q->type;
            ok &= hwq_reconcile(core, type, G_MAXUINT32, errp);
        }
    }
    return ok;
}

void
smmu_ext_hwq_destroy_all(SmmuExtCore *core, GError **errp)
{
    for (guint i = core->hwqs->len; i-- > 0;) {
        SmmuExtHwq *q = hwq_at(core, i);

        if (!q->live) {
            continue;
        }
        notify(core, q, SMMU_EXT_HWQ_DESTROYING, NULL);
        smmu_ext_viommu_destroy_id(core->inst, q->id, "HW queue", errp);
        /* Forgotten even on failure: the kernel frees it with the fd. */
        q->live = false;
        q->id = 0;
    }
    /* A new vIOMMU gets one fresh attempt at every desired queue. */
    for (guint i = 0; i < core->hwqs->len; i++) {
        hwq_forget_outcome(hwq_at(core, i));
    }
}

/* --- module services ------------------------------------------------------ */

bool
smmu_ext_core_hw_queue_set(SmmuExtCore *core, uint32_t type, uint32_t index,
                           uint64_t gpa, uint64_t len, GError **errp)
{
    SmmuExtHwq *q;

    g_return_val_if_fail(core != NULL, FALSE);
    if (!smmu_ext_core_accelerated(core)) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "HW queues need a host iommufd (emulated mode)");
        return FALSE;
    }
    q = hwq_get(core, type, index);
    if (q->desired && q->live && q->live_gpa == gpa && q->live_len == len) {
        return TRUE;
    }
    q->desired = true;
    q->gpa = gpa;
    q->len = len;
    hwq_forget_outcome(q);
    return hwq_reconcile(core, type, index, errp);
}

bool
smmu_ext_core_hw_queue_clear(SmmuExtCore *core, uint32_t type,
                             uint32_t index, GError **errp)
{
    SmmuExtHwq *q;

    g_return_val_if_fail(core != NULL, FALSE);
    q = hwq_find(core, type, index);
    if (!q || (!q->desired && !q->live)) {
        return TRUE;
    }
    q->desired = false;
    hwq_forget_outcome(q);
    return hwq_reconcile(core, type, index, errp);
}

bool
smmu_ext_core_hw_queue_clear_all(SmmuExtCore *core, uint32_t type,
                                 GError **errp)
{
    bool any = false;

    g_return_val_if_fail(core != NULL, FALSE);
    for (guint i = 0; i < core->hwqs->len; i++) {
        SmmuExtHwq *q = hwq_at(core, i);

        if (q->type == type && (q->desired || q->live)) {
            q->desired = false;
            hwq_forget_outcome(q);
            any = true;
        }
    }
    return !any || hwq_reconcile(core, type, G_MAXUINT32, errp);
}

bool
smmu_ext_core_hw_queue_live(const SmmuExtCore *core, uint32_t type,
                            uint32_t index)
{
    SmmuExtHwq *q = hwq_find((SmmuExtCore *)core, type, index);

    return q && q->live;
}
