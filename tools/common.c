/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the subcommands of smmu-ext.
 */
#include <stdio.h>
#include "smmu-ext-tool.h"

GOptionContext *
tool_option_context_new(const char *name, const char *params,
                        const char *summary, const GOptionEntry *entries)
{
    /* The program name is already "smmu-ext @name" (main.c). */
    GOptionContext *ctx = g_option_context_new(params);

    g_option_context_set_summary(ctx, summary);
    g_option_context_set_description(ctx, TOOL_EXIT_CODES_HELP);
    if (entries) {
        g_option_context_add_main_entries(ctx, entries, NULL);
    }
    return ctx;
}

static bool json_errors;

void
tool_set_json_errors(bool on)
{
    json_errors = on;
}

static void
print_json_error(const GError *err)
{
    g_autoptr(GString) out = g_string_new("{\"error\": {\"domain\": ");

    tool_json_string(out, g_quark_to_string(err->domain));
    g_string_append_printf(out, ", \"code\": %d, \"message\": ", err->code);
    tool_json_string(out, err->message);
    g_string_append(out, "}}");
    printf("%s\n", out->str);
}

int
tool_fail(const char *name, const GError *err, int status)
{
    fprintf(stderr, "smmu-ext %s: %s\n", name, err->message);
    if (status == TOOL_EXIT_USAGE) {
        fprintf(stderr, "Try 'smmu-ext %s --help'.\n", name);
    }
    if (json_errors) {
        print_json_error(err);
    }
    return status;
}

static int
usage_gerror(const char *name, const GError *err)
{
    return tool_fail(name, err, TOOL_EXIT_USAGE);
}

int
tool_usage_error(const char *name, const char *fmt, ...)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    /* The tool's own usage errors share GOption's domain. */
    err = g_error_new_literal(G_OPTION_ERROR, G_OPTION_ERROR_FAILED, msg);
    return usage_gerror(name, err);
}

gboolean
tool_option_parse(GOptionContext *ctx, const char *name, int *argc,
                  char ***argv)
{
    g_autoptr(GError) err = NULL;

    if (!g_option_context_parse(ctx, argc, argv, &err)) {
        usage_gerror(name, err);
        return FALSE;
    }
    return TRUE;
}

SmmuExtRegistry *
tool_registry_new(const char *dirs, char **hint)
{
    g_autoptr(SmmuExtRegistry) reg = smmu_ext_registry_new();
    g_autoptr(GError) err = NULL;

    /* The only failure is "no directory could be read": the registry is
     * then empty, which is what a host without modules has too. */
    smmu_ext_registry_load(reg, dirs, &err);
    *hint = NULL;
    if (!smmu_ext_registry_n_modules(reg)) {
        *hint = g_strdup_printf("no extension module found (%s); install "
                                "the package " TOOL_MODULE_PACKAGE " for "
                                "the NVIDIA Tegra241 CMDQV module, or name "
                                "a module directory in SMMU_EXT_MODULE_DIR "
                                "(searched first)",
                                err ? err->message :
                                "no module in the directories searched");
    }
    return g_steal_pointer(&reg);
}

SmmuExtRegistry *
tool_registry_new_noted(const char *name, const char *dirs)
{
    g_autofree char *hint = NULL;
    SmmuExtRegistry *reg = tool_registry_new(dirs, &hint);

    if (hint) {
        fprintf(stderr, "smmu-ext %s: note: %s\n", name, hint);
    }
    return reg;
}

void
tool_json_string(GString *out, const char *s)
{
    if (!s) {
        g_string_append(out, "null");
        return;
    }
    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        default:
            if (*p < 0x20) {
                g_string_append_printf(out, "\\u%04x", *p);
            } else {
                g_string_append_c(out, *p);
            }
        }
    }
    g_string_append_c(out, '"');
}
