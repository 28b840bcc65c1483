/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Discovery and the vIOMMU: the mock's hw_info, the driver data sent in
 * and read back (a loopback the kernel performs on out_data and on the
 * first word of its region), the region's mapping and its overlay on the
 * guest's window.
 */
#include "selftest.h"

bool
selftest_probe(const SmmuExtProbeInput *in, SmmuExtGeometry *geo,
               GError **errp)
{
    struct se_iommu_test_hw_info info;

    if (!in) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DECLINED,
                    "selftest: needs the kernel's mock iommufd driver (no "
                    "emulated mode)");
        return false;
    }
    if (in->type != SE_IOMMU_HW_INFO_TYPE_SELFTEST) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DECLINED,
                    "selftest: unexpected hw_info type 0x%x (expected "
                    "0x%x)", in->type, SE_IOMMU_HW_INFO_TYPE_SELFTEST);
        return false;
    }
    if (!in->data || in->len < sizeof(info)) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DECLINED,
                    "selftest: hw_info too short (%zu bytes, expected %zu)",
                    in->data ? in->len : 0, sizeof(info));
        return false;
    }
    memcpy(&info, in->data, sizeof(info));
    if (info.test_reg != SE_IOMMU_HW_INFO_SELFTEST_REGVAL) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DECLINED,
                    "selftest: hw_info test_reg 0x%x (expected 0x%x)",
                    info.test_reg, SE_IOMMU_HW_INFO_SELFTEST_REGVAL);
        return false;
    }
    memset(geo, 0, sizeof(*geo));
    geo->version = 1;
    geo->n_interfaces = 1;
    geo->n_queues = SE_IOMMU_TEST_HW_QUEUE_MAX;
    geo->n_vsids = ST_MAX_VDEVS;
    return true;
}

bool
selftest_init(void *state, SmmuExtCore *core, SmmuExtGeometry *geo,
              GError **errp)
{
    Selftest *s = state;

    s->core = core;
    return true;
}

void
selftest_finalize(void *state)
{
    Selftest *s = state;

    /* The core has unmapped the region with the vIOMMU. */
    s->page = NULL;
    s->page_len = 0;
}

void
selftest_viommu_data_in(void *state, void *buf, size_t len)
{
    Selftest *s = state;
    struct se_iommu_viommu_selftest in = { 0 };

    /* Never 0, so a kernel that copied nothing back cannot match. */
    s->cookie = g_random_int() | 1u;
    in.in_data = s->cookie;
    memcpy(buf, &in, MIN(len, sizeof(in)));
}

/* Overlay the region on the window; trapped accesses reach it anyway. */
void
selftest_map_window(Selftest *s)
{
    g_autoptr(GError) err = NULL;

    if (!s->page || smmu_ext_core_direct_mapped(s->core, ST_WINDOW)) {
        return;
    }
    if (!smmu_ext_core_map_direct(s->core, ST_WINDOW, s->page, s->page_len,
                                  &err)) {
        smmu_ext_core_log(s->core, G_LOG_LEVEL_INFO, "selftest: window "
                          "stays trapped: %s", err->message);
    }
}

static bool
check_region(const struct se_iommu_viommu_selftest *out, GError **errp)
{
    if (!out->out_mmap_length || out->out_mmap_length > ST_WINDOW_MAX ||
        out->out_mmap_length % 4096) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "selftest: vIOMMU region length 0x%" G_GINT64_MODIFIER
                    "x (expected whole pages, at most 0x%x)",
                    (guint64)out->out_mmap_length, ST_WINDOW_MAX);
        return false;
    }
    return true;
}

bool
selftest_viommu_ready(void *state, const void *data, size_t len,
                      GError **errp)
{
    Selftest *s = state;
    struct se_iommu_viommu_selftest out;
    uint32_t word0;

    if (!data || len < sizeof(out)) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "selftest: vIOMMU data too short (%zu bytes, expected "
                    "%zu)", data ? len : 0, sizeof(out));
        return false;
    }
    memcpy(&out, data, sizeof(out));
    if (!check_region(&out, errp)) {
        return false;
    }
    s->page = smmu_ext_core_mmap(s->core, out.out_mmap_offset,
                                 out.out_mmap_length, errp);
    if (!s->page) {
        g_prefix_error(errp, "selftest: vIOMMU region: ");
        return false;
    }
    s->page_len = out.out_mmap_length;
    memcpy(&word0, s->page, sizeof(word0));
    s->data = out.out_data;
    s->loopback = out.out_data == s->cookie && word0 == s->cookie;
    if (!s->loopback) {
        smmu_ext_core_log(s->core, G_LOG_LEVEL_WARNING, "selftest: loopback "
                          "mismatch: sent 0x%x, out_data 0x%x, region word "
                          "0x%x", s->cookie, out.out_data, word0);
    }
    s->viommu = true;
    selftest_map_window(s);
    return true;
}

void
selftest_viommu_gone(void *state)
{
    Selftest *s = state;

    if (smmu_ext_core_direct_mapped(s->core, ST_WINDOW)) {
        smmu_ext_core_unmap_direct(s->core, ST_WINDOW);
    }
    for (unsigned q = 0; q < SE_IOMMU_TEST_HW_QUEUE_MAX; q++) {
        s->q[q].status &= ~ST_QS_LIVE;
    }
    s->viommu = false;
    s->loopback = false;
    s->page = NULL;
    s->page_len = 0;
}

/* Registers return to their reset values; the vIOMMU and its region stay
 * (the core removed the overlay, so it is put back). */
void
selftest_reset(void *state)
{
    Selftest *s = state;

    selftest_queues_reset(s);
    selftest_events_reset(s);
    selftest_map_window(s);
}
