/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Tegra241 CMDQV module on the simulated Tegra241 host (accelerated):
 * probe decisions, the Linux guest's sequences, HW queue allocation in any
 * order, both page0 apertures, error injection and recovery, allocation
 * failure, reset and the queue-size cap.
 */
#include <errno.h>
#include <gmodule.h>
#include "fixture.h"
#include "../../../plugins/smmu-ext/uapi/iommufd.h"

static const SmmuExtOps *
load_ops(GModule **out)
{
    const char *dirs = g_getenv("SMMU_EXT_MODULE_DIR");
    g_auto(GStrv) parts = g_strsplit(dirs ? dirs : "", ":", -1);
    const SmmuExtModuleDesc *desc = NULL;

    for (unsigned i = 0; parts[i]; i++) {
        g_autofree char *path = g_build_filename(parts[i],
                                                 "smmu-ext-tegra241.so",
                                                 NULL);
        GModule *mod;

        if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
            continue;
        }
        mod = g_module_open(path, G_MODULE_BIND_LOCAL);
        g_assert_nonnull(mod);
        g_assert_true(g_module_symbol(mod, SMMU_EXT_MODULE_SYMBOL,
                                      (gpointer *)&desc));
        *out = mod;
        return desc->ops;
    }
    g_assert_not_reached();
    return NULL;
}

typedef struct ProbeCase {
    const char *name;
    uint32_t type;
    struct se_iommu_hw_info_tegra241_cmdqv info;
    size_t len;
    const char *fact;          /* the message must name this */
} ProbeCase;

static void
test_probe_declines(void)
{
    static const ProbeCase cases[] = {
        { "type", 2, { 0, 1, 1, 4, 0 }, 8, "type 2" },
        { "short", 3, { 0, 1, 1, 4, 0 }, 4, "4 bytes" },
        { "version", 3, { 0, 2, 1, 4, 0 }, 8, "version 2" },
        { "vcmdqs", 3, { 0, 1, 0, 4, 0 }, 8, "vCMDQs" },
        { "vsids", 3, { 0, 1, 1, 3, 0 }, 8, "SIDs" },
    };
    GModule *mod = NULL;
    const SmmuExtOps *ops = load_ops(&mod);

    g_test_summary("probe declines each unusable host with the check that "
                   "failed and the values it saw");
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        const ProbeCase *c = &cases[i];
        SmmuExtProbeInput in = {
            .size = sizeof(in), .type = c->type, .data = &c->info,
            .len = c->len,
        };
        SmmuExtGeometry geo;
        g_autoptr(GError) err = NULL;

        g_test_message("case %s", c->name);
        g_assert_false(ops->probe(&in, &geo, &err));
        g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DECLINED);
        g_assert_nonnull(strstr(err->message, c->fact));
    }
    g_module_close(mod);
}

static void
test_probe_geometry(void)
{
    struct se_iommu_hw_info_tegra241_cmdqv info = { 0, 1, 3, 6, 0 };
    uint32_t idr[6] = { 0, 12u << 21, 0, 0, 0, 0 };
    SmmuExtProbeInput in = {
        .size = sizeof(in), .type = 3, .data = &info, .len = sizeof(info),
        .smmu_idr = idr,
    };
    GModule *mod = NULL;
    const SmmuExtOps *ops = load_ops(&mod);
    g_autoptr(GError) err = NULL;
    SmmuExtGeometry geo;

    g_test_summary("probe takes queues from log2vcmdqs, caps vSIDs at the "
                   "16 register slots and the queue size at IDR1.CMDQS; "
                   "emulated mode gets QEMU's defaults");
    g_assert_true(ops->probe(&in, &geo, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(geo.version, ==, 1);
    g_assert_cmpuint(geo.n_interfaces, ==, 1);
    g_assert_cmpuint(geo.n_queues, ==, 8);
    g_assert_cmpuint(geo.n_vsids, ==, 16);
    g_assert_cmpuint(geo.queue_log2_cap, ==, 12);

    g_assert_true(ops->probe(NULL, &geo, &err));
    g_assert_cmpuint(geo.n_queues, ==, 2);
    g_assert_cmpuint(geo.n_vsids, ==, 16);
    g_assert_cmpuint(geo.queue_log2_cap, ==, 19);
    g_assert_cmpuint(ops->flags & SMMU_EXT_OPS_EMULATION, !=, 0);
    g_module_close(mod);
}

static void
test_linux_bringup(Fx *f, gconstpointer data)
{
    T241Guest *g = &f->g;
    uint64_t cmds[3][2], gpa, len;
    uint64_t syncs = smmu_ext_sim_cmd_count(f->sim, G_CMD_SYNC);
    SmmuExtGeometry geo = { .size = sizeof(geo) };
    bool direct = false;

    g_test_summary("a Linux guest probes, resets and enables every VCMDQ, "
                   "runs commands through the direct page and tears down");
    t241g_probe(g);
    g_assert_true(smmu_ext_instance_geometry(smmu_ext_vmm_instance(f->vmm),
                                             &geo));
    g_assert_cmpuint(g->nq, ==, geo.n_queues);
    t241g_hw_reset(g);

    for (unsigned q = 0; q < g->nq; q++) {
        g_assert_true(smmu_ext_sim_hw_queue(f->sim, q, &gpa, &len));
        g_assert_cmphex(gpa, ==, g->ring[q]);
        g_assert_cmpuint(len, ==, 16u << g->log2size);
    }
    smmu_ext_vmm_read(f->vmm, G_VINTF_P0(0) + G_QSTATUS, 4, &direct);
    g_assert_true(direct);

    t241g_make_cmd(cmds[0], G_CMD_TLBI_NH_ASID);
    t241g_make_cmd(cmds[1], G_CMD_ATC_INV);
    t241g_make_cmd(cmds[2], G_CMD_SYNC);
    t241g_submit(g, 0, cmds, 3);
    g_assert_cmphex(t241g_poll(g, G_VINTF_P0(0) + G_CONS, ~0u, 3), ==, 3);
    /* the global aperture is a view of the same queue */
    g_assert_cmphex(t241g_r32(g, G_GLOBAL_P0(0) + G_CONS), ==, 3);
    g_assert_cmphex(t241g_r32(g, G_GLOBAL_P0(0) + G_PROD), ==, 3);
    g_assert_cmpuint(smmu_ext_sim_cmd_count(f->sim, G_CMD_SYNC), ==,
                     syncs + 1);

    t241g_disable(g);
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_HW_QUEUE), ==,
                     0);
    smmu_ext_vmm_read(f->vmm, G_VINTF_P0(0) + G_QSTATUS, 4, &direct);
    g_assert_false(direct);
}

