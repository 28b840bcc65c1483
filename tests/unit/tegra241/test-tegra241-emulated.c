/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Tegra241 CMDQV module without a host iommufd (issue 6): the module
 * consumes the guest's rings itself.  The guest must not be able to tell
 * it from the simulated hardware; broken rings stop with an error code;
 * state migrates through a validated blob; random MMIO cannot hurt it.
 */
#include <errno.h>
#include "fixture.h"

/* A Linux guest's life: bring-up, commands, an illegal one and its
 * recovery, then device_disable.  Returns every value it read. */
static GArray *
run_guest(Fx *f, unsigned *irqs)
{
    T241Guest *g = &f->g;
    GArray *trace = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    uint64_t cmds[4][2], fix[2];
    uint32_t gerror;

    g->trace = trace;
    t241g_probe(g);
    t241g_hw_reset(g);
    t241g_dump(g, trace);

    t241g_make_cmd(cmds[0], G_CMD_TLBI_NH_ASID);
    t241g_make_cmd(cmds[1], G_CMD_TLBI_NH_VA);
    t241g_make_cmd(cmds[2], G_CMD_ATC_INV);
    t241g_make_cmd(cmds[3], G_CMD_SYNC);
    t241g_submit(g, 0, cmds, 4);
    t241g_poll(g, G_VINTF_P0(0) + G_CONS, ~0u, 4);
    t241g_submit(g, 1, (const uint64_t (*)[2])cmds[2], 2);
    t241g_poll(g, G_VINTF_P0(1) + G_CONS, ~0u, 2);

    t241g_make_cmd(cmds[0], G_CMD_CFGI_STE);
    t241g_submit(g, 0, cmds, 1);
    smmu_ext_vmm_step(f->vmm, 1);
    smmu_ext_vmm_main_loop_once(f->vmm);
    *irqs = smmu_ext_vmm_irq_count(f->vmm, 0);
    t241g_dump(g, trace);

    t241g_make_cmd(fix, G_CMD_SYNC);
    fix[0] = GUINT64_TO_LE(fix[0]);
    g_assert_true(smmu_ext_vmm_mem_write(f->vmm, g->ring[0] + 4 * 16, fix,
                                         16));
    gerror = t241g_r32(g, G_VINTF_P0(0) + G_GERROR);
    t241g_w32(g, G_VINTF_P0(0) + G_GERRORN, gerror);
    t241g_poll(g, G_VINTF_P0(0) + G_CONS, ~0u, 5);
    t241g_dump(g, trace);

    t241g_disable(g);
    t241g_dump(g, trace);
    g->trace = NULL;
    return trace;
}

static void
test_matches_host(void)
{
    Fx hw, emu;
    g_autoptr(GArray) a = NULL;
    g_autoptr(GArray) b = NULL;
    unsigned irq_hw, irq_emu;
    static const uint8_t ops[] = {
        G_CMD_TLBI_NH_ASID, G_CMD_TLBI_NH_VA, G_CMD_ATC_INV, G_CMD_SYNC,
    };

    g_test_summary("the Linux guest reads the same values, executes the "
                   "same commands and sees the same interrupt emulated as "
                   "on the simulated hardware");
    fx_open(&hw, "tegra241", 4096);
    fx_open(&emu, "none", 4096);
    a = run_guest(&hw, &irq_hw);
    b = run_guest(&emu, &irq_emu);

    g_assert_cmpuint(a->len, ==, b->len);
    for (unsigned i = 0; i < a->len; i++) {
        if (g_array_index(a, uint32_t, i) != g_array_index(b, uint32_t, i)) {
            g_test_message("read %u differs", i);
        }
        g_assert_cmphex(g_array_index(b, uint32_t, i), ==,
                        g_array_index(a, uint32_t, i));
    }
    g_assert_cmpuint(irq_emu, ==, irq_hw);
    g_assert_cmpuint(irq_emu, ==, 1);
    for (unsigned i = 0; i < G_N_ELEMENTS(ops); i++) {
        g_assert_cmpuint(smmu_ext_vmm_host_cmd_count(emu.vmm, ops[i]), ==,
                         smmu_ext_sim_cmd_count(hw.sim, ops[i]));
        g_assert_cmpuint(smmu_ext_vmm_host_cmd_count(emu.vmm, ops[i]), >,
                         0);
    }
    g_assert_cmpuint(smmu_ext_vmm_host_cmd_count(emu.vmm, G_CMD_CFGI_STE),
                     ==, 0);
    fx_close(&hw);
    fx_close(&emu);
}

