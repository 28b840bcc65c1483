/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Issue 16: the guest never sees a VCMDQ move between the register cache
 * and a host HW queue.  Every path that destroys and re-creates host
 * queues or the host page (CMDQV_EN and VINTF EN toggles, unmap/remap, a
 * new vIOMMU, save/load) leaves every guest-visible register as it was,
 * and a queue stopped on an error stays stopped until the guest
 * acknowledges it; reset lands on the same defined state in both modes.
 * Accelerated (simulated hardware) and emulated must agree on every read.
 *
 * Seeds are fixed, so a failure names a sequence that can be replayed.
 */
#include "fixture.h"

#define RING_LOG2 3            /* 8 entries: the rings wrap quickly */
#define N_SEEDS 24             /* per path and mode, and for reset */
#define N_DIFF_SEEDS 64
#define N_OPS 40

static GArray *
snap(Fx *f)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(uint32_t));

    t241g_dump(&f->g, a);
    return a;
}

/* The hardware follows CONFIG.EN into STATUS and consumes within a step;
 * vEVENTs reach the module on the next main-loop turn. */
static void
settle(Fx *f)
{
    smmu_ext_vmm_step(f->vmm, 2);
    smmu_ext_vmm_main_loop_once(f->vmm);
}

/* The reads that differ, each printed; the index + 1 of the first. */
static unsigned
first_diff(GArray *a, GArray *b, const char *what, unsigned seed)
{
    unsigned bad = 0;

    g_assert_cmpuint(a->len, ==, b->len);
    for (unsigned i = 0; i < a->len; i++) {
        uint32_t x = g_array_index(a, uint32_t, i);
        uint32_t y = g_array_index(b, uint32_t, i);

        if (x != y) {
            g_test_message("%s, seed %u: read %u is 0x%x, expected 0x%x",
                           what, seed, i, y, x);
            bad = bad ? bad : i + 1;
        }
    }
    return bad;
}

static void
assert_same(GArray *a, GArray *b, const char *what, unsigned seed)
{
    unsigned bad = first_diff(a, b, what, seed);

    if (bad) {
        g_assert_cmphex(g_array_index(b, uint32_t, bad - 1), ==,
                        g_array_index(a, uint32_t, bad - 1));
    }
}

static void
fx_open_small(Fx *f, bool accel)
{
    fx_open(f, accel ? "tegra241" : "none", 4096);
    f->g.log2size = RING_LOG2;
}

/* --- guest actions -------------------------------------------------------- */

/* Free ring entries: a guest never writes over what is not consumed. */
static unsigned
ring_room(Fx *f, unsigned q)
{
    T241Guest *g = &f->g;
    uint32_t size = 1u << g->log2size, mask = (size << 1) - 1;
    uint32_t prod = t241g_r32(g, G_GLOBAL_P0(q) + G_PROD);
    uint32_t cons = t241g_r32(g, G_GLOBAL_P0(q) + G_CONS);

    return size - ((prod - cons) & mask);
}

static void
submit_legal(Fx *f, unsigned q, unsigned n)
{
    static const uint8_t ops[] = {
        G_CMD_TLBI_NH_ASID, G_CMD_TLBI_NH_VA, G_CMD_ATC_INV, G_CMD_SYNC,
    };
    uint64_t cmds[8][2];

    n = MIN(MIN(n, G_N_ELEMENTS(cmds) - 1), ring_room(f, q));
    for (unsigned i = 0; i < n; i++) {
        t241g_make_cmd(cmds[i], ops[i % G_N_ELEMENTS(ops)]);
    }
    if (n) {
        t241g_submit(&f->g, q, (const uint64_t (*)[2])cmds, n);
    }
}

static void
submit_illegal(Fx *f, unsigned q)
{
    uint64_t cmds[2][2];

    if (ring_room(f, q) < 2) {
        return;
    }
    t241g_make_cmd(cmds[0], G_CMD_CFGI_STE);
    t241g_make_cmd(cmds[1], G_CMD_SYNC);
    t241g_submit(&f->g, q, (const uint64_t (*)[2])cmds, 2);
}

/* The guest's interrupt handler for @q: the entry at CONS becomes a
 * CMD_SYNC, then GERRORN = GERROR. */
