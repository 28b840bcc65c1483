/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulated host, driven through the syscall seam the way the core
 * drives the kernel: the core's iommufd wrappers where they exist, raw
 * seam ioctls for malformed requests.  One test per applicable row of the
 * errno table (iommufd-abi.md 14), then vEVENTQ read semantics, the
 * Tegra241 hardware step, fault injection and whole lifecycles that end
 * with nothing live.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include "core-priv.h"
#include "sim/sim.h"

#define RAM_GPA     0x80000000ull
#define RAM_SIZE    0x100000ull      /* 1 MiB */
#define RAM_PAGE    0x10000ull       /* 64 KiB physically contiguous chunks */
#define HIGH_GPA    (1ull << 48)     /* RAM above the VCMDQ address field */
#define Q_GPA       (RAM_GPA + 0x1000)
#define Q_LEN       0x100ull         /* 16 entries */

#define TYPE_SMMUV3 SE_IOMMU_VEVENTQ_TYPE_ARM_SMMUV3
#define TYPE_TEGRA  SE_IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV

typedef struct Fixture {
    SmmuExtSim *sim;
    SmmuExtIommufd *fd;
    uint32_t dev;
    uint32_t dev2;
    uint32_t hwpt;
    uint8_t *ram;
    uint8_t *high_ram;
    uint8_t *big_ram;
    /* filled by helpers */
    uint32_t viommu;
    struct se_iommu_viommu_tegra241_cmdqv vdata;
} Fixture;

static void
fixture_setup_profile(Fixture *f, SmmuExtSimProfile profile)
{
    g_autoptr(GError) err = NULL;

    f->sim = smmu_ext_sim_new(profile);
    g_assert_nonnull(f->sim);
    f->fd = smmu_ext_sim_iommufd(f->sim);
    f->dev = smmu_ext_sim_add_device(f->sim, 0x100);
    f->dev2 = smmu_ext_sim_add_device(f->sim, 0x200);
    f->hwpt = smmu_ext_sim_s2_hwpt(f->sim);
    f->ram = g_malloc0(RAM_SIZE);
    f->high_ram = g_malloc0(RAM_PAGE);
    g_assert_true(smmu_ext_sim_add_ram(f->sim, RAM_GPA, RAM_SIZE, RAM_PAGE,
                                       f->ram, &err));
    g_assert_no_error(err);
    g_assert_true(smmu_ext_sim_add_ram(f->sim, HIGH_GPA, RAM_PAGE, RAM_PAGE,
                                       f->high_ram, &err));
    g_assert_no_error(err);
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    fixture_setup_profile(f, data ? GPOINTER_TO_INT(data) - 1
                                  : SMMU_EXT_SIM_TEGRA241);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    smmu_ext_sim_free(f->sim);
    g_free(f->ram);
    g_free(f->high_ram);
    g_free(f->big_ram);
}

#define PROFILE(p) GINT_TO_POINTER((p) + 1)

/* The errno a wrapper's GError carries ("...: <text> (errno N)"), 0 if
 * the call succeeded. */
static int
errno_of(gboolean ok, GError *err)
{
    const char *p;
    int e = 0;

    if (ok) {
        g_assert_no_error(err);
        return 0;
    }
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_KERNEL);
    p = strrchr(err->message, '(');
    g_assert_nonnull(p);
    g_assert_cmpint(sscanf(p, "(errno %d)", &e), ==, 1);
    return e;
}

static int
raw_ioctl(Fixture *f, unsigned long req, void *arg)
{
    return -smmu_ext_sim_seam_ops()->ioctl(f->sim, smmu_ext_iommufd_fd(f->fd),
                                           req, arg);
}

/* --- helpers that must succeed ------------------------------------------ */

static int
try_viommu(Fixture *f, uint32_t type, uint32_t *id)
{
    g_autoptr(GError) err = NULL;
    gboolean ok;

    memset(&f->vdata, 0, sizeof(f->vdata));
    ok = smmu_ext_iommufd_viommu_alloc(f->fd, f->dev, type, f->hwpt,
                                       type == 2 ? &f->vdata : NULL,
                                       type == 2 ? sizeof(f->vdata) : 0,
                                       id, &err);
    return errno_of(ok, err);
}

static uint32_t
make_viommu(Fixture *f, uint32_t type)
{
    g_assert_cmpint(try_viommu(f, type, &f->viommu), ==, 0);
    g_assert_cmpuint(f->viommu, !=, 0);
    return f->viommu;
}

static int
try_hwq(Fixture *f, uint32_t type, uint32_t index, uint64_t gpa,
        uint64_t len, uint32_t *id)
{
    g_autoptr(GError) err = NULL;
    uint32_t dummy;
    gboolean ok = smmu_ext_iommufd_hw_queue_alloc(f->fd, f->viommu, type,
                                                  index, gpa, len,
                                                  id ? id : &dummy, &err);

    return errno_of(ok, err);
}

static uint32_t
make_hwq(Fixture *f, uint32_t index, uint64_t gpa, uint64_t len)
{
    uint32_t id = 0;

    g_assert_cmpint(try_hwq(f, 1, index, gpa, len, &id), ==, 0);
    return id;
}

static int
try_veventq(Fixture *f, uint32_t type, uint32_t depth, uint32_t *id,
            int *evfd)
{
    g_autoptr(GError) err = NULL;
    uint32_t dummy_id;
    int dummy_fd;
    gboolean ok = smmu_ext_iommufd_veventq_alloc(f->fd, f->viommu, type,
                                                 depth,
                                                 id ? id : &dummy_id,
                                                 evfd ? evfd : &dummy_fd,
                                                 &err);

    return errno_of(ok, err);
}

static int
make_veventq(Fixture *f, uint32_t type, uint32_t depth, uint32_t *id)
{
    int evfd = -1;

    g_assert_cmpint(try_veventq(f, type, depth, id, &evfd), ==, 0);
    g_assert_cmpint(evfd, >=, 0);
    return evfd;
}

static int
try_vdevice(Fixture *f, uint32_t dev, uint64_t vsid, uint32_t *id)
{
    g_autoptr(GError) err = NULL;
    uint32_t dummy;
    gboolean ok = smmu_ext_iommufd_vdevice_alloc(f->fd, f->viommu, dev, vsid,
                                                 id ? id : &dummy, &err);

    return errno_of(ok, err);
}

static int
try_destroy(Fixture *f, uint32_t id)
{
    g_autoptr(GError) err = NULL;
    bool ok = !smmu_ext_iommufd_destroy(f->fd, id, "test", &err);

    return errno_of(ok, err);
}

static int
try_mmap(Fixture *f, uint64_t offset, uint64_t len, void **out)
{
    g_autoptr(GError) err = NULL;
    void *p = smmu_ext_iommufd_mmap(f->fd, offset, len, &err);

    if (out) {
        *out = p;
    }
    return errno_of(p != NULL, err);
}

static void *
map_page0(Fixture *f)
{
    void *p = NULL;

    g_assert_cmpint(try_mmap(f, f->vdata.out_vintf_mmap_offset,
                             f->vdata.out_vintf_mmap_length, &p), ==, 0);
    return p;
}

static void
unmap_page0(Fixture *f, void *p)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(smmu_ext_iommufd_munmap(f->fd, p,
                                          f->vdata.out_vintf_mmap_length,
                                          &err));
    g_assert_no_error(err);
}

static int
try_hw_info(Fixture *f, uint32_t type, void *buf, uint32_t *len,
            uint32_t *out_type)
{
    g_autoptr(GError) err = NULL;
    gboolean ok = smmu_ext_iommufd_get_hw_info(f->fd, f->dev, type, buf, len,
                                               out_type, &err);

    return errno_of(ok, err);
}

/* --- the errno table, one row per test ---------------------------------- */

typedef int (*ErrnoFn)(Fixture *f);

typedef struct ErrnoCase {
    const char *path;
    ErrnoFn fn;
    int err;
    SmmuExtSimProfile profile;
} ErrnoCase;

static int
any_unknown_nr(Fixture *f)
{
    struct se_iommu_destroy d = { .size = sizeof(d) };

    g_assert_cmpint(raw_ioctl(f, _IO(';', 0x7f), &d), ==, ENOTTY);
    return raw_ioctl(f, _IO(';', SE_IOMMUFD_CMD_END), &d);
}

static int
any_size_bits(Fixture *f)
{
    struct se_iommu_destroy d = { .size = sizeof(d) };

    g_assert_cmpint(raw_ioctl(f, _IOW(';', 0x80, struct se_iommu_destroy),
                              &d), ==, ENOTTY);
    return raw_ioctl(f, _IO('x', 0x80), &d);
}

static int
any_not_simulated(Fixture *f)
{
    struct se_iommu_ioas_alloc a = { .size = sizeof(a) };

    return raw_ioctl(f, SE_IOMMU_IOAS_ALLOC, &a);
}

static int
any_null_arg(Fixture *f)
{
    return raw_ioctl(f, SE_IOMMU_DESTROY, NULL);
}

static int
any_size_below_min(Fixture *f)
{
    struct se_iommu_viommu_alloc v = {
        .size = SE_MIN_SIZE_VIOMMU_ALLOC - 4, .type = 1, .dev_id = f->dev,
        .hwpt_id = f->hwpt,
    };
    struct se_iommu_hw_queue_alloc q = {
        .size = SE_MIN_SIZE_HW_QUEUE_ALLOC - 8,
    };

    g_assert_cmpint(raw_ioctl(f, SE_IOMMU_HW_QUEUE_ALLOC, &q), ==, EINVAL);
    return raw_ioctl(f, SE_IOMMU_VIOMMU_ALLOC, &v);
}

static int
any_nonzero_tail(Fixture *f)
{
    struct {
        struct se_iommu_viommu_alloc v;
        uint64_t newer;
    } big = {
        .v = { .size = sizeof(big), .type = 1, .dev_id = f->dev,
               .hwpt_id = f->hwpt },
        .newer = 1,
    };
    int r = raw_ioctl(f, SE_IOMMU_VIOMMU_ALLOC, &big);

    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_VIOMMU), ==, 0);
    return r;
}

static int
any_bad_fd(Fixture *f)
{
    struct se_iommu_destroy d = { .size = sizeof(d), .id = 1 };

    return -smmu_ext_sim_seam_ops()->ioctl(f->sim, 1000, SE_IOMMU_DESTROY,
                                           &d);
}

static int
destroy_unknown(Fixture *f)
{
    g_assert_cmpint(try_destroy(f, 0), ==, ENOENT);
    return try_destroy(f, 0x7fffffff);
}

static int
destroy_viommu_with_child(Fixture *f)
{
    uint32_t q;
    int evfd;

    make_viommu(f, 2);
    evfd = make_veventq(f, TYPE_TEGRA, 4, &q);
    g_assert_cmpint(smmu_ext_iommufd_close(f->fd, evfd), ==, 0);
    g_assert_cmpint(try_destroy(f, f->viommu), ==, EBUSY);
    g_assert_cmpint(try_destroy(f, q), ==, 0);
    g_assert_cmpint(try_vdevice(f, f->dev, 5, &q), ==, 0);
    g_assert_cmpint(try_destroy(f, f->viommu), ==, EBUSY);
    g_assert_cmpint(try_destroy(f, q), ==, 0);
    make_hwq(f, 0, Q_GPA, Q_LEN);
    return try_destroy(f, f->viommu);
}

