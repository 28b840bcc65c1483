/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The iommufd object layer: one wrapper per ioctl, all through the syscall
 * seam.  Every failure names the operation, its arguments and the errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "core-priv.h"

/* --- the real seam: libc -------------------------------------------------- */

static int
real_ioctl(void *opaque, int fd, unsigned long request, void *arg)
{
    int r = ioctl(fd, request, arg);

    return r < 0 ? -errno : r;
}

static int
real_mmap(void *opaque, int fd, uint64_t offset, size_t len, void **out)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                   (off_t)offset);

    if (p == MAP_FAILED) {
        return -errno;
    }
    *out = p;
    return 0;
}

static int
real_munmap(void *opaque, void *addr, size_t len)
{
    return munmap(addr, len) < 0 ? -errno : 0;
}

static ssize_t
real_read(void *opaque, int fd, void *buf, size_t count)
{
    ssize_t r = read(fd, buf, count);

    return r < 0 ? -errno : r;
}

static int
real_close(void *opaque, int fd)
{
    return close(fd) < 0 ? -errno : 0;
}

static const SmmuExtSeamOps real_seam = {
    .size = sizeof(SmmuExtSeamOps),
    .ioctl = real_ioctl,
    .mmap = real_mmap,
    .munmap = real_munmap,
    .read = real_read,
    .close = real_close,
};

SmmuExtIommufd *
smmu_ext_iommufd_new_seam(const SmmuExtSeamOps *ops, void *opaque, int fd,
                          GError **errp)
{
    SmmuExtIommufd *h;

    if (!ops || ops->size < SMMU_EXT_SEAM_OPS_SIZE_1_0) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "seam ops table of %u bytes (the 1.0 table has %zu)",
                    ops ? ops->size : 0, (size_t)SMMU_EXT_SEAM_OPS_SIZE_1_0);
        return NULL;
    }
    if (!ops->ioctl || !ops->mmap || !ops->munmap || !ops->read ||
        !ops->close) {
        g_set_error_literal(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                            "seam ops table lacks one of ioctl, mmap, "
                            "munmap, read, close");
        return NULL;
    }
    h = g_new0(SmmuExtIommufd, 1);
    memcpy(&h->ops_copy, ops, MIN(ops->size, sizeof(h->ops_copy)));
    h->ops_copy.size = sizeof(h->ops_copy);
    h->ops = &h->ops_copy;
    h->opaque = opaque;
    h->fd = fd;
    return h;
}

SmmuExtIommufd *
smmu_ext_iommufd_adopt(int fd)
{
    return smmu_ext_iommufd_new_seam(&real_seam, NULL, fd, NULL);
}

SmmuExtIommufd *
smmu_ext_iommufd_open(const char *path, GError **errp)
{
    SmmuExtIommufd *h;
    int fd;

    path = path ? path : "/dev/iommu";
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;

        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_KERNEL,
                    "open %s: %s (errno %d)", path, g_strerror(err), err);
        return NULL;
    }
    h = smmu_ext_iommufd_adopt(fd);
    h->owned = true;
    return h;
}

void
smmu_ext_iommufd_free(SmmuExtIommufd *h)
{
    if (!h) {
        return;
    }
    if (h->owned) {
        h->ops->close(h->opaque, h->fd);
    }
    g_free(h);
}

int
smmu_ext_iommufd_fd(const SmmuExtIommufd *h)
{
    return h ? h->fd : -1;
}

static int
seam_ioctl(SmmuExtIommufd *h, unsigned long req, void *arg)
{
    return h->ops->ioctl(h->opaque, h->fd, req, arg);
}

/* --- wrappers ------------------------------------------------------------- */

bool
smmu_ext_iommufd_get_hw_info(SmmuExtIommufd *h, uint32_t dev_id,
                             uint32_t in_type, void *buf, uint32_t *len,
                             uint32_t *out_type, GError **errp)
{
    struct se_iommu_hw_info cmd = {
        .size = sizeof(cmd),
        .dev_id = dev_id,
        .data_len = len ? *len : 0,
        .data_uptr = (uintptr_t)buf,
    };
    int r;

    if (in_type) {
        cmd.flags = SE_IOMMU_HW_INFO_FLAG_INPUT_TYPE;
        cmd.in_data_type = in_type;
    }
    r = seam_ioctl(h, SE_IOMMU_GET_HW_INFO, &cmd);
    if (r < 0) {
        smmu_ext_set_kernel_error(errp, -r,
                                  "IOMMU_GET_HW_INFO(dev_id %u, type %u%s)",
                                  dev_id, in_type,
                                  in_type ? ", INPUT_TYPE" : "");
        return false;
    }
    if (len) {
        *len = cmd.data_len;
    }
    if (out_type) {
        *out_type = cmd.out_data_type;
    }
    return true;
}

bool
smmu_ext_iommufd_bind_vfio(SmmuExtIommufd *h, int vfio_cdev_fd,
                           uint32_t *dev_id, GError **errp)
{
    struct se_vfio_device_bind_iommufd bind = {
        .argsz = sizeof(bind),
        .iommufd = h->fd,
    };
    int r = h->ops->ioctl(h->opaque, vfio_cdev_fd,
                          SE_VFIO_DEVICE_BIND_IOMMUFD, &bind);

    if (r < 0) {
        smmu_ext_set_kernel_error(errp, -r,
                                  "VFIO_DEVICE_BIND_IOMMUFD(cdev fd %d, "
                                  "iommufd %d)", vfio_cdev_fd, h->fd);
        return false;
    }
    *dev_id = bind.out_devid;
    return true;
}

