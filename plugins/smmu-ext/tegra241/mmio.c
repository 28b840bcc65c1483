/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decode of the 0x50000-byte CMDQV region: offset -> (page, queue slot,
 * register), then dispatch.
 *
 * Every trapped access costs a VM exit, and the core's dispatch adds a call
 * through a function pointer, so the accesses a running Linux guest makes
 * (32-bit config-page reads, page0 accesses of a queue the hardware runs,
 * LVCMDQ_ERR_MAP with nothing to report, an unchanged BASE) are served here
 * with no call at all.  Everything else, and anything the fast path is not
 * sure of, goes to the complete handlers in vintf.c and vcmdq.c through
 * tegra241_mmio_read_full/write_full.  Both use the inline helpers of
 * tegra241.h, so a register has one definition.
 *
 * Anything the handlers do not claim (bad size, misaligned, reserved,
 * read-only, queue beyond the geometry) reads 0, is dropped, and is
 * reported to the host as a guest error, rate-limited.
 */
#include "tegra241.h"

#define T241_COLD __attribute__((noinline, cold))

/* Queue slot and register of an offset inside a queue page. */
static inline unsigned
tegra241_slot(uint64_t offset)
{
    return (offset % T241_PAGE_SIZE) / T241_VCMDQ_STRIDE;
}

static inline uint32_t
tegra241_slot_reg(uint64_t offset)
{
    return offset % T241_VCMDQ_STRIDE;
}

static bool
tegra241_access_ok(uint64_t offset, unsigned size)
{
    return offset < T241_MMIO_SIZE && (size == 4 || size == 8) &&
           !(offset & (size - 1));
}

static T241_COLD void
tegra241_bad_access(Tegra241Cmdqv *s, const char *what, uint64_t offset,
                    unsigned size, uint64_t value)
{
    smmu_ext_core_guest_error(s->core, T241_LOG_MMIO,
                              "Tegra241 CMDQV: ignored %s at 0x%05"
                              G_GINT64_MODIFIER "x size %u value 0x%"
                              G_GINT64_MODIFIER "x", what, (guint64)offset,
                              size, (guint64)value);
}

/* --- complete handlers ---------------------------------------------------- */

static G_GNUC_NO_INLINE uint64_t
tegra241_mmio_read_full(Tegra241Cmdqv *s, uint64_t offset, unsigned size)
{
    unsigned q = tegra241_slot(offset);
    uint32_t reg = tegra241_slot_reg(offset);
    uint64_t value = 0;
    uint32_t v32 = 0;
    bool ok = false;

    if (!tegra241_access_ok(offset, size)) {
        goto bad;
    }
    if (offset < T241_PAGE_SIZE) {
        ok = tegra241_vintf_read(s, offset, size, &value);
        goto out;
    }
    if (q >= s->geo.n_queues) {
        goto bad;
    }
    switch (offset / T241_PAGE_SIZE) {
    case T241_PAGE_VINTF0_P0:
        /* Hardware drops accesses to an unallocated logical slot. */
        if (!tegra241_vcmdq_allocated(s, q)) {
            ok = size == 4;
            break;
        }
        /* fall through */
    case T241_PAGE_VCMDQ0:
        ok = size == 4 && tegra241_vcmdq_page0_read(s, q, reg, &v32);
        value = v32;
        break;
    case T241_PAGE_VCMDQ1:
    case T241_PAGE_VINTF0_P1:
        ok = tegra241_vcmdq_page1_read(s, q, reg, size, &value);
        break;
    }

out:
    if (ok) {
        return value;
    }
bad:
    tegra241_bad_access(s, "read", offset, size, 0);
    return 0;
}

static G_GNUC_NO_INLINE void
tegra241_mmio_write_full(Tegra241Cmdqv *s, uint64_t offset, uint64_t value,
                         unsigned size)
{
    unsigned q = tegra241_slot(offset);
    uint32_t reg = tegra241_slot_reg(offset);
    bool ok = false;

    if (!tegra241_access_ok(offset, size)) {
        goto bad;
    }
    if (size == 4) {
        value = (uint32_t)value;
    }
    if (G_UNLIKELY(s->brk == T241_BREAK_DISABLE)) {
        /* Test-only: the enables never take, so nothing reports enabled. */
        if (offset == T241_CONFIG) {
            value &= ~(uint64_t)T241_CONFIG_CMDQV_EN;
        } else if (offset == T241_VINTF_CONFIG) {
            value &= ~(uint64_t)T241_VINTF_CONFIG_EN;
        }
    }
    if (offset < T241_PAGE_SIZE) {
        ok = tegra241_vintf_write(s, offset, value, size);
        goto out;
    }
    if (q >= s->geo.n_queues) {
        goto bad;
    }
    switch (offset / T241_PAGE_SIZE) {
    case T241_PAGE_VINTF0_P0:
        if (!tegra241_vcmdq_allocated(s, q)) {
            ok = size == 4;
            break;
        }
        /* fall through */
    case T241_PAGE_VCMDQ0:
        ok = size == 4 && tegra241_vcmdq_page0_write(s, q, reg, value);
        break;
    case T241_PAGE_VCMDQ1:
    case T241_PAGE_VINTF0_P1:
        ok = tegra241_vcmdq_page1_write(s, q, reg, value, size);
        break;
    }

out:
    if (ok) {
        return;
    }
bad:
    tegra241_bad_access(s, "write", offset, size, value);
}

