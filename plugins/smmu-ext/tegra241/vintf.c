/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The CMDQV config page: global registers, CMDQ_ALLOC, and the VINTF0
 * block at 0x1000.  Also decides when the host VINTF page0 may be laid
 * directly over the guest's 0x30000 aperture.
 */
#include "tegra241.h"

void
tegra241_vintf_recount(Tegra241Cmdqv *s)
{
    unsigned q;

    s->n_allocated = 0;
    for (q = 0; q < s->geo.n_queues; q++) {
        s->n_allocated += tegra241_vcmdq_allocated(s, q);
    }
}

/* 64-bit reads are honoured only where Linux uses readq. */
bool
tegra241_vintf_read(Tegra241Cmdqv *s, uint32_t offset, unsigned size,
                    uint64_t *value)
{
    unsigned i;

    if (size == 8) {
        if (offset != T241_VINTF_LVCMDQ_ERR_MAP_0 &&
            offset != T241_VINTF_LVCMDQ_ERR_MAP_0 + 8) {
            return false;
        }
        tegra241_err_refresh(s);
        i = (offset - T241_VINTF_LVCMDQ_ERR_MAP_0) / 4;
        *value = s->r.err_map[i] | (uint64_t)s->r.err_map[i + 1] << 32;
        return true;
    }

    switch (offset) {
    case T241_CONFIG:
        *value = s->r.config;
        return true;
    case T241_PARAM:
        *value = s->param;
        return true;
    case T241_STATUS:
        *value = tegra241_status(s);
        return true;
    case T241_VI_ERR_MAP_0:
    case T241_VI_ERR_MAP_1:
        tegra241_err_refresh(s);
        *value = s->r.vi_err_map[(offset - T241_VI_ERR_MAP_0) / 4];
        return true;
    case T241_VI_INT_MASK_0:
    case T241_VI_INT_MASK_1:
        *value = s->r.vi_int_mask[(offset - T241_VI_INT_MASK_0) / 4];
        return true;
    case T241_CMDQ_ERR_MAP_0 ... T241_CMDQ_ERR_MAP_3:
        tegra241_err_refresh(s);
        *value = s->r.err_map[(offset - T241_CMDQ_ERR_MAP_0) / 4];
        return true;
    case T241_VINTF_CONFIG:
        *value = s->r.vintf_config;
        return true;
    case T241_VINTF_STATUS:
        tegra241_err_refresh(s);
        *value = tegra241_vintf_status(s);
        return true;
    case T241_VINTF_LVCMDQ_ERR_MAP_0 ... T241_VINTF_LVCMDQ_ERR_MAP_3:
        tegra241_err_refresh(s);
        *value = s->r.err_map[(offset - T241_VINTF_LVCMDQ_ERR_MAP_0) / 4];
        return true;
    }

    if (offset >= T241_CMDQ_ALLOC_0 &&
        offset < T241_CMDQ_ALLOC_0 + 4 * s->geo.n_queues) {
        *value = s->r.cmdq_alloc[(offset - T241_CMDQ_ALLOC_0) / 4];
        return true;
    }
    if (offset >= T241_VINTF_SID_MATCH_0 &&
        offset < T241_VINTF_SID_MATCH_0 + 4 * s->geo.n_vsids) {
        *value = s->r.sid_match[(offset - T241_VINTF_SID_MATCH_0) / 4];
        return true;
    }
    if (offset >= T241_VINTF_SID_REPLACE_0 &&
        offset < T241_VINTF_SID_REPLACE_0 + 4 * s->geo.n_vsids) {
        *value = s->r.sid_replace[(offset - T241_VINTF_SID_REPLACE_0) / 4];
        return true;
    }
    return false;
}

static void
tegra241_config_write(Tegra241Cmdqv *s, uint32_t value)
{
    s->r.config = value & T241_CONFIG_WRITABLE;
    tegra241_vcmdq_update_all(s);
}

static void
tegra241_vintf_config_write(Tegra241Cmdqv *s, uint32_t value)
{
    s->r.vintf_config = value & T241_VINTF_CONFIG_WRITABLE;
    tegra241_vcmdq_update_all(s);
}

