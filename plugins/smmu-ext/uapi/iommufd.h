/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The subset of the Linux iommufd uAPI (v6.17-era, with HW_QUEUE_ALLOC) that
 * smmu-ext uses, written from the layouts in shared/design/iommufd-abi.md.
 * Debian 12 ships no <linux/iommufd.h>, so the project carries its own.
 *
 * Every name has the SE_ prefix (se_ for structs) so that a system
 * <linux/iommufd.h> can be included next to it without clashes.  Every u64
 * is forced to 8-byte alignment so i386 layouts match x86-64 and arm64; the
 * static asserts at the end pin each size and offset.
 */
#ifndef SMMU_EXT_UAPI_IOMMUFD_H
#define SMMU_EXT_UAPI_IOMMUFD_H

#include <stddef.h>
#include <stdint.h>
#include <linux/ioctl.h>

typedef uint64_t se_u64 __attribute__((aligned(8)));
/* Little-endian on the wire: convert with GUINT64_FROM_LE. */
typedef uint64_t se_le64 __attribute__((aligned(8)));

/* --- ioctl numbers: _IO(';', nr), size carried in the struct ------------ */
#define SE_IOMMUFD_TYPE ';'
#define SE_IOMMUFD_CMD_BASE 0x80
#define SE_IOMMUFD_CMD_END 0x95     /* one past HW_QUEUE_ALLOC */

#define SE_IOMMU_DESTROY          _IO(SE_IOMMUFD_TYPE, 0x80)
#define SE_IOMMU_IOAS_ALLOC       _IO(SE_IOMMUFD_TYPE, 0x81)
#define SE_IOMMU_IOAS_MAP         _IO(SE_IOMMUFD_TYPE, 0x85)
#define SE_IOMMU_IOAS_UNMAP       _IO(SE_IOMMUFD_TYPE, 0x86)
#define SE_IOMMU_HWPT_ALLOC       _IO(SE_IOMMUFD_TYPE, 0x89)
#define SE_IOMMU_GET_HW_INFO      _IO(SE_IOMMUFD_TYPE, 0x8A)
#define SE_IOMMU_HWPT_INVALIDATE  _IO(SE_IOMMUFD_TYPE, 0x8D)
#define SE_IOMMU_FAULT_QUEUE_ALLOC _IO(SE_IOMMUFD_TYPE, 0x8E)
#define SE_IOMMU_VIOMMU_ALLOC     _IO(SE_IOMMUFD_TYPE, 0x90)
#define SE_IOMMU_VDEVICE_ALLOC    _IO(SE_IOMMUFD_TYPE, 0x91)
#define SE_IOMMU_VEVENTQ_ALLOC    _IO(SE_IOMMUFD_TYPE, 0x93)
#define SE_IOMMU_HW_QUEUE_ALLOC   _IO(SE_IOMMUFD_TYPE, 0x94)

/* --- enums -------------------------------------------------------------- */
enum {
    SE_IOMMU_HW_INFO_TYPE_NONE = 0,
    SE_IOMMU_HW_INFO_TYPE_DEFAULT = 0,
    SE_IOMMU_HW_INFO_TYPE_INTEL_VTD = 1,
    SE_IOMMU_HW_INFO_TYPE_ARM_SMMUV3 = 2,
    SE_IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV = 3,
};

#define SE_IOMMU_HW_INFO_FLAG_INPUT_TYPE (1u << 0)

#define SE_IOMMU_HW_CAP_DIRTY_TRACKING (1ull << 0)
#define SE_IOMMU_HW_CAP_PCI_PASID_EXEC (1ull << 1)
#define SE_IOMMU_HW_CAP_PCI_PASID_PRIV (1ull << 2)

enum {
    SE_IOMMU_HWPT_DATA_NONE = 0,
    SE_IOMMU_HWPT_DATA_VTD_S1 = 1,
    SE_IOMMU_HWPT_DATA_ARM_SMMUV3 = 2,
};

#define SE_IOMMU_HWPT_ALLOC_NEST_PARENT     (1u << 0)
#define SE_IOMMU_HWPT_ALLOC_DIRTY_TRACKING  (1u << 1)
#define SE_IOMMU_HWPT_FAULT_ID_VALID        (1u << 2)
#define SE_IOMMU_HWPT_ALLOC_PASID           (1u << 3)

