/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The HW queue service (invariants 2 and 3): queues by desired state,
 * allocated ascending and destroyed descending, a live queue with
 * unchanged parameters never touched, and the module told before each
 * destroy and after each allocation.
 */
#include <errno.h>
#include "test-common.h"

#define Q0_GPA 0x100000
#define Q1_GPA 0x200000
#define QLEN 0x1000

static void
setup_attached(Fixture *f, gconstpointer data)
{
    fixture_setup(f, data);
    fixture_instance(f, "on");
    fixture_attach(f, TEST_DEV);
}

static gboolean
hwq_set(uint32_t index, uint64_t gpa, GError **errp)
{
    return smmu_ext_core_hw_queue_set(test_ext.core, TEST_HWQ_TYPE, index,
                                      gpa, QLEN, errp);
}

/* q0 and q1 live; returns the mark after them. */
static guint
both_live(Fixture *f)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(hwq_set(0, Q0_GPA, &err));
    g_assert_true(hwq_set(1, Q1_GPA, &err));
    g_assert_no_error(err);
    return fixture_mark(f);
}

/* The allocation call for @index after @from. */
static const SeamCall *
find_alloc(Fixture *f, guint from, uint32_t index)
{
    const SeamCall *found = NULL;

    for (guint i = from; i < test_seam_n_calls(f->seam); i++) {
        const SeamCall *c = test_seam_call(f->seam, i);

        if (c->kind == SEAM_IOCTL && c->request == SE_IOMMU_HW_QUEUE_ALLOC &&
            c->index == index) {
            found = c;
        }
    }
    g_assert_nonnull(found);
    return found;
}

/* Setting q0 allocates it and q1, which was waiting for it, follows
 * without being asked again. */
static void
assert_q0_up_q1_follows(Fixture *f)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    guint mark = fixture_mark(f);

    g_assert_true(hwq_set(0, Q0_GPA, &err));
    g_assert_no_error(err);
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==,
                    "hwq_alloc(1:0); LIVE 1:0; hwq_alloc(1:1); LIVE 1:1");
}

static void
test_ascending(Fixture *f, gconstpointer data)
{
    g_autofree char *trace = NULL;
    guint mark = fixture_mark(f);
    uint32_t viommu_id;
    const SeamCall *c;

    g_assert_cmpuint(test_seam_call(f->seam, 2)->request, ==,
                     SE_IOMMU_VIOMMU_ALLOC);
    viommu_id = test_seam_call(f->seam, 2)->out_id;
    both_live(f);
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==,
                    "hwq_alloc(1:0); LIVE 1:0; hwq_alloc(1:1); LIVE 1:1");
    c = find_alloc(f, mark, 1);
    g_assert_cmpuint(c->viommu_id, ==, viommu_id);
    g_assert_cmphex(c->gpa, ==, Q1_GPA);
    g_assert_cmphex(c->len, ==, QLEN);
    g_assert_cmpuint(c->flags, ==, 0);
    g_assert_true(smmu_ext_core_hw_queue_live(test_ext.core, TEST_HWQ_TYPE,
                                              0));
    g_assert_true(smmu_ext_core_hw_queue_live(test_ext.core, TEST_HWQ_TYPE,
                                              1));
    g_assert_false(smmu_ext_core_hw_queue_live(test_ext.core, TEST_HWQ_TYPE,
                                               2));
}

static void
test_unchanged_is_noop(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    guint mark = both_live(f);

    /* Invariant 3: re-running setup must not zero a live queue. */
    g_assert_true(hwq_set(0, Q0_GPA, &err));
    g_assert_true(hwq_set(1, Q1_GPA, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(fixture_mark(f), ==, mark);
}

static void
test_change_lower(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    guint mark = both_live(f);

    g_assert_true(hwq_set(0, Q0_GPA + 0x10000, &err));
    g_assert_no_error(err);
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==,
                    "DESTROYING 1:1; destroy(hwq 1:1); "
                    "DESTROYING 1:0; destroy(hwq 1:0); "
                    "hwq_alloc(1:0); LIVE 1:0; hwq_alloc(1:1); LIVE 1:1");
    g_assert_cmphex(find_alloc(f, mark, 0)->gpa, ==, Q0_GPA + 0x10000);
    /* The upper queue comes back where it was. */
    g_assert_cmphex(find_alloc(f, mark, 1)->gpa, ==, Q1_GPA);
}

static void
test_change_upper(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    guint mark = both_live(f);

    g_assert_true(smmu_ext_core_hw_queue_set(test_ext.core, TEST_HWQ_TYPE,
                                             1, Q1_GPA, 2 * QLEN, &err));
    g_assert_no_error(err);
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==,
                    "DESTROYING 1:1; destroy(hwq 1:1); "
                    "hwq_alloc(1:1); LIVE 1:1");
    g_assert_cmphex(find_alloc(f, mark, 1)->len, ==, 2 * QLEN);
}