/* The four conditions of a HW queue, as guest writes to queue 0. */
static void
precondition(Fx *f, unsigned which)
{
    T241Guest *g = &f->g;

    switch (which) {
    case 0:
        t241g_w64(g, G_GLOBAL_P1(0) + G_BASE, g->ring[0] | g->log2size);
        break;
    case 1:
        t241g_w32(g, G_CMDQ_ALLOC(0), 1);
        break;
    case 2:
        t241g_w32(g, G_CONFIG, t241g_r32(g, G_CONFIG) | 1);
        break;
    case 3:
        t241g_w32(g, G_VINTF_CONFIG, 1);
        break;
    }
}

static void
test_alloc_any_order(Fx *f, gconstpointer data)
{
    unsigned n = 0;

    g_test_summary("BASE, CMDQ_ALLOC, CMDQV_EN and VINTF EN allocate the "
                   "HW queue in any of the 24 orders, only once all hold");
    for (unsigned a = 0; a < 4; a++) {
        for (unsigned b = 0; b < 4; b++) {
            for (unsigned c = 0; c < 4; c++) {
                unsigned order[4] = { a, b, c, 6 - a - b - c };

                if (a == b || a == c || b == c) {
                    continue;
                }
                smmu_ext_vmm_reset(f->vmm);
                g_assert_false(smmu_ext_sim_hw_queue(f->sim, 0, NULL, NULL));
                /* CMDQV_EN resets to 1: make it a real step */
                t241g_w32(&f->g, G_CONFIG, t241g_r32(&f->g, G_CONFIG) & ~1u);
                for (unsigned i = 0; i < 4; i++) {
                    g_assert_false(smmu_ext_sim_hw_queue(f->sim, 0, NULL,
                                                         NULL));
                    precondition(f, order[i]);
                }
                g_assert_true(smmu_ext_sim_hw_queue(f->sim, 0, NULL, NULL));
                n++;
            }
        }
    }
    g_assert_cmpuint(n, ==, 24);
}

static void
test_apertures_coherent(Fx *f, gconstpointer data)
{
    T241Guest *g = &f->g;
    bool direct;

    g_test_summary("the global and VINTF page0 show one queue before and "
                   "after its HW queue exists; unallocated logical slots "
                   "drop accesses");
    t241g_w32(g, G_VINTF_CONFIG, 1);
    t241g_w32(g, G_GLOBAL_P0(0) + G_PROD, 5);
    g_assert_cmphex(t241g_r32(g, G_GLOBAL_P0(0) + G_PROD), ==, 5);
    g_assert_cmphex(t241g_r32(g, G_VINTF_P0(0) + G_PROD), ==, 0);
    t241g_w32(g, G_VINTF_P0(0) + G_PROD, 7);
    g_assert_cmphex(t241g_r32(g, G_GLOBAL_P0(0) + G_PROD), ==, 5);

    t241g_w32(g, G_CMDQ_ALLOC(0), 1);
    g_assert_cmphex(t241g_r32(g, G_VINTF_P0(0) + G_PROD), ==, 5);
    t241g_w32(g, G_VINTF_P0(0) + G_PROD, 6);
    t241g_w32(g, G_GLOBAL_P0(0) + G_CONS, 6);
    g_assert_cmphex(t241g_r32(g, G_GLOBAL_P0(0) + G_PROD), ==, 6);
    g_assert_cmphex(t241g_r32(g, G_VINTF_P0(0) + G_CONS), ==, 6);

    /* now the HW queue comes: the cached indices move into hardware */
    t241g_w64(g, G_VINTF_P1(0) + G_BASE, g->ring[0] | g->log2size);
    g_assert_true(smmu_ext_sim_hw_queue(f->sim, 0, NULL, NULL));
    g_assert_cmphex(smmu_ext_vmm_read(f->vmm, G_VINTF_P0(0) + G_PROD, 4,
                                      &direct), ==, 6);
    g_assert_true(direct);
    g_assert_cmphex(smmu_ext_vmm_read(f->vmm, G_GLOBAL_P0(0) + G_CONS, 4,
                                      &direct), ==, 6);
    g_assert_false(direct);

    t241g_w32(g, G_VINTF_P0(0) + G_QCONFIG, 1);
    smmu_ext_vmm_step(f->vmm, 1);
    g_assert_cmphex(t241g_r32(g, G_GLOBAL_P0(0) + G_QSTATUS), ==, 1);
    g_assert_cmphex(t241g_r32(g, G_VINTF_P0(0) + G_QSTATUS), ==, 1);
    t241g_w32(g, G_GLOBAL_P0(0) + G_QCONFIG, 0);
    smmu_ext_vmm_step(f->vmm, 1);
    g_assert_cmphex(t241g_r32(g, G_VINTF_P0(0) + G_QSTATUS), ==, 0);
}

static uint32_t
err_maps_or(T241Guest *g)
{
    uint32_t v = t241g_r32(g, G_VI_ERR_MAP_0) | t241g_r32(g, G_VI_ERR_MAP_1);

    for (unsigned m = 0; m < 4; m++) {
        v |= t241g_r32(g, G_CMDQ_ERR_MAP(m));
        v |= t241g_r32(g, G_LVCMDQ_ERR_MAP(m));
    }
    return v;
}

