/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The cmdqv= property: off, on, auto or the name of an extension. */
#include <string.h>
#include "core-priv.h"

/* "tegra241, example", or "none loaded". */
static char *
loaded_names(const SmmuExtRegistry *reg)
{
    guint n = smmu_ext_registry_n_modules(reg);
    GString *s = g_string_new(n ? "loaded: " : "none loaded");

    for (guint i = 0; i < n; i++) {
        g_string_append_printf(s, "%s%s", i ? ", " : "",
                               smmu_ext_registry_module(reg, i)->name);
    }
    return g_string_free(s, FALSE);
}

static SmmuExtMode *
mode_new(SmmuExtModeKind kind, const char *name)
{
    SmmuExtMode *mode = g_new0(SmmuExtMode, 1);

    mode->kind = kind;
    mode->name = g_strdup(name);
    return mode;
}

SmmuExtMode *
smmu_ext_mode_parse(SmmuExtRegistry *reg, const char *str, GError **errp)
{
    static const struct {
        const char *word;
        SmmuExtModeKind kind;
    } words[] = {
        { "off", SMMU_EXT_MODE_OFF },
        { "on", SMMU_EXT_MODE_ON },
        { "auto", SMMU_EXT_MODE_AUTO },
    };
    g_autoptr(GError) load_err = NULL;
    g_autofree char *names = NULL;

    g_return_val_if_fail(reg, NULL);

    /* Keywords first: "off" must never load (or run) any module code. */
    for (size_t i = 0; str && i < G_N_ELEMENTS(words); i++) {
        if (!strcmp(str, words[i].word)) {
            return mode_new(words[i].kind, NULL);
        }
    }

    /* A name: it must be one the registry accepted. */
    if (str && str[0]) {
        const SmmuExtModule *mod;

        smmu_ext_registry_ensure_loaded(reg, &load_err);
        mod = smmu_ext_registry_find(reg, str);
        if (mod) {
            return mode_new(SMMU_EXT_MODE_NAMED, mod->info.name);
        }
    }

    names = loaded_names(reg);
    g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_BAD_MODE,
                "invalid cmdqv mode '%s': expected off, on, auto or an "
                "extension name (%s)%s%s", str ? str : "", names,
                load_err ? "; " : "", load_err ? load_err->message : "");
    return NULL;
}

void
smmu_ext_mode_free(SmmuExtMode *mode)
{
    if (mode) {
        g_free(mode->name);
        g_free(mode);
    }
}

SmmuExtModeKind
smmu_ext_mode_kind(const SmmuExtMode *mode)
{
    g_return_val_if_fail(mode, SMMU_EXT_MODE_OFF);
    return mode->kind;
}

const char *
smmu_ext_mode_name(const SmmuExtMode *mode)
{
    g_return_val_if_fail(mode, "off");

    switch (mode->kind) {
    case SMMU_EXT_MODE_OFF:
        return "off";
    case SMMU_EXT_MODE_ON:
        return "on";
    case SMMU_EXT_MODE_AUTO:
        return "auto";
    case SMMU_EXT_MODE_NAMED:
        return mode->name;
    }
    return "invalid";
}
