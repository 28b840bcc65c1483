/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `smmu-ext replay`: run a parsed script on the reference VMM of the
 * simulated host, one command at a time, each followed by one main-loop
 * iteration so that vEVENTs land before the next line.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "replay-check.h"
#include "replay-qemu.h"
#include "smmu-ext-sim.h"
#include "smmu-ext-tool.h"

typedef struct ReplayRun {
    ReplayTally tally;       /* script, checks, failures */
    SmmuExtVmm *vmm;
    bool trace;
    GError *pending;        /* the previous command's error, for expect-error */
    GHashTable *irq_seen;   /* line -> rising edges at its last irq check */
} ReplayRun;

static void
trace_access(ReplayRun *run, const ReplayCmd *cmd, const char *kind,
             uint64_t addr, uint64_t val, const char *path)
{
    if (run->trace) {
        printf("%s:%u: %s 0x%05" G_GINT64_MODIFIER "x = 0x%"
               G_GINT64_MODIFIER "x (%s)\n", run->tally.script->name, cmd->line,
               kind, addr, val, path);
    }
}

static uint64_t
mmio_read(ReplayRun *run, const ReplayCmd *cmd, uint64_t off, unsigned size)
{
    bool direct = false;
    uint64_t v = smmu_ext_vmm_read(run->vmm, off, size, &direct);

    trace_access(run, cmd, size == 4 ? "r32" : "r64", off, v,
                 direct ? "direct" : "trapped");
    return v;
}

static void
mmio_write(ReplayRun *run, const ReplayCmd *cmd, uint64_t off, uint64_t val,
           unsigned size)
{
    bool direct = false;

    smmu_ext_vmm_write(run->vmm, off, val, size, &direct);
    trace_access(run, cmd, size == 4 ? "w32" : "w64", off, val,
                 direct ? "direct" : "trapped");
}

static void
run_read(ReplayRun *run, const ReplayCmd *cmd, unsigned size)
{
    uint64_t all_ones = size == 4 ? G_MAXUINT32 : G_MAXUINT64;
    uint64_t v = mmio_read(run, cmd, cmd->num[0], size);

    if (cmd->has_val) {
        replay_check_value(&run->tally, cmd, v, cmd->num[1], cmd->num[2],
                           all_ones);
    }
}

static void
run_poll(ReplayRun *run, const ReplayCmd *cmd)
{
    uint64_t off = cmd->num[0], mask = cmd->num[1], val = cmd->num[2];
    uint64_t steps = cmd->num[3];
    uint64_t v = 0;

    for (uint64_t i = 0; i < steps; i++) {
        if (i) {
            smmu_ext_vmm_step(run->vmm, 1);
        }
        v = mmio_read(run, cmd, off, 4);
        if ((v & mask) == val) {
            run->tally.checks++;
            return;
        }
    }
    replay_check(&run->tally, cmd, false, "expected (read & 0x%"
                 G_GINT64_MODIFIER "x) == 0x%" G_GINT64_MODIFIER "x within %"
                 G_GINT64_MODIFIER "u reads, got 0x%" G_GINT64_MODIFIER "x",
                 mask, val, steps, v);
}

static bool
run_mem(ReplayRun *run, const ReplayCmd *cmd, GError **errp)
{
    unsigned n = cmd->n_num - 1;
    g_autofree uint64_t *words = g_new(uint64_t, n);

    for (unsigned i = 0; i < n; i++) {
        words[i] = GUINT64_TO_LE(cmd->num[i + 1]);
        trace_access(run, cmd, "mem", cmd->num[0] + 8 * i, cmd->num[i + 1],
                     "guest RAM");
    }
    if (!smmu_ext_vmm_mem_write(run->vmm, cmd->num[0], words, n * 8)) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "mem: [0x%" G_GINT64_MODIFIER "x, +0x%x) is not guest "
                    "RAM", cmd->num[0], n * 8);
        return false;
    }
    return true;
}

static void
run_memr(ReplayRun *run, const ReplayCmd *cmd)
{
    uint64_t word;

    if (!smmu_ext_vmm_mem_read(run->vmm, cmd->num[0], &word, 8)) {
        replay_check(&run->tally, cmd, false, "expected 0x%" G_GINT64_MODIFIER
                     "x, got no guest RAM at 0x%" G_GINT64_MODIFIER "x",
                     cmd->num[1], cmd->num[0]);
        return;
    }
    word = GUINT64_FROM_LE(word);
    trace_access(run, cmd, "memr", cmd->num[0], word, "guest RAM");
    replay_check_value(&run->tally, cmd, word, cmd->num[1], cmd->num[2],
                       G_MAXUINT64);
}

