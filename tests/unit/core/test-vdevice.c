/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-device kernel objects: the vDEVICE (follows plug + vSID) and the
 * ARM_SMMUV3 vEVENTQ (follows "vIOMMU exists && guest EVENTQ enabled",
 * issue #5), whichever order the host learns things in.
 */
#include <errno.h>
#include <string.h>
#include "test-common.h"

static void
setup_on(Fixture *f, gconstpointer data)
{
    fixture_setup(f, data);
    fixture_instance(f, "on");
    fixture_attach(f, TEST_DEV);
}

static void
setup_off(Fixture *f, gconstpointer data)
{
    fixture_setup(f, data);
    fixture_instance(f, "off");
}

/* The id the kernel gave the (last) vIOMMU. */
static uint32_t
viommu_id(Fixture *f)
{
    uint32_t id = 0;

    for (guint i = 0; i < test_seam_n_calls(f->seam); i++) {
        const SeamCall *c = test_seam_call(f->seam, i);

        if (c->kind == SEAM_IOCTL && c->request == SE_IOMMU_VIOMMU_ALLOC &&
            c->result == 0) {
            id = c->out_id;
        }
    }
    g_assert_cmpuint(id, !=, 0);
    return id;
}

static const SeamCall *
last_call(Fixture *f)
{
    return test_seam_call(f->seam, test_seam_n_calls(f->seam) - 1);
}

/* --- vDEVICE -------------------------------------------------------------- */

static void
test_vsid_allocates(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    guint mark = fixture_mark(f);

    g_assert_true(smmu_ext_instance_set_vsid(f->inst, TEST_DEV, 0x42, &err));
    g_assert_no_error(err);
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==, "vdevice_alloc(dev 1, vsid 0x42)");
    g_assert_cmpuint(last_call(f)->viommu_id, ==, viommu_id(f));
    g_assert_cmpuint(test_ext.vdevice_adds, ==, 1);

    /* The same vSID again: nothing to do. */
    mark = fixture_mark(f);
    g_assert_true(smmu_ext_instance_set_vsid(f->inst, TEST_DEV, 0x42, &err));
    g_assert_cmpuint(fixture_mark(f), ==, mark);
}

static void
test_vsid_change(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    guint mark;

    g_assert_true(smmu_ext_instance_set_vsid(f->inst, TEST_DEV, 0x42, &err));
    mark = fixture_mark(f);
    g_assert_true(smmu_ext_instance_set_vsid(f->inst, TEST_DEV, 0x43, &err));
    g_assert_no_error(err);
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==,
                    "destroy(vdevice dev 1); vdevice_alloc(dev 1, vsid 0x43)");
    g_assert_cmpuint(test_ext.vdevice_adds, ==, 2);
    g_assert_cmpuint(test_ext.vdevice_removes, ==, 1);
}

static void
test_detach_frees_vdevice_first(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    g_autofree char *trace2 = NULL;
    guint mark;

    fixture_attach(f, TEST_DEV2);
    g_assert_true(smmu_ext_instance_set_vsid(f->inst, TEST_DEV, 0x42, &err));
    g_assert_true(smmu_ext_instance_set_vsid(f->inst, TEST_DEV2, 0x43,
                                             &err));
    g_assert_no_error(err);

    mark = fixture_mark(f);
    g_assert_true(smmu_ext_instance_detach(f->inst, TEST_DEV2, &err));
    g_assert_no_error(err);
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==, "destroy(vdevice dev 2)");

    mark = fixture_mark(f);
    g_assert_true(smmu_ext_instance_detach(f->inst, TEST_DEV, &err));
    g_assert_no_error(err);
    trace2 = fixture_trace(f, mark);
    g_assert_true(g_str_has_prefix(trace2, "destroy(vdevice dev 1); "));
    g_assert_true(g_str_has_suffix(trace2, "destroy(viommu)"));
    test_seam_assert_clean(f->seam);
}