static void
test_error_recovers(Fx *f, gconstpointer data)
{
    T241Guest *g = &f->g;
    uint64_t cmds[2][2], fix[2];
    unsigned irqs, q = 1;
    uint32_t cons, gerror;

    g_test_summary("an illegal command reaches the guest as error maps and "
                   "one interrupt; GERRORN = GERROR resumes the queue and "
                   "the maps clear");
    t241g_probe(g);
    t241g_hw_reset(g);
    irqs = smmu_ext_vmm_irq_count(f->vmm, 0);
    t241g_make_cmd(cmds[0], G_CMD_CFGI_STE);
    t241g_make_cmd(cmds[1], G_CMD_SYNC);
    t241g_submit(g, q, cmds, 2);
    smmu_ext_vmm_step(f->vmm, 1);
    smmu_ext_vmm_main_loop_once(f->vmm);

    g_assert_cmpuint(smmu_ext_vmm_irq_count(f->vmm, 0), ==, irqs + 1);
    g_assert_cmphex(t241g_r32(g, G_VI_ERR_MAP_0), ==, 1);
    g_assert_cmphex(t241g_r32(g, G_CMDQ_ERR_MAP(0)), ==, 1u << q);
    g_assert_cmphex(t241g_r64(g, G_LVCMDQ_ERR_MAP(0)), ==, 1u << q);
    g_assert_cmphex(t241g_r64(g, G_LVCMDQ_ERR_MAP(2)), ==, 0);
    cons = t241g_r32(g, G_VINTF_P0(q) + G_CONS);
    g_assert_cmphex((cons >> 24) & 0x7f, ==, 1);
    g_assert_cmphex(cons & 0xfffff, ==, 0);
    gerror = t241g_r32(g, G_VINTF_P0(q) + G_GERROR);
    g_assert_cmphex(gerror, !=, t241g_r32(g, G_VINTF_P0(q) + G_GERRORN));
    g_assert_cmphex(t241g_r32(g, G_GLOBAL_P0(q) + G_GERROR), ==, gerror);

    /* the guest's handler: replace the bad entry by a CMD_SYNC, ack */
    t241g_make_cmd(fix, G_CMD_SYNC);
    fix[0] = GUINT64_TO_LE(fix[0]);
    g_assert_true(smmu_ext_vmm_mem_write(f->vmm, g->ring[q], fix, 16));
    t241g_w32(g, G_VINTF_P0(q) + G_GERRORN, gerror);
    g_assert_cmphex(t241g_poll(g, G_VINTF_P0(q) + G_CONS, ~0u, 2), ==, 2);
    g_assert_cmphex(err_maps_or(g), ==, 0);

    /* masked: the maps still say it, the line stays quiet */
    t241g_w32(g, G_VI_INT_MASK_0, 1);
    t241g_submit(g, q, cmds, 1);
    smmu_ext_vmm_step(f->vmm, 1);
    smmu_ext_vmm_main_loop_once(f->vmm);
    g_assert_cmpuint(smmu_ext_vmm_irq_count(f->vmm, 0), ==, irqs + 1);
    g_assert_cmphex(t241g_r32(g, G_VI_ERR_MAP_0), ==, 1);
}

typedef struct Smmu {
    unsigned n;
    uint64_t atc_sid;
    SmmuExtSimCmdErr answer;
} Smmu;

/* The host SMMU the simulated CMDQV hands commands to. */
static SmmuExtSimCmdErr
smmu_exec(void *opaque, unsigned queue, const uint64_t cmd[2])
{
    Smmu *s = opaque;

    s->n++;
    if ((cmd[0] & 0xff) == G_CMD_ATC_INV) {
        s->atc_sid = cmd[0] >> 32;
    }
    return s->answer;
}

static void
test_handler_psid(Fx *f, gconstpointer data)
{
    T241Guest *g = &f->g;
    Smmu smmu = { 0 };
    uint64_t cmds[2][2];

    g_test_summary("commands a guest VCMDQ carries reach the host's SMMU "
                   "with the ATC_INV StreamID translated from the vSID the "
                   "guest sees to the device's physical SID");
    t241g_probe(g);
    t241g_hw_reset(g);
    smmu_ext_sim_set_cmd_handler(f->sim, smmu_exec, &smmu);
    t241g_make_cmd(cmds[0], G_CMD_ATC_INV);
    cmds[0][0] |= (uint64_t)FX_VSID << 32;
    t241g_make_cmd(cmds[1], G_CMD_SYNC);
    t241g_submit(g, 0, cmds, 2);
    smmu_ext_vmm_step(f->vmm, 1);
    g_assert_cmphex(t241g_r32(g, G_VINTF_P0(0) + G_CONS), ==, 2);
    g_assert_cmpuint(smmu.n, ==, 2);
    /* the VMM binds device FX_DEV with physical SID FX_DEV */
    g_assert_cmphex(smmu.atc_sid, ==, FX_DEV);
    smmu_ext_sim_set_cmd_handler(f->sim, NULL, NULL);
}

