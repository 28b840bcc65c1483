/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `smmu-ext modules`: which extension modules a host would load, and why
 * any file was refused.  The first question of every "acceleration is not
 * active" report.
 */
#include <stdio.h>
#include "smmu-ext-tool.h"

/* IOMMU_HW_INFO_TYPE_* values (iommufd uAPI) for humans. */
static const char *
hw_info_type_name(uint32_t type)
{
    static const char *const names[] = {
        "none", "intel_vtd", "arm_smmuv3", "tegra241_cmdqv",
    };

    if (type == 0xfeedbeefu) {
        return "selftest";     /* IOMMU_HW_INFO_TYPE_SELFTEST, the mock */
    }
    return type < G_N_ELEMENTS(names) ? names[type] : "unknown";
}

static void
print_text(const SmmuExtRegistry *reg, const char *hint)
{
    const char *const *dirs = smmu_ext_registry_dirs(reg);
    guint n = smmu_ext_registry_n_modules(reg);
    guint n_refused = smmu_ext_registry_n_refused(reg);

    printf("Module directories searched:\n");
    for (; dirs && *dirs; dirs++) {
        printf("  %s\n", *dirs);
    }
    printf("Modules (%u, in probe order):\n", n);
    for (guint i = 0; i < n; i++) {
        const SmmuExtModuleInfo *m = smmu_ext_registry_module(reg, i);

        printf("  %s %s: ABI %u.%u, hw_info %s (%u), emulation %s, "
               "priority %d, %s\n", m->name, m->version, m->abi_major,
               m->abi_minor, hw_info_type_name(m->hw_info_type),
               m->hw_info_type, m->emulation ? "yes" : "no", m->priority,
               m->license);
        printf("    %s\n    %s\n", m->description,
               m->path ? m->path : "(linked into the program)");
    }
    printf("Refused files (%u):\n", n_refused);
    for (guint i = 0; i < n_refused; i++) {
        printf("  %s: %s\n", smmu_ext_registry_refused_path(reg, i),
               smmu_ext_registry_refused_reason(reg, i)->message);
    }
    if (hint) {
        printf("Note: %s.\n", hint);
    }
}

static void
json_module(GString *out, const SmmuExtModuleInfo *m)
{
    g_string_append(out, "{\"name\": ");
    tool_json_string(out, m->name);
    g_string_append(out, ", \"description\": ");
    tool_json_string(out, m->description);
    g_string_append(out, ", \"version\": ");
    tool_json_string(out, m->version);
    g_string_append(out, ", \"license\": ");
    tool_json_string(out, m->license);
    g_string_append_printf(out, ", \"abi_major\": %u, \"abi_minor\": %u, "
                           "\"hw_info_type\": %u, \"hw_info_type_name\": ",
                           m->abi_major, m->abi_minor, m->hw_info_type);
    tool_json_string(out, hw_info_type_name(m->hw_info_type));
    g_string_append_printf(out, ", \"priority\": %d, \"emulation\": %s, "
                           "\"path\": ", m->priority,
                           m->emulation ? "true" : "false");
    tool_json_string(out, m->path);
    g_string_append_c(out, '}');
}

static void
print_json(const SmmuExtRegistry *reg, const char *hint)
{
    g_autoptr(GString) out = g_string_new("{\"dirs\": [");
    const char *const *dirs = smmu_ext_registry_dirs(reg);

    for (guint i = 0; dirs && dirs[i]; i++) {
        g_string_append(out, i ? ", " : "");
        tool_json_string(out, dirs[i]);
    }
    g_string_append(out, "], \"modules\": [");
    for (guint i = 0; i < smmu_ext_registry_n_modules(reg); i++) {
        g_string_append(out, i ? ", " : "");
        json_module(out, smmu_ext_registry_module(reg, i));
    }
    g_string_append(out, "], \"refused\": [");
    for (guint i = 0; i < smmu_ext_registry_n_refused(reg); i++) {
        const GError *why = smmu_ext_registry_refused_reason(reg, i);

        g_string_append(out, i ? ", {\"path\": " : "{\"path\": ");
        tool_json_string(out, smmu_ext_registry_refused_path(reg, i));
        g_string_append_printf(out, ", \"code\": %d, \"reason\": ",
                               why->code);
        tool_json_string(out, why->message);
        g_string_append_c(out, '}');
    }
    g_string_append(out, "], \"hint\": ");
    tool_json_string(out, hint);
    g_string_append_c(out, '}');
    printf("%s\n", out->str);
}

int
tool_cmd_modules(int argc, char **argv)
{
    g_autofree char *dirs = NULL;
    gboolean json = FALSE;
    const GOptionEntry entries[] = {
        { "dir", 'd', 0, G_OPTION_ARG_STRING, &dirs,
          "Search these directories (':'-separated) instead of "
          "$SMMU_EXT_MODULE_DIR and the built-in one", "DIRS" },
        { "json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = tool_option_context_new(
        "modules", NULL,
        "List the extension modules found (name, version, ABI, hw_info "
        "type,\nemulation support, path), the files refused and why, and "
        "the\ndirectories searched ($SMMU_EXT_MODULE_DIR first, then the "
        "built-in one).\nNo module found is not an error: the list is empty "
        "and a note says why.", entries);
    g_autoptr(SmmuExtRegistry) reg = NULL;
    g_autofree char *hint = NULL;

    if (!tool_option_parse(ctx, "modules", &argc, &argv)) {
        return TOOL_EXIT_USAGE;
    }
    if (argc > 1) {
        return tool_usage_error("modules", "unexpected argument '%s'",
                                argv[1]);
    }
    /* No module is an answer, not a failure: a host with only the library
     * and the tools installed gets the list (empty) and the hint. */
    reg = tool_registry_new(dirs, &hint);
    if (json) {
        print_json(reg, hint);
    } else {
        print_text(reg, hint);
    }
    return TOOL_EXIT_OK;
}