/* Enable queue 0 at @base with @prod published, nothing else. */
static void
start_queue(Fx *f, uint64_t base, uint32_t prod)
{
    T241Guest *g = &f->g;

    t241g_w32(g, G_VINTF_CONFIG, 1);
    t241g_w32(g, G_CMDQ_ALLOC(0), 1);
    t241g_w64(g, G_VINTF_P1(0) + G_BASE, base);
    t241g_w32(g, G_VINTF_P0(0) + G_QCONFIG, 1);
    t241g_w32(g, G_VINTF_P0(0) + G_PROD, prod);
}

static void
test_bad_rings(Fx *f, gconstpointer data)
{
    T241Guest *g = &f->g;
    uint64_t syncs[2] = { GUINT64_TO_LE(G_CMD_SYNC), 0 };
    uint32_t cons;

    g_test_summary("a ring outside RAM aborts (CONS.ERR = ABT), one above "
                   "the size cap or misaligned gets CMDQ_INIT_ERR, a wild "
                   "PROD is bounded by the ring; all without hanging");
    start_queue(f, 0x1000ull | 4, 3);
    cons = t241g_r32(g, G_VINTF_P0(0) + G_CONS);
    g_assert_cmphex((cons >> 24) & 0x7f, ==, 2);
    g_assert_cmphex(cons & 0xfffff, ==, 0);
    g_assert_cmphex(t241g_r32(g, G_VINTF_P0(0) + G_GERROR), ==, 1);
    g_assert_cmphex(t241g_r32(g, G_CMDQ_ERR_MAP(0)), ==, 1);
    g_assert_cmpuint(smmu_ext_vmm_irq_count(f->vmm, 0), ==, 1);

    /* reset keeps GERROR's toggle state, acknowledged (GERRORN = GERROR) */
    smmu_ext_vmm_reset(f->vmm);
    g_assert_cmphex(t241g_r32(g, G_GLOBAL_P0(0) + G_GERROR), ==, 1);
    g_assert_cmphex(t241g_r32(g, G_GLOBAL_P0(0) + G_GERRORN), ==, 1);
    start_queue(f, G_RAM_GPA | 9, 1);
    g_assert_cmphex(t241g_r32(g, G_VINTF_P0(0) + G_GERROR) ^
                    t241g_r32(g, G_VINTF_P0(0) + G_GERRORN), ==, 4);
    g_assert_cmphex(t241g_r32(g, G_VINTF_P0(0) + G_CONS), ==, 0);

    smmu_ext_vmm_reset(f->vmm);
    start_queue(f, (G_RAM_GPA + 0x20) | 8, 1);
    g_assert_cmphex(t241g_r32(g, G_VINTF_P0(0) + G_GERROR) ^
                    t241g_r32(g, G_VINTF_P0(0) + G_GERRORN), ==, 4);

    /* 4 entries of CMD_SYNC; PROD claims far more than the ring holds */
    smmu_ext_vmm_reset(f->vmm);
    for (unsigned i = 0; i < 4; i++) {
        g_assert_true(smmu_ext_vmm_mem_write(f->vmm, G_RAM_GPA + 16 * i,
                                             syncs, 16));
    }
    start_queue(f, G_RAM_GPA | 2, 0xffffffffu);
    cons = t241g_r32(g, G_VINTF_P0(0) + G_CONS);
    g_assert_cmphex(cons & 0x7f000000, ==, 0);
    /* masked to index + wrap (7), then at most one ring (4) per kick */
    g_assert_cmphex(cons, ==, 4);
    g_assert_cmpuint(smmu_ext_vmm_host_cmd_count(f->vmm, G_CMD_SYNC), ==, 4);
}

