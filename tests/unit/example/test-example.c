/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The example (toy) module, loaded from the build tree like any module:
 * emulated through the host API with a tiny host of our own, and its
 * place in selection on the simulated tegra241 and smmuv3 hosts.
 */
#include <errno.h>
#include <string.h>
#include "smmu-ext.h"
#include "smmu-ext-sim.h"
#include "../../../plugins/smmu-ext/example/regs.h"

#define RAM_GPA   0x40000000ull
#define RAM_SIZE  0x2000u
#define CMD_GPA   (RAM_GPA + 0x100)
#define OP_TLBI_NH_ASID 0x11

/* --- a host just big enough for the emulated extension ----------------- */

typedef struct Host {
    uint8_t ram[RAM_SIZE];
    uint64_t last_cmd[2];
    unsigned n_cmds;
    int cmd_result;
    unsigned irq_edges;
    bool irq_level;
    unsigned guest_lines;
} Host;

static bool
host_dma_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
    Host *h = opaque;

    if (gpa < RAM_GPA || gpa - RAM_GPA > RAM_SIZE ||
        len > RAM_SIZE - (gpa - RAM_GPA)) {
        return false;
    }
    memcpy(buf, h->ram + (gpa - RAM_GPA), len);
    return true;
}

static int
host_handle_cmd(void *opaque, const uint64_t cmd[2])
{
    Host *h = opaque;

    h->last_cmd[0] = cmd[0];
    h->last_cmd[1] = cmd[1];
    h->n_cmds++;
    return h->cmd_result;
}

static void
host_set_irq(void *opaque, unsigned line, bool level)
{
    Host *h = opaque;

    g_assert_cmpuint(line, ==, EXAMPLE_IRQ_LINE);
    if (level && !h->irq_level) {
        h->irq_edges++;
    }
    h->irq_level = level;
}

static void
host_log(void *opaque, GLogLevelFlags level, const char *msg)
{
    Host *h = opaque;

    if (g_str_has_prefix(msg, "guest:")) {
        h->guest_lines++;
    }
}

static const SmmuExtHostOps host_ops = {
    .size = sizeof(SmmuExtHostOps),
    .log = host_log,
    .set_irq = host_set_irq,
    .dma_read = host_dma_read,
    .handle_cmd = host_handle_cmd,
};

typedef struct Fixture {
    Host host;
    SmmuExtRegistry *reg;
    SmmuExtInstance *inst;
} Fixture;

static SmmuExtInstance *
emulated_instance(SmmuExtRegistry *reg, Host *host)
{
    g_autoptr(GError) err = NULL;
    SmmuExtInstance *inst;

    inst = smmu_ext_instance_new(reg, "example", &host_ops, host, &err);
    g_assert_no_error(err);
    g_assert_nonnull(inst);
    /* No iommufd: the named extension runs fully emulated. */
    g_assert_true(smmu_ext_instance_attach(inst, NULL, 1, 0, &err));
    g_assert_no_error(err);
    return inst;
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    memset(&f->host, 0, sizeof(f->host));
    f->reg = smmu_ext_registry_new();
    f->inst = emulated_instance(f->reg, &f->host);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    smmu_ext_instance_free(f->inst);
    smmu_ext_registry_free(f->reg);
}

static uint32_t
rd(Fixture *f, uint64_t off)
{
    return smmu_ext_instance_mmio_read(f->inst, off, 4);
}

static void
wr(Fixture *f, uint64_t off, uint32_t val)
{
    smmu_ext_instance_mmio_write(f->inst, off, val, 4);
}

static void
put_cmd(Fixture *f, uint64_t gpa, uint64_t w0, uint64_t w1)
{
    uint64_t le[2] = { GUINT64_TO_LE(w0), GUINT64_TO_LE(w1) };

    memcpy(f->host.ram + (gpa - RAM_GPA), le, sizeof(le));
}

static void
ring(Fixture *f, uint64_t gpa)
{
    smmu_ext_instance_mmio_write(f->inst, A_EXAMPLE_DOORBELL, gpa, 8);
}

static uint32_t
errcode(uint32_t status)
{
    return (status & EXAMPLE_STATUS_ERRCODE_MASK) >>
           EXAMPLE_STATUS_ERRCODE_SHIFT;
}

/* --- registry and selection --------------------------------------------- */

