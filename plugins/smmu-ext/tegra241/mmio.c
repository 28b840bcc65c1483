/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decode of the 0x50000-byte CMDQV region: offset -> (page, queue slot,
 * register), then dispatch.  Anything the handlers do not claim (bad size,
 * misaligned, reserved, read-only, queue beyond the geometry) reads 0, is
 * dropped, and is reported to the host as a guest error, rate-limited.
 */
#include "tegra241.h"

SmmuExtRatelimit tegra241_guest_rl =
    SMMU_EXT_RATELIMIT_INIT(5 * G_TIME_SPAN_SECOND, 10);

typedef struct Tegra241Decode {
    unsigned page;
    unsigned q;
    uint32_t reg;
} Tegra241Decode;

/* Queue pages only: FALSE when the slot is beyond the geometry. */
static bool
tegra241_decode(const Tegra241Cmdqv *s, uint64_t offset, Tegra241Decode *d)
{
    d->page = offset / T241_PAGE_SIZE;
    d->q = (offset % T241_PAGE_SIZE) / T241_VCMDQ_STRIDE;
    d->reg = offset % T241_VCMDQ_STRIDE;
    return d->q < s->geo.n_queues;
}

static bool
tegra241_access_ok(uint64_t offset, unsigned size)
{
    return offset < T241_MMIO_SIZE && (size == 4 || size == 8) &&
           !(offset & (size - 1));
}

static void
tegra241_bad_access(Tegra241Cmdqv *s, const char *what, uint64_t offset,
                    unsigned size, uint64_t value)
{
    smmu_ext_core_guest_error(s->core, &tegra241_guest_rl,
                              "Tegra241 CMDQV: ignored %s at 0x%05"
                              G_GINT64_MODIFIER "x size %u value 0x%"
                              G_GINT64_MODIFIER "x", what, (guint64)offset,
                              size, (guint64)value);
}

uint64_t
tegra241_mmio_read(void *state, uint64_t offset, unsigned size)
{
    Tegra241Cmdqv *s = state;
    Tegra241Decode d;
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
    if (!tegra241_decode(s, offset, &d)) {
        goto bad;
    }
    switch (d.page) {
    case T241_PAGE_VINTF0_P0:
        /* Hardware drops accesses to an unallocated logical slot. */
        if (!tegra241_vcmdq_allocated(s, d.q)) {
            ok = size == 4;
            break;
        }
        /* fall through */
    case T241_PAGE_VCMDQ0:
        ok = size == 4 && tegra241_vcmdq_page0_read(s, d.q, d.reg, &v32);
        value = v32;
        break;
    case T241_PAGE_VCMDQ1:
    case T241_PAGE_VINTF0_P1:
        ok = tegra241_vcmdq_page1_read(s, d.q, d.reg, size, &value);
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

void
tegra241_mmio_write(void *state, uint64_t offset, uint64_t value,
                    unsigned size)
{
    Tegra241Cmdqv *s = state;
    Tegra241Decode d;
    bool ok = false;

    if (!tegra241_access_ok(offset, size)) {
        goto bad;
    }
    if (size == 4) {
        value = (uint32_t)value;
    }
    if (offset < T241_PAGE_SIZE) {
        ok = tegra241_vintf_write(s, offset, value, size);
        goto out;
    }
    if (!tegra241_decode(s, offset, &d)) {
        goto bad;
    }
    switch (d.page) {
    case T241_PAGE_VINTF0_P0:
        if (!tegra241_vcmdq_allocated(s, d.q)) {
            ok = size == 4;
            break;
        }
        /* fall through */
    case T241_PAGE_VCMDQ0:
        ok = size == 4 && tegra241_vcmdq_page0_write(s, d.q, d.reg, value);
        break;
    case T241_PAGE_VCMDQ1:
    case T241_PAGE_VINTF0_P1:
        ok = tegra241_vcmdq_page1_write(s, d.q, d.reg, value, size);
        break;
    }

out:
    if (ok) {
        return;
    }
bad:
    tegra241_bad_access(s, "write", offset, size, value);
}
