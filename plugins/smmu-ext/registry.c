/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The registry: which directories were searched, which modules were
 * accepted (in probe order) and which files were refused and why.
 */
#define _GNU_SOURCE            /* secure_getenv, dladdr */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "loader-priv.h"

#define MODULE_SUFFIX "." G_MODULE_SUFFIX
#define MODULE_DIR_ENV "SMMU_EXT_MODULE_DIR"

/* Where the modules of this build tree live when it runs uninstalled. */
#define BUILD_TREE_MODULE_DIRS \
    SMMU_EXT_BUILD_ROOT "/plugins/smmu-ext/tegra241:" \
    SMMU_EXT_BUILD_ROOT "/plugins/smmu-ext/selftest:" \
    SMMU_EXT_BUILD_ROOT "/plugins/smmu-ext/example"

typedef struct SmmuExtRefusal {
    char *path;
    GError *reason;
} SmmuExtRefusal;

struct SmmuExtRegistry {
    GPtrArray *modules;        /* SmmuExtModule *, probe order */
    GPtrArray *refused;        /* SmmuExtRefusal *, in the order met */
    GPtrArray *dirs;           /* char *, NULL-terminated */
    bool loaded;               /* smmu_ext_registry_load() ran */
    GError *load_error;        /* ... and found no readable directory */
};

const char *
smmu_ext_version_string(void)
{
    return SMMU_EXT_VERSION;
}

static void
refusal_free(gpointer p)
{
    SmmuExtRefusal *r = p;

    g_free(r->path);
    g_error_free(r->reason);
    g_free(r);
}

static void
module_free(gpointer p)
{
    smmu_ext_module_free(p);
}

SmmuExtRegistry *
smmu_ext_registry_new(void)
{
    SmmuExtRegistry *reg = g_new0(SmmuExtRegistry, 1);

    reg->modules = g_ptr_array_new_with_free_func(module_free);
    reg->refused = g_ptr_array_new_with_free_func(refusal_free);
    reg->dirs = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(reg->dirs, NULL);
    return reg;
}

void
smmu_ext_registry_free(SmmuExtRegistry *reg)
{
    if (!reg) {
        return;
    }
    g_ptr_array_unref(reg->modules);
    g_ptr_array_unref(reg->refused);
    g_ptr_array_unref(reg->dirs);
    g_clear_error(&reg->load_error);
    g_free(reg);
}

/* Takes @reason; @path may be NULL (static descriptors). */
static void
registry_refuse(SmmuExtRegistry *reg, const char *path, GError *reason)
{
    SmmuExtRefusal *r = g_new0(SmmuExtRefusal, 1);

    r->path = g_strdup(path);
    r->reason = reason;
    g_ptr_array_add(reg->refused, r);
}

/* Probe order: higher priority first, then name (names are unique). */
static gint
module_cmp(const SmmuExtModule *a, const SmmuExtModule *b)
{
    if (a->info.priority != b->info.priority) {
        return a->info.priority > b->info.priority ? -1 : 1;
    }
    return strcmp(a->info.name, b->info.name);
}

/* Keep @mod unless its name is taken; takes @mod either way. */
static gboolean
registry_insert(SmmuExtRegistry *reg, SmmuExtModule *mod, GError **errp)
{
    const SmmuExtModule *other = smmu_ext_registry_find(reg, mod->info.name);
    guint i;

    if (other) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DUPLICATE,
                    "%s: module name '%s' is already taken by %s",
                    smmu_ext_module_origin(mod), mod->info.name,
                    smmu_ext_module_origin(other));
        smmu_ext_module_free(mod);
        return FALSE;
    }
    smmu_ext_module_accept(mod);
    for (i = 0; i < reg->modules->len; i++) {
        if (module_cmp(mod, g_ptr_array_index(reg->modules, i)) < 0) {
            break;
        }
    }
    g_ptr_array_insert(reg->modules, i, mod);
    return TRUE;
}

bool
smmu_ext_registry_add_static(SmmuExtRegistry *reg,
                             const SmmuExtModuleDesc *desc, GError **errp)
{
    SmmuExtModule *mod;

    g_return_val_if_fail(reg, false);

    mod = smmu_ext_module_new_static(desc, errp);
    return mod && registry_insert(reg, mod, errp);
}

