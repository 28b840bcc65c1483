/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Replay script parser (format: docs replay-format.md).  Every line is
 * checked completely here, so the runner can trust arity, ranges and names.
 */
#include <errno.h>
#include <string.h>
#include "replay-parse.h"

#define MAX_REPORTED_ERRORS 20
#define BLANKS " \t\r\v\f"

typedef struct Parser {
    const char *name;
    GString *errors;
    unsigned n_errors;
    unsigned line;
    bool attached;          /* an attach was seen: host/ram/cmdqv refused */
    bool have_host;
} Parser;

/* Commands by name; min/max count the tokens after the command word. */
typedef struct CmdSpec {
    const char *name;
    unsigned min, max;
} CmdSpec;

#define UNBOUNDED G_MAXUINT

static const CmdSpec cmd_specs[REPLAY_OP_N] = {
    [REPLAY_HOST]         = { "host", 2, 2 },
    [REPLAY_RAM]          = { "ram", 2, 3 },
    [REPLAY_CMDQV]        = { "cmdqv", 1, 1 },
    [REPLAY_ATTACH]       = { "attach", 1, 2 },
    [REPLAY_DETACH]       = { "detach", 1, 1 },
    [REPLAY_W32]          = { "w32", 2, 2 },
    [REPLAY_W64]          = { "w64", 2, 2 },
    [REPLAY_R32]          = { "r32", 1, 3 },
    [REPLAY_R64]          = { "r64", 1, 3 },
    [REPLAY_POLL32]       = { "poll32", 3, 4 },
    [REPLAY_MEM]          = { "mem", 2, UNBOUNDED },
    [REPLAY_MEMR]         = { "memr", 2, 3 },
    [REPLAY_STEP]         = { "step", 0, 1 },
    [REPLAY_IRQ]          = { "irq", 2, 2 },
    [REPLAY_FAIL]         = { "fail", 2, 3 },
    [REPLAY_OBJECTS]      = { "objects", 2, 2 },
    [REPLAY_SELECTED]     = { "selected", 1, 1 },
    [REPLAY_RESET]        = { "reset", 0, 0 },
    [REPLAY_EXPECT_ERROR] = { "expect-error", 1, UNBOUNDED },
};

static const char *const profiles[] = { "tegra241", "smmuv3", "none", NULL };

static const char *const fail_ops[] = {
    "get_hw_info", "viommu_alloc", "hw_queue_alloc", "veventq_alloc",
    "vdevice_alloc", "mmap", "destroy", NULL,
};

static const char *const object_kinds[] = {
    "viommu", "hw_queue", "veventq", "vdevice", "mmap", NULL,
};

static const struct {
    const char *name;
    int value;
} errno_names[] = {
    { "EPERM", EPERM }, { "ENOENT", ENOENT }, { "EINTR", EINTR },
    { "EIO", EIO }, { "ENXIO", ENXIO }, { "E2BIG", E2BIG },
    { "EBADF", EBADF }, { "EAGAIN", EAGAIN }, { "ENOMEM", ENOMEM },
    { "EACCES", EACCES }, { "EFAULT", EFAULT }, { "EBUSY", EBUSY },
    { "EEXIST", EEXIST }, { "ENODEV", ENODEV }, { "EINVAL", EINVAL },
    { "ENOSPC", ENOSPC }, { "ENOTTY", ENOTTY }, { "ERANGE", ERANGE },
    { "EOPNOTSUPP", EOPNOTSUPP }, { "EOVERFLOW", EOVERFLOW },
    { "ETIMEDOUT", ETIMEDOUT }, { "EMSGSIZE", EMSGSIZE },
};

G_DEFINE_QUARK(smmu-ext-replay-parse-error-quark, replay_parse_error)

const char *
replay_op_name(ReplayOp op)
{
    return op < REPLAY_OP_N ? cmd_specs[op].name : "?";
}

