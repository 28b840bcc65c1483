/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real seam (libc on /dev/iommu) on a machine without an IOMMU: every
 * wrapper reaches the kernel and turns its refusal into a GError naming
 * the call, its arguments and the errno; owned fds are closed, adopted
 * ones are not.
 */
#define _GNU_SOURCE            /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "core-priv.h"

static void
assert_contains(const char *text, const char *needle)
{
    if (!strstr(text, needle)) {
        g_error("'%s' does not contain '%s'", text, needle);
    }
}

static void
test_open_missing(void)
{
    g_autoptr(GError) err = NULL;

    g_test_summary("Opening a missing iommufd node names the path and errno");
    g_assert_null(smmu_ext_iommufd_open("/nonexistent/iommu", &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_KERNEL);
    assert_contains(err->message, "/nonexistent/iommu");
    assert_contains(err->message, g_strerror(ENOENT));
}

static void
test_ioctls_refused(void)
{
    g_autoptr(GError) err = NULL;
    SmmuExtIommufd *fd = smmu_ext_iommufd_open("/dev/null", &err);
    uint8_t buf[64];
    uint32_t len = sizeof(buf), type = 0, id = 0;
    int raw;

    g_test_summary("A node that is not an iommufd refuses every ioctl with "
                   "ENOTTY, reported with the call and its arguments");
    g_assert_no_error(err);
    raw = smmu_ext_iommufd_fd(fd);
    g_assert_cmpint(raw, >=, 0);

    g_assert_false(smmu_ext_iommufd_get_hw_info(fd, 7, 3, buf, &len, &type,
                                                &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_KERNEL);
    assert_contains(err->message, "IOMMU_GET_HW_INFO(dev_id 7, type 3, "
                    "INPUT_TYPE)");
    assert_contains(err->message, g_strerror(ENOTTY));
    g_clear_error(&err);

    g_assert_false(smmu_ext_iommufd_viommu_alloc(fd, 7, 2, 9, buf, 16, &id,
                                                 &err));
    assert_contains(err->message, "IOMMU_VIOMMU_ALLOC(type 2, dev_id 7, "
                    "hwpt_id 9, data_len 16)");
    g_clear_error(&err);
    g_assert_false(smmu_ext_iommufd_hw_queue_alloc(fd, 5, 1, 1, 0x80000000,
                                                   0x1000, &id, &err));
    assert_contains(err->message, "index 1, iova 0x80000000, length 0x1000");
    g_clear_error(&err);
    g_assert_cmpint(smmu_ext_iommufd_destroy(fd, 42, "vDEVICE", &err), >, 0);
    assert_contains(err->message, "IOMMU_DESTROY(vDEVICE id 42)");
    g_clear_error(&err);
    g_assert_false(smmu_ext_iommufd_bind_vfio(fd, raw, &id, &err));
    assert_contains(err->message, "VFIO_DEVICE_BIND_IOMMUFD");
    g_clear_error(&err);

    /* /dev/null cannot be mapped: the errno comes through as is. */
    g_assert_null(smmu_ext_iommufd_mmap(fd, 0, 0x10000, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_KERNEL);
    assert_contains(err->message, "mmap(iommufd");
    assert_contains(err->message, "length 0x10000");
    g_clear_error(&err);

    smmu_ext_iommufd_free(fd);
    /* The handle opened the fd, so it closed it. */
    g_assert_cmpint(fcntl(raw, F_GETFD), ==, -1);
}

static void
test_adopt_read_close(void)
{
    int p[2];
    SmmuExtIommufd *fd;
    char buf[16];

    g_test_summary("An adopted fd is not closed; read() and close() of an "
                   "event fd go through libc with negative errnos");
    g_assert_cmpint(pipe2(p, O_NONBLOCK | O_CLOEXEC), ==, 0);
    fd = smmu_ext_iommufd_adopt(p[1]);
    g_assert_cmpint(smmu_ext_iommufd_read(fd, p[0], buf, sizeof(buf)), ==,
                    -EAGAIN);
    g_assert_cmpint(write(p[1], "abc", 3), ==, 3);
    g_assert_cmpint(smmu_ext_iommufd_read(fd, p[0], buf, sizeof(buf)), ==, 3);
    g_assert_cmpint(smmu_ext_iommufd_close(fd, p[0]), ==, 0);
    g_assert_cmpint(smmu_ext_iommufd_close(fd, p[0]), ==, -EBADF);
    smmu_ext_iommufd_free(fd);
    g_assert_cmpint(fcntl(p[1], F_GETFD), >=, 0);
    close(p[1]);
}

static int
fake_ioctl(void *opaque, int fd, unsigned long request, void *arg)
{
    *(int *)opaque += 1;
    return -ENOTTY;
}

static int
fake_mmap(void *opaque, int fd, uint64_t offset, size_t len, void **out)
{
    return -ENODEV;
}

static int
fake_munmap(void *opaque, void *addr, size_t len)
{
    return 0;
}

static ssize_t
fake_read(void *opaque, int fd, void *buf, size_t count)
{
    return 0;
}

static int
fake_close(void *opaque, int fd)
{
    return 0;
}

static void
test_seam_sized(void)
{
    SmmuExtSeamOps ops = {
        .size = sizeof(ops), .ioctl = fake_ioctl, .mmap = fake_mmap,
        .munmap = fake_munmap, .read = fake_read, .close = fake_close,
    };
    g_autofree SmmuExtSeamOps *heap = NULL;
    g_autoptr(SmmuExtIommufd) h = NULL;
    uint32_t len = 8, type = 0;
    uint8_t buf[8];
    int calls = 0;

    g_test_summary("A seam table carries its size: too small or missing a "
                   "call is refused with a reason; the core keeps a copy");
    for (uint32_t size = 0; size < sizeof(ops); size += sizeof(void *)) {
        g_autoptr(GError) err = NULL;

        ops.size = size;
        g_assert_null(smmu_ext_iommufd_new_seam(&ops, &calls, 3, &err));
        g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID);
        assert_contains(err->message, "seam ops table");
    }
    ops.size = sizeof(ops);
    ops.read = NULL;
    {
        g_autoptr(GError) err = NULL;

        g_assert_null(smmu_ext_iommufd_new_seam(&ops, &calls, 3, &err));
        g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID);
        assert_contains(err->message, "read");
    }
    ops.read = fake_read;

    /* A heap table freed right after: the handle must not point into it. */
    heap = g_memdup2(&ops, sizeof(ops));
    h = smmu_ext_iommufd_new_seam(heap, &calls, 3, NULL);
    g_assert_nonnull(h);
    memset(heap, 0, sizeof(*heap));
    g_clear_pointer(&heap, g_free);
    g_assert_false(smmu_ext_iommufd_get_hw_info(h, 1, 0, buf, &len, &type,
                                                NULL));
    g_assert_cmpint(calls, ==, 1);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/core/real-seam/open-missing", test_open_missing);
    g_test_add_func("/core/seam/sized", test_seam_sized);
    g_test_add_func("/core/real-seam/ioctls-refused", test_ioctls_refused);
    g_test_add_func("/core/real-seam/adopt-read-close", test_adopt_read_close);
    return g_test_run();
}
