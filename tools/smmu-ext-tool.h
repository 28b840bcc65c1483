/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The smmu-ext command: one entry point per subcommand plus the few helpers
 * they share (option parsing with the documented exit codes, the registry,
 * JSON strings and errors).
 */
#ifndef SMMU_EXT_TOOL_H
#define SMMU_EXT_TOOL_H

#include <glib.h>
#include "smmu-ext.h"

/* Exit codes, the same for every subcommand (see smmu-ext(1)). */
#define TOOL_EXIT_OK    0   /* done, every check held */
#define TOOL_EXIT_FAIL  1   /* a check, a selection or the host failed */
#define TOOL_EXIT_USAGE 2   /* bad command line or script syntax */

#define TOOL_EXIT_CODES_HELP \
    "Exit status: 0 success, 1 check or selection failure, " \
    "2 usage or syntax error."

int
tool_cmd_modules(int argc, char **argv);

int
tool_cmd_probe(int argc, char **argv);

int
tool_cmd_demo(int argc, char **argv);

int
tool_cmd_replay(int argc, char **argv);

/*
 * A GOptionContext for subcommand @name: "smmu-ext @name @params".  The
 * description ends with the exit codes.
 */
GOptionContext *
tool_option_context_new(const char *name, const char *params,
                        const char *summary, const GOptionEntry *entries);

/* Parse; on a usage error print it with a hint and return FALSE. */
gboolean
tool_option_parse(GOptionContext *ctx, const char *name, int *argc,
                  char ***argv);

/* Print a usage error for subcommand @name and return TOOL_EXIT_USAGE. */
int
tool_usage_error(const char *name, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/*
 * Errors under --json: when the command line asks for JSON (main.c scans
 * it before any subcommand parses it), every failure also prints
 * {"error": {"domain": ..., "code": ..., "message": ...}} on stdout, so a
 * script reading stdout always gets one JSON object.
 */
void
tool_set_json_errors(bool on);

/* Report @err of subcommand @name (stderr, and JSON on stdout under
 * --json); returns @status. */
int
tool_fail(const char *name, const GError *err, int status);

/* The package holding the hardware extension module(s), for hints. */
#define TOOL_MODULE_PACKAGE "smmu-ext-module-tegra241"

/*
 * A registry with the modules of @dirs (NULL: the default search).  Never
 * fails: with no readable module directory or no module at all, it holds
 * zero modules (selection then works as with cmdqv=off/auto) and *@hint
 * says why and which package to install; otherwise *@hint is NULL.
 */
SmmuExtRegistry *
tool_registry_new(const char *dirs, char **hint);

/* tool_registry_new, with the hint (if any) printed on stderr. */
SmmuExtRegistry *
tool_registry_new_noted(const char *name, const char *dirs);

/* Append @s as a JSON string literal (NULL: null). */
void
tool_json_string(GString *out, const char *s);

#endif /* SMMU_EXT_TOOL_H */
