/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Linux guest driver's register sequences, asserting at each step what
 * the real driver needs to read to carry on.
 */
#include "guest.h"

#define POLL_STEPS 8           /* hardware follows within one step */

void
t241g_init(T241Guest *g, SmmuExtVmm *vmm, unsigned log2size)
{
    memset(g, 0, sizeof(*g));
    g->vmm = vmm;
    g->log2size = log2size;
    for (unsigned q = 0; q < G_MAX_QUEUES; q++) {
        /* 64 KiB apart: aligned for every size a test asks for */
        g->ring[q] = G_RAM_GPA + 0x10000ull * q;
    }
}

uint32_t
t241g_r32(T241Guest *g, uint64_t off)
{
    uint32_t v = smmu_ext_vmm_read(g->vmm, off, 4, NULL);

    if (g->trace) {
        g_array_append_val(g->trace, v);
    }
    return v;
}

uint64_t
t241g_r64(T241Guest *g, uint64_t off)
{
    uint64_t v = smmu_ext_vmm_read(g->vmm, off, 8, NULL);

    if (g->trace) {
        uint32_t lo = v, hi = v >> 32;

        g_array_append_val(g->trace, lo);
        g_array_append_val(g->trace, hi);
    }
    return v;
}

void
t241g_w32(T241Guest *g, uint64_t off, uint32_t v)
{
    smmu_ext_vmm_write(g->vmm, off, v, 4, NULL);
}

void
t241g_w64(T241Guest *g, uint64_t off, uint64_t v)
{
    smmu_ext_vmm_write(g->vmm, off, v, 8, NULL);
}

uint32_t
t241g_poll(T241Guest *g, uint64_t off, uint32_t mask, uint32_t want)
{
    GArray *trace = g->trace;
    uint32_t v = 0;

    /* Only the value the poll ends on is traced: hardware and emulation
     * may take a different number of reads to get there. */
    g->trace = NULL;
    for (unsigned i = 0; i < POLL_STEPS; i++) {
        v = t241g_r32(g, off);
        if ((v & mask) == want) {
            break;
        }
        smmu_ext_vmm_step(g->vmm, 1);
    }
    g->trace = trace;
    if (trace) {
        g_array_append_val(trace, v);
    }
    return v;
}

void
t241g_probe(T241Guest *g)
{
    uint32_t param;

    t241g_r32(g, G_CONFIG);
    param = t241g_r32(g, G_PARAM);
    g_assert_cmpuint(param & 0xf, ==, 1);               /* version */
    g_assert_cmpuint((param >> 8) & 0xf, ==, 0);        /* one VINTF */
    g->nq = 1u << ((param >> 4) & 0xf);
    g_assert_cmpuint(g->nq, >=, 2);
    g_assert_cmpuint(g->nq, <=, G_MAX_QUEUES);
}

void
t241g_vcmdq_deinit(T241Guest *g, unsigned q)
{
    uint32_t gerror, gerrorn;

    t241g_w32(g, G_VINTF_P0(q) + G_QCONFIG, 0);
    g_assert_cmphex(t241g_poll(g, G_VINTF_P0(q) + G_QSTATUS, 1, 0) & 1,
                    ==, 0);
    t241g_w32(g, G_VINTF_P0(q) + G_PROD, 0);
    t241g_w32(g, G_VINTF_P0(q) + G_CONS, 0);
    t241g_w64(g, G_VINTF_P1(q) + G_BASE, 0);
    t241g_w64(g, G_VINTF_P1(q) + G_CONS_BASE, 0);
    gerrorn = t241g_r32(g, G_VINTF_P0(q) + G_GERRORN);
    gerror = t241g_r32(g, G_VINTF_P0(q) + G_GERROR);
    if (gerror != gerrorn) {
        t241g_w32(g, G_VINTF_P0(q) + G_GERRORN, gerror);
    }
}

static void
t241g_vintf_deinit(T241Guest *g)
{
    for (unsigned q = g->nq; q-- > 0;) {
        t241g_vcmdq_deinit(g, q);
        t241g_w32(g, G_CMDQ_ALLOC(q), t241g_r32(g, G_CMDQ_ALLOC(q)) & ~1u);
    }
    t241g_w32(g, G_VINTF_CONFIG, 0);
    g_assert_cmphex(t241g_poll(g, G_VINTF_STATUS, 1, 0) & 1, ==, 0);
    for (unsigned s = 0; s < 16; s++) {
        t241g_w32(g, G_SID_MATCH(s), 0);
        t241g_w32(g, G_SID_REPLACE(s), 0);
    }
}

