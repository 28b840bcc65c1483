/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The replay runner for a real QEMU (see replay-qemu.h).  Host
 * configuration (ram, cmdqv) becomes QEMU's command line, so QEMU starts
 * at the first command that needs the machine; from then on every access
 * is a qtest request, IRQs are intercepted at the SMMU's SysBus outputs,
 * and a command's host-side error is what QEMU prints for the device on
 * stderr while it runs.  Messages and the summary match replay-run.c's.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "qtest.h"
#include "replay-check.h"
#include "replay-qemu.h"
#include "smmu-ext-tool.h"

#define DEVICE_ID        "smmu0"
#define DEVICE_PATH      "/machine/peripheral/" DEVICE_ID
#define DEVICE_OWNER     "dev id=" DEVICE_ID
#define DEVICE_LABEL     "arm-smmuv3 " DEVICE_ID  /* in QEMU's messages */
#define SMMU_REGS_NAME   "arm-smmuv3"       /* SysBus MMIO 0 */
#define SMMU_IRQS        4                  /* before the extension's */
#define START_TIMEOUT_MS 60000

typedef struct RamRange {
    uint64_t gpa, size;
} RamRange;

typedef struct QemuRun {
    ReplayTally tally;       /* script, checks, failures */
    const char *qemu;
    bool trace;
    GError *pending;        /* the previous command's error, for expect-error */
    GArray *ram;            /* RamRange */
    char *mode;
    Qtest *qt;              /* NULL until the first command that needs it */
    GError *start_err;      /* why QEMU is not running, once it failed */
    unsigned start_line;    /* the line that tried to start it */
    unsigned line;          /* the line being run */
    bool have_region;
    uint64_t region_base, region_size;
    size_t log_seen;        /* bytes of QEMU's stderr already attributed */
    GHashTable *devices;    /* attached devids */
    GHashTable *irq_seen;   /* line -> rising edges at its last irq check */
} QemuRun;

static void
trace_access(QemuRun *run, const ReplayCmd *cmd, const char *kind,
             uint64_t addr, uint64_t val, const char *path)
{
    if (run->trace) {
        printf("%s:%u: %s 0x%05" PRIx64 " = 0x%" PRIx64 " (%s)\n",
               run->tally.script->name, cmd->line, kind, addr, val, path);
    }
}

/* --- the system address space ----------------------------------------- */

typedef struct MtreeLine {
    unsigned indent;
    uint64_t start, end;
    char *name;
    char *owner;            /* "dev id=..." or NULL */
} MtreeLine;

static bool
mtree_parse_line(const char *line, MtreeLine *out)
{
    const char *p = line + strspn(line, " ");
    const char *colon, *own, *name_end;
    char *end;

    out->indent = p - line;
    out->start = g_ascii_strtoull(p, &end, 16);
    if (end == p || *end != '-') {
        return false;
    }
    p = end + 1;
    out->end = g_ascii_strtoull(p, &end, 16);
    if (end == p || strncmp(end, " (", 2) || !(colon = strstr(end, "): "))) {
        return false;
    }
    p = colon + 3;
    own = strstr(p, " owner:{");
    name_end = own ? own : p + strcspn(p, "\r");
    if (name_end - p > 11 && !strncmp(name_end - 11, " [disabled]", 11)) {
        name_end -= 11;
    }
    out->name = g_strndup(p, name_end - p);
    out->owner = NULL;
    if (own) {
        own += strlen(" owner:{");
        out->owner = g_strndup(own, strcspn(own, "}"));
    }
    return true;
}

