/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `smmu-ext demo`: a whole VM lifecycle on the simulated host, as a
 * numbered timeline between two plain sentences (what is simulated, what
 * is shown) and a verdict line with the host objects left.  The guest side
 * plays the Linux tegra241-cmdqv driver's register sequence (bring-up,
 * runtime, error recovery); every value it depends on is checked, so the
 * demo doubles as a smoke test and exits 1 when anything, including a
 * leaked object, is off.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "smmu-ext-sim.h"
#include "smmu-ext-tool.h"

/* Tegra241 CMDQV guest map (one VINTF). */
#define CMDQV_CONFIG        0x00000
#define CMDQV_PARAM         0x00004
#define CMDQV_STATUS        0x00008
#define CMDQV_VINTF_ERR_MAP 0x00014
#define CMDQV_CMDQ_ERR_MAP  0x00024
#define CMDQV_CMDQ_ALLOC(q) (0x00200 + 4 * (q))
#define VINTF0_CONFIG       0x01000
#define VINTF0_STATUS       0x01004
#define VINTF0_SID_MATCH(s) (0x01040 + 4 * (s))
#define VINTF0_SID_REPL(s)  (0x01080 + 4 * (s))
#define VINTF0_LVCMDQ_ERR   0x010c0
#define VINTF_HYP_OWN       (1u << 17)
#define LVCMDQ_PAGE0(q)     (0x30000 + 0x80 * (q))
#define LVCMDQ_PAGE1(q)     (0x40000 + 0x80 * (q))
#define VCMDQ_CONS          0x00
#define VCMDQ_PROD          0x04
#define VCMDQ_CONFIG        0x08
#define VCMDQ_STATUS        0x0c
#define VCMDQ_GERROR        0x10
#define VCMDQ_GERRORN       0x14
#define VCMDQ_BASE          0x00   /* page1 */
#define VCMDQ_CONS_BASE     0x08   /* page1 */
#define CONS_ERR(cons)      (((cons) >> 24) & 0x7f)
#define CONS_ERR_ILL        1

/* SMMUv3 command opcodes (dword0 [7:0]). */
#define CMD_CFGI_STE        0x03
#define CMD_TLBI_NH_ASID    0x11
#define CMD_TLBI_NH_VA      0x12
#define CMD_SYNC            0x46
#define EVT_F_TRANSLATION   0x10

#define DEMO_RAM_GPA        UINT64_C(0x80000000)
#define DEMO_RAM_SIZE       (16u << 20)
#define DEMO_QUEUE_GPA(q)   (DEMO_RAM_GPA + 0x100000 + UINT64_C(0x10000) * (q))
#define DEMO_LOG2SIZE       8       /* 256 entries: one 4 KiB page */
#define DEMO_MAX_QUEUES     16
#define DEMO_DEVID          1
#define DEMO_VSID           0x10
#define DEMO_POLL_READS     1000

typedef struct Demo {
    SmmuExtVmm *vmm;
    SmmuExtSim *sim;
    bool quiet;
    bool emulated;
    unsigned step;
    unsigned problems;
    unsigned n_queues;
} Demo;