void
t241g_hw_reset(T241Guest *g)
{
    t241g_w32(g, G_CONFIG, t241g_r32(g, G_CONFIG) & ~1u);
    g_assert_cmphex(t241g_poll(g, G_STATUS, 1, 0) & 1, ==, 0);
    t241g_w32(g, G_CONFIG, t241g_r32(g, G_CONFIG) | 1u);
    g_assert_cmphex(t241g_poll(g, G_STATUS, 1, 1) & 1, ==, 1);
    for (unsigned q = 0; q < g->nq; q++) {
        t241g_w32(g, G_CMDQ_ALLOC(q), q << 1);
    }

    /* VINTF hw init, hypervisor-owned requested */
    t241g_vintf_deinit(g);
    t241g_w32(g, G_VINTF_CONFIG, 0x00020000);
    t241g_w32(g, G_VINTF_CONFIG, 0x00020001);
    g_assert_cmphex(t241g_poll(g, G_VINTF_STATUS, 1, 1) & 1, ==, 1);
    /* A guest never owns the VINTF: HYP_OWN reads 0. */
    g_assert_cmphex(t241g_r32(g, G_VINTF_CONFIG) & (1u << 17), ==, 0);

    for (unsigned q = 0; q < g->nq; q++) {
        t241g_w32(g, G_CMDQ_ALLOC(q), t241g_r32(g, G_CMDQ_ALLOC(q)) | 1u);
        t241g_vcmdq_deinit(g, q);
        t241g_w64(g, G_VINTF_P1(q) + G_BASE, g->ring[q] | g->log2size);
        t241g_w32(g, G_VINTF_P0(q) + G_QCONFIG, 1);
        g_assert_cmphex(t241g_poll(g, G_VINTF_P0(q) + G_QSTATUS, 1, 1) & 1,
                        ==, 1);
    }
}

void
t241g_make_cmd(uint64_t cmd[2], uint8_t op)
{
    /* CMD_SYNC with CS = NONE: a VCMDQ is polled, never signalled */
    cmd[0] = op;
    cmd[1] = 0;
}

void
t241g_submit(T241Guest *g, unsigned q, const uint64_t (*cmds)[2],
             unsigned n)
{
    uint32_t size = 1u << g->log2size;
    uint32_t mask = (size << 1) - 1;
    uint32_t prod = t241g_r32(g, G_VINTF_P0(q) + G_PROD) & mask;

    for (unsigned i = 0; i < n; i++) {
        uint64_t le[2] = {
            GUINT64_TO_LE(cmds[i][0]), GUINT64_TO_LE(cmds[i][1]),
        };
        uint64_t gpa = g->ring[q] + 16ull * (prod & (size - 1));

        g_assert_true(smmu_ext_vmm_mem_write(g->vmm, gpa, le, sizeof(le)));
        prod = (prod + 1) & mask;
    }
    t241g_w32(g, G_VINTF_P0(q) + G_PROD, prod);
}

void
t241g_disable(T241Guest *g)
{
    t241g_vintf_deinit(g);
}

void
t241g_dump(T241Guest *g, GArray *out)
{
    static const uint32_t config_regs[] = {
        G_CONFIG, G_PARAM, G_STATUS, G_VI_ERR_MAP_0, G_VI_ERR_MAP_1,
        G_VI_INT_MASK_0, G_VINTF_CONFIG, G_VINTF_STATUS,
    };
    GArray *saved = g->trace;

    g->trace = out;
    for (unsigned i = 0; i < G_N_ELEMENTS(config_regs); i++) {
        t241g_r32(g, config_regs[i]);
    }
    for (unsigned m = 0; m < 4; m++) {
        t241g_r32(g, G_CMDQ_ERR_MAP(m));
        t241g_r32(g, G_LVCMDQ_ERR_MAP(m));
    }
    for (unsigned s = 0; s < 16; s++) {
        t241g_r32(g, G_SID_MATCH(s));
        t241g_r32(g, G_SID_REPLACE(s));
    }
    for (unsigned q = 0; q < g->nq; q++) {
        t241g_r32(g, G_CMDQ_ALLOC(q));
        for (unsigned r = 0; r <= G_GERRORN; r += 4) {
            t241g_r32(g, G_GLOBAL_P0(q) + r);
            t241g_r32(g, G_VINTF_P0(q) + r);
        }
        t241g_r64(g, G_GLOBAL_P1(q) + G_BASE);
        t241g_r64(g, G_VINTF_P1(q) + G_CONS_BASE);
    }
    g->trace = saved;
}