bool
replay_qemu_find_region(const char *mtree, const char *owner,
                        const char *exclude, bool *found, uint64_t *base,
                        uint64_t *size, GError **errp)
{
    g_auto(GStrv) lines = g_strsplit(mtree, "\n", -1);
    g_autoptr(GArray) stack = g_array_new(FALSE, FALSE, sizeof(MtreeLine));
    bool in_memory = false, seen_memory = false;
    unsigned matches = 0;

    *found = false;
    for (char **l = lines; *l; l++) {
        MtreeLine m;
        bool nested = false;

        g_strchomp(*l);
        if (!strncmp(*l, "address-space: ", 15) ||
            !strncmp(*l, "memory-region: ", 15) || !**l) {
            in_memory = !strcmp(*l, "address-space: memory");
            seen_memory |= in_memory;
            continue;
        }
        if (!in_memory || !mtree_parse_line(*l, &m)) {
            continue;
        }
        while (stack->len &&
               g_array_index(stack, MtreeLine, stack->len - 1).indent >=
                   m.indent) {
            g_free(g_array_index(stack, MtreeLine, stack->len - 1).owner);
            g_array_set_size(stack, stack->len - 1);
        }
        for (guint i = 0; i < stack->len; i++) {
            const char *o = g_array_index(stack, MtreeLine, i).owner;

            nested |= o && !strcmp(o, owner);
        }
        if (!nested && m.owner && !strcmp(m.owner, owner) &&
            strcmp(m.name, exclude)) {
            matches++;
            *found = true;
            *base = m.start;
            *size = m.end - m.start + 1;
        }
        g_free(m.name);
        /* only the owner matters below; the stack keeps it */
        g_array_append_val(stack, m);
    }
    for (guint i = 0; i < stack->len; i++) {
        g_free(g_array_index(stack, MtreeLine, i).owner);
    }
    if (!seen_memory) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_FAILED,
                    "info mtree shows no system address space");
        return false;
    }
    if (matches > 1) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_FAILED,
                    "%u regions of %s besides %s: cannot tell which is the "
                    "extension's", matches, owner, exclude);
        return false;
    }
    return true;
}

/* --- guest RAM -------------------------------------------------------- */

static bool
ram_add(QemuRun *run, uint64_t gpa, uint64_t size, GError **errp)
{
    RamRange r = { .gpa = gpa, .size = size };

    if (gpa < REPLAY_QEMU_RAM_BASE || size > REPLAY_QEMU_RAM_MAX ||
        gpa - REPLAY_QEMU_RAM_BASE > REPLAY_QEMU_RAM_MAX - size) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "ram: [0x%" PRIx64 ", +0x%" PRIx64 ") does not fit the "
                    "virt machine's RAM [0x%llx, 0x%llx)", gpa, size,
                    REPLAY_QEMU_RAM_BASE,
                    REPLAY_QEMU_RAM_BASE + REPLAY_QEMU_RAM_MAX);
        return false;
    }
    for (guint i = 0; i < run->ram->len; i++) {
        const RamRange *o = &g_array_index(run->ram, RamRange, i);

        if (gpa < o->gpa + o->size && o->gpa < gpa + size) {
            g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                        "ram: [0x%" PRIx64 ", +0x%" PRIx64 ") overlaps "
                        "[0x%" PRIx64 ", +0x%" PRIx64 ")", gpa, size,
                        o->gpa, o->size);
            return false;
        }
    }
    g_array_append_val(run->ram, r);
    return true;
}

/* Only the script's RAM is RAM, as on the reference VMM: -m covers more. */
static bool
ram_holds(const QemuRun *run, uint64_t gpa, uint64_t len)
{
    for (guint i = 0; i < run->ram->len; i++) {
        const RamRange *r = &g_array_index(run->ram, RamRange, i);

        if (gpa >= r->gpa && len <= r->size && gpa - r->gpa <= r->size - len) {
            return true;
        }
    }
    return false;
}

/* -m in MiB: from the RAM base to the end of the highest range. */
static uint64_t
ram_mib(const QemuRun *run)
{
    uint64_t end = REPLAY_QEMU_RAM_BASE + (64ull << 20);

    if (run->ram->len) {
        end = 0;
    }
    for (guint i = 0; i < run->ram->len; i++) {
        const RamRange *r = &g_array_index(run->ram, RamRange, i);

        end = MAX(end, r->gpa + r->size);
    }
    return (end - REPLAY_QEMU_RAM_BASE + (1ull << 20) - 1) >> 20;
}

