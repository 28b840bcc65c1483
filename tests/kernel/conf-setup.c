/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mock's objects, made and destroyed by the conformance program with
 * raw calls (recorded like the library's): an IOAS with guest RAM mapped
 * at the mock aperture, a mock device (IOMMU_TEST_OP_MOCK_DOMAIN) and a
 * nesting-parent HWPT; plus raw forms of the vIOMMU calls for the kernel's
 * own error cases.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include "conf.h"

#define CONF_RAM_LEN 0x10000u

int
conf_ioctl(Conf *c, unsigned long req, void *arg)
{
    int r;

    if (!c->real) {
        return conf_sim_seam()->ioctl(c, c->fd, req, arg);
    }
    r = ioctl(c->fd, req, arg);
    return r < 0 ? -errno : r;
}

int
conf_mmap(Conf *c, uint64_t offset, size_t len, void **out)
{
    void *p;

    if (!c->real) {
        return conf_sim_seam()->mmap(c, c->fd, offset, len, out);
    }
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd,
             (off_t)offset);
    if (p == MAP_FAILED) {
        return -errno;
    }
    *out = p;
    return 0;
}

int
conf_munmap(Conf *c, void *addr, size_t len)
{
    if (!c->real) {
        return conf_sim_seam()->munmap(c, addr, len);
    }
    return munmap(addr, len) < 0 ? -errno : 0;
}

int
conf_close_fd(Conf *c, int fd)
{
    if (!c->real) {
        return conf_sim_seam()->close(c, fd);
    }
    return close(fd) < 0 ? -errno : 0;
}

static void
obj_free(gpointer p)
{
    ConfObj *o = p;

    g_free(o->name);
    g_free(o);
}

bool
conf_open(Conf *c, bool real)
{
    c->real = real;
    c->page = sysconf(_SC_PAGESIZE);
    c->objs = g_ptr_array_new_with_free_func(obj_free);
    if (!c->out) {
        c->out = g_string_new(NULL);
    }
    if (real) {
        c->fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
        if (c->fd < 0) {
            conf_line(c, "open /dev/iommu: %s", g_strerror(errno));
            c->failures++;
            return false;
        }
        /* The REAL seam: libc on the fd. */
        c->handle = smmu_ext_iommufd_adopt(c->fd);
    } else {
        c->sim = smmu_ext_sim_new(SMMU_EXT_SIM_SELFTEST);
        c->fd = smmu_ext_iommufd_fd(smmu_ext_sim_iommufd(c->sim));
        c->handle = smmu_ext_iommufd_new_seam(conf_sim_seam(), c, c->fd,
                                              NULL);
    }
    conf_current = c;
    c->recording = true;
    return true;
}

/* Closing the iommufd destroys whatever is left. */
void
conf_close(Conf *c)
{
    c->recording = false;
    g_clear_pointer(&c->leaked, smmu_ext_instance_free);
    smmu_ext_iommufd_free(g_steal_pointer(&c->handle));
    if (c->real && c->fd >= 0) {
        close(c->fd);
    }
    g_clear_pointer(&c->sim, smmu_ext_sim_free);
    if (c->ram) {
        munmap(c->ram, c->ram_len);
        c->ram = NULL;
    }
    g_ptr_array_free(g_steal_pointer(&c->objs), TRUE);
    memset(c->counts, 0, sizeof(c->counts));
    c->fd = -1;
    conf_current = NULL;
}

int
conf_destroy(Conf *c, uint32_t id)
{
    struct se_iommu_destroy d = { .size = sizeof(d), .id = id };

    return conf_ioctl(c, SE_IOMMU_DESTROY, &d);
}

static int
test_cmd(Conf *c, struct se_iommu_test_cmd *cmd)
{
    cmd->size = sizeof(*cmd);
    return conf_ioctl(c, SE_IOMMU_TEST_CMD, cmd);
}