static void
test_clear_lower(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    guint mark = both_live(f);

    g_assert_true(smmu_ext_core_hw_queue_clear(test_ext.core, TEST_HWQ_TYPE,
                                               0, &err));
    g_assert_no_error(err);
    trace = fixture_trace(f, mark);
    /* q1 cannot stay without q0: it goes too, and waits for it. */
    g_assert_cmpstr(trace, ==,
                    "DESTROYING 1:1; destroy(hwq 1:1); "
                    "DESTROYING 1:0; destroy(hwq 1:0); FAILED 1:1 code 15");
    g_assert_false(smmu_ext_core_hw_queue_live(test_ext.core, TEST_HWQ_TYPE,
                                               1));

    /* q0 back: q1 follows without being asked again. */
    assert_q0_up_q1_follows(f);
}

static void
test_upper_first_waits(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    guint mark = fixture_mark(f);

    g_assert_false(hwq_set(1, Q1_GPA, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_ORDER);
    g_clear_error(&err);
    trace = fixture_trace(f, mark);
    /* No ioctl the kernel would refuse (EIO). */
    g_assert_cmpstr(trace, ==, "FAILED 1:1 code 15");

    assert_q0_up_q1_follows(f);
}

static void
test_alloc_failure(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    guint mark = fixture_mark(f);

    test_seam_fail(f->seam, SEAM_IOCTL, SE_IOMMU_HW_QUEUE_ALLOC, 1, EINVAL,
                   1);
    g_assert_false(hwq_set(0, Q0_GPA, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_KERNEL);
    assert_contains(err->message, "IOMMU_HW_QUEUE_ALLOC(");
    assert_contains(err->message, "index 0");
    assert_contains(err->message, g_strerror(EINVAL));
    g_clear_error(&err);
    trace = fixture_trace(f, mark);
    /* FAILED carries the kernel error (code 12: SMMU_EXT_ERROR_KERNEL). */
    g_assert_cmpstr(trace, ==, "hwq_alloc(1:0)=-22; FAILED 1:0 code 12");
    g_assert_false(smmu_ext_core_hw_queue_live(test_ext.core, TEST_HWQ_TYPE,
                                               0));

    /* The same parameters again: not live, so it is tried again. */
    g_assert_true(hwq_set(0, Q0_GPA, &err));
    g_assert_no_error(err);
    g_assert_true(smmu_ext_core_hw_queue_live(test_ext.core, TEST_HWQ_TYPE,
                                              0));
}

static void
test_realloc_failure(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    guint mark = both_live(f);

    /* Moving q0 re-creates q1, whose re-allocation fails. */
    test_seam_fail(f->seam, SEAM_IOCTL, SE_IOMMU_HW_QUEUE_ALLOC, 2, ENOMEM,
                   1);
    g_assert_false(hwq_set(0, Q0_GPA + 0x10000, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_KERNEL);
    assert_contains(err->message, "index 1");
    assert_contains(err->message, g_strerror(ENOMEM));
    g_assert_true(smmu_ext_core_hw_queue_live(test_ext.core, TEST_HWQ_TYPE,
                                              0));
    g_assert_false(smmu_ext_core_hw_queue_live(test_ext.core, TEST_HWQ_TYPE,
                                               1));
    g_assert_cmpuint(fixture_mark(f), >, mark);
}

static void
test_failure_not_retried(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    g_autofree char *trace2 = NULL;
    guint mark;

    g_test_summary("a queue the kernel refused is not tried again when "
                   "another queue is set: the failure stays true until "
                   "that queue is asked for again");
    test_seam_fail(f->seam, SEAM_IOCTL, SE_IOMMU_HW_QUEUE_ALLOC, 1, ENOMEM,
                   1);
    g_assert_false(hwq_set(0, Q0_GPA, &err));
    g_clear_error(&err);

    /* The fault was transient, but nobody asked for q0 again. */
    mark = fixture_mark(f);
    g_assert_false(hwq_set(1, Q1_GPA, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_ORDER);
    g_clear_error(&err);
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==, "FAILED 1:1 code 15");
    g_assert_false(smmu_ext_core_hw_queue_live(test_ext.core, TEST_HWQ_TYPE,
                                               0));

    /* Setting q1 again tells the module again, still with no ioctl. */
    mark = fixture_mark(f);
    g_assert_false(hwq_set(1, Q1_GPA, &err));
    g_clear_error(&err);
    trace2 = fixture_trace(f, mark);
    g_assert_cmpstr(trace2, ==, "FAILED 1:1 code 15");

    /* Asked again: one attempt, and the waiting neighbour follows. */
    assert_q0_up_q1_follows(f);
}

static void
test_persistent_failure_one_ioctl(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    guint mark = fixture_mark(f);
    unsigned allocs = 0;

    g_test_summary("with the kernel refusing every allocation, setting "
                   "eight queues costs one ioctl, and each queue is told "
                   "once");
    test_seam_fail(f->seam, SEAM_IOCTL, SE_IOMMU_HW_QUEUE_ALLOC, 1, ENOMEM,
                   16);
    for (uint32_t q = 0; q < 8; q++) {
        g_assert_false(smmu_ext_core_hw_queue_set(test_ext.core,
                                                  TEST_HWQ_TYPE, q,
                                                  Q0_GPA + q * 0x10000,
                                                  QLEN, &err));
        g_clear_error(&err);
    }
    for (guint i = mark; i < test_seam_n_calls(f->seam); i++) {
        const SeamCall *c = test_seam_call(f->seam, i);

        allocs += c->kind == SEAM_IOCTL &&
                  c->request == SE_IOMMU_HW_QUEUE_ALLOC;
    }
    g_assert_cmpuint(allocs, ==, 1);
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==,
                    "hwq_alloc(1:0)=-12; FAILED 1:0 code 12; "
                    "FAILED 1:1 code 15; FAILED 1:2 code 15; "
                    "FAILED 1:3 code 15; FAILED 1:4 code 15; "
                    "FAILED 1:5 code 15; FAILED 1:6 code 15; "
                    "FAILED 1:7 code 15");
}

static void
test_viommu_failure_keeps_attach(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    guint mark;

    g_test_summary("a HW queue the kernel refuses while the vIOMMU is "
                   "(re)created does not fail the attach; the module is "
                   "told, the host hears it, and a later set brings it up");
    fixture_instance(f, "on");
    g_assert_true(smmu_ext_instance_select(f->inst, f->fd, TEST_DEV, &err));
    g_assert_no_error(err);
    g_assert_true(hwq_set(0, Q0_GPA, &err));
    g_assert_true(hwq_set(1, Q1_GPA, &err));
    g_assert_no_error(err);

    mark = fixture_mark(f);
    test_seam_fail(f->seam, SEAM_IOCTL, SE_IOMMU_HW_QUEUE_ALLOC, 1, EINVAL,
                   1);
    g_assert_true(smmu_ext_instance_attach(f->inst, f->fd, TEST_DEV,
                                           TEST_HWPT, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(smmu_ext_instance_viommu_id(f->inst), !=, 0);
    trace = fixture_trace(f, mark);
    assert_contains(trace, "hwq_alloc(1:0)=-22; FAILED 1:0 code 12; "
                    "FAILED 1:1 code 15");
    g_assert_cmpuint(fixture_count_logs(f, G_LOG_LEVEL_WARNING,
                                        "IOMMU_HW_QUEUE_ALLOC("), ==, 1);

    /* The guest mends it: both queues come up on the new vIOMMU. */
    assert_q0_up_q1_follows(f);
}

static void
test_viommu_recreate_retries(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    guint mark;

    g_test_summary("a queue refused on one vIOMMU gets one fresh attempt "
                   "on the next: the last device leaves, another comes");
    test_seam_fail(f->seam, SEAM_IOCTL, SE_IOMMU_HW_QUEUE_ALLOC, 1, ENOMEM,
                   1);
    g_assert_false(hwq_set(0, Q0_GPA, &err));
    g_clear_error(&err);
    g_assert_true(smmu_ext_instance_detach(f->inst, TEST_DEV, &err));
    g_assert_no_error(err);
    mark = fixture_mark(f);
    fixture_attach(f, TEST_DEV2);
    trace = fixture_trace(f, mark);
    assert_contains(trace, "hwq_alloc(1:0); LIVE 1:0");
    g_assert_true(smmu_ext_instance_detach(f->inst, TEST_DEV2, &err));
    g_assert_no_error(err);
    fixture_attach(f, TEST_DEV);
}

static void
test_destroy_failure(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    guint mark = both_live(f);

    /* q1 cannot be destroyed (neither try): q0 must not be touched. */
    test_seam_fail(f->seam, SEAM_IOCTL, SE_IOMMU_DESTROY, 1, EBUSY, 2);
    g_assert_false(hwq_set(0, Q0_GPA + 0x10000, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_KERNEL);
    assert_contains(err->message, "index 1");
    assert_contains(err->message, "IOMMU_DESTROY(HW queue");
    assert_contains(err->message, g_strerror(EBUSY));
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==,
                    "DESTROYING 1:1; destroy(hwq 1:1)=-16; "
                    "destroy(hwq 1:1)=-16");
    g_assert_cmpuint(test_seam_live_objects(f->seam), ==, 4);
}

static void
test_clear_all(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    guint mark = both_live(f);

    g_assert_true(smmu_ext_core_hw_queue_clear_all(test_ext.core,
                                                   TEST_HWQ_TYPE, &err));
    g_assert_no_error(err);
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==,
                    "DESTROYING 1:1; destroy(hwq 1:1); "
                    "DESTROYING 1:0; destroy(hwq 1:0)");
    /* Nothing desired any more: nothing comes back. */
    mark = fixture_mark(f);
    g_assert_true(smmu_ext_core_hw_queue_clear_all(test_ext.core,
                                                   TEST_HWQ_TYPE, &err));
    g_assert_cmpuint(fixture_mark(f), ==, mark);
}

static void
test_types_independent(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    guint mark;

    g_assert_true(smmu_ext_core_hw_queue_set(test_ext.core, 2, 0, 0x900000,
                                             QLEN, &err));
    mark = both_live(f);
    g_assert_true(hwq_set(0, Q0_GPA + 0x10000, &err));
    g_assert_no_error(err);
    trace = fixture_trace(f, mark);
    assert_not_contains(trace, " 2:0");
    g_assert_true(smmu_ext_core_hw_queue_live(test_ext.core, 2, 0));
}

static void
test_before_viommu(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    g_autofree char *trace2 = NULL;
    guint mark;

    fixture_instance(f, "on");
    g_assert_true(smmu_ext_instance_select(f->inst, f->fd, TEST_DEV, &err));
    g_assert_no_error(err);
    /* Wanted before a vIOMMU exists: no call yet. */
    mark = fixture_mark(f);
    g_assert_true(hwq_set(0, Q0_GPA, &err));
    g_assert_true(hwq_set(1, Q1_GPA, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(fixture_mark(f), ==, mark);

    fixture_attach(f, TEST_DEV);
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==,
                    "viommu_alloc(type 2); veventq_alloc(type 2, depth 32); "
                    "mmap(0x30000); hwq_alloc(1:0); LIVE 1:0; "
                    "hwq_alloc(1:1); LIVE 1:1");

    /* The vIOMMU goes and comes back: so do the queues. */
    g_assert_true(smmu_ext_instance_detach(f->inst, TEST_DEV, &err));
    g_assert_no_error(err);
    test_seam_assert_clean(f->seam);
    mark = fixture_mark(f);
    fixture_attach(f, TEST_DEV);
    trace2 = fixture_trace(f, mark);
    assert_contains(trace2, "hwq_alloc(1:0); LIVE 1:0; hwq_alloc(1:1); "
                    "LIVE 1:1");
}

static void
test_reset(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    guint mark = both_live(f);

    smmu_ext_instance_reset(f->inst);
    trace = fixture_trace(f, mark);
    /* Queues go (descending); vIOMMU, vEVENTQs and the mapping stay. */
    g_assert_cmpstr(trace, ==,
                    "DESTROYING 1:1; destroy(hwq 1:1); "
                    "DESTROYING 1:0; destroy(hwq 1:0)");
    g_assert_cmpuint(test_ext.resets, ==, 1);
    g_assert_cmpuint(test_seam_live_mappings(f->seam), ==, 1);
    /* Nothing stale comes back by itself after reset. */
    mark = fixture_mark(f);
    smmu_ext_instance_reset(f->inst);
    g_assert_cmpuint(fixture_mark(f), ==, mark);
    g_assert_true(hwq_set(0, Q0_GPA, &err));
    g_assert_no_error(err);
    g_assert_true(smmu_ext_core_hw_queue_live(test_ext.core, TEST_HWQ_TYPE,
                                              0));
    g_assert_false(smmu_ext_core_hw_queue_live(test_ext.core, TEST_HWQ_TYPE,
                                               1));
}

static void
test_reset_cycles(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    guint live = test_seam_live_objects(f->seam);

    /* Invariant 8: reboots leave nothing behind and nothing stale. */
    for (int i = 0; i < 3; i++) {
        both_live(f);
        g_assert_cmpuint(test_seam_live_objects(f->seam), ==, live + 2);
        smmu_ext_instance_reset(f->inst);
        g_assert_cmpuint(test_seam_live_objects(f->seam), ==, live);
        g_assert_false(smmu_ext_core_hw_queue_live(test_ext.core,
                                                   TEST_HWQ_TYPE, 0));
    }
    g_assert_cmpuint(test_ext.resets, ==, 3);
    g_assert_cmpuint(test_seam_live_mappings(f->seam), ==, 1);
}

static void
test_emulated_refused(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    fixture_instance(f, TEST_EXT_NAME);
    g_assert_true(smmu_ext_instance_attach(f->inst, NULL, TEST_DEV, 0,
                                           &err));
    g_assert_false(hwq_set(0, Q0_GPA, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID);
    g_assert_cmpuint(test_seam_n_calls(f->seam), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

#define ADD(path, fn) \
    g_test_add(path, Fixture, FIX_TEST_EXT, setup_attached, fn, \
               fixture_teardown)
#define ADD_BARE(path, fn) \
    g_test_add(path, Fixture, FIX_TEST_EXT, fixture_setup, fn, \
               fixture_teardown)
    ADD("/core/hwqueue/set/ascending", test_ascending);
    ADD("/core/hwqueue/set/unchanged-is-noop", test_unchanged_is_noop);
    ADD("/core/hwqueue/set/change-lower-recreates-upper", test_change_lower);
    ADD("/core/hwqueue/set/change-upper-only", test_change_upper);
    ADD("/core/hwqueue/set/upper-first-waits", test_upper_first_waits);
    ADD("/core/hwqueue/set/alloc-failure", test_alloc_failure);
    ADD("/core/hwqueue/set/realloc-failure-reported", test_realloc_failure);
    ADD("/core/hwqueue/set/destroy-failure-stops", test_destroy_failure);
    ADD("/core/hwqueue/set/failure-not-retried-by-others",
        test_failure_not_retried);
    ADD("/core/hwqueue/set/persistent-failure-one-ioctl",
        test_persistent_failure_one_ioctl);
    ADD("/core/hwqueue/set/types-independent", test_types_independent);
    ADD("/core/hwqueue/clear/lower-while-upper-live", test_clear_lower);
    ADD("/core/hwqueue/clear/all-descending", test_clear_all);
    ADD("/core/hwqueue/reset/frees-descending", test_reset);
    ADD("/core/hwqueue/reset/cycles-leave-nothing", test_reset_cycles);
    ADD_BARE("/core/hwqueue/viommu/before-and-after", test_before_viommu);
    ADD_BARE("/core/hwqueue/viommu/failure-keeps-attach",
             test_viommu_failure_keeps_attach);
    ADD("/core/hwqueue/viommu/recreate-retries",
        test_viommu_recreate_retries);
    ADD_BARE("/core/hwqueue/emulated/refused", test_emulated_refused);
#undef ADD
#undef ADD_BARE
    return g_test_run();
}