enum {
    SE_IOMMU_VIOMMU_TYPE_DEFAULT = 0,
    SE_IOMMU_VIOMMU_TYPE_ARM_SMMUV3 = 1,
    SE_IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV = 2,
};

enum {
    SE_IOMMU_VEVENTQ_TYPE_DEFAULT = 0,
    SE_IOMMU_VEVENTQ_TYPE_ARM_SMMUV3 = 1,
    SE_IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV = 2,
};

#define SE_IOMMU_VEVENTQ_FLAG_LOST_EVENTS (1u << 0)

enum {
    SE_IOMMU_HW_QUEUE_TYPE_DEFAULT = 0,
    SE_IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV = 1,
};

#define SE_IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 1

/* vEVENT sequence numbers are 31-bit: INT_MAX is followed by 0. */
#define SE_VEVENTQ_SEQ_MASK 0x7fffffffu
/* Object ids are in [1, SE_IOMMUFD_ID_MAX]; 0 is never valid. */
#define SE_IOMMUFD_ID_MAX 0x7fffffffu

/* --- command structs ---------------------------------------------------- */
struct se_iommu_destroy {
    uint32_t size;
    uint32_t id;
};

struct se_iommu_ioas_alloc {
    uint32_t size;
    uint32_t flags;
    uint32_t out_ioas_id;
};

struct se_iommu_ioas_map {
    uint32_t size;
    uint32_t flags;
    uint32_t ioas_id;
    uint32_t __reserved;
    se_u64 user_va;
    se_u64 length;
    se_u64 iova;
};

struct se_iommu_ioas_unmap {
    uint32_t size;
    uint32_t ioas_id;
    se_u64 iova;
    se_u64 length;
};

struct se_iommu_hw_info {
    uint32_t size;
    uint32_t flags;
    uint32_t dev_id;
    uint32_t data_len;
    se_u64 data_uptr;
    union {
        uint32_t in_data_type;
        uint32_t out_data_type;
    };
    uint8_t out_max_pasid_log2;
    uint8_t __reserved[3];
    se_u64 out_capabilities;
};

struct se_iommu_hwpt_alloc {
    uint32_t size;
    uint32_t flags;
    uint32_t dev_id;
    uint32_t pt_id;
    uint32_t out_hwpt_id;
    uint32_t __reserved;
    uint32_t data_type;
    uint32_t data_len;
    se_u64 data_uptr;
    uint32_t fault_id;
    uint32_t __reserved2;
};

struct se_iommu_hwpt_invalidate {
    uint32_t size;
    uint32_t hwpt_id;
    se_u64 data_uptr;
    uint32_t data_type;
    uint32_t entry_len;
    uint32_t entry_num;
    uint32_t __reserved;
};

struct se_iommu_fault_alloc {
    uint32_t size;
    uint32_t flags;
    uint32_t out_fault_id;
    uint32_t out_fault_fd;
};

struct se_iommu_viommu_alloc {
    uint32_t size;
    uint32_t flags;
    uint32_t type;
    uint32_t dev_id;
    uint32_t hwpt_id;
    uint32_t out_viommu_id;
    uint32_t data_len;
    uint32_t __reserved;
    se_u64 data_uptr;
};

struct se_iommu_vdevice_alloc {
    uint32_t size;
    uint32_t viommu_id;
    uint32_t dev_id;
    uint32_t out_vdevice_id;
    se_u64 virt_id;
};

struct se_iommu_veventq_alloc {
    uint32_t size;
    uint32_t flags;
    uint32_t viommu_id;
    uint32_t type;
    uint32_t veventq_depth;
    uint32_t out_veventq_id;
    uint32_t out_veventq_fd;
    uint32_t __reserved;
};

struct se_iommu_hw_queue_alloc {
    uint32_t size;
    uint32_t flags;
    uint32_t viommu_id;
    uint32_t type;
    uint32_t index;
    uint32_t out_hw_queue_id;
    se_u64 nesting_parent_iova;
    se_u64 length;
};

