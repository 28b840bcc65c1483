/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmdqv= selection (off, auto, on, <name>, emulated) and the selection
 * report, seen through the kernel calls each mode makes.
 */
#include <errno.h>
#include <string.h>
#include "test-common.h"

static const uint32_t only_decline_type[] = { DECLINE_EXT_HW_INFO_TYPE };

static void
test_off_never_probes(Fixture *f, gconstpointer data)
{
    g_autofree char *trace = NULL;

    fixture_instance(f, "off");
    fixture_attach(f, TEST_DEV);
    trace = fixture_trace(f, 0);
    /* No GET_HW_INFO at all, and a plain SMMUv3 vIOMMU. */
    g_assert_cmpstr(trace, ==, "viommu_alloc(type 1)");
    g_assert_cmpuint(test_seam_call(f->seam, 0)->dev_id, ==, TEST_DEV);
    g_assert_cmpuint(test_seam_call(f->seam, 0)->hwpt_id, ==, TEST_HWPT);
    g_assert_cmpuint(test_seam_call(f->seam, 0)->data_len, ==, 0);
    g_assert_cmpstr(smmu_ext_instance_extension(f->inst), ==, "none");
    g_assert_cmpuint(smmu_ext_instance_mmio_size(f->inst), ==, 0);
    g_assert_cmpuint(test_ext.inits, ==, 0);
    /* "off" never loads a module directory. */
    g_assert_null(smmu_ext_registry_dirs(f->reg)[0]);
    g_assert_cmpuint(smmu_ext_registry_n_refused(f->reg), ==, 0);
}

static void
test_auto_accepts(Fixture *f, gconstpointer data)
{
    g_autofree char *trace = NULL;
    const SeamCall *alloc;
    SmmuExtGeometry geo = { .size = sizeof(geo) };

    fixture_instance(f, "auto");
    fixture_attach(f, TEST_DEV);
    trace = fixture_trace(f, 0);
    /* Priority order: decline (20) is asked before test (10). */
    g_assert_cmpstr(trace, ==,
                    "hw_info(0); hw_info(99); hw_info(3); "
                    "viommu_alloc(type 2); veventq_alloc(type 2, depth 32); "
                    "mmap(0x30000)");
    g_assert_cmpuint(test_seam_call(f->seam, 1)->flags, ==,
                     SE_IOMMU_HW_INFO_FLAG_INPUT_TYPE);
    g_assert_cmpuint(test_seam_call(f->seam, 0)->flags, ==, 0);
    alloc = test_seam_call(f->seam, 3);
    g_assert_cmpuint(alloc->dev_id, ==, TEST_DEV);
    g_assert_cmpuint(alloc->hwpt_id, ==, TEST_HWPT);
    g_assert_cmpuint(alloc->data_len, ==, 16);
    /* The vEVENTQ hangs off the vIOMMU the kernel just returned. */
    g_assert_cmpuint(test_seam_call(f->seam, 4)->viommu_id, ==,
                     alloc->out_id);

    g_assert_cmpstr(smmu_ext_instance_extension(f->inst), ==, TEST_EXT_NAME);
    g_assert_false(smmu_ext_instance_emulated(f->inst));
    g_assert_cmpuint(smmu_ext_instance_mmio_size(f->inst), ==,
                     TEST_EXT_MMIO_SIZE);
    g_assert_true(smmu_ext_instance_geometry(f->inst, &geo));
    g_assert_cmpuint(geo.n_queues, ==, 2);
    g_assert_cmpuint(geo.n_vsids, ==, 16);
    g_assert_cmpuint(smmu_ext_instance_cmdqs_cap(f->inst), ==, 12);
    g_assert_cmpuint(test_ext.inits, ==, 1);
    g_assert_nonnull(test_ext.page);
    /* Static descriptors count as loaded: no module directory was read
     * (the environment names the build tree's modules). */
    g_assert_cmpuint(smmu_ext_registry_n_modules(f->reg), ==, 2);
    g_assert_null(smmu_ext_registry_dirs(f->reg)[0]);
}

