/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Issue 5 end to end: ARM_SMMUV3 vEVENTQ and vDEVICE lifecycle on the
 * simulated host, through the reference VMM and the real core.
 */
#include <errno.h>
#include <string.h>
#include "smmu-ext-sim.h"

#define RAM_GPA  0x80000000ull
#define RAM_SIZE (1u << 20)
#define DEV      1
#define VSID     0x42

typedef struct Fixture {
    SmmuExtVmm *vmm;
    SmmuExtSim *sim;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    const char *profile = data ? data : "smmuv3";

    f->vmm = smmu_ext_vmm_new(profile, NULL, &err);
    g_assert_no_error(err);
    g_assert_true(smmu_ext_vmm_add_ram(f->vmm, RAM_GPA, RAM_SIZE, 4096, &err));
    f->sim = smmu_ext_vmm_sim(f->vmm);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    smmu_ext_vmm_free(f->vmm);
}

static void
attach(Fixture *f, uint32_t devid, uint64_t vsid)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(smmu_ext_vmm_attach(f->vmm, devid, true, vsid, &err));
    g_assert_no_error(err);
}

static void
detach(Fixture *f, uint32_t devid)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(smmu_ext_vmm_detach(f->vmm, devid, &err));
    g_assert_no_error(err);
}

static void
guest_eventq(Fixture *f, bool on, unsigned log2)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(smmu_ext_vmm_set_guest_eventq(f->vmm, on, log2, &err));
    g_assert_no_error(err);
}

/* F_TRANSLATION (0x10) for @devid, tagged with @tag in word 1. */
static gboolean
post(Fixture *f, uint32_t devid, uint64_t tag)
{
    uint64_t evt[4] = { 0x10 | 0xdeadull << 32, tag, 0x1000, 0 };

    return smmu_ext_sim_post_event(f->sim, smmu_ext_vmm_sim_dev(f->vmm, devid),
                                   evt);
}

static SmmuExtStats
stats(Fixture *f)
{
    SmmuExtStats st = { .size = sizeof(st) };

    g_assert_true(smmu_ext_instance_stats(smmu_ext_vmm_instance(f->vmm),
                                          &st));
    return st;
}

static void
test_in_order(Fixture *f, gconstpointer data)
{
    g_test_summary("Events reach the guest EVTQ in order, with the vSID the "
                   "kernel substituted, and nothing is left after detach");
    guest_eventq(f, true, 7);
    attach(f, DEV, VSID);
    g_assert_cmpstr(smmu_ext_instance_extension(smmu_ext_vmm_instance(f->vmm)),
                    ==, "none");
    for (unsigned i = 0; i < 50; i++) {
        g_assert_true(post(f, DEV, i));
    }
    smmu_ext_vmm_main_loop_once(f->vmm);
    g_assert_cmpuint(smmu_ext_vmm_guest_events(f->vmm), ==, 50);
    for (unsigned i = 0; i < 50; i++) {
        const uint64_t *e = smmu_ext_vmm_guest_event(f->vmm, i);

        g_assert_cmphex(e[1], ==, i);
        g_assert_cmphex(e[0] >> 32, ==, VSID);
        g_assert_cmphex(e[0] & 0xff, ==, 0x10);
    }
    g_assert_cmpuint(stats(f).events, ==, 50);
    g_assert_cmpuint(stats(f).events_lost, ==, 0);
    /* Batched: far fewer reads than events. */
    g_assert_cmpuint(stats(f).reads, <, 10);
    detach(f, DEV);
    g_assert_cmpuint(smmu_ext_sim_live_total(f->sim), ==, 0);
    g_assert_cmpuint(smmu_ext_sim_open_fds(f->sim), ==, 0);
}