/* --- QEMU ------------------------------------------------------------- */

static bool
qemu_find_region(QemuRun *run, Qtest *qt, GError **errp)
{
    g_autofree char *mtree = qtest_hmp(qt, "info mtree -o", errp);

    return mtree && replay_qemu_find_region(mtree, DEVICE_OWNER,
                                            SMMU_REGS_NAME, &run->have_region,
                                            &run->region_base,
                                            &run->region_size, errp);
}

static bool
qemu_start(QemuRun *run, GError **errp)
{
    g_autofree char *mem = g_strdup_printf("%" PRIu64 "M", ram_mib(run));
    /* QEMU's option syntax: a comma in a value is written twice */
    g_auto(GStrv) parts = g_strsplit(run->mode, ",", -1);
    g_autofree char *mode = g_strjoinv(",,", parts);
    g_autofree char *dev = g_strdup_printf(
        "arm-smmuv3,id=" DEVICE_ID ",primary-bus=pcie.0,cmdqv=%s", mode);
    const char *argv[] = {
        run->qemu, "-M", "virt", "-accel", "qtest", "-nodefaults",
        "-nic", "none", "-display", "none", "-m", mem, "-device", dev, NULL,
    };
    g_autoptr(Qtest) qt = qtest_new(errp);

    if (!qt) {
        return false;
    }
    if (!qtest_launch(qt, argv, START_TIMEOUT_MS, errp) ||
        !qtest_irq_intercept_out(qt, DEVICE_PATH, "sysbus-irq", errp) ||
        !qemu_find_region(run, qt, errp)) {
        return false;
    }
    run->qt = g_steal_pointer(&qt);
    return true;
}

static char *qemu_host_error(QemuRun *run);

/* QEMU for a command that needs the machine: started on first use. */
static Qtest *
qemu(QemuRun *run, GError **errp)
{
    if (!run->qt && !run->start_err) {
        if (!qemu_start(run, &run->start_err)) {
            run->start_line = run->line;
            g_propagate_error(errp, g_error_copy(run->start_err));
            return NULL;
        }
        /* what QEMU said while starting is no command's error */
        g_free(qemu_host_error(run));
    }
    if (!run->qt) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_FAILED,
                    "QEMU is not running (it failed to start at line %u)",
                    run->start_line);
    }
    return run->qt;
}

/*
 * The error QEMU reported for the device since the last call, as the
 * reference VMM's host errors: the adapter prints the library's
 * report_error() (a host operation failed) as a warning naming the
 * device.  Guest-caused errors are not errors of a command there either.
 */
static char *
qemu_host_error(QemuRun *run)
{
    g_autofree char *path = NULL;
    g_autoptr(GString) text = g_string_new(NULL);
    g_auto(GStrv) lines = NULL;
    const char *last = NULL;
    char chunk[4096];
    FILE *f;
    size_t n;

    if (!run->qt) {
        return NULL;
    }
    path = g_build_filename(qtest_dir(run->qt), "stderr", NULL);
    f = fopen(path, "r");
    if (!f) {
        return NULL;
    }
    if (fseek(f, run->log_seen, SEEK_SET) == 0) {
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
            g_string_append_len(text, chunk, n);
        }
    }
    fclose(f);
    /* a line still being written is read next time, whole */
    while (text->len && text->str[text->len - 1] != '\n') {
        g_string_truncate(text, text->len - 1);
    }
    run->log_seen += text->len;
    lines = g_strsplit(text->str, "\n", -1);
    for (char **l = lines; *l; l++) {
        const char *label = strstr(*l, DEVICE_LABEL ": ");

        if (label) {
            last = label + strlen(DEVICE_LABEL ": ");
        }
    }
    return last ? g_strdup(last) : NULL;
}

/* --- commands --------------------------------------------------------- */

/* An access of the extension region: outside it reads 0, writes drop. */
static bool
in_region(const QemuRun *run, uint64_t off, unsigned size)
{
    return run->have_region && size <= run->region_size &&
           off <= run->region_size - size;
}