int
replay_errno_from_name(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(errno_names); i++) {
        if (!strcmp(errno_names[i].name, name)) {
            return errno_names[i].value;
        }
    }
    return -1;
}

static bool
in_list(const char *const *list, const char *s)
{
    for (; *list; list++) {
        if (!strcmp(*list, s)) {
            return true;
        }
    }
    return false;
}

static char *
list_join(const char *const *list)
{
    return g_strjoinv(", ", (char **)list);
}

static void G_GNUC_PRINTF(2, 3)
parse_error(Parser *p, const char *fmt, ...)
{
    va_list ap;

    p->n_errors++;
    if (p->n_errors > MAX_REPORTED_ERRORS) {
        return;
    }
    if (p->errors->len) {
        g_string_append_c(p->errors, '\n');
    }
    g_string_append_printf(p->errors, "%s:%u: ", p->name, p->line);
    va_start(ap, fmt);
    g_string_append_vprintf(p->errors, fmt, ap);
    va_end(ap);
}

/* A C integer literal: decimal, 0x hex or 0 octal, optional u/l suffix. */
static bool
parse_number(const char *tok, uint64_t *out)
{
    g_autofree char *digits = g_strdup(tok);
    size_t len = strlen(digits);
    unsigned base = 10;
    const char *start = digits;

    for (int i = 0; i < 3 && len > 1 && strchr("uUlL", digits[len - 1]);
         i++) {
        digits[--len] = '\0';
    }
    if (len > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
        base = 16;
        start += 2;
    } else if (len > 1 && digits[0] == '0') {
        base = 8;
        start += 1;
    }
    /* Rejects signs, blanks, empty strings and overflow. */
    return g_ascii_string_to_unsigned(start, base, 0, G_MAXUINT64, out,
                                      NULL);
}

static bool
number_arg(Parser *p, const char *what, const char *tok, uint64_t max,
           uint64_t *out)
{
    if (!parse_number(tok, out)) {
        parse_error(p, "%s: '%s' is not a number", what, tok);
        return false;
    }
    if (*out > max) {
        parse_error(p, "%s: %s is larger than 0x%" G_GINT64_MODIFIER "x",
                    what, tok, max);
        return false;
    }
    return true;
}

/* Each argument's name and upper bound, for the numeric commands. */
typedef struct NumSpec {
    const char *name;
    uint64_t max;
} NumSpec;

#define U32 ((uint64_t)G_MAXUINT32)
#define U64 G_MAXUINT64

static const NumSpec *
num_specs(ReplayOp op)
{
    static const NumSpec ram[] = {
        { "GPA", U64 }, { "SIZE", REPLAY_MAX_RAM }, { "PAGESIZE", U64 } };
    static const NumSpec attach[] = { { "DEVID", U32 }, { "VSID", U64 } };
    static const NumSpec w32[] = { { "OFF", U64 }, { "VAL", U32 } };
    static const NumSpec w64[] = { { "OFF", U64 }, { "VAL", U64 } };
    static const NumSpec r32[] = {
        { "OFF", U64 }, { "VAL", U32 }, { "MASK", U32 } };
    static const NumSpec r64[] = {
        { "OFF", U64 }, { "VAL", U64 }, { "MASK", U64 } };
    static const NumSpec poll32[] = {
        { "OFF", U64 }, { "MASK", U32 }, { "VAL", U32 },
        { "STEPS", REPLAY_MAX_STEPS } };
    static const NumSpec memr[] = {
        { "GPA", U64 }, { "W64", U64 }, { "MASK", U64 } };
    static const NumSpec step[] = { { "N", REPLAY_MAX_STEPS } };
    static const NumSpec irq[] = { { "LINE", U32 }, { "COUNT", U32 } };

    switch (op) {
    case REPLAY_RAM: return ram;
    case REPLAY_ATTACH: case REPLAY_DETACH: return attach;
    case REPLAY_W32: return w32;
    case REPLAY_W64: return w64;
    case REPLAY_R32: return r32;
    case REPLAY_R64: return r64;
    case REPLAY_POLL32: return poll32;
    case REPLAY_MEMR: return memr;
    case REPLAY_STEP: return step;
    case REPLAY_IRQ: return irq;
    default: return NULL;
    }
}