static void
test_replug_new_viommu(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    uint32_t old_id = viommu_id(f);
    guint mark;

    g_assert_true(smmu_ext_instance_set_vsid(f->inst, TEST_DEV, 0x42, &err));
    g_assert_true(smmu_ext_instance_detach(f->inst, TEST_DEV, &err));
    g_assert_no_error(err);
    /* Unplugged: it has no vSID any more. */
    g_assert_false(smmu_ext_instance_set_vsid(f->inst, TEST_DEV, 0x42,
                                              &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID);
    g_clear_error(&err);

    /* Hot-plugged again: a new vIOMMU, and the vDEVICE lands on it. */
    mark = fixture_mark(f);
    fixture_attach(f, TEST_DEV);
    g_assert_true(smmu_ext_instance_set_vsid(f->inst, TEST_DEV, 0x42, &err));
    g_assert_no_error(err);
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==,
                    "viommu_alloc(type 2); veventq_alloc(type 2, depth 32); "
                    "mmap(0x30000); vdevice_alloc(dev 1, vsid 0x42)");
    g_assert_cmpuint(viommu_id(f), !=, old_id);
    g_assert_cmpuint(last_call(f)->viommu_id, ==, viommu_id(f));
}

static void
test_duplicate_attach(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    guint mark = fixture_mark(f);

    g_assert_false(smmu_ext_instance_attach(f->inst, f->fd, TEST_DEV,
                                            TEST_HWPT, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID);
    g_clear_error(&err);
    g_assert_cmpuint(fixture_mark(f), ==, mark);
    /* Still attached exactly once. */
    g_assert_true(smmu_ext_instance_detach(f->inst, TEST_DEV, &err));
    g_assert_no_error(err);
    g_assert_false(smmu_ext_instance_detach(f->inst, TEST_DEV, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID);
}

static void
test_other_iommufd_refused(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    TestSeam *other = test_seam_new();
    guint mark = fixture_mark(f);

    g_assert_false(smmu_ext_instance_attach(f->inst,
                                            test_seam_iommufd(other),
                                            TEST_DEV2, TEST_HWPT, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID);
    g_assert_cmpuint(fixture_mark(f), ==, mark);
    g_assert_cmpuint(test_seam_n_calls(other), ==, 0);
    test_seam_free(other);
}

static void
test_vdevice_alloc_failure(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    guint mark = fixture_mark(f);

    test_seam_fail(f->seam, SEAM_IOCTL, SE_IOMMU_VDEVICE_ALLOC, 1, EINVAL,
                   1);
    g_assert_false(smmu_ext_instance_set_vsid(f->inst, TEST_DEV, 0x42,
                                              &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_KERNEL);
    assert_contains(err->message, "IOMMU_VDEVICE_ALLOC(");
    assert_contains(err->message, "vsid 0x42");
    assert_contains(err->message, g_strerror(EINVAL));
    g_clear_error(&err);
    g_assert_cmpuint(test_ext.vdevice_adds, ==, 0);

    /* The same vSID again retries: there is no vDEVICE yet. */
    g_assert_true(smmu_ext_instance_set_vsid(f->inst, TEST_DEV, 0x42, &err));
    g_assert_no_error(err);
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==,
                    "vdevice_alloc(dev 1, vsid 0x42)=-22; "
                    "vdevice_alloc(dev 1, vsid 0x42)");
}

static void
test_vsid_change_two_errors(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(smmu_ext_instance_set_vsid(f->inst, TEST_DEV, 0x42, &err));
    /* The old vDEVICE cannot go, so the kernel refuses the new one. */
    test_seam_fail(f->seam, SEAM_IOCTL, SE_IOMMU_DESTROY, 1, EBUSY, 2);
    g_assert_false(smmu_ext_instance_set_vsid(f->inst, TEST_DEV, 0x43,
                                              &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_KERNEL);
    assert_contains(err->message, "IOMMU_DESTROY(vDEVICE");
    assert_contains(err->message, g_strerror(EBUSY));
    assert_contains(err->message, "IOMMU_VDEVICE_ALLOC(");
    assert_contains(err->message, g_strerror(EEXIST));
    f->leaks_expected = true;
}

/* --- the ARM_SMMUV3 vEVENTQ ------------------------------------------------ */

static void
test_evq_before_viommu(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;

    g_assert_true(smmu_ext_instance_set_eventq(f->inst, true, 8, &err));
    g_assert_no_error(err);
    /* Never without a vIOMMU. */
    g_assert_cmpuint(test_seam_n_calls(f->seam), ==, 0);
    fixture_attach(f, TEST_DEV);
    trace = fixture_trace(f, 0);
    g_assert_cmpstr(trace, ==,
                    "viommu_alloc(type 1); veventq_alloc(type 1, depth 256)");
    g_assert_cmpuint(last_call(f)->viommu_id, ==, viommu_id(f));
    g_assert_cmpuint(last_call(f)->flags, ==, 0);
    g_assert_cmpint(test_seam_veventq_fd(f->seam, 1), >=, 0);
    /* The host was told which fd to watch. */
    g_assert_cmpuint(f->host.watch->len, ==, 1);
    g_assert_cmpint(g_array_index(f->host.watch, int, 0), ==,
                    test_seam_veventq_fd(f->seam, 1));
}

static void
test_evq_after_viommu(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    guint mark;

    fixture_attach(f, TEST_DEV);
    mark = fixture_mark(f);
    g_assert_true(smmu_ext_instance_set_eventq(f->inst, true, 8, &err));
    g_assert_no_error(err);
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==, "veventq_alloc(type 1, depth 256)");
    /* Enabled again: one vEVENTQ per type, no second allocation. */
    mark = fixture_mark(f);
    g_assert_true(smmu_ext_instance_set_eventq(f->inst, true, 8, &err));
    g_assert_cmpuint(fixture_mark(f), ==, mark);
}

static void
test_evq_depth_capped(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    fixture_attach(f, TEST_DEV);
    /* log2size is the guest's: anything, even a shift past 31. */
    g_assert_true(smmu_ext_instance_set_eventq(f->inst, true, 200, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(last_call(f)->request, ==, SE_IOMMU_VEVENTQ_ALLOC);
    g_assert_cmpuint(last_call(f)->depth, ==, 1u << 19);
}

static void
test_evq_depth_small(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    fixture_attach(f, TEST_DEV);
    g_assert_true(smmu_ext_instance_set_eventq(f->inst, true, 0, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(last_call(f)->depth, ==, 1);
}

static void
test_evq_freed_with_viommu(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    g_autofree char *trace2 = NULL;
    guint mark;

    fixture_attach(f, TEST_DEV);
    g_assert_true(smmu_ext_instance_set_eventq(f->inst, true, 8, &err));
    mark = fixture_mark(f);
    g_assert_true(smmu_ext_instance_detach(f->inst, TEST_DEV, &err));
    g_assert_no_error(err);
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==,
                    "close(veventq type 1); destroy(veventq type 1); "
                    "destroy(viommu)");
    test_seam_assert_clean(f->seam);

    /* Still enabled, no vIOMMU: nothing.  A new vIOMMU: a new vEVENTQ. */
    mark = fixture_mark(f);
    g_assert_true(smmu_ext_instance_set_eventq(f->inst, true, 8, &err));
    g_assert_cmpuint(fixture_mark(f), ==, mark);
    fixture_attach(f, TEST_DEV2);
    trace2 = fixture_trace(f, mark);
    g_assert_cmpstr(trace2, ==,
                    "viommu_alloc(type 1); veventq_alloc(type 1, depth 256)");
}

static void
test_evq_disable_keeps_resize_reallocates(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    g_autofree char *resize = NULL;
    guint mark;

    g_test_summary("Disabling the guest EVTQ keeps the vEVENTQ (it is "
                   "freed with the vIOMMU; events meanwhile are EVENTQ "
                   "aborts); enabling with another size reallocates it "
                   "with the new depth");
    fixture_attach(f, TEST_DEV);
    g_assert_true(smmu_ext_instance_set_eventq(f->inst, true, 8, &err));
    mark = fixture_mark(f);
    g_assert_true(smmu_ext_instance_set_eventq(f->inst, false, 8, &err));
    g_assert_no_error(err);
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==, "");
    /* Same size again: nothing to do. */
    g_assert_true(smmu_ext_instance_set_eventq(f->inst, true, 8, &err));
    g_assert_cmpuint(fixture_mark(f), ==, mark);
    /* Another size: a fresh one of that depth, the old one closed first. */
    g_assert_true(smmu_ext_instance_set_eventq(f->inst, true, 4, &err));
    g_assert_no_error(err);
    resize = fixture_trace(f, mark);
    assert_contains(resize, "close(veventq type 1); destroy(veventq type 1)");
    g_assert_cmpuint(last_call(f)->request, ==, SE_IOMMU_VEVENTQ_ALLOC);
    g_assert_cmpuint(last_call(f)->depth, ==, 16);
}

static void
test_evq_alloc_failure(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    fixture_attach(f, TEST_DEV);
    test_seam_fail(f->seam, SEAM_IOCTL, SE_IOMMU_VEVENTQ_ALLOC, 1, ENOMEM,
                   1);
    g_assert_false(smmu_ext_instance_set_eventq(f->inst, true, 8, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_KERNEL);
    assert_contains(err->message, "IOMMU_VEVENTQ_ALLOC(");
    assert_contains(err->message, "depth 256");
    assert_contains(err->message, g_strerror(ENOMEM));
    g_clear_error(&err);
    g_assert_cmpint(test_seam_veventq_fd(f->seam, 1), <, 0);
    /* The guest writing CR0 again retries. */
    g_assert_true(smmu_ext_instance_set_eventq(f->inst, true, 8, &err));
    g_assert_no_error(err);
    g_assert_cmpint(test_seam_veventq_fd(f->seam, 1), >=, 0);
}

static void
test_evq_with_extension(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    guint mark = fixture_mark(f);

    g_assert_true(smmu_ext_instance_set_eventq(f->inst, true, 8, &err));
    g_assert_no_error(err);
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==, "veventq_alloc(type 1, depth 256)");
    /* Both vEVENTQs hang off the one vIOMMU. */
    g_assert_cmpint(test_seam_veventq_fd(f->seam, 1), >=, 0);
    g_assert_cmpint(test_seam_veventq_fd(f->seam, 2), >=, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

#define ADD_ON(path, fn) \
    g_test_add(path, Fixture, FIX_TEST_EXT, setup_on, fn, fixture_teardown)
#define ADD_OFF(path, fn) \
    g_test_add(path, Fixture, FIX_TEST_EXT, setup_off, fn, fixture_teardown)
    ADD_ON("/core/vdevice/vsid-allocates", test_vsid_allocates);
    ADD_ON("/core/vdevice/vsid-change-reallocates", test_vsid_change);
    ADD_ON("/core/vdevice/detach-frees-vdevice-first",
           test_detach_frees_vdevice_first);
    ADD_ON("/core/vdevice/replug-new-viommu", test_replug_new_viommu);
    ADD_ON("/core/vdevice/duplicate-attach", test_duplicate_attach);
    ADD_ON("/core/vdevice/other-iommufd-refused",
           test_other_iommufd_refused);
    ADD_ON("/core/vdevice/alloc-failure-retried",
           test_vdevice_alloc_failure);
    ADD_ON("/core/vdevice/vsid-change-two-errors",
           test_vsid_change_two_errors);
    ADD_OFF("/core/veventq/smmuv3/enabled-before-viommu",
            test_evq_before_viommu);
    ADD_OFF("/core/veventq/smmuv3/enabled-after-viommu",
            test_evq_after_viommu);
    ADD_OFF("/core/veventq/smmuv3/depth-capped", test_evq_depth_capped);
    ADD_OFF("/core/veventq/smmuv3/depth-smallest", test_evq_depth_small);
    ADD_OFF("/core/veventq/smmuv3/freed-with-viommu",
            test_evq_freed_with_viommu);
    ADD_OFF("/core/veventq/smmuv3/disable-keeps-resize-reallocates",
            test_evq_disable_keeps_resize_reallocates);
    ADD_OFF("/core/veventq/smmuv3/alloc-failure-retried",
            test_evq_alloc_failure);
    ADD_ON("/core/veventq/smmuv3/beside-extension", test_evq_with_extension);
#undef ADD_ON
#undef ADD_OFF
    return g_test_run();
}