static bool
mmio_read(QemuRun *run, const ReplayCmd *cmd, uint64_t off, unsigned size,
          uint64_t *val, GError **errp)
{
    Qtest *qt = qemu(run, errp);

    *val = 0;
    if (!qt) {
        return false;
    }
    if (in_region(run, off, size) &&
        !qtest_read(qt, run->region_base + off, size, val, errp)) {
        return false;
    }
    trace_access(run, cmd, size == 4 ? "r32" : "r64", off, *val,
                 in_region(run, off, size) ? "qemu" : "outside");
    return true;
}

static bool
mmio_write(QemuRun *run, const ReplayCmd *cmd, uint64_t off, uint64_t val,
           unsigned size, GError **errp)
{
    Qtest *qt = qemu(run, errp);

    if (!qt) {
        return false;
    }
    trace_access(run, cmd, size == 4 ? "w32" : "w64", off, val,
                 in_region(run, off, size) ? "qemu" : "outside");
    return !in_region(run, off, size) ||
           qtest_write(qt, run->region_base + off, size, val, errp);
}

static bool
run_read(QemuRun *run, const ReplayCmd *cmd, unsigned size, GError **errp)
{
    uint64_t all_ones = size == 4 ? G_MAXUINT32 : G_MAXUINT64;
    uint64_t v;

    if (!mmio_read(run, cmd, cmd->num[0], size, &v, errp)) {
        return false;
    }
    if (cmd->has_val) {
        replay_check_value(&run->tally, cmd, v, cmd->num[1], cmd->num[2],
                           all_ones);
    }
    return true;
}

static bool
step(QemuRun *run, uint64_t n, GError **errp)
{
    Qtest *qt = qemu(run, errp);

    return qt && qtest_clock_step(qt, n * REPLAY_QEMU_STEP_NS, errp);
}

static bool
run_poll(QemuRun *run, const ReplayCmd *cmd, GError **errp)
{
    uint64_t off = cmd->num[0], mask = cmd->num[1], val = cmd->num[2];
    uint64_t steps = cmd->num[3];
    uint64_t v = 0;

    for (uint64_t i = 0; i < steps; i++) {
        if ((i && !step(run, 1, errp)) ||
            !mmio_read(run, cmd, off, 4, &v, errp)) {
            return false;
        }
        if ((v & mask) == val) {
            run->tally.checks++;
            return true;
        }
    }
    replay_check(&run->tally, cmd, false, "expected (read & 0x%" PRIx64
                 ") == 0x%" PRIx64 " within %" PRIu64 " reads, got 0x%" PRIx64,
                 mask, val, steps, v);
    return true;
}

static bool
run_mem(QemuRun *run, const ReplayCmd *cmd, GError **errp)
{
    unsigned n = cmd->n_num - 1;
    g_autofree uint64_t *words = g_new(uint64_t, n);
    Qtest *qt;

    for (unsigned i = 0; i < n; i++) {
        words[i] = GUINT64_TO_LE(cmd->num[i + 1]);
        trace_access(run, cmd, "mem", cmd->num[0] + 8 * i, cmd->num[i + 1],
                     "guest RAM");
    }
    if (!ram_holds(run, cmd->num[0], n * 8ull)) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "mem: [0x%" PRIx64 ", +0x%x) is not guest RAM",
                    cmd->num[0], n * 8);
        return false;
    }
    qt = qemu(run, errp);
    return qt && qtest_memwrite(qt, cmd->num[0], words, n * 8, errp);
}