static void
registry_load_file(SmmuExtRegistry *reg, const char *path)
{
    GError *err = NULL;
    SmmuExtModule *mod;

    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        registry_refuse(reg, path,
                        g_error_new(SMMU_EXT_ERROR, SMMU_EXT_ERROR_NOT_MODULE,
                                    "%s: not a module (not a regular file)",
                                    path));
        return;
    }
    mod = smmu_ext_module_open(path, &err);
    if (!mod || !registry_insert(reg, mod, &err)) {
        registry_refuse(reg, path, err);
    }
}

static int
strcmp_p(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load every *.so of @dir in strcmp order (the same on every host).
 * Returns FALSE, with the reason recorded, when @dir cannot be read. */
static gboolean
registry_load_dir(SmmuExtRegistry *reg, const char *dir)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    DIR *d = opendir(dir);
    struct dirent *de;

    if (!d) {
        int err = errno;

        registry_refuse(reg, dir,
                        g_error_new(SMMU_EXT_ERROR, SMMU_EXT_ERROR_MODULE_DIR,
                                    "module directory %s cannot be read: %s",
                                    dir, g_strerror(err)));
        return FALSE;
    }
    while ((de = readdir(d))) {
        if (g_str_has_suffix(de->d_name, MODULE_SUFFIX)) {
            g_ptr_array_add(names, g_strdup(de->d_name));
        }
    }
    closedir(d);

    g_ptr_array_sort(names, strcmp_p);
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *path = g_build_filename(dir,
                                                 g_ptr_array_index(names, i),
                                                 NULL);
        registry_load_file(reg, path);
    }
    return TRUE;
}

/* Is this library running from the build tree it was compiled in? */
static bool
running_uninstalled(void)
{
    Dl_info info;
    char self[PATH_MAX], root[PATH_MAX];
    size_t len;

    if (!dladdr((void *)running_uninstalled, &info) || !info.dli_fname ||
        !realpath(info.dli_fname, self) ||
        !realpath(SMMU_EXT_BUILD_ROOT, root)) {
        return false;
    }
    len = strlen(root);
    return !strncmp(self, root, len) && self[len] == '/';
}

const char *
smmu_ext_registry_default_dir(void)
{
    static const char *dir;

    if (g_once_init_enter(&dir)) {
        g_once_init_leave(&dir, running_uninstalled() ?
                          BUILD_TREE_MODULE_DIRS :
                          SMMU_EXT_MODULE_DIR_DEFAULT);
    }
    return dir;
}

/* $SMMU_EXT_MODULE_DIR, unless the process is privileged: then a caller's
 * environment must not choose which code we load. */
static const char *
env_module_dirs(void)
{
    const char *dirs = secure_getenv(MODULE_DIR_ENV);

    if (!dirs && getenv(MODULE_DIR_ENV)) {
        static gsize warned;

        if (g_once_init_enter(&warned)) {
            g_warning(MODULE_DIR_ENV " ignored: the process runs with "
                      "elevated privileges");
            g_once_init_leave(&warned, 1);
        }
    }
    return dirs;
}

bool
smmu_ext_registry_load(SmmuExtRegistry *reg, const char *dirs,
                       GError **errp)
{
    g_autofree char *search = NULL;
    g_auto(GStrv) list = NULL;
    g_autoptr(GString) failed = g_string_new(NULL);
    guint n_read = 0;

    g_return_val_if_fail(reg, false);

    if (reg->loaded) {
        if (reg->load_error) {
            g_propagate_error(errp, g_error_copy(reg->load_error));
            return false;
        }
        return true;
    }
    reg->loaded = true;

    if (dirs) {
        search = g_strdup(dirs);
    } else {
        const char *env = env_module_dirs();

        search = env && env[0] ?
            g_strconcat(env, ":", smmu_ext_registry_default_dir(), NULL) :
            g_strdup(smmu_ext_registry_default_dir());
    }

    /* Drop the terminator while appending, restore it after. */
    g_ptr_array_set_size(reg->dirs, 0);
    list = g_strsplit(search, ":", -1);
    for (char **d = list; *d; d++) {
        /* The environment often names the default directory again (the
         * build tree's tests do): search each directory once. */
        if (!**d || g_ptr_array_find_with_equal_func(reg->dirs, *d,
                                                     g_str_equal, NULL)) {
            continue;
        }
        g_ptr_array_add(reg->dirs, g_strdup(*d));
        if (registry_load_dir(reg, *d)) {
            n_read++;
        } else {
            g_string_append_printf(failed, "%s%s", failed->len ? ", " : "",
                                   *d);
        }
    }
    g_ptr_array_add(reg->dirs, NULL);

    if (!n_read) {
        reg->load_error = g_error_new(SMMU_EXT_ERROR,
                                      SMMU_EXT_ERROR_MODULE_DIR,
                                      "no module directory could be read "
                                      "(tried: %s)",
                                      failed->len ? failed->str : "none");
        g_propagate_error(errp, g_error_copy(reg->load_error));
        return false;
    }
    return true;
}

