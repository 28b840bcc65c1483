/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The selftest extension module (Linux's iommufd mock driver): the
 * descriptor and its ops.
 */
#include "selftest.h"

static const SmmuExtOps selftest_ops = {
    .size = sizeof(SmmuExtOps),
    .flags = 0,                /* the mock is its hardware: no emulation */
    .priority = 0,             /* after real hardware, before toys */
    .state_size = sizeof(Selftest),

    /* discovery */
    .hw_info_type = SE_IOMMU_HW_INFO_TYPE_SELFTEST,
    .probe = selftest_probe,
    .init = selftest_init,
    .finalize = selftest_finalize,

    /* vIOMMU: in_data goes in, out_data and the region come back */
    .viommu_type = SE_IOMMU_VIOMMU_TYPE_SELFTEST,
    .viommu_data_len = sizeof(struct se_iommu_viommu_selftest),
    .viommu_data_in = selftest_viommu_data_in,
    .viommu_ready = selftest_viommu_ready,
    .viommu_gone = selftest_viommu_gone,

    /* guest MMIO */
    .mmio_size = ST_MMIO_SIZE,
    .mmio_read = selftest_mmio_read,
    .mmio_write = selftest_mmio_write,

    .hw_queue_changed = selftest_hw_queue_changed,

    .veventq_type = SE_IOMMU_VEVENTQ_TYPE_SELFTEST,
    .veventq_depth = ST_EVENTQ_DEPTH,
    .event_size = sizeof(struct se_iommu_viommu_event_selftest),
    .event = selftest_event,

    .vdevice_changed = selftest_vdevice_changed,
    .reset = selftest_reset,
};

SMMU_EXT_MODULE_DEFINE("selftest", "Linux iommufd mock driver "
                       "(CONFIG_IOMMUFD_TEST)", SELFTEST_MODULE_VERSION,
                       "GPL-2.0-or-later", &selftest_ops);