static void
test_error_handler_and_fault(Fx *f, gconstpointer data)
{
    T241Guest *g = &f->g;
    Smmu smmu = { .answer = SMMU_EXT_SIM_CMD_ERR_ATC_INV_SYNC };
    uint64_t cmds[3][2], fix[2];
    unsigned irqs, q = 1;
    uint32_t cons, gerror;

    g_test_summary("an error of the host's SMMU and a fault injected on "
                   "the 2nd command of a queue both reach the guest through "
                   "the vEVENTQ, the pump and the module as error maps and "
                   "an interrupt; the guest's recovery resumes the queue");
    t241g_probe(g);
    t241g_hw_reset(g);
    irqs = smmu_ext_vmm_irq_count(f->vmm, 0);
    smmu_ext_sim_set_cmd_handler(f->sim, smmu_exec, &smmu);
    t241g_make_cmd(cmds[0], G_CMD_SYNC);
    t241g_submit(g, q, cmds, 1);
    smmu_ext_vmm_step(f->vmm, 1);
    smmu_ext_vmm_main_loop_once(f->vmm);
    g_assert_cmpuint(smmu_ext_vmm_irq_count(f->vmm, 0), ==, irqs + 1);
    g_assert_cmphex(t241g_r64(g, G_LVCMDQ_ERR_MAP(0)), ==, 1u << q);
    cons = t241g_r32(g, G_VINTF_P0(q) + G_CONS);
    g_assert_cmphex(cons, ==, (3u << 24) | 0);
    /* ATC_INV_SYNC: Linux leaves the entry, acks; the hardware retries */
    smmu.answer = SMMU_EXT_SIM_CMD_OK;
    gerror = t241g_r32(g, G_VINTF_P0(q) + G_GERROR);
    t241g_w32(g, G_VINTF_P0(q) + G_GERRORN, gerror);
    g_assert_cmphex(t241g_poll(g, G_VINTF_P0(q) + G_CONS, ~0u, 1), ==, 1);
    g_assert_cmpuint(smmu.n, ==, 2);
    g_assert_cmphex(err_maps_or(g), ==, 0);

    /* the 2nd next command of queue 1 faults as an illegal command */
    smmu_ext_sim_fail_cmd(f->sim, q, 2, SMMU_EXT_SIM_CMD_ERR_ILL);
    t241g_make_cmd(cmds[0], G_CMD_TLBI_NH_ASID);
    t241g_make_cmd(cmds[1], G_CMD_TLBI_NH_VA);
    t241g_make_cmd(cmds[2], G_CMD_SYNC);
    t241g_submit(g, q, cmds, 3);
    smmu_ext_vmm_step(f->vmm, 1);
    smmu_ext_vmm_main_loop_once(f->vmm);
    g_assert_cmpuint(smmu_ext_vmm_irq_count(f->vmm, 0), ==, irqs + 2);
    g_assert_cmphex(t241g_r32(g, G_CMDQ_ERR_MAP(0)), ==, 1u << q);
    cons = t241g_r32(g, G_VINTF_P0(q) + G_CONS);
    g_assert_cmphex(cons, ==, (1u << 24) | 2);
    g_assert_cmpuint(smmu.n, ==, 3);            /* it never ran */
    /* ILL: Linux overwrites the entry with a CMD_SYNC and acks */
    t241g_make_cmd(fix, G_CMD_SYNC);
    fix[0] = GUINT64_TO_LE(fix[0]);
    g_assert_true(smmu_ext_vmm_mem_write(f->vmm, g->ring[q] + 2 * 16, fix,
                                         16));
    gerror = t241g_r32(g, G_VINTF_P0(q) + G_GERROR);
    t241g_w32(g, G_VINTF_P0(q) + G_GERRORN, gerror);
    g_assert_cmphex(t241g_poll(g, G_VINTF_P0(q) + G_CONS, ~0u, 4), ==, 4);
    g_assert_cmpuint(smmu.n, ==, 5);
    g_assert_cmphex(err_maps_or(g), ==, 0);
    smmu_ext_sim_set_cmd_handler(f->sim, NULL, NULL);
}

static void
test_error_stale_event(Fx *f, gconstpointer data)
{
    T241Guest *g = &f->g;
    unsigned irqs;

    g_test_summary("a vEVENT naming a queue without an active error, or a "
                   "queue beyond the geometry, leaves no sticky map bit");
    t241g_probe(g);
    t241g_hw_reset(g);
    irqs = smmu_ext_vmm_irq_count(f->vmm, 0);
    g_assert_true(smmu_ext_sim_post_tegra_error(f->sim, 1, 0));
    smmu_ext_vmm_main_loop_once(f->vmm);
    g_assert_cmpuint(smmu_ext_vmm_irq_count(f->vmm, 0), ==, irqs + 1);
    g_assert_cmphex(err_maps_or(g), ==, 0);

    g_assert_true(smmu_ext_sim_post_tegra_error(f->sim, 0, 1ull << 63));
    smmu_ext_vmm_main_loop_once(f->vmm);
    g_assert_cmpuint(smmu_ext_vmm_irq_count(f->vmm, 0), ==, irqs + 1);
    g_assert_cmphex(err_maps_or(g), ==, 0);
}

static void
test_alloc_failure(Fx *f, gconstpointer data)
{
    T241Guest *g = &f->g;
    unsigned errors = smmu_ext_vmm_reported_errors(f->vmm);
    bool direct = true;

    g_test_summary("a failed HW_QUEUE_ALLOC shows CMDQ_INIT_ERR through "
                   "both apertures, is reported once, and a retry clears it");
    t241g_w32(g, G_VINTF_CONFIG, 1);
    t241g_w32(g, G_CMDQ_ALLOC(0), 1);
    smmu_ext_sim_fail(f->sim, SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC, ENOMEM, 1);
    t241g_w64(g, G_VINTF_P1(0) + G_BASE, g->ring[0] | g->log2size);
    t241g_w32(g, G_VINTF_P0(0) + G_QCONFIG, 1);
    smmu_ext_vmm_step(f->vmm, 1);

    g_assert_false(smmu_ext_sim_hw_queue(f->sim, 0, NULL, NULL));
    g_assert_cmphex(t241g_r32(g, G_GLOBAL_P0(0) + G_GERROR) & 4, ==, 4);
    g_assert_cmphex(smmu_ext_vmm_read(f->vmm, G_VINTF_P0(0) + G_GERROR, 4,
                                      &direct) & 4, ==, 4);
    g_assert_false(direct);
    g_assert_cmphex(t241g_r32(g, G_VINTF_P0(0) + G_GERRORN), ==, 0);
    g_assert_cmphex(t241g_r32(g, G_VINTF_P0(0) + G_QSTATUS), ==, 0);
    g_assert_cmpuint(smmu_ext_vmm_reported_errors(f->vmm), ==, errors + 1);
    g_assert_nonnull(strstr(smmu_ext_vmm_last_error(f->vmm), "VCMDQ0"));

    /* the guest tries again: the queue comes up clean */
    t241g_w64(g, G_VINTF_P1(0) + G_BASE, g->ring[0] | g->log2size);
    g_assert_true(smmu_ext_sim_hw_queue(f->sim, 0, NULL, NULL));
    g_assert_cmphex(t241g_poll(g, G_VINTF_P0(0) + G_QSTATUS, 1, 1), ==, 1);
    g_assert_cmphex(smmu_ext_vmm_read(f->vmm, G_VINTF_P0(0) + G_GERROR, 4,
                                      &direct),
                    ==, t241g_r32(g, G_VINTF_P0(0) + G_GERRORN));
    g_assert_true(direct);
}

