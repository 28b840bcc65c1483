/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host side of the scenarios: one instance per scenario with host ops
 * that keep the direct overlay and count interrupts, API calls with their
 * outcome in the transcript, and the guest's view through the selftest
 * extension's registers (STATUS bits are printed by name).
 */
#include <stdio.h>
#include <string.h>
#include "conf.h"
#include "../../plugins/smmu-ext/selftest/selftest.h"

static void
host_log(void *opaque, GLogLevelFlags level, const char *msg)
{
    Conf *c = opaque;

    if (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL |
                 G_LOG_LEVEL_ERROR)) {
        c->warnings++;
    }
    if (g_getenv("CONF_VERBOSE")) {
        fprintf(stderr, "log: %s\n", msg);
    }
}

static void
host_irq(void *opaque, unsigned line, bool level)
{
    Conf *c = opaque;

    c->irqs += level;
}

static bool
host_map_direct(void *opaque, uint64_t offset, void *ptr, size_t len,
                GError **errp)
{
    Conf *c = opaque;

    c->direct_ptr = ptr;
    c->direct_len = len;
    conf_line(c, "host map_direct(0x%" G_GINT64_MODIFIER "x, %zu pages)",
              offset, len / c->page);
    return TRUE;
}

static void
host_unmap_direct(void *opaque, uint64_t offset, size_t len)
{
    Conf *c = opaque;

    c->direct_ptr = NULL;
    c->direct_len = 0;
    conf_line(c, "host unmap_direct(0x%" G_GINT64_MODIFIER "x)", offset);
}

static void
host_report(void *opaque, const GError *err)
{
    Conf *c = opaque;

    c->reported++;
}

static const SmmuExtHostOps host_ops = {
    .size = sizeof(SmmuExtHostOps),
    .log = host_log,
    .set_irq = host_irq,
    .map_direct = host_map_direct,
    .unmap_direct = host_unmap_direct,
    .report_error = host_report,
};

static SmmuExtRegistry *
registry(void)
{
    static SmmuExtRegistry *reg;

    if (!reg) {
        reg = smmu_ext_registry_new();
    }
    return reg;
}

bool
conf_api(Conf *c, const char *what, bool ok, GError *err)
{
    g_autofree char *res = conf_api_result(ok, err);

    conf_line(c, "api %s -> %s", what, res);
    if (err && g_getenv("CONF_VERBOSE")) {
        fprintf(stderr, "api %s: %s\n", what, err->message);
    }
    if (err) {
        g_error_free(err);
    }
    return ok;
}

bool
conf_instance(Conf *c, const char *mode)
{
    GError *err = NULL;
    g_autofree char *what = g_strdup_printf("instance_new(cmdqv=%s)", mode);

    c->inst = smmu_ext_instance_new(registry(), mode, &host_ops, c, &err);
    return conf_api(c, what, c->inst != NULL, err);
}

void
conf_instance_free(Conf *c)
{
    if (!c->inst) {
        return;
    }
    if (c->control_leak) {
        /* The control run: the library never tears down, so the checks
         * that everything is gone must fail. */
        conf_line(c, "api instance_free -> skipped (control)");
        c->leaked = g_steal_pointer(&c->inst);
        return;
    }
    c->in_library = true;
    smmu_ext_instance_free(g_steal_pointer(&c->inst));
    c->in_library = false;
    conf_line(c, "api instance_free -> done");
}

uint32_t
conf_rd(Conf *c, uint64_t off)
{
    uint32_t v;

    c->in_library = true;
    v = (uint32_t)smmu_ext_instance_mmio_read(c->inst, off, 4);
    c->in_library = false;
    return v;
}

void
conf_wr(Conf *c, uint64_t off, uint32_t v)
{
    c->in_library = true;
    smmu_ext_instance_mmio_write(c->inst, off, v, 4);
    c->in_library = false;
}

static void
flags_str(GString *s, uint32_t v, const char *const *names, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (v & (1u << i)) {
            g_string_append_printf(s, "%s%s", s->len ? "|" : "", names[i]);
        }
    }
    if (!s->len) {
        g_string_append(s, "-");
    }
}

void
conf_show(Conf *c, const char *what, uint64_t off)
{
    static const char *const st[] = { "VIOMMU", "DIRECT", "LOOPBACK" };
    uint32_t v = conf_rd(c, off);
    g_autoptr(GString) s = g_string_new(NULL);

    if (off == A_ST_STATUS) {
        flags_str(s, v, st, G_N_ELEMENTS(st));
        conf_line(c, "guest %s = %s", what, s->str);
    } else {
        conf_line(c, "guest %s = 0x%x", what, v);
    }
}

void
conf_queue(Conf *c, unsigned q, uint64_t base, uint32_t len, bool en)
{
    conf_line(c, "guest queue %u: base 0x%" G_GINT64_MODIFIER "x len 0x%x "
              "%s", q, base, len, en ? "enable" : "disable");
    conf_wr(c, A_ST_QUEUE(q) + ST_Q_BASE_LO, (uint32_t)base);
    conf_wr(c, A_ST_QUEUE(q) + ST_Q_BASE_HI, (uint32_t)(base >> 32));
    conf_wr(c, A_ST_QUEUE(q) + ST_Q_LEN, len);
    conf_wr(c, A_ST_QUEUE(q) + ST_Q_CTRL, en ? ST_CTRL_EN : 0);
}

void
conf_show_queues(Conf *c)
{
    static const char *const qs[] = { "LIVE", "WAIT", "ERR" };

    for (unsigned q = 0; q < SE_IOMMU_TEST_HW_QUEUE_MAX; q++) {
        uint32_t v = conf_rd(c, A_ST_QUEUE(q) + ST_Q_STATUS);
        g_autoptr(GString) s = g_string_new(NULL);

        flags_str(s, v & 7, qs, G_N_ELEMENTS(qs));
        if (v & ST_QS_ERR) {
            g_string_append_printf(s, " %s", conf_errname(
                (v & ST_QS_ERRNO_MASK) >> ST_QS_ERRNO_SHIFT));
        }
        conf_line(c, "guest queue %u status = %s", q, s->str);
    }
}

void
conf_dispatch(Conf *c)
{
    SmmuExtStats st = { .size = sizeof(st) };

    c->in_library = true;
    smmu_ext_instance_dispatch(c->inst);
    c->in_library = false;
    smmu_ext_instance_stats(c->inst, &st);
    conf_line(c, "api dispatch -> events %" G_GUINT64_FORMAT " lost %"
              G_GUINT64_FORMAT " dropped %" G_GUINT64_FORMAT, st.events,
              st.events_lost, st.events_dropped);
}

void
conf_pop_events(Conf *c)
{
    g_autoptr(GString) s = g_string_new(NULL);
    uint32_t n = conf_rd(c, A_ST_EVT_PENDING);

    for (uint32_t i = 0; i < n; i++) {
        g_string_append_printf(s, " 0x%x", conf_rd(c, A_ST_EVT_POP));
    }
    conf_line(c, "guest events (%u):%s; count %u bad %u dropped %u", n,
              s->str, conf_rd(c, A_ST_EVT_COUNT), conf_rd(c, A_ST_EVT_BAD),
              conf_rd(c, A_ST_EVT_DROPPED));
}
