/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tegra241 CMDQV: probe, geometry, the vIOMMU's host page, reset.
 */
#include "tegra241.h"

#define T241_VERSION            1u
#define T241_DEFAULT_LOG2VCMDQS 1u
#define T241_DEFAULT_LOG2VSIDS  4u
#define T241_MIN_LOG2VSIDS      4u
#define T241_IDR1_CMDQS(idr1)   (((idr1) >> 21) & 0x1f)

bool
tegra241_cmdqv_accel(const Tegra241Cmdqv *s)
{
    return smmu_ext_core_accelerated(s->core);
}

bool
tegra241_cmdqv_probe(const SmmuExtProbeInput *in, SmmuExtGeometry *geo,
                     GError **errp)
{
    const struct se_iommu_hw_info_tegra241_cmdqv *info;
    unsigned log2vcmdqs = T241_DEFAULT_LOG2VCMDQS;
    unsigned log2vsids = T241_DEFAULT_LOG2VSIDS;
    uint32_t cap = T241_LOG2SIZE_MAX;

    if (in) {
        if (in->type != SE_IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV) {
            g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DECLINED,
                        "Tegra241 CMDQV: unexpected hw_info type %u "
                        "(expected %u)", in->type,
                        SE_IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV);
            return false;
        }
        if (!in->data || in->len < sizeof(*info)) {
            g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DECLINED,
                        "Tegra241 CMDQV: hw_info too short (%zu bytes, "
                        "expected %zu)", in->data ? in->len : 0,
                        sizeof(*info));
            return false;
        }
        info = in->data;
        if (info->version != T241_VERSION) {
            g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DECLINED,
                        "Tegra241 CMDQV: unsupported version %u "
                        "(expected %u)", info->version, T241_VERSION);
            return false;
        }
        if (info->log2vcmdqs < 1) {
            g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DECLINED,
                        "Tegra241 CMDQV: insufficient vCMDQs (log2vcmdqs "
                        "%u, need >= 1)", info->log2vcmdqs);
            return false;
        }
        if (info->log2vsids < T241_MIN_LOG2VSIDS) {
            g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DECLINED,
                        "Tegra241 CMDQV: insufficient SIDs (log2vsids %u, "
                        "need >= %u)", info->log2vsids, T241_MIN_LOG2VSIDS);
            return false;
        }
        /* The register file has room for 128 queues and 16 SID slots. */
        log2vcmdqs = MIN(info->log2vcmdqs, 7u);
        log2vsids = MIN(info->log2vsids, 4u);
        if (in->smmu_idr) {
            cap = T241_IDR1_CMDQS(in->smmu_idr[1]);
        }
    }

    memset(geo, 0, sizeof(*geo));
    geo->version = T241_VERSION;
    geo->n_interfaces = 1;
    geo->n_queues = 1u << log2vcmdqs;
    geo->n_vsids = 1u << log2vsids;
    geo->queue_log2_cap = cap;
    return true;
}

static unsigned
log2_floor(uint64_t v)
{
    return v ? 63 - __builtin_clzll(v) : 0;
}

bool
tegra241_cmdqv_init(void *state, SmmuExtCore *core, SmmuExtGeometry *geo,
                    GError **errp)
{
    Tegra241Cmdqv *s = state;
    uint64_t page = smmu_ext_core_min_ram_page_size(core);
    unsigned page_cap;

    if (geo->n_queues < 2 || geo->n_queues > T241_MAX_QUEUES ||
        (geo->n_queues & (geo->n_queues - 1)) ||
        geo->n_vsids < 1 || geo->n_vsids > T241_MAX_VSIDS ||
        (geo->n_vsids & (geo->n_vsids - 1))) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "Tegra241 CMDQV: unusable geometry (%u queues, "
                    "%u vSIDs)", geo->n_queues, geo->n_vsids);
        return false;
    }

    /*
     * A host HW queue must be physically contiguous, so no queue may be
     * larger than the smallest page backing guest RAM.
     */
    if (!page) {
        page = 4096;
    }
    page_cap = log2_floor(page) > 5 ? log2_floor(page) - 4 : 1;
    geo->queue_log2_cap = MIN(MIN(geo->queue_log2_cap, T241_LOG2SIZE_MAX),
                              page_cap);
    if (!geo->queue_log2_cap) {
        geo->queue_log2_cap = 1;
    }
    geo->ram_page_size = page;

    s->core = core;
    tegra241_break_init(s);
    s->geo = *geo;
    s->counters = g_malloc0_n(geo->n_queues, sizeof(*s->counters));
    s->param = T241_SET(T241_PARAM_VER, geo->version) |
               T241_SET(T241_PARAM_NUM_VCMDQ_LOG2,
                        log2_floor(geo->n_queues)) |
               T241_SET(T241_PARAM_NUM_VINTF_LOG2, 0) |
               T241_SET(T241_PARAM_NUM_SID_LOG2, log2_floor(geo->n_vsids));
    tegra241_cmdqv_reset_regs(s);
    return true;
}

