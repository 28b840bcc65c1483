/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Invariant 1 (teardown is complete and ordered on every path) and
 * invariant 7 (two errors in one operation are both reported): the normal
 * path, then every bring-up kernel call failing in turn.
 */
#include <errno.h>
#include <string.h>
#include "test-common.h"

#define TEST_VSID 0x42
#define TEST_ERRNO ENOSPC

/* Everything the core can own at once: both vEVENTQs, a mapping with a
 * direct overlay, a vDEVICE and two HW queues. */
static gboolean
bring_up(Fixture *f, GError **errp)
{
    test_ext.direct_map = true;
    return smmu_ext_instance_set_eventq(f->inst, true, 10, errp) &&
           smmu_ext_instance_attach(f->inst, f->fd, TEST_DEV, TEST_HWPT,
                                    errp) &&
           smmu_ext_instance_set_vsid(f->inst, TEST_DEV, TEST_VSID, errp) &&
           smmu_ext_core_hw_queue_set(test_ext.core, TEST_HWQ_TYPE, 0,
                                      0x100000, 0x1000, errp) &&
           smmu_ext_core_hw_queue_set(test_ext.core, TEST_HWQ_TYPE, 1,
                                      0x200000, 0x1000, errp);
}

#define TEARDOWN_AFTER_VDEVICE \
    "DESTROYING 1:1; destroy(hwq 1:1); DESTROYING 1:0; destroy(hwq 1:0); " \
    "close(veventq type 2); destroy(veventq type 2); " \
    "close(veventq type 1); destroy(veventq type 1); munmap; " \
    "destroy(viommu)"

/* Freeing the instance: the overlay goes before anything of the kernel. */
static const char full_teardown[] =
    "unmap_direct(0x80); destroy(vdevice dev 1); " TEARDOWN_AFTER_VDEVICE;

/* The last detach: that device's vDEVICE first, then the vIOMMU's. */
static const char detach_teardown[] =
    "destroy(vdevice dev 1); unmap_direct(0x80); " TEARDOWN_AFTER_VDEVICE;

/*
 * The documented order, whatever the path: overlays off before munmap,
 * then per vIOMMU: vDEVICEs, HW queues (descending), vEVENTQs (close,
 * then destroy), munmap, vIOMMU.  Checked over successful calls only; a
 * failed one is caught by the leak check.
 */
static void
assert_teardown_order(const TestSeam *s, guint from)
{
    int rank = -1;
    int64_t last_hwq = G_MAXINT64;
    int overlays = 0;
    guint closed_types = 0;

    for (guint i = from; i < test_seam_n_calls(s); i++) {
        const SeamCall *c = test_seam_call(s, i);
        int r;

        if (c->kind == SEAM_NOTE) {
            overlays += g_str_has_prefix(c->note, "map_direct");
            overlays -= g_str_has_prefix(c->note, "unmap_direct");
            continue;
        }
        if (c->result < 0) {
            continue;
        }
        if (c->kind == SEAM_CLOSE) {
            r = 2;
            closed_types |= 1u << c->obj_type;
        } else if (c->kind == SEAM_MUNMAP) {
            r = 3;
            g_assert_cmpint(overlays, ==, 0);
        } else if (c->kind == SEAM_IOCTL && c->request == SE_IOMMU_DESTROY) {
            switch (c->obj) {
            case SEAM_OBJ_VDEVICE:
                r = 0;
                break;
            case SEAM_OBJ_HWQ:
                r = 1;
                g_assert_cmpint(c->obj_index, <, last_hwq);
                last_hwq = c->obj_index;
                break;
            case SEAM_OBJ_VEVENTQ:
                r = 2;
                g_assert_cmphex(closed_types & (1u << c->obj_type), !=, 0);
                break;
            default:
                r = 4;
                break;
            }
        } else {
            continue;
        }
        g_assert_cmpint(r, >=, rank);
        rank = r;
        if (r == 4) {
            /* A new vIOMMU may follow: start over. */
            rank = -1;
            last_hwq = G_MAXINT64;
            closed_types = 0;
        }
    }
}

static void
test_normal_free(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    int evq[2];
    guint mark;

    fixture_instance(f, "auto");
    g_assert_true(bring_up(f, &err));
    g_assert_no_error(err);
    evq[0] = test_seam_veventq_fd(f->seam, TEST_EXT_VEVENTQ_TYPE);
    evq[1] = test_seam_veventq_fd(f->seam, SE_IOMMU_VEVENTQ_TYPE_ARM_SMMUV3);
    g_assert_cmpint(evq[0], >=, 0);
    g_assert_cmpint(evq[1], >=, 0);
    g_assert_cmpuint(f->host.watch->len, ==, 2);

    mark = fixture_mark(f);
    smmu_ext_instance_free(f->inst);
    f->inst = NULL;
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==, full_teardown);
    assert_teardown_order(f->seam, 0);
    g_assert_cmpuint(test_ext.viommu_gone, ==, 1);
    g_assert_cmpuint(test_ext.vdevice_removes, ==, 1);
    /* Each fd was unwatched before it was closed. */
    g_assert_cmpuint(f->host.watch->len, ==, 4);
    g_assert_cmpint(g_array_index(f->host.watch, int, 2), ==, -evq[0] - 1);
    g_assert_cmpint(g_array_index(f->host.watch, int, 3), ==, -evq[1] - 1);
    test_seam_assert_clean(f->seam);
}