static void
run_irq(ReplayRun *run, const ReplayCmd *cmd)
{
    unsigned line = cmd->num[0];
    unsigned now = smmu_ext_vmm_irq_count(run->vmm, line);
    unsigned before = GPOINTER_TO_UINT(
        g_hash_table_lookup(run->irq_seen, GUINT_TO_POINTER(line)));

    g_hash_table_insert(run->irq_seen, GUINT_TO_POINTER(line),
                        GUINT_TO_POINTER(now));
    replay_check(&run->tally, cmd, now - before == cmd->num[1],
                 "expected %" G_GINT64_MODIFIER "u interrupts, got %u",
                 cmd->num[1], now - before);
}

static bool
run_fail(ReplayRun *run, const ReplayCmd *cmd, GError **errp)
{
    SmmuExtSim *sim = smmu_ext_vmm_sim(run->vmm);
    int op = smmu_ext_sim_op_from_name(cmd->str);

    if (!sim || op < 0) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "fail: the simulated kernel %s", !sim ?
                    "does not exist (host sim none)" :
                    "does not know this operation");
        return false;
    }
    smmu_ext_sim_fail(sim, op, cmd->num[0], cmd->num[1]);
    return true;
}

static void
run_objects(ReplayRun *run, const ReplayCmd *cmd)
{
    SmmuExtSim *sim = smmu_ext_vmm_sim(run->vmm);
    int kind = smmu_ext_sim_kind_from_name(cmd->str);
    unsigned live = 0;

    if (sim && kind >= 0) {
        live = smmu_ext_sim_live(sim, kind);
    }
    replay_check(&run->tally, cmd, kind >= 0 && live == cmd->num[0],
                 "expected %" G_GINT64_MODIFIER "u live %s objects, got %u%s",
                 cmd->num[0], cmd->str, live,
                 kind < 0 ? " (kind unknown to the simulated kernel)" : "");
}

static void
run_selected(ReplayRun *run, const ReplayCmd *cmd)
{
    SmmuExtInstance *inst = smmu_ext_vmm_instance(run->vmm);
    const char *got = inst ? smmu_ext_instance_extension(inst) : NULL;

    replay_check(&run->tally, cmd, got && !strcmp(got, cmd->str),
                 "expected %s, got %s", cmd->str,
                 got ? got : "nothing (no device attached yet)");
}

static void
run_expect_error(ReplayRun *run, const ReplayCmd *cmd)
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

/* Run one command; a host-side failure goes to @errp. */
static bool
run_cmd(ReplayRun *run, const ReplayCmd *cmd, GError **errp)
{
    const uint64_t *n = cmd->num;

    switch (cmd->op) {
    case REPLAY_HOST:
        return true;            /* taken before the VMM was created */
    case REPLAY_RAM:
        return smmu_ext_vmm_add_ram(run->vmm, n[0], n[1], n[2], errp);
    case REPLAY_CMDQV:
        return smmu_ext_vmm_set_mode(run->vmm, cmd->str, errp);
    case REPLAY_ATTACH:
        return smmu_ext_vmm_attach(run->vmm, n[0], cmd->n_num > 1,
                                   cmd->n_num > 1 ? n[1] : 0, errp);
    case REPLAY_DETACH:
        return smmu_ext_vmm_detach(run->vmm, n[0], errp);
    case REPLAY_W32:
        mmio_write(run, cmd, n[0], n[1], 4);
        return true;
    case REPLAY_W64:
        mmio_write(run, cmd, n[0], n[1], 8);
        return true;
    case REPLAY_R32:
        run_read(run, cmd, 4);
        return true;
    case REPLAY_R64:
        run_read(run, cmd, 8);
        return true;
    case REPLAY_POLL32:
        run_poll(run, cmd);
        return true;
    case REPLAY_MEM:
        return run_mem(run, cmd, errp);
    case REPLAY_MEMR:
        run_memr(run, cmd);
        return true;
    case REPLAY_STEP:
        smmu_ext_vmm_step(run->vmm, n[0]);
        return true;
    case REPLAY_IRQ:
        run_irq(run, cmd);
        return true;
    case REPLAY_FAIL:
        return run_fail(run, cmd, errp);
    case REPLAY_OBJECTS:
        run_objects(run, cmd);
        return true;
    case REPLAY_SELECTED:
        run_selected(run, cmd);
        return true;
    case REPLAY_RESET:
        smmu_ext_vmm_reset(run->vmm);
        return true;
    case REPLAY_EXPECT_ERROR:
        run_expect_error(run, cmd);
        return true;
    default:
        g_assert_not_reached();
    }
}