uint32_t
conf_mock_device(Conf *c, uint32_t *stdev, uint32_t *hwpt)
{
    struct se_iommu_test_cmd cmd = {
        .op = SE_IOMMU_TEST_OP_MOCK_DOMAIN, .id = c->ioas,
    };

    if (test_cmd(c, &cmd) < 0) {
        return 0;
    }
    *stdev = cmd.mock_domain.out_stdev_id;
    *hwpt = cmd.mock_domain.out_hwpt_id;
    return cmd.mock_domain.out_idev_id;
}

int
conf_replace(Conf *c, uint32_t stdev, uint32_t pt_id)
{
    struct se_iommu_test_cmd cmd = {
        .op = SE_IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, .id = stdev,
        .mock_domain_replace.pt_id = pt_id,
    };

    return test_cmd(c, &cmd);
}

int
conf_trigger(Conf *c, uint32_t idev)
{
    struct se_iommu_test_cmd cmd = {
        .op = SE_IOMMU_TEST_OP_TRIGGER_VEVENT,
        .trigger_vevent.dev_id = idev,
    };

    return test_cmd(c, &cmd);
}

static int
hwpt_alloc(Conf *c, uint32_t idev, uint32_t pt, uint32_t flags,
           uint32_t type, void *data, uint32_t len, uint32_t *out)
{
    struct se_iommu_hwpt_alloc a = {
        .size = sizeof(a), .flags = flags, .dev_id = idev, .pt_id = pt,
        .data_type = type, .data_len = len, .data_uptr = (uintptr_t)data,
    };
    int r = conf_ioctl(c, SE_IOMMU_HWPT_ALLOC, &a);

    *out = r < 0 ? 0 : a.out_hwpt_id;
    return r;
}

int
conf_hwpt_nested(Conf *c, uint32_t idev, uint32_t viommu, uint32_t *out)
{
    struct se_iommu_hwpt_selftest d = { .iotlb = SE_IOMMU_TEST_IOTLB_DEFAULT };

    return hwpt_alloc(c, idev, viommu, 0, SE_IOMMU_HWPT_DATA_SELFTEST, &d,
                      sizeof(d), out);
}

int
conf_viommu_raw(Conf *c, uint32_t hwpt, uint32_t data_len,
                struct se_iommu_viommu_selftest *data, uint32_t *out)
{
    struct se_iommu_viommu_alloc a = {
        .size = sizeof(a), .type = SE_IOMMU_VIOMMU_TYPE_SELFTEST,
        .dev_id = c->idev, .hwpt_id = hwpt, .data_len = data_len,
        .data_uptr = (uintptr_t)data,
    };
    int r = conf_ioctl(c, SE_IOMMU_VIOMMU_ALLOC, &a);

    *out = r < 0 ? 0 : a.out_viommu_id;
    return r;
}

int
conf_hwq_raw(Conf *c, uint32_t viommu, uint32_t index, uint64_t iova,
             uint64_t len, uint32_t *out)
{
    struct se_iommu_hw_queue_alloc a = {
        .size = sizeof(a), .viommu_id = viommu,
        .type = SE_IOMMU_HW_QUEUE_TYPE_SELFTEST, .index = index,
        .nesting_parent_iova = iova, .length = len,
    };
    int r = conf_ioctl(c, SE_IOMMU_HW_QUEUE_ALLOC, &a);

    *out = r < 0 ? 0 : a.out_hw_queue_id;
    return r;
}

int
conf_veventq_raw(Conf *c, uint32_t viommu, uint32_t type, uint32_t depth,
                 uint32_t *out, int *fd)
{
    struct se_iommu_veventq_alloc a = {
        .size = sizeof(a), .viommu_id = viommu, .type = type,
        .veventq_depth = depth,
    };
    int r = conf_ioctl(c, SE_IOMMU_VEVENTQ_ALLOC, &a);

    *out = r < 0 ? 0 : a.out_veventq_id;
    *fd = r < 0 ? -1 : (int)a.out_veventq_fd;
    return r;
}

int
conf_vdevice_raw(Conf *c, uint32_t viommu, uint32_t idev, uint64_t virt_id,
                 uint32_t *out)
{
    struct se_iommu_vdevice_alloc a = {
        .size = sizeof(a), .viommu_id = viommu, .dev_id = idev,
        .virt_id = virt_id,
    };
    int r = conf_ioctl(c, SE_IOMMU_VDEVICE_ALLOC, &a);

    *out = r < 0 ? 0 : a.out_vdevice_id;
    return r;
}