static void
test_normal_last_detach(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    g_autofree char *trace2 = NULL;
    guint mark;

    fixture_instance(f, "auto");
    g_assert_true(bring_up(f, &err));
    fixture_attach(f, TEST_DEV2);
    g_assert_true(smmu_ext_instance_set_vsid(f->inst, TEST_DEV2, 0x43,
                                             &err));
    g_assert_no_error(err);

    /* Not the last device: only its vDEVICE goes. */
    mark = fixture_mark(f);
    g_assert_true(smmu_ext_instance_detach(f->inst, TEST_DEV2, &err));
    g_assert_no_error(err);
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==, "destroy(vdevice dev 2)");

    /* The last one: its vDEVICE first, then everything else in order. */
    mark = fixture_mark(f);
    g_assert_true(smmu_ext_instance_detach(f->inst, TEST_DEV, &err));
    g_assert_no_error(err);
    trace2 = fixture_trace(f, mark);
    g_assert_cmpstr(trace2, ==, detach_teardown);
    test_seam_assert_clean(f->seam);

    /* Freeing afterwards has nothing left to do. */
    mark = fixture_mark(f);
    smmu_ext_instance_free(f->inst);
    f->inst = NULL;
    g_assert_cmpuint(fixture_mark(f), ==, mark);
}

static const char *
op_name(const SeamCall *c)
{
    if (c->kind == SEAM_MMAP) {
        return "mmap(";
    }
    g_assert_cmpint(c->kind, ==, SEAM_IOCTL);
    switch (c->request) {
    case SE_IOMMU_GET_HW_INFO:
        return "IOMMU_GET_HW_INFO(";
    case SE_IOMMU_VIOMMU_ALLOC:
        return "IOMMU_VIOMMU_ALLOC(";
    case SE_IOMMU_VDEVICE_ALLOC:
        return "IOMMU_VDEVICE_ALLOC(";
    case SE_IOMMU_VEVENTQ_ALLOC:
        return "IOMMU_VEVENTQ_ALLOC(";
    case SE_IOMMU_HW_QUEUE_ALLOC:
        return "IOMMU_HW_QUEUE_ALLOC(";
    default:
        g_assert_not_reached();
    }
}

static guint
count_bring_up_calls(void)
{
    g_autoptr(GError) err = NULL;
    Fixture f;
    guint n;

    fixture_setup(&f, FIX_TEST_EXT);
    fixture_instance(&f, "on");
    g_assert_true(bring_up(&f, &err));
    g_assert_no_error(err);
    n = test_seam_n_kernel_calls(f.seam);
    fixture_teardown(&f, FIX_TEST_EXT);
    return n;
}

/* Fail kernel call number @data of the bring-up; the operation reports it
 * and, once the instance is freed, nothing is left and the order held. */
static void
test_error_path(Fixture *f, gconstpointer data)
{
    guint nth = FIX_PARAM_GET(data);
    g_autoptr(GError) err = NULL;
    g_autofree char *trace = NULL;
    g_autofree char *errno_text = g_strdup_printf("(errno %d)", TEST_ERRNO);
    const SeamCall *failed = NULL;

    fixture_instance(f, "on");
    test_seam_fail_any(f->seam, nth, TEST_ERRNO);
    g_assert_false(bring_up(f, &err));
    g_assert_nonnull(err);

    for (guint i = 0, k = 0; i < test_seam_n_calls(f->seam); i++) {
        const SeamCall *c = test_seam_call(f->seam, i);

        if (c->kind != SEAM_NOTE && ++k == nth) {
            failed = c;
        }
    }
    g_assert_nonnull(failed);
    g_assert_true(failed->injected);
    trace = fixture_trace(f, 0);
    g_test_message("call %u failed: %s; trace: %s", nth, err->message,
                   trace);

    g_assert_true(err->domain == SMMU_EXT_ERROR);
    if (failed->kind == SEAM_IOCTL &&
        failed->request == SE_IOMMU_GET_HW_INFO && failed->type) {
        /* The extension's probe call: "on" found nothing. */
        g_assert_cmpint(err->code, ==, SMMU_EXT_ERROR_NO_EXTENSION);
    } else {
        g_assert_cmpint(err->code, ==, SMMU_EXT_ERROR_KERNEL);
    }
    assert_contains(err->message, op_name(failed));
    assert_contains(err->message, g_strerror(TEST_ERRNO));
    assert_contains(err->message, errno_text);

    smmu_ext_instance_free(f->inst);
    f->inst = NULL;
    assert_teardown_order(f->seam, 0);
    /* ids destroyed == created, fds closed == opened, munmaps == mmaps */
    test_seam_assert_clean(f->seam);
    g_assert_cmpuint(fixture_count_logs(f, G_LOG_LEVEL_WARNING, ""), ==, 0);
}