static int
destroy_veventq_fd_open(Fixture *f)
{
    uint32_t q;

    make_viommu(f, 1);
    make_veventq(f, TYPE_SMMUV3, 4, &q);
    return try_destroy(f, q);
}

static int
destroy_lower_hw_queue(Fixture *f)
{
    uint32_t q0;

    make_viommu(f, 2);
    q0 = make_hwq(f, 0, Q_GPA, Q_LEN);
    make_hwq(f, 1, Q_GPA + Q_LEN, Q_LEN);
    return try_destroy(f, q0);
}

static int
destroy_viommu_mapped(Fixture *f)
{
    make_viommu(f, 2);
    map_page0(f);              /* the sim unmaps it at teardown */
    return try_destroy(f, f->viommu);
}

static int
hw_info_bad_flags(Fixture *f)
{
    struct se_iommu_hw_info h = { .size = sizeof(h), .flags = 2,
                                  .dev_id = f->dev };

    return raw_ioctl(f, SE_IOMMU_GET_HW_INFO, &h);
}

static int
hw_info_reserved(Fixture *f)
{
    struct se_iommu_hw_info h = { .size = sizeof(h), .dev_id = f->dev };

    h.__reserved[2] = 1;
    return raw_ioctl(f, SE_IOMMU_GET_HW_INFO, &h);
}

static int
hw_info_unsupported_type(Fixture *f)
{
    uint8_t buf[64];
    uint32_t len = sizeof(buf);

    return try_hw_info(f, SE_IOMMU_HW_INFO_TYPE_INTEL_VTD, buf, &len, NULL);
}

static int
hw_info_tegra_on_smmuv3(Fixture *f)
{
    uint8_t buf[64];
    uint32_t len = sizeof(buf);

    return try_hw_info(f, SE_IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV, buf, &len,
                       NULL);
}

static int
hw_info_bad_dev(Fixture *f)
{
    struct se_iommu_hw_info h = { .size = sizeof(h), .dev_id = 999 };

    return raw_ioctl(f, SE_IOMMU_GET_HW_INFO, &h);
}

static int
viommu_flags(Fixture *f)
{
    struct se_iommu_viommu_alloc v = {
        .size = sizeof(v), .flags = 1, .type = 1, .dev_id = f->dev,
        .hwpt_id = f->hwpt,
    };

    return raw_ioctl(f, SE_IOMMU_VIOMMU_ALLOC, &v);
}

static int
viommu_type_default(Fixture *f)
{
    uint32_t id;

    return try_viommu(f, SE_IOMMU_VIOMMU_TYPE_DEFAULT, &id);
}

static int
viommu_unsupported(Fixture *f)
{
    uint32_t id;

    return try_viommu(f, SE_IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &id);
}

static int
viommu_tegra_on_smmuv3(Fixture *f)
{
    uint32_t id;

    return try_viommu(f, SE_IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV, &id);
}

static int
viommu_bad_dev(Fixture *f)
{
    g_autoptr(GError) err = NULL;
    uint32_t id;

    gboolean ok = smmu_ext_iommufd_viommu_alloc(f->fd, 999, 1, f->hwpt,
                                                NULL, 0, &id, &err);

    return errno_of(ok, err);
}

static int
viommu_bad_hwpt(Fixture *f)
{
    g_autoptr(GError) err = NULL;
    uint32_t id;

    /* f->dev is an object id but not a paging HWPT. */
    gboolean ok = smmu_ext_iommufd_viommu_alloc(f->fd, f->dev, 1, f->dev,
                                                NULL, 0, &id, &err);

    return errno_of(ok, err);
}

static int
viommu_tegra_no_data(Fixture *f)
{
    g_autoptr(GError) err = NULL;
    uint32_t id;

    gboolean ok = smmu_ext_iommufd_viommu_alloc(f->fd, f->dev, 2, f->hwpt,
                                                NULL, 0, &id, &err);

    return errno_of(ok, err);
}

static int
viommu_no_free_vintf(Fixture *f)
{
    uint32_t id;

    /* VINTF0 is the host's: three user VINTFs. */
    for (int i = 0; i < 3; i++) {
        g_assert_cmpint(try_viommu(f, 2, &id), ==, 0);
    }
    g_assert_cmpint(try_viommu(f, 1, &id), ==, 0);
    return try_viommu(f, 2, &id);
}

static int
vdevice_bad_viommu(Fixture *f)
{
    make_viommu(f, 2);
    f->viommu = f->hwpt;
    return try_vdevice(f, f->dev, 1, NULL);
}

static int
vdevice_bad_dev(Fixture *f)
{
    make_viommu(f, 2);
    return try_vdevice(f, 999, 1, NULL);
}

static int
vdevice_dev_has_one(Fixture *f)
{
    make_viommu(f, 2);
    g_assert_cmpint(try_vdevice(f, f->dev, 1, NULL), ==, 0);
    return try_vdevice(f, f->dev, 2, NULL);
}

static int
vdevice_vsid_used(Fixture *f)
{
    make_viommu(f, 1);
    g_assert_cmpint(try_vdevice(f, f->dev, 7, NULL), ==, 0);
    return try_vdevice(f, f->dev2, 7, NULL);
}

static int
vdevice_vsid_too_big(Fixture *f)
{
    make_viommu(f, 2);
    g_assert_cmpint(try_vdevice(f, f->dev, 0x100000, NULL), ==, EINVAL);
    return try_vdevice(f, f->dev, UINT64_MAX, NULL);
}

static int
vdevice_no_slot(Fixture *f)
{
    uint32_t devs[17];

    make_viommu(f, 2);
    for (int i = 0; i < 17; i++) {
        devs[i] = smmu_ext_sim_add_device(f->sim, 0x1000 + i);
    }
    for (int i = 0; i < 16; i++) {
        g_assert_cmpint(try_vdevice(f, devs[i], 0x10 + i, NULL), ==, 0);
    }
    return try_vdevice(f, devs[16], 0x40, NULL);
}

static int
veventq_flags(Fixture *f)
{
    struct se_iommu_veventq_alloc q = { .size = sizeof(q), .flags = 1,
                                        .type = 1, .veventq_depth = 1 };

    q.viommu_id = make_viommu(f, 1);
    return raw_ioctl(f, SE_IOMMU_VEVENTQ_ALLOC, &q);
}

static int
veventq_reserved(Fixture *f)
{
    struct se_iommu_veventq_alloc q = { .size = sizeof(q), .__reserved = 1,
                                        .type = 1, .veventq_depth = 1 };

    q.viommu_id = make_viommu(f, 1);
    return raw_ioctl(f, SE_IOMMU_VEVENTQ_ALLOC, &q);
}

static int
veventq_type_default(Fixture *f)
{
    make_viommu(f, 1);
    return try_veventq(f, SE_IOMMU_VEVENTQ_TYPE_DEFAULT, 4, NULL, NULL);
}

static int
veventq_depth_zero(Fixture *f)
{
    make_viommu(f, 1);
    return try_veventq(f, TYPE_SMMUV3, 0, NULL, NULL);
}

static int
veventq_bad_viommu(Fixture *f)
{
    f->viommu = 999;
    return try_veventq(f, TYPE_SMMUV3, 4, NULL, NULL);
}

static int
veventq_exists(Fixture *f)
{
    make_viommu(f, 2);
    make_veventq(f, TYPE_SMMUV3, 4, NULL);
    make_veventq(f, TYPE_TEGRA, 4, NULL);
    return try_veventq(f, TYPE_TEGRA, 8, NULL, NULL);
}

static int
hwq_flags(Fixture *f)
{
    struct se_iommu_hw_queue_alloc q = {
        .size = sizeof(q), .flags = 1, .type = 1,
        .nesting_parent_iova = Q_GPA, .length = Q_LEN,
    };

    q.viommu_id = make_viommu(f, 2);
    return raw_ioctl(f, SE_IOMMU_HW_QUEUE_ALLOC, &q);
}

static int
hwq_type_default(Fixture *f)
{
    make_viommu(f, 2);
    return try_hwq(f, SE_IOMMU_HW_QUEUE_TYPE_DEFAULT, 0, Q_GPA, Q_LEN, NULL);
}

static int
hwq_length_zero(Fixture *f)
{
    make_viommu(f, 2);
    return try_hwq(f, 1, 0, Q_GPA, 0, NULL);
}

static int
hwq_overflow(Fixture *f)
{
    make_viommu(f, 2);
    return try_hwq(f, 1, 0, UINT64_MAX - 0xf, 0x20, NULL);
}

static int
hwq_bad_viommu(Fixture *f)
{
    f->viommu = 999;
    return try_hwq(f, 1, 0, Q_GPA, Q_LEN, NULL);
}

static int
hwq_viommu_without_queues(Fixture *f)
{
    make_viommu(f, 1);
    return try_hwq(f, 1, 0, Q_GPA, Q_LEN, NULL);
}

static int
hwq_queue_type(Fixture *f)
{
    make_viommu(f, 2);
    return try_hwq(f, 2, 0, Q_GPA, Q_LEN, NULL);
}

static int
hwq_not_in_ram(Fixture *f)
{
    make_viommu(f, 2);
    g_assert_cmpint(try_hwq(f, 1, 0, 0x1000, Q_LEN, NULL), ==, ENOENT);
    /* The last bytes run past the end of RAM. */
    return try_hwq(f, 1, 0, RAM_GPA + RAM_SIZE - 0x80, Q_LEN, NULL);
}

static int
hwq_not_contiguous(Fixture *f)
{
    make_viommu(f, 2);
    /* 256 bytes straddling two 64 KiB chunks (and misaligned, which the
     * driver would say later: the core's EFAULT comes first). */
    return try_hwq(f, 1, 0, RAM_GPA + RAM_PAGE - 0x80, Q_LEN, NULL);
}

static int
hwq_index_too_big(Fixture *f)
{
    make_viommu(f, 2);
    return try_hwq(f, 1, 2, Q_GPA, Q_LEN, NULL);
}

static int
hwq_exists(Fixture *f)
{
    make_viommu(f, 2);
    make_hwq(f, 0, Q_GPA, Q_LEN);
    return try_hwq(f, 1, 0, Q_GPA + Q_LEN, Q_LEN, NULL);
}

static int
hwq_order(Fixture *f)
{
    make_viommu(f, 2);
    return try_hwq(f, 1, 1, Q_GPA, Q_LEN, NULL);
}