static void
tegra241_cmdq_alloc_write(Tegra241Cmdqv *s, unsigned q, uint32_t value)
{
    /*
     * The LVCMDQ and VINTF fields are kept but one VINTF means global
     * queue q is always logical queue q of VINTF0, which is what a Linux
     * guest programs anyway.
     */
    s->n_allocated -= tegra241_vcmdq_allocated(s, q);
    s->r.cmdq_alloc[q] = value & T241_CMDQ_ALLOC_WRITABLE;
    s->n_allocated += tegra241_vcmdq_allocated(s, q);
    tegra241_vcmdq_update(s, q);
    tegra241_vintf_overlay_update(s);
}

bool
tegra241_vintf_write(Tegra241Cmdqv *s, uint32_t offset, uint64_t value,
                     unsigned size)
{
    uint32_t v = value;

    if (size != 4) {
        return false;
    }
    switch (offset) {
    case T241_CONFIG:
        tegra241_config_write(s, v);
        return true;
    case T241_VI_INT_MASK_0:
    case T241_VI_INT_MASK_1:
        s->r.vi_int_mask[(offset - T241_VI_INT_MASK_0) / 4] = v;
        return true;
    case T241_VINTF_CONFIG:
        tegra241_vintf_config_write(s, v);
        return true;
    }

    if (offset >= T241_CMDQ_ALLOC_0 &&
        offset < T241_CMDQ_ALLOC_0 + 4 * s->geo.n_queues) {
        tegra241_cmdq_alloc_write(s, (offset - T241_CMDQ_ALLOC_0) / 4, v);
        return true;
    }
    /* Cached only: the kernel programs the real slots on VDEVICE_ALLOC. */
    if (offset >= T241_VINTF_SID_MATCH_0 &&
        offset < T241_VINTF_SID_MATCH_0 + 4 * s->geo.n_vsids) {
        s->r.sid_match[(offset - T241_VINTF_SID_MATCH_0) / 4] =
            v & T241_SID_MATCH_WRITABLE;
        return true;
    }
    if (offset >= T241_VINTF_SID_REPLACE_0 &&
        offset < T241_VINTF_SID_REPLACE_0 + 4 * s->geo.n_vsids) {
        s->r.sid_replace[(offset - T241_VINTF_SID_REPLACE_0) / 4] =
            v & T241_SID_REPLACE_WRITABLE;
        return true;
    }
    return false;
}

/*
 * The host page may stand in for 0x30000 only while both views agree:
 * every allocated queue is live in hardware as the guest sees it (not
 * held, not translated) and none carries an INIT_ERR that only the cache
 * knows about.
 */
static bool
tegra241_vintf_overlay_wanted(Tegra241Cmdqv *s)
{
    bool any_live = false;
    unsigned q;

    if (!s->page || !tegra241_cmdqv_accel(s) || !tegra241_vintf_enabled(s)) {
        return false;
    }
    /* The guest suite's control: every doorbell must then trap. */
    if (G_UNLIKELY(s->brk == T241_BREAK_TRAP)) {
        return false;
    }
    for (q = 0; q < s->geo.n_queues; q++) {
        if (tegra241_vcmdq_init_err_pending(s, q)) {
            return false;
        }
        if (tegra241_vcmdq_allocated(s, q) && !tegra241_vcmdq_on_hw(s, q)) {
            return false;
        }
        any_live |= tegra241_vcmdq_on_hw(s, q);
    }
    return any_live;
}

void
tegra241_vintf_overlay_update(Tegra241Cmdqv *s)
{
    bool mapped = smmu_ext_core_direct_mapped(s->core, T241_VINTF0_PAGE0);
    bool wanted = tegra241_vintf_overlay_wanted(s);
    g_autoptr(GError) err = NULL;

    if (wanted == mapped) {
        return;
    }
    if (!wanted) {
        smmu_ext_core_unmap_direct(s->core, T241_VINTF0_PAGE0);
        return;
    }
    /* Failing to map only costs speed: accesses keep trapping. */
    if (!smmu_ext_core_map_direct(s->core, T241_VINTF0_PAGE0, s->page,
                                  MIN(s->page_len, T241_PAGE_SIZE), &err)) {
        smmu_ext_core_log_limited(s->core, T241_LOG_MAP, G_LOG_LEVEL_WARNING,
                                  "Tegra241 CMDQV: VINTF0 page0 stays "
                                  "trapped: %s", err->message);
    }
}
