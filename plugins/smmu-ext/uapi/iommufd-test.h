/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The uAPI of Linux's iommufd mock driver (CONFIG_IOMMUFD_TEST), the subset
 * the selftest extension, the conformance program and the simulated
 * kernel's "selftest" profile use.  Numbers and layouts are the kernel's
 * (drivers/iommu/iommufd/iommufd_test.h, Linux 7.2); names carry the SE_
 * prefix like uapi/iommufd.h, and the static asserts pin every layout.
 *
 * Rules of the mock (drivers/iommu/iommufd/selftest.c) that the code here
 * relies on:
 *   - IOMMU_TEST_OP_MOCK_DOMAIN on an IOAS creates a mock device, binds it
 *     (out_idev_id is the dev_id of every other ioctl) and attaches it
 *     (out_hwpt_id); out_stdev_id is the object whose DESTROY removes it;
 *   - GET_HW_INFO answers SE_IOMMU_HW_INFO_TYPE_SELFTEST with 8 bytes
 *     whose test_reg is SE_IOMMU_HW_INFO_SELFTEST_REGVAL, for the default
 *     type and for INPUT_TYPE SELFTEST; any other type is EOPNOTSUPP;
 *   - a vIOMMU of type SELFTEST: with driver data (at least up to
 *     out_data) the kernel copies in_data to out_data and to the first
 *     u32 of a 2-page region it registers for mmap (out_mmap_offset,
 *     out_mmap_length);
 *   - HW queues of type SELFTEST: index < 2 (EINVAL), not taken (EEXIST),
 *     index 1 only while 0 exists (EIO); 1 holds 0 (DESTROY of 0: EBUSY);
 *   - TRIGGER_VEVENT(dev_id) reports one SELFTEST vEVENT {virt_id} on the
 *     vIOMMU the device is attached to through a nested HWPT, the virt_id
 *     of its vDEVICE: ENOENT unless both exist, EOPNOTSUPP when that
 *     vIOMMU has no SELFTEST vEVENTQ.
 */
#ifndef SMMU_EXT_UAPI_IOMMUFD_TEST_H
#define SMMU_EXT_UAPI_IOMMUFD_TEST_H

#include "iommufd.h"

/* _IO(';', IOMMUFD_CMD_BASE + 32) */
#define SE_IOMMU_TEST_CMD_NR 0xa0
#define SE_IOMMU_TEST_CMD _IO(SE_IOMMUFD_TYPE, SE_IOMMU_TEST_CMD_NR)

enum {
    SE_IOMMU_TEST_OP_ADD_RESERVED = 1,
    SE_IOMMU_TEST_OP_MOCK_DOMAIN = 2,
    SE_IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE = 10,
    SE_IOMMU_TEST_OP_TRIGGER_VEVENT = 17,
};

/* The mock domain's IOVA aperture (MOCK_IOMMUPT_DEFAULT). */
#define SE_MOCK_APERTURE_START (1ull << 24)
#define SE_MOCK_APERTURE_LAST ((1ull << 31) - 1)

#define SE_IOMMU_HW_INFO_TYPE_SELFTEST 0xfeedbeefu
#define SE_IOMMU_HW_INFO_SELFTEST_REGVAL 0xdeadbeefu
#define SE_IOMMU_HWPT_DATA_SELFTEST 0xdeadu
#define SE_IOMMU_TEST_IOTLB_DEFAULT 0xbadbeefu
#define SE_IOMMU_VIOMMU_TYPE_SELFTEST 0xdeadbeefu
#define SE_IOMMU_VEVENTQ_TYPE_SELFTEST 0xbeefbeefu
#define SE_IOMMU_HW_QUEUE_TYPE_SELFTEST 0xdeadbeefu
#define SE_IOMMU_TEST_HW_QUEUE_MAX 2

/* The core's vEVENTQ depth limit (eventq.c VEVENTQ_MAX_DEPTH). */
#define SE_VEVENTQ_MAX_DEPTH (1u << 19)