static void
test_auto_none_is_plain(Fixture *f, gconstpointer data)
{
    g_autofree char *trace = NULL;

    test_seam_set_hw_info_types(f->seam, only_decline_type, 1);
    fixture_instance(f, "auto");
    fixture_attach(f, TEST_DEV);
    trace = fixture_trace(f, 0);
    g_assert_cmpstr(trace, ==,
                    "hw_info(0); hw_info(99); hw_info(3)=-95; "
                    "viommu_alloc(type 1)");
    g_assert_cmpstr(smmu_ext_instance_extension(f->inst), ==, "none");
    g_assert_cmpuint(smmu_ext_instance_mmio_size(f->inst), ==, 0);
    /* Exactly one informational line says why, naming both types. */
    g_assert_cmpuint(fixture_count_logs(f, G_LOG_LEVEL_DEBUG,
                                        "plain ARM_SMMUV3"), ==, 1);
    g_assert_cmpuint(fixture_count_logs(f, G_LOG_LEVEL_WARNING, ""), ==, 0);
    for (guint i = 0; i < f->host.logs->len; i++) {
        const TestLog *l = &g_array_index(f->host.logs, TestLog, i);

        if (strstr(l->msg, "plain ARM_SMMUV3")) {
            g_assert_cmpint(l->level, ==, G_LOG_LEVEL_INFO);
            assert_contains(l->msg, "99 (decline:");
            assert_contains(l->msg, "3 (test:");
        }
    }
}