static void
test_alloc_orders(Fixture *f, gconstpointer data)
{
    g_test_summary("The vEVENTQ is allocated when both the vIOMMU and the "
                   "guest EVTQ exist, whichever comes first, with the "
                   "guest's depth, and freed with the vIOMMU");
    /* Device first (cold plug), EVENTQEN later. */
    attach(f, DEV, VSID);
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_VEVENTQ), ==, 0);
    guest_eventq(f, true, 5);
    g_assert_cmpuint(smmu_ext_sim_veventq_depth(f->sim, 1), ==, 32);
    detach(f, DEV);
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_VEVENTQ), ==, 0);
    /* EVENTQEN first, device later (first hot-plug). */
    attach(f, DEV, VSID);
    g_assert_cmpuint(smmu_ext_sim_veventq_depth(f->sim, 1), ==, 32);
    /* Re-enabled with the SMMUv3's largest queue: the depth follows. */
    guest_eventq(f, true, 19);
    g_assert_cmpuint(smmu_ext_sim_veventq_depth(f->sim, 1), ==, 1u << 19);
    detach(f, DEV);
    g_assert_cmpuint(smmu_ext_sim_live_total(f->sim), ==, 0);
}

static void
test_lost_once(Fixture *f, gconstpointer data)
{
    g_test_summary("A depth overflow is counted exactly once, from the "
                   "LOST_EVENTS header, and the next event adds nothing");
    guest_eventq(f, true, 4);            /* kernel depth 16 */
    attach(f, DEV, VSID);
    for (unsigned i = 0; i < 40; i++) {
        post(f, DEV, i);
    }
    smmu_ext_vmm_main_loop_once(f->vmm);
    g_assert_cmpuint(smmu_ext_vmm_guest_events(f->vmm), ==, 16);
    g_assert_cmpuint(stats(f).events_lost, ==, 24);
    smmu_ext_vmm_guest_eventq_drain(f->vmm);
    g_assert_true(post(f, DEV, 100));
    smmu_ext_vmm_main_loop_once(f->vmm);
    smmu_ext_vmm_main_loop_once(f->vmm);
    g_assert_cmpuint(smmu_ext_vmm_guest_events(f->vmm), ==, 1);
    g_assert_cmphex(smmu_ext_vmm_guest_event(f->vmm, 0)[1], ==, 100);
    g_assert_cmpuint(stats(f).events_lost, ==, 24);
    g_assert_cmpuint(stats(f).events, ==, 17);
}

static void
test_gap_counted(Fixture *f, gconstpointer data)
{
    g_test_summary("Losses revealed by a sequence gap (the LOST header was "
                   "replaced by a newer event) are counted once");
    guest_eventq(f, true, 2);            /* kernel depth 4 */
    attach(f, DEV, VSID);
    for (unsigned i = 0; i < 10; i++) {
        post(f, DEV, i);                 /* 4 queued, 6 lost */
    }
    smmu_ext_vmm_main_loop_once(f->vmm);
    smmu_ext_vmm_guest_eventq_drain(f->vmm);
    g_assert_cmpuint(stats(f).events_lost, ==, 6);
    for (unsigned i = 0; i < 6; i++) {
        post(f, DEV, 10 + i);            /* 4 queued, 2 lost at the tail */
    }
    /* Nothing read yet: a later event would have replaced the header. */
    smmu_ext_vmm_main_loop_once(f->vmm);
    g_assert_cmpuint(stats(f).events_lost, ==, 8);
    g_assert_cmpuint(stats(f).events, ==, 8);
}

static void
test_wrap(Fixture *f, gconstpointer data)
{
    g_test_summary("Sequence numbers wrap from 0x7fffffff to 0 without a "
                   "reported loss");
    guest_eventq(f, true, 6);
    attach(f, DEV, VSID);
    g_assert_true(smmu_ext_sim_set_next_seq(f->sim, 1, 0x7ffffffd));
    for (unsigned i = 0; i < 3; i++) {
        post(f, DEV, i);
    }
    smmu_ext_vmm_main_loop_once(f->vmm);
    for (unsigned i = 3; i < 6; i++) {
        post(f, DEV, i);                 /* 0x7fffffff ... 0, 1 */
    }
    smmu_ext_vmm_main_loop_once(f->vmm);
    g_assert_cmpuint(smmu_ext_vmm_guest_events(f->vmm), ==, 6);
    g_assert_cmpuint(stats(f).events_lost, ==, 0);
    g_assert_cmphex(smmu_ext_vmm_guest_event(f->vmm, 5)[1], ==, 5);
}