/* Parse @n tokens as numbers into cmd->num (room for @room entries). */
static bool
parse_numbers(Parser *p, ReplayCmd *cmd, char **args, unsigned n,
              unsigned room)
{
    const NumSpec *spec = num_specs(cmd->op);
    bool ok = true;

    cmd->num = g_new0(uint64_t, MAX(room, n));
    for (unsigned i = 0; i < n; i++) {
        /* mem: GPA then any number of 64-bit words */
        const char *what = spec ? spec[i].name : (i ? "W64" : "GPA");
        uint64_t max = spec ? spec[i].max : U64;

        ok &= number_arg(p, what, args[i], max, &cmd->num[i]);
    }
    cmd->n_num = MAX(room, n);
    return ok;
}

static bool
check_mask(Parser *p, uint64_t val, uint64_t mask)
{
    if (val & ~mask) {
        parse_error(p, "value 0x%" G_GINT64_MODIFIER "x has bits outside "
                    "mask 0x%" G_GINT64_MODIFIER "x: it can never match",
                    val, mask);
        return false;
    }
    return true;
}

static bool
parse_checked_read(Parser *p, ReplayCmd *cmd, char **args, unsigned n,
                   uint64_t all_ones)
{
    if (!parse_numbers(p, cmd, args, n, 3)) {
        return false;
    }
    cmd->has_val = n >= 2;
    if (n < 3) {
        cmd->num[2] = all_ones;
    }
    return !cmd->has_val || check_mask(p, cmd->num[1], cmd->num[2]);
}

static bool
parse_fail(Parser *p, ReplayCmd *cmd, char **args, unsigned n)
{
    uint64_t v;

    if (!in_list(fail_ops, args[0])) {
        g_autofree char *valid = list_join(fail_ops);

        parse_error(p, "fail: unknown operation '%s' (one of %s)", args[0],
                    valid);
        return false;
    }
    cmd->str = g_strdup(args[0]);
    cmd->num = g_new0(uint64_t, 2);
    cmd->n_num = 2;
    if (replay_errno_from_name(args[1]) > 0) {
        cmd->num[0] = replay_errno_from_name(args[1]);
    } else if (!parse_number(args[1], &v) || v == 0 || v > 4095) {
        parse_error(p, "fail: '%s' is neither an errno name nor a number "
                    "from 1 to 4095", args[1]);
        return false;
    } else {
        cmd->num[0] = v;
    }
    cmd->num[1] = 1;
    if (n == 3) {
        if (!number_arg(p, "NTH", args[2], U32, &cmd->num[1])) {
            return false;
        }
        if (cmd->num[1] == 0) {
            parse_error(p, "fail: NTH counts from 1");
            return false;
        }
    }
    return true;
}

static bool
parse_named(Parser *p, ReplayCmd *cmd, const char *const *valid,
            const char *what, const char *tok)
{
    if (!in_list(valid, tok)) {
        g_autofree char *list = list_join(valid);

        parse_error(p, "%s: unknown %s '%s' (one of %s)",
                    replay_op_name(cmd->op), what, tok, list);
        return false;
    }
    cmd->str = g_strdup(tok);
    return true;
}

/* Host configuration is fixed once a device is attached. */
static bool
check_before_attach(Parser *p, ReplayCmd *cmd)
{
    if (p->attached) {
        parse_error(p, "%s: only allowed before the first attach",
                    replay_op_name(cmd->op));
        return false;
    }
    return true;
}

