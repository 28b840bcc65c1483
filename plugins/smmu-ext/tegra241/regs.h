/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tegra241 CMDQV register map as a guest with one VINTF sees it.
 *
 *   0x00000 config page (global registers, VINTF0 block at 0x1000)
 *   0x10000 global VCMDQ page0     0x20000 global VCMDQ page1
 *   0x30000 VINTF0 logical page0   0x40000 VINTF0 logical page1
 *
 * Every page0/page1 holds one 0x80-byte slot per queue.  Registers are
 * given as byte offsets; fields as masks, read and built with T241_GET /
 * T241_SET so that the shift is never written twice.
 */
#ifndef TEGRA241_REGS_H
#define TEGRA241_REGS_H

#include <stdint.h>

#define T241_BIT(n)             (1u << (n))
/* Bits [hi:lo] of a 32-bit register. */
#define T241_BITS(hi, lo) \
    ((uint32_t)((~0u >> (31 - (hi))) & (~0u << (lo))))
#define T241_GET(mask, v)       (((v) & (mask)) >> __builtin_ctz(mask))
#define T241_SET(mask, v) \
    (((uint32_t)(v) << __builtin_ctz(mask)) & (mask))

#define T241_MMIO_SIZE          0x50000u
#define T241_PAGE_SIZE          0x10000u
#define T241_VCMDQ_STRIDE       0x80u
#define T241_MAX_QUEUES         128u
#define T241_MAX_VSIDS          16u
#define T241_LOG2SIZE_MAX       19u

/* Pages of the region, by offset >> 16. */
enum {
    T241_PAGE_CONFIG = 0,
    T241_PAGE_VCMDQ0 = 1,       /* global page0 */
    T241_PAGE_VCMDQ1 = 2,       /* global page1 */
    T241_PAGE_VINTF0_P0 = 3,    /* VINTF0 logical page0 (may be direct) */
    T241_PAGE_VINTF0_P1 = 4,    /* VINTF0 logical page1 */
};

#define T241_VINTF0_PAGE0       0x30000u

/* --- config page -------------------------------------------------------- */
#define T241_CONFIG             0x000
#define   T241_CONFIG_CMDQV_EN          T241_BIT(0)
#define   T241_CONFIG_PER_CMD_OFFSET    T241_BITS(3, 1)
#define   T241_CONFIG_MAX_CLK_BATCH     T241_BITS(11, 4)
#define   T241_CONFIG_MAX_CMD_BATCH     T241_BITS(19, 12)
#define   T241_CONFIG_CONS_DRAM_EN      T241_BIT(20)
#define   T241_CONFIG_WRITABLE          T241_BITS(20, 0)
#define   T241_CONFIG_RESET             0x00020083u
#define T241_PARAM              0x004
#define   T241_PARAM_VER                T241_BITS(3, 0)
#define   T241_PARAM_NUM_VCMDQ_LOG2     T241_BITS(7, 4)
#define   T241_PARAM_NUM_VINTF_LOG2     T241_BITS(11, 8)
#define   T241_PARAM_NUM_SID_LOG2       T241_BITS(15, 12)
#define T241_STATUS             0x008
#define   T241_STATUS_CMDQV_ENABLED     T241_BIT(0)
#define T241_VI_ERR_MAP_0       0x014
#define T241_VI_ERR_MAP_1       0x018
#define T241_VI_INT_MASK_0      0x01c
#define T241_VI_INT_MASK_1      0x020
#define T241_CMDQ_ERR_MAP_0     0x024   /* four words up to 0x030 */
#define T241_CMDQ_ERR_MAP_3     0x030
#define T241_CMDQ_ALLOC_0       0x200   /* + 4 * global queue index */
#define   T241_CMDQ_ALLOC_ALLOCATED     T241_BIT(0)
#define   T241_CMDQ_ALLOC_LVCMDQ        T241_BITS(7, 1)
#define   T241_CMDQ_ALLOC_VINTF         T241_BITS(20, 15)
#define   T241_CMDQ_ALLOC_WRITABLE      (T241_CMDQ_ALLOC_ALLOCATED | \
                                         T241_CMDQ_ALLOC_LVCMDQ |    \
                                         T241_CMDQ_ALLOC_VINTF)