static void
test_abort(Fixture *f, gconstpointer data)
{
    g_test_summary("Events the guest cannot take (queue full or disabled) "
                   "become EVENTQ aborts for the host");
    guest_eventq(f, true, 2);            /* guest EVTQ of 4 entries */
    attach(f, DEV, VSID);
    for (unsigned i = 0; i < 4; i++) {
        post(f, DEV, i);
    }
    smmu_ext_vmm_main_loop_once(f->vmm);
    g_assert_cmpuint(smmu_ext_vmm_eventq_aborts(f->vmm), ==, 0);
    post(f, DEV, 4);
    post(f, DEV, 5);
    smmu_ext_vmm_main_loop_once(f->vmm);
    g_assert_cmpuint(smmu_ext_vmm_guest_events(f->vmm), ==, 4);
    g_assert_cmpuint(smmu_ext_vmm_eventq_aborts(f->vmm), ==, 2);
    g_assert_cmpuint(stats(f).eventq_aborts, ==, 2);
    /* Disabled: the vEVENTQ stays, its events abort. */
    smmu_ext_vmm_guest_eventq_drain(f->vmm);
    guest_eventq(f, false, 2);
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_VEVENTQ), ==, 1);
    post(f, DEV, 6);
    smmu_ext_vmm_main_loop_once(f->vmm);
    g_assert_cmpuint(smmu_ext_vmm_eventq_aborts(f->vmm), ==, 3);
}

static void
test_no_vdevice_no_event(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    g_test_summary("A device without a vSID has no vDEVICE, so the kernel "
                   "drops its events; a known vSID allocates the vDEVICE");
    guest_eventq(f, true, 4);
    g_assert_true(smmu_ext_vmm_attach(f->vmm, DEV, false, 0, &err));
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_VDEVICE), ==, 0);
    g_assert_false(post(f, DEV, 1));
    g_assert_true(smmu_ext_instance_set_vsid(smmu_ext_vmm_instance(f->vmm),
                                             smmu_ext_vmm_sim_dev(f->vmm, DEV),
                                             VSID, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_VDEVICE), ==, 1);
    g_assert_true(post(f, DEV, 2));
    smmu_ext_vmm_main_loop_once(f->vmm);
    g_assert_cmpuint(smmu_ext_vmm_guest_events(f->vmm), ==, 1);
}

static void
test_vsid_change(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    SmmuExtInstance *inst;
    uint32_t match = 0, replace = 0, sim_dev;

    g_test_summary("A vSID change frees and reallocates the vDEVICE; the "
                   "host SID slot follows");
    attach(f, DEV, VSID);
    inst = smmu_ext_vmm_instance(f->vmm);
    sim_dev = smmu_ext_vmm_sim_dev(f->vmm, DEV);
    g_assert_true(smmu_ext_sim_sid_slot(f->sim, 0, &match, &replace));
    g_assert_cmphex(match, ==, VSID << 1 | 1);
    g_assert_cmphex(replace, ==, DEV);
    g_assert_true(smmu_ext_instance_set_vsid(inst, sim_dev, 0x77, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_VDEVICE), ==, 1);
    g_assert_true(smmu_ext_sim_sid_slot(f->sim, 0, &match, &replace));
    g_assert_cmphex(match, ==, 0x77 << 1 | 1);
    /* Out of the 20-bit vSID range: the kernel's EINVAL, clearly. */
    g_assert_false(smmu_ext_instance_set_vsid(inst, sim_dev, 0x100000, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_KERNEL);
    g_assert_nonnull(strstr(err->message, "IOMMU_VDEVICE_ALLOC"));
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_VDEVICE), ==, 0);
    detach(f, DEV);
    g_assert_cmpuint(smmu_ext_sim_live_total(f->sim), ==, 0);
}

static void
test_duplicate_vsid(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    g_test_summary("Two devices with one vSID: the second gets the kernel's "
                   "EEXIST as a clear error, stays plugged without a "
                   "vDEVICE (as in QEMU) and leaves nothing after unplug");
    attach(f, DEV, VSID);
    g_assert_false(smmu_ext_vmm_attach(f->vmm, 2, true, VSID, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_KERNEL);
    g_assert_nonnull(strstr(err->message, g_strerror(EEXIST)));
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_VDEVICE), ==, 1);
    detach(f, 2);
    detach(f, DEV);
    g_assert_cmpuint(smmu_ext_sim_live_total(f->sim), ==, 0);
}