static void
copy_rings(Fx *from, Fx *to)
{
    g_autofree uint8_t *buf = g_malloc(0x10000);

    for (unsigned q = 0; q < from->g.nq; q++) {
        g_assert_true(smmu_ext_vmm_mem_read(from->vmm, from->g.ring[q], buf,
                                            0x10000));
        g_assert_true(smmu_ext_vmm_mem_write(to->vmm, to->g.ring[q], buf,
                                             0x10000));
    }
}

static void
continue_guest(Fx *f)
{
    T241Guest *g = &f->g;
    uint64_t cmds[2][2];

    t241g_make_cmd(cmds[0], G_CMD_ATC_INV);
    t241g_make_cmd(cmds[1], G_CMD_CFGI_STE);
    t241g_submit(g, 1, cmds, 2);
    t241g_w32(g, G_SID_MATCH(2), 0x85);
}

static void
test_save_load(void)
{
    Fx a, b, c;
    g_autoptr(GByteArray) blob = g_byte_array_new();
    g_autoptr(GArray) ra = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    g_autoptr(GArray) rc = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    g_autoptr(GError) err = NULL;
    uint64_t cmds[3][2];

    g_test_summary("state saved mid-run and loaded into a fresh VM "
                   "continues exactly like the VM that never stopped");
    fx_open(&a, "none", 4096);
    fx_open(&c, "none", 4096);
    t241g_make_cmd(cmds[0], G_CMD_TLBI_NH_ASID);
    t241g_make_cmd(cmds[1], G_CMD_CFGI_STE);
    t241g_make_cmd(cmds[2], G_CMD_SYNC);
    for (Fx *f = &a; f; f = f == &a ? &c : NULL) {
        t241g_probe(&f->g);
        t241g_hw_reset(&f->g);
        t241g_submit(&f->g, 0, cmds, 3);     /* stops at the bad one */
    }

    g_assert_true(smmu_ext_instance_save(smmu_ext_vmm_instance(a.vmm), blob,
                                         &err));
    g_assert_no_error(err);
    fx_open(&b, "none", 4096);
    b.g.nq = a.g.nq;
    copy_rings(&a, &b);
    g_assert_true(smmu_ext_instance_load(smmu_ext_vmm_instance(b.vmm),
                                         blob->data, blob->len, &err));
    g_assert_no_error(err);

    continue_guest(&b);
    continue_guest(&c);
    t241g_dump(&b.g, ra);
    t241g_dump(&c.g, rc);
    g_assert_cmpuint(ra->len, ==, rc->len);
    g_assert_cmpmem(ra->data, ra->len * 4, rc->data, rc->len * 4);
    /* the loaded VM did see the error state it was given */
    g_assert_cmphex(t241g_r32(&b.g, G_VINTF_P0(0) + G_CONS) >> 24, ==, 1);
    fx_close(&a);
    fx_close(&b);
    fx_close(&c);
}

static void
put32(GByteArray *b, uint32_t v)
{
    v = GUINT32_TO_LE(v);
    g_byte_array_append(b, (const guint8 *)&v, 4);
}

/* Offset of the record with @tag in a saved blob. */
static gsize
find_record(GByteArray *b, const char *tag)
{
    gsize pos = 8;

    while (pos + 8 <= b->len) {
        uint32_t len;

        if (!memcmp(b->data + pos, tag, 4)) {
            return pos;
        }
        memcpy(&len, b->data + pos + 4, 4);
        pos += 8 + GUINT32_FROM_LE(len);
    }
    g_assert_not_reached();
    return 0;
}