gboolean
smmu_ext_iommufd_viommu_alloc(SmmuExtIommufd *h, uint32_t dev_id,
                              uint32_t type, uint32_t hwpt_id, void *data,
                              uint32_t data_len, uint32_t *out_id,
                              GError **errp)
{
    struct se_iommu_viommu_alloc cmd = {
        .size = sizeof(cmd),
        .type = type,
        .dev_id = dev_id,
        .hwpt_id = hwpt_id,
        .data_len = data_len,
        .data_uptr = (uintptr_t)data,
    };
    int r = seam_ioctl(h, SE_IOMMU_VIOMMU_ALLOC, &cmd);

    if (r < 0) {
        smmu_ext_set_kernel_error(errp, -r,
                                  "IOMMU_VIOMMU_ALLOC(type %u, dev_id %u, "
                                  "hwpt_id %u, data_len %u)", type, dev_id,
                                  hwpt_id, data_len);
        return FALSE;
    }
    *out_id = cmd.out_viommu_id;
    return TRUE;
}

gboolean
smmu_ext_iommufd_vdevice_alloc(SmmuExtIommufd *h, uint32_t viommu_id,
                               uint32_t dev_id, uint64_t virt_id,
                               uint32_t *out_id, GError **errp)
{
    struct se_iommu_vdevice_alloc cmd = {
        .size = sizeof(cmd),
        .viommu_id = viommu_id,
        .dev_id = dev_id,
        .virt_id = virt_id,
    };
    int r = seam_ioctl(h, SE_IOMMU_VDEVICE_ALLOC, &cmd);

    if (r < 0) {
        smmu_ext_set_kernel_error(errp, -r,
                                  "IOMMU_VDEVICE_ALLOC(viommu_id %u, "
                                  "dev_id %u, vsid 0x%" G_GINT64_MODIFIER
                                  "x)", viommu_id, dev_id, virt_id);
        return FALSE;
    }
    *out_id = cmd.out_vdevice_id;
    return TRUE;
}

gboolean
smmu_ext_iommufd_veventq_alloc(SmmuExtIommufd *h, uint32_t viommu_id,
                               uint32_t type, uint32_t depth,
                               uint32_t *out_id, int *out_fd, GError **errp)
{
    struct se_iommu_veventq_alloc cmd = {
        .size = sizeof(cmd),
        .viommu_id = viommu_id,
        .type = type,
        .veventq_depth = depth,
    };
    int r = seam_ioctl(h, SE_IOMMU_VEVENTQ_ALLOC, &cmd);

    if (r < 0) {
        smmu_ext_set_kernel_error(errp, -r,
                                  "IOMMU_VEVENTQ_ALLOC(viommu_id %u, type %u,"
                                  " depth %u)", viommu_id, type, depth);
        return FALSE;
    }
    *out_id = cmd.out_veventq_id;
    *out_fd = (int)cmd.out_veventq_fd;
    return TRUE;
}

gboolean
smmu_ext_iommufd_hw_queue_alloc(SmmuExtIommufd *h, uint32_t viommu_id,
                                uint32_t type, uint32_t index, uint64_t gpa,
                                uint64_t len, uint32_t *out_id,
                                GError **errp)
{
    struct se_iommu_hw_queue_alloc cmd = {
        .size = sizeof(cmd),
        .viommu_id = viommu_id,
        .type = type,
        .index = index,
        .nesting_parent_iova = gpa,
        .length = len,
    };
    int r = seam_ioctl(h, SE_IOMMU_HW_QUEUE_ALLOC, &cmd);

    if (r < 0) {
        smmu_ext_set_kernel_error(errp, -r,
                                  "IOMMU_HW_QUEUE_ALLOC(viommu_id %u, type %u,"
                                  " index %u, iova 0x%" G_GINT64_MODIFIER
                                  "x, length 0x%" G_GINT64_MODIFIER "x)",
                                  viommu_id, type, index, gpa, len);
        return FALSE;
    }
    *out_id = cmd.out_hw_queue_id;
    return TRUE;
}

int
smmu_ext_iommufd_destroy(SmmuExtIommufd *h, uint32_t id, const char *what,
                         GError **errp)
{
    struct se_iommu_destroy cmd = { .size = sizeof(cmd), .id = id };
    int r = seam_ioctl(h, SE_IOMMU_DESTROY, &cmd);

    if (r < 0) {
        smmu_ext_set_kernel_error(errp, -r, "IOMMU_DESTROY(%s id %u)",
                                  what ? what : "object", id);
        return -r;
    }
    return 0;
}

void *
smmu_ext_iommufd_mmap(SmmuExtIommufd *h, uint64_t offset, uint64_t len,
                      GError **errp)
{
    void *p = NULL;
    int r = h->ops->mmap(h->opaque, h->fd, offset, len, &p);

    if (r < 0) {
        smmu_ext_set_kernel_error(errp, -r,
                                  "mmap(iommufd %d, offset 0x%"
                                  G_GINT64_MODIFIER "x, length 0x%"
                                  G_GINT64_MODIFIER "x)", h->fd, offset,
                                  len);
        return NULL;
    }
    return p;
}

gboolean
smmu_ext_iommufd_munmap(SmmuExtIommufd *h, void *addr, uint64_t len,
                        GError **errp)
{
    int r = h->ops->munmap(h->opaque, addr, len);

    if (r < 0) {
        smmu_ext_set_kernel_error(errp, -r, "munmap(%p, length 0x%"
                                  G_GINT64_MODIFIER "x)", addr, len);
        return FALSE;
    }
    return TRUE;
}

ssize_t
smmu_ext_iommufd_read(SmmuExtIommufd *h, int evfd, void *buf, size_t count)
{
    return h->ops->read(h->opaque, evfd, buf, count);
}

int
smmu_ext_iommufd_close(SmmuExtIommufd *h, int evfd)
{
    return h->ops->close(h->opaque, evfd);
}
