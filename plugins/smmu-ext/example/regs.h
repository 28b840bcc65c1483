/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Register map of the "example" extension: a TOY, not a model of any
 * hardware.  Every number below is made up for the module author's guide
 * (docs/smmu-ext-api.md); no kernel reports its hw_info type.
 *
 * One 4 KiB page, little-endian, 4-byte registers unless noted:
 *   0x000 ID        RO   EXAMPLE_ID_VALUE
 *   0x004 CTRL      RW   EN, IRQ_EN; other bits read as zero
 *   0x008 STATUS    RO   ENABLED mirrors CTRL.EN; DONE, ERR and ERRCODE
 *                        describe the last command; W1C on DONE and ERR
 *   0x010 DOORBELL  WO   8 bytes: guest address of one 16-byte SMMUv3
 *                        command; reads as zero
 *   0x018 CMD_COUNT RO   commands handed to the host's SMMUv3
 */
#ifndef SMMU_EXT_EXAMPLE_REGS_H
#define SMMU_EXT_EXAMPLE_REGS_H

/* Made-up kernel-facing numbers: 0x7e57 ("test") is no IOMMU_* value. */
#define EXAMPLE_HW_INFO_TYPE    0x7e57
#define EXAMPLE_VIOMMU_TYPE     0x7e57
#define EXAMPLE_VEVENTQ_TYPE    0x7e57

#define EXAMPLE_MMIO_SIZE       0x1000
#define EXAMPLE_IRQ_LINE        0

#define A_EXAMPLE_ID            0x000
#define   EXAMPLE_ID_VALUE      0x7e570100u  /* type 0x7e57, version 1.0 */

#define A_EXAMPLE_CTRL          0x004
#define   EXAMPLE_CTRL_EN       (1u << 0)
#define   EXAMPLE_CTRL_IRQ_EN   (1u << 1)
#define   EXAMPLE_CTRL_MASK     (EXAMPLE_CTRL_EN | EXAMPLE_CTRL_IRQ_EN)

#define A_EXAMPLE_STATUS        0x008
#define   EXAMPLE_STATUS_ENABLED      (1u << 0)
#define   EXAMPLE_STATUS_DONE         (1u << 1)
#define   EXAMPLE_STATUS_ERR          (1u << 2)
#define   EXAMPLE_STATUS_ERRCODE_SHIFT 8
#define   EXAMPLE_STATUS_ERRCODE_MASK  (0xffu << EXAMPLE_STATUS_ERRCODE_SHIFT)
#define   EXAMPLE_STATUS_W1C    (EXAMPLE_STATUS_DONE | EXAMPLE_STATUS_ERR)

#define A_EXAMPLE_DOORBELL      0x010
#define   EXAMPLE_CMD_BYTES     16       /* one SMMUv3 command: 2 words */

#define A_EXAMPLE_CMD_COUNT     0x018

/* ERRCODE values: 1..0x7f are the host's CONS error codes (1 = illegal
 * command); these two are the extension's own. */
#define EXAMPLE_ERR_DMA         0x80     /* command not readable */
#define EXAMPLE_ERR_ALIGN       0x81     /* address not 16-byte aligned */

/* The extension's event record (vEVENTQ payload, and what the emulated
 * doorbell posts to itself): two little-endian 32-bit words. */
typedef struct ExampleEvent {
    uint32_t errcode;          /* ERRCODE value, 0: success */
    uint32_t reserved;
} ExampleEvent;

/* The made-up hw_info payload a kernel would return for this type. */
typedef struct ExampleHwInfo {
    uint32_t version;          /* 1 */
    uint32_t flags;            /* 0 */
} ExampleHwInfo;

#endif /* SMMU_EXT_EXAMPLE_REGS_H */
