/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The scenarios: a Linux guest's life with a Tegra241 CMDQV (bring-up of
 * both queues, commands, an illegal command and the recovery, reset and
 * bring-up again), a plain SMMUv3 with its event queue, a vSID change,
 * and the hot-plug of a second device.
 */
#include <string.h>
#include "scenario.h"

#define N_DEVS 2
#define GERROR_CMDQ_INIT_ERR (1u << 2)

#define OP_TLBI_NH_VA 0x12
#define OP_CMD_SYNC   0x46
#define OP_ILLEGAL    0xf5

/* --- recording ------------------------------------------------------------ */

static void
scn_result(ScnRun *r, const char *what, gboolean ok, GError *err)
{
    g_string_append_printf(r->seen, "%s=%d ", what, ok);
    if (err) {
        g_ptr_array_add(r->errors, err);
    }
}

static uint64_t
scn_read(ScnRun *r, uint64_t off, unsigned size)
{
    uint64_t v = smmu_ext_vmm_read(r->vmm, off, size, NULL);

    g_string_append_printf(r->seen, "r%x=%" G_GINT64_MODIFIER "x ",
                           (unsigned)off, v);
    return v;
}

static void
scn_write(ScnRun *r, uint64_t off, uint64_t v, unsigned size)
{
    smmu_ext_vmm_write(r->vmm, off, v, size, NULL);
}

/* --- host side ------------------------------------------------------------ */

static void
scn_attach(ScnRun *r, uint32_t devid, uint64_t vsid)
{
    GError *err = NULL;
    gboolean ok = smmu_ext_vmm_attach(r->vmm, devid, true, vsid, &err);

    scn_result(r, "attach", ok, err);
}

static void
scn_detach(ScnRun *r, uint32_t devid)
{
    GError *err = NULL;
    gboolean ok = smmu_ext_vmm_detach(r->vmm, devid, &err);

    scn_result(r, "detach", ok, err);
}

/* The instance knows a device by its iommufd dev_id, which the VMM does
 * not expose; the device that created the vIOMMU is the one with an
 * unplug blocker. */
static uint32_t
scn_creator_dev_id(ScnRun *r)
{
    SmmuExtInstance *inst = smmu_ext_vmm_instance(r->vmm);

    for (uint32_t id = 1; inst && id < 256; id++) {
        if (smmu_ext_instance_unplug_blocker(inst, id)) {
            return id;
        }
    }
    return 0;
}

static void
scn_set_vsid(ScnRun *r, uint64_t vsid)
{
    uint32_t dev_id = scn_creator_dev_id(r);
    GError *err = NULL;
    gboolean ok = FALSE;

    if (dev_id) {
        ok = smmu_ext_instance_set_vsid(smmu_ext_vmm_instance(r->vmm), dev_id,
                                        vsid, &err);
    }
    scn_result(r, "set_vsid", ok, err);
}

static void
scn_set_eventq(ScnRun *r, bool on)
{
    GError *err = NULL;
    gboolean ok = smmu_ext_vmm_set_guest_eventq(r->vmm, on, 8, &err);

    scn_result(r, "set_eventq", ok, err);
}

/* --- guest side: what Linux's tegra241-cmdqv driver does ------------------ */

static void
guest_put_cmd(ScnRun *r, unsigned q, unsigned slot, uint8_t op)
{
    uint64_t cmd[2] = { GUINT64_TO_LE(op), 0 };

    smmu_ext_vmm_mem_write(r->vmm, SCN_RAM_GPA + q * 0x1000 + slot * 16, cmd,
                           sizeof(cmd));
}

/* CMDQ_INIT_ERR must look the same through the global page0 and the
 * VINTF0 logical page0 (trapped or direct). */
static void
guest_check_init_err(ScnRun *r)
{
    bool any = false;

    for (unsigned q = 0; q < 2; q++) {
        uint32_t g = scn_read(r, 0x10010 + 0x80 * q, 4) ^
                     scn_read(r, 0x10014 + 0x80 * q, 4);
        uint32_t v = scn_read(r, 0x30010 + 0x80 * q, 4) ^
                     scn_read(r, 0x30014 + 0x80 * q, 4);

        if ((g ^ v) & GERROR_CMDQ_INIT_ERR) {
            r->aperture_mismatch++;
        }
        any |= (g & v & GERROR_CMDQ_INIT_ERR) != 0;
    }
    r->init_err += any;
}

static void
guest_bring_up(ScnRun *r)
{
    scn_write(r, 0x0000, 0x1, 4);                 /* CMDQV_EN */
    scn_read(r, 0x0008, 4);
    scn_read(r, 0x0004, 4);
    scn_write(r, 0x1000, 0x1, 4);                 /* VINTF0 EN */
    scn_read(r, 0x1004, 4);
    for (unsigned q = 0; q < 2; q++) {
        scn_write(r, 0x0200 + 4 * q, 0x1 | q << 1, 4);  /* ALLOC to VINTF0 */
        scn_write(r, 0x40000 + 0x80 * q,
                  (SCN_RAM_GPA + q * 0x1000) | 8, 8);    /* BASE, 256 */
        scn_write(r, 0x30000 + 0x80 * q, 0, 4);
        scn_write(r, 0x30004 + 0x80 * q, 0, 4);
        scn_write(r, 0x30008 + 0x80 * q, 1, 4);         /* CONFIG.EN */
    }
    smmu_ext_vmm_step(r->vmm, 1);
    for (unsigned q = 0; q < 2; q++) {
        scn_read(r, 0x3000c + 0x80 * q, 4);
    }
    guest_check_init_err(r);
}

