/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Emulated mode (no host iommufd): the module is the CMDQV hardware.  An
 * enabled queue consumes the commands between CONS and PROD from guest
 * memory and hands each to the host's SMMUv3.  Errors stop the queue the
 * way hardware does: CONS carries the code, GERROR toggles, the error maps
 * and the interrupt tell the guest, and GERRORN = GERROR resumes.
 *
 * Every bound comes from the queue's own LOG2SIZE (capped), so no guest
 * value can make a walk longer than one ring.
 */
#include "tegra241.h"

static bool
tegra241_emu_runnable(Tegra241Cmdqv *s, unsigned q)
{
    const Tegra241Vcmdq *c = &s->r.q[q];

    return tegra241_vintf_enabled(s) && tegra241_vcmdq_allocated(s, q) &&
           (c->config & T241_VCMDQ_CONFIG_EN) && c->gerror == c->gerrorn;
}

static bool
tegra241_emu_cmd_legal(uint8_t op)
{
    switch (op) {
    case T241_CMD_TLBI_NH_ASID:
    case T241_CMD_TLBI_NH_VA:
    case T241_CMD_ATC_INV:
    case T241_CMD_SYNC:
        return true;
    }
    return false;
}

/* Stop at @cons with CONS error @code and tell the guest. */
static void
tegra241_emu_stop(Tegra241Cmdqv *s, unsigned q, uint32_t cons, uint32_t code)
{
    Tegra241Vcmdq *c = &s->r.q[q];

    c->cons = cons | T241_SET(T241_CONS_ERR, code);
    c->gerror ^= T241_GERROR_CMDQ_ERR;
    if (q < 64) {
        tegra241_err_raise(s, 1ull << q, 0);
    } else {
        tegra241_err_raise(s, 0, 1ull << (q - 64));
    }
}

/* Commands @first..@n-1 of @buf, which start at ring position @cons. */
static void
tegra241_emu_execute(Tegra241Cmdqv *s, unsigned q, const uint8_t *buf,
                     uint32_t n, uint32_t cons, uint32_t wrap_mask)
{
    uint32_t i;

    for (i = 0; i < n; i++) {
        uint64_t cmd[2];
        uint8_t op;
        int code;

        memcpy(cmd, buf + i * T241_CMD_BYTES, sizeof(cmd));
        cmd[0] = GUINT64_FROM_LE(cmd[0]);
        cmd[1] = GUINT64_FROM_LE(cmd[1]);
        op = cmd[0] & 0xff;
        if (G_UNLIKELY(s->brk == T241_BREAK_DROP)) {
            s->counters[q][T241_CNT_DROPPED]++;
            continue;
        }
        code = tegra241_emu_cmd_legal(op) ?
               smmu_ext_core_handle_cmd(s->core, cmd) : (int)T241_CONS_ERR_ILL;
        if (code) {
            if (code < 0 || code > 0x7f) {
                code = (int)T241_CONS_ERR_ILL;
            }
            smmu_ext_core_guest_error(s->core, T241_LOG_CMD,
                                      "Tegra241 CMDQV: VCMDQ%u: command "
                                      "0x%02x at CONS 0x%x failed (error "
                                      "%d)", q, op,
                                      (cons + i) & wrap_mask, code);
            tegra241_emu_stop(s, q, (cons + i) & wrap_mask, code);
            return;
        }
        tegra241_count_cmd(s, q, op);
    }
    s->r.q[q].cons = (cons + n) & wrap_mask;
}

static void
tegra241_emu_consume(Tegra241Cmdqv *s, unsigned q)
{
    Tegra241Vcmdq *c = &s->r.q[q];
    unsigned log2size = c->base & T241_BASE_LOG2SIZE;
    uint64_t addr = c->base & T241_BASE_ADDR;
    uint32_t size, wrap_mask, cons, prod, n, idx, first;
    g_autofree uint8_t *buf = NULL;

    /* What a host HW_QUEUE_ALLOC would refuse, the emulation refuses. */
    if (log2size > s->geo.queue_log2_cap ||
        (addr & (((uint64_t)T241_CMD_BYTES << log2size) - 1))) {
        smmu_ext_core_guest_error(s->core, T241_LOG_CMD,
                                  "Tegra241 CMDQV: VCMDQ%u: unusable BASE "
                                  "0x%" G_GINT64_MODIFIER "x (LOG2SIZE cap "
                                  "%u)", q, (guint64)c->base,
                                  s->geo.queue_log2_cap);
        tegra241_vcmdq_raise_init_err(s, q);
        return;
    }

    size = 1u << log2size;
    wrap_mask = (size << 1) - 1;
    cons = c->cons & wrap_mask;
    prod = c->prod & wrap_mask;
    n = (prod - cons) & wrap_mask;
    if (!n) {
        c->cons = cons;
        return;
    }
    /* A PROD more than one ring ahead is clamped to one ring. */
    n = MIN(n, size);
    idx = cons & (size - 1);
    first = MIN(n, size - idx);

    buf = g_malloc((size_t)n * T241_CMD_BYTES);
    if (!smmu_ext_core_dma_read(s->core, addr + (uint64_t)idx * T241_CMD_BYTES,
                                buf, (size_t)first * T241_CMD_BYTES) ||
        (n > first &&
         !smmu_ext_core_dma_read(s->core, addr,
                                 buf + (size_t)first * T241_CMD_BYTES,
                                 (size_t)(n - first) * T241_CMD_BYTES))) {
        smmu_ext_core_guest_error(s->core, T241_LOG_CMD,
                                  "Tegra241 CMDQV: VCMDQ%u: cannot read "
                                  "commands at 0x%" G_GINT64_MODIFIER "x",
                                  q, (guint64)addr);
        tegra241_emu_stop(s, q, cons, T241_CONS_ERR_ABT);
        return;
    }
    tegra241_emu_execute(s, q, buf, n, cons, wrap_mask);
}

void
tegra241_emu_kick(Tegra241Cmdqv *s, unsigned q)
{
    if (tegra241_cmdqv_accel(s) || s->consuming ||
        !tegra241_emu_runnable(s, q)) {
        return;
    }
    s->consuming = true;
    tegra241_emu_consume(s, q);
    s->consuming = false;
}