/* Both queues ready but CMDQV_EN = 0: the next CONFIG write brings them. */
static void
both_ready_cmdqv_off(Fx *f)
{
    T241Guest *g = &f->g;

    t241g_w32(g, G_CONFIG, t241g_r32(g, G_CONFIG) & ~1u);
    t241g_w32(g, G_VINTF_CONFIG, 1);
    for (unsigned q = 0; q < 2; q++) {
        t241g_w32(g, G_CMDQ_ALLOC(q), (q << 1) | 1);
        t241g_w64(g, G_VINTF_P1(q) + G_BASE, g->ring[q] | g->log2size);
        t241g_w32(g, G_VINTF_P0(q) + G_QCONFIG, 1);
    }
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_HW_QUEUE), ==,
                     0);
}

/* The INIT_ERR bit of @q's GERROR through both apertures (they agree). */
static uint32_t
init_err(Fx *f, unsigned q)
{
    T241Guest *g = &f->g;
    uint32_t gl = t241g_r32(g, G_GLOBAL_P0(q) + G_GERROR) ^
                  t241g_r32(g, G_GLOBAL_P0(q) + G_GERRORN);
    uint32_t vi = t241g_r32(g, G_VINTF_P0(q) + G_GERROR) ^
                  t241g_r32(g, G_VINTF_P0(q) + G_GERRORN);

    g_assert_cmphex(gl, ==, vi);
    return gl & 4;
}

static void
test_one_attempt_per_write(Fx *f, gconstpointer data)
{
    T241Guest *g = &f->g;
    unsigned errors, allocs;

    g_test_summary("a CONFIG write that fails VCMDQ0's allocation tries it "
                   "once: VCMDQ0 keeps CMDQ_INIT_ERR, one report says so "
                   "(VCMDQ1, idle, only waits for it), and the guest's "
                   "acknowledgement retries");
    both_ready_cmdqv_off(f);
    errors = smmu_ext_vmm_reported_errors(f->vmm);
    allocs = smmu_ext_sim_calls(f->sim, SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC);
    smmu_ext_sim_fail(f->sim, SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC, ENOMEM, 1);
    t241g_w32(g, G_CONFIG, t241g_r32(g, G_CONFIG) | 1u);

    /* what the report says is still true once the write is done */
    g_assert_cmpuint(smmu_ext_sim_calls(f->sim,
                                        SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC), ==,
                     allocs + 1);
    g_assert_false(smmu_ext_sim_hw_queue(f->sim, 0, NULL, NULL));
    g_assert_false(smmu_ext_sim_hw_queue(f->sim, 1, NULL, NULL));
    g_assert_cmphex(init_err(f, 0), ==, 4);
    g_assert_cmphex(init_err(f, 1), ==, 0);
    g_assert_cmphex(t241g_r32(g, G_VINTF_P0(0) + G_QSTATUS), ==, 0);
    g_assert_cmpuint(smmu_ext_vmm_reported_errors(f->vmm), ==, errors + 1);
    g_assert_nonnull(strstr(smmu_ext_vmm_last_error(f->vmm),
                            "CMDQ_INIT_ERR"));
    g_assert_nonnull(strstr(smmu_ext_vmm_last_error(f->vmm), "VCMDQ0"));

    /* a persistent failure: still one ioctl and one report per write */
    for (unsigned i = 1; i <= 4; i++) {
        smmu_ext_sim_fail(f->sim, SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC, ENOMEM, i);
    }
    allocs = smmu_ext_sim_calls(f->sim, SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC);
    t241g_w32(g, G_CONFIG, t241g_r32(g, G_CONFIG));
    g_assert_cmpuint(smmu_ext_sim_calls(f->sim,
                                        SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC), ==,
                     allocs + 1);
    g_assert_cmpuint(smmu_ext_vmm_reported_errors(f->vmm), ==, errors + 2);
    g_assert_cmphex(init_err(f, 0), ==, 4);
    smmu_ext_sim_fail_clear(f->sim);

    /* the guest acknowledges VCMDQ0's error: that is its retry */
    t241g_w32(g, G_VINTF_P0(0) + G_GERRORN,
              t241g_r32(g, G_VINTF_P0(0) + G_GERROR));
    g_assert_true(smmu_ext_sim_hw_queue(f->sim, 0, NULL, NULL));
    g_assert_true(smmu_ext_sim_hw_queue(f->sim, 1, NULL, NULL));
    g_assert_cmphex(init_err(f, 0), ==, 0);
    g_assert_cmphex(init_err(f, 1), ==, 0);
    g_assert_cmphex(t241g_poll(g, G_VINTF_P0(1) + G_QSTATUS, 1, 1), ==, 1);
    g_assert_cmpuint(smmu_ext_vmm_reported_errors(f->vmm), ==, errors + 2);
}

/* As many guest writes as the core's error limiter lets through in one
 * window (5 per 5 s), four times over. */
#define FLOOD_WRITES 20

static void
test_failure_reports_rate_limited(Fx *f, gconstpointer data)
{
    T241Guest *g = &f->g;
    int64_t start = g_get_monotonic_time();
    unsigned errors, allocs, reports, windows;

    g_test_summary("a guest that keeps rewriting CONFIG while the kernel "
                   "refuses VCMDQ0 costs one ioctl per write, and the "
                   "host hears at most the core's limit of reports");
    both_ready_cmdqv_off(f);
    errors = smmu_ext_vmm_reported_errors(f->vmm);
    allocs = smmu_ext_sim_calls(f->sim, SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC);
    for (unsigned i = 1; i <= FLOOD_WRITES; i++) {
        smmu_ext_sim_fail(f->sim, SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC, ENOMEM, i);
    }
    for (unsigned i = 0; i < FLOOD_WRITES; i++) {
        t241g_w32(g, G_CONFIG, t241g_r32(g, G_CONFIG) | 1u);
    }
    g_assert_cmpuint(smmu_ext_sim_calls(f->sim,
                                        SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC), ==,
                     allocs + FLOOD_WRITES);
    g_assert_cmphex(init_err(f, 0), ==, 4);
    reports = smmu_ext_vmm_reported_errors(f->vmm) - errors;
    /* A slow runner may open more windows. */
    windows = (g_get_monotonic_time() - start) / (5 * G_TIME_SPAN_SECOND) + 1;
    g_assert_cmpuint(reports, >=, 1);
    g_assert_cmpuint(reports, <=, 5 * windows);
    g_assert_nonnull(strstr(smmu_ext_vmm_last_error(f->vmm), "VCMDQ0"));
    smmu_ext_sim_fail_clear(f->sim);
}

