/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A Linux guest's Tegra241 CMDQV driver, reduced to its register
 * sequences (tegra241-cmdqv.md 3.10), played against the reference VMM.
 * Offsets are written out from the design document on purpose: the tests
 * must not share the module's own register map.
 */
#ifndef TEST_TEGRA241_GUEST_H
#define TEST_TEGRA241_GUEST_H

#include "smmu-ext-sim.h"

/* config page */
#define G_CONFIG            0x000
#define G_PARAM             0x004
#define G_STATUS            0x008
#define G_VI_ERR_MAP_0      0x014
#define G_VI_ERR_MAP_1      0x018
#define G_VI_INT_MASK_0     0x01c
#define G_CMDQ_ERR_MAP(m)   (0x024 + 4 * (m))
#define G_CMDQ_ALLOC(q)     (0x200 + 4 * (q))
#define G_VINTF_CONFIG      0x1000
#define G_VINTF_STATUS      0x1004
#define G_SID_MATCH(s)      (0x1040 + 4 * (s))
#define G_SID_REPLACE(s)    (0x1080 + 4 * (s))
#define G_LVCMDQ_ERR_MAP(m) (0x10c0 + 4 * (m))
/* queue pages */
#define G_GLOBAL_P0(q)      (0x10000 + 0x80 * (q))
#define G_GLOBAL_P1(q)      (0x20000 + 0x80 * (q))
#define G_VINTF_P0(q)       (0x30000 + 0x80 * (q))
#define G_VINTF_P1(q)       (0x40000 + 0x80 * (q))
#define G_CONS              0x00
#define G_PROD              0x04
#define G_QCONFIG           0x08
#define G_QSTATUS           0x0c
#define G_GERROR            0x10
#define G_GERRORN           0x14
#define G_BASE              0x00
#define G_CONS_BASE         0x08

#define G_CMD_TLBI_NH_ASID  0x11
#define G_CMD_TLBI_NH_VA    0x12
#define G_CMD_ATC_INV       0x40
#define G_CMD_SYNC          0x46
#define G_CMD_CFGI_STE      0x03    /* never legal in a VCMDQ */

#define G_RAM_GPA           0x80000000ull
#define G_MAX_QUEUES        8

typedef struct T241Guest {
    SmmuExtVmm *vmm;
    unsigned nq;               /* from PARAM */
    unsigned log2size;         /* of every queue */
    uint64_t ring[G_MAX_QUEUES];
    GArray *trace;             /* every value read, if non-NULL */
} T241Guest;

void t241g_init(T241Guest *g, SmmuExtVmm *vmm, unsigned log2size);
uint32_t t241g_r32(T241Guest *g, uint64_t off);
uint64_t t241g_r64(T241Guest *g, uint64_t off);
void t241g_w32(T241Guest *g, uint64_t off, uint32_t v);
void t241g_w64(T241Guest *g, uint64_t off, uint64_t v);
/* Poll until (read & mask) == want, stepping the hardware in between. */
uint32_t t241g_poll(T241Guest *g, uint64_t off, uint32_t mask,
                    uint32_t want);
/* Probe, then device reset up to every queue enabled (3.10). */
void t241g_probe(T241Guest *g);
void t241g_hw_reset(T241Guest *g);
void t241g_vcmdq_deinit(T241Guest *g, unsigned q);
/* Put @n commands at PROD and publish them; the hardware consumes them. */
void t241g_submit(T241Guest *g, unsigned q, const uint64_t (*cmds)[2],
                  unsigned n);
void t241g_make_cmd(uint64_t cmd[2], uint8_t op);
/* device_disable: every queue down (descending), VINTF off. */
void t241g_disable(T241Guest *g);
/* Append every register a guest can read without changing queue state
 * (both page0 apertures, page1, the config page and VINTF0) to @out. */
void t241g_dump(T241Guest *g, GArray *out);

#endif /* TEST_TEGRA241_GUEST_H */