static void
test_hotplug_cycles(Fixture *f, gconstpointer data)
{
    g_test_summary("Hot-plug/unplug cycles next to a cold-plugged device "
                   "bring the vDEVICE count back each time, then to zero");
    guest_eventq(f, true, 4);
    attach(f, DEV, VSID);
    for (unsigned i = 0; i < 200; i++) {
        attach(f, 2, 0x100 + i);
        g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_VDEVICE), ==,
                         2);
        g_assert_true(post(f, 2, i));
        smmu_ext_vmm_main_loop_once(f->vmm);
        g_assert_cmphex(smmu_ext_vmm_guest_event(f->vmm, 0)[0] >> 32, ==,
                        0x100 + i);
        smmu_ext_vmm_guest_eventq_drain(f->vmm);
        detach(f, 2);
        g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_VDEVICE), ==,
                         1);
    }
    detach(f, DEV);
    g_assert_cmpuint(smmu_ext_sim_live_total(f->sim), ==, 0);
    g_assert_cmpuint(smmu_ext_sim_open_fds(f->sim), ==, 0);
}

static void
test_both_types(Fixture *f, gconstpointer data)
{
    g_test_summary("With the Tegra241 extension active both vEVENTQ types "
                   "live on one vIOMMU and each event goes to its owner");
    guest_eventq(f, true, 4);
    attach(f, DEV, VSID);
    g_assert_cmpstr(smmu_ext_instance_extension(smmu_ext_vmm_instance(f->vmm)),
                    ==, "tegra241");
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_VEVENTQ), ==, 2);
    g_assert_true(post(f, DEV, 7));
    g_assert_true(smmu_ext_sim_post_tegra_error(f->sim, 0x1, 0));
    smmu_ext_vmm_main_loop_once(f->vmm);
    g_assert_cmpuint(smmu_ext_vmm_guest_events(f->vmm), ==, 1);
    g_assert_cmphex(smmu_ext_vmm_guest_event(f->vmm, 0)[1], ==, 7);
    /* The CMDQV error went to the extension: its interrupt fired.  No queue
     * really has an active error (the vEVENT is synthetic), so the map bit
     * is already gone when the guest reads VI_ERR_MAP. */
    g_assert_cmpuint(smmu_ext_vmm_irq_count(f->vmm, 0), ==, 1);
    g_assert_cmphex(smmu_ext_vmm_read(f->vmm, 0x14, 4, NULL), ==, 0);
    g_assert_cmpuint(stats(f).events, ==, 2);
    detach(f, DEV);
    g_assert_cmpuint(smmu_ext_sim_live_total(f->sim), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn, profile) \
    g_test_add(path, Fixture, profile, fixture_setup, fn, fixture_teardown)
    ADD("/sim/events/smmuv3/in-order", test_in_order, "smmuv3");
    ADD("/sim/events/smmuv3/alloc-both-orders", test_alloc_orders, "smmuv3");
    ADD("/sim/events/smmuv3/lost-counted-once", test_lost_once, "smmuv3");
    ADD("/sim/events/smmuv3/gap-counted-once", test_gap_counted, "smmuv3");
    ADD("/sim/events/smmuv3/sequence-wrap", test_wrap, "smmuv3");
    ADD("/sim/events/smmuv3/abort", test_abort, "smmuv3");
    ADD("/sim/events/smmuv3/no-vdevice-no-event", test_no_vdevice_no_event,
        "smmuv3");
    ADD("/sim/events/vdevice/vsid-change", test_vsid_change, "tegra241");
    ADD("/sim/events/vdevice/duplicate-vsid", test_duplicate_vsid, "smmuv3");
    ADD("/sim/events/vdevice/hotplug-cycles", test_hotplug_cycles, "smmuv3");
    ADD("/sim/events/tegra241/both-types", test_both_types, "tegra241");
#undef ADD
    return g_test_run();
}