static int
module_index(SmmuExtRegistry *reg, const char *name)
{
    for (guint i = 0; i < smmu_ext_registry_n_modules(reg); i++) {
        if (!strcmp(smmu_ext_registry_module(reg, i)->name, name)) {
            return i;
        }
    }
    return -1;
}

static void
test_registry_below_tegra241(void)
{
    SmmuExtRegistry *reg = smmu_ext_registry_new();
    g_autoptr(GError) err = NULL;
    const SmmuExtModuleInfo *ex, *tg;
    int iex, itg;

    g_test_summary("The example loads from the build tree as a module with "
                   "its own type and emulation, probed after tegra241");
    g_assert_true(smmu_ext_registry_load(reg, NULL, &err));
    g_assert_no_error(err);
    iex = module_index(reg, "example");
    itg = module_index(reg, "tegra241");
    g_assert_cmpint(iex, >=, 0);
    g_assert_cmpint(itg, >=, 0);
    g_assert_cmpint(itg, <, iex);

    ex = smmu_ext_registry_module(reg, iex);
    tg = smmu_ext_registry_module(reg, itg);
    g_assert_cmphex(ex->hw_info_type, ==, EXAMPLE_HW_INFO_TYPE);
    g_assert_cmphex(ex->hw_info_type, !=, tg->hw_info_type);
    g_assert_cmpint(ex->priority, <, tg->priority);
    g_assert_true(ex->emulation);
    g_assert_cmpuint(ex->abi_major, ==, SMMU_EXT_ABI_MAJOR);
    g_assert_nonnull(ex->path);
    g_assert_true(g_str_has_suffix(ex->path, "smmu-ext-example.so"));
    smmu_ext_registry_free(reg);
}

typedef struct SimHost {
    SmmuExtSim *sim;
    SmmuExtRegistry *reg;
    SmmuExtInstance *inst;
    uint32_t dev;
} SimHost;

static gboolean
sim_attach(SimHost *s, SmmuExtSimProfile profile, const char *mode,
           GError **errp)
{
    g_autoptr(GError) err = NULL;

    s->sim = smmu_ext_sim_new(profile);
    s->reg = smmu_ext_registry_new();
    s->inst = smmu_ext_instance_new(s->reg, mode, NULL, NULL, &err);
    g_assert_no_error(err);
    s->dev = smmu_ext_sim_add_device(s->sim, 0x100);
    return smmu_ext_instance_attach(s->inst, smmu_ext_sim_iommufd(s->sim),
                                    s->dev, smmu_ext_sim_s2_hwpt(s->sim),
                                    errp);
}

static void
sim_free(SimHost *s)
{
    smmu_ext_instance_free(s->inst);
    /* Nothing of the instance outlives it in the kernel. */
    g_assert_cmpuint(smmu_ext_sim_live_total(s->sim), ==, 0);
    smmu_ext_sim_remove_device(s->sim, s->dev);
    smmu_ext_sim_free(s->sim);
    smmu_ext_registry_free(s->reg);
}

static void
test_auto_picks_tegra241(void)
{
    SimHost s = { 0 };
    g_autoptr(GError) err = NULL;
    g_autofree char *report = NULL;

    g_test_summary("cmdqv=auto on a Tegra241 host selects tegra241: the "
                   "example's lower priority never takes its place");
    g_assert_true(sim_attach(&s, SMMU_EXT_SIM_TEGRA241, "auto", &err));
    g_assert_no_error(err);
    g_assert_cmpstr(smmu_ext_instance_extension(s.inst), ==, "tegra241");
    g_assert_false(smmu_ext_instance_emulated(s.inst));
    report = smmu_ext_instance_report(s.inst, SMMU_EXT_REPORT_TEXT);
    g_assert_nonnull(strstr(report, "probe tegra241"));
    /* tegra241 accepted first, so the example was never asked. */
    g_assert_null(strstr(report, "probe example"));
    sim_free(&s);
}