/* --- per-type payloads -------------------------------------------------- */
struct se_iommu_hw_info_arm_smmuv3 {
    uint32_t flags;
    uint32_t __reserved;
    uint32_t idr[6];
    uint32_t iidr;
    uint32_t aidr;
};

struct se_iommu_hw_info_tegra241_cmdqv {
    uint32_t flags;
    uint8_t version;
    uint8_t log2vcmdqs;
    uint8_t log2vsids;
    uint8_t __reserved;
};

struct se_iommu_viommu_tegra241_cmdqv {
    se_u64 out_vintf_mmap_offset;
    se_u64 out_vintf_mmap_length;
};

struct se_iommufd_vevent_header {
    uint32_t flags;
    uint32_t sequence;
};

struct se_iommu_vevent_arm_smmuv3 {
    se_le64 evt[4];
};

struct se_iommu_vevent_tegra241_cmdqv {
    se_le64 lvcmdq_err_map[2];
};

struct se_iommu_hwpt_arm_smmuv3 {
    se_le64 ste[2];
};

struct se_iommu_viommu_arm_smmuv3_invalidate {
    se_le64 cmd[2];
};

/* VFIO cdev binding (linux/vfio.h, present in Debian 12's 6.1 headers only
 * partly): VFIO_DEVICE_BIND_IOMMUFD = _IO(';', 100 + 18). */
struct se_vfio_device_bind_iommufd {
    uint32_t argsz;
    uint32_t flags;
    int32_t iommufd;
    uint32_t out_devid;
};
#define SE_VFIO_DEVICE_BIND_IOMMUFD _IO(';', 100 + 18)

/* --- minimum accepted `size` per ioctl (offsetofend of the last required
 * field); the simulated host answers EINVAL below it. ------------------- */
#define SE_MIN_SIZE_DESTROY          8
#define SE_MIN_SIZE_GET_HW_INFO      32
#define SE_MIN_SIZE_VIOMMU_ALLOC     24
#define SE_MIN_SIZE_VDEVICE_ALLOC    24
#define SE_MIN_SIZE_VEVENTQ_ALLOC    28
#define SE_MIN_SIZE_HW_QUEUE_ALLOC   40
#define SE_MIN_SIZE_HWPT_ALLOC       24
#define SE_MIN_SIZE_IOAS_ALLOC       12

