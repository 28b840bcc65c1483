/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * arm-smmuv3 command-queue extensions loaded through libsmmu-ext.
 *
 * The SMMUv3 model calls these few functions; everything else about an
 * extension (its registers, queues, host objects) stays in the library and
 * its module.  An extension that is selected owns SysBus MMIO region 1 and
 * SysBus IRQ 4 of the device (after the SMMU's region and four IRQs).
 */
#ifndef HW_ARM_SMMUV3_EXT_H
#define HW_ARM_SMMUV3_EXT_H

#include "hw/arm/smmuv3.h"

/* Registers the read-only "cmdqv-selected" property and describes "cmdqv". */
void smmuv3_ext_class_init(ObjectClass *oc);

/* Parse s->cmdqv, select the extension and give it its region and IRQ. */
bool smmuv3_ext_realize(SMMUv3State *s, Error **errp);

/*
 * After smmuv3_init_regs(): extension registers to reset values, and the
 * extension's cap on IDR1.CMDQS applied again.
 */
void smmuv3_ext_reset(SMMUv3State *s);

void smmuv3_ext_finalize(SMMUv3State *s);

/* The selected extension's name, or "none". */
const char *smmuv3_ext_selected(SMMUv3State *s);

/* Size of the extension's MMIO region (SysBus MMIO 1); 0 when none. */
uint64_t smmuv3_ext_mmio_size(SMMUv3State *s);

/* A vmstate subsection of "smmuv3": the extension's saved state. */
extern const VMStateDescription vmstate_smmuv3_ext;

#endif
