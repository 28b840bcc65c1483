/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Module loader: one file (or one static descriptor) in, one checked
 * SmmuExtModule out.  Every refusal says which file and why, because the
 * usual pain with plugin loaders is a module that silently does not load.
 */
#include <string.h>
#include "loader-priv.h"

#define NAME_MAX_LEN ((size_t)SMMU_EXT_NAME_MAX_LEN)

/* Mode words and the report's "no extension" cannot be extension names. */
static const char *const reserved_names[] = { "off", "on", "auto", "none" };

static gboolean
check_name(const char *name, GError **errp)
{
    size_t len = strlen(name);

    if (len > NAME_MAX_LEN) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "name '%.*s...' is longer than %zu characters",
                    (int)NAME_MAX_LEN, name, NAME_MAX_LEN);
        return FALSE;
    }
    for (size_t i = 0; i < len; i++) {
        char c = name[i];

        if (!g_ascii_islower(c) && !g_ascii_isdigit(c) && c != '_' &&
            c != '-') {
            g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                        "name '%s' is not made of [a-z0-9_-] (it is used "
                        "as cmdqv=<name>)", name);
            return FALSE;
        }
    }
    for (size_t i = 0; i < G_N_ELEMENTS(reserved_names); i++) {
        if (!strcmp(name, reserved_names[i])) {
            g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                        "name '%s' is reserved (cmdqv=off|on|auto, and "
                        "'none' means no extension)", name);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
check_strings(const SmmuExtModuleDesc *desc, GError **errp)
{
    const struct {
        const char *field;
        const char *value;
    } fields[] = {
        { "name", desc->name },
        { "description", desc->description },
        { "version", desc->version },
        { "license", desc->license },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
        if (!fields[i].value || !fields[i].value[0]) {
            g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_MISSING_OP,
                        "descriptor field '%s' is %s", fields[i].field,
                        fields[i].value ? "empty" : "NULL");
            return FALSE;
        }
    }
    return check_name(desc->name, errp);
}

static gboolean
check_ops(const SmmuExtOps *ops, GError **errp)
{
    g_autoptr(GString) missing = g_string_new(NULL);

#define REQUIRE(cond, what) \
    do { \
        if (!(cond)) { \
            g_string_append_printf(missing, "%s%s", \
                                   missing->len ? ", " : "", (what)); \
        } \
    } while (0)

    REQUIRE(ops->probe, "probe");
    REQUIRE(ops->init, "init");
    REQUIRE(ops->finalize, "finalize");
    REQUIRE(ops->mmio_read, "mmio_read");
    REQUIRE(ops->mmio_write, "mmio_write");
    REQUIRE(ops->reset, "reset");
    REQUIRE(ops->hw_info_type, "hw_info_type (is 0)");
    REQUIRE(ops->viommu_type, "viommu_type (is 0)");
    REQUIRE(ops->mmio_size, "mmio_size (is 0)");
    /* An extension vEVENTQ needs someone to decode its records. */
    REQUIRE(!ops->veventq_type || ops->event,
            "event (veventq_type is set)");
    REQUIRE(!ops->veventq_type || ops->event_size,
            "event_size (veventq_type is set)");
#undef REQUIRE

    if (missing->len) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_MISSING_OP,
                    "required ops missing: %s", missing->str);
        return FALSE;
    }
    return TRUE;
}

gboolean
smmu_ext_desc_check(const SmmuExtModuleDesc *desc, GError **errp)
{
    if (!desc) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "no descriptor");
        return FALSE;
    }
    /* abi_major sits at offset 0 in every ABI: safe to read first. */
    if (desc->abi_major != SMMU_EXT_ABI_MAJOR) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_ABI_MAJOR,
                    "built for module ABI %u, this core speaks %u",
                    desc->abi_major, SMMU_EXT_ABI_MAJOR);
        return FALSE;
    }
    if (desc->abi_minor > SMMU_EXT_ABI_MINOR) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_ABI_MINOR,
                    "built for module ABI %u.%u, newer than this core's "
                    "%u.%u", desc->abi_major, desc->abi_minor,
                    SMMU_EXT_ABI_MAJOR, SMMU_EXT_ABI_MINOR);
        return FALSE;
    }
    if (desc->size < SMMU_EXT_DESC_SIZE_1_0) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DESC_SIZE,
                    "descriptor is %u bytes, module ABI %u.%u needs %zu",
                    desc->size, desc->abi_major, desc->abi_minor,
                    SMMU_EXT_DESC_SIZE_1_0);
        return FALSE;
    }
    if (!desc->ops) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DESC_SIZE,
                    "descriptor has no ops table");
        return FALSE;
    }
    if (desc->ops->size < SMMU_EXT_OPS_SIZE_1_0) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DESC_SIZE,
                    "ops table is %u bytes, module ABI %u.%u needs %zu",
                    desc->ops->size, desc->abi_major, desc->abi_minor,
                    SMMU_EXT_OPS_SIZE_1_0);
        return FALSE;
    }
    return check_strings(desc, errp) && check_ops(desc->ops, errp);
}