static void
guest_commands(ScnRun *r, unsigned q)
{
    uint32_t prod = scn_read(r, 0x30004 + 0x80 * q, 4) & 0xff;

    guest_put_cmd(r, q, prod, OP_TLBI_NH_VA);
    guest_put_cmd(r, q, prod + 1, OP_CMD_SYNC);
    scn_write(r, 0x30004 + 0x80 * q, prod + 2, 4);
    smmu_ext_vmm_step(r->vmm, 2);
    smmu_ext_vmm_main_loop_once(r->vmm);
    scn_read(r, 0x30000 + 0x80 * q, 4);
}

/* An illegal opcode: CONS error, ERR_MAP, GERROR; the guest acks it. */
static void
guest_illegal_and_recover(ScnRun *r)
{
    uint32_t prod = scn_read(r, 0x30004, 4) & 0xff;
    uint32_t gerror;

    guest_put_cmd(r, 0, prod, OP_ILLEGAL);
    scn_write(r, 0x30004, prod + 1, 4);
    smmu_ext_vmm_step(r->vmm, 2);
    smmu_ext_vmm_main_loop_once(r->vmm);
    scn_read(r, 0x10c0, 8);
    scn_read(r, 0x30000, 4);
    gerror = scn_read(r, 0x30010, 4);
    /* Skip the bad command, then acknowledge. */
    scn_write(r, 0x30000, prod + 1, 4);
    scn_write(r, 0x30014, gerror, 4);
    smmu_ext_vmm_step(r->vmm, 1);
    smmu_ext_vmm_main_loop_once(r->vmm);
    scn_read(r, 0x10c0, 8);
    g_string_append_printf(r->seen, "irq=%u ",
                           smmu_ext_vmm_irq_count(r->vmm, 0));
}

/* --- the scenarios -------------------------------------------------------- */

static void
scn_tegra241_lifecycle(ScnRun *r)
{
    scn_attach(r, 1, 0x10);
    guest_bring_up(r);
    guest_commands(r, 0);
    guest_commands(r, 1);
    guest_illegal_and_recover(r);
    guest_commands(r, 0);
    smmu_ext_vmm_reset(r->vmm);
    guest_bring_up(r);
    guest_commands(r, 0);
    scn_detach(r, 1);
}

static void
scn_smmuv3_eventq(ScnRun *r)
{
    SmmuExtSim *sim = smmu_ext_vmm_sim(r->vmm);
    uint64_t evt[4] = { 0x10, 0, 0, 0 };
    unsigned posted = 0;

    scn_attach(r, 1, 0x10);
    scn_set_eventq(r, true);
    /* Whichever dev_id the device got takes the event. */
    for (uint32_t id = 1; id < 64 && !posted; id++) {
        posted = smmu_ext_sim_post_event(sim, id, evt);
    }
    smmu_ext_vmm_main_loop_once(r->vmm);
    g_string_append_printf(r->seen, "events=%u ",
                           smmu_ext_vmm_guest_events(r->vmm));
    scn_set_eventq(r, false);
    scn_set_eventq(r, true);
    scn_detach(r, 1);
}

static void
scn_vsid_change(ScnRun *r)
{
    scn_attach(r, 1, 0x10);
    guest_bring_up(r);
    guest_commands(r, 0);
    scn_set_vsid(r, 0x20);
    guest_commands(r, 0);
    scn_set_vsid(r, 0x10);
    scn_detach(r, 1);
}

static void
scn_hotplug(ScnRun *r)
{
    scn_attach(r, 1, 0x10);
    guest_bring_up(r);
    guest_commands(r, 0);
    scn_attach(r, 2, 0x20);
    guest_commands(r, 1);
    scn_detach(r, 2);
    guest_commands(r, 0);
    scn_detach(r, 1);
}

const Scenario scenarios[] = {
    { "tegra241-lifecycle", "tegra241", scn_tegra241_lifecycle },
    { "smmuv3-eventq", "smmuv3", scn_smmuv3_eventq },
    { "vsid-change", "tegra241", scn_vsid_change },
    { "hotplug", "tegra241", scn_hotplug },
};
const unsigned n_scenarios = G_N_ELEMENTS(scenarios);

void
scn_run_init(ScnRun *r, const Scenario *s, SmmuExtRegistry *reg)
{
    g_autoptr(GError) err = NULL;

    memset(r, 0, sizeof(*r));
    r->vmm = smmu_ext_vmm_new(s->profile, reg, &err);
    g_assert_no_error(err);
    smmu_ext_vmm_add_ram(r->vmm, SCN_RAM_GPA, SCN_RAM_SIZE, 4096, &err);
    g_assert_no_error(err);
    r->seen = g_string_new(NULL);
    r->errors = g_ptr_array_new_with_free_func((GDestroyNotify)g_error_free);
}

void
scn_detach_all(ScnRun *r)
{
    for (uint32_t devid = 1; devid <= N_DEVS; devid++) {
        smmu_ext_vmm_detach(r->vmm, devid, NULL);
    }
}

void
scn_run_clear(ScnRun *r)
{
    smmu_ext_vmm_free(r->vmm);
    g_string_free(r->seen, TRUE);
    g_ptr_array_unref(r->errors);
    memset(r, 0, sizeof(*r));
}
