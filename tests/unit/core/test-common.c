/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The recording host, the two static test extensions and the fixture
 * shared by the core's test programs.
 */
#include <string.h>
#include <glib/gstdio.h>
#include "test-common.h"

TestExtRecorder test_ext;

/* --- the "test" extension ------------------------------------------------- */

typedef struct TestExtState {
    SmmuExtCore *core;
    uint8_t regs[TEST_EXT_MMIO_SIZE];
} TestExtState;

static bool
test_ext_probe(const SmmuExtProbeInput *in, SmmuExtGeometry *geo,
               GError **errp)
{
    const struct se_iommu_hw_info_tegra241_cmdqv *info;

    if (!in) {
        *geo = (SmmuExtGeometry) {
            .version = 1, .n_interfaces = 1, .n_queues = 2, .n_vsids = 16,
        };
        return true;
    }
    if (in->type != TEST_EXT_HW_INFO_TYPE || in->len < sizeof(*info)) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DECLINED,
                    "hw_info type %u (%zu bytes) is not ours", in->type,
                    in->len);
        return false;
    }
    info = in->data;
    *geo = (SmmuExtGeometry) {
        .version = info->version,
        .n_interfaces = 1,
        .n_queues = 1u << info->log2vcmdqs,
        .n_vsids = 1u << info->log2vsids,
        .queue_log2_cap = 12,
        .ram_page_size = 4096,
    };
    return true;
}

static bool
test_ext_init(void *opaque, SmmuExtCore *core, SmmuExtGeometry *geo,
              GError **errp)
{
    TestExtState *st = opaque;

    st->core = core;
    test_ext.core = core;
    test_ext.inits++;
    return true;
}

static void
test_ext_finalize(void *opaque)
{
    test_ext.finalizes++;
    test_ext.core = NULL;
}

static bool
test_ext_viommu_ready(void *opaque, const void *data, size_t len,
                      GError **errp)
{
    TestExtState *st = opaque;
    struct se_iommu_viommu_tegra241_cmdqv out;
    void *page;

    if (len < sizeof(out)) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_FAILED,
                    "vIOMMU data too short (%zu bytes)", len);
        return false;
    }
    memcpy(&out, data, sizeof(out));
    page = smmu_ext_core_mmap(st->core, out.out_vintf_mmap_offset,
                              out.out_vintf_mmap_length, errp);
    if (!page) {
        return false;
    }
    test_ext.page = page;
    if (test_ext.direct_map &&
        !smmu_ext_core_map_direct(st->core, TEST_EXT_DIRECT_OFFSET, page,
                                  TEST_EXT_DIRECT_LEN, errp)) {
        return false;
    }
    return true;
}

static void
test_ext_viommu_gone(void *opaque)
{
    test_ext.viommu_gone++;
    test_ext.page = NULL;
}

static uint64_t
test_ext_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    TestExtState *st = opaque;
    uint64_t v = 0;

    /* Counted either way: the core should never have sent it. */
    test_ext.mmio_calls++;
    if (size > 8 || offset >= sizeof(st->regs) ||
        size > sizeof(st->regs) - offset) {
        return 0;
    }
    memcpy(&v, st->regs + offset, size);
    return v;
}

static void
test_ext_mmio_write(void *opaque, uint64_t offset, uint64_t value,
                    unsigned size)
{
    TestExtState *st = opaque;

    test_ext.mmio_calls++;
    if (size > 8 || offset >= sizeof(st->regs) ||
        size > sizeof(st->regs) - offset) {
        return;
    }
    memcpy(st->regs + offset, &value, size);
}

static const char *
hwq_event_name(SmmuExtHwQueueEvent ev)
{
    switch (ev) {
    case SMMU_EXT_HWQ_LIVE:
        return "LIVE";
    case SMMU_EXT_HWQ_DESTROYING:
        return "DESTROYING";
    case SMMU_EXT_HWQ_FAILED:
        return "FAILED";
    }
    return "?";
}

static void
test_ext_hw_queue_changed(void *opaque, uint32_t type, uint32_t index,
                          SmmuExtHwQueueEvent ev, const GError *error)
{
    if (!test_ext.seam) {
        return;
    }
    if (error) {
        test_seam_note(test_ext.seam, "%s %u:%u code %d", hwq_event_name(ev),
                       type, index, error->code);
    } else {
        test_seam_note(test_ext.seam, "%s %u:%u", hwq_event_name(ev), type,
                       index);
    }
}

static void
test_ext_event(void *opaque, const void *payload, size_t len)
{
    g_ptr_array_add(test_ext.events, g_bytes_new(payload, len));
}

static void
test_ext_vdevice_changed(void *opaque, uint32_t dev_id, uint64_t vsid,
                         bool present)
{
    if (present) {
        test_ext.vdevice_adds++;
    } else {
        test_ext.vdevice_removes++;
    }
}

static void
test_ext_reset(void *opaque)
{
    TestExtState *st = opaque;

    memset(st->regs, 0, sizeof(st->regs));
    test_ext.resets++;
}

