/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Diagnostics: what each VCMDQ did, for the host's report (and a guest
 * test's proof that invalidations went through the extension's queues),
 * and the test-only fault switch that a harness uses to prove its checks
 * can fail.  Neither is guest-visible state: not migrated, kept across
 * reset (the figures cover the whole run).
 */
#define _GNU_SOURCE            /* secure_getenv */
#include <stdlib.h>
#include "tegra241.h"

static const char *const tegra241_counter_names[T241_CNT_N] = {
    [T241_CNT_TLBI_NH_ASID] = "tlbi_nh_asid",
    [T241_CNT_TLBI_NH_VA] = "tlbi_nh_va",
    [T241_CNT_ATC_INV] = "atc_inv",
    [T241_CNT_SYNC] = "cmd_sync",
    [T241_CNT_OTHER] = "other",
    [T241_CNT_DROPPED] = "dropped",
    [T241_CNT_ERRORS] = "errors",
};

void
tegra241_count_cmd(Tegra241Cmdqv *s, unsigned q, uint8_t op)
{
    unsigned c;

    switch (op) {
    case T241_CMD_TLBI_NH_ASID:
        c = T241_CNT_TLBI_NH_ASID;
        break;
    case T241_CMD_TLBI_NH_VA:
        c = T241_CNT_TLBI_NH_VA;
        break;
    case T241_CMD_ATC_INV:
        c = T241_CNT_ATC_INV;
        break;
    case T241_CMD_SYNC:
        c = T241_CNT_SYNC;
        break;
    default:
        c = T241_CNT_OTHER;
        break;
    }
    s->counters[q][c]++;
}

/* @lo/@hi: error-map bits, already masked to the geometry's queues. */
void
tegra241_count_errors(Tegra241Cmdqv *s, uint64_t lo, uint64_t hi)
{
    for (unsigned q = 0; q < s->geo.n_queues; q++) {
        s->counters[q][T241_CNT_ERRORS] += ((q < 64 ? lo : hi) >> (q % 64)) &
                                           1;
    }
}

/*
 * Totals first ("commands.<opcode>", "command_errors", always present, so
 * a reader can rely on them), then "vcmdq<N>.<what>" for each queue that
 * counted anything.
 */
void
tegra241_counters(void *state, SmmuExtCounterFn emit, void *ctx)
{
    Tegra241Cmdqv *s = state;
    uint64_t total[T241_CNT_N] = { 0 };
    char name[48];

    for (unsigned q = 0; q < s->geo.n_queues; q++) {
        for (unsigned c = 0; c < T241_CNT_N; c++) {
            total[c] += s->counters[q][c];
        }
    }
    for (unsigned c = 0; c < T241_CNT_ERRORS; c++) {
        g_snprintf(name, sizeof(name), "commands.%s",
                   tegra241_counter_names[c]);
        emit(ctx, name, total[c]);
    }
    emit(ctx, "command_errors", total[T241_CNT_ERRORS]);
    for (unsigned q = 0; q < s->geo.n_queues; q++) {
        uint64_t any = 0;

        for (unsigned c = 0; c < T241_CNT_N; c++) {
            any |= s->counters[q][c];
        }
        for (unsigned c = 0; any && c < T241_CNT_N; c++) {
            g_snprintf(name, sizeof(name), "vcmdq%u.%s", q,
                       tegra241_counter_names[c]);
            emit(ctx, name, s->counters[q][c]);
        }
    }
}

/* --- test-only fault switch ----------------------------------------------- */

void
tegra241_break_init(Tegra241Cmdqv *s)
{
    const char *v = secure_getenv("SMMU_EXT_TEGRA241_BREAK");

    s->brk = T241_BREAK_NONE;
    if (!v || !*v) {
        return;
    }
    if (!strcmp(v, "drop")) {
        s->brk = T241_BREAK_DROP;
    } else if (!strcmp(v, "disable")) {
        s->brk = T241_BREAK_DISABLE;
    } else if (!strcmp(v, "trap")) {
        s->brk = T241_BREAK_TRAP;
    } else {
        smmu_ext_core_log(s->core, G_LOG_LEVEL_WARNING,
                          "Tegra241 CMDQV: SMMU_EXT_TEGRA241_BREAK=%s "
                          "ignored (test-only: drop, disable or trap)", v);
        return;
    }
    smmu_ext_core_log(s->core, G_LOG_LEVEL_WARNING,
                      "Tegra241 CMDQV: test-only fault "
                      "SMMU_EXT_TEGRA241_BREAK=%s is active: the model is "
                      "deliberately broken", v);
}
