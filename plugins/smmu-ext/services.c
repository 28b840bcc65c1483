/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the core offers a module: its state, the host's IRQ, DMA and direct
 * mapping callbacks, the vIOMMU page mapping and rate-limited logging.  A
 * module never reaches the kernel or the host by any other way.
 */
#include "instance-priv.h"

SmmuExtCore *
smmu_ext_core_new(SmmuExtInstance *inst, const SmmuExtModule *mod,
                  const SmmuExtGeometry *geo, GError **errp)
{
    SmmuExtCore *core = g_new0(SmmuExtCore, 1);

    core->inst = inst;
    core->mod = mod;
    core->ops = mod->ops;
    core->geo = *geo;
    core->state = g_malloc0(MAX(mod->ops->state_size, 1));
    core->hwqs = g_array_new(FALSE, TRUE, sizeof(SmmuExtHwq));
    core->directs = g_array_new(FALSE, TRUE, sizeof(SmmuExtDirect));
    core->err_rl = (SmmuExtRatelimit)SMMU_EXT_RATELIMIT_INIT(
        5 * G_TIME_SPAN_SECOND, 5);
    for (unsigned i = 0; i < SMMU_EXT_LOG_KEYS; i++) {
        core->log_rl[i] = (SmmuExtRatelimit)SMMU_EXT_RATELIMIT_INIT(
            SMMU_EXT_LOG_KEY_INTERVAL, SMMU_EXT_LOG_KEY_BURST);
    }
    core->geo.size = sizeof(core->geo);
    if (!mod->ops->init(core->state, core, &core->geo, errp)) {
        g_prefix_error(errp, "%s: init: ", mod->info.name);
        g_array_unref(core->hwqs);
        g_array_unref(core->directs);
        g_free(core->state);
        g_free(core);
        return NULL;
    }
    core->geo.size = sizeof(core->geo);
    return core;
}

void
smmu_ext_core_free(SmmuExtCore *core)
{
    if (!core) {
        return;
    }
    smmu_ext_core_unmap_all_direct(core);
    core->ops->finalize(core->state);
    g_array_unref(core->hwqs);
    g_array_unref(core->directs);
    g_free(core->state);
    g_free(core);
}

void *
smmu_ext_core_state(SmmuExtCore *core)
{
    return core->state;
}

bool
smmu_ext_core_accelerated(const SmmuExtCore *core)
{
    return core->inst->iommufd != NULL;
}

bool
smmu_ext_core_has_viommu(const SmmuExtCore *core)
{
    return core->inst->viommu_id != 0;
}

const SmmuExtGeometry *
smmu_ext_core_geometry(const SmmuExtCore *core)
{
    return &core->geo;
}

void *
smmu_ext_core_mmap(SmmuExtCore *core, uint64_t offset, uint64_t len,
                   GError **errp)
{
    SmmuExtInstance *inst = core->inst;
    SmmuExtMapping m = { .offset = offset, .len = len };

    if (!inst->viommu_id) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "mmap of a vIOMMU page without a vIOMMU");
        return NULL;
    }
    m.addr = smmu_ext_iommufd_mmap(inst->iommufd, offset, len, errp);
    if (!m.addr) {
        return NULL;
    }
    g_array_append_val(inst->mappings, m);
    return m.addr;
}

/* --- direct overlays ------------------------------------------------------ */

static gint
direct_index(const SmmuExtCore *core, uint64_t offset)
{
    for (guint i = 0; i < core->directs->len; i++) {
        if (g_array_index(core->directs, SmmuExtDirect, i).offset == offset) {
            return i;
        }
    }
    return -1;
}

bool
smmu_ext_core_map_direct(SmmuExtCore *core, uint64_t offset, void *ptr,
                         size_t len, GError **errp)
{
    SmmuExtInstance *inst = core->inst;
    SmmuExtDirect d = { .offset = offset, .ptr = ptr, .len = len };
    gint i = direct_index(core, offset);

    if (i >= 0) {
        SmmuExtDirect *cur = &g_array_index(core->directs, SmmuExtDirect, i);

        if (cur->ptr == ptr && cur->len == len) {
            return true;
        }
        smmu_ext_core_unmap_direct(core, offset);
    }
    if (!inst->hops || !inst->hops->map_direct) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_NOT_SUPPORTED,
                    "the host cannot map pages into guest MMIO");
        return false;
    }
    if (!inst->hops->map_direct(inst->opaque, offset, ptr, len, errp)) {
        return false;
    }
    g_array_append_val(core->directs, d);
    return true;
}

void
smmu_ext_core_unmap_direct(SmmuExtCore *core, uint64_t offset)
{
    SmmuExtInstance *inst = core->inst;
    gint i = direct_index(core, offset);
    SmmuExtDirect d;

    if (i < 0) {
        return;
    }
    d = g_array_index(core->directs, SmmuExtDirect, i);
    g_array_remove_index(core->directs, i);
    if (inst->hops && inst->hops->unmap_direct) {
        inst->hops->unmap_direct(inst->opaque, d.offset, d.len);
    }
}