/* --- layout checks ------------------------------------------------------ */
#define SE_ASSERT_SIZE(t, n) _Static_assert(sizeof(struct t) == (n), #t)
#define SE_ASSERT_OFF(t, f, n) \
    _Static_assert(offsetof(struct t, f) == (n), #t "." #f)

SE_ASSERT_SIZE(se_iommu_destroy, 8);
SE_ASSERT_OFF(se_iommu_destroy, size, 0);
SE_ASSERT_OFF(se_iommu_destroy, id, 4);

SE_ASSERT_SIZE(se_iommu_ioas_alloc, 12);
SE_ASSERT_OFF(se_iommu_ioas_alloc, flags, 4);
SE_ASSERT_OFF(se_iommu_ioas_alloc, out_ioas_id, 8);

SE_ASSERT_SIZE(se_iommu_ioas_map, 40);
SE_ASSERT_OFF(se_iommu_ioas_map, flags, 4);
SE_ASSERT_OFF(se_iommu_ioas_map, ioas_id, 8);
SE_ASSERT_OFF(se_iommu_ioas_map, __reserved, 12);
SE_ASSERT_OFF(se_iommu_ioas_map, user_va, 16);
SE_ASSERT_OFF(se_iommu_ioas_map, length, 24);
SE_ASSERT_OFF(se_iommu_ioas_map, iova, 32);

SE_ASSERT_SIZE(se_iommu_ioas_unmap, 24);
SE_ASSERT_OFF(se_iommu_ioas_unmap, ioas_id, 4);
SE_ASSERT_OFF(se_iommu_ioas_unmap, iova, 8);
SE_ASSERT_OFF(se_iommu_ioas_unmap, length, 16);

SE_ASSERT_SIZE(se_iommu_hw_info, 40);
SE_ASSERT_OFF(se_iommu_hw_info, flags, 4);
SE_ASSERT_OFF(se_iommu_hw_info, dev_id, 8);
SE_ASSERT_OFF(se_iommu_hw_info, data_len, 12);
SE_ASSERT_OFF(se_iommu_hw_info, data_uptr, 16);
SE_ASSERT_OFF(se_iommu_hw_info, in_data_type, 24);
SE_ASSERT_OFF(se_iommu_hw_info, out_data_type, 24);
SE_ASSERT_OFF(se_iommu_hw_info, out_max_pasid_log2, 28);
SE_ASSERT_OFF(se_iommu_hw_info, __reserved, 29);
SE_ASSERT_OFF(se_iommu_hw_info, out_capabilities, 32);

SE_ASSERT_SIZE(se_iommu_hwpt_alloc, 48);
SE_ASSERT_OFF(se_iommu_hwpt_alloc, flags, 4);
SE_ASSERT_OFF(se_iommu_hwpt_alloc, dev_id, 8);
SE_ASSERT_OFF(se_iommu_hwpt_alloc, pt_id, 12);
SE_ASSERT_OFF(se_iommu_hwpt_alloc, out_hwpt_id, 16);
SE_ASSERT_OFF(se_iommu_hwpt_alloc, __reserved, 20);
SE_ASSERT_OFF(se_iommu_hwpt_alloc, data_type, 24);
SE_ASSERT_OFF(se_iommu_hwpt_alloc, data_len, 28);
SE_ASSERT_OFF(se_iommu_hwpt_alloc, data_uptr, 32);
SE_ASSERT_OFF(se_iommu_hwpt_alloc, fault_id, 40);
SE_ASSERT_OFF(se_iommu_hwpt_alloc, __reserved2, 44);

SE_ASSERT_SIZE(se_iommu_hwpt_invalidate, 32);
SE_ASSERT_OFF(se_iommu_hwpt_invalidate, hwpt_id, 4);
SE_ASSERT_OFF(se_iommu_hwpt_invalidate, data_uptr, 8);
SE_ASSERT_OFF(se_iommu_hwpt_invalidate, data_type, 16);
SE_ASSERT_OFF(se_iommu_hwpt_invalidate, entry_len, 20);
SE_ASSERT_OFF(se_iommu_hwpt_invalidate, entry_num, 24);
SE_ASSERT_OFF(se_iommu_hwpt_invalidate, __reserved, 28);

SE_ASSERT_SIZE(se_iommu_fault_alloc, 16);
SE_ASSERT_OFF(se_iommu_fault_alloc, out_fault_id, 8);
SE_ASSERT_OFF(se_iommu_fault_alloc, out_fault_fd, 12);

SE_ASSERT_SIZE(se_iommu_viommu_alloc, 40);
SE_ASSERT_OFF(se_iommu_viommu_alloc, flags, 4);
SE_ASSERT_OFF(se_iommu_viommu_alloc, type, 8);
SE_ASSERT_OFF(se_iommu_viommu_alloc, dev_id, 12);
SE_ASSERT_OFF(se_iommu_viommu_alloc, hwpt_id, 16);
SE_ASSERT_OFF(se_iommu_viommu_alloc, out_viommu_id, 20);
SE_ASSERT_OFF(se_iommu_viommu_alloc, data_len, 24);
SE_ASSERT_OFF(se_iommu_viommu_alloc, __reserved, 28);
SE_ASSERT_OFF(se_iommu_viommu_alloc, data_uptr, 32);

SE_ASSERT_SIZE(se_iommu_vdevice_alloc, 24);
SE_ASSERT_OFF(se_iommu_vdevice_alloc, viommu_id, 4);
SE_ASSERT_OFF(se_iommu_vdevice_alloc, dev_id, 8);
SE_ASSERT_OFF(se_iommu_vdevice_alloc, out_vdevice_id, 12);
SE_ASSERT_OFF(se_iommu_vdevice_alloc, virt_id, 16);

SE_ASSERT_SIZE(se_iommu_veventq_alloc, 32);
SE_ASSERT_OFF(se_iommu_veventq_alloc, flags, 4);
SE_ASSERT_OFF(se_iommu_veventq_alloc, viommu_id, 8);
SE_ASSERT_OFF(se_iommu_veventq_alloc, type, 12);
SE_ASSERT_OFF(se_iommu_veventq_alloc, veventq_depth, 16);
SE_ASSERT_OFF(se_iommu_veventq_alloc, out_veventq_id, 20);
SE_ASSERT_OFF(se_iommu_veventq_alloc, out_veventq_fd, 24);
SE_ASSERT_OFF(se_iommu_veventq_alloc, __reserved, 28);

SE_ASSERT_SIZE(se_iommu_hw_queue_alloc, 40);
SE_ASSERT_OFF(se_iommu_hw_queue_alloc, flags, 4);
SE_ASSERT_OFF(se_iommu_hw_queue_alloc, viommu_id, 8);
SE_ASSERT_OFF(se_iommu_hw_queue_alloc, type, 12);
SE_ASSERT_OFF(se_iommu_hw_queue_alloc, index, 16);
SE_ASSERT_OFF(se_iommu_hw_queue_alloc, out_hw_queue_id, 20);
SE_ASSERT_OFF(se_iommu_hw_queue_alloc, nesting_parent_iova, 24);
SE_ASSERT_OFF(se_iommu_hw_queue_alloc, length, 32);

SE_ASSERT_SIZE(se_iommu_hw_info_arm_smmuv3, 40);
SE_ASSERT_OFF(se_iommu_hw_info_arm_smmuv3, __reserved, 4);
SE_ASSERT_OFF(se_iommu_hw_info_arm_smmuv3, idr, 8);
SE_ASSERT_OFF(se_iommu_hw_info_arm_smmuv3, iidr, 32);
SE_ASSERT_OFF(se_iommu_hw_info_arm_smmuv3, aidr, 36);

SE_ASSERT_SIZE(se_iommu_hw_info_tegra241_cmdqv, 8);
SE_ASSERT_OFF(se_iommu_hw_info_tegra241_cmdqv, version, 4);
SE_ASSERT_OFF(se_iommu_hw_info_tegra241_cmdqv, log2vcmdqs, 5);
SE_ASSERT_OFF(se_iommu_hw_info_tegra241_cmdqv, log2vsids, 6);
SE_ASSERT_OFF(se_iommu_hw_info_tegra241_cmdqv, __reserved, 7);

SE_ASSERT_SIZE(se_iommu_viommu_tegra241_cmdqv, 16);
SE_ASSERT_OFF(se_iommu_viommu_tegra241_cmdqv, out_vintf_mmap_length, 8);

SE_ASSERT_SIZE(se_iommufd_vevent_header, 8);
SE_ASSERT_OFF(se_iommufd_vevent_header, sequence, 4);
SE_ASSERT_SIZE(se_iommu_vevent_arm_smmuv3, 32);
SE_ASSERT_SIZE(se_iommu_vevent_tegra241_cmdqv, 16);
SE_ASSERT_SIZE(se_iommu_hwpt_arm_smmuv3, 16);
SE_ASSERT_SIZE(se_iommu_viommu_arm_smmuv3_invalidate, 16);
SE_ASSERT_SIZE(se_vfio_device_bind_iommufd, 16);

/* The request values on x86-64 and arm64 (asm-generic _IOC encoding). */
#if defined(__x86_64__) || defined(__aarch64__) || defined(__i386__)
_Static_assert(SE_IOMMU_DESTROY == 0x3B80, "IOMMU_DESTROY");
_Static_assert(SE_IOMMU_GET_HW_INFO == 0x3B8A, "IOMMU_GET_HW_INFO");
_Static_assert(SE_IOMMU_VIOMMU_ALLOC == 0x3B90, "IOMMU_VIOMMU_ALLOC");
_Static_assert(SE_IOMMU_VDEVICE_ALLOC == 0x3B91, "IOMMU_VDEVICE_ALLOC");
_Static_assert(SE_IOMMU_VEVENTQ_ALLOC == 0x3B93, "IOMMU_VEVENTQ_ALLOC");
_Static_assert(SE_IOMMU_HW_QUEUE_ALLOC == 0x3B94, "IOMMU_HW_QUEUE_ALLOC");
#endif

#endif /* SMMU_EXT_UAPI_IOMMUFD_H */
