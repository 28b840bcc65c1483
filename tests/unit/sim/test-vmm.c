/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reference VMM through the public API, as the tools use it: device
 * attach/detach with vDEVICEs, MMIO dispatch (direct overlay, trapped,
 * outside the region), a Linux-style VCMDQ bring-up on the tegra241 host,
 * SMMUv3 events reaching the guest EVTQ, and teardown with nothing live.
 */
#include <string.h>
#include "smmu-ext-sim.h"

#define RAM_GPA  0x80000000ull
#define RAM_SIZE 0x100000ull
#define Q_GPA    (RAM_GPA + 0x10000)

static SmmuExtVmm *
vmm_new(const char *profile, const char *mode)
{
    g_autoptr(GError) err = NULL;
    SmmuExtVmm *vmm = smmu_ext_vmm_new(profile, NULL, &err);

    g_assert_no_error(err);
    g_assert_true(smmu_ext_vmm_add_ram(vmm, RAM_GPA, RAM_SIZE, 0x10000,
                                       &err));
    g_assert_no_error(err);
    g_assert_true(smmu_ext_vmm_set_mode(vmm, mode, &err));
    g_assert_no_error(err);
    return vmm;
}

static void
test_bad_profile(void)
{
    g_autoptr(GError) err = NULL;

    g_test_summary("An unknown host profile is refused with a reason");
    g_assert_null(smmu_ext_vmm_new("grace", NULL, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID);
}

static void
test_attach_detach(void)
{
    g_autoptr(GError) err = NULL;
    SmmuExtVmm *vmm = vmm_new("tegra241", "auto");
    SmmuExtSim *sim = smmu_ext_vmm_sim(vmm);
    uint32_t match = 0, replace = 0;

    g_test_summary("The first attach selects and allocates the vIOMMU, a "
                   "vSID a vDEVICE; detaching the last frees everything");
    g_assert_null(smmu_ext_vmm_instance(vmm));
    g_assert_true(smmu_ext_vmm_attach(vmm, 7, true, 0x21, &err));
    g_assert_no_error(err);
    g_assert_nonnull(smmu_ext_vmm_instance(vmm));
    g_assert_cmpstr(smmu_ext_instance_extension(smmu_ext_vmm_instance(vmm)),
                    ==, "tegra241");
    g_assert_cmpuint(smmu_ext_sim_live(sim, SMMU_EXT_SIM_VIOMMU), ==, 1);
    g_assert_cmpuint(smmu_ext_sim_live(sim, SMMU_EXT_SIM_VDEVICE), ==, 1);
    g_assert_true(smmu_ext_sim_sid_slot(sim, 0, &match, &replace));
    g_assert_cmphex(match, ==, (0x21u << 1) | 1);
    g_assert_cmphex(replace, ==, 7);            /* psid = the VMM's devid */

    g_assert_false(smmu_ext_vmm_attach(vmm, 7, false, 0, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID);
    g_clear_error(&err);
    g_assert_true(smmu_ext_vmm_attach(vmm, 8, false, 0, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(smmu_ext_sim_live(sim, SMMU_EXT_SIM_VDEVICE), ==, 1);

    g_assert_true(smmu_ext_vmm_detach(vmm, 7, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(smmu_ext_sim_live(sim, SMMU_EXT_SIM_VDEVICE), ==, 0);
    g_assert_cmpuint(smmu_ext_sim_live(sim, SMMU_EXT_SIM_VIOMMU), ==, 1);
    g_assert_true(smmu_ext_vmm_detach(vmm, 8, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(smmu_ext_sim_live_total(sim), ==, 0);
    g_assert_false(smmu_ext_vmm_detach(vmm, 8, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID);
    smmu_ext_vmm_free(vmm);
}

static void
test_ram(void)
{
    g_autoptr(GError) err = NULL;
    SmmuExtVmm *vmm = vmm_new("smmuv3", "off");
    uint64_t w = 0x1122334455667788ull, r = 0;

    g_test_summary("Guest RAM is zeroed, reachable inside, refused outside "
                   "and overlapping regions are refused");
    g_assert_true(smmu_ext_vmm_mem_read(vmm, RAM_GPA + RAM_SIZE - 8, &r, 8));
    g_assert_cmphex(r, ==, 0);
    g_assert_true(smmu_ext_vmm_mem_write(vmm, RAM_GPA + 8, &w, 8));
    g_assert_true(smmu_ext_vmm_mem_read(vmm, RAM_GPA + 8, &r, 8));
    g_assert_cmphex(r, ==, w);
    g_assert_false(smmu_ext_vmm_mem_read(vmm, RAM_GPA + RAM_SIZE - 4, &r, 8));
    g_assert_false(smmu_ext_vmm_mem_write(vmm, RAM_GPA - 8, &w, 8));
    g_assert_false(smmu_ext_vmm_add_ram(vmm, RAM_GPA + 0x10000, 0x10000,
                                        0x10000, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID);
    smmu_ext_vmm_free(vmm);
}

static void
w32(SmmuExtVmm *vmm, uint64_t off, uint32_t v)
{
    smmu_ext_vmm_write(vmm, off, v, 4, NULL);
}

static uint32_t
r32(SmmuExtVmm *vmm, uint64_t off)
{
    return smmu_ext_vmm_read(vmm, off, 4, NULL);
}

/* Read until (value & mask) == want, one hardware step between reads. */
static uint32_t
poll32(SmmuExtVmm *vmm, uint64_t off, uint32_t mask, uint32_t want)
{
    uint32_t v = 0;

    for (int i = 0; i < 100; i++) {
        v = r32(vmm, off);
        if ((v & mask) == want) {
            break;
        }
        smmu_ext_vmm_step(vmm, 1);
        smmu_ext_vmm_main_loop_once(vmm);
    }
    return v;
}

static void
put_cmd(SmmuExtVmm *vmm, unsigned idx, uint8_t op)
{
    uint64_t cmd[2] = { GUINT64_TO_LE(op), 0 };

    g_assert_true(smmu_ext_vmm_mem_write(vmm, Q_GPA + 16 * idx, cmd, 16));
}

static void
test_linux_bringup(void)
{
    g_autoptr(GError) err = NULL;
    SmmuExtVmm *vmm = vmm_new("tegra241", "tegra241");
    SmmuExtSim *sim = smmu_ext_vmm_sim(vmm);
    bool direct = false;

    g_test_summary("A Linux guest's VCMDQ bring-up (tegra241-cmdqv.md "
                   "3.10) allocates a host queue and runs commands through "
                   "the direct page");
    g_assert_true(smmu_ext_vmm_attach(vmm, 1, true, 1, &err));
    g_assert_no_error(err);
    /* CMDQV reset, static CMDQ_ALLOC, VINTF0 on. */
    w32(vmm, 0x000, 0x00020082);
    g_assert_cmphex(poll32(vmm, 0x008, 1, 0) & 1, ==, 0);
    w32(vmm, 0x000, 0x00020083);
    g_assert_cmphex(poll32(vmm, 0x008, 1, 1) & 1, ==, 1);
    w32(vmm, 0x200, 0 << 1);
    w32(vmm, 0x204, 1 << 1);
    w32(vmm, 0x1000, 0x00020000);
    w32(vmm, 0x1000, 0x00020001);
    g_assert_cmphex(poll32(vmm, 0x1004, 1, 1) & 1, ==, 1);
    /* LVCMDQ 0: map, BASE = queue | log2size (16 entries), enable. */
    w32(vmm, 0x200, r32(vmm, 0x200) | 1);
    smmu_ext_vmm_write(vmm, 0x40000, Q_GPA | 4, 8, NULL);
    g_assert_cmpuint(smmu_ext_sim_live(sim, SMMU_EXT_SIM_HW_QUEUE), ==, 1);
    w32(vmm, 0x30008, 1);
    g_assert_cmphex(poll32(vmm, 0x3000c, 1, 1) & 1, ==, 1);
    /* Runtime: PROD goes straight to the host page. */
    put_cmd(vmm, 0, 0x11);
    put_cmd(vmm, 1, 0x46);
    smmu_ext_vmm_write(vmm, 0x30004, 2, 4, &direct);
    g_assert_true(direct);
    g_assert_cmphex(poll32(vmm, 0x30000, 0xff, 2), ==, 2);
    g_assert_cmpuint(smmu_ext_sim_cmd_count(sim, 0x46), ==, 1);
    /* Outside the region: reads 0, writes dropped, never direct. */
    g_assert_cmphex(smmu_ext_vmm_read(vmm, 1ull << 40, 4, &direct), ==, 0);
    g_assert_false(direct);
    smmu_ext_vmm_write(vmm, UINT64_MAX - 2, 1, 4, &direct);
    g_assert_false(direct);
    g_assert_cmphex(smmu_ext_vmm_read(vmm, 0, 9, NULL), ==, 0);

    g_assert_true(smmu_ext_vmm_detach(vmm, 1, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(smmu_ext_sim_live_total(sim), ==, 0);
    smmu_ext_vmm_free(vmm);
}

static void
test_guest_events(void)
{
    g_autoptr(GError) err = NULL;
    SmmuExtVmm *vmm = vmm_new("smmuv3", "auto");
    SmmuExtSim *sim = smmu_ext_vmm_sim(vmm);
    uint64_t evt[4] = { 0x10 | (0x7ull << 32), 0xabc, 0, 0 };
    uint32_t dev;

    g_test_summary("An SMMUv3 event of a device with a vSID reaches the "
                   "guest EVTQ with the vSID; a full EVTQ counts aborts");
    g_assert_true(smmu_ext_vmm_set_guest_eventq(vmm, true, 1, &err));
    g_assert_no_error(err);
    g_assert_true(smmu_ext_vmm_attach(vmm, 7, true, 0x33, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(smmu_ext_sim_live(sim, SMMU_EXT_SIM_VEVENTQ), ==, 1);
    /* The sim hands out the lowest free id: the first bound device comes
     * right after the stage-2 HWPT. */
    dev = smmu_ext_sim_s2_hwpt(sim) + 1;
    g_assert_true(smmu_ext_sim_post_event(sim, dev, evt));
    smmu_ext_vmm_main_loop_once(vmm);
    g_assert_cmpuint(smmu_ext_vmm_guest_events(vmm), ==, 1);
    g_assert_cmphex(smmu_ext_vmm_guest_event(vmm, 0)[0], ==,
                    0x10 | (0x33ull << 32));
    g_assert_cmphex(smmu_ext_vmm_guest_event(vmm, 0)[1], ==, 0xabc);
    g_assert_null(smmu_ext_vmm_guest_event(vmm, 1));
    for (int i = 0; i < 3; i++) {
        g_assert_true(smmu_ext_sim_post_event(sim, dev, evt));
    }
    smmu_ext_vmm_main_loop_once(vmm);
    g_assert_cmpuint(smmu_ext_vmm_guest_events(vmm), ==, 2);
    g_assert_cmpuint(smmu_ext_vmm_eventq_aborts(vmm), >=, 1);
    smmu_ext_vmm_guest_eventq_drain(vmm);
    g_assert_cmpuint(smmu_ext_vmm_guest_events(vmm), ==, 0);
    smmu_ext_vmm_free(vmm);
}

static void
test_trace(void)
{
    if (g_test_subprocess()) {
        SmmuExtVmm *vmm = vmm_new("tegra241", "tegra241");

        g_assert_true(smmu_ext_vmm_attach(vmm, 1, false, 0, NULL));
        smmu_ext_vmm_set_trace(vmm, true);
        smmu_ext_vmm_write(vmm, 0x1000, 0x1, 4, NULL);
        smmu_ext_vmm_read(vmm, 0x4, 4, NULL);
        smmu_ext_vmm_free(vmm);
        return;
    }
    g_test_summary("Trace mode prints every access with its path");
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout("*w32 0x1000 = 0x1 trap*r32 0x4 = 0x*");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sim/vmm/new/bad-profile", test_bad_profile);
    g_test_add_func("/sim/vmm/device/attach-detach", test_attach_detach);
    g_test_add_func("/sim/vmm/ram/access", test_ram);
    g_test_add_func("/sim/vmm/tegra241/linux-bringup", test_linux_bringup);
    g_test_add_func("/sim/vmm/smmuv3/guest-events", test_guest_events);
    g_test_add_func("/sim/vmm/trace/prints-accesses", test_trace);
    return g_test_run();
}