/* --- VINTF0 block (config page offsets) --------------------------------- */
#define T241_VINTF0             0x1000
#define T241_VINTF_CONFIG       0x1000
#define   T241_VINTF_CONFIG_EN          T241_BIT(0)
#define   T241_VINTF_CONFIG_VMID        T241_BITS(16, 1)
#define   T241_VINTF_CONFIG_HYP_OWN     T241_BIT(17)
/* HYP_OWN is the host's: a guest write never sets it. */
#define   T241_VINTF_CONFIG_WRITABLE    (T241_VINTF_CONFIG_EN | \
                                         T241_VINTF_CONFIG_VMID)
#define T241_VINTF_STATUS       0x1004
#define   T241_VINTF_STATUS_ENABLED     T241_BIT(0)
#define   T241_VINTF_STATUS_CODE        T241_BITS(3, 1)
#define   T241_VINTF_STATUS_VCMDQ_ERROR 1u
#define   T241_VINTF_STATUS_NUM_LVCMDQ  T241_BITS(23, 16)
#define T241_VINTF_SID_MATCH_0  0x1040  /* + 4 * slot */
#define   T241_SID_MATCH_WRITABLE       T241_BITS(20, 0)
#define T241_VINTF_SID_REPLACE_0 0x1080 /* + 4 * slot */
#define   T241_SID_REPLACE_WRITABLE     T241_BITS(19, 0)
#define T241_VINTF_LVCMDQ_ERR_MAP_0 0x10c0  /* four words up to 0x10cc */
#define T241_VINTF_LVCMDQ_ERR_MAP_3 0x10cc

/* --- VCMDQ page0 slot --------------------------------------------------- */
#define T241_VCMDQ_CONS         0x00
#define   T241_CONS_ERR                 T241_BITS(30, 24)
#define   T241_CONS_ERR_NONE            0u
#define   T241_CONS_ERR_ILL             1u
#define   T241_CONS_ERR_ABT             2u
#define T241_VCMDQ_PROD         0x04
#define T241_VCMDQ_CONFIG       0x08
#define   T241_VCMDQ_CONFIG_EN          T241_BIT(0)
#define T241_VCMDQ_STATUS       0x0c
#define   T241_VCMDQ_STATUS_ENABLED     T241_BIT(0)
#define T241_VCMDQ_GERROR       0x10
#define T241_VCMDQ_GERRORN      0x14
#define   T241_GERROR_CMDQ_ERR          T241_BIT(0)
#define   T241_GERROR_CONS_DRAM_WR_ABT  T241_BIT(1)
#define   T241_GERROR_CMDQ_INIT_ERR     T241_BIT(2)
#define   T241_GERROR_WRITABLE          T241_BITS(2, 0)

/* --- VCMDQ page1 slot --------------------------------------------------- */
#define T241_VCMDQ_BASE_L       0x00
#define T241_VCMDQ_BASE_H       0x04
#define T241_VCMDQ_CONS_BASE_L  0x08
#define T241_VCMDQ_CONS_BASE_H  0x0c
#define   T241_BASE_LOG2SIZE            0x1full
#define   T241_BASE_ADDR                0x0000ffffffffffe0ull
#define   T241_BASE_WRITABLE            0x0000ffffffffffffull

/* --- SMMUv3 command opcodes a guest may put in a VCMDQ ------------------ */
#define T241_CMD_TLBI_NH_ASID   0x11
#define T241_CMD_TLBI_NH_VA     0x12
#define T241_CMD_ATC_INV        0x40
#define T241_CMD_SYNC           0x46
#define T241_CMD_BYTES          16u

#endif /* TEGRA241_REGS_H */