static bool
run_memr(QemuRun *run, const ReplayCmd *cmd, GError **errp)
{
    uint64_t word;
    Qtest *qt;

    if (!ram_holds(run, cmd->num[0], 8)) {
        replay_check(&run->tally, cmd, false, "expected 0x%" PRIx64
                     ", got no guest RAM at 0x%" PRIx64, cmd->num[1],
                     cmd->num[0]);
        return true;
    }
    qt = qemu(run, errp);
    if (!qt || !qtest_memread(qt, cmd->num[0], &word, 8, errp)) {
        return false;
    }
    word = GUINT64_FROM_LE(word);
    trace_access(run, cmd, "memr", cmd->num[0], word, "guest RAM");
    replay_check_value(&run->tally, cmd, word, cmd->num[1], cmd->num[2],
                       G_MAXUINT64);
    return true;
}

static bool
run_irq(QemuRun *run, const ReplayCmd *cmd, GError **errp)
{
    unsigned line = cmd->num[0];
    Qtest *qt = qemu(run, errp);
    unsigned now, before;

    if (!qt) {
        return false;
    }
    /* qtest reports the levels of SysBus lines 0..255 only */
    now = line < 256 - SMMU_IRQS ? qtest_irq_raised(qt, SMMU_IRQS + line) : 0;
    before = GPOINTER_TO_UINT(g_hash_table_lookup(run->irq_seen,
                                                  GUINT_TO_POINTER(line)));
    g_hash_table_insert(run->irq_seen, GUINT_TO_POINTER(line),
                        GUINT_TO_POINTER(now));
    replay_check(&run->tally, cmd, now - before == cmd->num[1],
                 "expected %" PRIu64 " interrupts, got %u", cmd->num[1],
                 now - before);
    return true;
}

static bool
run_attach(QemuRun *run, const ReplayCmd *cmd, GError **errp)
{
    gpointer devid = GUINT_TO_POINTER(cmd->num[0] + 1);

    /* No host device exists in emulated mode: only QEMU must be up. */
    if (!qemu(run, errp)) {
        return false;
    }
    if (g_hash_table_contains(run->devices, devid)) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "device %" PRIu64 " is already attached", cmd->num[0]);
        return false;
    }
    g_hash_table_add(run->devices, devid);
    return true;
}

static bool
run_detach(QemuRun *run, const ReplayCmd *cmd, GError **errp)
{
    if (!g_hash_table_remove(run->devices,
                             GUINT_TO_POINTER(cmd->num[0] + 1))) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "device %" PRIu64 " is not attached", cmd->num[0]);
        return false;
    }
    return true;
}

static bool
run_selected(QemuRun *run, const ReplayCmd *cmd, GError **errp)
{
    Qtest *qt = qemu(run, errp);
    g_autofree char *got = NULL;

    if (!qt) {
        return false;
    }
    got = qtest_qom_get_string(qt, DEVICE_PATH, "cmdqv-selected", errp);
    if (!got) {
        return false;
    }
    replay_check(&run->tally, cmd, !strcmp(got, cmd->str),
                 "expected %s, got %s", cmd->str, got);
    return true;
}

static void
run_expect_error(QemuRun *run, const ReplayCmd *cmd)
{
    g_autoptr(GError) err = g_steal_pointer(&run->pending);

    if (!err) {
        replay_check(&run->tally, cmd, false,
                     "expected an error containing '%s', got success",
                     cmd->str);
        return;
    }
    replay_check(&run->tally, cmd, strstr(err->message, cmd->str) != NULL,
                 "expected an error containing '%s', got '%s'", cmd->str,
                 err->message);
}

/* Host configuration is QEMU's command line: fixed once it runs. */
static bool
before_start(QemuRun *run, const ReplayCmd *cmd, GError **errp)
{
    if (run->qt || run->start_err) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "%s: QEMU is already running", replay_op_name(cmd->op));
        return false;
    }
    return true;
}