gboolean
smmu_ext_registry_loaded(const SmmuExtRegistry *reg)
{
    return reg->loaded || reg->modules->len;
}

gboolean
smmu_ext_registry_ensure_loaded(SmmuExtRegistry *reg, GError **errp)
{
    /* Static descriptors count as loaded: fuzzers and tests that
     * register their own must not pick up installed modules too. */
    if (!reg->loaded && reg->modules->len) {
        return TRUE;
    }
    /* Loads once; later calls return the first outcome again. */
    return smmu_ext_registry_load(reg, NULL, errp);
}

const char *const *
smmu_ext_registry_dirs(const SmmuExtRegistry *reg)
{
    g_return_val_if_fail(reg, NULL);
    return (const char *const *)reg->dirs->pdata;
}

guint
smmu_ext_registry_n_modules(const SmmuExtRegistry *reg)
{
    g_return_val_if_fail(reg, 0);
    return reg->modules->len;
}

const SmmuExtModule *
smmu_ext_registry_get(const SmmuExtRegistry *reg, guint i)
{
    g_return_val_if_fail(reg, NULL);
    return i < reg->modules->len ? g_ptr_array_index(reg->modules, i) : NULL;
}

const SmmuExtModuleInfo *
smmu_ext_registry_module(const SmmuExtRegistry *reg, guint i)
{
    const SmmuExtModule *mod = smmu_ext_registry_get(reg, i);

    return mod ? &mod->info : NULL;
}

const SmmuExtModule *
smmu_ext_registry_find(const SmmuExtRegistry *reg, const char *name)
{
    g_return_val_if_fail(reg, NULL);

    if (!name) {
        return NULL;
    }
    for (guint i = 0; i < reg->modules->len; i++) {
        const SmmuExtModule *mod = g_ptr_array_index(reg->modules, i);

        if (!strcmp(mod->info.name, name)) {
            return mod;
        }
    }
    return NULL;
}

guint
smmu_ext_registry_n_refused(const SmmuExtRegistry *reg)
{
    g_return_val_if_fail(reg, 0);
    return reg->refused->len;
}

const char *
smmu_ext_registry_refused_path(const SmmuExtRegistry *reg, guint i)
{
    g_return_val_if_fail(reg, NULL);

    if (i >= reg->refused->len) {
        return NULL;
    }
    return ((SmmuExtRefusal *)g_ptr_array_index(reg->refused, i))->path;
}

const GError *
smmu_ext_registry_refused_reason(const SmmuExtRegistry *reg, guint i)
{
    g_return_val_if_fail(reg, NULL);

    if (i >= reg->refused->len) {
        return NULL;
    }
    return ((SmmuExtRefusal *)g_ptr_array_index(reg->refused, i))->reason;
}

char *
smmu_ext_registry_describe(const SmmuExtRegistry *reg)
{
    GString *s = g_string_new("directories searched: ");

    if (reg->dirs->len > 1) {
        for (guint i = 0; i + 1 < reg->dirs->len; i++) {
            g_string_append_printf(s, "%s%s", i ? ", " : "",
                                   (char *)g_ptr_array_index(reg->dirs, i));
        }
    } else {
        g_string_append(s, reg->loaded ? "none" : "none (not loaded)");
    }

    g_string_append(s, "; modules found: ");
    if (!reg->modules->len) {
        g_string_append(s, "none");
    }
    for (guint i = 0; i < reg->modules->len; i++) {
        const SmmuExtModule *mod = g_ptr_array_index(reg->modules, i);

        g_string_append_printf(s, "%s%s %s (%s)", i ? ", " : "",
                               mod->info.name, mod->info.version,
                               smmu_ext_module_origin(mod));
    }

    g_string_append(s, "; refused: ");
    if (!reg->refused->len) {
        g_string_append(s, "none");
    }
    /* Each reason already names its file or directory. */
    for (guint i = 0; i < reg->refused->len; i++) {
        const SmmuExtRefusal *r = g_ptr_array_index(reg->refused, i);

        g_string_append_printf(s, "%s%s", i ? "; " : "", r->reason->message);
    }
    return g_string_free(s, FALSE);
}