static void
test_load_refuses(Fx *f, gconstpointer data)
{
    SmmuExtInstance *inst = smmu_ext_vmm_instance(f->vmm);
    g_autoptr(GByteArray) good = g_byte_array_new();
    g_autoptr(GError) err = NULL;
    uint32_t before;

    g_test_summary("load refuses foreign, newer, truncated, duplicated, "
                   "unknown, out-of-range and wrong-geometry blobs and "
                   "leaves the registers as they were");
    t241g_w32(&f->g, G_VI_INT_MASK_0, 1);
    t241g_w32(&f->g, G_SID_MATCH(1), 0x11);
    g_assert_true(smmu_ext_instance_save(inst, good, &err));
    g_assert_no_error(err);
    t241g_w32(&f->g, G_SID_MATCH(1), 0x13);
    before = t241g_r32(&f->g, G_SID_MATCH(1));

    for (unsigned i = 0; i < 8; i++) {
        g_autoptr(GByteArray) b = g_byte_array_new();
        gsize pos;

        g_byte_array_append(b, good->data, good->len);
        switch (i) {
        case 0:                 /* magic */
            b->data[0] ^= 0xff;
            break;
        case 1:                 /* a newer format */
            b->data[4] = 2;
            break;
        case 2:                 /* truncated inside a record */
            g_byte_array_set_size(b, b->len - 3);
            break;
        case 3:                 /* a record twice */
            pos = find_record(good, "CNFG");
            g_byte_array_append(b, good->data + pos, 12);
            break;
        case 4:                 /* unknown record */
            put32(b, 0x5a5a5a5a);
            put32(b, 0);
            break;
        case 5:                 /* CONFIG bits no guest can set */
            pos = find_record(b, "CNFG");
            b->data[pos + 11] = 0xff;
            break;
        case 6:                 /* record length off by one */
            pos = find_record(b, "VCFG");
            b->data[pos + 4] = 3;
            break;
        case 7:                 /* geometry: 8 queues */
            pos = find_record(b, "GEOM");
            b->data[pos + 12] = 8;
            break;
        }
        g_assert_false(smmu_ext_instance_load(inst, b->data, b->len, &err));
        g_assert_nonnull(err);
        g_assert_true(err->domain == SMMU_EXT_ERROR);
        g_assert_cmpuint(err->code, ==, i == 1 ?
                         SMMU_EXT_ERROR_NOT_SUPPORTED :
                         SMMU_EXT_ERROR_INVALID);
        g_test_message("refused: %s", err->message);
        g_clear_error(&err);
        g_assert_cmphex(t241g_r32(&f->g, G_SID_MATCH(1)), ==, before);
    }
    g_assert_true(smmu_ext_instance_load(inst, good->data, good->len, &err));
    g_assert_no_error(err);
    g_assert_cmphex(t241g_r32(&f->g, G_SID_MATCH(1)), ==, 0x11);
    g_assert_cmphex(t241g_r32(&f->g, G_VI_INT_MASK_0), ==, 1);
}

/* Offsets near something real: a register, a queue slot, a page edge. */
static uint64_t
fuzz_offset(GRand *r)
{
    static const uint64_t pages[] = {
        0x0, 0x1000, 0x10000, 0x20000, 0x30000, 0x40000, 0x4ff80,
    };

    switch (g_rand_int_range(r, 0, 4)) {
    case 0:
        return g_rand_int_range(r, 0, 0x50100);
    case 1:
        return g_rand_int_range(r, 0, 0x240);
    default:
        return pages[g_rand_int_range(r, 0, G_N_ELEMENTS(pages))] +
               0x80 * g_rand_int_range(r, 0, 4) + g_rand_int_range(r, 0, 26);
    }
}