static int
hwq_length(Fixture *f)
{
    g_autoptr(GError) err = NULL;
    const uint64_t big = 32ull << 20, gpa = 0x200000000ull;

    make_viommu(f, 2);
    g_assert_cmpint(try_hwq(f, 1, 0, Q_GPA, 0x30, NULL), ==, EINVAL);
    g_assert_cmpint(try_hwq(f, 1, 0, Q_GPA, 16, NULL), ==, EINVAL);
    /* One contiguous 32 MiB chunk, so only the CMDQS cap can refuse. */
    f->big_ram = g_malloc0(big);
    g_assert_true(smmu_ext_sim_add_ram(f->sim, gpa, big, big, f->big_ram,
                                       &err));
    g_assert_no_error(err);
    g_assert_cmpint(try_hwq(f, 1, 0, gpa, 1ull << 24, NULL), ==, EINVAL);
    g_assert_cmpint(try_hwq(f, 1, 0, gpa, 1ull << 23, NULL), ==, 0);
    return try_hwq(f, 1, 1, gpa + (1ull << 23), 1ull << 24, NULL);
}

static int
hwq_misaligned(Fixture *f)
{
    make_viommu(f, 2);
    g_assert_cmpint(try_hwq(f, 1, 0, Q_GPA + 0x20, Q_LEN, NULL), ==, EINVAL);
    /* Bits above 47 do not fit the VCMDQ address field. */
    return try_hwq(f, 1, 0, HIGH_GPA, Q_LEN, NULL);
}

static int
mmap_len_unaligned(Fixture *f)
{
    make_viommu(f, 2);
    return try_mmap(f, f->vdata.out_vintf_mmap_offset,
                    f->vdata.out_vintf_mmap_length + 1, NULL);
}

static int
mmap_unknown_offset(Fixture *f)
{
    make_viommu(f, 2);
    return try_mmap(f, f->vdata.out_vintf_mmap_offset + 0x100000,
                    f->vdata.out_vintf_mmap_length, NULL);
}

static int
mmap_partial(Fixture *f)
{
    make_viommu(f, 2);
    return try_mmap(f, f->vdata.out_vintf_mmap_offset, 0x1000, NULL);
}

static int
mmap_owner_gone(Fixture *f)
{
    uint64_t off;

    make_viommu(f, 2);
    off = f->vdata.out_vintf_mmap_offset;
    g_assert_cmpint(try_destroy(f, f->viommu), ==, 0);
    /* A new vIOMMU gets a new cookie; the old one stays dead. */
    make_viommu(f, 2);
    g_assert_cmpuint(f->vdata.out_vintf_mmap_offset, !=, off);
    return try_mmap(f, off, f->vdata.out_vintf_mmap_length, NULL);
}

static int
read_empty(Fixture *f)
{
    uint8_t buf[64];
    int evfd;

    make_viommu(f, 1);
    evfd = make_veventq(f, TYPE_SMMUV3, 4, NULL);
    return (int)smmu_ext_iommufd_read(f->fd, evfd, buf, sizeof(buf));
}

static int
read_small_buffer(Fixture *f)
{
    static const uint64_t evt[4] = { 0x10 };
    uint8_t buf[40];
    int evfd;

    make_viommu(f, 1);
    evfd = make_veventq(f, TYPE_SMMUV3, 4, NULL);
    g_assert_cmpint(try_vdevice(f, f->dev, 3, NULL), ==, 0);
    g_assert_true(smmu_ext_sim_post_event(f->sim, f->dev, evt));
    g_assert_cmpint(smmu_ext_iommufd_read(f->fd, evfd, buf, 0), ==, 0);
    g_assert_cmpint(smmu_ext_iommufd_read(f->fd, evfd, buf, 40), ==, 40);
    g_assert_true(smmu_ext_sim_post_event(f->sim, f->dev, evt));
    /* 39 < 8 + 32: looks like "no data". */
    return (int)smmu_ext_iommufd_read(f->fd, evfd, buf, 39);
}

static int
read_fault(Fixture *f)
{
    static const uint64_t evt[4] = { 0x10 };
    int evfd;

    make_viommu(f, 1);
    evfd = make_veventq(f, TYPE_SMMUV3, 4, NULL);
    g_assert_cmpint(try_vdevice(f, f->dev, 3, NULL), ==, 0);
    g_assert_true(smmu_ext_sim_post_event(f->sim, f->dev, evt));
    return -(int)smmu_ext_iommufd_read(f->fd, evfd, NULL, 40);
}

static const ErrnoCase errno_cases[] = {
    { "/sim/errno/any/unknown-nr", any_unknown_nr, ENOTTY },
    { "/sim/errno/any/dir-size-bits", any_size_bits, ENOTTY },
    { "/sim/errno/any/not-simulated", any_not_simulated, ENOTTY },
    { "/sim/errno/any/null-arg", any_null_arg, EFAULT },
    { "/sim/errno/any/size-below-min", any_size_below_min, EINVAL },
    { "/sim/errno/any/nonzero-tail", any_nonzero_tail, E2BIG },
    { "/sim/errno/any/bad-fd", any_bad_fd, EBADF },
    { "/sim/errno/destroy/unknown-id", destroy_unknown, ENOENT },
    { "/sim/errno/destroy/viommu-has-children", destroy_viommu_with_child,
      EBUSY },
    { "/sim/errno/destroy/veventq-fd-open", destroy_veventq_fd_open, EBUSY },
    { "/sim/errno/destroy/hw-queue-has-successor", destroy_lower_hw_queue,
      EBUSY },
    { "/sim/errno/destroy/viommu-mapped", destroy_viommu_mapped, EBUSY },
    { "/sim/errno/hw-info/flags", hw_info_bad_flags, EOPNOTSUPP },
    { "/sim/errno/hw-info/reserved", hw_info_reserved, EOPNOTSUPP },
    { "/sim/errno/hw-info/type-unsupported", hw_info_unsupported_type,
      EOPNOTSUPP },
    { "/sim/errno/hw-info/tegra-type-on-smmuv3", hw_info_tegra_on_smmuv3,
      EOPNOTSUPP, SMMU_EXT_SIM_SMMUV3 },
    { "/sim/errno/hw-info/bad-dev", hw_info_bad_dev, ENOENT },
    { "/sim/errno/viommu/flags", viommu_flags, EOPNOTSUPP },
    { "/sim/errno/viommu/type-default", viommu_type_default, EOPNOTSUPP },
    { "/sim/errno/viommu/no-viommu-support", viommu_unsupported, EOPNOTSUPP,
      SMMU_EXT_SIM_NONE },
    { "/sim/errno/viommu/tegra-type-on-smmuv3", viommu_tegra_on_smmuv3,
      EOPNOTSUPP, SMMU_EXT_SIM_SMMUV3 },
    { "/sim/errno/viommu/bad-dev", viommu_bad_dev, ENOENT },
    { "/sim/errno/viommu/bad-hwpt", viommu_bad_hwpt, ENOENT },
    { "/sim/errno/viommu/tegra-no-data", viommu_tegra_no_data, EINVAL },
    { "/sim/errno/viommu/no-free-vintf", viommu_no_free_vintf, ENOSPC },
    { "/sim/errno/vdevice/bad-viommu", vdevice_bad_viommu, ENOENT },
    { "/sim/errno/vdevice/bad-dev", vdevice_bad_dev, ENOENT },
    { "/sim/errno/vdevice/device-has-one", vdevice_dev_has_one, EEXIST },
    { "/sim/errno/vdevice/vsid-in-use", vdevice_vsid_used, EEXIST },
    { "/sim/errno/vdevice/tegra-vsid-too-big", vdevice_vsid_too_big,
      EINVAL },
    { "/sim/errno/vdevice/tegra-no-sid-slot", vdevice_no_slot, ENOSPC },
    { "/sim/errno/veventq/flags", veventq_flags, EOPNOTSUPP },
    { "/sim/errno/veventq/reserved", veventq_reserved, EOPNOTSUPP },
    { "/sim/errno/veventq/type-default", veventq_type_default, EOPNOTSUPP },
    { "/sim/errno/veventq/depth-zero", veventq_depth_zero, EINVAL },
    { "/sim/errno/veventq/bad-viommu", veventq_bad_viommu, ENOENT },
    { "/sim/errno/veventq/type-exists", veventq_exists, EEXIST },
    { "/sim/errno/hw-queue/flags", hwq_flags, EOPNOTSUPP },
    { "/sim/errno/hw-queue/type-default", hwq_type_default, EOPNOTSUPP },
    { "/sim/errno/hw-queue/length-zero", hwq_length_zero, EINVAL },
    { "/sim/errno/hw-queue/overflow", hwq_overflow, EOVERFLOW },
    { "/sim/errno/hw-queue/bad-viommu", hwq_bad_viommu, ENOENT },
    { "/sim/errno/hw-queue/viommu-without-queues", hwq_viommu_without_queues,
      EOPNOTSUPP },
    { "/sim/errno/hw-queue/d1-queue-type", hwq_queue_type, EOPNOTSUPP },
    { "/sim/errno/hw-queue/not-mapped", hwq_not_in_ram, ENOENT },
    { "/sim/errno/hw-queue/not-contiguous", hwq_not_contiguous, EFAULT },
    { "/sim/errno/hw-queue/d2-index", hwq_index_too_big, EINVAL },
    { "/sim/errno/hw-queue/d3-exists", hwq_exists, EEXIST },
    { "/sim/errno/hw-queue/d4-order", hwq_order, EIO },
    { "/sim/errno/hw-queue/d5-length", hwq_length, EINVAL },
    { "/sim/errno/hw-queue/d6-base", hwq_misaligned, EINVAL },
    { "/sim/errno/mmap/length-unaligned", mmap_len_unaligned, EINVAL },
    { "/sim/errno/mmap/unknown-offset", mmap_unknown_offset, ENXIO },
    { "/sim/errno/mmap/partial", mmap_partial, ENXIO },
    { "/sim/errno/mmap/owner-gone", mmap_owner_gone, ENXIO },
    { "/sim/errno/read/empty-returns-zero", read_empty, 0 },
    { "/sim/errno/read/small-buffer-returns-zero", read_small_buffer, 0 },
    { "/sim/errno/read/first-copy-faults", read_fault, EFAULT },
};

static void
test_errno(Fixture *f, gconstpointer data)
{
    const ErrnoCase *c = data;

    fixture_setup_profile(f, c->profile);
    g_assert_cmpint(c->fn(f), ==, c->err);
}

static void
errno_teardown(Fixture *f, gconstpointer data)
{
    fixture_teardown(f, NULL);
}

/* --- the size rule, positive side --------------------------------------- */