/* IOMMU_IOAS_MAP: minimum size (offsetofend iova) and flags. */
#define SE_MIN_SIZE_IOAS_MAP 40
#define SE_IOMMU_IOAS_MAP_FIXED_IOVA (1u << 0)
#define SE_IOMMU_IOAS_MAP_WRITEABLE  (1u << 1)
#define SE_IOMMU_IOAS_MAP_READABLE   (1u << 2)

struct se_iommu_test_cmd {
    uint32_t size;
    uint32_t op;
    uint32_t id;
    uint32_t __reserved;
    union {
        struct {
            uint32_t out_stdev_id;
            uint32_t out_hwpt_id;
            uint32_t out_idev_id;
        } mock_domain;
        struct {
            uint32_t pt_id;
        } mock_domain_replace;
        struct {
            uint32_t dev_id;
        } trigger_vevent;
        /* The kernel's largest member (dirty: u32 + five u64). */
        se_u64 __union_size[6];
    };
    uint32_t last;
};

/* Minimum size: offsetofend(last). */
#define SE_MIN_SIZE_TEST_CMD 68

struct se_iommu_test_hw_info {
    uint32_t flags;
    uint32_t test_reg;
};

struct se_iommu_hwpt_selftest {
    uint32_t iotlb;
    uint32_t pagetable_type;
};

struct se_iommu_viommu_selftest {
    uint32_t in_data;
    uint32_t out_data;
    se_u64 out_mmap_offset;
    se_u64 out_mmap_length;
};

/* The kernel copies the driver data in up to out_data (8 bytes). */
#define SE_VIOMMU_SELFTEST_MIN_LEN 8

struct se_iommu_viommu_event_selftest {
    uint32_t virt_id;
};

SE_ASSERT_SIZE(se_iommu_test_cmd, 72);
SE_ASSERT_OFF(se_iommu_test_cmd, op, 4);
SE_ASSERT_OFF(se_iommu_test_cmd, id, 8);
SE_ASSERT_OFF(se_iommu_test_cmd, mock_domain.out_stdev_id, 16);
SE_ASSERT_OFF(se_iommu_test_cmd, mock_domain.out_hwpt_id, 20);
SE_ASSERT_OFF(se_iommu_test_cmd, mock_domain.out_idev_id, 24);
SE_ASSERT_OFF(se_iommu_test_cmd, mock_domain_replace.pt_id, 16);
SE_ASSERT_OFF(se_iommu_test_cmd, trigger_vevent.dev_id, 16);
SE_ASSERT_OFF(se_iommu_test_cmd, last, 64);
_Static_assert(SE_MIN_SIZE_TEST_CMD ==
               offsetof(struct se_iommu_test_cmd, last) + sizeof(uint32_t),
               "IOMMU_TEST_CMD minimum size");
SE_ASSERT_SIZE(se_iommu_test_hw_info, 8);
SE_ASSERT_OFF(se_iommu_test_hw_info, test_reg, 4);
SE_ASSERT_SIZE(se_iommu_hwpt_selftest, 8);
SE_ASSERT_SIZE(se_iommu_viommu_selftest, 24);
SE_ASSERT_OFF(se_iommu_viommu_selftest, out_data, 4);
SE_ASSERT_OFF(se_iommu_viommu_selftest, out_mmap_offset, 8);
SE_ASSERT_OFF(se_iommu_viommu_selftest, out_mmap_length, 16);
_Static_assert(SE_VIOMMU_SELFTEST_MIN_LEN ==
               offsetof(struct se_iommu_viommu_selftest, out_data) +
               sizeof(uint32_t), "selftest vIOMMU data minimum");
SE_ASSERT_SIZE(se_iommu_viommu_event_selftest, 4);

#if defined(__x86_64__) || defined(__aarch64__) || defined(__i386__)
_Static_assert(SE_IOMMU_TEST_CMD == 0x3BA0, "IOMMU_TEST_CMD");
#endif

#endif /* SMMU_EXT_UAPI_IOMMUFD_TEST_H */