static uint64_t
fuzz_value(GRand *r)
{
    static const uint64_t nice[] = {
        0, 1, 0x20001, 0xffffffff, G_RAM_GPA | 8, G_RAM_GPA | 31,
        0x1000 | 4, 3,
    };

    if (g_rand_boolean(r)) {
        return nice[g_rand_int_range(r, 0, G_N_ELEMENTS(nice))];
    }
    return (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
}

static void
fuzz(Fx *f, guint32 seed)
{
    static const unsigned sizes[] = { 1, 2, 3, 4, 4, 4, 8, 8 };
    g_autoptr(GRand) r = g_rand_new_with_seed(seed);

    for (unsigned i = 0; i < 6000; i++) {
        uint64_t off = fuzz_offset(r);
        unsigned size = sizes[g_rand_int_range(r, 0, G_N_ELEMENTS(sizes))];

        if (g_rand_boolean(r)) {
            smmu_ext_vmm_write(f->vmm, off, fuzz_value(r), size, NULL);
        } else {
            smmu_ext_vmm_read(f->vmm, off, size, NULL);
        }
        switch (g_rand_int_range(r, 0, 200)) {
        case 0:
            smmu_ext_vmm_step(f->vmm, 1);
            smmu_ext_vmm_main_loop_once(f->vmm);
            break;
        case 1:
            smmu_ext_vmm_reset(f->vmm);
            break;
        }
    }
}

static void
test_fuzz(Fx *f, gconstpointer data)
{
    g_test_summary("thousands of random accesses (any offset, size, value) "
                   "neither crash nor leak, and the guest can still come "
                   "up afterwards");
    fuzz(f, g_test_rand_int());
    smmu_ext_vmm_reset(f->vmm);
    t241g_probe(&f->g);
    t241g_hw_reset(&f->g);
}

/* --- counters and the test-only fault switch ------------------------------ */

static void
counter_put(void *ctx, const char *name, uint64_t value)
{
    g_assert_false(g_hash_table_contains(ctx, name));
    g_hash_table_insert(ctx, g_strdup(name), g_memdup2(&value, 8));
}

/* The extension's counters by name; a missing one reads G_MAXUINT64. */
static GHashTable *
counters_of(Fx *f)
{
    GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          g_free);

    smmu_ext_instance_counters(smmu_ext_vmm_instance(f->vmm), counter_put,
                               h);
    return h;
}

static uint64_t
counter(GHashTable *h, const char *name)
{
    const uint64_t *v = g_hash_table_lookup(h, name);

    return v ? *v : G_MAXUINT64;
}

static void
test_counters(gconstpointer data)
{
    const char *profile = data;
    Fx f;
    unsigned irqs;
    g_autoptr(GArray) trace = NULL;
    g_autoptr(GHashTable) c = NULL;
    g_autofree char *json = NULL;
    g_autofree char *text = NULL;

    g_test_summary("per VCMDQ, the commands consumed by opcode and the "
                   "queue errors reach the host's counters and the report");
    fx_open(&f, profile, 4096);
    trace = run_guest(&f, &irqs);
    c = counters_of(&f);
    if (g_str_equal(profile, "none")) {
        /* VCMDQ0: ASID, VA, ATC, SYNC, an illegal CFGI_STE (error),
         * then its replacement SYNC; VCMDQ1: ATC, SYNC. */
        g_assert_cmpuint(counter(c, "vcmdq0.tlbi_nh_asid"), ==, 1);
        g_assert_cmpuint(counter(c, "vcmdq0.tlbi_nh_va"), ==, 1);
        g_assert_cmpuint(counter(c, "vcmdq0.atc_inv"), ==, 1);
        g_assert_cmpuint(counter(c, "vcmdq0.cmd_sync"), ==, 2);
        g_assert_cmpuint(counter(c, "vcmdq0.other"), ==, 0);
        g_assert_cmpuint(counter(c, "vcmdq1.atc_inv"), ==, 1);
        g_assert_cmpuint(counter(c, "vcmdq1.cmd_sync"), ==, 1);
        g_assert_cmpuint(counter(c, "commands.cmd_sync"), ==, 3);
        g_assert_cmpuint(counter(c, "commands.dropped"), ==, 0);
    } else {
        /* The host hardware runs the commands; only its error (a
         * Tegra241 vEVENT) is visible to the module. */
        g_assert_cmpuint(counter(c, "commands.cmd_sync"), ==, 0);
    }
    g_assert_cmpuint(counter(c, "vcmdq0.errors"), ==, 1);
    g_assert_cmpuint(counter(c, "vcmdq1.errors"), ==,
                     g_str_equal(profile, "none") ? 0 : G_MAXUINT64);
    g_assert_cmpuint(counter(c, "command_errors"), ==, 1);
    /* Queues that counted nothing are left out. */
    g_assert_cmpuint(counter(c, "vcmdq2.errors"), ==, G_MAXUINT64);

    json = smmu_ext_instance_report(smmu_ext_vmm_instance(f.vmm),
                                    SMMU_EXT_REPORT_JSON);
    text = smmu_ext_instance_report(smmu_ext_vmm_instance(f.vmm),
                                    SMMU_EXT_REPORT_TEXT);
    g_assert_nonnull(strstr(json, "\"counters\": {\"commands.tlbi_nh_asid\""));
    g_assert_nonnull(strstr(json, "\"command_errors\": 1"));
    g_assert_nonnull(strstr(text, "counter command_errors: 1\n"));
    if (g_str_equal(profile, "none")) {
        g_assert_nonnull(strstr(json, "\"vcmdq0.cmd_sync\": 2"));
        g_assert_nonnull(strstr(text, "counter vcmdq0.cmd_sync: 2\n"));
    }
    /* The whole run: a reset does not clear them. */
    smmu_ext_vmm_reset(f.vmm);
    g_hash_table_unref(c);
    c = counters_of(&f);
    g_assert_cmpuint(counter(c, "command_errors"), ==, 1);
    fx_close(&f);
}