static void
test_size_rule(Fixture *f, gconstpointer data)
{
    struct se_iommu_viommu_alloc old = {
        .size = SE_MIN_SIZE_VIOMMU_ALLOC, .type = 1, .dev_id = f->dev,
        .hwpt_id = f->hwpt,
    };
    struct {
        struct se_iommu_viommu_alloc v;
        uint64_t newer;
    } big = {
        .v = { .size = sizeof(big), .type = 1, .dev_id = f->dev,
               .hwpt_id = f->hwpt },
    };
    struct se_iommu_hw_info h;

    g_test_summary("A shorter struct is zero-extended, a longer one with a "
                   "zero tail accepted, and the answer truncated to size");
    /* An older 24-byte VIOMMU_ALLOC: data_len/data_uptr read as zero. */
    g_assert_cmpint(raw_ioctl(f, SE_IOMMU_VIOMMU_ALLOC, &old), ==, 0);
    g_assert_cmpuint(old.out_viommu_id, !=, 0);
    g_assert_cmpint(raw_ioctl(f, SE_IOMMU_VIOMMU_ALLOC, &big), ==, 0);
    g_assert_cmpuint(big.v.out_viommu_id, !=, old.out_viommu_id);
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_VIOMMU), ==, 2);
    /* GET_HW_INFO at its 32-byte minimum: out_capabilities untouched. */
    memset(&h, 0xa5, sizeof(h));
    h.size = SE_MIN_SIZE_GET_HW_INFO;
    h.flags = 0;
    h.dev_id = f->dev;
    h.data_len = 0;
    h.data_uptr = 0;
    memset(h.__reserved, 0, sizeof(h.__reserved));
    g_assert_cmpint(raw_ioctl(f, SE_IOMMU_GET_HW_INFO, &h), ==, 0);
    g_assert_cmpuint(h.out_data_type, ==, SE_IOMMU_HW_INFO_TYPE_ARM_SMMUV3);
    g_assert_cmpuint(h.data_len, ==,
                     sizeof(struct se_iommu_hw_info_arm_smmuv3));
    g_assert_cmphex(h.out_capabilities, ==, 0xa5a5a5a5a5a5a5a5ull);
}

/* --- GET_HW_INFO answers ------------------------------------------------ */

static void
test_hw_info_tegra241(Fixture *f, gconstpointer data)
{
    struct se_iommu_hw_info_arm_smmuv3 smmu;
    struct se_iommu_hw_info_tegra241_cmdqv cmdqv;
    uint8_t buf[16];
    uint32_t len = sizeof(smmu), type = 0;

    g_test_summary("tegra241: SMMUv3 info by default and on request, the "
                   "CMDQV info with INPUT_TYPE 3, truncation and zero fill");
    g_assert_cmpint(try_hw_info(f, 0, &smmu, &len, &type), ==, 0);
    g_assert_cmpuint(type, ==, SE_IOMMU_HW_INFO_TYPE_ARM_SMMUV3);
    g_assert_cmpuint(len, ==, sizeof(smmu));
    g_assert_cmpuint((smmu.idr[1] >> 21) & 0x1f, ==, 19);
    g_assert_cmphex(smmu.idr[0] & 3, ==, 3);          /* S1P and S2P */
    len = sizeof(smmu);
    g_assert_cmpint(try_hw_info(f, SE_IOMMU_HW_INFO_TYPE_ARM_SMMUV3, &smmu,
                                &len, &type), ==, 0);
    g_assert_cmpuint(type, ==, SE_IOMMU_HW_INFO_TYPE_ARM_SMMUV3);

    memset(buf, 0xff, sizeof(buf));
    len = sizeof(buf);
    g_assert_cmpint(try_hw_info(f, SE_IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV, buf,
                                &len, &type), ==, 0);
    g_assert_cmpuint(type, ==, SE_IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV);
    g_assert_cmpuint(len, ==, sizeof(cmdqv));
    memcpy(&cmdqv, buf, sizeof(cmdqv));
    g_assert_cmpuint(cmdqv.flags, ==, 0);
    g_assert_cmpuint(cmdqv.version, ==, 1);
    g_assert_cmpuint(cmdqv.log2vcmdqs, ==, 1);
    g_assert_cmpuint(cmdqv.log2vsids, ==, 4);
    for (size_t i = sizeof(cmdqv); i < sizeof(buf); i++) {
        g_assert_cmphex(buf[i], ==, 0);               /* trailing bytes */
    }
    /* A 4-byte buffer gets 4 bytes; data_len still says 8. */
    memset(buf, 0xff, sizeof(buf));
    len = 4;
    g_assert_cmpint(try_hw_info(f, SE_IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV, buf,
                                &len, &type), ==, 0);
    g_assert_cmpuint(len, ==, 8);
    g_assert_cmphex(buf[4], ==, 0xff);
    /* data_len 0 is a probe. */
    len = 0;
    g_assert_cmpint(try_hw_info(f, SE_IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV,
                                NULL, &len, &type), ==, 0);
    g_assert_cmpuint(len, ==, 8);
}

static void
test_hw_info_none(Fixture *f, gconstpointer data)
{
    uint8_t buf[8];
    uint32_t len = sizeof(buf), type = 99;

    g_test_summary("none: a driver without hw_info answers type NONE, "
                   "length 0");
    g_assert_cmpint(try_hw_info(f, 0, buf, &len, &type), ==, 0);
    g_assert_cmpuint(type, ==, SE_IOMMU_HW_INFO_TYPE_NONE);
    g_assert_cmpuint(len, ==, 0);
}

/* --- vDEVICE SID slots, device unbind ----------------------------------- */

static void
test_vdevice_sid_slots(Fixture *f, gconstpointer data)
{
    uint32_t vd, match = 1, replace = 1;

    g_test_summary("VDEVICE_ALLOC programs SID_REPLACE=psid and "
                   "SID_MATCH=vsid<<1|1; DESTROY clears them");
    make_viommu(f, 2);
    g_assert_cmpint(try_vdevice(f, f->dev, 0xfffff, &vd), ==, 0);
    g_assert_true(smmu_ext_sim_sid_slot(f->sim, 0, &match, &replace));
    g_assert_cmphex(match, ==, (0xfffffu << 1) | 1);
    g_assert_cmphex(replace, ==, 0x100);
    g_assert_cmpint(try_destroy(f, vd), ==, 0);
    g_assert_true(smmu_ext_sim_sid_slot(f->sim, 0, &match, &replace));
    g_assert_cmphex(match, ==, 0);
    g_assert_cmphex(replace, ==, 0);
    g_assert_cmpint(try_destroy(f, vd), ==, ENOENT);
    g_assert_cmpint(try_destroy(f, f->viommu), ==, 0);
    g_assert_cmpuint(smmu_ext_sim_live_total(f->sim), ==, 0);
}

static void
test_device_remove(Fixture *f, gconstpointer data)
{
    uint32_t vd, match = 1;

    g_test_summary("Unbinding a device force-destroys its vDEVICE and leaks "
                   "the id, as the kernel does");
    make_viommu(f, 2);
    g_assert_cmpint(try_vdevice(f, f->dev2, 9, &vd), ==, 0);
    smmu_ext_sim_remove_device(f->sim, f->dev2);
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_VDEVICE), ==, 0);
    g_assert_true(smmu_ext_sim_sid_slot(f->sim, 0, &match, NULL));
    g_assert_cmphex(match, ==, 0);
    g_assert_cmpint(try_destroy(f, vd), ==, ENOENT);
    /* The leaked id is not handed out again. */
    g_assert_cmpint(try_vdevice(f, f->dev, 9, NULL), ==, 0);
    g_assert_cmpint(try_destroy(f, f->viommu), ==, EBUSY);
}

/* --- vEVENTQ read semantics --------------------------------------------- */

typedef struct Rec {
    uint32_t flags;
    uint32_t seq;
    uint32_t len;
    uint64_t w0;
} Rec;

/* Split what one read() returned into records. */
static unsigned
parse(const uint8_t *buf, ssize_t n, uint32_t payload, Rec *out,
      unsigned max)
{
    unsigned i = 0;
    ssize_t off = 0;

    while (off < n) {
        struct se_iommufd_vevent_header h;

        g_assert_cmpint(n - off, >=, (ssize_t)sizeof(h));
        g_assert_cmpuint(i, <, max);
        memcpy(&h, buf + off, sizeof(h));
        out[i].flags = h.flags;
        out[i].seq = h.sequence;
        off += sizeof(h);
        out[i].len = h.flags & SE_IOMMU_VEVENTQ_FLAG_LOST_EVENTS ? 0 : payload;
        out[i].w0 = 0;
        if (out[i].len) {
            g_assert_cmpint(n - off, >=, (ssize_t)payload);
            memcpy(&out[i].w0, buf + off, sizeof(uint64_t));
            out[i].w0 = GUINT64_FROM_LE(out[i].w0);
            off += payload;
        }
        i++;
    }
    return i;
}

static int
smmuv3_queue(Fixture *f, uint32_t depth)
{
    int evfd;

    make_viommu(f, 1);
    evfd = make_veventq(f, TYPE_SMMUV3, depth, NULL);
    g_assert_cmpint(try_vdevice(f, f->dev, 0x42, NULL), ==, 0);
    return evfd;
}

static void
post(Fixture *f, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        uint64_t evt[4] = { 0x10 | ((uint64_t)0x100 << 32), i, 0, 0 };

        g_assert_true(smmu_ext_sim_post_event(f->sim, f->dev, evt));
    }
}

static void
test_read_whole_records(Fixture *f, gconstpointer data)
{
    uint8_t buf[100];
    Rec r[4];
    int evfd = smmuv3_queue(f, 8);
    ssize_t n;

    g_test_summary("read() returns as many whole records as fit, never "
                   "part of one, and the vSID replaces the StreamID");
    post(f, 3);
    n = smmu_ext_iommufd_read(f->fd, evfd, buf, sizeof(buf));
    g_assert_cmpint(n, ==, 80);
    g_assert_cmpuint(parse(buf, n, 32, r, 4), ==, 2);
    g_assert_cmpuint(r[0].seq, ==, 0);
    g_assert_cmpuint(r[1].seq, ==, 1);
    g_assert_cmpuint(r[0].flags, ==, 0);
    g_assert_cmphex(r[0].w0, ==, 0x10 | ((uint64_t)0x42 << 32));
    n = smmu_ext_iommufd_read(f->fd, evfd, buf, sizeof(buf));
    g_assert_cmpint(n, ==, 40);
    g_assert_cmpuint(parse(buf, n, 32, r, 4), ==, 1);
    g_assert_cmpuint(r[0].seq, ==, 2);
    g_assert_cmpint(smmu_ext_iommufd_read(f->fd, evfd, buf, sizeof(buf)),
                    ==, 0);
}

static void
test_read_lost_header(Fixture *f, gconstpointer data)
{
    uint8_t buf[512];
    Rec r[8];
    int evfd = smmuv3_queue(f, 2);
    ssize_t n;

    g_test_summary("Overflow leaves depth records plus one 8-byte "
                   "LOST_EVENTS header carrying the last lost sequence");
    post(f, 5);
    n = smmu_ext_iommufd_read(f->fd, evfd, buf, sizeof(buf));
    g_assert_cmpint(n, ==, 2 * 40 + 8);
    g_assert_cmpuint(parse(buf, n, 32, r, 8), ==, 3);
    g_assert_cmpuint(r[0].seq, ==, 0);
    g_assert_cmpuint(r[1].seq, ==, 1);
    g_assert_cmpuint(r[2].flags, ==, SE_IOMMU_VEVENTQ_FLAG_LOST_EVENTS);
    g_assert_cmpuint(r[2].seq, ==, 4);
    /* The header went out with the read; the next event is 5. */
    post(f, 1);
    n = smmu_ext_iommufd_read(f->fd, evfd, buf, sizeof(buf));
    g_assert_cmpuint(parse(buf, n, 32, r, 8), ==, 1);
    g_assert_cmpuint(r[0].seq, ==, 5);
}

