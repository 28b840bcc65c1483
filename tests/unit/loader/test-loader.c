/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Registry, loader and cmdqv= parsing through the public API.  The fake
 * modules live in fake/<case>/, one directory per case.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include "smmu-ext.h"

static char *
case_dir(const char *name)
{
    return g_test_build_filename(G_TEST_BUILT, "fake", name, NULL);
}

static char *
case_file(const char *name, const char *file)
{
    g_autofree char *so = g_strconcat(file, "." G_MODULE_SUFFIX, NULL);

    return g_test_build_filename(G_TEST_BUILT, "fake", name, so, NULL);
}

static SmmuExtRegistry *
load_dirs(const char *dirs)
{
    g_autoptr(GError) err = NULL;
    SmmuExtRegistry *reg = smmu_ext_registry_new();

    g_assert_true(smmu_ext_registry_load(reg, dirs, &err));
    g_assert_no_error(err);
    return reg;
}

static SmmuExtRegistry *
load_case(const char *name)
{
    g_autofree char *dir = case_dir(name);

    return load_dirs(dir);
}

static void
assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle)) {
        g_test_fail_printf("'%s' does not contain '%s'", haystack, needle);
    }
}

/* --- accepted modules --------------------------------------------------- */

static void
test_valid_listed(void)
{
    g_autofree char *dir = case_dir("valid");
    g_autofree char *path = case_file("valid", "fake-valid");
    g_autoptr(SmmuExtRegistry) reg = load_case("valid");
    const SmmuExtModuleInfo *info;
    const char *const *dirs = smmu_ext_registry_dirs(reg);

    g_test_summary("A valid module loads and is listed with its version, "
                   "path and what it declares");
    g_assert_cmpuint(smmu_ext_registry_n_modules(reg), ==, 1);
    g_assert_cmpuint(smmu_ext_registry_n_refused(reg), ==, 0);
    info = smmu_ext_registry_module(reg, 0);
    g_assert_cmpstr(info->name, ==, "fake-valid");
    g_assert_cmpstr(info->version, ==, "1.2.3");
    g_assert_cmpstr(info->path, ==, path);
    g_assert_cmpstr(info->license, ==, "GPL-2.0-or-later");
    assert_contains(info->description, "fake-valid");
    g_assert_cmpuint(info->abi_major, ==, SMMU_EXT_ABI_MAJOR);
    g_assert_cmpuint(info->abi_minor, ==, SMMU_EXT_ABI_MINOR);
    g_assert_cmphex(info->hw_info_type, ==, 0xfa4e);
    g_assert_true(info->emulation);
    g_assert_null(smmu_ext_registry_module(reg, 1));

    g_assert_cmpstr(dirs[0], ==, dir);
    g_assert_null(dirs[1]);
}

static void
test_accepted_stay_resident(void)
{
    SmmuExtRegistry *reg = load_case("valid");
    const char *name = smmu_ext_registry_module(reg, 0)->name;
    const char *version = smmu_ext_registry_module(reg, 0)->version;

    g_test_summary("An accepted module is never unloaded: what it exported "
                   "stays readable after the registry is freed");
    smmu_ext_registry_free(reg);
    g_assert_cmpstr(name, ==, "fake-valid");
    g_assert_cmpstr(version, ==, "1.2.3");
}

static void
test_deterministic_order(void)
{
    static const char *const expected[] = { "gamma", "alpha", "beta",
                                            "delta" };
    g_autoptr(SmmuExtRegistry) a = load_case("order");
    g_autoptr(SmmuExtRegistry) b = load_case("order");

    g_test_summary("Modules are kept by priority (descending), then name, "
                   "whatever their file names; every load agrees");
    g_assert_cmpuint(smmu_ext_registry_n_modules(a), ==,
                     G_N_ELEMENTS(expected));
    g_assert_cmpuint(smmu_ext_registry_n_modules(b), ==,
                     G_N_ELEMENTS(expected));
    for (guint i = 0; i < G_N_ELEMENTS(expected); i++) {
        g_assert_cmpstr(smmu_ext_registry_module(a, i)->name, ==,
                        expected[i]);
        g_assert_cmpstr(smmu_ext_registry_module(b, i)->name, ==,
                        expected[i]);
    }
    g_assert_cmpint(smmu_ext_registry_module(a, 0)->priority, ==, 20);
    g_assert_cmpint(smmu_ext_registry_module(a, 3)->priority, ==, -3);
}