/* Two counters; the second name needs JSON escapes. */
static void
test_ext_counters(void *opaque, SmmuExtCounterFn emit, void *ctx)
{
    emit(ctx, "test.mmio_calls", test_ext.mmio_calls);
    emit(ctx, "odd\"name", 7);
}

static const SmmuExtOps test_ext_ops = {
    .size = sizeof(SmmuExtOps),
    .flags = SMMU_EXT_OPS_EMULATION,
    .priority = 10,
    .state_size = sizeof(TestExtState),
    .hw_info_type = TEST_EXT_HW_INFO_TYPE,
    .probe = test_ext_probe,
    .init = test_ext_init,
    .finalize = test_ext_finalize,
    .viommu_type = TEST_EXT_VIOMMU_TYPE,
    .viommu_data_len = 16,
    .viommu_ready = test_ext_viommu_ready,
    .viommu_gone = test_ext_viommu_gone,
    .mmio_size = TEST_EXT_MMIO_SIZE,
    .mmio_read = test_ext_mmio_read,
    .mmio_write = test_ext_mmio_write,
    .hw_queue_changed = test_ext_hw_queue_changed,
    .veventq_type = TEST_EXT_VEVENTQ_TYPE,
    .veventq_depth = TEST_EXT_VEVENTQ_DEPTH,
    .event_size = TEST_EXT_EVENT_SIZE,
    .event = test_ext_event,
    .vdevice_changed = test_ext_vdevice_changed,
    .reset = test_ext_reset,
    .counters = test_ext_counters,
};

const SmmuExtModuleDesc test_ext_desc = {
    .abi_major = SMMU_EXT_ABI_MAJOR,
    .abi_minor = SMMU_EXT_ABI_MINOR,
    .size = sizeof(SmmuExtModuleDesc),
    .name = TEST_EXT_NAME,
    .description = "core unit-test extension",
    .version = TEST_EXT_VERSION,
    .license = "GPL-2.0-or-later",
    .ops = &test_ext_ops,
};

/* --- the "decline" extension ---------------------------------------------- */

static bool
decline_probe(const SmmuExtProbeInput *in, SmmuExtGeometry *geo,
              GError **errp)
{
    g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DECLINED,
                "decline says \"no\"\tto hw_info type %u",
                in ? in->type : 0);
    return false;
}

static bool
decline_init(void *opaque, SmmuExtCore *core, SmmuExtGeometry *geo,
             GError **errp)
{
    g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_FAILED,
                "decline must never be initialised");
    return false;
}

static void
decline_finalize(void *opaque)
{
}

static const SmmuExtOps decline_ops = {
    .size = sizeof(SmmuExtOps),
    .priority = 20,
    .hw_info_type = DECLINE_EXT_HW_INFO_TYPE,
    .probe = decline_probe,
    .init = decline_init,
    .finalize = decline_finalize,
    .viommu_type = 99,
    .mmio_size = 0x10,
    .mmio_read = test_ext_mmio_read,
    .mmio_write = test_ext_mmio_write,
    .reset = test_ext_reset,
};

const SmmuExtModuleDesc decline_ext_desc = {
    .abi_major = SMMU_EXT_ABI_MAJOR,
    .abi_minor = SMMU_EXT_ABI_MINOR,
    .size = sizeof(SmmuExtModuleDesc),
    .name = DECLINE_EXT_NAME,
    .description = "declines every host",
    .version = DECLINE_EXT_VERSION,
    .license = "GPL-2.0-or-later",
    .ops = &decline_ops,
};

/* --- the recording host ---------------------------------------------------- */

static void
host_log(void *opaque, GLogLevelFlags level, const char *msg)
{
    TestHost *h = opaque;
    TestLog l = { .level = level, .msg = g_strdup(msg) };

    g_array_append_val(h->logs, l);
    if (g_test_verbose()) {
        g_test_message("core log %d: %s", level, msg);
    }
}

static bool
host_map_direct(void *opaque, uint64_t offset, void *ptr, size_t len,
                GError **errp)
{
    TestHost *h = opaque;

    test_seam_note(h->seam, "map_direct(0x%" G_GINT64_MODIFIER "x)",
                   offset);
    return true;
}

static void
host_unmap_direct(void *opaque, uint64_t offset, size_t len)
{
    TestHost *h = opaque;

    test_seam_note(h->seam, "unmap_direct(0x%" G_GINT64_MODIFIER "x)",
                   offset);
}

static bool
host_inject_event(void *opaque, const uint64_t evt[4])
{
    TestHost *h = opaque;

    if (h->refuse_events) {
        return false;
    }
    g_array_append_vals(h->events, evt, 4);
    return true;
}

static void
host_eventq_abort(void *opaque)
{
    TestHost *h = opaque;

    h->aborts++;
}

static void
host_fd_watch(void *opaque, int fd, bool on)
{
    TestHost *h = opaque;
    int v = on ? fd : -fd - 1;

    g_array_append_val(h->watch, v);
}

static void
test_log_clear(gpointer p)
{
    g_free(((TestLog *)p)->msg);
}