static void
test_two_errors_reported(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    /* The mapping fails, then the unwind cannot destroy the vEVENTQ
     * (neither try): both failures reach the caller. */
    fixture_instance(f, "on");
    test_seam_fail(f->seam, SEAM_MMAP, 0, 1, ENOMEM, 1);
    test_seam_fail(f->seam, SEAM_IOCTL, SE_IOMMU_DESTROY, 1, EBUSY, 2);
    g_assert_false(smmu_ext_instance_attach(f->inst, f->fd, TEST_DEV,
                                            TEST_HWPT, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_KERNEL);
    assert_contains(err->message, "mmap(");
    assert_contains(err->message, g_strerror(ENOMEM));
    assert_contains(err->message, "IOMMU_DESTROY(vEVENTQ");
    assert_contains(err->message, g_strerror(EBUSY));
    /* The fd was closed even though the object stayed. */
    g_assert_cmpuint(test_seam_live_fds(f->seam), ==, 0);
    g_assert_cmpuint(test_seam_live_mappings(f->seam), ==, 0);
    /* What the kernel refused to free stays until the iommufd closes. */
    g_assert_cmpuint(test_seam_live_objects(f->seam), ==, 2);
    f->leaks_expected = true;
}

static void
test_free_errors_logged(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    guint n = 0;

    fixture_instance(f, "auto");
    g_assert_true(bring_up(f, &err));
    g_assert_no_error(err);
    /* The vDEVICE destroy and the munmap both fail, twice each. */
    test_seam_fail(f->seam, SEAM_IOCTL, SE_IOMMU_DESTROY, 1, EIO, 2);
    test_seam_fail(f->seam, SEAM_MUNMAP, 0, 1, EINVAL, 2);
    smmu_ext_instance_free(f->inst);
    f->inst = NULL;

    for (guint i = 0; i < f->host.logs->len; i++) {
        const TestLog *l = &g_array_index(f->host.logs, TestLog, i);

        if (l->level == G_LOG_LEVEL_WARNING &&
            strstr(l->msg, "teardown")) {
            n++;
            assert_contains(l->msg, "IOMMU_DESTROY(vDEVICE");
            assert_contains(l->msg, g_strerror(EIO));
            assert_contains(l->msg, "munmap(");
            assert_contains(l->msg, g_strerror(EINVAL));
        }
    }
    g_assert_cmpuint(n, ==, 1);
    /* Every fd is closed even so. */
    g_assert_cmpuint(test_seam_live_fds(f->seam), ==, 0);
    f->leaks_expected = true;
}

static void
test_destroy_retry(Fixture *f, gconstpointer data)
{
    guint mark;
    g_autofree char *trace = NULL;

    fixture_instance(f, "auto");
    fixture_attach(f, TEST_DEV);
    /* The vIOMMU destroy (after the vEVENTQ's) fails once. */
    mark = fixture_mark(f);
    test_seam_fail(f->seam, SEAM_IOCTL, SE_IOMMU_DESTROY, 2, EBUSY, 1);
    smmu_ext_instance_free(f->inst);
    f->inst = NULL;
    trace = fixture_trace(f, mark);
    g_assert_cmpstr(trace, ==,
                    "close(veventq type 2); destroy(veventq type 2); "
                    "munmap; destroy(viommu)=-16; destroy(viommu)");
    g_assert_cmpuint(fixture_count_logs(f, G_LOG_LEVEL_WARNING,
                                        "succeeded on retry"), ==, 1);
    test_seam_assert_clean(f->seam);
}

int
main(int argc, char **argv)
{
    guint n;

    g_test_init(&argc, &argv, NULL);

#define ADD(path, fn, which) \
    g_test_add(path, Fixture, which, fixture_setup, fn, fixture_teardown)
    ADD("/core/teardown/normal/free", test_normal_free, FIX_BOTH_EXT);
    ADD("/core/teardown/normal/last-detach", test_normal_last_detach,
        FIX_BOTH_EXT);
    n = count_bring_up_calls();
    for (guint i = 1; i <= n; i++) {
        g_autofree char *path =
            g_strdup_printf("/core/teardown/error-path/call-%02u", i);

        ADD(path, test_error_path, FIX_PARAM(FIX_TEST_EXT, i));
    }
    ADD("/core/teardown/two-errors-both-reported", test_two_errors_reported,
        FIX_TEST_EXT);
    ADD("/core/teardown/free-errors-logged", test_free_errors_logged,
        FIX_TEST_EXT);
    ADD("/core/teardown/destroy-retried-once", test_destroy_retry,
        FIX_TEST_EXT);
#undef ADD
    return g_test_run();
}
