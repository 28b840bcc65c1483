/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Queue errors reach the guest as error-map bits plus an edge on the CMDQV
 * interrupt, whether the host hardware reported them (a Tegra241 vEVENT)
 * or the emulation found them.  A bit stays until its queue's error is
 * acknowledged (GERRORN == GERROR), then drops on the next map read.
 */
#include "tegra241.h"

static uint64_t
tegra241_queue_mask(const Tegra241Cmdqv *s, unsigned word)
{
    unsigned n = s->geo.n_queues;

    if (n >= 64 * (word + 1)) {
        return ~0ull;
    }
    if (n <= 64 * word) {
        return 0;
    }
    return (1ull << (n - 64 * word)) - 1;
}

void
tegra241_err_raise(Tegra241Cmdqv *s, uint64_t lo, uint64_t hi)
{
    lo &= tegra241_queue_mask(s, 0);
    hi &= tegra241_queue_mask(s, 1);
    if (!lo && !hi) {
        return;
    }
    tegra241_count_errors(s, lo, hi);
    /* One VINTF: global queue index == logical index, one map for both. */
    s->r.err_map[0] |= (uint32_t)lo;
    s->r.err_map[1] |= (uint32_t)(lo >> 32);
    s->r.err_map[2] |= (uint32_t)hi;
    s->r.err_map[3] |= (uint32_t)(hi >> 32);
    s->r.vi_err_map[0] |= 1;
    if (!(s->r.vi_int_mask[0] & 1)) {
        smmu_ext_core_pulse_irq(s->core, 0);
    }
}

/* Out of line: tegra241_err_refresh() comes here only with a bit set. */
void
tegra241_err_drop_acked(Tegra241Cmdqv *s)
{
    unsigned q;
    uint32_t any = 0;

    for (q = 0; q < s->geo.n_queues; q++) {
        uint32_t bit = 1u << (q % 32);

        if ((s->r.err_map[q / 32] & bit) &&
            !tegra241_vcmdq_error_active(s, q)) {
            s->r.err_map[q / 32] &= ~bit;
        }
    }
    for (q = 0; q < 4; q++) {
        any |= s->r.err_map[q];
    }
    if (!any) {
        s->r.vi_err_map[0] &= ~1u;
    }
}

void
tegra241_event(void *state, const void *payload, size_t len)
{
    Tegra241Cmdqv *s = state;
    struct se_iommu_vevent_tegra241_cmdqv ev;

    if (!payload || len < sizeof(ev)) {
        smmu_ext_core_log_limited(s->core, T241_LOG_EVENT,
                                  G_LOG_LEVEL_WARNING,
                                  "Tegra241 CMDQV: dropped a %zu-byte vEVENT "
                                  "(expected %zu)", payload ? len : 0,
                                  sizeof(ev));
        return;
    }
    memcpy(&ev, payload, sizeof(ev));
    tegra241_err_raise(s, GUINT64_FROM_LE(ev.lvcmdq_err_map[0]),
                       GUINT64_FROM_LE(ev.lvcmdq_err_map[1]));
}