static bool
parse_args(Parser *p, ReplayCmd *cmd, char **args, unsigned n,
           const char *rest)
{
    switch (cmd->op) {
    case REPLAY_HOST:
        if (!check_before_attach(p, cmd)) {
            return false;
        }
        if (p->have_host) {
            parse_error(p, "host: given twice");
            return false;
        }
        p->have_host = true;
        if (strcmp(args[0], "sim")) {
            parse_error(p, "host: expected 'sim', got '%s'", args[0]);
            return false;
        }
        return parse_named(p, cmd, profiles, "profile", args[1]);
    case REPLAY_RAM:
        if (!check_before_attach(p, cmd) ||
            !parse_numbers(p, cmd, args, n, 3)) {
            return false;
        }
        if (n < 3) {
            cmd->num[2] = REPLAY_DEFAULT_PAGE_SIZE;
        }
        if (cmd->num[1] == 0) {
            parse_error(p, "ram: SIZE must not be 0");
            return false;
        }
        return true;
    case REPLAY_CMDQV:
        if (!check_before_attach(p, cmd)) {
            return false;
        }
        cmd->str = g_strdup(args[0]);
        return true;
    case REPLAY_ATTACH:
        p->attached = true;
        return parse_numbers(p, cmd, args, n, n);
    case REPLAY_R32:
        return parse_checked_read(p, cmd, args, n, U32);
    case REPLAY_R64:
    case REPLAY_MEMR:
        return parse_checked_read(p, cmd, args, n, U64);
    case REPLAY_POLL32:
        if (!parse_numbers(p, cmd, args, n, 4)) {
            return false;
        }
        if (n < 4) {
            cmd->num[3] = REPLAY_DEFAULT_POLL;
        } else if (cmd->num[3] == 0) {
            parse_error(p, "poll32: STEPS must be at least 1");
            return false;
        }
        return check_mask(p, cmd->num[2], cmd->num[1]);
    case REPLAY_STEP:
        if (!parse_numbers(p, cmd, args, n, 1)) {
            return false;
        }
        if (n == 0) {
            cmd->num[0] = 1;
        }
        return true;
    case REPLAY_FAIL:
        return parse_fail(p, cmd, args, n);
    case REPLAY_OBJECTS:
        if (!parse_named(p, cmd, object_kinds, "kind", args[0])) {
            return false;
        }
        cmd->num = g_new0(uint64_t, 1);
        cmd->n_num = 1;
        return number_arg(p, "COUNT", args[1], U32, &cmd->num[0]);
    case REPLAY_SELECTED:
        cmd->str = g_strdup(args[0]);
        return true;
    case REPLAY_EXPECT_ERROR:
        if (!*rest) {
            parse_error(p, "expect-error: TEXT is empty");
            return false;
        }
        cmd->str = g_strdup(rest);
        return true;
    case REPLAY_RESET:
        return true;
    default:
        return parse_numbers(p, cmd, args, n, n);
    }
}

static void
cmd_free(gpointer data)
{
    ReplayCmd *cmd = data;

    g_free(cmd->text);
    g_free(cmd->str);
    g_free(cmd->num);
    g_free(cmd);
}

static int
lookup_op(const char *word)
{
    for (int op = 0; op < REPLAY_OP_N; op++) {
        if (!strcmp(cmd_specs[op].name, word)) {
            return op;
        }
    }
    return -1;
}

/* The text of @line after its first token, without surrounding blanks and
 * one pair of enclosing double quotes (expect-error's TEXT). */
static char *
rest_of_line(const char *line)
{
    const char *s = line + strspn(line, BLANKS);
    g_autofree char *rest = NULL;
    size_t len;

    s += strcspn(s, BLANKS);
    rest = g_strstrip(g_strdup(s));
    len = strlen(rest);
    if (len >= 2 && rest[0] == '"' && rest[len - 1] == '"') {
        return g_strndup(rest + 1, len - 2);
    }
    return g_steal_pointer(&rest);
}