static void
test_others_still_load(void)
{
    g_autofree char *good = case_file("mixed", "b-good");
    g_autofree char *no_probe = case_file("mixed", "a-no-probe");
    g_autofree char *no_symbol = case_file("mixed", "c-no-symbol");
    g_autoptr(SmmuExtRegistry) reg = load_case("mixed");

    g_test_summary("A refused file does not stop the others; refusals are "
                   "recorded in file order");
    g_assert_cmpuint(smmu_ext_registry_n_modules(reg), ==, 1);
    g_assert_cmpstr(smmu_ext_registry_module(reg, 0)->name, ==, "fake-good");
    g_assert_cmpstr(smmu_ext_registry_module(reg, 0)->path, ==, good);
    g_assert_cmpuint(smmu_ext_registry_n_refused(reg), ==, 2);
    g_assert_cmpstr(smmu_ext_registry_refused_path(reg, 0), ==, no_probe);
    g_assert_error(smmu_ext_registry_refused_reason(reg, 0), SMMU_EXT_ERROR,
                   SMMU_EXT_ERROR_MISSING_OP);
    g_assert_cmpstr(smmu_ext_registry_refused_path(reg, 1), ==, no_symbol);
    g_assert_error(smmu_ext_registry_refused_reason(reg, 1), SMMU_EXT_ERROR,
                   SMMU_EXT_ERROR_NO_SYMBOL);
    g_assert_null(smmu_ext_registry_refused_path(reg, 2));
    g_assert_null(smmu_ext_registry_refused_reason(reg, 2));
}

/* --- refusals, one case directory each ---------------------------------- */

typedef struct RefusalCase {
    const char *dir;
    const char *file;
    int code;                  /* SmmuExtErrorCode */
    const char *needles[3];    /* facts the message must name */
} RefusalCase;

static const RefusalCase refusal_cases[] = {
    { "no-symbol", "no-symbol", SMMU_EXT_ERROR_NO_SYMBOL,
      { SMMU_EXT_MODULE_SYMBOL } },
    { "undefined", "undefined", SMMU_EXT_ERROR_NOT_MODULE,
      { "fake_undefined_function" } },
    { "abi-major", "abi-major", SMMU_EXT_ERROR_ABI_MAJOR,
      { "ABI 2", "speaks 1" } },
    { "abi-major-symbol", "abi-major-symbol", SMMU_EXT_ERROR_ABI_MAJOR,
      { "ABI 2", "speaks 1", "smmu_ext_module_v2" } },
    { "abi-minor", "abi-minor", SMMU_EXT_ERROR_ABI_MINOR,
      { "1.1", "1.0" } },
    { "desc-size", "desc-size", SMMU_EXT_ERROR_DESC_SIZE,
      { "descriptor" } },
    { "ops-size", "ops-size", SMMU_EXT_ERROR_DESC_SIZE,
      { "ops table" } },
    { "no-probe", "no-probe", SMMU_EXT_ERROR_MISSING_OP, { "probe" } },
    { "no-mmio-read", "no-mmio-read", SMMU_EXT_ERROR_MISSING_OP,
      { "mmio_read" } },
    { "no-reset", "no-reset", SMMU_EXT_ERROR_MISSING_OP, { "reset" } },
    { "no-event", "no-event", SMMU_EXT_ERROR_MISSING_OP,
      { "event", "veventq_type" } },
};

static void
test_refused(gconstpointer data)
{
    const RefusalCase *c = data;
    g_autofree char *path = case_file(c->dir, c->file);
    g_autoptr(SmmuExtRegistry) reg = load_case(c->dir);
    const GError *why;

    g_test_summary("A broken module is refused with its code and a message "
                   "naming the file and the facts; load still succeeds");
    g_assert_cmpuint(smmu_ext_registry_n_modules(reg), ==, 0);
    g_assert_cmpuint(smmu_ext_registry_n_refused(reg), ==, 1);
    g_assert_cmpstr(smmu_ext_registry_refused_path(reg, 0), ==, path);
    why = smmu_ext_registry_refused_reason(reg, 0);
    g_test_message("%s", why ? why->message : "(no reason)");
    g_assert_error(why, SMMU_EXT_ERROR, c->code);
    assert_contains(why->message, path);
    for (guint i = 0; i < G_N_ELEMENTS(c->needles) && c->needles[i]; i++) {
        assert_contains(why->message, c->needles[i]);
    }
}

static void
test_duplicate(void)
{
    g_autofree char *a = case_dir("dup-a");
    g_autofree char *b = case_dir("dup-b");
    g_autofree char *pa = case_file("dup-a", "dup");
    g_autofree char *pb = case_file("dup-b", "dup");
    g_autofree char *ab = g_strjoin(":", a, b, NULL);
    g_autofree char *ba = g_strjoin(":", b, a, NULL);
    g_autoptr(SmmuExtRegistry) first_a = load_dirs(ab);
    g_autoptr(SmmuExtRegistry) first_b = load_dirs(ba);
    const GError *why;

    g_test_summary("A second module with a taken name is refused naming both "
                   "files; the directory searched first wins");
    g_assert_cmpuint(smmu_ext_registry_n_modules(first_a), ==, 1);
    g_assert_cmpstr(smmu_ext_registry_module(first_a, 0)->version, ==, "1.0");
    g_assert_cmpuint(smmu_ext_registry_n_refused(first_a), ==, 1);
    g_assert_cmpstr(smmu_ext_registry_refused_path(first_a, 0), ==, pb);
    why = smmu_ext_registry_refused_reason(first_a, 0);
    g_assert_error(why, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DUPLICATE);
    assert_contains(why->message, pa);
    assert_contains(why->message, pb);
    assert_contains(why->message, "fake-dup");

    g_assert_cmpuint(smmu_ext_registry_n_modules(first_b), ==, 1);
    g_assert_cmpstr(smmu_ext_registry_module(first_b, 0)->version, ==, "2.0");
    g_assert_cmpstr(smmu_ext_registry_refused_path(first_b, 0), ==, pa);
}