bool
conf_setup(Conf *c)
{
    struct se_iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
    struct se_iommu_ioas_map map = {
        .size = sizeof(map),
        .flags = SE_IOMMU_IOAS_MAP_FIXED_IOVA | SE_IOMMU_IOAS_MAP_READABLE |
                 SE_IOMMU_IOAS_MAP_WRITEABLE,
        .length = CONF_RAM_LEN, .iova = SE_MOCK_APERTURE_START,
    };

    if (conf_ioctl(c, SE_IOMMU_IOAS_ALLOC, &ioas) < 0) {
        return false;
    }
    c->ioas = ioas.out_ioas_id;
    c->idev = conf_mock_device(c, &c->stdev, &c->auto_hwpt);
    if (!c->idev) {
        return false;
    }
    c->ram_len = CONF_RAM_LEN;
    c->ram = mmap(NULL, c->ram_len, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (c->ram == MAP_FAILED) {
        c->ram = NULL;
        return false;
    }
    memset(c->ram, 0, c->ram_len);
    map.ioas_id = c->ioas;
    map.user_va = (uintptr_t)c->ram;
    if (conf_ioctl(c, SE_IOMMU_IOAS_MAP, &map) < 0) {
        return false;
    }
    if (hwpt_alloc(c, c->idev, c->ioas, SE_IOMMU_HWPT_ALLOC_NEST_PARENT,
                   SE_IOMMU_HWPT_DATA_NONE, NULL, 0, &c->parent) < 0) {
        return false;
    }
    conf_arm(c);
    return true;
}

/* The conformance program's own objects: the device (which may be
 * attached to the parent) first. */
void
conf_teardown(Conf *c)
{
    if (c->stdev) {
        conf_destroy(c, c->stdev);
    }
    if (c->parent) {
        conf_destroy(c, c->parent);
    }
    if (c->ioas) {
        conf_destroy(c, c->ioas);
    }
    c->parent = c->stdev = c->idev = c->ioas = c->auto_hwpt = 0;
}

void
conf_release_raw(Conf *c)
{
    bool nested = false;

    for (guint i = 0; i < c->objs->len; i++) {
        ConfObj *o = g_ptr_array_index(c->objs, i);

        nested |= o->child && !o->destroyed &&
                  g_str_has_prefix(o->name, "hwpt");
    }
    if (nested && c->stdev && conf_replace(c, c->stdev, c->parent) < 0) {
        conf_replace(c, c->stdev, c->parent);
    }
    for (guint i = c->objs->len; i-- > 0;) {
        ConfObj *o = g_ptr_array_index(c->objs, i);

        if (!o->child || o->destroyed || o->by_library) {
            continue;
        }
        if (o->fd >= 0) {
            conf_close_fd(c, o->fd);
        }
        if (conf_destroy(c, o->id) < 0) {
            conf_destroy(c, o->id);     /* one retry, as the library does */
        }
    }
}

/* Every object either side made is gone: DESTROY of each remembered id
 * answers ENOENT, every vEVENTQ fd was closed, every mmap undone. */
void
conf_check_gone(Conf *c)
{
    GPtrArray *objs = c->objs;
    unsigned left = 0, open_fds = 0;
    bool rec = c->recording;

    c->recording = false;
    for (guint i = 0; i < objs->len; i++) {
        ConfObj *o = g_ptr_array_index(objs, i);
        int r = conf_destroy(c, o->id);

        if (r != -ENOENT) {
            conf_line(c, "left behind: %s (DESTROY -> %s)", o->name,
                      r ? conf_errname(-r) : "ok");
            left++;
        }
        open_fds += o->fd >= 0;
    }
    c->recording = rec;
    conf_check(c, left == 0, "every object gone (DESTROY answers ENOENT)");
    conf_check(c, open_fds == 0, "every vEVENTQ fd closed");
    conf_check(c, conf_live_maps(c) == 0, "every mmap undone");
    c->gone_failures += left != 0 || open_fds || conf_live_maps(c);
}
