/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Forwarding of trapped guest MMIO to the extension (invariant 5): an
 * access the module could not handle safely never reaches it.
 */
#include "test-common.h"

static void
setup_ext(Fixture *f, gconstpointer data)
{
    fixture_setup(f, data);
    fixture_instance(f, "on");
    fixture_attach(f, TEST_DEV);
}

static void
test_in_range(Fixture *f, gconstpointer data)
{
    smmu_ext_instance_mmio_write(f->inst, 0x10, 0x1122334455667788ull, 8);
    g_assert_cmphex(smmu_ext_instance_mmio_read(f->inst, 0x10, 8), ==,
                    0x1122334455667788ull);
    g_assert_cmphex(smmu_ext_instance_mmio_read(f->inst, 0x10, 4), ==,
                    0x55667788);
    /* The last byte of the region is still in it. */
    smmu_ext_instance_mmio_write(f->inst, TEST_EXT_MMIO_SIZE - 1, 0xab, 1);
    g_assert_cmphex(smmu_ext_instance_mmio_read(f->inst,
                                                TEST_EXT_MMIO_SIZE - 1, 1),
                    ==, 0xab);
    g_assert_cmpuint(test_ext.mmio_calls, ==, 5);
}

static void
test_refused(Fixture *f, gconstpointer data)
{
    static const struct {
        uint64_t offset;
        unsigned size;
    } bad[] = {
        { 0, 0 },
        { 0, 9 },
        { 0x10, 16 },
        { TEST_EXT_MMIO_SIZE, 1 },
        { TEST_EXT_MMIO_SIZE - 4, 8 },
        { TEST_EXT_MMIO_SIZE - 1, 2 },
        { G_MAXUINT64, 1 },
        { G_MAXUINT64 - 3, 8 },
        { 1ull << 63, 4 },
    };

    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_cmphex(smmu_ext_instance_mmio_read(f->inst, bad[i].offset,
                                                    bad[i].size), ==, 0);
        smmu_ext_instance_mmio_write(f->inst, bad[i].offset, ~0ull,
                                     bad[i].size);
    }
    g_assert_cmpuint(test_ext.mmio_calls, ==, 0);
    /* Logged, but rate-limited: a guest cannot flood the host log. */
    g_assert_cmpuint(fixture_count_logs(f, G_LOG_LEVEL_MESSAGE, "guest"),
                     >=, 1);
    g_assert_cmpuint(fixture_count_logs(f, G_LOG_LEVEL_MESSAGE, "guest"),
                     <, 2 * G_N_ELEMENTS(bad));
    /* Nothing of the kernel was touched. */
    g_assert_cmpuint(test_seam_n_kernel_calls(f->seam), ==, 5);
}

static void
test_no_extension(Fixture *f, gconstpointer data)
{
    fixture_instance(f, "off");
    fixture_attach(f, TEST_DEV);
    g_assert_cmpuint(smmu_ext_instance_mmio_size(f->inst), ==, 0);
    g_assert_cmphex(smmu_ext_instance_mmio_read(f->inst, 0, 4), ==, 0);
    smmu_ext_instance_mmio_write(f->inst, 0, 1, 4);
    g_assert_cmpuint(test_ext.mmio_calls, ==, 0);
}

static void
test_reset_clears(Fixture *f, gconstpointer data)
{
    smmu_ext_instance_mmio_write(f->inst, 0x20, 0xdead, 4);
    smmu_ext_instance_reset(f->inst);
    g_assert_cmpuint(test_ext.resets, ==, 1);
    g_assert_cmphex(smmu_ext_instance_mmio_read(f->inst, 0x20, 4), ==, 0);
}

/* --- direct handlers -------------------------------------------------------- */

static void
test_handlers_reach_module(Fixture *f, gconstpointer data)
{
    SmmuExtMmioRead rd = NULL;
    SmmuExtMmioWrite wr = NULL;
    void *opaque = NULL;

    g_test_summary("the direct handlers are the module's own ops on its "
                   "state, and see what the core's dispatch sees");
    g_assert_true(smmu_ext_instance_mmio_handlers(f->inst, &rd, &wr,
                                                  &opaque));
    g_assert_true(rd == test_ext_desc.ops->mmio_read);
    g_assert_true(wr == test_ext_desc.ops->mmio_write);
    g_assert_true(opaque == smmu_ext_core_state(test_ext.core));

    wr(opaque, 0x18, 0xfeedface12345678ull, 8);
    g_assert_cmpuint(test_ext.mmio_calls, ==, 1);
    g_assert_cmphex(smmu_ext_instance_mmio_read(f->inst, 0x18, 8), ==,
                    0xfeedface12345678ull);
    smmu_ext_instance_mmio_write(f->inst, 0x20, 0xabcd, 2);
    g_assert_cmphex(rd(opaque, 0x20, 2), ==, 0xabcd);
    g_assert_cmpuint(test_ext.mmio_calls, ==, 4);
    /* Still valid after a reset (until the instance is freed). */
    smmu_ext_instance_reset(f->inst);
    g_assert_cmphex(rd(opaque, 0x18, 8), ==, 0);
}