/*
 * A command's error is what it returned or, for guest accesses, what the
 * core reported as guest-caused while it and the main loop ran.
 */
static void
run_step(ReplayRun *run, guint i)
{
    const ReplayCmd *cmd = g_ptr_array_index(run->tally.script->cmds, i);
    unsigned reported = smmu_ext_vmm_reported_errors(run->vmm);
    g_autoptr(GError) err = NULL;

    if (!run_cmd(run, cmd, &err) && !err) {
        err = g_error_new(SMMU_EXT_ERROR, SMMU_EXT_ERROR_FAILED,
                          "%s failed without a reason", cmd->text);
    }
    smmu_ext_vmm_main_loop_once(run->vmm);
    if (!err && smmu_ext_vmm_reported_errors(run->vmm) != reported) {
        const char *msg = smmu_ext_vmm_last_error(run->vmm);

        err = g_error_new_literal(SMMU_EXT_ERROR, SMMU_EXT_ERROR_FAILED,
                                  msg ? msg : "guest-caused error");
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

static int
replay_run(const ReplayScript *script, SmmuExtRegistry *reg, bool trace)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(SmmuExtVmm) vmm = smmu_ext_vmm_new(script->profile, reg, &err);
    g_autoptr(GHashTable) irq_seen = g_hash_table_new(NULL, NULL);
    ReplayRun run = {
        .tally.script = script, .vmm = vmm, .trace = trace,
        .irq_seen = irq_seen,
    };

    if (!vmm) {
        fprintf(stderr, "%s: cannot create the simulated host: %s\n",
                script->name, err->message);
        return TOOL_EXIT_FAIL;
    }
    if (!smmu_ext_vmm_set_mode(vmm, REPLAY_DEFAULT_MODE, &err)) {
        fprintf(stderr, "%s: %s\n", script->name, err->message);
        return TOOL_EXIT_FAIL;
    }
    for (guint i = 0; i < script->cmds->len; i++) {
        run_step(&run, i);
    }
    g_clear_error(&run.pending);
    return replay_tally_finish(&run.tally) ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}

int
tool_cmd_replay(int argc, char **argv)
{
    gboolean trace = FALSE;
    g_autofree char *dirs = NULL;
    g_autofree char *qemu = NULL;
    const GOptionEntry entries[] = {
        { "trace", 't', 0, G_OPTION_ARG_NONE, &trace,
          "Print every access with its value and path (trapped, direct)",
          NULL },
        { "dir", 'd', 0, G_OPTION_ARG_STRING, &dirs,
          "Module directories (':'-separated) instead of the default",
          "DIRS" },
        { "qemu", 0, 0, G_OPTION_ARG_FILENAME, &qemu,
          "Run against this qemu-system-aarch64 (qtest, emulated mode)",
          "PATH" },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = tool_option_context_new(
        "replay", "SCRIPT",
        "Run a register-level replay script on the simulated host.\n"
        "Checks that fail are printed as SCRIPT:LINE: on stderr; the last "
        "line\non stdout is 'N checks, N failed'.", entries);
    g_autoptr(GError) err = NULL;
    g_autoptr(ReplayScript) script = NULL;
    g_autoptr(SmmuExtRegistry) reg = NULL;
    g_autofree char *text = NULL;
    gsize len;

    if (!tool_option_parse(ctx, "replay", &argc, &argv)) {
        return TOOL_EXIT_USAGE;
    }
    if (argc != 2) {
        return tool_usage_error("replay", "expected one SCRIPT, got %d",
                                argc - 1);
    }
    if (!g_file_get_contents(argv[1], &text, &len, &err)) {
        return tool_usage_error("replay", "%s", err->message);
    }
    script = replay_parse(argv[1], text, len, &err);
    if (!script) {
        fprintf(stderr, "%s\n", err->message);
        return TOOL_EXIT_USAGE;
    }
    if (qemu) {
        return replay_qemu_run(script, qemu, trace);
    }
    reg = tool_registry_new_noted("replay", dirs);
    return replay_run(script, reg, trace);
}