static void
test_read_lost_replaced(Fixture *f, gconstpointer data)
{
    uint8_t buf[512];
    Rec r[8];
    int evfd = smmuv3_queue(f, 2);
    ssize_t n;

    g_test_summary("A normal event arriving after a loss removes the LOST "
                   "header: the sequence gap tells the loss instead");
    post(f, 3);                                 /* 0, 1, LOST(2) */
    n = smmu_ext_iommufd_read(f->fd, evfd, buf, 40);
    g_assert_cmpuint(parse(buf, n, 32, r, 8), ==, 1);
    g_assert_cmpuint(r[0].seq, ==, 0);
    post(f, 1);                                 /* 1, 3 */
    n = smmu_ext_iommufd_read(f->fd, evfd, buf, sizeof(buf));
    g_assert_cmpuint(parse(buf, n, 32, r, 8), ==, 2);
    g_assert_cmpuint(r[0].seq, ==, 1);
    g_assert_cmpuint(r[1].seq, ==, 3);
    g_assert_cmpuint(r[1].flags, ==, 0);
    /* A LOST header that does not fit behind the records waits. */
    post(f, 3);                                 /* 4, 5, LOST(6) */
    n = smmu_ext_iommufd_read(f->fd, evfd, buf, 80 + 7);
    g_assert_cmpint(n, ==, 80);
    n = smmu_ext_iommufd_read(f->fd, evfd, buf, 8);
    g_assert_cmpuint(parse(buf, n, 32, r, 8), ==, 1);
    g_assert_cmpuint(r[0].flags, ==, SE_IOMMU_VEVENTQ_FLAG_LOST_EVENTS);
    g_assert_cmpuint(r[0].seq, ==, 6);
}

static void
test_read_seq_wrap(Fixture *f, gconstpointer data)
{
    uint8_t buf[512];
    Rec r[8];
    int evfd = smmuv3_queue(f, 8);
    ssize_t n;

    g_test_summary("Sequence numbers are 31-bit: 0x7fffffff is followed "
                   "by 0");
    g_assert_true(smmu_ext_sim_set_next_seq(f->sim, TYPE_SMMUV3,
                                            0xfffffffe));
    g_assert_false(smmu_ext_sim_set_next_seq(f->sim, TYPE_TEGRA, 0));
    post(f, 3);
    n = smmu_ext_iommufd_read(f->fd, evfd, buf, sizeof(buf));
    g_assert_cmpuint(parse(buf, n, 32, r, 8), ==, 3);
    g_assert_cmphex(r[0].seq, ==, 0x7ffffffe);
    g_assert_cmphex(r[1].seq, ==, 0x7fffffff);
    g_assert_cmphex(r[2].seq, ==, 0);
}

static bool
readable(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };

    g_assert_cmpint(poll(&p, 1, 0), >=, 0);
    return p.revents & POLLIN;
}

static void
test_read_poll(Fixture *f, gconstpointer data)
{
    uint8_t buf[64];
    int evfd = smmuv3_queue(f, 1);

    g_test_summary("The vEVENTQ fd polls readable exactly while records "
                   "(or a LOST header) are queued");
    g_assert_false(readable(evfd));
    post(f, 2);
    g_assert_true(readable(evfd));
    g_assert_cmpint(smmu_ext_iommufd_read(f->fd, evfd, buf, 40), ==, 40);
    g_assert_true(readable(evfd));              /* the LOST header */
    g_assert_cmpint(smmu_ext_iommufd_read(f->fd, evfd, buf, 40), ==, 8);
    g_assert_false(readable(evfd));
}

static void
test_event_dropped(Fixture *f, gconstpointer data)
{
    uint8_t buf[64];
    Rec r[2];
    uint64_t evt[4] = { 0x10 };
    int evfd;

    g_test_summary("Events of devices without a vDEVICE, or with no "
                   "vEVENTQ of the type, vanish without a sequence gap");
    make_viommu(f, 2);
    g_assert_false(smmu_ext_sim_post_event(f->sim, f->dev, evt));
    g_assert_cmpint(try_vdevice(f, f->dev, 1, NULL), ==, 0);
    g_assert_false(smmu_ext_sim_post_event(f->sim, f->dev, evt));
    g_assert_false(smmu_ext_sim_post_tegra_error(f->sim, 1, 0));
    evfd = make_veventq(f, TYPE_SMMUV3, 4, NULL);
    g_assert_false(smmu_ext_sim_post_event(f->sim, f->dev2, evt));
    g_assert_true(smmu_ext_sim_post_event(f->sim, f->dev, evt));
    g_assert_cmpuint(parse(buf, smmu_ext_iommufd_read(f->fd, evfd, buf,
                                                      sizeof(buf)),
                           32, r, 2), ==, 1);
    g_assert_cmpuint(r[0].seq, ==, 0);
}

static void
test_close_releases(Fixture *f, gconstpointer data)
{
    uint8_t buf[8];
    uint32_t id;
    int evfd;

    g_test_summary("Closing the vEVENTQ fd through the seam drops its "
                   "reference; the object then destroys");
    make_viommu(f, 1);
    evfd = make_veventq(f, TYPE_SMMUV3, 4, &id);
    g_assert_cmpuint(smmu_ext_sim_open_fds(f->sim), ==, 1);
    g_assert_cmpuint(smmu_ext_sim_veventq_depth(f->sim, TYPE_SMMUV3), ==, 4);
    g_assert_cmpint(smmu_ext_iommufd_close(f->fd, evfd), ==, 0);
    g_assert_cmpuint(smmu_ext_sim_open_fds(f->sim), ==, 0);
    g_assert_cmpint(smmu_ext_iommufd_close(f->fd, evfd), ==, -EBADF);
    g_assert_cmpint(smmu_ext_iommufd_read(f->fd, evfd, buf, 8), ==, -EBADF);
    g_assert_cmpint(try_destroy(f, id), ==, 0);
    g_assert_cmpuint(smmu_ext_sim_veventq_depth(f->sim, TYPE_SMMUV3), ==, 0);
    g_assert_cmpint(try_destroy(f, f->viommu), ==, 0);
    g_assert_cmpuint(smmu_ext_sim_live_total(f->sim), ==, 0);
}

/* --- Tegra241 hardware step ---------------------------------------------- */

static uint32_t
rd(const void *page0, unsigned q, unsigned reg)
{
    uint32_t v;

    memcpy(&v, (const uint8_t *)page0 + 0x80 * q + reg, 4);
    return GUINT32_FROM_LE(v);
}

static void
wr(void *page0, unsigned q, unsigned reg, uint32_t v)
{
    v = GUINT32_TO_LE(v);
    memcpy((uint8_t *)page0 + 0x80 * q + reg, &v, 4);
}

static void
put_cmd(Fixture *f, uint64_t qgpa, unsigned idx, uint8_t op)
{
    uint64_t cmd[2] = { GUINT64_TO_LE(op), 0 };

    memcpy(f->ram + (qgpa - RAM_GPA) + 16 * idx, cmd, sizeof(cmd));
}

enum { CONS = 0, PROD = 4, CONFIG = 8, STATUS = 0xc, GERROR = 0x10,
       GERRORN = 0x14 };

static void
test_hw_consume(Fixture *f, gconstpointer data)
{
    void *p0;

    g_test_summary("An enabled queue consumes legal commands from CONS to "
                   "PROD, wrapping with the wrap bit; STATUS follows CONFIG");
    make_viommu(f, 2);
    p0 = map_page0(f);
    make_hwq(f, 0, Q_GPA, 0x40);                /* 4 entries */
    put_cmd(f, Q_GPA, 0, SIM_CMD_TLBI_NH_ASID);
    put_cmd(f, Q_GPA, 1, SIM_CMD_TLBI_NH_VA);
    put_cmd(f, Q_GPA, 2, SIM_CMD_ATC_INV);
    put_cmd(f, Q_GPA, 3, SIM_CMD_SYNC);
    wr(p0, 0, PROD, 3);
    smmu_ext_sim_step(f->sim);
    g_assert_cmphex(rd(p0, 0, STATUS), ==, 0);
    g_assert_cmphex(rd(p0, 0, CONS), ==, 0);    /* disabled: nothing */
    wr(p0, 0, CONFIG, 1);
    smmu_ext_sim_step(f->sim);
    g_assert_cmphex(rd(p0, 0, STATUS), ==, 1);
    g_assert_cmphex(rd(p0, 0, CONS), ==, 3);
    g_assert_cmpuint(smmu_ext_sim_cmd_count(f->sim, SIM_CMD_ATC_INV), ==, 1);
    /* Entry 3, then around: index 0 and 1 with the wrap bit (4) set. */
    put_cmd(f, Q_GPA, 0, SIM_CMD_SYNC);
    put_cmd(f, Q_GPA, 1, SIM_CMD_SYNC);
    wr(p0, 0, PROD, 0x4 | 2 | 0xff00);         /* high bits are ignored */
    smmu_ext_sim_step(f->sim);
    g_assert_cmphex(rd(p0, 0, CONS), ==, 0x4 | 2);
    g_assert_cmpuint(smmu_ext_sim_cmd_count(f->sim, SIM_CMD_SYNC), ==, 3);
    wr(p0, 0, CONFIG, 0);
    smmu_ext_sim_step(f->sim);
    g_assert_cmphex(rd(p0, 0, STATUS), ==, 0);
    unmap_page0(f, p0);
}

static void
test_hw_illegal(Fixture *f, gconstpointer data)
{
    uint8_t buf[64];
    Rec r[4];
    uint64_t map[2];
    void *p0;
    int evfd;
    ssize_t n;

    g_test_summary("An illegal opcode stops the queue with CONS.ERR=ILL, "
                   "toggles GERROR, reports the ERR_MAP; GERRORN resumes");
    make_viommu(f, 2);
    evfd = make_veventq(f, TYPE_TEGRA, 4, NULL);
    p0 = map_page0(f);
    make_hwq(f, 0, Q_GPA, Q_LEN);
    make_hwq(f, 1, Q_GPA + Q_LEN, Q_LEN);
    put_cmd(f, Q_GPA + Q_LEN, 0, SIM_CMD_TLBI_NH_ASID);
    put_cmd(f, Q_GPA + Q_LEN, 1, 0x03);         /* CFGI_STE: not here */
    put_cmd(f, Q_GPA + Q_LEN, 2, SIM_CMD_SYNC);
    wr(p0, 1, CONFIG, 1);
    wr(p0, 1, PROD, 3);
    smmu_ext_sim_step(f->sim);
    g_assert_cmphex(rd(p0, 1, CONS), ==, (1u << 24) | 1);
    g_assert_cmphex(rd(p0, 1, GERROR), ==, 1);
    g_assert_cmphex(rd(p0, 1, GERRORN), ==, 0);
    n = smmu_ext_iommufd_read(f->fd, evfd, buf, sizeof(buf));
    g_assert_cmpint(n, ==, 24);
    g_assert_cmpuint(parse(buf, n, 16, r, 4), ==, 1);
    memcpy(map, buf + 8, sizeof(map));
    g_assert_cmphex(GUINT64_FROM_LE(map[0]), ==, 2);   /* LVCMDQ 1 */
    g_assert_cmphex(GUINT64_FROM_LE(map[1]), ==, 0);
    /* Halted until acknowledged, even if the guest writes GERROR. */
    wr(p0, 1, GERROR, 0);
    smmu_ext_sim_step(f->sim);
    g_assert_cmphex(rd(p0, 1, CONS), ==, (1u << 24) | 1);
    g_assert_cmphex(rd(p0, 1, GERROR), ==, 1);
    /* The guest replaces the entry by a CMD_SYNC and acknowledges. */
    put_cmd(f, Q_GPA + Q_LEN, 1, SIM_CMD_SYNC);
    wr(p0, 1, GERRORN, 1);
    smmu_ext_sim_step(f->sim);
    g_assert_cmphex(rd(p0, 1, CONS), ==, 3);
    g_assert_cmpuint(smmu_ext_sim_cmd_count(f->sim, SIM_CMD_SYNC), ==, 2);
    /* A second error reports only the current map: bit 1 was cleared and
     * set again, bit 0 never. */
    put_cmd(f, Q_GPA + Q_LEN, 3, 0x01);
    wr(p0, 1, PROD, 4);
    smmu_ext_sim_step(f->sim);
    g_assert_cmphex(rd(p0, 1, GERROR), ==, 0);        /* toggled back */
    n = smmu_ext_iommufd_read(f->fd, evfd, buf, sizeof(buf));
    g_assert_cmpuint(parse(buf, n, 16, r, 4), ==, 1);
    g_assert_cmpuint(r[0].seq, ==, 1);
    memcpy(map, buf + 8, sizeof(map));
    g_assert_cmphex(GUINT64_FROM_LE(map[0]), ==, 2);
    unmap_page0(f, p0);
}