static SmmuExtModule *
module_new(const SmmuExtModuleDesc *desc, GModule *gmod, const char *path)
{
    SmmuExtModule *mod = g_new0(SmmuExtModule, 1);

    mod->desc = desc;
    /* Fields a smaller (older) table lacks read as zero: NULL ops. */
    memcpy(&mod->ops_copy, desc->ops,
           MIN((size_t)desc->ops->size, sizeof(mod->ops_copy)));
    mod->ops_copy.size = sizeof(mod->ops_copy);
    mod->ops = &mod->ops_copy;
    mod->gmod = gmod;
    mod->path = g_strdup(path);
    /* Strings point into the descriptor: accepted code stays resident. */
    mod->info = (SmmuExtModuleInfo) {
        .name = desc->name,
        .description = desc->description,
        .version = desc->version,
        .license = desc->license,
        .path = mod->path,
        .abi_major = desc->abi_major,
        .abi_minor = desc->abi_minor,
        .hw_info_type = mod->ops->hw_info_type,
        .priority = mod->ops->priority,
        .emulation = mod->ops->flags & SMMU_EXT_OPS_EMULATION,
    };
    return mod;
}

/* No descriptor for our major: say which major the file was built for. */
static void
set_no_symbol_error(GModule *gmod, const char *path, GError **errp)
{
    for (unsigned major = 0; major <= 9; major++) {
        g_autofree char *sym = g_strdup_printf(SMMU_EXT_MODULE_SYMBOL_PREFIX
                                               "%u", major);
        gpointer addr;

        if (major == SMMU_EXT_ABI_MAJOR) {
            continue;
        }
        if (g_module_symbol(gmod, sym, &addr)) {
            g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_ABI_MAJOR,
                        "%s: built for module ABI %u, this core speaks %u "
                        "(exports %s, not %s)", path, major,
                        SMMU_EXT_ABI_MAJOR, sym, SMMU_EXT_MODULE_SYMBOL);
            return;
        }
    }
    g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_NO_SYMBOL,
                "%s: not an smmu-ext module: no symbol %s", path,
                SMMU_EXT_MODULE_SYMBOL);
}

SmmuExtModule *
smmu_ext_module_open(const char *path, GError **errp)
{
    GModule *gmod;
    gpointer addr = NULL;
    const SmmuExtModuleDesc *desc;

    g_return_val_if_fail(path, NULL);

    /* Not LAZY: an unresolved symbol fails here, with its name. */
    gmod = g_module_open(path, G_MODULE_BIND_LOCAL);
    if (!gmod) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_NOT_MODULE,
                    "%s: cannot be loaded: %s", path, g_module_error());
        return NULL;
    }
    if (!g_module_symbol(gmod, SMMU_EXT_MODULE_SYMBOL, &addr) || !addr) {
        set_no_symbol_error(gmod, path, errp);
        g_module_close(gmod);
        return NULL;
    }
    desc = addr;
    if (!smmu_ext_desc_check(desc, errp)) {
        g_prefix_error(errp, "%s: ", path);
        g_module_close(gmod);
        return NULL;
    }
    return module_new(desc, gmod, path);
}

SmmuExtModule *
smmu_ext_module_new_static(const SmmuExtModuleDesc *desc, GError **errp)
{
    if (!smmu_ext_desc_check(desc, errp)) {
        g_prefix_error(errp, "static descriptor: ");
        return NULL;
    }
    return module_new(desc, NULL, NULL);
}

void
smmu_ext_module_accept(SmmuExtModule *mod)
{
    /* Hosts may keep pointers into the module (ops, strings) and other
     * threads may still run its code: never unload it. */
    if (mod->gmod) {
        g_module_make_resident(mod->gmod);
    }
}

void
smmu_ext_module_free(SmmuExtModule *mod)
{
    if (!mod) {
        return;
    }
    /* Drops our reference; a resident module stays mapped. */
    if (mod->gmod) {
        g_module_close(mod->gmod);
    }
    g_free(mod->path);
    g_free(mod);
}

const char *
smmu_ext_module_origin(const SmmuExtModule *mod)
{
    return mod->path ? mod->path : "static descriptor";
}