/* A temporary directory removed (with its entries) at the end of a test. */
typedef struct TmpDir {
    char *path;
} TmpDir;

static void
tmp_dir_free(TmpDir *t)
{
    g_autoptr(GDir) d = g_dir_open(t->path, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(t->path, name, NULL);

        if (g_file_test(p, G_FILE_TEST_IS_DIR) &&
            !g_file_test(p, G_FILE_TEST_IS_SYMLINK)) {
            g_rmdir(p);
        } else {
            g_unlink(p);
        }
    }
    g_rmdir(t->path);
    g_free(t->path);
    g_free(t);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TmpDir, tmp_dir_free)

static TmpDir *
tmp_dir_new(void)
{
    g_autoptr(GError) err = NULL;
    TmpDir *t = g_new0(TmpDir, 1);

    t->path = g_dir_make_tmp("smmu-ext-loader-XXXXXX", &err);
    g_assert_no_error(err);
    return t;
}

static void
test_not_loadable(void)
{
    g_autoptr(TmpDir) t = tmp_dir_new();
    g_autofree char *text = g_build_filename(t->path, "a.so", NULL);
    g_autofree char *link = g_build_filename(t->path, "b.so", NULL);
    g_autofree char *subdir = g_build_filename(t->path, "c.so", NULL);
    g_autofree char *other = g_build_filename(t->path, "notes.txt", NULL);
    g_autofree char *valid = case_file("valid", "fake-valid");
    g_autoptr(GError) err = NULL;
    g_autoptr(SmmuExtRegistry) reg = NULL;

    g_test_summary("A text file named *.so and a directory named *.so are "
                   "refused as not modules; other files are ignored; the "
                   "module next to them loads");
    g_file_set_contents(text, "not an ELF object\n", -1, &err);
    g_assert_no_error(err);
    g_file_set_contents(other, "ignored\n", -1, &err);
    g_assert_no_error(err);
    g_assert_cmpint(symlink(valid, link), ==, 0);
    g_assert_cmpint(g_mkdir(subdir, 0700), ==, 0);

    reg = load_dirs(t->path);
    g_assert_cmpuint(smmu_ext_registry_n_modules(reg), ==, 1);
    g_assert_cmpstr(smmu_ext_registry_module(reg, 0)->name, ==, "fake-valid");
    g_assert_cmpstr(smmu_ext_registry_module(reg, 0)->path, ==, link);
    g_assert_cmpuint(smmu_ext_registry_n_refused(reg), ==, 2);
    g_assert_cmpstr(smmu_ext_registry_refused_path(reg, 0), ==, text);
    g_assert_error(smmu_ext_registry_refused_reason(reg, 0), SMMU_EXT_ERROR,
                   SMMU_EXT_ERROR_NOT_MODULE);
    assert_contains(smmu_ext_registry_refused_reason(reg, 0)->message, text);
    g_assert_cmpstr(smmu_ext_registry_refused_path(reg, 1), ==, subdir);
    g_assert_error(smmu_ext_registry_refused_reason(reg, 1), SMMU_EXT_ERROR,
                   SMMU_EXT_ERROR_NOT_MODULE);
    assert_contains(smmu_ext_registry_refused_reason(reg, 1)->message, subdir);
}

/* --- directories -------------------------------------------------------- */