static void
test_on_none_fails(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    g_autofree char *where = NULL;

    /* A loaded (empty) directory, so the error has one to name. */
    g_assert_true(smmu_ext_registry_load(f->reg, f->tmpdir, &err));
    g_assert_no_error(err);
    g_assert_true(smmu_ext_registry_add_static(f->reg, &test_ext_desc,
                                               &err));
    g_assert_true(smmu_ext_registry_add_static(f->reg, &decline_ext_desc,
                                               &err));
    g_assert_no_error(err);
    test_seam_set_hw_info_types(f->seam, only_decline_type, 1);

    fixture_instance(f, "on");
    g_assert_false(smmu_ext_instance_attach(f->inst, f->fd, TEST_DEV,
                                            TEST_HWPT, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_NO_EXTENSION);
    assert_contains(err->message, "cmdqv=on");
    assert_contains(err->message, "99 (decline: decline says \"no\"");
    assert_contains(err->message, "3 (test: IOMMU_GET_HW_INFO");
    assert_contains(err->message, g_strerror(EOPNOTSUPP));
    where = g_strdup_printf("directories searched: %s", f->tmpdir);
    assert_contains(err->message, where);
    trace = fixture_trace(f, 0);
    g_assert_cmpstr(trace, ==, "hw_info(0); hw_info(99); hw_info(3)=-95");
    g_assert_cmpuint(test_ext.inits, ==, 0);
    g_clear_error(&err);

    /* The failed selection is forgotten: the next plug selects again. */
    test_seam_set_hw_info_types(f->seam, (const uint32_t[]){ 3, 99 }, 2);
    fixture_attach(f, TEST_DEV);
    g_assert_cmpstr(smmu_ext_instance_extension(f->inst), ==, TEST_EXT_NAME);
}

static void
test_named_only_that_one(Fixture *f, gconstpointer data)
{
    g_autofree char *trace = NULL;

    fixture_instance(f, TEST_EXT_NAME);
    fixture_attach(f, TEST_DEV);
    trace = fixture_trace(f, 0);
    g_assert_cmpstr(trace, ==,
                    "hw_info(0); hw_info(3); viommu_alloc(type 2); "
                    "veventq_alloc(type 2, depth 32); mmap(0x30000)");
    g_assert_cmpstr(smmu_ext_instance_extension(f->inst), ==, TEST_EXT_NAME);
}

static void
test_named_declines(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;

    fixture_instance(f, DECLINE_EXT_NAME);
    g_assert_false(smmu_ext_instance_attach(f->inst, f->fd, TEST_DEV,
                                            TEST_HWPT, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_NO_EXTENSION);
    assert_contains(err->message, "99 (decline: decline says \"no\"");
    /* The other extension, which would have accepted, was never asked. */
    assert_not_contains(err->message, "(test:");
    trace = fixture_trace(f, 0);
    g_assert_cmpstr(trace, ==, "hw_info(0); hw_info(99)");
}

static void
test_bad_mode(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    SmmuExtInstance *inst;

    inst = smmu_ext_instance_new(f->reg, "tset", &f->host.ops, &f->host,
                                 &err);
    g_assert_null(inst);
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_BAD_MODE);
    assert_contains(err->message, TEST_EXT_NAME);
    g_assert_cmpuint(test_seam_n_calls(f->seam), ==, 0);
}

static void
test_emulated(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    SmmuExtGeometry geo = { .size = sizeof(geo) };

    fixture_instance(f, TEST_EXT_NAME);
    g_assert_true(smmu_ext_instance_select(f->inst, NULL, 0, &err));
    g_assert_no_error(err);
    g_assert_true(smmu_ext_instance_attach(f->inst, NULL, TEST_DEV, 0,
                                           &err));
    g_assert_no_error(err);
    g_assert_cmpstr(smmu_ext_instance_extension(f->inst), ==, TEST_EXT_NAME);
    g_assert_true(smmu_ext_instance_emulated(f->inst));
    g_assert_true(smmu_ext_instance_geometry(f->inst, &geo));
    g_assert_cmpuint(geo.n_queues, ==, 2);
    g_assert_cmpuint(test_ext.inits, ==, 1);
    /* No kernel at all. */
    g_assert_cmpuint(test_seam_n_calls(f->seam), ==, 0);
}

static void
test_emulated_modes(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    /* auto without a host IOMMU: no extension, one info line. */
    fixture_instance(f, "auto");
    g_assert_true(smmu_ext_instance_select(f->inst, NULL, 0, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(smmu_ext_instance_extension(f->inst), ==, "none");
    g_assert_cmpuint(fixture_count_logs(f, G_LOG_LEVEL_INFO, "auto"), ==, 1);
    smmu_ext_instance_free(f->inst);
    f->inst = NULL;

    /* on without a host IOMMU: an error. */
    fixture_instance(f, "on");
    g_assert_false(smmu_ext_instance_select(f->inst, NULL, 0, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_NO_EXTENSION);
    g_clear_error(&err);
    smmu_ext_instance_free(f->inst);
    f->inst = NULL;

    /* A named extension without an emulated mode: an error naming it. */
    fixture_instance(f, DECLINE_EXT_NAME);
    g_assert_false(smmu_ext_instance_select(f->inst, NULL, 0, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_NO_EXTENSION);
    assert_contains(err->message, "no emulated mode");
    g_assert_cmpuint(test_seam_n_calls(f->seam), ==, 0);
    g_assert_cmpuint(test_ext.inits, ==, 0);
    if (!strstr(err->message, "extension " DECLINE_EXT_NAME " cannot")) {
        g_autofree char *why = g_strdup_printf(
            "core bug: instance.c select_emulated prints \"\" instead of "
            "the extension's name: '%s'", err->message);

        g_test_incomplete(why);
    }
}

static void
test_kept_after_viommu_failure(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    guint mark;

    fixture_instance(f, TEST_EXT_NAME);
    test_seam_fail(f->seam, SEAM_IOCTL, SE_IOMMU_VIOMMU_ALLOC, 1, ENOMEM,
                   1);
    g_assert_false(smmu_ext_instance_attach(f->inst, f->fd, TEST_DEV,
                                            TEST_HWPT, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_KERNEL);
    g_clear_error(&err);
    /* Not attached, so no blocker and no vDEVICE for it. */
    g_assert_null(smmu_ext_instance_unplug_blocker(f->inst, TEST_DEV));
    g_assert_false(smmu_ext_instance_set_vsid(f->inst, TEST_DEV, 1, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID);
    g_clear_error(&err);

    /* The next plug keeps the selection: no second probe. */
    mark = fixture_mark(f);
    fixture_attach(f, TEST_DEV);
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==,
                    "viommu_alloc(type 2); veventq_alloc(type 2, depth 32); "
                    "mmap(0x30000)");
    g_assert_cmpuint(test_ext.inits, ==, 1);
}

static void
test_blocker_follows_viommu(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    fixture_instance(f, "auto");
    fixture_attach(f, TEST_DEV);
    g_assert_nonnull(smmu_ext_instance_unplug_blocker(f->inst, TEST_DEV));
    g_assert_true(smmu_ext_instance_detach(f->inst, TEST_DEV, &err));
    g_assert_no_error(err);
    /* No vIOMMU, nothing to break. */
    g_assert_null(smmu_ext_instance_unplug_blocker(f->inst, TEST_DEV));
    /* A plain vIOMMU never blocks. */
    smmu_ext_instance_free(f->inst);
    f->inst = NULL;
    fixture_instance(f, "off");
    fixture_attach(f, TEST_DEV);
    g_assert_null(smmu_ext_instance_unplug_blocker(f->inst, TEST_DEV));
}

/* Crude but enough: the report is one object with balanced brackets and
 * no unescaped control characters. */
static void
assert_json_shape(const char *json)
{
    int depth = 0;
    bool in_str = false;

    g_assert_cmpint(json[0], ==, '{');
    g_assert_cmpint(json[strlen(json) - 1], ==, '}');
    for (const char *p = json; *p; p++) {
        g_assert_cmpint((unsigned char)*p, >=, 0x20);
        if (in_str) {
            if (*p == '\\') {
                p++;
            } else if (*p == '"') {
                in_str = false;
            }
            continue;
        }
        if (*p == '"') {
            in_str = true;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            depth--;
            g_assert_cmpint(depth, >=, 0);
        }
    }
    g_assert_false(in_str);
    g_assert_cmpint(depth, ==, 0);
}

static void
test_report_accelerated(Fixture *f, gconstpointer data)
{
    g_autofree char *text = NULL;
    g_autofree char *json = NULL;
    g_autofree char *blocked = NULL;
    g_autoptr(GError) err = NULL;

    fixture_instance(f, "auto");
    fixture_attach(f, TEST_DEV);
    fixture_attach(f, TEST_DEV2);
    g_assert_nonnull(smmu_ext_instance_unplug_blocker(f->inst, TEST_DEV));
    g_assert_null(smmu_ext_instance_unplug_blocker(f->inst, TEST_DEV2));
    g_assert_false(smmu_ext_instance_can_migrate(f->inst, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_NOT_SUPPORTED);

    text = smmu_ext_instance_report(f->inst, SMMU_EXT_REPORT_TEXT);
    assert_contains(text, "cmdqv mode: auto");
    assert_contains(text, "extension: test 1.2.3 (accelerated)");
    assert_contains(text, "probe decline 0.9 (hw_info type 99): decline "
                    "says \"no\"\tto");
    assert_contains(text, "probe test 1.2.3 (hw_info type 3): accepted");
    assert_contains(text, "geometry: version 1, 1 interface(s), 2 queue(s) "
                    "each, 16 vSID slot(s)");
    assert_contains(text, "queue-size cap: 2^12");
    assert_contains(text, "migration: blocked: ");
    assert_contains(text, err->message);
    blocked = g_strdup_printf("unplug blocked: iommufd device %u", TEST_DEV);
    assert_contains(text, blocked);

    json = smmu_ext_instance_report(f->inst, SMMU_EXT_REPORT_JSON);
    assert_json_shape(json);
    assert_contains(json, "\"mode\": \"auto\"");
    assert_contains(json, "\"extension\": \"test\"");
    assert_contains(json, "\"version\": \"1.2.3\"");
    assert_contains(json, "\"name\": \"decline\", \"version\": \"0.9\", "
                    "\"hw_info_type\": 99, \"accepted\": false");
    assert_contains(json, "\"name\": \"test\", \"version\": \"1.2.3\", "
                    "\"hw_info_type\": 3, \"accepted\": true");
    /* Quotes and control characters of a module's answer are escaped. */
    assert_contains(json, "decline says \\\"no\\\"\\u0009to");
    assert_contains(json, "\"queues\": 2");
    assert_contains(json, "\"vsids\": 16");
    assert_contains(json, "\"queue_log2_cap\": 12");
    assert_contains(json, "\"migratable\": false");
    assert_contains(json, "\"migration_blocker\": \"test is accelerated");
    g_free(blocked);
    blocked = g_strdup_printf("\"unplug_blocked_device\": %u", TEST_DEV);
    assert_contains(json, blocked);
}

static void
count_into(void *ctx, const char *name, uint64_t value)
{
    g_string_append_printf(ctx, "%s=%" G_GUINT64_FORMAT ";", name, value);
}

static void
test_counters(Fixture *f, gconstpointer data)
{
    g_autoptr(GString) seen = g_string_new(NULL);
    g_autofree char *text = NULL;
    g_autofree char *json = NULL;

    g_test_summary("the extension's counters reach the host in its order, "
                   "and the text and JSON reports (names escaped); none "
                   "before selection or without an extension");
    fixture_instance(f, "auto");
    smmu_ext_instance_counters(f->inst, count_into, seen);
    g_assert_cmpstr(seen->str, ==, "");
    fixture_attach(f, TEST_DEV);
    smmu_ext_instance_mmio_read(f->inst, 0, 4);
    smmu_ext_instance_mmio_read(f->inst, 4, 4);
    smmu_ext_instance_counters(f->inst, count_into, seen);
    g_assert_cmpstr(seen->str, ==, "test.mmio_calls=2;odd\"name=7;");

    text = smmu_ext_instance_report(f->inst, SMMU_EXT_REPORT_TEXT);
    assert_contains(text, "counter test.mmio_calls: 2\n");
    json = smmu_ext_instance_report(f->inst, SMMU_EXT_REPORT_JSON);
    assert_json_shape(json);
    assert_contains(json, "\"counters\": {\"test.mmio_calls\": 2, "
                    "\"odd\\\"name\": 7}}");
}

static void
test_counters_plain(Fixture *f, gconstpointer data)
{
    g_autoptr(GString) seen = g_string_new(NULL);
    g_autofree char *json = NULL;

    g_test_summary("a plain SMMUv3 has no counters: an empty JSON object");
    fixture_instance(f, "off");
    fixture_attach(f, TEST_DEV);
    smmu_ext_instance_counters(f->inst, count_into, seen);
    g_assert_cmpstr(seen->str, ==, "");
    json = smmu_ext_instance_report(f->inst, SMMU_EXT_REPORT_JSON);
    assert_json_shape(json);
    assert_contains(json, "\"counters\": {}}");
}

static void
test_report_plain(Fixture *f, gconstpointer data)
{
    g_autofree char *text = NULL;
    g_autofree char *json = NULL;

    fixture_instance(f, "off");
    fixture_attach(f, TEST_DEV);
    text = smmu_ext_instance_report(f->inst, SMMU_EXT_REPORT_TEXT);
    assert_contains(text, "cmdqv mode: off");
    assert_contains(text, "extension: none (plain ARM_SMMUV3 vIOMMU)");
    assert_contains(text, "migration: possible");
    assert_not_contains(text, "probe ");
    assert_not_contains(text, "unplug blocked");
    json = smmu_ext_instance_report(f->inst, SMMU_EXT_REPORT_JSON);
    assert_json_shape(json);
    assert_contains(json, "\"probes\": []");
    assert_contains(json, "\"migratable\": true");
    assert_contains(json, "\"unplug_blocked_device\": 0");
    assert_not_contains(json, "\"geometry\"");
}

static void
test_report_emulated(Fixture *f, gconstpointer data)
{
    g_autofree char *text = NULL;
    g_autofree char *json = NULL;

    fixture_instance(f, TEST_EXT_NAME);
    g_assert_true(smmu_ext_instance_attach(f->inst, NULL, TEST_DEV, 0,
                                           NULL));
    text = smmu_ext_instance_report(f->inst, SMMU_EXT_REPORT_TEXT);
    assert_contains(text, "extension: test 1.2.3 (emulated)");
    assert_contains(text, "probe test 1.2.3 (hw_info type 3): emulated");
    /* The test extension has no save/load: the reason says so. */
    assert_contains(text, "migration: blocked: test has no state "
                    "save/load");
    assert_not_contains(text, "unplug blocked");
    json = smmu_ext_instance_report(f->inst, SMMU_EXT_REPORT_JSON);
    assert_json_shape(json);
    assert_contains(json, "\"run\": \"emulated\"");
    assert_contains(json, "\"unplug_blocked_device\": 0");
}

/* --- sized structs: the host's callbacks and the geometry it reads ------- */

/* An out-of-region access: the core logs it through the host's log op. */
static guint
refused_access_logs(Fixture *f, SmmuExtInstance *inst)
{
    guint before = fixture_count_logs(f, G_LOG_LEVEL_MESSAGE,
                                      "outside the region");

    smmu_ext_instance_mmio_read(inst, 1ull << 40, 4);
    return fixture_count_logs(f, G_LOG_LEVEL_MESSAGE, "outside the region") -
           before;
}

static void
test_host_ops_short_table(Fixture *f, gconstpointer data)
{
    const size_t n = SMMU_EXT_HOST_OPS_SIZE_1_0;
    /* Exactly the 1.0 table: under ASan or valgrind any read past it by
     * the core is an error. */
    SmmuExtHostOps *old = g_malloc(n);
    g_autoptr(GError) err = NULL;
    SmmuExtInstance *inst;

    g_test_summary("a host ops table of the 1.0 size is accepted, copied "
                   "(the host may change or free it) and never read past");
    memcpy(old, &f->host.ops, n);
    old->size = n;
    inst = smmu_ext_instance_new(f->reg, "test", old, &f->host, &err);
    g_assert_no_error(err);
    g_assert_nonnull(inst);
    old->log = NULL;           /* the core works from its own copy */
    g_free(old);
    g_assert_cmpuint(refused_access_logs(f, inst), ==, 1);
    f->inst = inst;
    fixture_attach(f, TEST_DEV);
    g_assert_cmpstr(smmu_ext_instance_extension(f->inst), ==, TEST_EXT_NAME);
}

static void
test_host_ops_newer_table(Fixture *f, gconstpointer data)
{
    /* A host built against a newer header: fields this core does not
     * know follow the table and must be ignored. */
    struct {
        SmmuExtHostOps ops;
        void (*newer[4])(void);
    } big;
    g_autoptr(GError) err = NULL;

    g_test_summary("a bigger (newer) host ops table is accepted and the "
                   "fields this core does not know are ignored");
    memset(&big, 0xa5, sizeof(big));
    big.ops = f->host.ops;
    big.ops.size = sizeof(big);
    f->inst = smmu_ext_instance_new(f->reg, "test", &big.ops, &f->host,
                                    &err);
    g_assert_no_error(err);
    g_assert_cmpuint(refused_access_logs(f, f->inst), ==, 1);
    fixture_attach(f, TEST_DEV);
}

static void
test_host_ops_too_small(Fixture *f, gconstpointer data)
{
    static const uint32_t sizes[] = {
        0, 4, SMMU_EXT_HOST_OPS_SIZE_1_0 - sizeof(void *),
        SMMU_EXT_HOST_OPS_SIZE_1_0 - 1,
    };

    g_test_summary("a host ops table smaller than 1.0 (or with no size) is "
                   "refused with INVALID naming both sizes");
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        SmmuExtHostOps ops = f->host.ops;
        g_autoptr(GError) err = NULL;
        g_autofree char *want = g_strdup_printf("%u bytes", sizes[i]);
        g_autofree char *min = g_strdup_printf(
            "(%zu bytes)", (size_t)SMMU_EXT_HOST_OPS_SIZE_1_0);

        ops.size = sizes[i];
        g_assert_null(smmu_ext_instance_new(f->reg, "auto", &ops, &f->host,
                                            &err));
        g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID);
        assert_contains(err->message, want);
        assert_contains(err->message, min);
    }
    /* No table at all stays allowed: every callback is then absent. */
    f->inst = smmu_ext_instance_new(f->reg, "test", NULL, NULL, NULL);
    g_assert_nonnull(f->inst);
}

static void
test_geometry_sizes(Fixture *f, gconstpointer data)
{
    struct {
        SmmuExtGeometry geo;
        uint64_t newer[2];
    } big;
    SmmuExtGeometry small, want = { .size = sizeof(want) };
    const uint32_t short_size = SMMU_EXT_GEOMETRY_SIZE_1_0 - 1;

    g_test_summary("geometry: a smaller (pre-1.0) size is refused and "
                   "nothing written; a bigger one gets the known fields, "
                   "the rest zeroed and .size = the bytes filled");
    fixture_instance(f, "test");
    fixture_attach(f, TEST_DEV);
    g_assert_true(smmu_ext_instance_geometry(f->inst, &want));
    g_assert_cmpuint(want.size, ==, sizeof(want));
    g_assert_cmpuint(want.n_queues, ==, 2);

    memset(&small, 0xa5, sizeof(small));
    small.size = short_size;
    g_assert_false(smmu_ext_instance_geometry(f->inst, &small));
    g_assert_cmpuint(small.size, ==, short_size);
    g_assert_cmphex(small.n_queues, ==, 0xa5a5a5a5);
    g_assert_cmphex(small.ram_page_size, ==, 0xa5a5a5a5a5a5a5a5ull);

    memset(&big, 0xa5, sizeof(big));
    big.geo.size = sizeof(big);
    g_assert_true(smmu_ext_instance_geometry(f->inst, &big.geo));
    g_assert_cmpuint(big.geo.size, ==, sizeof(SmmuExtGeometry));
    g_assert_cmpmem(&big.geo, sizeof(big.geo), &want, sizeof(want));
    g_assert_cmphex(big.newer[0] | big.newer[1], ==, 0);
}

static void
test_geometry_none_selected(Fixture *f, gconstpointer data)
{
    SmmuExtGeometry geo;

    g_test_summary("geometry without an extension: false, zeroed");
    fixture_instance(f, "off");
    memset(&geo, 0xa5, sizeof(geo));
    geo.size = sizeof(geo);
    g_assert_false(smmu_ext_instance_geometry(f->inst, &geo));
    g_assert_cmpuint(geo.size, ==, sizeof(geo));
    g_assert_cmpuint(geo.n_queues | geo.version, ==, 0);
    g_assert_cmpuint(geo.ram_page_size, ==, 0);
}

static void
test_stats_sizes(Fixture *f, gconstpointer data)
{
    struct {
        SmmuExtStats st;
        uint64_t newer[2];
    } big;
    SmmuExtStats small, want = { .size = sizeof(want) };
    const uint32_t short_size = SMMU_EXT_STATS_SIZE_1_0 - 1;

    g_test_summary("stats: a smaller (pre-1.0) size is refused and nothing "
                   "written; a bigger one gets the known fields, the rest "
                   "zeroed and .size = the bytes filled");
    fixture_instance(f, "test");
    fixture_attach(f, TEST_DEV);
    g_assert_true(smmu_ext_instance_stats(f->inst, &want));
    g_assert_cmpuint(want.size, ==, sizeof(want));

    memset(&small, 0xa5, sizeof(small));
    small.size = short_size;
    g_assert_false(smmu_ext_instance_stats(f->inst, &small));
    g_assert_cmpuint(small.size, ==, short_size);
    g_assert_cmphex(small.events, ==, 0xa5a5a5a5a5a5a5a5ull);
    g_assert_cmphex(small.reads, ==, 0xa5a5a5a5a5a5a5a5ull);

    memset(&big, 0xa5, sizeof(big));
    big.st.size = sizeof(big);
    g_assert_true(smmu_ext_instance_stats(f->inst, &big.st));
    g_assert_cmpuint(big.st.size, ==, sizeof(SmmuExtStats));
    g_assert_cmpuint(big.st.events, ==, want.events);
    g_assert_cmpuint(big.st.events_lost, ==, want.events_lost);
    g_assert_cmpuint(big.st.events_dropped, ==, want.events_dropped);
    g_assert_cmpuint(big.st.eventq_aborts, ==, want.eventq_aborts);
    g_assert_cmpuint(big.st.reads, ==, want.reads);
    g_assert_cmphex(big.newer[0] | big.newer[1], ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

#define ADD(path, fn, which) \
    g_test_add(path, Fixture, which, fixture_setup, fn, fixture_teardown)
    ADD("/core/select/off/never-probes", test_off_never_probes,
        FIX_BOTH_EXT);
    ADD("/core/select/auto/accepts-in-priority-order", test_auto_accepts,
        FIX_BOTH_EXT);
    ADD("/core/select/auto/none-accepts-plain-viommu",
        test_auto_none_is_plain, FIX_BOTH_EXT);
    ADD("/core/select/on/none-accepts-fails", test_on_none_fails,
        FIX_NO_EXT);
    ADD("/core/select/named/probes-only-that-one", test_named_only_that_one,
        FIX_BOTH_EXT);
    ADD("/core/select/named/declined-fails", test_named_declines,
        FIX_BOTH_EXT);
    ADD("/core/select/bad-mode", test_bad_mode, FIX_BOTH_EXT);
    ADD("/core/select/kept-after-viommu-failure",
        test_kept_after_viommu_failure, FIX_BOTH_EXT);
    ADD("/core/select/unplug-blocker-follows-viommu",
        test_blocker_follows_viommu, FIX_BOTH_EXT);
    ADD("/core/select/emulated/named", test_emulated, FIX_BOTH_EXT);
    ADD("/core/select/emulated/auto-on-unsupported", test_emulated_modes,
        FIX_BOTH_EXT);
    ADD("/core/select/report/accelerated", test_report_accelerated,
        FIX_BOTH_EXT);
    ADD("/core/select/report/plain", test_report_plain, FIX_BOTH_EXT);
    ADD("/core/select/report/emulated", test_report_emulated, FIX_BOTH_EXT);
    ADD("/core/select/report/counters", test_counters, FIX_BOTH_EXT);
    ADD("/core/select/report/counters-plain", test_counters_plain,
        FIX_BOTH_EXT);
    ADD("/core/sized/host-ops/short-1.0-table", test_host_ops_short_table,
        FIX_BOTH_EXT);
    ADD("/core/sized/host-ops/newer-table", test_host_ops_newer_table,
        FIX_BOTH_EXT);
    ADD("/core/sized/host-ops/too-small-refused", test_host_ops_too_small,
        FIX_BOTH_EXT);
    ADD("/core/sized/geometry/sizes", test_geometry_sizes, FIX_BOTH_EXT);
    ADD("/core/sized/geometry/none-selected", test_geometry_none_selected,
        FIX_BOTH_EXT);
    ADD("/core/sized/stats/sizes", test_stats_sizes, FIX_BOTH_EXT);
#undef ADD
    return g_test_run();
}