static void
test_one_attempt_side_effect(Fx *f, gconstpointer data)
{
    T241Guest *g = &f->g;
    unsigned errors, allocs;

    g_test_summary("a queue the core allocated, and the kernel refused, "
                   "while bringing up its lower neighbour in the same "
                   "write is not tried a second time in that write");
    both_ready_cmdqv_off(f);
    smmu_ext_sim_fail(f->sim, SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC, ENOMEM, 1);
    t241g_w32(g, G_CONFIG, t241g_r32(g, G_CONFIG) | 1u);
    g_assert_false(smmu_ext_sim_hw_queue(f->sim, 0, NULL, NULL));

    /* VCMDQ0 comes up, VCMDQ1 follows it and is refused */
    errors = smmu_ext_vmm_reported_errors(f->vmm);
    allocs = smmu_ext_sim_calls(f->sim, SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC);
    smmu_ext_sim_fail(f->sim, SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC, ENOMEM, 2);
    t241g_w32(g, G_CONFIG, t241g_r32(g, G_CONFIG));
    g_assert_cmpuint(smmu_ext_sim_calls(f->sim,
                                        SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC), ==,
                     allocs + 2);
    g_assert_true(smmu_ext_sim_hw_queue(f->sim, 0, NULL, NULL));
    g_assert_false(smmu_ext_sim_hw_queue(f->sim, 1, NULL, NULL));
    g_assert_cmphex(init_err(f, 1), ==, 4);
    g_assert_cmpuint(smmu_ext_vmm_reported_errors(f->vmm), ==, errors + 1);
    g_assert_nonnull(strstr(smmu_ext_vmm_last_error(f->vmm), "VCMDQ1"));
}

static void
test_viommu_recreate_bad_base(Fx *f, gconstpointer data)
{
    T241Guest *g = &f->g;
    uint64_t cmds[1][2];
    g_autoptr(GError) err = NULL;

    g_test_summary("a BASE the kernel refuses does not fail the attach that "
                   "re-creates the vIOMMU: the queue shows CMDQ_INIT_ERR "
                   "and a mending BASE write brings it up");
    t241g_probe(g);
    t241g_hw_reset(g);
    /* 4 KiB queue at a 256-byte offset: not aligned to its length */
    t241g_w64(g, G_VINTF_P1(0) + G_BASE, (g->ring[0] + 0x100) | g->log2size);
    g_assert_false(smmu_ext_sim_hw_queue(f->sim, 0, NULL, NULL));
    g_assert_cmphex(init_err(f, 0), ==, 4);

    /* the last device leaves, another comes: a new vIOMMU */
    g_assert_true(smmu_ext_vmm_detach(f->vmm, FX_DEV, &err));
    g_assert_no_error(err);
    g_assert_true(smmu_ext_vmm_attach(f->vmm, FX_DEV + 1, true, FX_VSID,
                                      &err));
    g_assert_no_error(err);
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_VIOMMU), ==, 1);
    g_assert_false(smmu_ext_sim_hw_queue(f->sim, 0, NULL, NULL));
    g_assert_cmphex(init_err(f, 0), ==, 4);
    g_assert_cmphex(t241g_r32(g, G_VINTF_P0(0) + G_QSTATUS), ==, 0);

    /* persistent ENOMEM on the next re-creation: still attached */
    g_assert_true(smmu_ext_vmm_detach(f->vmm, FX_DEV + 1, &err));
    g_assert_no_error(err);
    for (unsigned i = 1; i <= 4; i++) {
        smmu_ext_sim_fail(f->sim, SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC, ENOMEM, i);
    }
    g_assert_true(smmu_ext_vmm_attach(f->vmm, FX_DEV, true, FX_VSID, &err));
    g_assert_no_error(err);
    smmu_ext_sim_fail_clear(f->sim);

    /* the guest mends BASE: both queues run */
    t241g_w64(g, G_VINTF_P1(0) + G_BASE, g->ring[0] | g->log2size);
    t241g_w32(g, G_VINTF_P0(0) + G_GERRORN,
              t241g_r32(g, G_VINTF_P0(0) + G_GERROR));
    g_assert_true(smmu_ext_sim_hw_queue(f->sim, 0, NULL, NULL));
    g_assert_true(smmu_ext_sim_hw_queue(f->sim, 1, NULL, NULL));
    g_assert_cmphex(init_err(f, 0), ==, 0);
    t241g_make_cmd(cmds[0], G_CMD_SYNC);
    t241g_submit(g, 0, cmds, 1);
    g_assert_cmphex(t241g_poll(g, G_VINTF_P0(0) + G_CONS, ~0u, 1), ==, 1);
}