static bool
run_cmd(QemuRun *run, const ReplayCmd *cmd, GError **errp)
{
    const uint64_t *n = cmd->num;
    Qtest *qt;

    switch (cmd->op) {
    case REPLAY_HOST:
        return true;            /* checked before the run */
    case REPLAY_RAM:
        return before_start(run, cmd, errp) &&
               ram_add(run, n[0], n[1], errp);
    case REPLAY_CMDQV:
        if (!before_start(run, cmd, errp)) {
            return false;
        }
        g_free(run->mode);
        run->mode = g_strdup(cmd->str);
        return true;
    case REPLAY_ATTACH:
        return run_attach(run, cmd, errp);
    case REPLAY_DETACH:
        return run_detach(run, cmd, errp);
    case REPLAY_W32:
        return mmio_write(run, cmd, n[0], n[1], 4, errp);
    case REPLAY_W64:
        return mmio_write(run, cmd, n[0], n[1], 8, errp);
    case REPLAY_R32:
        return run_read(run, cmd, 4, errp);
    case REPLAY_R64:
        return run_read(run, cmd, 8, errp);
    case REPLAY_POLL32:
        return run_poll(run, cmd, errp);
    case REPLAY_MEM:
        return run_mem(run, cmd, errp);
    case REPLAY_MEMR:
        return run_memr(run, cmd, errp);
    case REPLAY_STEP:
        return step(run, n[0], errp);
    case REPLAY_IRQ:
        return run_irq(run, cmd, errp);
    case REPLAY_FAIL:
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "fail: the simulated kernel does not exist (host sim "
                    "none)");
        return false;
    case REPLAY_OBJECTS:
        /* Emulated mode: the host kernel holds nothing, ever. */
        replay_check(&run->tally, cmd, n[0] == 0,
                     "expected %" PRIu64 " live %s objects, got 0", n[0],
                     cmd->str);
        return true;
    case REPLAY_SELECTED:
        return run_selected(run, cmd, errp);
    case REPLAY_RESET:
        qt = qemu(run, errp);
        return qt && qtest_system_reset(qt, errp);
    case REPLAY_EXPECT_ERROR:
        run_expect_error(run, cmd);
        return true;
    default:
        g_assert_not_reached();
    }
}

static void
run_step(QemuRun *run, guint i)
{
    const ReplayCmd *cmd = g_ptr_array_index(run->tally.script->cmds, i);
    g_autoptr(GError) err = NULL;
    g_autofree char *host = NULL;

    run->line = cmd->line;
    if (!run_cmd(run, cmd, &err) && !err) {
        err = g_error_new(SMMU_EXT_ERROR, SMMU_EXT_ERROR_FAILED,
                          "%s failed without a reason", cmd->text);
    }
    host = qemu_host_error(run);
    if (!err && host) {
        err = g_error_new_literal(SMMU_EXT_ERROR, SMMU_EXT_ERROR_FAILED,
                                  host);
    }
    if (!err || cmd->op == REPLAY_EXPECT_ERROR) {
        return;
    }
    if (replay_next_is_expect_error(run->tally.script, i)) {
        run->pending = g_steal_pointer(&err);
        return;
    }
    replay_check(&run->tally, cmd, false, "expected success, got error: %s",
                 err->message);
}

int
replay_qemu_run(const ReplayScript *script, const char *qemu, bool trace)
{
    g_autoptr(GArray) ram = g_array_new(FALSE, FALSE, sizeof(RamRange));
    g_autoptr(GHashTable) devices = g_hash_table_new(NULL, NULL);
    g_autoptr(GHashTable) irq_seen = g_hash_table_new(NULL, NULL);
    QemuRun run = {
        .tally.script = script, .qemu = qemu, .trace = trace, .ram = ram,
        .mode = g_strdup(REPLAY_DEFAULT_MODE), .devices = devices,
        .irq_seen = irq_seen,
    };

    if (strcmp(script->profile, "none")) {
        fprintf(stderr, "%s: --qemu runs the emulated mode only (host sim "
                "none); this script is for host sim %s\n", script->name,
                script->profile);
        g_free(run.mode);
        return TOOL_EXIT_FAIL;
    }
    for (guint i = 0; i < script->cmds->len; i++) {
        run_step(&run, i);
    }
    g_clear_error(&run.pending);
    g_clear_error(&run.start_err);
    qtest_free(run.qt);
    g_free(run.mode);
    return replay_tally_finish(&run.tally) ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}
