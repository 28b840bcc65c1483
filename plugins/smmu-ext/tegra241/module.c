/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NVIDIA Tegra241 CMDQV extension module: the descriptor and its ops.
 */
#include "tegra241.h"

static const SmmuExtOps tegra241_ops = {
    .size = sizeof(SmmuExtOps),
    .flags = SMMU_EXT_OPS_EMULATION,
    .priority = 100,
    .state_size = sizeof(Tegra241Cmdqv),

    /* discovery */
    .hw_info_type = SE_IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV,
    .probe = tegra241_cmdqv_probe,
    .init = tegra241_cmdqv_init,
    .finalize = tegra241_cmdqv_finalize,

    /* vIOMMU: the kernel writes back where VINTF page0 can be mmap'd */
    .viommu_type = SE_IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV,
    .viommu_data_len = sizeof(struct se_iommu_viommu_tegra241_cmdqv),
    .viommu_ready = tegra241_cmdqv_viommu_ready,
    .viommu_gone = tegra241_cmdqv_viommu_gone,

    /* guest MMIO */
    .mmio_size = T241_MMIO_SIZE,
    .mmio_read = tegra241_mmio_read,
    .mmio_write = tegra241_mmio_write,

    .hw_queue_changed = tegra241_vcmdq_hw_queue_changed,

    /* queue errors found by the host hardware */
    .veventq_type = SE_IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV,
    .veventq_depth = 64,
    .event_size = sizeof(struct se_iommu_vevent_tegra241_cmdqv),
    .event = tegra241_event,

    .vdevice_changed = tegra241_cmdqv_vdevice_changed,
    .reset = tegra241_cmdqv_reset,
    .save = tegra241_state_save,
    .load = tegra241_state_load,
    .counters = tegra241_counters,
};

SMMU_EXT_MODULE_DEFINE("tegra241", "NVIDIA Tegra241 CMDQV",
                       TEGRA241_MODULE_VERSION, "GPL-2.0-or-later",
                       &tegra241_ops);
