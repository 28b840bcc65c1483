/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Soak: thousands of VM lifecycles (attach, bring-up, commands, an illegal
 * command and its recovery, reset, bring-up again, detach), every fourth
 * one with a failing HW queue or vDEVICE allocation.  After a warm-up the
 * heap in use and the number of open fds must stay flat.  Suite 'slow':
 * the sanitizer and valgrind runs skip it (mallinfo2 means nothing
 * under their allocators).
 */
#include <errno.h>
#include <malloc.h>
#include <string.h>
#include "scenario.h"

#define WARMUP 200
#define CYCLES 4000
/* GLib's caches and the allocator's bins grow about 2 KiB once, then move
 * by a few hundred bytes either way; a leaking allocation costs at least
 * 16 bytes, so a leak in even one cycle out of 16 would not fit. */
/* Exact with the tcache off (see meson.build): a few bytes of noise at most. */
#define HEAP_SLACK 256

static SmmuExtRegistry *registry;

static unsigned
count_fds(void)
{
    g_autoptr(GDir) d = g_dir_open("/proc/self/fd", 0, NULL);
    unsigned n = 0;

    g_assert_nonnull(d);
    while (g_dir_read_name(d)) {
        n++;
    }
    return n;
}

static void
one_cycle(unsigned i)
{
    const Scenario *s = &scenarios[i % n_scenarios];
    static const SmmuExtSimOp ops[] = {
        SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC, SMMU_EXT_SIM_OP_VDEVICE_ALLOC,
    };
    SmmuExtSim *sim;
    ScnRun r;

    scn_run_init(&r, s, registry);
    sim = smmu_ext_vmm_sim(r.vmm);
    if (i % 4 == 3) {
        smmu_ext_sim_fail(sim, ops[(i / 4) % 2], ENOMEM, 1);
    }
    s->run(&r);
    smmu_ext_sim_fail_clear(sim);
    scn_detach_all(&r);
    g_assert_cmpuint(smmu_ext_sim_live_total(sim), ==, 0);
    g_assert_cmpuint(smmu_ext_sim_open_fds(sim), ==, 0);
    scn_run_clear(&r);
}

static void
test_soak(void)
{
    size_t heap0, heap1, heap2;
    unsigned fds0, fds1;

    g_test_summary("Heap in use and open fds stay flat over thousands of "
                   "lifecycles with errors");
    for (unsigned i = 0; i < WARMUP; i++) {
        one_cycle(i);
    }
    heap0 = mallinfo2().uordblks;
    fds0 = count_fds();
    for (unsigned i = 0; i < CYCLES / 2; i++) {
        one_cycle(i);
    }
    heap1 = mallinfo2().uordblks;
    for (unsigned i = CYCLES / 2; i < CYCLES; i++) {
        one_cycle(i);
    }
    heap2 = mallinfo2().uordblks;
    fds1 = count_fds();
    g_test_message("%u cycles: heap in use %zu -> %zu -> %zu bytes, fds "
                   "%u -> %u", CYCLES, heap0, heap1, heap2, fds0, fds1);
    g_assert_cmpuint(fds1, ==, fds0);
    g_assert_cmpuint(heap2, <=, heap1 + HEAP_SLACK);
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) err = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    registry = smmu_ext_registry_new();
    smmu_ext_registry_load(registry, NULL, &err);
    g_assert_no_error(err);
    g_test_add_func("/slow/soak/lifecycle-flat", test_soak);
    ret = g_test_run();
    smmu_ext_registry_free(registry);
    return ret;
}