/* --- the SMMU behind the CMDQV: the host's command handler ------------- */

typedef struct Exec {
    unsigned n;
    unsigned queue[32];
    uint64_t cmd[32][2];
    unsigned fail_at;          /* 1-based call that returns @err; 0: none */
    SmmuExtSimCmdErr err;
} Exec;

static SmmuExtSimCmdErr
exec_record(void *opaque, unsigned queue, const uint64_t cmd[2])
{
    Exec *e = opaque;

    g_assert_cmpuint(e->n, <, G_N_ELEMENTS(e->queue));
    e->queue[e->n] = queue;
    e->cmd[e->n][0] = cmd[0];
    e->cmd[e->n][1] = cmd[1];
    return ++e->n == e->fail_at ? e->err : SMMU_EXT_SIM_CMD_OK;
}

static void
put_raw(Fixture *f, uint64_t qgpa, unsigned idx, uint64_t w0, uint64_t w1)
{
    uint64_t cmd[2] = { GUINT64_TO_LE(w0), GUINT64_TO_LE(w1) };

    memcpy(f->ram + (qgpa - RAM_GPA) + 16 * idx, cmd, sizeof(cmd));
}

/* One TEGRA241_CMDQV vEVENT waiting on @evfd: its LVCMDQ_ERR_MAP word 0. */
static uint64_t
read_err_map(Fixture *f, int evfd)
{
    uint8_t buf[64];
    uint64_t map[2];
    Rec r[2];
    ssize_t n = smmu_ext_iommufd_read(f->fd, evfd, buf, sizeof(buf));

    g_assert_cmpuint(parse(buf, n, 16, r, 2), ==, 1);
    memcpy(map, buf + 8, sizeof(map));
    return GUINT64_FROM_LE(map[0]);
}

static void
test_hw_handler_sid(Fixture *f, gconstpointer data)
{
    Exec e = { 0 };
    void *p0;

    g_test_summary("Each legal command reaches the host's handler in ring "
                   "order with its queue; an ATC_INV carries the physical "
                   "SID of the vDEVICE whose vSID it names, other words "
                   "untouched; one with an unmatched vSID is consumed but "
                   "never reaches the handler");
    make_viommu(f, 2);
    g_assert_cmpint(try_vdevice(f, f->dev, 0x8, NULL), ==, 0);
    p0 = map_page0(f);
    make_hwq(f, 0, Q_GPA, Q_LEN);
    smmu_ext_sim_set_cmd_handler(f->sim, exec_record, &e);
    put_raw(f, Q_GPA, 0, SIM_CMD_TLBI_NH_ASID | (7ull << 48), 0);
    put_raw(f, Q_GPA, 1, SIM_CMD_ATC_INV | (0x8ull << 32) | (3ull << 12),
            0x1234000);
    put_raw(f, Q_GPA, 2, SIM_CMD_SYNC, 0);
    put_raw(f, Q_GPA, 3, SIM_CMD_ATC_INV | (0x9ull << 32), 0);
    wr(p0, 0, CONFIG, 1);
    wr(p0, 0, PROD, 4);
    smmu_ext_sim_step(f->sim);
    g_assert_cmpuint(e.n, ==, 3);
    g_assert_cmpuint(e.queue[0], ==, 0);
    g_assert_cmphex(e.cmd[0][0], ==, SIM_CMD_TLBI_NH_ASID | (7ull << 48));
    /* vSID 8 -> the device's physical SID 0x100; low word kept */
    g_assert_cmphex(e.cmd[1][0], ==,
                    SIM_CMD_ATC_INV | (0x100ull << 32) | (3ull << 12));
    g_assert_cmphex(e.cmd[1][1], ==, 0x1234000);
    g_assert_cmphex(e.cmd[2][0], ==, SIM_CMD_SYNC);
    /* vSID 9 has no slot: consumed, not executed */
    g_assert_cmphex(rd(p0, 0, CONS), ==, 4);
    g_assert_cmpuint(smmu_ext_sim_cmd_count(f->sim, SIM_CMD_ATC_INV), ==, 2);
    smmu_ext_sim_set_cmd_handler(f->sim, NULL, NULL);
    unmap_page0(f, p0);
}

static void
test_hw_handler_error(Fixture *f, gconstpointer data)
{
    Exec e = { .fail_at = 2, .err = SMMU_EXT_SIM_CMD_ERR_ATC_INV_SYNC };
    int evfd;
    void *p0;

    g_test_summary("A handler error stops the queue at that command with "
                   "its CONS.ERR, toggles GERROR and reports the queue in "
                   "a TEGRA241_CMDQV vEVENT; after GERRORN the command "
                   "runs again and the queue drains");
    make_viommu(f, 2);
    evfd = make_veventq(f, TYPE_TEGRA, 4, NULL);
    p0 = map_page0(f);
    make_hwq(f, 0, Q_GPA, Q_LEN);
    smmu_ext_sim_set_cmd_handler(f->sim, exec_record, &e);
    put_cmd(f, Q_GPA, 0, SIM_CMD_TLBI_NH_VA);
    put_cmd(f, Q_GPA, 1, SIM_CMD_SYNC);
    put_cmd(f, Q_GPA, 2, SIM_CMD_TLBI_NH_ASID);
    wr(p0, 0, CONFIG, 1);
    wr(p0, 0, PROD, 3);
    smmu_ext_sim_step(f->sim);
    g_assert_cmphex(rd(p0, 0, CONS), ==, (3u << 24) | 1);
    g_assert_cmphex(rd(p0, 0, GERROR), ==, 1);
    g_assert_cmphex(read_err_map(f, evfd), ==, 1);
    g_assert_cmpuint(smmu_ext_sim_cmd_count(f->sim, SIM_CMD_SYNC), ==, 0);
    /* halted: stepping again executes nothing */
    smmu_ext_sim_step(f->sim);
    g_assert_cmpuint(e.n, ==, 2);
    wr(p0, 0, GERRORN, 1);
    smmu_ext_sim_step(f->sim);
    g_assert_cmphex(rd(p0, 0, CONS), ==, 3);
    g_assert_cmpuint(e.n, ==, 4);
    g_assert_cmphex(e.cmd[2][0], ==, SIM_CMD_SYNC);     /* the retry */
    g_assert_cmpuint(smmu_ext_sim_cmd_count(f->sim, SIM_CMD_SYNC), ==, 1);
    unmap_page0(f, p0);
}

static void
test_hw_fail_cmd(Fixture *f, gconstpointer data)
{
    Exec e = { 0 };
    int evfd;
    void *p0;

    g_test_summary("An injected fault on the 3rd command of VCMDQ 1 stops "
                   "that queue there (the handler never sees it) and is "
                   "reported like a hardware error; VCMDQ 0 is untouched; "
                   "smmu_ext_sim_fail_clear disarms");
    make_viommu(f, 2);
    evfd = make_veventq(f, TYPE_TEGRA, 4, NULL);
    p0 = map_page0(f);
    make_hwq(f, 0, Q_GPA, Q_LEN);
    make_hwq(f, 1, Q_GPA + Q_LEN, Q_LEN);
    smmu_ext_sim_set_cmd_handler(f->sim, exec_record, &e);
    smmu_ext_sim_fail_cmd(f->sim, 1, 3, SMMU_EXT_SIM_CMD_ERR_ABT);
    for (unsigned i = 0; i < 4; i++) {
        put_cmd(f, Q_GPA, i, SIM_CMD_SYNC);
        put_cmd(f, Q_GPA + Q_LEN, i, SIM_CMD_TLBI_NH_ASID);
    }
    wr(p0, 0, CONFIG, 1);
    wr(p0, 1, CONFIG, 1);
    wr(p0, 0, PROD, 4);
    wr(p0, 1, PROD, 4);
    smmu_ext_sim_step(f->sim);
    g_assert_cmphex(rd(p0, 0, CONS), ==, 4);
    g_assert_cmphex(rd(p0, 1, CONS), ==, (SIM_CONS_ERR_ABT << 24) | 2);
    g_assert_cmpuint(e.n, ==, 6);
    g_assert_cmpuint(smmu_ext_sim_queue_cmd_count(f->sim, 0, SIM_CMD_SYNC),
                     ==, 4);
    g_assert_cmpuint(smmu_ext_sim_queue_cmd_count(f->sim, 1,
                                                  SIM_CMD_TLBI_NH_ASID),
                     ==, 2);
    g_assert_cmpuint(smmu_ext_sim_queue_cmd_count(f->sim, 1, SIM_CMD_SYNC),
                     ==, 0);
    g_assert_cmpuint(smmu_ext_sim_queue_cmd_count(f->sim, 7, SIM_CMD_SYNC),
                     ==, 0);
    g_assert_cmpuint(e.queue[0] + e.queue[5], ==, 1);  /* one of each */
    g_assert_cmphex(read_err_map(f, evfd), ==, 2);
    /* acknowledged: the fault was one-shot, the entry executes */
    wr(p0, 1, GERRORN, 1);
    smmu_ext_sim_step(f->sim);
    g_assert_cmphex(rd(p0, 1, CONS), ==, 4);
    g_assert_cmpuint(e.n, ==, 8);
    /* armed then cleared: nothing fires */
    smmu_ext_sim_fail_cmd(f->sim, 0, 1, SMMU_EXT_SIM_CMD_ERR_ILL);
    smmu_ext_sim_fail_clear(f->sim);
    for (unsigned i = 4; i < 16; i++) {
        put_cmd(f, Q_GPA, i, SIM_CMD_SYNC);
    }
    wr(p0, 0, PROD, 0x10);          /* index 0 with the wrap bit */
    smmu_ext_sim_step(f->sim);
    g_assert_cmphex(rd(p0, 0, CONS), ==, 0x10);
    g_assert_cmphex(rd(p0, 0, GERROR), ==, 0);
    unmap_page0(f, p0);
}