static void
ack(Fx *f, unsigned q)
{
    T241Guest *g = &f->g;
    uint32_t gerror = t241g_r32(g, G_GLOBAL_P0(q) + G_GERROR);
    uint32_t cons = t241g_r32(g, G_GLOBAL_P0(q) + G_CONS);
    uint64_t fix[2] = { GUINT64_TO_LE(G_CMD_SYNC), 0 };
    uint64_t slot = cons & ((1u << g->log2size) - 1);

    if (gerror == t241g_r32(g, G_GLOBAL_P0(q) + G_GERRORN)) {
        return;
    }
    g_assert_true(smmu_ext_vmm_mem_write(f->vmm, g->ring[q] + 16 * slot,
                                         fix, sizeof(fix)));
    t241g_w32(g, G_GLOBAL_P0(q) + G_GERRORN, gerror);
}

static void
toggle(Fx *f, uint64_t off, uint32_t bit)
{
    uint32_t v = t241g_r32(&f->g, off);

    t241g_w32(&f->g, off, v & ~bit);
    t241g_w32(&f->g, off, v);
}

static void
unmap_remap(Fx *f, unsigned q)
{
    uint32_t v = t241g_r32(&f->g, G_CMDQ_ALLOC(q));

    t241g_w32(&f->g, G_CMDQ_ALLOC(q), v & ~1u);
    t241g_w32(&f->g, G_CMDQ_ALLOC(q), v);
}

static void
viommu_recreate(Fx *f)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(smmu_ext_vmm_detach(f->vmm, FX_DEV, &err));
    g_assert_no_error(err);
    g_assert_true(smmu_ext_vmm_attach(f->vmm, FX_DEV, true, FX_VSID, &err));
    g_assert_no_error(err);
}

static void
queue_off_on(Fx *f, unsigned q)
{
    T241Guest *g = &f->g;

    t241g_w32(g, G_VINTF_P0(q) + G_QCONFIG, 0);
    t241g_poll(g, G_VINTF_P0(q) + G_QSTATUS, 1, 0);
    t241g_w32(g, G_VINTF_P0(q) + G_QCONFIG, 1);
}

/* --- 1: the Linux kdump / kexec sequence --------------------------------- */

/* The reads of a guest whose VCMDQ1 stops on an error, and a new kernel
 * taking over before it was acknowledged. */
static GArray *
run_kdump(bool accel, unsigned *irqs)
{
    Fx fx, *f = &fx;
    T241Guest *g = &f->g;
    GArray *trace = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    uint32_t gerror, gerrorn, cons;

    fx_open(f, accel ? "tegra241" : "none", 4096);
    t241g_probe(g);
    t241g_hw_reset(g);
    submit_legal(f, 1, 3);
    settle(f);
    submit_illegal(f, 1);
    settle(f);
    g_assert_cmpuint(smmu_ext_vmm_irq_count(f->vmm, 0), ==, 1);
    g->trace = trace;
    t241g_dump(g, trace);

    /* the new kernel's tegra241_cmdqv_hw_reset: CMDQV_EN 0 -> 1 ... */
    toggle(f, G_CONFIG, 1);
    settle(f);
    t241g_dump(g, trace);
    /* ... and the deinit still finds the error unacknowledged */
    cons = t241g_r32(g, G_VINTF_P0(1) + G_CONS);
    gerrorn = t241g_r32(g, G_VINTF_P0(1) + G_GERRORN);
    gerror = t241g_r32(g, G_VINTF_P0(1) + G_GERROR);
    g_assert_cmphex((cons >> 24) & 0x7f, ==, 1);
    g_assert_cmphex(cons & 0xff, ==, 3);
    g_assert_cmphex(gerrorn, ==, 0);
    g_assert_cmphex(gerror, ==, 1);
    g_assert_cmphex(t241g_r32(g, G_LVCMDQ_ERR_MAP(0)), ==, 2);

    /* the rest of Linux's reset ("uncleared error detected, resetting"),
     * a fresh bring-up, and a clean batch on each queue */
    t241g_hw_reset(g);
    t241g_dump(g, trace);
    for (unsigned q = 0; q < g->nq; q++) {
        submit_legal(f, q, 4);
        t241g_poll(g, G_VINTF_P0(q) + G_CONS, ~0u, 4);
    }
    settle(f);
    t241g_dump(g, trace);
    *irqs = smmu_ext_vmm_irq_count(f->vmm, 0);
    g->trace = NULL;
    if (accel) {
        bool direct = false;

        /* and the hardware serves the guest directly again */
        smmu_ext_vmm_read(f->vmm, G_VINTF_P0(1) + G_CONS, 4, &direct);
        g_assert_true(direct);
    }
    fx_close(f);
    return trace;
}