/* Bring up, run four commands on VCMDQ0; how many reached the host. */
static uint64_t
run_four(Fx *f, uint32_t *cons)
{
    T241Guest *g = &f->g;
    uint64_t cmds[4][2];
    uint64_t n = 0;

    t241g_probe(g);
    t241g_hw_reset(g);
    t241g_make_cmd(cmds[0], G_CMD_TLBI_NH_ASID);
    t241g_make_cmd(cmds[1], G_CMD_TLBI_NH_VA);
    t241g_make_cmd(cmds[2], G_CMD_TLBI_NH_VA);
    t241g_make_cmd(cmds[3], G_CMD_SYNC);
    t241g_submit(g, 0, cmds, 4);
    *cons = t241g_poll(g, G_VINTF_P0(0) + G_CONS, ~0u, 4);
    n += smmu_ext_vmm_host_cmd_count(f->vmm, G_CMD_TLBI_NH_ASID);
    n += smmu_ext_vmm_host_cmd_count(f->vmm, G_CMD_TLBI_NH_VA);
    n += smmu_ext_vmm_host_cmd_count(f->vmm, G_CMD_SYNC);
    return n;
}

static void
test_break_drop(void)
{
    Fx f;
    uint32_t cons;
    g_autoptr(GHashTable) c = NULL;

    g_test_summary("SMMU_EXT_TEGRA241_BREAK=drop: CONS advances but no "
                   "command reaches the host (control: unset, all four do)");
    g_unsetenv("SMMU_EXT_TEGRA241_BREAK");
    fx_open(&f, "none", 4096);
    g_assert_cmpuint(run_four(&f, &cons), ==, 4);
    g_assert_cmphex(cons, ==, 4);
    fx_close(&f);

    g_setenv("SMMU_EXT_TEGRA241_BREAK", "drop", TRUE);
    fx_open(&f, "none", 4096);
    g_unsetenv("SMMU_EXT_TEGRA241_BREAK");      /* read once, at init */
    g_assert_cmpuint(run_four(&f, &cons), ==, 0);
    g_assert_cmphex(cons, ==, 4);
    c = counters_of(&f);
    g_assert_cmpuint(counter(c, "vcmdq0.dropped"), ==, 4);
    g_assert_cmpuint(counter(c, "commands.tlbi_nh_va"), ==, 0);
    g_assert_cmpuint(counter(c, "commands.cmd_sync"), ==, 0);
    fx_close(&f);
}

/* CMDQV_EN and VINTF0 EN written; what STATUS and VINTF0 STATUS say. */
static uint32_t
enable_status(const char *profile)
{
    Fx f;
    uint32_t st;

    fx_open(&f, profile, 4096);
    t241g_w32(&f.g, G_CONFIG, 1);
    t241g_w32(&f.g, G_VINTF_CONFIG, 1);
    st = (t241g_r32(&f.g, G_STATUS) & 1) |
         (t241g_r32(&f.g, G_VINTF_STATUS) & 1) << 1;
    fx_close(&f);
    return st;
}

