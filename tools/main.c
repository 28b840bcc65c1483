/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smmu-ext: inspect and exercise SMMUv3 command-queue extensions.
 * This file only dispatches to the subcommands.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include "smmu-ext-tool.h"

typedef struct ToolCommand {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} ToolCommand;

static const ToolCommand commands[] = {
    { "modules", tool_cmd_modules,
      "list the extension modules found and why any was refused" },
    { "probe", tool_cmd_probe,
      "show what -device arm-smmuv3,accel=on,cmdqv=MODE would select" },
    { "demo", tool_cmd_demo,
      "run a whole VM lifecycle on the simulated host" },
    { "replay", tool_cmd_replay,
      "run a register-level replay script on the simulated host" },
};

/* Does the command line ask for JSON?  Decided before the subcommand
 * parses it, so that even a usage error comes out as JSON. */
static bool
wants_json(int argc, char **argv)
{
    for (int i = 2; i < argc && strcmp(argv[i], "--"); i++) {
        if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j")) {
            return true;
        }
    }
    return false;
}

static void
usage(FILE *out)
{
    fprintf(out, "Usage: smmu-ext COMMAND [OPTION...]\n\nCommands:\n");
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(out, "\n'smmu-ext COMMAND --help' describes each command.\n"
            "%s\n", TOOL_EXIT_CODES_HELP);
}

int
main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : NULL;

    setlocale(LC_ALL, "");
    if (!name) {
        usage(stderr);
        return TOOL_EXIT_USAGE;
    }
    if (!strcmp(name, "--help") || !strcmp(name, "-h") ||
        !strcmp(name, "help")) {
        usage(stdout);
        return TOOL_EXIT_OK;
    }
    if (!strcmp(name, "--version")) {
        printf("smmu-ext %s\n", smmu_ext_version_string());
        return TOOL_EXIT_OK;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
        if (!strcmp(name, commands[i].name)) {
            g_autofree char *prgname = g_strdup_printf("smmu-ext %s", name);

            g_set_prgname(prgname);
            tool_set_json_errors(wants_json(argc, argv));
            /* The subcommand sees itself as argv[0]. */
            return commands[i].fn(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "smmu-ext: unknown command '%s'\n", name);
    usage(stderr);
    return TOOL_EXIT_USAGE;
}
