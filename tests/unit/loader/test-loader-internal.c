/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The registry's core-internal side: describe() (the text a cmdqv=on
 * failure carries), find() and ensure_loaded().
 */
#include <string.h>
#include "core-priv.h"

static char *
case_dir(const char *name)
{
    return g_test_build_filename(G_TEST_BUILT, "fake", name, NULL);
}

static void
assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle)) {
        g_test_fail_printf("'%s' does not contain '%s'", haystack, needle);
    }
}

static void
test_describe_everything(void)
{
    g_autofree char *missing = g_test_build_filename(G_TEST_BUILT, "fake",
                                                     "no-such-dir", NULL);
    g_autofree char *mixed = case_dir("mixed");
    g_autofree char *order = case_dir("order");
    g_autofree char *dirs = g_strjoin(":", missing, mixed, order, NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(SmmuExtRegistry) reg = smmu_ext_registry_new();
    g_autofree char *text = NULL;

    g_test_summary("describe() names every directory searched, every module "
                   "with version and path, and every refusal with its "
                   "reason");
    g_assert_true(smmu_ext_registry_load(reg, dirs, &err));
    g_assert_no_error(err);
    text = smmu_ext_registry_describe(reg);
    g_test_message("%s", text);

    g_assert_null(strchr(text, '\n'));
    assert_contains(text, missing);
    assert_contains(text, mixed);
    assert_contains(text, order);
    g_assert_cmpuint(smmu_ext_registry_n_modules(reg), ==, 5);
    for (guint i = 0; i < smmu_ext_registry_n_modules(reg); i++) {
        const SmmuExtModuleInfo *info = smmu_ext_registry_module(reg, i);
        g_autofree char *entry = g_strdup_printf("%s %s (%s)", info->name,
                                                 info->version, info->path);

        assert_contains(text, entry);
    }
    g_assert_cmpuint(smmu_ext_registry_n_refused(reg), ==, 3);
    for (guint i = 0; i < smmu_ext_registry_n_refused(reg); i++) {
        assert_contains(text, smmu_ext_registry_refused_path(reg, i));
        assert_contains(text, smmu_ext_registry_refused_reason(reg, i)->message);
    }
}

static void
test_describe_unloaded(void)
{
    g_autoptr(SmmuExtRegistry) reg = smmu_ext_registry_new();
    g_autofree char *text = smmu_ext_registry_describe(reg);

    g_test_summary("describe() of an unloaded registry says so");
    assert_contains(text, "not loaded");
    assert_contains(text, "modules found: none");
    assert_contains(text, "refused: none");
}

static void
test_find(void)
{
    g_autofree char *order = case_dir("order");
    g_autoptr(GError) err = NULL;
    g_autoptr(SmmuExtRegistry) reg = smmu_ext_registry_new();
    const SmmuExtModule *m;

    g_test_summary("find() returns the module by exact name, else NULL; "
                   "get() follows probe order");
    g_assert_true(smmu_ext_registry_load(reg, order, &err));
    m = smmu_ext_registry_find(reg, "alpha");
    g_assert_nonnull(m);
    g_assert_cmpstr(m->info.name, ==, "alpha");
    g_assert_nonnull(m->gmod);
    /* The core works on its own full-size copy of the module's ops. */
    g_assert_true(m->ops == &m->ops_copy);
    g_assert_true(m->ops->probe == m->desc->ops->probe);
    g_assert_true(m->ops->mmio_read == m->desc->ops->mmio_read);
    g_assert_cmpuint(m->ops->hw_info_type, ==, m->desc->ops->hw_info_type);
    g_assert_cmpuint(m->ops->size, ==, sizeof(SmmuExtOps));
    g_assert_null(smmu_ext_registry_find(reg, "Alpha"));
    g_assert_null(smmu_ext_registry_find(reg, "alph"));
    g_assert_null(smmu_ext_registry_find(reg, NULL));
    g_assert_cmpstr(smmu_ext_registry_get(reg, 0)->info.name, ==, "gamma");
    g_assert_null(smmu_ext_registry_get(reg, 4));
}

static void
test_ensure_loaded(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(SmmuExtRegistry) reg = smmu_ext_registry_new();

    g_test_summary("ensure_loaded() loads the default directories once");
    if (!g_getenv("SMMU_EXT_MODULE_DIR")) {
        g_test_skip("SMMU_EXT_MODULE_DIR is not set (run through meson)");
        return;
    }
    g_assert_false(smmu_ext_registry_loaded(reg));
    g_assert_true(smmu_ext_registry_ensure_loaded(reg, &err));
    g_assert_no_error(err);
    g_assert_true(smmu_ext_registry_loaded(reg));
    g_assert_nonnull(smmu_ext_registry_find(reg, "fake-valid"));
    g_assert_cmpstr(smmu_ext_registry_dirs(reg)[0], ==,
                    g_getenv("SMMU_EXT_MODULE_DIR"));
}

static void
test_ensure_loaded_failure_sticks(void)
{
    g_autoptr(GError) e1 = NULL;
    g_autoptr(GError) e2 = NULL;
    g_autoptr(SmmuExtRegistry) reg = smmu_ext_registry_new();

    g_test_summary("After a load that read no directory, ensure_loaded() "
                   "fails again with the same reason");
    g_assert_false(smmu_ext_registry_load(reg, "/nonexistent-smmu-ext",
                                          &e1));
    g_assert_error(e1, SMMU_EXT_ERROR, SMMU_EXT_ERROR_MODULE_DIR);
    g_assert_true(smmu_ext_registry_loaded(reg));
    g_assert_false(smmu_ext_registry_ensure_loaded(reg, &e2));
    g_assert_error(e2, SMMU_EXT_ERROR, SMMU_EXT_ERROR_MODULE_DIR);
    g_assert_cmpstr(e1->message, ==, e2->message);
}

static bool
st_probe(const SmmuExtProbeInput *in, SmmuExtGeometry *geo, GError **errp)
{
    return true;
}

static bool
st_init(void *state, SmmuExtCore *core, SmmuExtGeometry *geo, GError **errp)
{
    return true;
}

static void
st_void(void *state)
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

static const SmmuExtOps st_ops = {
    .size = sizeof(SmmuExtOps),
    .hw_info_type = 1,
    .probe = st_probe,
    .init = st_init,
    .finalize = st_void,
    .viommu_type = 1,
    .mmio_size = 0x10,
    .mmio_read = st_mmio_read,
    .mmio_write = st_mmio_write,
    .reset = st_void,
};

static const SmmuExtModuleDesc st_desc = {
    .abi_major = SMMU_EXT_ABI_MAJOR,
    .abi_minor = SMMU_EXT_ABI_MINOR,
    .size = sizeof(SmmuExtModuleDesc),
    .name = "static-only",
    .description = "static test module",
    .version = "1",
    .license = "GPL-2.0-or-later",
    .ops = &st_ops,
};

static void
test_static_counts_as_loaded(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(SmmuExtRegistry) reg = smmu_ext_registry_new();
    g_autofree char *text = NULL;
    g_autoptr(SmmuExtMode) mode = NULL;

    g_test_summary("With static descriptors registered, ensure_loaded() and "
                   "a named mode do not search any directory");
    g_assert_true(smmu_ext_registry_add_static(reg, &st_desc, &err));
    g_assert_true(smmu_ext_registry_loaded(reg));
    g_assert_true(smmu_ext_registry_ensure_loaded(reg, &err));
    g_assert_no_error(err);
    mode = smmu_ext_mode_parse(reg, "static-only", &err);
    g_assert_nonnull(mode);
    g_assert_no_error(err);
    g_assert_null(smmu_ext_registry_dirs(reg)[0]);
    g_assert_null(smmu_ext_registry_find(reg, "fake-valid"));
    g_assert_null(smmu_ext_registry_find(reg, "static-only")->gmod);

    text = smmu_ext_registry_describe(reg);
    assert_contains(text, "static-only 1 (static descriptor)");
}

static void
test_off_does_not_load(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(SmmuExtRegistry) reg = smmu_ext_registry_new();
    g_autoptr(SmmuExtMode) mode = NULL;

    g_test_summary("cmdqv=off leaves the registry unloaded");
    mode = smmu_ext_mode_parse(reg, "off", &err);
    g_assert_no_error(err);
    g_assert_cmpint(smmu_ext_mode_kind(mode), ==, SMMU_EXT_MODE_OFF);
    g_assert_false(smmu_ext_registry_loaded(reg));
}

static void
test_desc_check_null(void)
{
    g_autoptr(GError) err = NULL;

    g_test_summary("desc_check() refuses a NULL descriptor as INVALID");
    g_assert_false(smmu_ext_desc_check(NULL, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/loader/describe/everything", test_describe_everything);
    g_test_add_func("/loader/describe/unloaded", test_describe_unloaded);
    g_test_add_func("/loader/registry/find", test_find);
    g_test_add_func("/loader/registry/ensure-loaded", test_ensure_loaded);
    g_test_add_func("/loader/registry/ensure-loaded-failure-sticks",
                    test_ensure_loaded_failure_sticks);
    g_test_add_func("/loader/registry/static-counts-as-loaded",
                    test_static_counts_as_loaded);
    g_test_add_func("/loader/mode/off-does-not-load", test_off_does_not_load);
    g_test_add_func("/loader/desc-check/null", test_desc_check_null);
    return g_test_run();
}
