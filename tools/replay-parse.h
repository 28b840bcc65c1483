/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The replay script parser: text in, a list of commands out, nothing run.
 *
 * The whole script is parsed before anything runs so that a typo on the
 * last line cannot leave a half-driven host behind.  The parser has no
 * side effects and needs only GLib, so it can be fuzzed on its own; names
 * that the simulated host resolves (fault ops, object kinds) are checked
 * against the lists of the format (docs: replay-format.md) here and
 * resolved by the runner.
 */
#ifndef SMMU_EXT_REPLAY_PARSE_H
#define SMMU_EXT_REPLAY_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

G_BEGIN_DECLS

typedef enum ReplayOp {
    REPLAY_HOST,            /* str: profile */
    REPLAY_RAM,             /* num: gpa, size, page size */
    REPLAY_CMDQV,           /* str: mode */
    REPLAY_ATTACH,          /* num: devid [, vsid] */
    REPLAY_DETACH,          /* num: devid */
    REPLAY_W32,             /* num: off, val */
    REPLAY_W64,
    REPLAY_R32,             /* num: off [, val [, mask]] */
    REPLAY_R64,
    REPLAY_POLL32,          /* num: off, mask, val, steps */
    REPLAY_MEM,             /* num: gpa, w64... */
    REPLAY_MEMR,            /* num: gpa, val [, mask] */
    REPLAY_STEP,            /* num: n */
    REPLAY_IRQ,             /* num: line, count */
    REPLAY_FAIL,            /* str: op; num: errno, nth */
    REPLAY_OBJECTS,         /* str: kind; num: count */
    REPLAY_SELECTED,        /* str: name */
    REPLAY_RESET,
    REPLAY_EXPECT_ERROR,    /* str: text */
    REPLAY_OP_N,
} ReplayOp;

/* Defaults of the format. */
#define REPLAY_DEFAULT_PROFILE   "tegra241"
#define REPLAY_DEFAULT_MODE      "auto"
#define REPLAY_DEFAULT_PAGE_SIZE 4096u
#define REPLAY_DEFAULT_POLL      1000u

/* Bounds that keep a script's run time and memory finite. */
#define REPLAY_MAX_STEPS         1000000u
#define REPLAY_MAX_RAM           (1ull << 30)

typedef struct ReplayCmd {
    ReplayOp op;
    unsigned line;          /* 1-based line in the script */
    char *text;             /* the command as written, blanks collapsed */
    char *str;              /* string argument, see ReplayOp */
    unsigned n_num;         /* numbers given plus defaults filled in */
    bool has_val;           /* r32/r64/memr: a value to check was given */
    uint64_t *num;
} ReplayCmd;

typedef struct ReplayScript {
    char *name;             /* for messages: "SCRIPT:LINE: ..." */
    GPtrArray *cmds;        /* ReplayCmd *, in script order */
    const char *profile;    /* points into a host command or the default */
} ReplayScript;

#define REPLAY_PARSE_ERROR (replay_parse_error_quark())
GQuark
replay_parse_error_quark(void);

/*
 * Parse @len bytes of @text (need not be NUL-terminated; a NUL byte is a
 * syntax error).  @name is used in messages.  On a syntax error returns NULL
 * and sets @errp to every error found, one "NAME:LINE: what" per line.
 */
ReplayScript *
replay_parse(const char *name, const char *text, size_t len, GError **errp);

void
replay_script_free(ReplayScript *script);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ReplayScript, replay_script_free)

const char *
replay_op_name(ReplayOp op);

/* "ENOMEM" -> 12; -1 if unknown.  Exposed for the man page's list. */
int
replay_errno_from_name(const char *name);

G_END_DECLS

#endif /* SMMU_EXT_REPLAY_PARSE_H */
