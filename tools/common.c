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

int
tool_usage_error(const char *name, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "smmu-ext %s: %s\nTry 'smmu-ext %s --help'.\n", name,
            msg, name);
    return TOOL_EXIT_USAGE;
}

gboolean
tool_option_parse(GOptionContext *ctx, const char *name, int *argc,
                  char ***argv)
{
    g_autoptr(GError) err = NULL;

    if (!g_option_context_parse(ctx, argc, argv, &err)) {
        tool_usage_error(name, "%s", err->message);
        return FALSE;
    }
    return TRUE;
}

SmmuExtRegistry *
tool_registry_new(const char *dirs, GError **errp)
{
    g_autoptr(SmmuExtRegistry) reg = smmu_ext_registry_new();

    if (!smmu_ext_registry_load(reg, dirs, errp)) {
        return NULL;
    }
    return g_steal_pointer(&reg);
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
