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
    return g_test_run();
}