static void
test_kdump(void)
{
    g_autoptr(GArray) hw = NULL;
    g_autoptr(GArray) emu = NULL;
    unsigned irq_hw, irq_emu;

    g_test_summary("an error left unacknowledged across CMDQV_EN 0 -> 1 "
                   "(kdump, kexec) stays stopped in both modes: the new "
                   "kernel reads the unacknowledged pair, recovers, and "
                   "sees one interrupt, with the same reads in both");
    hw = run_kdump(true, &irq_hw);
    emu = run_kdump(false, &irq_emu);
    assert_same(emu, hw, "kdump, accelerated vs emulated", 0);
    g_assert_cmpuint(irq_hw, ==, 1);
    g_assert_cmpuint(irq_emu, ==, 1);
}

/* --- 2: property test over the re-creation paths ------------------------- */

typedef enum Path {
    PATH_CMDQV_EN,
    PATH_VINTF_EN,
    PATH_UNMAP_REMAP,
    PATH_VIOMMU,
    PATH_SAVE_LOAD,
    PATH_N,
} Path;

static const char *const path_names[PATH_N] = {
    "CMDQV_EN 0 -> 1", "VINTF EN 0 -> 1", "LVCMDQ unmap/remap",
    "vIOMMU re-creation", "save/load",
};

/* A random but legal guest: rings part-consumed and wrapped, errors
 * pending or acknowledged, queues disabled with commands waiting. */
static void
random_state(Fx *f, GRand *r)
{
    T241Guest *g = &f->g;

    t241g_probe(g);
    t241g_hw_reset(g);
    for (unsigned round = g_rand_int_range(r, 1, 5); round--;) {
        unsigned q = g_rand_int_range(r, 0, g->nq);

        switch (g_rand_int_range(r, 0, 5)) {
        case 0:
        case 1:
            submit_legal(f, q, g_rand_int_range(r, 1, 8));
            break;
        case 2:
            submit_illegal(f, q);
            break;
        case 3:
            ack(f, q);
            break;
        case 4:
            t241g_w32(g, G_VI_INT_MASK_0, g_rand_boolean(r));
            break;
        }
        settle(f);
    }
    if (g_rand_boolean(r)) {
        /* stopped on an error nobody acknowledged */
        submit_illegal(f, g_rand_int_range(r, 0, g->nq));
        settle(f);
    }
    if (g_rand_boolean(r)) {
        unsigned q = g_rand_int_range(r, 0, g->nq);

        /* disabled with commands waiting behind PROD */
        t241g_w32(g, G_VINTF_P0(q) + G_QCONFIG, 0);
        settle(f);
        submit_legal(f, q, g_rand_int_range(r, 1, 8));
        settle(f);
    }
}

static void
take_path(Fx *f, Path p, GRand *r)
{
    g_autoptr(GByteArray) blob = NULL;
    g_autoptr(GError) err = NULL;
    SmmuExtInstance *inst = smmu_ext_vmm_instance(f->vmm);

    switch (p) {
    case PATH_CMDQV_EN:
        toggle(f, G_CONFIG, 1);
        break;
    case PATH_VINTF_EN:
        toggle(f, G_VINTF_CONFIG, 1);
        break;
    case PATH_UNMAP_REMAP:
        unmap_remap(f, g_rand_int_range(r, 0, f->g.nq));
        break;
    case PATH_VIOMMU:
        viommu_recreate(f);
        break;
    case PATH_SAVE_LOAD:
        blob = g_byte_array_new();
        g_assert_true(smmu_ext_instance_save(inst, blob, &err));
        g_assert_no_error(err);
        smmu_ext_vmm_reset(f->vmm);
        g_assert_true(smmu_ext_instance_load(inst, blob->data, blob->len,
                                             &err));
        g_assert_no_error(err);
        break;
    case PATH_N:
        g_assert_not_reached();
    }
}

static void
property_run(bool accel, Path p, unsigned seed)
{
    g_autoptr(GRand) r = g_rand_new_with_seed(seed * PATH_N + p);
    g_autoptr(GArray) before = NULL;
    g_autoptr(GArray) after = NULL;
    g_autofree char *what = NULL;
    Fx fx;
    unsigned irqs;

    fx_open_small(&fx, accel);
    random_state(&fx, r);
    before = snap(&fx);
    irqs = smmu_ext_vmm_irq_count(fx.vmm, 0);
    take_path(&fx, p, r);
    /* A stopped queue must not resume: the steps would show it. */
    settle(&fx);
    after = snap(&fx);
    what = g_strdup_printf("%s, %s", path_names[p],
                           accel ? "accelerated" : "emulated");
    assert_same(before, after, what, seed);
    g_assert_cmpuint(smmu_ext_vmm_irq_count(fx.vmm, 0), ==, irqs);
    fx_close(&fx);
}

