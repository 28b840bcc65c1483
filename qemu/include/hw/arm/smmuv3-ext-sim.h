/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The smmu-ext simulated host: a user-creatable object that stands in for
 * /dev/iommu and the host SMMU with its Tegra241 CMDQV, so that arm-smmuv3
 * runs a command-queue extension accelerated without the hardware.
 *
 *   -object smmu-ext-sim,id=h0,profile=tegra241
 *   -device arm-smmuv3,primary-bus=pcie.0,cmdqv=on,host=h0
 *
 * The adapter (hw/arm/smmuv3-ext.c) asks it for the iommufd to probe at
 * realize and binds it to the SMMU; from then on the object attaches the
 * PCI devices behind that SMMU as VFIO devices would be, and runs the
 * simulated hardware from a timer.  See docs/qemu-sim-host.md.
 */
#ifndef HW_ARM_SMMUV3_EXT_SIM_H
#define HW_ARM_SMMUV3_EXT_SIM_H

#include "qom/object.h"
#include "hw/arm/smmuv3.h"

#define TYPE_SMMU_EXT_SIM "smmu-ext-sim"
OBJECT_DECLARE_SIMPLE_TYPE(SmmuExtSimHost, SMMU_EXT_SIM)

/* Library handles, opaque to the SMMUv3 model. */
struct SmmuExtIommufd;
struct SmmuExtInstance;

/*
 * For smmuv3_ext_realize(): the host's iommufd and a device bound on it to
 * probe through, exactly what a real host gives (GET_HW_INFO on a VFIO
 * device).  Fails if the host already serves another SMMU.
 */
bool smmuv3_ext_sim_probe_target(SmmuExtSimHost *h,
                                 struct SmmuExtIommufd **iommufd,
                                 uint32_t *dev_id, Error **errp);

/*
 * The extension of @s was selected on this host: attach its devices, run
 * the hardware and execute its commands through @s's command code.
 */
void smmuv3_ext_sim_bind(SmmuExtSimHost *h, SMMUv3State *s,
                         struct SmmuExtInstance *inst);

/*
 * Before the instance of @s is freed: devices detached, timer stopped.
 * Nothing happens unless @s is the bound SMMU.
 */
void smmuv3_ext_sim_unbind(SmmuExtSimHost *h, SMMUv3State *s);

#endif