static void
test_auto_smmuv3_declines(void)
{
    SimHost s = { 0 };
    g_autoptr(GError) err = NULL;
    g_autofree char *report = NULL;
    g_autofree char *eopnotsupp = g_strdup_printf("errno %d", EOPNOTSUPP);
    const char *line;

    g_test_summary("On a plain SMMUv3 host the kernel refuses the example's "
                   "made-up hw_info type (EOPNOTSUPP): a plain vIOMMU");
    g_assert_true(sim_attach(&s, SMMU_EXT_SIM_SMMUV3, "auto", &err));
    g_assert_no_error(err);
    g_assert_cmpstr(smmu_ext_instance_extension(s.inst), ==, "none");
    g_assert_cmpuint(smmu_ext_sim_live(s.sim, SMMU_EXT_SIM_VIOMMU), ==, 1);
    report = smmu_ext_instance_report(s.inst, SMMU_EXT_REPORT_TEXT);
    line = strstr(report, "probe example");
    g_assert_nonnull(line);
    g_assert_nonnull(strstr(line, eopnotsupp));
    sim_free(&s);
}

static void
test_named_on_tegra241_fails(void)
{
    SimHost s = { 0 };
    g_autoptr(GError) err = NULL;

    g_test_summary("cmdqv=example with a host iommufd fails cleanly: the "
                   "kernel knows no such type and nothing is allocated");
    g_assert_false(sim_attach(&s, SMMU_EXT_SIM_TEGRA241, "example", &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_NO_EXTENSION);
    g_assert_nonnull(strstr(err->message, "example"));
    g_assert_cmpstr(smmu_ext_instance_extension(s.inst), ==, "none");
    g_assert_cmpuint(smmu_ext_sim_live_total(s.sim), ==, 0);
    sim_free(&s);
}

/* --- emulated registers --------------------------------------------------- */

static void
test_emulated_identity(Fixture *f, gconstpointer data)
{
    SmmuExtGeometry geo = { .size = sizeof(geo) };
    g_autoptr(GError) err = NULL;

    g_test_summary("Emulated: one 4 KiB page, ID magic, migratable");
    g_assert_cmpstr(smmu_ext_instance_extension(f->inst), ==, "example");
    g_assert_true(smmu_ext_instance_emulated(f->inst));
    g_assert_cmphex(smmu_ext_instance_mmio_size(f->inst), ==,
                    EXAMPLE_MMIO_SIZE);
    g_assert_true(smmu_ext_instance_geometry(f->inst, &geo));
    g_assert_cmpuint(geo.n_queues, ==, 1);
    g_assert_cmpuint(smmu_ext_instance_cmdqs_cap(f->inst), ==, 0);
    g_assert_true(smmu_ext_instance_can_migrate(f->inst, &err));
    g_assert_no_error(err);
    g_assert_cmphex(rd(f, A_EXAMPLE_ID), ==, EXAMPLE_ID_VALUE);
    wr(f, A_EXAMPLE_ID, 0);
    g_assert_cmphex(rd(f, A_EXAMPLE_ID), ==, EXAMPLE_ID_VALUE);
}

static void
test_emulated_ctrl(Fixture *f, gconstpointer data)
{
    g_test_summary("CTRL keeps only EN and IRQ_EN; STATUS.ENABLED follows "
                   "CTRL.EN");
    g_assert_cmphex(rd(f, A_EXAMPLE_CTRL), ==, 0);
    g_assert_cmphex(rd(f, A_EXAMPLE_STATUS), ==, 0);
    wr(f, A_EXAMPLE_CTRL, 0xffffffff);
    g_assert_cmphex(rd(f, A_EXAMPLE_CTRL), ==, EXAMPLE_CTRL_MASK);
    g_assert_cmphex(rd(f, A_EXAMPLE_STATUS), ==, EXAMPLE_STATUS_ENABLED);
    wr(f, A_EXAMPLE_CTRL, EXAMPLE_CTRL_IRQ_EN);
    g_assert_cmphex(rd(f, A_EXAMPLE_STATUS), ==, 0);
}

static void
test_emulated_doorbell(Fixture *f, gconstpointer data)
{
    const uint64_t w0 = OP_TLBI_NH_ASID | (0x42ull << 48), w1 = 0;

    g_test_summary("A doorbell write reads the command from guest RAM, "
                   "hands it to the host's SMMUv3 and raises the IRQ");
    put_cmd(f, CMD_GPA, w0, w1);
    wr(f, A_EXAMPLE_CTRL, EXAMPLE_CTRL_EN | EXAMPLE_CTRL_IRQ_EN);
    ring(f, CMD_GPA);
    g_assert_cmpuint(f->host.n_cmds, ==, 1);
    g_assert_cmphex(f->host.last_cmd[0], ==, w0);
    g_assert_cmphex(f->host.last_cmd[1], ==, w1);
    g_assert_cmphex(rd(f, A_EXAMPLE_STATUS), ==,
                    EXAMPLE_STATUS_ENABLED | EXAMPLE_STATUS_DONE);
    g_assert_cmpuint(rd(f, A_EXAMPLE_CMD_COUNT), ==, 1);
    g_assert_cmpuint(f->host.irq_edges, ==, 1);
    g_assert_false(f->host.irq_level);

    /* DONE is write-1-to-clear; the doorbell itself reads as zero. */
    wr(f, A_EXAMPLE_STATUS, EXAMPLE_STATUS_DONE);
    g_assert_cmphex(rd(f, A_EXAMPLE_STATUS), ==, EXAMPLE_STATUS_ENABLED);
    g_assert_cmphex(smmu_ext_instance_mmio_read(f->inst, A_EXAMPLE_DOORBELL,
                                                8), ==, 0);

    /* Without IRQ_EN the command still runs, silently. */
    wr(f, A_EXAMPLE_CTRL, EXAMPLE_CTRL_EN);
    ring(f, CMD_GPA);
    g_assert_cmpuint(f->host.n_cmds, ==, 2);
    g_assert_cmpuint(f->host.irq_edges, ==, 1);
    g_assert_cmpuint(rd(f, A_EXAMPLE_CMD_COUNT), ==, 2);
}

static void
test_emulated_doorbell_errors(Fixture *f, gconstpointer data)
{
    uint32_t st;

    g_test_summary("Illegal, misaligned and unreadable commands set ERR "
                   "and ERRCODE; a disabled or half-written doorbell does "
                   "nothing");
    put_cmd(f, CMD_GPA, 0xff, 0);
    /* Disabled: ignored, nothing reaches the host. */
    ring(f, CMD_GPA);
    g_assert_cmpuint(f->host.n_cmds, ==, 0);
    g_assert_cmphex(rd(f, A_EXAMPLE_STATUS), ==, 0);

    wr(f, A_EXAMPLE_CTRL, EXAMPLE_CTRL_EN | EXAMPLE_CTRL_IRQ_EN);
    f->host.cmd_result = 1;        /* the host SMMUv3: illegal command */
    ring(f, CMD_GPA);
    st = rd(f, A_EXAMPLE_STATUS);
    g_assert_cmphex(st & EXAMPLE_STATUS_W1C, ==, EXAMPLE_STATUS_ERR);
    g_assert_cmpuint(errcode(st), ==, 1);
    g_assert_cmpuint(f->host.irq_edges, ==, 1);

    /* Clearing ERR clears its code too. */
    wr(f, A_EXAMPLE_STATUS, EXAMPLE_STATUS_ERR);
    g_assert_cmphex(rd(f, A_EXAMPLE_STATUS), ==, EXAMPLE_STATUS_ENABLED);

    ring(f, CMD_GPA + 8);
    g_assert_cmpuint(errcode(rd(f, A_EXAMPLE_STATUS)), ==,
                     EXAMPLE_ERR_ALIGN);
    ring(f, RAM_GPA + RAM_SIZE);
    g_assert_cmpuint(errcode(rd(f, A_EXAMPLE_STATUS)), ==, EXAMPLE_ERR_DMA);
    ring(f, G_MAXUINT64 - 15);
    g_assert_cmpuint(errcode(rd(f, A_EXAMPLE_STATUS)), ==, EXAMPLE_ERR_DMA);
    g_assert_cmpuint(f->host.n_cmds, ==, 1);
    g_assert_cmpuint(rd(f, A_EXAMPLE_CMD_COUNT), ==, 1);

    /* Half an address is never acted on. */
    wr(f, A_EXAMPLE_STATUS, EXAMPLE_STATUS_W1C);
    wr(f, A_EXAMPLE_DOORBELL, (uint32_t)CMD_GPA);
    wr(f, A_EXAMPLE_DOORBELL + 4, (uint32_t)(CMD_GPA >> 32));
    g_assert_cmpuint(f->host.n_cmds, ==, 1);
    g_assert_cmphex(rd(f, A_EXAMPLE_STATUS), ==, EXAMPLE_STATUS_ENABLED);
}

static void
test_emulated_untrusted(Fixture *f, gconstpointer data)
{
    GRand *rand = g_rand_new_with_seed(0x7e57);
    int64_t start = g_get_monotonic_time();
    unsigned windows;

    g_test_summary("Any offset, size and value is safe, and what the guest "
                   "can make the host log is rate-limited");
    put_cmd(f, CMD_GPA, OP_TLBI_NH_ASID, 0);
    for (uint64_t off = 0; off < EXAMPLE_MMIO_SIZE + 16; off++) {
        for (unsigned size = 0; size <= 9; size++) {
            uint64_t v = ((uint64_t)g_rand_int(rand) << 32) |
                         g_rand_int(rand);

            smmu_ext_instance_mmio_read(f->inst, off, size);
            if (off == A_EXAMPLE_DOORBELL && size == 8) {
                v = CMD_GPA;       /* keep the host's command count exact */
            }
            smmu_ext_instance_mmio_write(f->inst, off, v, size);
        }
    }
    g_rand_free(rand);
    g_assert_cmphex(rd(f, A_EXAMPLE_ID), ==, EXAMPLE_ID_VALUE);
    g_assert_cmphex(rd(f, A_EXAMPLE_CTRL) & ~EXAMPLE_CTRL_MASK, ==, 0);
    /* Thousands of bad accesses, one burst of log lines per 5 s window
     * (plus its "suppressed" line) from each of the core (outside the
     * region) and the module's two keys (doorbell, bad access); slow
     * runners get more windows. */
    windows = (g_get_monotonic_time() - start) / (5 * G_TIME_SPAN_SECOND) + 1;
    g_assert_cmpuint(f->host.guest_lines, >, 0);
    g_assert_cmpuint(f->host.guest_lines, <=, 3 * windows * (10 + 1));
    g_assert_cmpuint(rd(f, A_EXAMPLE_CMD_COUNT), ==, f->host.n_cmds);
}

static void
add_counter(void *ctx, const char *name, uint64_t value)
{
    g_string_append_printf(ctx, "%s=%" G_GUINT64_FORMAT " ", name, value);
}

static void
test_emulated_counters(Fixture *f, gconstpointer data)
{
    g_autoptr(GString) c = g_string_new(NULL);

    g_test_summary("The example's counters reach the host: doorbells run "
                   "and those that failed, kept across reset");
    put_cmd(f, CMD_GPA, OP_TLBI_NH_ASID, 0);
    wr(f, A_EXAMPLE_CTRL, EXAMPLE_CTRL_EN);
    ring(f, CMD_GPA);
    ring(f, CMD_GPA + 8);                  /* misaligned: ERRCODE */
    smmu_ext_instance_reset(f->inst);
    smmu_ext_instance_counters(f->inst, add_counter, c);
    g_assert_cmpstr(c->str, ==, "doorbells=2 doorbell_errors=1 ");
}

static void
test_emulated_reset(Fixture *f, gconstpointer data)
{
    g_test_summary("Reset returns every register to its reset value");
    put_cmd(f, CMD_GPA, OP_TLBI_NH_ASID, 0);
    wr(f, A_EXAMPLE_CTRL, EXAMPLE_CTRL_EN | EXAMPLE_CTRL_IRQ_EN);
    ring(f, CMD_GPA);
    g_assert_cmpuint(rd(f, A_EXAMPLE_CMD_COUNT), ==, 1);
    smmu_ext_instance_reset(f->inst);
    g_assert_cmphex(rd(f, A_EXAMPLE_CTRL), ==, 0);
    g_assert_cmphex(rd(f, A_EXAMPLE_STATUS), ==, 0);
    g_assert_cmpuint(rd(f, A_EXAMPLE_CMD_COUNT), ==, 0);
    g_assert_cmphex(rd(f, A_EXAMPLE_ID), ==, EXAMPLE_ID_VALUE);
    g_assert_cmpstr(smmu_ext_instance_extension(f->inst), ==, "example");
}

static void
test_emulated_save_load(Fixture *f, gconstpointer data)
{
    g_autoptr(GByteArray) blob = g_byte_array_new();
    g_autoptr(GError) err = NULL;
    Host host2 = { 0 };
    SmmuExtInstance *dst;

    g_test_summary("Saved state loads into a fresh instance");
    put_cmd(f, CMD_GPA, OP_TLBI_NH_ASID, 0);
    wr(f, A_EXAMPLE_CTRL, EXAMPLE_CTRL_EN);
    f->host.cmd_result = 1;
    ring(f, CMD_GPA);
    ring(f, CMD_GPA);
    g_assert_true(smmu_ext_instance_save(f->inst, blob, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(blob->len, >, 0);

    dst = emulated_instance(f->reg, &host2);
    g_assert_true(smmu_ext_instance_load(dst, blob->data, blob->len, &err));
    g_assert_no_error(err);
    g_assert_cmphex(smmu_ext_instance_mmio_read(dst, A_EXAMPLE_CTRL, 4), ==,
                    EXAMPLE_CTRL_EN);
    g_assert_cmphex(smmu_ext_instance_mmio_read(dst, A_EXAMPLE_STATUS, 4),
                    ==, rd(f, A_EXAMPLE_STATUS));
    g_assert_cmpuint(smmu_ext_instance_mmio_read(dst, A_EXAMPLE_CMD_COUNT,
                                                 4), ==, 2);
    smmu_ext_instance_free(dst);
}

static void
test_emulated_load_refuses(Fixture *f, gconstpointer data)
{
    g_autoptr(GByteArray) blob = g_byte_array_new();
    g_autoptr(GError) err = NULL;
    g_autofree uint8_t *bad = NULL;
    const size_t corrupt[] = { 0, 4, 6 };   /* magic, version, length */

    g_test_summary("Short, foreign, newer or mis-sized state is refused "
                   "and leaves the registers untouched");
    wr(f, A_EXAMPLE_CTRL, EXAMPLE_CTRL_EN);
    g_assert_true(smmu_ext_instance_save(f->inst, blob, &err));
    g_assert_no_error(err);
    wr(f, A_EXAMPLE_CTRL, EXAMPLE_CTRL_IRQ_EN);

    g_assert_false(smmu_ext_instance_load(f->inst, blob->data, 3, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID);
    g_clear_error(&err);
    g_assert_false(smmu_ext_instance_load(f->inst, blob->data,
                                          blob->len - 1, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID);
    g_clear_error(&err);
    for (size_t i = 0; i < G_N_ELEMENTS(corrupt); i++) {
        g_free(bad);
        bad = g_memdup2(blob->data, blob->len);
        bad[corrupt[i]] ^= 0x5a;
        g_assert_false(smmu_ext_instance_load(f->inst, bad, blob->len,
                                              &err));
        g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID);
        g_clear_error(&err);
    }
    g_assert_cmphex(rd(f, A_EXAMPLE_CTRL), ==, EXAMPLE_CTRL_IRQ_EN);
}

/* --- through the reference VMM ---------------------------------------------- */

static SmmuExtVmm *
vmm_up(const char *profile, const char *mode)
{
    g_autoptr(GError) err = NULL;
    SmmuExtVmm *vmm = smmu_ext_vmm_new(profile, NULL, &err);

    g_assert_no_error(err);
    g_assert_true(smmu_ext_vmm_set_mode(vmm, mode, &err));
    g_assert_no_error(err);
    g_assert_true(smmu_ext_vmm_add_ram(vmm, RAM_GPA, RAM_SIZE, 4096, &err));
    g_assert_no_error(err);
    g_assert_true(smmu_ext_vmm_attach(vmm, 1, true, 0x10, &err));
    g_assert_no_error(err);
    return vmm;
}

static void
vmm_wr32(SmmuExtVmm *vmm, uint64_t off, uint32_t val)
{
    bool direct = true;

    smmu_ext_vmm_write(vmm, off, val, 4, &direct);
    g_assert_false(direct);
}

static void
test_vmm_emulated(void)
{
    SmmuExtVmm *vmm = vmm_up("none", "example");
    SmmuExtInstance *inst = smmu_ext_vmm_instance(vmm);
    uint64_t cmd[2] = { GUINT64_TO_LE(OP_TLBI_NH_ASID | (7ull << 48)), 0 };
    uint64_t before = smmu_ext_vmm_host_cmd_count(vmm, OP_TLBI_NH_ASID);
    bool direct = true;

    g_test_summary("cmdqv=example on a host without iommufd: the reference "
                   "VMM's SMMUv3 executes the command the doorbell names");
    g_assert_cmpstr(smmu_ext_instance_extension(inst), ==, "example");
    g_assert_true(smmu_ext_instance_emulated(inst));
    g_assert_cmphex(smmu_ext_vmm_read(vmm, A_EXAMPLE_ID, 4, &direct), ==,
                    EXAMPLE_ID_VALUE);
    g_assert_false(direct);

    g_assert_true(smmu_ext_vmm_mem_write(vmm, CMD_GPA, cmd, sizeof(cmd)));
    vmm_wr32(vmm, A_EXAMPLE_CTRL, EXAMPLE_CTRL_EN | EXAMPLE_CTRL_IRQ_EN);
    smmu_ext_vmm_write(vmm, A_EXAMPLE_DOORBELL, CMD_GPA, 8, NULL);
    g_assert_cmpuint(smmu_ext_vmm_host_cmd_count(vmm, OP_TLBI_NH_ASID), ==,
                     before + 1);
    g_assert_cmpuint(smmu_ext_vmm_irq_count(vmm, EXAMPLE_IRQ_LINE), ==, 1);
    g_assert_cmphex(smmu_ext_vmm_read(vmm, A_EXAMPLE_STATUS, 4, NULL), ==,
                    EXAMPLE_STATUS_ENABLED | EXAMPLE_STATUS_DONE);

    /* An opcode the host SMMUv3 does not know comes back as ERRCODE 1. */
    cmd[0] = GUINT64_TO_LE(0xff);
    g_assert_true(smmu_ext_vmm_mem_write(vmm, CMD_GPA, cmd, sizeof(cmd)));
    smmu_ext_vmm_write(vmm, A_EXAMPLE_DOORBELL, CMD_GPA, 8, NULL);
    g_assert_cmpuint(errcode(smmu_ext_vmm_read(vmm, A_EXAMPLE_STATUS, 4,
                                               NULL)), ==, 1);
    g_assert_cmpuint(smmu_ext_vmm_irq_count(vmm, EXAMPLE_IRQ_LINE), ==, 2);

    smmu_ext_vmm_reset(vmm);
    g_assert_cmphex(smmu_ext_vmm_read(vmm, A_EXAMPLE_CTRL, 4, NULL), ==, 0);
    g_assert_cmpuint(smmu_ext_sim_live_total(smmu_ext_vmm_sim(vmm)), ==, 0);
    smmu_ext_vmm_free(vmm);
}

static void
test_vmm_auto_tegra241(void)
{
    SmmuExtVmm *vmm = vmm_up("tegra241", "auto");

    g_test_summary("Through the VMM, cmdqv=auto on a Tegra241 host with the "
                   "example installed still selects tegra241");
    g_assert_cmpstr(smmu_ext_instance_extension(smmu_ext_vmm_instance(vmm)),
                    ==, "tegra241");
    g_assert_cmpint(module_index(smmu_ext_vmm_registry(vmm), "example"), >,
                    module_index(smmu_ext_vmm_registry(vmm), "tegra241"));
    smmu_ext_vmm_free(vmm);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/example/registry/probed-after-tegra241",
                    test_registry_below_tegra241);
    g_test_add_func("/example/select/auto-picks-tegra241",
                    test_auto_picks_tegra241);
    g_test_add_func("/example/select/smmuv3-kernel-declines",
                    test_auto_smmuv3_declines);
    g_test_add_func("/example/select/named-with-iommufd-fails",
                    test_named_on_tegra241_fails);
#define ADD(path, fn) \
    g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/example/emulated/identity", test_emulated_identity);
    ADD("/example/emulated/ctrl-status", test_emulated_ctrl);
    ADD("/example/emulated/doorbell-runs-command", test_emulated_doorbell);
    ADD("/example/emulated/doorbell-errors", test_emulated_doorbell_errors);
    ADD("/example/emulated/untrusted-guest", test_emulated_untrusted);
    ADD("/example/emulated/reset", test_emulated_reset);
    ADD("/example/emulated/counters", test_emulated_counters);
    ADD("/example/emulated/save-load", test_emulated_save_load);
    ADD("/example/emulated/load-refuses-bad-state",
        test_emulated_load_refuses);
#undef ADD
    g_test_add_func("/example/vmm/emulated-doorbell", test_vmm_emulated);
    g_test_add_func("/example/vmm/auto-picks-tegra241",
                    test_vmm_auto_tegra241);
    return g_test_run();
}