static void
test_property(void)
{
    g_test_summary("for every re-creation path and random legal guest "
                   "states, every guest-visible register reads the same "
                   "after the path as before it, and no interrupt comes");
    for (unsigned seed = 0; seed < N_SEEDS; seed++) {
        for (Path p = 0; p < PATH_N; p++) {
            /* Accelerated state lives in the host: it does not migrate. */
            if (p != PATH_SAVE_LOAD) {
                property_run(true, p, seed);
            }
            property_run(false, p, seed);
        }
    }
}

/* The state a reset defines: nothing enabled or mapped, indices zero, no
 * active error (GERROR keeps its toggle state, acknowledged). */
static void
assert_reset_state(Fx *f)
{
    T241Guest *g = &f->g;

    g_assert_cmphex(t241g_r32(g, G_CONFIG), ==, 0x00020083);
    g_assert_cmphex(t241g_r32(g, G_VINTF_CONFIG), ==, 0);
    g_assert_cmphex(t241g_r32(g, G_VI_ERR_MAP_0), ==, 0);
    for (unsigned m = 0; m < 4; m++) {
        g_assert_cmphex(t241g_r32(g, G_CMDQ_ERR_MAP(m)), ==, 0);
    }
    for (unsigned q = 0; q < g->nq; q++) {
        g_assert_cmphex(t241g_r32(g, G_CMDQ_ALLOC(q)), ==, 0);
        g_assert_cmphex(t241g_r32(g, G_GLOBAL_P0(q) + G_CONS), ==, 0);
        g_assert_cmphex(t241g_r32(g, G_GLOBAL_P0(q) + G_PROD), ==, 0);
        g_assert_cmphex(t241g_r32(g, G_GLOBAL_P0(q) + G_QCONFIG), ==, 0);
        g_assert_cmphex(t241g_r32(g, G_GLOBAL_P0(q) + G_QSTATUS), ==, 0);
        g_assert_cmphex(t241g_r32(g, G_GLOBAL_P0(q) + G_GERROR), ==,
                        t241g_r32(g, G_GLOBAL_P0(q) + G_GERRORN));
        g_assert_cmphex(t241g_r64(g, G_GLOBAL_P1(q) + G_BASE), ==, 0);
    }
}

static void
test_reset(void)
{
    g_test_summary("reset from random guest states lands on the defined "
                   "reset state, the same in both modes, and the guest "
                   "comes up again with no interrupt");
    for (unsigned seed = 0; seed < N_SEEDS; seed++) {
        GArray *state[2] = { NULL, NULL };

        for (unsigned accel = 0; accel < 2; accel++) {
            g_autoptr(GRand) r = g_rand_new_with_seed(seed);
            Fx fx;
            unsigned irqs;

            fx_open_small(&fx, accel);
            random_state(&fx, r);
            irqs = smmu_ext_vmm_irq_count(fx.vmm, 0);
            smmu_ext_vmm_reset(fx.vmm);
            assert_reset_state(&fx);
            state[accel] = snap(&fx);
            t241g_probe(&fx.g);
            t241g_hw_reset(&fx.g);
            for (unsigned q = 0; q < fx.g.nq; q++) {
                submit_legal(&fx, q, 2);
                t241g_poll(&fx.g, G_VINTF_P0(q) + G_CONS, ~0u, 2);
            }
            settle(&fx);
            g_assert_cmpuint(smmu_ext_vmm_irq_count(fx.vmm, 0), ==, irqs);
            if (accel) {
                bool direct = false;

                /* the reset state is the hardware's: no translation */
                smmu_ext_vmm_read(fx.vmm, G_VINTF_P0(0) + G_CONS, 4,
                                  &direct);
                g_assert_true(direct);
            }
            fx_close(&fx);
        }
        assert_same(state[0], state[1], "reset, accelerated vs emulated",
                    seed);
        g_array_unref(state[0]);
        g_array_unref(state[1]);
    }
}

/* --- 3: accelerated vs emulated over random guest sequences -------------- */