static void
test_order_wait_init_err(Fx *f, gconstpointer data)
{
    T241Guest *g = &f->g;
    uint64_t cmds[1][2];
    bool direct = true;

    g_test_summary("VCMDQ1 left mapped and enabled while LVCMDQ0 is "
                   "unmapped cannot run (the kernel keeps queues "
                   "ascending): given commands, it shows CMDQ_INIT_ERR and "
                   "STATUS.EN = 0 in both apertures; mapping LVCMDQ0 again "
                   "brings both back, the error gone and the commands run");
    t241g_probe(g);
    t241g_hw_reset(g);
    t241g_w32(g, G_CMDQ_ALLOC(0), t241g_r32(g, G_CMDQ_ALLOC(0)) & ~1u);
    g_assert_false(smmu_ext_sim_hw_queue(f->sim, 1, NULL, NULL));
    /* idle, it only waits (a Linux reset passes through this state) */
    g_assert_cmphex(init_err(f, 1), ==, 0);

    t241g_make_cmd(cmds[0], G_CMD_SYNC);
    t241g_submit(g, 1, cmds, 1);
    smmu_ext_vmm_step(f->vmm, 1);
    g_assert_cmphex(init_err(f, 1), ==, 4);
    g_assert_cmphex(t241g_r32(g, G_GLOBAL_P0(1) + G_QSTATUS), ==, 0);
    g_assert_cmphex(smmu_ext_vmm_read(f->vmm, G_VINTF_P0(1) + G_QSTATUS, 4,
                                      &direct), ==, 0);
    g_assert_false(direct);
    g_assert_cmphex(t241g_r32(g, G_VINTF_P0(1) + G_QCONFIG), ==, 1);
    g_assert_nonnull(strstr(smmu_ext_vmm_last_error(f->vmm), "VCMDQ1"));

    t241g_w32(g, G_CMDQ_ALLOC(0), t241g_r32(g, G_CMDQ_ALLOC(0)) | 1u);
    g_assert_true(smmu_ext_sim_hw_queue(f->sim, 0, NULL, NULL));
    g_assert_true(smmu_ext_sim_hw_queue(f->sim, 1, NULL, NULL));
    g_assert_cmphex(init_err(f, 1), ==, 0);
    g_assert_cmphex(t241g_poll(g, G_VINTF_P0(1) + G_QSTATUS, 1, 1), ==, 1);
    g_assert_cmphex(t241g_poll(g, G_VINTF_P0(1) + G_CONS, ~0u, 1), ==, 1);
    smmu_ext_vmm_read(f->vmm, G_VINTF_P0(1) + G_CONS, 4, &direct);
    g_assert_true(direct);
}

static void
test_reset(Fx *f, gconstpointer data)
{
    T241Guest *g = &f->g;
    uint32_t param;
    bool direct = true;

    g_test_summary("reset returns every register to its reset value, SID "
                   "slots included, frees the HW queues and the overlay; "
                   "the guest can come up again");
    t241g_probe(g);
    param = t241g_r32(g, G_PARAM);
    t241g_hw_reset(g);
    t241g_w32(g, G_SID_MATCH(3), (0x42u << 1) | 1);
    t241g_w32(g, G_SID_REPLACE(3), 0x77);
    t241g_w32(g, G_VI_INT_MASK_0, 1);
    smmu_ext_vmm_reset(f->vmm);

    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_HW_QUEUE), ==,
                     0);
    g_assert_cmphex(t241g_r32(g, G_CONFIG), ==, 0x00020083);
    g_assert_cmphex(t241g_r32(g, G_PARAM), ==, param);
    g_assert_cmphex(t241g_r32(g, G_STATUS), ==, 1);
    g_assert_cmphex(t241g_r32(g, G_VI_INT_MASK_0), ==, 0);
    g_assert_cmphex(t241g_r32(g, G_VINTF_CONFIG), ==, 0);
    g_assert_cmphex(t241g_r32(g, G_VINTF_STATUS), ==, 0);
    g_assert_cmphex(t241g_r32(g, G_SID_MATCH(3)), ==, 0);
    g_assert_cmphex(t241g_r32(g, G_SID_REPLACE(3)), ==, 0);
    for (unsigned q = 0; q < g->nq; q++) {
        g_assert_cmphex(t241g_r32(g, G_CMDQ_ALLOC(q)), ==, 0);
        g_assert_cmphex(t241g_r32(g, G_GLOBAL_P0(q) + G_QCONFIG), ==, 0);
        g_assert_cmphex(t241g_r32(g, G_GLOBAL_P0(q) + G_PROD), ==, 0);
        g_assert_cmphex(t241g_r64(g, G_GLOBAL_P1(q) + G_BASE), ==, 0);
    }
    smmu_ext_vmm_read(f->vmm, G_VINTF_P0(0), 4, &direct);
    g_assert_false(direct);

    t241g_hw_reset(g);
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_HW_QUEUE), ==,
                     g->nq);
}

static void
test_live_queue_kept(Fx *f, gconstpointer data)
{
    T241Guest *g = &f->g;
    uint64_t cmds[2][2], gpa, high = FX_HIGH_GPA;
    unsigned allocs;

    g_test_summary("rewriting the same BASE or enables leaves a live queue "
                   "alone; moving queue 0's neighbour by 32-bit halves "
                   "keeps both queues' indices");
    t241g_probe(g);
    t241g_hw_reset(g);
    t241g_make_cmd(cmds[0], G_CMD_TLBI_NH_VA);
    t241g_make_cmd(cmds[1], G_CMD_SYNC);
    t241g_submit(g, 0, cmds, 2);
    t241g_submit(g, 1, cmds, 1);
    smmu_ext_vmm_step(f->vmm, 1);
    allocs = smmu_ext_sim_calls(f->sim, SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC);

    t241g_w64(g, G_VINTF_P1(0) + G_BASE, g->ring[0] | g->log2size);
    t241g_w32(g, G_CONFIG, t241g_r32(g, G_CONFIG));
    t241g_w32(g, G_VINTF_CONFIG, t241g_r32(g, G_VINTF_CONFIG));
    t241g_w32(g, G_CMDQ_ALLOC(1), t241g_r32(g, G_CMDQ_ALLOC(1)));
    g_assert_cmpuint(smmu_ext_sim_calls(f->sim,
                                        SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC), ==,
                     allocs);
    g_assert_cmphex(t241g_r32(g, G_VINTF_P0(0) + G_CONS), ==, 2);
    g_assert_cmphex(t241g_r32(g, G_VINTF_P0(0) + G_QSTATUS), ==, 1);

    /* low half first: address 0 is "not ready", then the real one */
    t241g_w32(g, G_GLOBAL_P1(1) + G_BASE, g->log2size);
    t241g_w32(g, G_GLOBAL_P1(1) + G_BASE + 4, high >> 32);
    g_assert_true(smmu_ext_sim_hw_queue(f->sim, 1, &gpa, NULL));
    g_assert_cmphex(gpa, ==, high);
    g_assert_cmphex(t241g_r64(g, G_VINTF_P1(1) + G_BASE), ==,
                    high | g->log2size);
    g_assert_cmphex(t241g_r32(g, G_VINTF_P0(1) + G_PROD), ==, 1);
    g_assert_cmphex(t241g_r32(g, G_VINTF_P0(1) + G_CONS), ==, 1);
    g_assert_cmphex(t241g_poll(g, G_VINTF_P0(1) + G_QSTATUS, 1, 1), ==, 1);
    g_assert_cmphex(t241g_r32(g, G_VINTF_P0(0) + G_CONS), ==, 2);
}