static void
parse_line(Parser *p, ReplayScript *script, char *line)
{
    g_auto(GStrv) tok = NULL;
    g_autofree char **words = NULL;
    unsigned n = 0;
    ReplayCmd *cmd;
    char *hash = strchr(line, '#');
    int op;

    if (hash) {
        *hash = '\0';
    }
    tok = g_strsplit_set(line, BLANKS, -1);
    words = g_new0(char *, g_strv_length(tok) + 1);
    for (char **t = tok; *t; t++) {
        if (**t) {
            words[n++] = *t;
        }
    }
    if (n == 0) {
        return;
    }
    op = lookup_op(words[0]);
    if (op < 0) {
        parse_error(p, "unknown command '%s'", words[0]);
        return;
    }
    if (n - 1 < cmd_specs[op].min || n - 1 > cmd_specs[op].max) {
        parse_error(p, "%s: %s arguments (%u given)", cmd_specs[op].name,
                    n - 1 < cmd_specs[op].min ? "missing" : "too many", n - 1);
        return;
    }
    if (op == REPLAY_EXPECT_ERROR && (script->cmds->len == 0 ||
        ((ReplayCmd *)g_ptr_array_index(script->cmds,
                                        script->cmds->len - 1))->op ==
            REPLAY_EXPECT_ERROR)) {
        parse_error(p, "expect-error: must follow another command");
        return;
    }

    cmd = g_new0(ReplayCmd, 1);
    cmd->op = op;
    cmd->line = p->line;
    if (op == REPLAY_EXPECT_ERROR) {
        g_autofree char *rest = rest_of_line(line);

        cmd->text = g_strconcat(words[0], " ", rest, NULL);
        if (!parse_args(p, cmd, words + 1, n - 1, rest)) {
            cmd_free(cmd);
            return;
        }
    } else {
        cmd->text = g_strjoinv(" ", words);
        if (!parse_args(p, cmd, words + 1, n - 1, NULL)) {
            cmd_free(cmd);
            return;
        }
    }
    g_ptr_array_add(script->cmds, cmd);
}

void
replay_script_free(ReplayScript *script)
{
    if (!script) {
        return;
    }
    g_free(script->name);
    g_ptr_array_unref(script->cmds);
    g_free(script);
}

static void
script_pick_profile(ReplayScript *script)
{
    script->profile = REPLAY_DEFAULT_PROFILE;
    for (guint i = 0; i < script->cmds->len; i++) {
        ReplayCmd *cmd = g_ptr_array_index(script->cmds, i);

        if (cmd->op == REPLAY_HOST) {
            script->profile = cmd->str;
        }
    }
}

ReplayScript *
replay_parse(const char *name, const char *text, size_t len, GError **errp)
{
    g_autoptr(ReplayScript) script = g_new0(ReplayScript, 1);
    g_autoptr(GString) errors = g_string_new(NULL);
    Parser p = { .name = name, .errors = errors };
    size_t pos = 0;

    script->name = g_strdup(name);
    script->cmds = g_ptr_array_new_with_free_func(cmd_free);
    while (pos < len) {
        const char *start = text + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t line_len = nl ? (size_t)(nl - start) : len - pos;

        p.line++;
        if (memchr(start, '\0', line_len)) {
            parse_error(&p, "NUL byte in line");
        } else {
            g_autofree char *line = g_strndup(start, line_len);

            parse_line(&p, script, line);
        }
        pos += line_len + 1;
    }
    if (p.n_errors) {
        if (p.n_errors > MAX_REPORTED_ERRORS) {
            g_string_append_printf(errors, "\n%s: %u more errors not shown",
                                   name, p.n_errors - MAX_REPORTED_ERRORS);
        }
        g_set_error_literal(errp, REPLAY_PARSE_ERROR, 0, errors->str);
        return NULL;
    }
    script_pick_profile(script);
    return g_steal_pointer(&script);
}