static void
test_break_disable(void)
{
    g_test_summary("SMMU_EXT_TEGRA241_BREAK=disable: neither CMDQV nor "
                   "VINTF0 ever reports enabled (control: unset, both do), "
                   "emulated and accelerated");
    g_unsetenv("SMMU_EXT_TEGRA241_BREAK");
    g_assert_cmphex(enable_status("none"), ==, 3);
    g_assert_cmphex(enable_status("tegra241"), ==, 3);
    g_setenv("SMMU_EXT_TEGRA241_BREAK", "disable", TRUE);
    g_assert_cmphex(enable_status("none"), ==, 0);
    g_assert_cmphex(enable_status("tegra241"), ==, 0);
    g_setenv("SMMU_EXT_TEGRA241_BREAK", "bogus", TRUE);
    g_assert_cmphex(enable_status("none"), ==, 3);
    g_unsetenv("SMMU_EXT_TEGRA241_BREAK");
}

/*
 * Accelerated: do the four commands run on the simulated hardware, and is
 * VINTF0 page0 mapped?
 */
static bool
trap_run(uint32_t *cons, uint64_t *ran)
{
    Fx f;
    bool direct = false;

    fx_open(&f, "tegra241", 4096);
    run_four(&f, cons);
    *ran = smmu_ext_sim_cmd_count(f.sim, G_CMD_TLBI_NH_ASID) +
           smmu_ext_sim_cmd_count(f.sim, G_CMD_TLBI_NH_VA) +
           smmu_ext_sim_cmd_count(f.sim, G_CMD_SYNC);
    smmu_ext_vmm_read(f.vmm, G_VINTF_P0(0) + G_QSTATUS, 4, &direct);
    fx_close(&f);
    return direct;
}

static void
test_break_trap(void)
{
    uint32_t cons;
    uint64_t ran;

    g_test_summary("SMMU_EXT_TEGRA241_BREAK=trap: the accelerated queues "
                   "still run, but VINTF0 page0 is never mapped, so every "
                   "doorbell traps (control: unset, it is mapped)");
    g_unsetenv("SMMU_EXT_TEGRA241_BREAK");
    g_assert_true(trap_run(&cons, &ran));
    g_assert_cmpuint(ran, ==, 4);
    g_assert_cmphex(cons, ==, 4);
    g_setenv("SMMU_EXT_TEGRA241_BREAK", "trap", TRUE);
    g_assert_false(trap_run(&cons, &ran));
    g_unsetenv("SMMU_EXT_TEGRA241_BREAK");
    g_assert_cmpuint(ran, ==, 4);
    g_assert_cmphex(cons, ==, 4);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/tegra241/emulated/matches-host", test_matches_host);
    g_test_add("/tegra241/emulated/bad-rings", Fx, NULL, fx_setup_emulated,
               test_bad_rings, fx_teardown);
    g_test_add_func("/tegra241/emulated/save-load-continues",
                    test_save_load);
    g_test_add("/tegra241/emulated/load-refuses", Fx, NULL,
               fx_setup_emulated, test_load_refuses, fx_teardown);
    g_test_add_data_func("/tegra241/counters/emulated", "none",
                         test_counters);
    g_test_add_data_func("/tegra241/counters/accelerated", "tegra241",
                         test_counters);
    g_test_add_func("/tegra241/break/drop", test_break_drop);
    g_test_add_func("/tegra241/break/disable", test_break_disable);
    g_test_add_func("/tegra241/break/trap", test_break_trap);
    g_test_add("/tegra241/fuzz/emulated", Fx, NULL, fx_setup_emulated,
               test_fuzz, fx_teardown);
    g_test_add("/tegra241/fuzz/accelerated", Fx, NULL, fx_setup_accel,
               test_fuzz, fx_teardown);
    return g_test_run();
}