static void
random_op(Fx *f, unsigned op, unsigned q, unsigned n)
{
    T241Guest *g = &f->g;

    switch (op) {
    case 0:
    case 1:
    case 2:
        submit_legal(f, q, n);
        break;
    case 3:
        submit_illegal(f, q);
        break;
    case 4:
    case 5:
        ack(f, q);
        break;
    case 6:
        toggle(f, G_CONFIG, 1);
        break;
    case 7:
        toggle(f, G_VINTF_CONFIG, 1);
        break;
    case 8:
        unmap_remap(f, q);
        break;
    case 9:
        queue_off_on(f, q);
        break;
    case 10:
        t241g_hw_reset(g);             /* kexec: Linux's reset again */
        break;
    case 11:
        smmu_ext_vmm_reset(f->vmm);    /* reboot */
        t241g_probe(g);
        t241g_hw_reset(g);
        break;
    case 12:
        viommu_recreate(f);
        break;
    case 13:
        t241g_w32(g, G_VI_INT_MASK_0, n & 1);
        break;
    }
}

static void
test_differential(void)
{
    g_test_summary("accelerated and emulated give the same reads and "
                   "interrupt counts after every step of random guest "
                   "sequences, over fixed seeds");
    for (unsigned seed = 0; seed < N_DIFF_SEEDS; seed++) {
        g_autoptr(GRand) r = g_rand_new_with_seed(seed);
        Fx hw, emu;

        fx_open_small(&hw, true);
        fx_open_small(&emu, false);
        t241g_probe(&hw.g);
        t241g_hw_reset(&hw.g);
        t241g_probe(&emu.g);
        t241g_hw_reset(&emu.g);
        for (unsigned i = 0; i < N_OPS; i++) {
            unsigned op = g_rand_int_range(r, 0, 14);
            unsigned q = g_rand_int_range(r, 0, hw.g.nq);
            unsigned n = g_rand_int_range(r, 1, 8);
            g_autoptr(GArray) a = NULL;
            g_autoptr(GArray) b = NULL;
            g_autofree char *what = g_strdup_printf("step %u (op %u, "
                                                    "queue %u)", i, op, q);

            if (g_getenv("T241_TRACE_OPS")) {
                g_test_message("seed %u step %u: op %u queue %u n %u", seed,
                               i, op, q, n);
            }
            random_op(&hw, op, q, n);
            random_op(&emu, op, q, n);
            settle(&hw);
            settle(&emu);
            a = snap(&hw);
            b = snap(&emu);
            assert_same(a, b, what, seed);
            g_assert_cmpuint(smmu_ext_vmm_irq_count(emu.vmm, 0), ==,
                             smmu_ext_vmm_irq_count(hw.vmm, 0));
        }
        fx_close(&hw);
        fx_close(&emu);
    }
}

/* --- control: the comparison sees what the guest would ----------------- */

static void
test_control(void)
{
    static const uint32_t regs[] = { G_CONS, G_PROD, G_QCONFIG, G_GERRORN };

    g_test_summary("control: one guest write to any page0 register of a "
                   "queue, in either mode, makes the snapshots differ");
    for (unsigned accel = 0; accel < 2; accel++) {
        for (unsigned i = 0; i < G_N_ELEMENTS(regs); i++) {
            g_autoptr(GRand) r = g_rand_new_with_seed(i);
            g_autoptr(GArray) before = NULL;
            g_autoptr(GArray) after = NULL;
            uint64_t off = G_GLOBAL_P0(1) + regs[i];
            Fx fx;

            fx_open_small(&fx, accel);
            random_state(&fx, r);
            /* a disabled queue: the write changes only what it writes */
            t241g_w32(&fx.g, G_GLOBAL_P0(1) + G_QCONFIG, 0);
            settle(&fx);
            before = snap(&fx);
            t241g_w32(&fx.g, off, t241g_r32(&fx.g, off) ^ 1);
            after = snap(&fx);
            g_assert_cmpuint(first_diff(before, after, "control", i), >, 0);
            fx_close(&fx);
        }
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/tegra241/recreate/linux-kdump", test_kdump);
    g_test_add_func("/tegra241/recreate/property", test_property);
    g_test_add_func("/tegra241/recreate/reset", test_reset);
    g_test_add_func("/tegra241/recreate/differential", test_differential);
    g_test_add_func("/tegra241/recreate/control", test_control);
    return g_test_run();
}