void
tegra241_cmdqv_finalize(void *state)
{
    Tegra241Cmdqv *s = state;

    /* The core has torn down the kernel objects and the mapping. */
    tegra241_vcmdq_set_page(s, NULL, 0);
    g_clear_pointer(&s->counters, g_free);
    g_clear_error(&s->hwq_report);
}

bool
tegra241_cmdqv_viommu_ready(void *state, const void *data, size_t len,
                            GError **errp)
{
    Tegra241Cmdqv *s = state;
    struct se_iommu_viommu_tegra241_cmdqv out;
    uint64_t need = (uint64_t)s->geo.n_queues * T241_VCMDQ_STRIDE;
    void *page;

    if (!data || len < sizeof(out)) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "Tegra241 CMDQV: vIOMMU data too short (%zu bytes, "
                    "expected %zu)", data ? len : 0, sizeof(out));
        return false;
    }
    memcpy(&out, data, sizeof(out));
    if (out.out_vintf_mmap_length < need) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "Tegra241 CMDQV: VINTF page0 length 0x%" G_GINT64_MODIFIER
                    "x too small for %u queues (need 0x%" G_GINT64_MODIFIER
                    "x)", (guint64)out.out_vintf_mmap_length,
                    s->geo.n_queues, (guint64)need);
        return false;
    }
    page = smmu_ext_core_mmap(s->core, out.out_vintf_mmap_offset,
                              out.out_vintf_mmap_length, errp);
    if (!page) {
        g_prefix_error(errp, "Tegra241 CMDQV: VINTF page0: ");
        return false;
    }
    tegra241_vcmdq_set_page(s, page, out.out_vintf_mmap_length);
    /* The guest may have programmed its queues before the first device. */
    tegra241_vcmdq_update_all(s);
    return true;
}

void
tegra241_cmdqv_viommu_gone(void *state)
{
    Tegra241Cmdqv *s = state;
    unsigned q;

    /* Keep what the guest sees: the cache takes over from the hardware. */
    for (q = 0; q < s->geo.n_queues; q++) {
        if (s->live[q]) {
            tegra241_vcmdq_snapshot(s, q);
        }
        tegra241_vcmdq_set_live(s, q, false);
    }
    if (smmu_ext_core_direct_mapped(s->core, T241_VINTF0_PAGE0)) {
        smmu_ext_core_unmap_direct(s->core, T241_VINTF0_PAGE0);
    }
    tegra241_vcmdq_set_page(s, NULL, 0);
}

void
tegra241_cmdqv_vdevice_changed(void *state, uint32_t dev_id, uint64_t vsid,
                               bool present)
{
    Tegra241Cmdqv *s = state;

    /* The kernel programs SID_MATCH/SID_REPLACE itself on VDEVICE_ALLOC. */
    if (present) {
        s->n_vdevices++;
    } else if (s->n_vdevices) {
        s->n_vdevices--;
    }
}

/*
 * GERROR is a toggle the hardware never resets (the host's queue setup
 * only acknowledges it), so reset keeps its state with no active error,
 * in both modes; a new HW queue then shows what the guest sees.  The
 * CMDQ_INIT_ERR bit is the model's own and goes.
 */
void
tegra241_cmdqv_reset_regs(Tegra241Cmdqv *s)
{
    uint32_t gerror[T241_MAX_QUEUES];
    unsigned q;

    for (q = 0; q < T241_MAX_QUEUES; q++) {
        gerror[q] = s->r.q[q].gerror & ~T241_GERROR_CMDQ_INIT_ERR;
    }
    memset(&s->r, 0, sizeof(s->r));
    s->r.config = T241_CONFIG_RESET;
    for (q = 0; q < T241_MAX_QUEUES; q++) {
        s->r.q[q].gerror = s->r.q[q].gerrorn = gerror[q];
    }
    s->n_allocated = 0;
}

void
tegra241_cmdqv_reset(void *state)
{
    Tegra241Cmdqv *s = state;
    g_autoptr(GError) err = NULL;
    unsigned q;

    if (smmu_ext_core_direct_mapped(s->core, T241_VINTF0_PAGE0)) {
        smmu_ext_core_unmap_direct(s->core, T241_VINTF0_PAGE0);
    }
    if (tegra241_cmdqv_accel(s) &&
        !smmu_ext_core_hw_queue_clear_all(s->core, T241_HWQ_TYPE, &err)) {
        smmu_ext_core_log(s->core, G_LOG_LEVEL_WARNING,
                          "Tegra241 CMDQV: reset: %s", err->message);
    }
    for (q = 0; q < T241_MAX_QUEUES; q++) {
        tegra241_vcmdq_set_live(s, q, false);
    }
    tegra241_cmdqv_reset_regs(s);
}