static void
test_handlers_none_selected(Fixture *f, gconstpointer data)
{
    SmmuExtMmioRead rd = (SmmuExtMmioRead)1;
    SmmuExtMmioWrite wr = (SmmuExtMmioWrite)1;
    void *opaque = &rd;

    g_test_summary("no extension selected (not yet, or cmdqv=off): false "
                   "and NULL handlers");
    fixture_instance(f, "on");
    g_assert_false(smmu_ext_instance_mmio_handlers(f->inst, &rd, &wr,
                                                   &opaque));
    g_assert_true(!rd && !wr && !opaque);
    smmu_ext_instance_free(f->inst);
    f->inst = NULL;

    fixture_instance(f, "off");
    fixture_attach(f, TEST_DEV);
    rd = (SmmuExtMmioRead)1;
    g_assert_false(smmu_ext_instance_mmio_handlers(f->inst, &rd, &wr,
                                                   &opaque));
    g_assert_true(!rd && !wr && !opaque);
    g_assert_cmpuint(test_ext.mmio_calls, ==, 0);
}

/* --- the core's keyed limiter for module log lines ------------------------ */

static void
test_keyed_limiter(Fixture *f, gconstpointer data)
{
    SmmuExtCore *core = test_ext.core;

    g_test_summary("guest errors are limited per key: a flooding key does "
                   "not silence another, and the suppressed count is "
                   "reported when the key's window reopens");
    for (unsigned i = 0; i < 50; i++) {
        smmu_ext_core_guest_error(core, 3, "flood %u", i);
    }
    g_assert_cmpuint(fixture_count_logs(f, G_LOG_LEVEL_MESSAGE,
                                        "guest: flood"), ==,
                     SMMU_EXT_LOG_KEY_BURST);
    smmu_ext_core_guest_error(core, 4, "other kind");
    g_assert_cmpuint(fixture_count_logs(f, G_LOG_LEVEL_MESSAGE,
                                        "guest: other kind"), ==, 1);
    smmu_ext_core_log_limited(core, 5, G_LOG_LEVEL_WARNING, "host side");
    g_assert_cmpuint(fixture_count_logs(f, G_LOG_LEVEL_WARNING,
                                        "host side"), ==, 1);
    g_assert_cmpuint(fixture_count_logs(f, G_LOG_LEVEL_WARNING,
                                        "guest: host side"), ==, 0);
    g_assert_cmpuint(fixture_count_logs(f, G_LOG_LEVEL_MESSAGE,
                                        "suppressed"), ==, 0);

    /* Key 3's window ends (rewound rather than waited for). */
    core->log_rl[3].begin -= SMMU_EXT_LOG_KEY_INTERVAL;
    smmu_ext_core_guest_error(core, 3, "again");
    g_assert_cmpuint(fixture_count_logs(f, G_LOG_LEVEL_MESSAGE,
                                        "guest: 40 similar messages "
                                        "suppressed"), ==, 1);
    g_assert_cmpuint(fixture_count_logs(f, G_LOG_LEVEL_MESSAGE,
                                        "guest: again"), ==, 1);
}

static void
test_keys_out_of_range(Fixture *f, gconstpointer data)
{
    SmmuExtCore *core = test_ext.core;

    g_test_summary("keys above the range share the last key only");
    for (unsigned i = 0; i < SMMU_EXT_LOG_KEY_BURST; i++) {
        smmu_ext_core_guest_error(core, 1000 + i, "high");
    }
    smmu_ext_core_guest_error(core, SMMU_EXT_LOG_KEYS - 1, "last key");
    smmu_ext_core_guest_error(core, SMMU_EXT_LOG_KEYS - 2, "next to last");
    g_assert_cmpuint(fixture_count_logs(f, G_LOG_LEVEL_MESSAGE,
                                        "guest: high"), ==,
                     SMMU_EXT_LOG_KEY_BURST);
    g_assert_cmpuint(fixture_count_logs(f, G_LOG_LEVEL_MESSAGE,
                                        "guest: last key"), ==, 0);
    g_assert_cmpuint(fixture_count_logs(f, G_LOG_LEVEL_MESSAGE,
                                        "guest: next to last"), ==, 1);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add("/core/mmio/forward/in-range", Fixture, FIX_TEST_EXT,
               setup_ext, test_in_range, fixture_teardown);
    g_test_add("/core/mmio/forward/bad-access-refused", Fixture,
               FIX_TEST_EXT, setup_ext, test_refused, fixture_teardown);
    g_test_add("/core/mmio/forward/no-extension", Fixture, FIX_TEST_EXT,
               fixture_setup, test_no_extension, fixture_teardown);
    g_test_add("/core/mmio/reset/module-reset", Fixture, FIX_TEST_EXT,
               setup_ext, test_reset_clears, fixture_teardown);
    g_test_add("/core/mmio/handlers/reach-module", Fixture, FIX_TEST_EXT,
               setup_ext, test_handlers_reach_module, fixture_teardown);
    g_test_add("/core/mmio/handlers/none-selected", Fixture, FIX_TEST_EXT,
               fixture_setup, test_handlers_none_selected, fixture_teardown);
    g_test_add("/core/log/keyed-limiter", Fixture, FIX_TEST_EXT,
               setup_ext, test_keyed_limiter, fixture_teardown);
    g_test_add("/core/log/keys-out-of-range", Fixture, FIX_TEST_EXT,
               setup_ext, test_keys_out_of_range, fixture_teardown);
    return g_test_run();
}