static void G_GNUC_PRINTF(2, 3)
say(Demo *d, const char *fmt, ...)
{
    va_list ap;

    d->step++;
    if (d->quiet) {
        return;
    }
    printf("[%2u] ", d->step);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

static void G_GNUC_PRINTF(2, 3)
detail(Demo *d, const char *fmt, ...)
{
    va_list ap;

    if (d->quiet) {
        return;
    }
    printf("     ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

/* Something the guest relies on did not hold: always printed. */
static void G_GNUC_PRINTF(2, 3)
problem(Demo *d, const char *fmt, ...)
{
    va_list ap;

    d->problems++;
    fprintf(stderr, "smmu-ext demo: step %u: ", d->step);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static uint32_t
rd(Demo *d, uint64_t off)
{
    return smmu_ext_vmm_read(d->vmm, off, 4, NULL);
}

static void
wr(Demo *d, uint64_t off, uint32_t val)
{
    smmu_ext_vmm_write(d->vmm, off, val, 4, NULL);
}

static void
wr64(Demo *d, uint64_t off, uint64_t val)
{
    smmu_ext_vmm_write(d->vmm, off, val, 8, NULL);
}

static void
expect(Demo *d, const char *what, uint64_t got, uint64_t want)
{
    if (got != want) {
        problem(d, "%s: expected 0x%" G_GINT64_MODIFIER "x, got 0x%"
                G_GINT64_MODIFIER "x", what, want, got);
    }
}

/* The Linux polling rule: STATUS.bit0 must follow CONFIG.bit0. */
static unsigned
poll_bit0(Demo *d, const char *what, uint64_t off, uint32_t want)
{
    for (unsigned i = 1; i <= DEMO_POLL_READS; i++) {
        if ((rd(d, off) & 1) == want) {
            return i;
        }
        smmu_ext_vmm_step(d->vmm, 1);
    }
    problem(d, "%s: STATUS.bit0 never became %u", what, want);
    return 0;
}

static void
main_loop(Demo *d)
{
    smmu_ext_vmm_main_loop_once(d->vmm);
}

/* Host kernel objects; a host without a simulated kernel holds none. */
static unsigned
live(Demo *d, SmmuExtSimKind kind)
{
    return d->sim ? smmu_ext_sim_live(d->sim, kind) : 0;
}

static const char *
live_line(Demo *d, char *buf, size_t size)
{
    g_snprintf(buf, size, "viommu %u, hw_queue %u, veventq %u, vdevice %u, "
               "mmap %u, fds %u",
               live(d, SMMU_EXT_SIM_VIOMMU), live(d, SMMU_EXT_SIM_HW_QUEUE),
               live(d, SMMU_EXT_SIM_VEVENTQ), live(d, SMMU_EXT_SIM_VDEVICE),
               live(d, SMMU_EXT_SIM_MMAP),
               d->sim ? smmu_ext_sim_open_fds(d->sim) : 0);
    return buf;
}

static void
show_objects(Demo *d)
{
    char buf[160];

    detail(d, "host kernel objects: %s", live_line(d, buf, sizeof(buf)));
}

/* --- guest RAM: the command ring -------------------------------------- */

static void
put_cmd(Demo *d, unsigned q, unsigned idx, uint64_t w0, uint64_t w1)
{
    uint64_t cmd[2] = { GUINT64_TO_LE(w0), GUINT64_TO_LE(w1) };
    uint64_t gpa = DEMO_QUEUE_GPA(q) + 16ull * idx;

    if (!smmu_ext_vmm_mem_write(d->vmm, gpa, cmd, sizeof(cmd))) {
        problem(d, "guest RAM write at 0x%" G_GINT64_MODIFIER "x failed",
                gpa);
    }
}

static uint64_t
cmd_count(Demo *d, uint8_t op)
{
    return d->emulated ? smmu_ext_vmm_host_cmd_count(d->vmm, op) :
                         smmu_ext_sim_cmd_count(d->sim, op);
}

static void
show_cmd_counts(Demo *d)
{
    detail(d, "%s executed: TLBI_NH_ASID %" G_GUINT64_FORMAT
           ", TLBI_NH_VA %" G_GUINT64_FORMAT ", CMD_SYNC %" G_GUINT64_FORMAT
           ", CFGI_STE %" G_GUINT64_FORMAT,
           d->emulated ? "host SMMUv3 (emulated queue)" : "simulated CMDQV",
           cmd_count(d, CMD_TLBI_NH_ASID), cmd_count(d, CMD_TLBI_NH_VA),
           cmd_count(d, CMD_SYNC), cmd_count(d, CMD_CFGI_STE));
}

/* --- the Linux guest's bring-up (tegra241-cmdqv 3.10) ------------------ */

static void
vcmdq_deinit(Demo *d, unsigned q)
{
    uint32_t gerror, gerrorn;

    wr(d, LVCMDQ_PAGE0(q) + VCMDQ_CONFIG, 0);
    poll_bit0(d, "VCMDQ disable", LVCMDQ_PAGE0(q) + VCMDQ_STATUS, 0);
    wr(d, LVCMDQ_PAGE0(q) + VCMDQ_PROD, 0);
    wr(d, LVCMDQ_PAGE0(q) + VCMDQ_CONS, 0);
    wr64(d, LVCMDQ_PAGE1(q) + VCMDQ_BASE, 0);
    wr64(d, LVCMDQ_PAGE1(q) + VCMDQ_CONS_BASE, 0);
    gerrorn = rd(d, LVCMDQ_PAGE0(q) + VCMDQ_GERRORN);
    gerror = rd(d, LVCMDQ_PAGE0(q) + VCMDQ_GERROR);
    if (gerror != gerrorn) {
        wr(d, LVCMDQ_PAGE0(q) + VCMDQ_GERRORN, gerror);
    }
}

static void
cmdqv_reset(Demo *d)
{
    uint32_t config = rd(d, CMDQV_CONFIG);
    uint32_t param = rd(d, CMDQV_PARAM);

    d->n_queues = MIN(1u << ((param >> 4) & 0xf), DEMO_MAX_QUEUES);
    say(d, "guest probe: CONFIG 0x%08x, PARAM 0x%08x (version %u, %u "
        "VCMDQs, %u vSID slots)", config, param, param & 0xf, d->n_queues,
        1u << ((param >> 12) & 0xf));

    wr(d, CMDQV_CONFIG, config & ~1u);
    poll_bit0(d, "CMDQV disable", CMDQV_STATUS, 0);
    wr(d, CMDQV_CONFIG, config | 1u);
    poll_bit0(d, "CMDQV enable", CMDQV_STATUS, 1);
    say(d, "CMDQV reset: CONFIG.EN 0 then 1, STATUS now 0x%x",
        rd(d, CMDQV_STATUS));

    for (unsigned q = 0; q < d->n_queues; q++) {
        wr(d, CMDQV_CMDQ_ALLOC(q), q << 1);
    }
    say(d, "CMDQ_ALLOC static assignment: queue q -> VINTF0 LVCMDQ q, "
        "not allocated yet");
}

static void
vintf_deinit(Demo *d)
{
    for (unsigned q = d->n_queues; q-- > 0;) {
        vcmdq_deinit(d, q);
        wr(d, CMDQV_CMDQ_ALLOC(q), rd(d, CMDQV_CMDQ_ALLOC(q)) & ~1u);
    }
    say(d, "deinit pass, LVCMDQ %u down to 0: CONFIG 0, PROD/CONS 0, BASE "
        "0, GERRORN = GERROR, unmapped", d->n_queues - 1);
    wr(d, VINTF0_CONFIG, 0);
    poll_bit0(d, "VINTF disable", VINTF0_STATUS, 0);
    for (unsigned s = 0; s < 16; s++) {
        wr(d, VINTF0_SID_MATCH(s), 0);
        wr(d, VINTF0_SID_REPL(s), 0);
    }
    say(d, "VINTF0 off, SID_MATCH/SID_REPLACE cleared");
}

static void
vintf_enable(Demo *d)
{
    uint32_t config;

    wr(d, VINTF0_CONFIG, VINTF_HYP_OWN);
    wr(d, VINTF0_CONFIG, VINTF_HYP_OWN | 1);
    poll_bit0(d, "VINTF enable", VINTF0_STATUS, 1);
    config = rd(d, VINTF0_CONFIG);
    expect(d, "VINTF0 CONFIG.HYP_OWN", config & VINTF_HYP_OWN, 0);
    say(d, "VINTF0 on: CONFIG 0x%05x then 0x%05x, STATUS 0x%x, HYP_OWN "
        "reads %u (a guest is never hypervisor-owned)", VINTF_HYP_OWN,
        VINTF_HYP_OWN | 1, rd(d, VINTF0_STATUS), !!(config & VINTF_HYP_OWN));
}

static void
vcmdq_up(Demo *d, unsigned q)
{
    uint64_t base = (DEMO_QUEUE_GPA(q) & UINT64_C(0xffffffffffe0)) |
                    DEMO_LOG2SIZE;
    bool direct = false;
    unsigned reads;

    wr(d, CMDQV_CMDQ_ALLOC(q), rd(d, CMDQV_CMDQ_ALLOC(q)) | 1u);
    vcmdq_deinit(d, q);
    wr64(d, LVCMDQ_PAGE1(q) + VCMDQ_BASE, base);
    wr(d, LVCMDQ_PAGE0(q) + VCMDQ_CONFIG, 1);
    reads = poll_bit0(d, "VCMDQ enable", LVCMDQ_PAGE0(q) + VCMDQ_STATUS, 1);
    smmu_ext_vmm_read(d->vmm, LVCMDQ_PAGE0(q) + VCMDQ_STATUS, 4, &direct);
    main_loop(d);
    say(d, "LVCMDQ %u up: allocated, BASE 0x%" G_GINT64_MODIFIER "x (2^%u "
        "entries at 0x%" G_GINT64_MODIFIER "x), CONFIG.EN 1, STATUS.EN 1 "
        "after %u read(s); page0 %s", q, base, DEMO_LOG2SIZE,
        DEMO_QUEUE_GPA(q), reads,
        direct ? "mapped directly (host VINTF page)" : "trapped");
}

static void
bring_up(Demo *d)
{
    cmdqv_reset(d);
    vintf_deinit(d);
    vintf_enable(d);
    for (unsigned q = 0; q < d->n_queues; q++) {
        vcmdq_up(d, q);
    }
    if (!d->emulated) {
        show_objects(d);
        expect(d, "live HW queues", live(d, SMMU_EXT_SIM_HW_QUEUE),
               d->n_queues);
    }
}

/* --- runtime, error and recovery --------------------------------------- */

static uint32_t
consume(Demo *d, unsigned q, uint32_t prod)
{
    uint32_t cons;

    wr(d, LVCMDQ_PAGE0(q) + VCMDQ_PROD, prod);
    smmu_ext_vmm_step(d->vmm, 1);
    main_loop(d);
    cons = rd(d, LVCMDQ_PAGE0(q) + VCMDQ_CONS);
    return cons;
}

static void
run_commands(Demo *d)
{
    uint32_t cons;

    put_cmd(d, 0, 0, CMD_TLBI_NH_ASID | (1ull << 48), 0);
    put_cmd(d, 0, 1, CMD_TLBI_NH_VA | (1ull << 48), 0x400000);
    put_cmd(d, 0, 2, CMD_SYNC, 0);
    say(d, "guest writes TLBI_NH_ASID, TLBI_NH_VA, CMD_SYNC into LVCMDQ 0 "
        "(guest RAM 0x%" G_GINT64_MODIFIER "x)", DEMO_QUEUE_GPA(0));
    cons = consume(d, 0, 3);
    expect(d, "CONS after 3 commands", cons, 3);
    say(d, "PROD 0 -> 3, hardware step: CONS 0 -> %u", cons);
    show_cmd_counts(d);
}

static void
inject_error(Demo *d)
{
    unsigned irqs = smmu_ext_vmm_irq_count(d->vmm, 0);
    uint32_t cons;

    put_cmd(d, 0, 3, CMD_CFGI_STE, 0);
    put_cmd(d, 0, 4, CMD_SYNC, 0);
    say(d, "guest (buggy) queues CFGI_STE, illegal in a guest VCMDQ, then "
        "CMD_SYNC; PROD -> 5");
    cons = consume(d, 0, 5);
    expect(d, "CONS index at the bad entry", cons & 0xff, 3);
    expect(d, "CONS error code", CONS_ERR(cons), CONS_ERR_ILL);
    say(d, "hardware stops: CONS 0x%08x (index %u, error %u = ILL)", cons,
        cons & 0xff, CONS_ERR(cons));

    expect(d, "VINTF_ERR_MAP", rd(d, CMDQV_VINTF_ERR_MAP) & 1, 1);
    expect(d, "CMDQ_ERR_MAP", rd(d, CMDQV_CMDQ_ERR_MAP) & 1, 1);
    expect(d, "LVCMDQ_ERR_MAP", rd(d, VINTF0_LVCMDQ_ERR) & 1, 1);
    expect(d, "CMDQV interrupts", smmu_ext_vmm_irq_count(d->vmm, 0) - irqs,
           1);
    say(d, "guest sees it: VINTF_ERR_MAP 0x%x, CMDQ_ERR_MAP 0x%x, "
        "LVCMDQ_ERR_MAP 0x%x, %u interrupt(s) on line 0",
        rd(d, CMDQV_VINTF_ERR_MAP), rd(d, CMDQV_CMDQ_ERR_MAP),
        rd(d, VINTF0_LVCMDQ_ERR), smmu_ext_vmm_irq_count(d->vmm, 0) - irqs);
}

static void
recover(Demo *d)
{
    uint32_t gerror = rd(d, LVCMDQ_PAGE0(0) + VCMDQ_GERROR);
    uint32_t gerrorn = rd(d, LVCMDQ_PAGE0(0) + VCMDQ_GERRORN);
    uint32_t cons = rd(d, LVCMDQ_PAGE0(0) + VCMDQ_CONS);
    uint64_t sync = CMD_SYNC;

    if (gerror == gerrorn) {
        problem(d, "GERROR 0x%x == GERRORN: no active error", gerror);
    }
    put_cmd(d, 0, cons & 0xff, sync, 0);
    wr(d, LVCMDQ_PAGE0(0) + VCMDQ_GERRORN, gerror);
    say(d, "guest interrupt handler: GERROR 0x%x != GERRORN 0x%x; entry %u "
        "replaced by CMD_SYNC, GERRORN = 0x%x", gerror, gerrorn, cons & 0xff,
        gerror);
    smmu_ext_vmm_step(d->vmm, 1);
    main_loop(d);
    cons = rd(d, LVCMDQ_PAGE0(0) + VCMDQ_CONS);
    expect(d, "CONS after recovery", cons, 5);
    say(d, "queue resumes: CONS 0x%x", cons);
    show_cmd_counts(d);
}

/* --- plain path: no extension, events through the SMMUv3 EVTQ ---------- */

static void
plain_event(Demo *d)
{
    uint64_t evt[4] = { EVT_F_TRANSLATION, 0, 0x12345000, 0 };
    unsigned before = smmu_ext_vmm_guest_events(d->vmm);
    uint32_t dev_id = smmu_ext_vmm_sim_dev(d->vmm, DEMO_DEVID);

    if (!dev_id || !smmu_ext_sim_post_event(d->sim, dev_id, evt)) {
        problem(d, "the simulated kernel dropped the event");
    }
    say(d, "no extension: guest commands go to the emulated SMMUv3 CMDQ; "
        "the host SMMU reports F_TRANSLATION for device %u", DEMO_DEVID);
    main_loop(d);
    expect(d, "guest EVTQ entries", smmu_ext_vmm_guest_events(d->vmm) - before,
           1);
    if (smmu_ext_vmm_guest_events(d->vmm) > before) {
        const uint64_t *e = smmu_ext_vmm_guest_event(d->vmm, before);

        expect(d, "event StreamID (the vSID)", e[0] >> 32, DEMO_VSID);
        say(d, "guest EVTQ receives event 0x%02x for StreamID 0x%x (the "
            "vSID), address 0x%" G_GINT64_MODIFIER "x", (unsigned)(e[0] & 0xff),
            (unsigned)(e[0] >> 32), e[2]);
    }
}

/* --- the lifecycle ------------------------------------------------------ */

static bool
demo_attach(Demo *d, const char *profile)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *report = NULL;
    SmmuExtInstance *inst;

    if (!smmu_ext_vmm_attach(d->vmm, DEMO_DEVID, true, DEMO_VSID, &err)) {
        problem(d, "attach: %s", err->message);
        return false;
    }
    inst = smmu_ext_vmm_instance(d->vmm);
    d->emulated = smmu_ext_instance_emulated(inst);
    say(d, "device %u attached (vSID 0x%x): extension %s selected, %s",
        DEMO_DEVID, DEMO_VSID, smmu_ext_instance_extension(inst),
        d->emulated ? "fully emulated (no host IOMMU, no vIOMMU)" :
        "vIOMMU and vDEVICE allocated");
    report = smmu_ext_instance_report(inst, SMMU_EXT_REPORT_TEXT);
    if (!d->quiet) {
        g_auto(GStrv) lines = g_strsplit(g_strchomp(report), "\n", -1);

        for (char **l = lines; *l; l++) {
            detail(d, "| %s", *l);
        }
    }
    show_objects(d);
    if (!smmu_ext_vmm_set_guest_eventq(d->vmm, true, 7, &err)) {
        problem(d, "guest EVTQ: %s", err->message);
    }
    say(d, "guest enables its SMMUv3 event queue (128 entries)");
    return true;
}

static void
teardown(Demo *d)
{
    g_autoptr(GError) err = NULL;

    smmu_ext_vmm_reset(d->vmm);
    main_loop(d);
    say(d, "system reset: registers back to reset values%s",
        d->sim && smmu_ext_sim_profile(d->sim) != SMMU_EXT_SIM_NONE ?
        ", HW queues freed, vIOMMU kept" : "");
    show_objects(d);
    expect(d, "HW queues after reset", live(d, SMMU_EXT_SIM_HW_QUEUE), 0);
    if (!smmu_ext_vmm_detach(d->vmm, DEMO_DEVID, &err)) {
        problem(d, "detach: %s", err->message);
    }
    main_loop(d);
    say(d, "device %u detached%s", DEMO_DEVID,
        d->sim && smmu_ext_sim_profile(d->sim) != SMMU_EXT_SIM_NONE ?
        ": vDEVICE, vEVENTQs, mappings and vIOMMU destroyed" : "");
}

static bool
have_module(SmmuExtRegistry *reg, const char *name)
{
    for (guint i = 0; i < smmu_ext_registry_n_modules(reg); i++) {
        if (!strcmp(smmu_ext_registry_module(reg, i)->name, name)) {
            return true;
        }
    }
    return false;
}

/* What the run is about, for someone who has never seen an SMMU.  Without
 * the Tegra241 module, a Tegra241 host runs the plain path. */
static void
introduce(Demo *d, const char *profile, bool have_t241)
{
    static const struct {
        const char *profile;
        const char *host;
        const char *shown;
    } intro[] = {
        { "tegra241", "an Arm SMMUv3 and its NVIDIA Tegra241 CMDQV extension",
          "how the extension is chosen, how the guest sets up command "
          "queues that the (simulated) hardware then runs, how a bad "
          "command reaches the guest and is recovered from" },
        { "smmuv3", "an Arm SMMUv3 without any command-queue extension",
          "the fallback to a plain vIOMMU and a device fault reaching the "
          "guest's event queue" },
        { "none", "no IOMMU at all",
          "the NVIDIA Tegra241 CMDQV extension running fully emulated: the "
          "guest sets up command queues, runs commands, hits a bad one and "
          "recovers" },
    };

    if (d->quiet) {
        return;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(intro); i++) {
        if (!strcmp(profile, intro[i].profile)) {
            printf("This simulates, in software, a host with %s (the Linux "
                   "iommufd interface and the hardware) and a virtual "
                   "machine whose guest drives it as Linux does.\n"
                   "It shows, step by step, %s, and that reset and "
                   "shutdown leave no host object behind.\n\n",
                   intro[i].host, have_t241 ? intro[i].shown :
                   "that without the extension module the host falls back "
                   "to a plain vIOMMU, and a device fault reaching the "
                   "guest's event queue");
        }
    }
}

/* The last line: pass or fail, and the host objects still alive. */
static int
verdict(Demo *d)
{
    unsigned left = d->sim ? smmu_ext_sim_live_total(d->sim) : 0;
    char buf[160];

    live_line(d, buf, sizeof(buf));
    if (d->problems || left) {
        printf("verdict: FAIL (%u check(s) failed, %u host object(s) "
               "left); live objects: %s\n", d->problems, left, buf);
        return TOOL_EXIT_FAIL;
    }
    printf("verdict: PASS (every check held, nothing left); live objects: "
           "%s\n", buf);
    return TOOL_EXIT_OK;
}

static int
demo_run(const char *profile, const char *dirs, bool quiet)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(SmmuExtRegistry) reg = tool_registry_new_noted("demo", dirs);
    g_autoptr(SmmuExtVmm) vmm = NULL;
    /* Without a host IOMMU, name the extension: it then runs emulated. */
    const char *mode = !strcmp(profile, "none") ? "tegra241" : "auto";
    Demo d = { .quiet = quiet };

    vmm = smmu_ext_vmm_new(profile, reg, &err);
    if (!vmm) {
        return tool_usage_error("demo", "%s", err->message);
    }
    d.vmm = vmm;
    d.sim = smmu_ext_vmm_sim(vmm);
    if (!smmu_ext_vmm_set_mode(vmm, mode, &err) ||
        !smmu_ext_vmm_add_ram(vmm, DEMO_RAM_GPA, DEMO_RAM_SIZE, 4096, &err)) {
        return tool_fail("demo", err, TOOL_EXIT_FAIL);
    }
    introduce(&d, profile, have_module(reg, "tegra241"));
    say(&d, "simulated host '%s', cmdqv=%s, guest RAM %u "
        "MiB at 0x%" G_GINT64_MODIFIER "x (4 KiB pages)", profile, mode,
        DEMO_RAM_SIZE >> 20, DEMO_RAM_GPA);
    if (demo_attach(&d, profile)) {
        if (!strcmp(smmu_ext_instance_extension(smmu_ext_vmm_instance(vmm)),
                    "tegra241")) {
            bring_up(&d);
            run_commands(&d);
            inject_error(&d);
            recover(&d);
        } else {
            plain_event(&d);
        }
        teardown(&d);
    }
    return verdict(&d);
}

int
tool_cmd_demo(int argc, char **argv)
{
    g_autofree char *profile = NULL;
    g_autofree char *dirs = NULL;
    gboolean quiet = FALSE;
    const GOptionEntry entries[] = {
        { "sim", 's', 0, G_OPTION_ARG_STRING, &profile,
          "Simulated host: tegra241 (default), smmuv3 or none", "PROFILE" },
        { "dir", 'd', 0, G_OPTION_ARG_STRING, &dirs,
          "Module directories (':'-separated) instead of the default",
          "DIRS" },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
          "Print only problems and the verdict line", NULL },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = tool_option_context_new(
        "demo", NULL,
        "Run a whole VM lifecycle on the simulated host with a numbered "
        "timeline:\nselection, vIOMMU, the Linux guest's CMDQV bring-up, "
        "commands consumed,\nan illegal command reaching the guest as "
        "ERR_MAP + IRQ, the guest's\nrecovery, reset and teardown.  The last "
        "line is the verdict, PASS or FAIL,\nwith the host objects left (all "
        "0, else exit 1).", entries);

    if (!tool_option_parse(ctx, "demo", &argc, &argv)) {
        return TOOL_EXIT_USAGE;
    }
    if (argc > 1) {
        return tool_usage_error("demo", "unexpected argument '%s'", argv[1]);
    }
    return demo_run(profile ? profile : "tegra241", dirs, quiet);
}