static void
test_missing_dir_goes_on(void)
{
    g_autoptr(TmpDir) t = tmp_dir_new();
    g_autofree char *missing = g_build_filename(t->path, "missing", NULL);
    g_autofree char *file = g_build_filename(t->path, "file", NULL);
    g_autofree char *valid = case_dir("valid");
    g_autofree char *dirs = g_strjoin(":", missing, file, valid, NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(SmmuExtRegistry) reg = NULL;
    const char *const *searched;
    const GError *why;

    g_test_summary("A missing directory and a file given as a directory are "
                   "recorded with a clear message and loading goes on");
    g_file_set_contents(file, "x", -1, &err);
    g_assert_no_error(err);

    reg = load_dirs(dirs);
    g_assert_cmpuint(smmu_ext_registry_n_modules(reg), ==, 1);
    g_assert_cmpuint(smmu_ext_registry_n_refused(reg), ==, 2);

    g_assert_cmpstr(smmu_ext_registry_refused_path(reg, 0), ==, missing);
    why = smmu_ext_registry_refused_reason(reg, 0);
    g_assert_error(why, SMMU_EXT_ERROR, SMMU_EXT_ERROR_MODULE_DIR);
    assert_contains(why->message, missing);
    assert_contains(why->message, g_strerror(ENOENT));

    g_assert_cmpstr(smmu_ext_registry_refused_path(reg, 1), ==, file);
    why = smmu_ext_registry_refused_reason(reg, 1);
    g_assert_error(why, SMMU_EXT_ERROR, SMMU_EXT_ERROR_MODULE_DIR);
    assert_contains(why->message, file);
    assert_contains(why->message, g_strerror(ENOTDIR));

    searched = smmu_ext_registry_dirs(reg);
    g_assert_cmpstr(searched[0], ==, missing);
    g_assert_cmpstr(searched[1], ==, file);
    g_assert_cmpstr(searched[2], ==, valid);
    g_assert_null(searched[3]);
}

static void
test_no_dir_readable(void)
{
    g_autoptr(TmpDir) t = tmp_dir_new();
    g_autofree char *m1 = g_build_filename(t->path, "m1", NULL);
    g_autofree char *m2 = g_build_filename(t->path, "m2", NULL);
    g_autofree char *dirs = g_strjoin("::", m1, m2, NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(GError) again = NULL;
    g_autoptr(SmmuExtRegistry) reg = smmu_ext_registry_new();

    g_test_summary("load fails only when no directory can be read, naming "
                   "each; asking again gives the same answer");
    g_assert_false(smmu_ext_registry_load(reg, dirs, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_MODULE_DIR);
    assert_contains(err->message, m1);
    assert_contains(err->message, m2);
    g_assert_cmpuint(smmu_ext_registry_n_refused(reg), ==, 2);

    g_assert_false(smmu_ext_registry_load(reg, dirs, &again));
    g_assert_error(again, SMMU_EXT_ERROR, SMMU_EXT_ERROR_MODULE_DIR);
    g_assert_cmpuint(smmu_ext_registry_n_refused(reg), ==, 2);
}

static void
test_empty_dir(void)
{
    g_autoptr(TmpDir) t = tmp_dir_new();
    g_autoptr(SmmuExtRegistry) reg = load_dirs(t->path);

    g_test_summary("An empty but readable directory is a successful load");
    g_assert_cmpuint(smmu_ext_registry_n_modules(reg), ==, 0);
    g_assert_cmpuint(smmu_ext_registry_n_refused(reg), ==, 0);
}

static void
test_load_twice(void)
{
    g_autofree char *valid = case_dir("valid");
    g_autofree char *order = case_dir("order");
    g_autoptr(GError) err = NULL;
    g_autoptr(SmmuExtRegistry) reg = load_dirs(valid);

    g_test_summary("Loading twice is a no-op, even with other directories");
    g_assert_true(smmu_ext_registry_load(reg, order, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(smmu_ext_registry_n_modules(reg), ==, 1);
    g_assert_cmpstr(smmu_ext_registry_dirs(reg)[0], ==, valid);
    g_assert_null(smmu_ext_registry_dirs(reg)[1]);
}

static void
test_dir_searched_once(void)
{
    g_autofree char *valid = case_dir("valid");
    g_autofree char *twice = g_strjoin(":", valid, valid, NULL);
    g_autoptr(SmmuExtRegistry) reg = load_dirs(twice);

    g_test_summary("A directory named twice is searched once, so its "
                   "modules are not refused as duplicates of themselves");
    g_assert_cmpuint(smmu_ext_registry_n_modules(reg), ==, 1);
    g_assert_cmpuint(smmu_ext_registry_n_refused(reg), ==, 0);
    g_assert_cmpstr(smmu_ext_registry_dirs(reg)[0], ==, valid);
    g_assert_null(smmu_ext_registry_dirs(reg)[1]);
}

static void
test_env_dir(void)
{
    const char *env = g_getenv("SMMU_EXT_MODULE_DIR");
    g_autofree char *path = NULL;
    g_autofree char *rest = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(SmmuExtRegistry) reg = smmu_ext_registry_new();
    const char *const *dirs;
    const SmmuExtModuleInfo *info = NULL;

    g_test_summary("With no directories given, $SMMU_EXT_MODULE_DIR is "
                   "searched first, then the default directory");
    if (!env) {
        g_test_skip("SMMU_EXT_MODULE_DIR is not set (run through meson)");
        return;
    }
    path = g_build_filename(env, "fake-valid." G_MODULE_SUFFIX, NULL);

    /* The default directories may not all exist: only refusals then. */
    smmu_ext_registry_load(reg, NULL, &err);
    g_assert_no_error(err);
    dirs = smmu_ext_registry_dirs(reg);
    g_assert_cmpstr(dirs[0], ==, env);
    g_assert_nonnull(dirs[1]);
    rest = g_strjoinv(":", (char **)&dirs[1]);
    g_assert_cmpstr(rest, ==, smmu_ext_registry_default_dir());

    for (guint i = 0; i < smmu_ext_registry_n_modules(reg); i++) {
        if (!g_strcmp0(smmu_ext_registry_module(reg, i)->name,
                       "fake-valid")) {
            info = smmu_ext_registry_module(reg, i);
        }
    }
    g_assert_nonnull(info);
    g_assert_cmpstr(info->path, ==, path);
}

static void
test_default_dir_uninstalled(void)
{
    g_test_summary("Run from the build tree, the default directories are the "
                   "build tree's module directories");
    g_assert_cmpstr(smmu_ext_registry_default_dir(), ==,
                    BUILD_ROOT "/plugins/smmu-ext/tegra241:"
                    BUILD_ROOT "/plugins/smmu-ext/selftest:"
                    BUILD_ROOT "/plugins/smmu-ext/example");
}

/* --- static descriptors ------------------------------------------------- */

static bool
st_probe(const SmmuExtProbeInput *in, SmmuExtGeometry *geo, GError **errp)
{
    *geo = (SmmuExtGeometry) { .version = 1 };
    return true;
}

static bool
st_init(void *state, SmmuExtCore *core, SmmuExtGeometry *geo, GError **errp)
{
    return true;
}

static void
st_finalize(void *state)
{
}

static uint64_t
st_mmio_read(void *state, uint64_t offset, unsigned size)
{
    return 0;
}

static void
st_mmio_write(void *state, uint64_t offset, uint64_t value, unsigned size)
{
}

static void
st_reset(void *state)
{
}

static void
st_event(void *state, const void *payload, size_t len)
{
}

static const SmmuExtOps st_ops = {
    .size = sizeof(SmmuExtOps),
    .priority = 1,
    .hw_info_type = 7,
    .probe = st_probe,
    .init = st_init,
    .finalize = st_finalize,
    .viommu_type = 7,
    .mmio_size = 0x100,
    .mmio_read = st_mmio_read,
    .mmio_write = st_mmio_write,
    .veventq_type = 7,
    .event_size = 4,
    .event = st_event,
    .reset = st_reset,
};

static const SmmuExtModuleDesc st_desc = {
    .abi_major = SMMU_EXT_ABI_MAJOR,
    .abi_minor = SMMU_EXT_ABI_MINOR,
    .size = sizeof(SmmuExtModuleDesc),
    .name = "fake-valid",
    .description = "static test module",
    .version = "9.9",
    .license = "GPL-2.0-or-later",
    .ops = &st_ops,
};

static void
test_static_valid(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GError) dup = NULL;
    g_autoptr(SmmuExtRegistry) reg = smmu_ext_registry_new();
    const SmmuExtModuleInfo *info;

    g_test_summary("A static descriptor is listed without a path; a second "
                   "one with the same name is a duplicate");
    g_assert_true(smmu_ext_registry_add_static(reg, &st_desc, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(smmu_ext_registry_n_modules(reg), ==, 1);
    info = smmu_ext_registry_module(reg, 0);
    g_assert_cmpstr(info->name, ==, "fake-valid");
    g_assert_cmpstr(info->version, ==, "9.9");
    g_assert_null(info->path);
    g_assert_false(info->emulation);

    g_assert_false(smmu_ext_registry_add_static(reg, &st_desc, &dup));
    g_assert_error(dup, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DUPLICATE);
    g_assert_cmpuint(smmu_ext_registry_n_modules(reg), ==, 1);
}

static void
test_static_shadows_file(void)
{
    g_autofree char *dir = case_dir("valid");
    g_autofree char *path = case_file("valid", "fake-valid");
    g_autoptr(GError) err = NULL;
    g_autoptr(SmmuExtRegistry) reg = smmu_ext_registry_new();
    const GError *why;

    g_test_summary("A file whose name a static descriptor took is refused "
                   "as a duplicate naming both");
    g_assert_true(smmu_ext_registry_add_static(reg, &st_desc, &err));
    g_assert_true(smmu_ext_registry_load(reg, dir, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(smmu_ext_registry_n_modules(reg), ==, 1);
    g_assert_null(smmu_ext_registry_module(reg, 0)->path);
    g_assert_cmpuint(smmu_ext_registry_n_refused(reg), ==, 1);
    why = smmu_ext_registry_refused_reason(reg, 0);
    g_assert_error(why, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DUPLICATE);
    assert_contains(why->message, path);
    assert_contains(why->message, "static");
}

typedef struct DescCase {
    const char *what;
    int code;                  /* SmmuExtErrorCode */
    const char *needle;
    void (*mutate)(SmmuExtModuleDesc *d, SmmuExtOps *o);
} DescCase;

#define MUTATOR(id_, stmt_) \
    static void mut_##id_(SmmuExtModuleDesc *d, SmmuExtOps *o) { stmt_; }

MUTATOR(major, d->abi_major = SMMU_EXT_ABI_MAJOR + 1)
MUTATOR(major0, d->abi_major = 0)
MUTATOR(minor, d->abi_minor = SMMU_EXT_ABI_MINOR + 1)
MUTATOR(size, d->size = sizeof(*d) - 1)
MUTATOR(no_ops, d->ops = NULL)
MUTATOR(ops_size, o->size = offsetof(SmmuExtOps, load))
MUTATOR(null_name, d->name = NULL)
MUTATOR(empty_name, d->name = "")
MUTATOR(empty_desc, d->description = "")
MUTATOR(null_version, d->version = NULL)
MUTATOR(empty_license, d->license = "")
MUTATOR(upper_name, d->name = "Tegra241")
MUTATOR(space_name, d->name = "a b")
MUTATOR(colon_name, d->name = "a:b")
MUTATOR(long_name, d->name = "a123456789a123456789a123456789a123456789"
                             "a123456789a123456789abcd")
MUTATOR(off, d->name = "off")
MUTATOR(on, d->name = "on")
MUTATOR(auto, d->name = "auto")
MUTATOR(none, d->name = "none")
MUTATOR(probe, o->probe = NULL)
MUTATOR(init, o->init = NULL)
MUTATOR(finalize, o->finalize = NULL)
MUTATOR(mmio_read, o->mmio_read = NULL)
MUTATOR(mmio_write, o->mmio_write = NULL)
MUTATOR(reset, o->reset = NULL)
MUTATOR(hw_info_type, o->hw_info_type = 0)
MUTATOR(viommu_type, o->viommu_type = 0)
MUTATOR(mmio_size, o->mmio_size = 0)
MUTATOR(event, o->event = NULL)
MUTATOR(event_size, o->event_size = 0)

static const DescCase desc_cases[] = {
    { "abi-major", SMMU_EXT_ERROR_ABI_MAJOR, "ABI 2", mut_major },
    { "abi-major-0", SMMU_EXT_ERROR_ABI_MAJOR, "ABI 0", mut_major0 },
    { "abi-minor", SMMU_EXT_ERROR_ABI_MINOR, "1.1", mut_minor },
    { "desc-size", SMMU_EXT_ERROR_DESC_SIZE, "descriptor", mut_size },
    { "no-ops", SMMU_EXT_ERROR_DESC_SIZE, "ops", mut_no_ops },
    { "ops-size", SMMU_EXT_ERROR_DESC_SIZE, "ops table", mut_ops_size },
    { "null-name", SMMU_EXT_ERROR_MISSING_OP, "name", mut_null_name },
    { "empty-name", SMMU_EXT_ERROR_MISSING_OP, "name", mut_empty_name },
    { "empty-description", SMMU_EXT_ERROR_MISSING_OP, "description",
      mut_empty_desc },
    { "null-version", SMMU_EXT_ERROR_MISSING_OP, "version",
      mut_null_version },
    { "empty-license", SMMU_EXT_ERROR_MISSING_OP, "license",
      mut_empty_license },
    { "upper-case-name", SMMU_EXT_ERROR_INVALID, "Tegra241", mut_upper_name },
    { "space-in-name", SMMU_EXT_ERROR_INVALID, "a b", mut_space_name },
    { "colon-in-name", SMMU_EXT_ERROR_INVALID, "a:b", mut_colon_name },
    { "long-name", SMMU_EXT_ERROR_INVALID, "longer", mut_long_name },
    { "name-off", SMMU_EXT_ERROR_INVALID, "reserved", mut_off },
    { "name-on", SMMU_EXT_ERROR_INVALID, "reserved", mut_on },
    { "name-auto", SMMU_EXT_ERROR_INVALID, "reserved", mut_auto },
    { "name-none", SMMU_EXT_ERROR_INVALID, "reserved", mut_none },
    { "no-probe", SMMU_EXT_ERROR_MISSING_OP, "probe", mut_probe },
    { "no-init", SMMU_EXT_ERROR_MISSING_OP, "init", mut_init },
    { "no-finalize", SMMU_EXT_ERROR_MISSING_OP, "finalize", mut_finalize },
    { "no-mmio-read", SMMU_EXT_ERROR_MISSING_OP, "mmio_read",
      mut_mmio_read },
    { "no-mmio-write", SMMU_EXT_ERROR_MISSING_OP, "mmio_write",
      mut_mmio_write },
    { "no-reset", SMMU_EXT_ERROR_MISSING_OP, "reset", mut_reset },
    { "no-hw-info-type", SMMU_EXT_ERROR_MISSING_OP, "hw_info_type",
      mut_hw_info_type },
    { "no-viommu-type", SMMU_EXT_ERROR_MISSING_OP, "viommu_type",
      mut_viommu_type },
    { "no-mmio-size", SMMU_EXT_ERROR_MISSING_OP, "mmio_size",
      mut_mmio_size },
    { "no-event", SMMU_EXT_ERROR_MISSING_OP, "event", mut_event },
    { "no-event-size", SMMU_EXT_ERROR_MISSING_OP, "event_size",
      mut_event_size },
};

static void
test_static_refused(gconstpointer data)
{
    const DescCase *c = data;
    SmmuExtModuleDesc desc = st_desc;
    SmmuExtOps ops = st_ops;
    g_autoptr(GError) err = NULL;
    g_autoptr(SmmuExtRegistry) reg = smmu_ext_registry_new();

    g_test_summary("A static descriptor gets the loader's checks: each "
                   "defect has its code and is named in the message");
    desc.ops = &ops;
    c->mutate(&desc, &ops);
    g_assert_false(smmu_ext_registry_add_static(reg, &desc, &err));
    g_assert_error(err, SMMU_EXT_ERROR, c->code);
    assert_contains(err->message, c->needle);
    g_assert_cmpuint(smmu_ext_registry_n_modules(reg), ==, 0);
}

static void
test_static_event_optional(void)
{
    SmmuExtModuleDesc desc = st_desc;
    SmmuExtOps ops = st_ops;
    g_autoptr(GError) err = NULL;
    g_autoptr(SmmuExtRegistry) reg = smmu_ext_registry_new();

    g_test_summary("Without an extension vEVENTQ, event is optional");
    ops.veventq_type = 0;
    ops.event = NULL;
    ops.event_size = 0;
    desc.ops = &ops;
    g_assert_true(smmu_ext_registry_add_static(reg, &desc, &err));
    g_assert_no_error(err);
}

/* --- cmdqv= modes ------------------------------------------------------- */

static void
test_mode_keywords(void)
{
    static const struct {
        const char *str;
        SmmuExtModeKind kind;
    } cases[] = {
        { "off", SMMU_EXT_MODE_OFF },
        { "on", SMMU_EXT_MODE_ON },
        { "auto", SMMU_EXT_MODE_AUTO },
    };
    g_autoptr(SmmuExtRegistry) reg = smmu_ext_registry_new();

    g_test_summary("off, on and auto parse to their kind and back, and do "
                   "not load any module");
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(SmmuExtMode) mode = smmu_ext_mode_parse(reg, cases[i].str,
                                                          &err);

        g_assert_no_error(err);
        g_assert_cmpint(smmu_ext_mode_kind(mode), ==, cases[i].kind);
        g_assert_cmpstr(smmu_ext_mode_name(mode), ==, cases[i].str);
    }
    g_assert_null(smmu_ext_registry_dirs(reg)[0]);
    g_assert_cmpuint(smmu_ext_registry_n_modules(reg), ==, 0);
    g_assert_cmpuint(smmu_ext_registry_n_refused(reg), ==, 0);
}

static void
test_mode_named(void)
{
    g_autoptr(SmmuExtRegistry) reg = load_case("order");
    g_autoptr(GError) err = NULL;
    g_autoptr(SmmuExtMode) mode = NULL;
    g_autofree char *input = g_strdup("beta");

    g_test_summary("The name of a loaded module parses as that extension; "
                   "the mode keeps its own copy of the name");
    mode = smmu_ext_mode_parse(reg, input, &err);
    g_assert_no_error(err);
    input[0] = 'x';
    g_assert_cmpint(smmu_ext_mode_kind(mode), ==, SMMU_EXT_MODE_NAMED);
    g_assert_cmpstr(smmu_ext_mode_name(mode), ==, "beta");
}

static void
test_mode_named_loads(void)
{
    g_autoptr(SmmuExtRegistry) reg = smmu_ext_registry_new();
    g_autoptr(GError) err = NULL;
    g_autoptr(SmmuExtMode) mode = NULL;

    g_test_summary("A name loads the registry (default directories) first");
    if (!g_getenv("SMMU_EXT_MODULE_DIR")) {
        g_test_skip("SMMU_EXT_MODULE_DIR is not set (run through meson)");
        return;
    }
    g_assert_null(smmu_ext_registry_dirs(reg)[0]);
    mode = smmu_ext_mode_parse(reg, "fake-valid", &err);
    g_assert_no_error(err);
    g_assert_cmpint(smmu_ext_mode_kind(mode), ==, SMMU_EXT_MODE_NAMED);
    g_assert_cmpstr(smmu_ext_mode_name(mode), ==, "fake-valid");
    g_assert_cmpstr(smmu_ext_registry_dirs(reg)[0], ==,
                    g_getenv("SMMU_EXT_MODULE_DIR"));
}

static void
test_mode_unknown(void)
{
    g_autoptr(SmmuExtRegistry) reg = load_case("order");
    g_autoptr(GString) loaded = g_string_new("loaded: ");
    static const char *const bad[] = { "bogus", "ON", "Auto", "Off",
                                       " on", "beta ", "none" };

    g_test_summary("An unknown or wrongly cased mode is BAD_MODE, listing "
                   "the valid modes and the loaded extension names");
    for (guint i = 0; i < smmu_ext_registry_n_modules(reg); i++) {
        g_string_append_printf(loaded, "%s%s", i ? ", " : "",
                               smmu_ext_registry_module(reg, i)->name);
    }
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) err = NULL;
        g_autofree char *quoted = g_strdup_printf("'%s'", bad[i]);
        g_assert_null(smmu_ext_mode_parse(reg, bad[i], &err));
        g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_BAD_MODE);
        assert_contains(err->message, quoted);
        assert_contains(err->message, "off, on, auto");
        assert_contains(err->message, loaded->str);
    }
}

static void
test_mode_empty(void)
{
    g_autoptr(SmmuExtRegistry) reg = smmu_ext_registry_new();
    g_autoptr(GError) e1 = NULL;
    g_autoptr(GError) e2 = NULL;

    g_test_summary("An empty or missing mode string is BAD_MODE");
    g_assert_null(smmu_ext_mode_parse(reg, "", &e1));
    g_assert_error(e1, SMMU_EXT_ERROR, SMMU_EXT_ERROR_BAD_MODE);
    g_assert_null(smmu_ext_mode_parse(reg, NULL, &e2));
    g_assert_error(e2, SMMU_EXT_ERROR, SMMU_EXT_ERROR_BAD_MODE);
}

static void
test_mode_none_loaded(void)
{
    g_autoptr(TmpDir) t = tmp_dir_new();
    g_autoptr(SmmuExtRegistry) reg = load_dirs(t->path);
    g_autoptr(GError) err = NULL;

    g_test_summary("With no module loaded the message says so");
    g_assert_null(smmu_ext_mode_parse(reg, "tegra241", &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_BAD_MODE);
    assert_contains(err->message, "'tegra241'");
    assert_contains(err->message, "none loaded");
}

static void
test_version(void)
{
    g_test_summary("The run-time version is the project's version");
    g_assert_cmpstr(smmu_ext_version_string(), ==, SMMU_EXT_TEST_VERSION);
}

/* Emitted at the end of this file by SMMU_EXT_MODULE_DEFINE under major 7. */
extern const SmmuExtModuleDesc smmu_ext_module_v7;
static const char *define_major7_symbol(void);

static void
test_define_follows_major(void)
{
    g_autoptr(SmmuExtRegistry) reg = smmu_ext_registry_new();
    g_autoptr(GError) err = NULL;

    g_test_summary("SMMU_EXT_MODULE_DEFINE names the descriptor after the "
                   "ABI major it is built with, as SMMU_EXT_MODULE_SYMBOL "
                   "spells it, and the core refuses that major");
    /* Linking proves the name; the fields prove it is the macro's. */
    g_assert_cmpuint(smmu_ext_module_v7.abi_major, ==, 7);
    g_assert_cmpstr(smmu_ext_module_v7.name, ==, "major-seven");
    g_assert_cmpstr(define_major7_symbol(), ==, "smmu_ext_module_v7");
    g_assert_cmpstr(SMMU_EXT_MODULE_SYMBOL, ==, "smmu_ext_module_v1");
    g_assert_false(smmu_ext_registry_add_static(reg, &smmu_ext_module_v7,
                                                &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_ABI_MAJOR);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/loader/load/valid-module-listed", test_valid_listed);
    g_test_add_func("/loader/load/accepted-stay-resident",
                    test_accepted_stay_resident);
    g_test_add_func("/loader/load/deterministic-order",
                    test_deterministic_order);
    g_test_add_func("/loader/load/others-still-load", test_others_still_load);
    for (guint i = 0; i < G_N_ELEMENTS(refusal_cases); i++) {
        g_autofree char *name = g_strdup_printf("/loader/refuse/%s",
                                                refusal_cases[i].dir);
        g_test_add_data_func(name, &refusal_cases[i], test_refused);
    }
    g_test_add_func("/loader/refuse/duplicate-name", test_duplicate);
    g_test_add_func("/loader/refuse/not-loadable", test_not_loadable);
    g_test_add_func("/loader/dirs/missing-goes-on", test_missing_dir_goes_on);
    g_test_add_func("/loader/dirs/none-readable", test_no_dir_readable);
    g_test_add_func("/loader/dirs/empty", test_empty_dir);
    g_test_add_func("/loader/dirs/load-twice-is-noop", test_load_twice);
    g_test_add_func("/loader/dirs/searched-once", test_dir_searched_once);
    g_test_add_func("/loader/dirs/env-honoured", test_env_dir);
    g_test_add_func("/loader/dirs/default-uninstalled",
                    test_default_dir_uninstalled);
    g_test_add_func("/loader/static/valid", test_static_valid);
    g_test_add_func("/loader/static/shadows-file", test_static_shadows_file);
    g_test_add_func("/loader/static/event-optional",
                    test_static_event_optional);
    for (guint i = 0; i < G_N_ELEMENTS(desc_cases); i++) {
        g_autofree char *name = g_strdup_printf("/loader/static/refuse/%s",
                                                desc_cases[i].what);
        g_test_add_data_func(name, &desc_cases[i], test_static_refused);
    }
    g_test_add_func("/loader/mode/keywords", test_mode_keywords);
    g_test_add_func("/loader/mode/named", test_mode_named);
    g_test_add_func("/loader/mode/named-loads-registry",
                    test_mode_named_loads);
    g_test_add_func("/loader/mode/unknown", test_mode_unknown);
    g_test_add_func("/loader/mode/empty", test_mode_empty);
    g_test_add_func("/loader/mode/none-loaded", test_mode_none_loaded);
    g_test_add_func("/loader/version/string", test_version);
    g_test_add_func("/loader/define/symbol-follows-major",
                    test_define_follows_major);
    return g_test_run();
}

/*
 * Last in the file: a module built against a hypothetical ABI major 7.
 * Nothing after this point may use the 1.x macros.
 */
#undef SMMU_EXT_ABI_MAJOR
#define SMMU_EXT_ABI_MAJOR 7
static const SmmuExtOps major7_ops = { .size = sizeof(SmmuExtOps) };
SMMU_EXT_MODULE_DEFINE("major-seven", "built for ABI 7", "7.0",
                       "GPL-2.0-or-later", &major7_ops);

static const char *
define_major7_symbol(void)
{
    return SMMU_EXT_MODULE_SYMBOL;
}