static void
test_hw_run_budget(Fixture *f, gconstpointer data)
{
    void *p0;

    g_test_summary("smmu_ext_sim_run consumes at most its budget and says "
                   "how many; smmu_ext_sim_pending tells the host whether "
                   "work (or a CONFIG.EN change) waits, so it can reschedule");
    make_viommu(f, 2);
    p0 = map_page0(f);
    g_assert_false(smmu_ext_sim_pending(f->sim));
    make_hwq(f, 0, Q_GPA, Q_LEN);
    g_assert_false(smmu_ext_sim_pending(f->sim));
    for (unsigned i = 0; i < 5; i++) {
        put_cmd(f, Q_GPA, i, SIM_CMD_SYNC);
    }
    wr(p0, 0, PROD, 5);
    g_assert_false(smmu_ext_sim_pending(f->sim));    /* not enabled */
    wr(p0, 0, CONFIG, 1);
    g_assert_true(smmu_ext_sim_pending(f->sim));
    g_assert_cmpuint(smmu_ext_sim_run(f->sim, 2), ==, 2);
    g_assert_cmphex(rd(p0, 0, STATUS), ==, 1);
    g_assert_cmphex(rd(p0, 0, CONS), ==, 2);
    g_assert_true(smmu_ext_sim_pending(f->sim));
    g_assert_cmpuint(smmu_ext_sim_run(f->sim, 0), ==, 3);
    g_assert_cmphex(rd(p0, 0, CONS), ==, 5);
    g_assert_false(smmu_ext_sim_pending(f->sim));
    g_assert_cmpuint(smmu_ext_sim_run(f->sim, 0), ==, 0);
    /* an error halts: nothing pending until acknowledged */
    put_cmd(f, Q_GPA, 5, 0x03);
    wr(p0, 0, PROD, 6);
    g_assert_cmpuint(smmu_ext_sim_run(f->sim, 0), ==, 0);
    g_assert_false(smmu_ext_sim_pending(f->sim));
    put_cmd(f, Q_GPA, 5, SIM_CMD_SYNC);
    wr(p0, 0, GERRORN, 1);
    g_assert_true(smmu_ext_sim_pending(f->sim));
    g_assert_cmpuint(smmu_ext_sim_run(f->sim, 0), ==, 1);
    wr(p0, 0, CONFIG, 0);
    g_assert_true(smmu_ext_sim_pending(f->sim));     /* STATUS lags */
    smmu_ext_sim_run(f->sim, 0);
    g_assert_false(smmu_ext_sim_pending(f->sim));
    unmap_page0(f, p0);
}

/* A vCPU thread driving a VCMDQ through its mapped page0 only. */
typedef struct Guest {
    Fixture *f;
    uint32_t *page0;
    unsigned n_cmds;
    gint done;
    uint64_t next_seen;        /* handler side: next sequence expected */
    gint out_of_order;
} Guest;

static SmmuExtSimCmdErr
exec_in_order(void *opaque, unsigned queue, const uint64_t cmd[2])
{
    Guest *g = opaque;

    if (cmd[1] != g->next_seen++) {
        g_atomic_int_set(&g->out_of_order, 1);
    }
    return SMMU_EXT_SIM_CMD_OK;
}

static gpointer
guest_thread(gpointer opaque)
{
    Guest *g = opaque;
    uint32_t *prod = g->page0 + PROD / 4, *cons = g->page0 + CONS / 4;
    uint32_t n = Q_LEN / 16, mask = 2 * n - 1, p = 0;

    __atomic_store_n(g->page0 + CONFIG / 4, GUINT32_TO_LE(1),
                     __ATOMIC_RELEASE);
    for (unsigned i = 0; i < g->n_cmds; i += 4) {
        /* four commands, then PROD, then poll CONS: a CMD_SYNC wait */
        for (unsigned k = 0; k < 4; k++) {
            put_raw(g->f, Q_GPA, (p + k) & (n - 1),
                    k == 3 ? SIM_CMD_SYNC : SIM_CMD_TLBI_NH_VA, i + k);
        }
        p = (p + 4) & mask;
        __atomic_store_n(prod, GUINT32_TO_LE(p), __ATOMIC_RELEASE);
        while ((GUINT32_FROM_LE(__atomic_load_n(cons, __ATOMIC_ACQUIRE)) &
                mask) != p) {
            g_usleep(10);
        }
    }
    g_atomic_int_set(&g->done, 1);
    return NULL;
}

static void
test_hw_async_guest(Fixture *f, gconstpointer data)
{
    Guest g = { .f = f, .n_cmds = 4000 };
    g_autoptr(GMainContext) ctx = g_main_context_new();
    gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
    GThread *t;

    g_test_summary("A guest thread that only writes PROD and polls CONS in "
                   "the mapped page completes 1000 CMD_SYNC waits while "
                   "the host runs smmu_ext_sim_run from its main loop, "
                   "with a small budget; every command reaches the handler "
                   "once and in order");
    make_viommu(f, 2);
    g.page0 = map_page0(f);
    make_hwq(f, 0, Q_GPA, Q_LEN);
    smmu_ext_sim_set_cmd_handler(f->sim, exec_in_order, &g);
    t = g_thread_new("guest", guest_thread, &g);
    while (!g_atomic_int_get(&g.done)) {
        /* what QEMU's timer does; an iteration of the host's loop */
        smmu_ext_sim_run(f->sim, 3);
        g_main_context_iteration(ctx, false);
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    }
    g_thread_join(t);
    g_assert_cmpint(g_atomic_int_get(&g.out_of_order), ==, 0);
    g_assert_cmpuint(g.next_seen, ==, g.n_cmds);
    g_assert_cmpuint(smmu_ext_sim_cmd_count(f->sim, SIM_CMD_SYNC), ==,
                     g.n_cmds / 4);
    g_assert_false(smmu_ext_sim_pending(f->sim));
    smmu_ext_sim_set_cmd_handler(f->sim, NULL, NULL);
    unmap_page0(f, g.page0);
}

static void
test_live_report(Fixture *f, gconstpointer data)
{
    g_autofree char *before = NULL;
    g_autofree char *live = NULL;
    g_autofree char *after = NULL;
    uint32_t vd = 0;
    int evfd;

    g_test_summary("The exit report names every count: objects, open fds "
                   "and bound devices");
    before = smmu_ext_sim_live_report(f->sim);
    g_assert_cmpstr(before, ==, "viommu=0 hw_queue=0 veventq=0 vdevice=0 "
                                "mmap=0 fds=0 devices=2");
    make_viommu(f, 2);
    evfd = make_veventq(f, TYPE_TEGRA, 4, NULL);
    g_assert_cmpint(try_vdevice(f, f->dev, 3, &vd), ==, 0);
    live = smmu_ext_sim_live_report(f->sim);
    g_assert_cmpstr(live, ==, "viommu=1 hw_queue=0 veventq=1 vdevice=1 "
                              "mmap=0 fds=1 devices=2");
    smmu_ext_sim_remove_device(f->sim, f->dev2);
    g_assert_cmpint(smmu_ext_iommufd_close(f->fd, evfd), ==, 0);
    after = smmu_ext_sim_live_report(f->sim);
    g_assert_cmpstr(after, ==, "viommu=1 hw_queue=0 veventq=1 vdevice=1 "
                               "mmap=0 fds=0 devices=1");
}

static void
test_hw_gerror_outlives_queue(Fixture *f, gconstpointer data)
{
    void *p0;
    uint32_t q0;

    g_test_summary("GERROR is the VCMDQ's register, not the HW queue's: a "
                   "queue destroyed with an error and allocated again shows "
                   "the same GERROR, acknowledged (GERRORN = GERROR)");
    make_viommu(f, 2);
    p0 = map_page0(f);
    q0 = make_hwq(f, 0, Q_GPA, Q_LEN);
    put_cmd(f, Q_GPA, 0, 0x03);                 /* CFGI_STE: illegal */
    wr(p0, 0, CONFIG, 1);
    wr(p0, 0, PROD, 1);
    smmu_ext_sim_step(f->sim);
    g_assert_cmphex(rd(p0, 0, GERROR), ==, 1);
    g_assert_cmphex(rd(p0, 0, GERRORN), ==, 0);

    /* destroy deinits: acknowledged; the register keeps its value */
    g_assert_cmpint(try_destroy(f, q0), ==, 0);
    q0 = make_hwq(f, 0, Q_GPA, Q_LEN);
    g_assert_cmphex(rd(p0, 0, GERROR), ==, 1);
    g_assert_cmphex(rd(p0, 0, GERRORN), ==, 1);
    g_assert_cmphex(rd(p0, 0, CONS), ==, 0);
    smmu_ext_sim_step(f->sim);
    g_assert_cmphex(rd(p0, 0, GERROR), ==, 1);

    /* the next error toggles it back */
    wr(p0, 0, CONFIG, 1);
    wr(p0, 0, PROD, 1);
    smmu_ext_sim_step(f->sim);
    g_assert_cmphex(rd(p0, 0, GERROR), ==, 0);
    g_assert_cmphex(rd(p0, 0, GERRORN), ==, 1);
    g_assert_cmpint(try_destroy(f, q0), ==, 0);
    unmap_page0(f, p0);
}

static void
test_hw_slots(Fixture *f, gconstpointer data)
{
    void *p0;
    uint64_t gpa = 0, len = 0;
    uint32_t q0;

    g_test_summary("Unallocated logical slots read as zero; HW_QUEUE_ALLOC "
                   "and DESTROY deinit the slot");
    make_viommu(f, 2);
    p0 = map_page0(f);
    wr(p0, 0, CONFIG, 1);
    wr(p0, 0, PROD, 5);
    wr(p0, 1, PROD, 7);
    wr(p0, 5, CONS, 9);
    q0 = make_hwq(f, 0, Q_GPA, Q_LEN);
    g_assert_cmphex(rd(p0, 0, CONFIG), ==, 0);
    g_assert_cmphex(rd(p0, 0, PROD), ==, 0);
    g_assert_true(smmu_ext_sim_hw_queue(f->sim, 0, &gpa, &len));
    g_assert_cmphex(gpa, ==, Q_GPA);
    g_assert_cmphex(len, ==, Q_LEN);
    g_assert_false(smmu_ext_sim_hw_queue(f->sim, 1, NULL, NULL));
    smmu_ext_sim_step(f->sim);
    g_assert_cmphex(rd(p0, 1, PROD), ==, 0);
    g_assert_cmphex(rd(p0, 5, CONS), ==, 0);
    wr(p0, 0, CONFIG, 1);
    wr(p0, 0, PROD, 3);
    put_cmd(f, Q_GPA, 0, SIM_CMD_SYNC);
    put_cmd(f, Q_GPA, 1, SIM_CMD_SYNC);
    put_cmd(f, Q_GPA, 2, SIM_CMD_SYNC);
    smmu_ext_sim_step(f->sim);
    g_assert_cmphex(rd(p0, 0, CONS), ==, 3);
    g_assert_cmphex(rd(p0, 0, STATUS), ==, 1);
    g_assert_cmpint(try_destroy(f, q0), ==, 0);
    g_assert_cmphex(rd(p0, 0, CONS), ==, 0);
    g_assert_cmphex(rd(p0, 0, CONFIG), ==, 0);
    g_assert_cmphex(rd(p0, 0, STATUS), ==, 0);
    unmap_page0(f, p0);
}