/* --- fast path ------------------------------------------------------------ */

/*
 * Queue q's page0 slot in either aperture, when the host page serves it:
 * the hardware register is the answer.  The VINTF0 aperture drops accesses
 * to an unallocated slot, which is left to the full handler.
 */
static inline bool
tegra241_page0_on_hw(Tegra241Cmdqv *s, uint64_t offset, unsigned q)
{
    if (q >= T241_MAX_QUEUES || !tegra241_vcmdq_on_hw(s, q)) {
        return false;
    }
    return offset < T241_VINTF0_PAGE0 || tegra241_vcmdq_allocated(s, q);
}

static inline bool
tegra241_is_page0(uint64_t offset)
{
    return offset - T241_PAGE_VCMDQ0 * T241_PAGE_SIZE < T241_PAGE_SIZE ||
           offset - T241_PAGE_VINTF0_P0 * T241_PAGE_SIZE < T241_PAGE_SIZE;
}

/* 32-bit, aligned, on the config page: the registers Linux polls. */
static inline bool
tegra241_config_read_fast(Tegra241Cmdqv *s, uint64_t offset,
                          uint64_t *value)
{
    switch (offset) {
    case T241_STATUS:
        *value = tegra241_status(s);
        return true;
    case T241_PARAM:
        *value = s->param;
        return true;
    case T241_CONFIG:
        *value = s->r.config;
        return true;
    case T241_VINTF_CONFIG:
        *value = s->r.vintf_config;
        return true;
    case T241_VINTF_STATUS:
        if (tegra241_err_any(s)) {
            return false;
        }
        s->r.vi_err_map[0] &= ~1u;      /* tegra241_err_refresh() */
        *value = tegra241_vintf_status(s);
        return true;
    }
    if (offset - T241_CMDQ_ALLOC_0 < 4 * s->geo.n_queues) {
        *value = s->r.cmdq_alloc[(offset - T241_CMDQ_ALLOC_0) / 4];
        return true;
    }
    return false;
}

uint64_t
tegra241_mmio_read(void *state, uint64_t offset, unsigned size)
{
    Tegra241Cmdqv *s = state;
    unsigned q = tegra241_slot(offset);
    uint32_t reg = tegra241_slot_reg(offset);
    uint64_t value;

    if (size == 4 && !(offset & 3)) {
        if (offset < T241_PAGE_SIZE) {
            if (tegra241_config_read_fast(s, offset, &value)) {
                return value;
            }
        } else if (tegra241_is_page0(offset) && reg <= T241_VCMDQ_GERRORN &&
                   tegra241_page0_on_hw(s, offset, q)) {
            return tegra241_vcmdq_hw_read(s, q, reg);
        }
    } else if (size == 8 && (offset == T241_VINTF_LVCMDQ_ERR_MAP_0 ||
                             offset == T241_VINTF_LVCMDQ_ERR_MAP_0 + 8) &&
               !tegra241_err_any(s)) {
        s->r.vi_err_map[0] &= ~1u;      /* tegra241_err_refresh() */
        return 0;
    }
    return tegra241_mmio_read_full(s, offset, size);
}

/*
 * A 64-bit BASE write that changes nothing, to a queue the hardware runs
 * while the host page is laid over 0x30000, is dropped: the full handler
 * would find the core's HW queue already there (set is a no-op for an
 * identical live queue, and every change of BASE, ALLOC or enable since
 * went through the core, which takes live[] down first), and the overlay
 * both wanted and mapped (every change of what it depends on is followed
 * by tegra241_vintf_overlay_update(), and a queue going away unmaps it).
 * Out of line: the call to the core needs a stack frame.
 */
static G_GNUC_NO_INLINE void
tegra241_base_write(Tegra241Cmdqv *s, uint64_t offset, uint64_t value)
{
    unsigned q = tegra241_slot(offset);

    if (q < T241_MAX_QUEUES && tegra241_vcmdq_on_hw(s, q) &&
        (value & T241_BASE_WRITABLE) == s->r.q[q].base &&
        smmu_ext_core_direct_mapped(s->core, T241_VINTF0_PAGE0)) {
        return;
    }
    tegra241_mmio_write_full(s, offset, value, 8);
}

void
tegra241_mmio_write(void *state, uint64_t offset, uint64_t value,
                    unsigned size)
{
    Tegra241Cmdqv *s = state;

    if (size == 4 && tegra241_is_page0(offset) &&
        tegra241_page0_on_hw(s, offset, tegra241_slot(offset))) {
        switch (tegra241_slot_reg(offset)) {
        case T241_VCMDQ_CONS:
        case T241_VCMDQ_PROD:
        case T241_VCMDQ_CONFIG:
        case T241_VCMDQ_GERRORN:
            tegra241_vcmdq_hw_write(s, tegra241_slot(offset),
                                    tegra241_slot_reg(offset), value);
            return;
        }
    } else if (size == 8 && tegra241_slot_reg(offset) == T241_VCMDQ_BASE_L &&
               offset >= T241_PAGE_VCMDQ1 * T241_PAGE_SIZE &&
               offset < T241_MMIO_SIZE &&
               offset / T241_PAGE_SIZE != T241_PAGE_VINTF0_P0) {
        tegra241_base_write(s, offset, value);
        return;
    }
    tegra241_mmio_write_full(s, offset, value, size);
}