static void
test_cmdqv_disable(Fx *f, gconstpointer data)
{
    T241Guest *g = &f->g;
    uint64_t cmds[1][2];
    bool direct = true;

    g_test_summary("CMDQV_EN = 0 frees every HW queue and the overlay; the "
                   "cache keeps the indices, and EN = 1 brings all back");
    t241g_probe(g);
    t241g_hw_reset(g);
    t241g_make_cmd(cmds[0], G_CMD_SYNC);
    t241g_submit(g, 1, cmds, 1);
    smmu_ext_vmm_step(f->vmm, 1);

    t241g_w32(g, G_CONFIG, t241g_r32(g, G_CONFIG) & ~1u);
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_HW_QUEUE), ==,
                     0);
    g_assert_cmphex(smmu_ext_vmm_read(f->vmm, G_VINTF_P0(1) + G_CONS, 4,
                                      &direct), ==, 1);
    g_assert_false(direct);
    g_assert_cmphex(t241g_r32(g, G_STATUS), ==, 0);

    t241g_w32(g, G_CONFIG, t241g_r32(g, G_CONFIG) | 1u);
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_HW_QUEUE), ==,
                     g->nq);
    g_assert_cmphex(smmu_ext_vmm_read(f->vmm, G_VINTF_P0(1) + G_CONS, 4,
                                      &direct), ==, 1);
    g_assert_true(direct);
}

typedef struct CapCase {
    uint64_t page;
    unsigned cap;
} CapCase;

static const CapCase cap_4k = { 4096, 8 };
static const CapCase cap_64k = { 65536, 12 };
static const CapCase cap_2m = { 2u << 20, 17 };

static void
test_queue_cap(Fx *f, gconstpointer data)
{
    const CapCase *c = data;
    T241Guest *g = &f->g;
    SmmuExtGeometry geo = { .size = sizeof(geo) };
    uint64_t len;

    g_test_summary("the largest queue follows the smallest guest-RAM page; "
                   "a bigger one is refused with CMDQ_INIT_ERR");
    g_assert_true(smmu_ext_instance_geometry(smmu_ext_vmm_instance(f->vmm),
                                             &geo));
    g_assert_cmpuint(geo.queue_log2_cap, ==, c->cap);
    g_assert_cmpuint(geo.ram_page_size, ==, c->page);

    t241g_w32(g, G_VINTF_CONFIG, 1);
    t241g_w32(g, G_CMDQ_ALLOC(0), 1);
    t241g_w64(g, G_VINTF_P1(0) + G_BASE, G_RAM_GPA | (c->cap + 1));
    g_assert_false(smmu_ext_sim_hw_queue(f->sim, 0, NULL, NULL));
    g_assert_cmphex(t241g_r32(g, G_VINTF_P0(0) + G_GERROR), ==, 4);

    t241g_w32(g, G_VINTF_P0(0) + G_GERRORN, 4);
    t241g_w64(g, G_VINTF_P1(0) + G_BASE, G_RAM_GPA | c->cap);
    g_assert_true(smmu_ext_sim_hw_queue(f->sim, 0, NULL, &len));
    g_assert_cmpuint(len, ==, 16ull << c->cap);
}

static void
fx_setup_page(Fx *f, gconstpointer data)
{
    fx_open(f, "tegra241", ((const CapCase *)data)->page);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/tegra241/probe/declines", test_probe_declines);
    g_test_add_func("/tegra241/probe/geometry", test_probe_geometry);
#define ADD(path, fn) \
    g_test_add(path, Fx, NULL, fx_setup_accel, fn, fx_teardown)
    ADD("/tegra241/linux/bring-up-and-teardown", test_linux_bringup);
    ADD("/tegra241/hw-queue/any-order", test_alloc_any_order);
    ADD("/tegra241/hw-queue/live-queue-kept", test_live_queue_kept);
    ADD("/tegra241/hw-queue/alloc-failure-init-err", test_alloc_failure);
    ADD("/tegra241/hw-queue/cmdqv-disable", test_cmdqv_disable);
    ADD("/tegra241/hw-queue/one-attempt-per-write",
        test_one_attempt_per_write);
    ADD("/tegra241/hw-queue/one-attempt-side-effect",
        test_one_attempt_side_effect);
    ADD("/tegra241/hw-queue/failure-reports-rate-limited",
        test_failure_reports_rate_limited);
    ADD("/tegra241/hw-queue/viommu-recreate-bad-base",
        test_viommu_recreate_bad_base);
    ADD("/tegra241/hw-queue/order-wait-init-err", test_order_wait_init_err);
    ADD("/tegra241/apertures/coherent", test_apertures_coherent);
    ADD("/tegra241/error/illegal-command-recovers", test_error_recovers);
    ADD("/tegra241/error/stale-event-not-sticky", test_error_stale_event);
    ADD("/tegra241/error/smmu-error-and-injected-fault",
        test_error_handler_and_fault);
    ADD("/tegra241/hardware/commands-with-physical-sid", test_handler_psid);
    ADD("/tegra241/reset/everything", test_reset);
#undef ADD
    g_test_add("/tegra241/queue-cap/4k", Fx, &cap_4k, fx_setup_page,
               test_queue_cap, fx_teardown);
    g_test_add("/tegra241/queue-cap/64k", Fx, &cap_64k, fx_setup_page,
               test_queue_cap, fx_teardown);
    g_test_add("/tegra241/queue-cap/2m", Fx, &cap_2m, fx_setup_page,
               test_queue_cap, fx_teardown);
    return g_test_run();
}