/* --- fault injection ----------------------------------------------------- */

static void
test_fault_nth(Fixture *f, gconstpointer data)
{
    uint32_t id;
    unsigned before;

    g_test_summary("fail(op, errno, n) fails exactly the nth next call of "
                   "op, before any side effect; calls are counted");
    g_assert_cmpuint(smmu_ext_sim_calls(f->sim, SMMU_EXT_SIM_OP_VIOMMU_ALLOC),
                     ==, 0);
    smmu_ext_sim_fail(f->sim, SMMU_EXT_SIM_OP_VIOMMU_ALLOC, ENOMEM, 2);
    g_assert_cmpint(try_viommu(f, 2, &id), ==, 0);
    before = smmu_ext_sim_live_total(f->sim);
    g_assert_cmpint(try_viommu(f, 2, &id), ==, ENOMEM);
    g_assert_cmpuint(smmu_ext_sim_live_total(f->sim), ==, before);
    g_assert_cmpint(try_viommu(f, 2, &id), ==, 0);
    g_assert_cmpuint(smmu_ext_sim_calls(f->sim, SMMU_EXT_SIM_OP_VIOMMU_ALLOC),
                     ==, 3);

    /* OP_ANY counts every simulated call; mmap is one. */
    smmu_ext_sim_fail(f->sim, SMMU_EXT_SIM_OP_ANY, EIO, 2);
    g_assert_cmpint(try_destroy(f, 999), ==, ENOENT);
    g_assert_cmpint(try_mmap(f, f->vdata.out_vintf_mmap_offset,
                             f->vdata.out_vintf_mmap_length, NULL), ==, EIO);
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_MMAP), ==, 0);
    g_assert_cmpuint(smmu_ext_sim_calls(f->sim, SMMU_EXT_SIM_OP_MMAP), ==, 1);
    g_assert_cmpuint(smmu_ext_sim_calls(f->sim, SMMU_EXT_SIM_OP_ANY), ==, 5);

    /* A fault on a valid destroy leaves the object in place. */
    smmu_ext_sim_fail(f->sim, SMMU_EXT_SIM_OP_DESTROY, EINTR, 1);
    g_assert_cmpint(try_destroy(f, id), ==, EINTR);
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_VIOMMU), ==, 2);
    g_assert_cmpint(try_destroy(f, id), ==, 0);

    smmu_ext_sim_fail(f->sim, SMMU_EXT_SIM_OP_GET_HW_INFO, EPERM, 1);
    smmu_ext_sim_fail_clear(f->sim);
    g_assert_cmpint(try_hw_info(f, 0, NULL, NULL, NULL), ==, 0);
}

static void
test_names(void)
{
    g_autoptr(GError) err = NULL;
    SmmuExtSim *sim;

    g_test_summary("Op and kind names round-trip as the replay format "
                   "spells them; unknown profile names are refused");
    for (int i = 0; i < SMMU_EXT_SIM_OP_N; i++) {
        g_assert_cmpint(smmu_ext_sim_op_from_name(smmu_ext_sim_op_name(i)),
                        ==, i);
    }
    for (int i = 0; i < SMMU_EXT_SIM_KIND_N; i++) {
        g_assert_cmpint(
            smmu_ext_sim_kind_from_name(smmu_ext_sim_kind_name(i)), ==, i);
    }
    g_assert_cmpstr(smmu_ext_sim_op_name(SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC), ==,
                    "hw_queue_alloc");
    g_assert_cmpint(smmu_ext_sim_op_from_name("nope"), ==, -1);
    g_assert_cmpint(smmu_ext_sim_kind_from_name(NULL), ==, -1);
    sim = smmu_ext_sim_new_by_name("smmuv3", &err);
    g_assert_no_error(err);
    g_assert_cmpint(smmu_ext_sim_profile(sim), ==, SMMU_EXT_SIM_SMMUV3);
    smmu_ext_sim_free(sim);
    g_assert_null(smmu_ext_sim_new_by_name("tegra", &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID);
}

/* --- whole lifecycles ---------------------------------------------------- */

static void
test_lifecycle(Fixture *f, gconstpointer data)
{
    uint32_t evq1, evq2, q0, q1, vd1, vd2;
    int fd1, fd2;
    void *p0;

    g_test_summary("vIOMMU, vEVENTQs, mapping, HW queues, vDEVICEs, then "
                   "teardown in the documented order leaves nothing live");
    make_viommu(f, 2);
    g_assert_cmphex(f->vdata.out_vintf_mmap_length, ==, 0x10000);
    g_assert_cmphex(f->vdata.out_vintf_mmap_offset & 0xfff, ==, 0);
    fd1 = make_veventq(f, TYPE_SMMUV3, 64, &evq1);
    fd2 = make_veventq(f, TYPE_TEGRA, 16, &evq2);
    p0 = map_page0(f);
    q0 = make_hwq(f, 0, Q_GPA, Q_LEN);
    q1 = make_hwq(f, 1, Q_GPA + Q_LEN, Q_LEN);
    g_assert_cmpint(try_vdevice(f, f->dev, 1, &vd1), ==, 0);
    g_assert_cmpint(try_vdevice(f, f->dev2, 2, &vd2), ==, 0);
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_VIOMMU), ==, 1);
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_VEVENTQ), ==, 2);
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_MMAP), ==, 1);
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_HW_QUEUE), ==, 2);
    g_assert_cmpuint(smmu_ext_sim_live(f->sim, SMMU_EXT_SIM_VDEVICE), ==, 2);
    g_assert_cmpuint(smmu_ext_sim_open_fds(f->sim), ==, 2);
    g_assert_cmpuint(smmu_ext_sim_live_total(f->sim), ==, 10);

    unmap_page0(f, p0);
    g_assert_cmpint(try_destroy(f, q1), ==, 0);
    g_assert_cmpint(try_destroy(f, q0), ==, 0);
    g_assert_cmpint(smmu_ext_iommufd_close(f->fd, fd1), ==, 0);
    g_assert_cmpint(smmu_ext_iommufd_close(f->fd, fd2), ==, 0);
    g_assert_cmpint(try_destroy(f, evq1), ==, 0);
    g_assert_cmpint(try_destroy(f, evq2), ==, 0);
    g_assert_cmpint(try_destroy(f, vd1), ==, 0);
    g_assert_cmpint(try_destroy(f, f->viommu), ==, EBUSY);
    g_assert_cmpint(try_destroy(f, vd2), ==, 0);
    g_assert_cmpint(try_destroy(f, f->viommu), ==, 0);
    for (int k = 0; k < SMMU_EXT_SIM_KIND_N; k++) {
        g_assert_cmpuint(smmu_ext_sim_live(f->sim, k), ==, 0);
    }
    g_assert_cmpuint(smmu_ext_sim_open_fds(f->sim), ==, 0);
    g_assert_cmpuint(smmu_ext_sim_live_total(f->sim), ==, 0);
    /* The VINTF is free again: three more fit. */
    for (int i = 0; i < 3; i++) {
        make_viommu(f, 2);
    }
}

static void
test_free_everything_live(Fixture *f, gconstpointer data)
{
    g_test_summary("Freeing the sim with every kind of object live closes, "
                   "unmaps and frees all of it (checked by ASan/valgrind)");
    make_viommu(f, 2);
    make_veventq(f, TYPE_SMMUV3, 4, NULL);
    make_veventq(f, TYPE_TEGRA, 4, NULL);
    map_page0(f);
    make_hwq(f, 0, Q_GPA, Q_LEN);
    make_hwq(f, 1, Q_GPA + Q_LEN, Q_LEN);
    g_assert_cmpint(try_vdevice(f, f->dev, 1, NULL), ==, 0);
    post(f, 3);
    g_assert_true(smmu_ext_sim_post_tegra_error(f->sim, 1, 0));
    g_assert_cmpuint(smmu_ext_sim_live_total(f->sim), ==, 9);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(errno_cases); i++) {
        g_test_add(errno_cases[i].path, Fixture, &errno_cases[i], NULL,
                   test_errno, errno_teardown);
    }
#define ADD(path, fn, prof) \
    g_test_add(path, Fixture, prof, fixture_setup, fn, fixture_teardown)
    ADD("/sim/ioctl/size-rule", test_size_rule, NULL);
    ADD("/sim/hw-info/tegra241", test_hw_info_tegra241, NULL);
    ADD("/sim/hw-info/none", test_hw_info_none, PROFILE(SMMU_EXT_SIM_NONE));
    ADD("/sim/vdevice/sid-slots", test_vdevice_sid_slots, NULL);
    ADD("/sim/device/remove-leaks-vdevice-id", test_device_remove, NULL);
    ADD("/sim/veventq/read/whole-records", test_read_whole_records, NULL);
    ADD("/sim/veventq/read/lost-header", test_read_lost_header, NULL);
    ADD("/sim/veventq/read/lost-replaced-by-gap", test_read_lost_replaced,
        NULL);
    ADD("/sim/veventq/read/sequence-wraps", test_read_seq_wrap, NULL);
    ADD("/sim/veventq/poll/readable-iff-queued", test_read_poll, NULL);
    ADD("/sim/veventq/event/dropped", test_event_dropped, NULL);
    ADD("/sim/veventq/close/releases", test_close_releases, NULL);
    ADD("/sim/hw/step/consumes", test_hw_consume, NULL);
    ADD("/sim/hw/step/illegal-opcode", test_hw_illegal, NULL);
    ADD("/sim/hw/slots/deinit-and-drop", test_hw_slots, NULL);
    ADD("/sim/hw/gerror/outlives-hw-queue", test_hw_gerror_outlives_queue,
        NULL);
    ADD("/sim/hw/handler/sid-rewrite", test_hw_handler_sid, NULL);
    ADD("/sim/hw/handler/error-path", test_hw_handler_error, NULL);
    ADD("/sim/hw/fault/nth-command", test_hw_fail_cmd, NULL);
    ADD("/sim/hw/run/budget-and-pending", test_hw_run_budget, NULL);
    ADD("/sim/hw/run/async-guest-thread", test_hw_async_guest, NULL);
    ADD("/sim/live-report", test_live_report, NULL);
    ADD("/sim/fault/nth-call", test_fault_nth, NULL);
    ADD("/sim/lifecycle/ordered-teardown", test_lifecycle, NULL);
    ADD("/sim/lifecycle/free-with-everything-live",
        test_free_everything_live, NULL);
#undef ADD
    g_test_add_func("/sim/names/round-trip", test_names);
    return g_test_run();
}