bool
smmu_ext_core_direct_mapped(const SmmuExtCore *core, uint64_t offset)
{
    return direct_index(core, offset) >= 0;
}

void
smmu_ext_core_unmap_all_direct(SmmuExtCore *core)
{
    while (core->directs->len) {
        smmu_ext_core_unmap_direct(core, g_array_index(core->directs,
                                                       SmmuExtDirect,
                                                       0).offset);
    }
}

/* --- host callbacks ------------------------------------------------------- */

void
smmu_ext_core_set_irq(SmmuExtCore *core, unsigned line, bool level)
{
    SmmuExtInstance *inst = core->inst;

    if (inst->hops && inst->hops->set_irq) {
        inst->hops->set_irq(inst->opaque, line, level);
    }
}

void
smmu_ext_core_pulse_irq(SmmuExtCore *core, unsigned line)
{
    smmu_ext_core_set_irq(core, line, true);
    smmu_ext_core_set_irq(core, line, false);
}

bool
smmu_ext_core_dma_read(SmmuExtCore *core, uint64_t gpa, void *buf,
                       size_t len)
{
    SmmuExtInstance *inst = core->inst;

    return inst->hops && inst->hops->dma_read &&
           inst->hops->dma_read(inst->opaque, gpa, buf, len);
}

bool
smmu_ext_core_dma_write(SmmuExtCore *core, uint64_t gpa, const void *buf,
                        size_t len)
{
    SmmuExtInstance *inst = core->inst;

    return inst->hops && inst->hops->dma_write &&
           inst->hops->dma_write(inst->opaque, gpa, buf, len);
}

int
smmu_ext_core_handle_cmd(SmmuExtCore *core, const uint64_t cmd[2])
{
    SmmuExtInstance *inst = core->inst;

    if (!inst->hops || !inst->hops->handle_cmd) {
        return 1;           /* nobody executes it: illegal */
    }
    return inst->hops->handle_cmd(inst->opaque, cmd);
}

uint64_t
smmu_ext_core_min_ram_page_size(SmmuExtCore *core)
{
    SmmuExtInstance *inst = core->inst;
    uint64_t page = 0;

    if (inst->hops && inst->hops->min_ram_page_size) {
        page = inst->hops->min_ram_page_size(inst->opaque);
    }
    return page ? page : 4096;
}

void
smmu_ext_core_report_error(SmmuExtCore *core, const GError *err)
{
    SmmuExtInstance *inst = core->inst;
    unsigned suppressed;

    if (!smmu_ext_ratelimit_ok(&core->err_rl, &suppressed)) {
        return;
    }
    if (suppressed) {
        smmu_ext_inst_log(inst, G_LOG_LEVEL_WARNING,
                          "%s: %u similar errors suppressed",
                          core->mod->info.name, suppressed);
    }
    if (inst->hops && inst->hops->report_error) {
        inst->hops->report_error(inst->opaque, err);
    } else {
        smmu_ext_inst_log(inst, G_LOG_LEVEL_WARNING, "%s: %s",
                          core->mod->info.name, err->message);
    }
}

void
smmu_ext_core_log(SmmuExtCore *core, GLogLevelFlags level, const char *fmt,
                  ...)
{
    va_list ap;

    va_start(ap, fmt);
    smmu_ext_log_to(core->inst->hops, core->inst->opaque, level, fmt, ap);
    va_end(ap);
}

/* One line of key @key, if its window lets it through. */
static void G_GNUC_PRINTF(5, 0)
core_log_limited(SmmuExtCore *core, unsigned key, GLogLevelFlags level,
                 const char *prefix, const char *fmt, va_list ap)
{
    SmmuExtRatelimit *rl = &core->log_rl[MIN(key, SMMU_EXT_LOG_KEYS - 1)];
    g_autofree char *msg = NULL;
    unsigned suppressed;

    if (!smmu_ext_ratelimit_ok(rl, &suppressed)) {
        return;
    }
    if (suppressed) {
        smmu_ext_core_log(core, level, "%s%u similar messages suppressed",
                          prefix, suppressed);
    }
    msg = g_strdup_vprintf(fmt, ap);
    smmu_ext_core_log(core, level, "%s%s", prefix, msg);
}

void
smmu_ext_core_guest_error(SmmuExtCore *core, unsigned key, const char *fmt,
                          ...)
{
    va_list ap;

    va_start(ap, fmt);
    core_log_limited(core, key, G_LOG_LEVEL_MESSAGE, "guest: ", fmt, ap);
    va_end(ap);
}

void
smmu_ext_core_log_limited(SmmuExtCore *core, unsigned key,
                          GLogLevelFlags level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    core_log_limited(core, key, level, "", fmt, ap);
    va_end(ap);
}
