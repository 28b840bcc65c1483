/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The two SELFTEST HW queues.  The guest says which queues should exist
 * (CTRL.EN with BASE and LEN); the core keeps the kernel's order, so the
 * module only turns each outcome into the queue's STATUS: LIVE, WAIT for
 * a lower queue, or ERR with the kernel's errno.
 */
#include <stdio.h>
#include "selftest.h"

/* The errno of an SMMU_EXT_ERROR_KERNEL message ("... (errno N)"); the
 * last one when several errors were joined. */
static unsigned
kernel_errno(const GError *err)
{
    const char *p = err ? g_strrstr(err->message, "(errno ") : NULL;
    unsigned n = 0;

    if (!p || sscanf(p, "(errno %u)", &n) != 1) {
        return 0;
    }
    return MIN(n, 0xffu);
}

static void
set_err(SelftestQueue *q, const GError *err)
{
    q->status &= ~(ST_QS_WAIT | ST_QS_ERR | ST_QS_ERRNO_MASK);
    if (err && g_error_matches(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_ORDER)) {
        q->status |= ST_QS_WAIT;
    } else if (err) {
        q->status |= ST_QS_ERR | (kernel_errno(err) << ST_QS_ERRNO_SHIFT);
    }
}

void
selftest_hw_queue_changed(void *state, uint32_t type, uint32_t index,
                          SmmuExtHwQueueEvent ev, const GError *error)
{
    Selftest *s = state;
    SelftestQueue *q;

    if (type != SE_IOMMU_HW_QUEUE_TYPE_SELFTEST ||
        index >= SE_IOMMU_TEST_HW_QUEUE_MAX) {
        return;
    }
    q = &s->q[index];
    switch (ev) {
    case SMMU_EXT_HWQ_LIVE:
        q->status = ST_QS_LIVE;
        break;
    case SMMU_EXT_HWQ_DESTROYING:
        q->status &= ~ST_QS_LIVE;
        break;
    case SMMU_EXT_HWQ_FAILED:
        s->failed_seen |= 1u << index;
        set_err(q, error);
        break;
    }
}

/* LIVE always follows the core (a refused destroy leaves the queue). */
static void
refresh_live(Selftest *s)
{
    for (unsigned i = 0; i < SE_IOMMU_TEST_HW_QUEUE_MAX; i++) {
        bool live = smmu_ext_core_hw_queue_live(s->core,
                                                SE_IOMMU_HW_QUEUE_TYPE_SELFTEST,
                                                i);

        s->q[i].status = (s->q[i].status & ~ST_QS_LIVE) |
                         (live ? ST_QS_LIVE : 0);
        if (!(s->q[i].ctrl & ST_CTRL_EN) && !live) {
            s->q[i].status &= ~ST_QS_WAIT;
        }
    }
}

static void
apply(Selftest *s, unsigned i)
{
    SelftestQueue *q = &s->q[i];
    g_autoptr(GError) err = NULL;
    bool ok;

    s->failed_seen = 0;
    if (q->ctrl & ST_CTRL_EN) {
        ok = smmu_ext_core_hw_queue_set(s->core,
                                        SE_IOMMU_HW_QUEUE_TYPE_SELFTEST, i,
                                        q->base, q->len, &err);
    } else {
        ok = smmu_ext_core_hw_queue_clear(s->core,
                                          SE_IOMMU_HW_QUEUE_TYPE_SELFTEST, i,
                                          &err);
    }
    if (ok) {
        set_err(q, NULL);
    } else {
        /* A refused destroy has no FAILED notification of its own. */
        if (!(s->failed_seen & (1u << i))) {
            set_err(q, err);
        }
        smmu_ext_core_log(s->core, G_LOG_LEVEL_INFO, "selftest: queue %u: "
                          "%s", i, err->message);
    }
    refresh_live(s);
}

uint32_t
selftest_queue_read(Selftest *s, unsigned i, unsigned reg)
{
    SelftestQueue *q = &s->q[i];

    switch (reg) {
    case ST_Q_BASE_LO:
        return (uint32_t)q->base;
    case ST_Q_BASE_HI:
        return (uint32_t)(q->base >> 32);
    case ST_Q_LEN:
        return q->len;
    case ST_Q_CTRL:
        return q->ctrl;
    case ST_Q_STATUS:
        return q->status;
    }
    smmu_ext_core_guest_error(s->core, ST_LOG_GUEST, "selftest: read of "
                              "unknown queue %u register 0x%x", i, reg);
    return 0;
}

void
selftest_queue_write(Selftest *s, unsigned i, unsigned reg, uint32_t value)
{
    SelftestQueue *q = &s->q[i];

    switch (reg) {
    case ST_Q_BASE_LO:
        q->base = (q->base & ~0xffffffffull) | value;
        return;
    case ST_Q_BASE_HI:
        q->base = (q->base & 0xffffffffull) | ((uint64_t)value << 32);
        return;
    case ST_Q_LEN:
        q->len = value;
        return;
    case ST_Q_CTRL:
        /* BASE and LEN are latched here: every CTRL write applies them
         * (and retries a change the kernel refused). */
        q->ctrl = value & ST_CTRL_EN;
        apply(s, i);
        return;
    }
    smmu_ext_core_guest_error(s->core, ST_LOG_GUEST, "selftest: write 0x%x "
                              "to %s queue %u register 0x%x", value,
                              reg == ST_Q_STATUS ? "read-only" : "unknown",
                              i, reg);
}

/* The core destroyed the queues before the module's reset. */
void
selftest_queues_reset(Selftest *s)
{
    memset(s->q, 0, sizeof(s->q));
}