/* --- the fixture ------------------------------------------------------------ */

void
fixture_setup(Fixture *f, gconstpointer data)
{
    uintptr_t which = (uintptr_t)data & 0xff;
    g_autoptr(GError) err = NULL;

    memset(f, 0, sizeof(*f));
    f->seam = test_seam_new();
    f->fd = test_seam_iommufd(f->seam);
    f->reg = smmu_ext_registry_new();
    f->tmpdir = g_dir_make_tmp("smmu-ext-core-XXXXXX", &err);
    g_assert_no_error(err);

    f->host.seam = f->seam;
    f->host.logs = g_array_new(FALSE, TRUE, sizeof(TestLog));
    g_array_set_clear_func(f->host.logs, test_log_clear);
    f->host.events = g_array_new(FALSE, TRUE, sizeof(uint64_t));
    f->host.watch = g_array_new(FALSE, TRUE, sizeof(int));
    f->host.ops = (SmmuExtHostOps) {
        .size = sizeof(SmmuExtHostOps),
        .log = host_log,
        .map_direct = host_map_direct,
        .unmap_direct = host_unmap_direct,
        .inject_event = host_inject_event,
        .eventq_abort = host_eventq_abort,
        .fd_watch = host_fd_watch,
    };

    memset(&test_ext, 0, sizeof(test_ext));
    test_ext.seam = f->seam;
    test_ext.events = g_ptr_array_new_with_free_func(
        (GDestroyNotify)g_bytes_unref);

    if (which & 1) {
        smmu_ext_registry_add_static(f->reg, &test_ext_desc, &err);
        g_assert_no_error(err);
    }
    if (which & 2) {
        smmu_ext_registry_add_static(f->reg, &decline_ext_desc, &err);
        g_assert_no_error(err);
    }
}

void
fixture_teardown(Fixture *f, gconstpointer data)
{
    smmu_ext_instance_free(f->inst);
    f->inst = NULL;
    /* Every extension that was initialised was finalised. */
    g_assert_cmpuint(test_ext.finalizes, ==, test_ext.inits);
    if (!f->leaks_expected) {
        test_seam_assert_clean(f->seam);
        g_assert_cmpuint(fixture_count_logs(f, G_LOG_LEVEL_WARNING,
                                            "teardown"), ==, 0);
    }
    test_ext.seam = NULL;
    g_ptr_array_unref(test_ext.events);
    test_seam_free(f->seam);
    smmu_ext_registry_free(f->reg);
    g_assert_cmpint(g_rmdir(f->tmpdir), ==, 0);
    g_free(f->tmpdir);
    g_array_unref(f->host.logs);
    g_array_unref(f->host.events);
    g_array_unref(f->host.watch);
}

SmmuExtInstance *
fixture_instance(Fixture *f, const char *mode)
{
    g_autoptr(GError) err = NULL;

    g_assert_null(f->inst);
    f->inst = smmu_ext_instance_new(f->reg, mode, &f->host.ops, &f->host,
                                    &err);
    g_assert_no_error(err);
    g_assert_nonnull(f->inst);
    return f->inst;
}

void
fixture_attach(Fixture *f, uint32_t dev_id)
{
    g_autoptr(GError) err = NULL;
    gboolean ok;

    ok = smmu_ext_instance_attach(f->inst, f->fd, dev_id, TEST_HWPT, &err);
    g_assert_no_error(err);
    g_assert_true(ok);
}

guint
fixture_count_logs(const Fixture *f, GLogLevelFlags level,
                   const char *needle)
{
    guint n = 0;

    for (guint i = 0; i < f->host.logs->len; i++) {
        const TestLog *l = &g_array_index(f->host.logs, TestLog, i);

        /* Lower GLogLevelFlags bits are more severe. */
        if ((l->level & G_LOG_LEVEL_MASK) <= level &&
            strstr(l->msg, needle)) {
            n++;
        }
    }
    return n;
}

char *
fixture_trace(const Fixture *f, guint from)
{
    return test_seam_trace(f->seam, from);
}

guint
fixture_mark(const Fixture *f)
{
    return test_seam_n_calls(f->seam);
}

void
assert_contains_impl(const char *file, int line, const char *expr,
                     const char *haystack, const char *needle)
{
    if (!haystack || !strstr(haystack, needle)) {
        g_autofree char *msg = g_strdup_printf(
            "%s:%d: %s (\"%s\") does not contain \"%s\"", file, line, expr,
            haystack ? haystack : "(null)", needle);

        g_assertion_message(G_LOG_DOMAIN, file, line, G_STRFUNC, msg);
    }
}

void
assert_not_contains_impl(const char *file, int line, const char *expr,
                         const char *haystack, const char *needle)
{
    if (haystack && strstr(haystack, needle)) {
        g_autofree char *msg = g_strdup_printf(
            "%s:%d: %s (\"%s\") contains \"%s\"", file, line, expr,
            haystack, needle);

        g_assertion_message(G_LOG_DOMAIN, file, line, G_STRFUNC, msg);
    }
}
