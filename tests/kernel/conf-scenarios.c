/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The scenarios of issue 14, each on a fresh iommufd with its own mock
 * device: selection in every mode, the vIOMMU on the nest-parent HWPT and
 * the kernel's checks of it, mmap and the direct page, HW queues in every
 * order (the kernel's EIO/EBUSY/EEXIST cases as the guest sees them),
 * vDEVICEs and EEXIST, vEVENTs triggered and delivered, loss past the
 * depth, and teardown with every object gone.
 */
#include <errno.h>
#include <string.h>
#include "conf.h"
#include "../../plugins/smmu-ext/selftest/selftest.h"

#define RAM      SE_MOCK_APERTURE_START
#define UNMAPPED (SE_MOCK_APERTURE_START + 0x100000)
#define VSID1    0x10
#define VSID2    0x20
#define VSID3    0x30

/* An API call made by the library: its kernel calls are marked "lib". */
#define API(c, what, call) ({                                             \
    GError *e_ = NULL;                                                    \
    bool ok_;                                                             \
    (c)->in_library = true;                                               \
    ok_ = (call);                                                         \
    (c)->in_library = false;                                              \
    conf_api((c), (what), ok_, e_);                                       \
})

/* A raw call the kernel should refuse: if it succeeded anyway (only under
 * an injected fault), undo it at once so it holds nothing of the library. */
static void
refused(Conf *c, int r, uint32_t id)
{
    if (r == 0 && id && conf_destroy(c, id) < 0) {
        conf_destroy(c, id);
    }
}

static void
refused_q(Conf *c, int r, uint32_t id, int fd)
{
    if (r == 0) {
        conf_close_fd(c, fd);
        refused(c, r, id);
    }
}

static bool
attach(Conf *c, uint32_t idev, const char *what)
{
    g_autofree char *w = g_strdup_printf("attach(%s, %s)", what,
                                         conf_name(c, c->parent));

    return API(c, w, smmu_ext_instance_attach(c->inst, c->handle, idev,
                                              c->parent, &e_));
}

static bool
set_vsid(Conf *c, uint32_t idev, uint64_t vsid)
{
    g_autofree char *w = g_strdup_printf("set_vsid(%s, 0x%" G_GINT64_MODIFIER
                                         "x)", conf_name(c, idev), vsid);

    return API(c, w, smmu_ext_instance_set_vsid(c->inst, idev, vsid, &e_));
}

static bool
detach(Conf *c, uint32_t idev)
{
    g_autofree char *w = g_strdup_printf("detach(%s)", conf_name(c, idev));

    return API(c, w, smmu_ext_instance_detach(c->inst, idev, &e_));
}

static uint32_t
viommu(Conf *c)
{
    return smmu_ext_instance_viommu_id(c->inst);
}

/* Setup, instance, first device. */
static bool
start(Conf *c, const char *mode)
{
    if (!conf_setup(c)) {
        conf_check(c, false, "mock setup");
        return false;
    }
    if (!conf_instance(c, mode)) {
        return false;
    }
    return attach(c, c->idev, conf_name(c, c->idev));
}

static void
finish(Conf *c)
{
    conf_release_raw(c);
    conf_instance_free(c);
    conf_disarm(c);
    conf_teardown(c);
    conf_check_gone(c);
}

static void
show_selection(Conf *c)
{
    conf_line(c, "api extension -> %s%s", smmu_ext_instance_extension(c->inst),
              smmu_ext_instance_emulated(c->inst) ? " (emulated)" : "");
    conf_line(c, "api viommu_id -> %s", conf_name(c, viommu(c)));
}

/* --- selection ------------------------------------------------------------ */

static void
select_mode(Conf *c, const char *mode)
{
    if (start(c, mode)) {
        show_selection(c);
        detach(c, c->idev);
    } else if (c->inst) {
        show_selection(c);
    }
    finish(c);
}

static void sc_select_auto(Conf *c) { select_mode(c, "auto"); }
static void sc_select_on(Conf *c) { select_mode(c, "on"); }
static void sc_select_selftest(Conf *c) { select_mode(c, "selftest"); }
static void sc_select_off(Conf *c) { select_mode(c, "off"); }
static void sc_select_tegra241(Conf *c) { select_mode(c, "tegra241"); }

/* --- the vIOMMU, raw: the kernel's own checks --------------------------- */

static void
sc_viommu_kernel(Conf *c)
{
    struct se_iommu_viommu_selftest d = { .in_data = 0x1234 };
    uint32_t v = 0, id;
    void *p = NULL;
    int r;

    if (!conf_setup(c)) {
        conf_check(c, false, "mock setup");
        finish(c);
        return;
    }
    refused(c, conf_viommu_raw(c, c->auto_hwpt, sizeof(d), &d, &id), id);
    refused(c, conf_viommu_raw(c, c->ioas, sizeof(d), &d, &id), id);
    refused(c, conf_viommu_raw(c, c->parent, 4, &d, &id), id);
    if (conf_viommu_raw(c, c->parent, 0, NULL, &id) == 0) {
        conf_destroy(c, id);
    }
    if (conf_viommu_raw(c, c->parent, sizeof(d), &d, &v) == 0) {
        ConfObj *o = conf_obj(c, v);

        conf_check(c, d.out_data == d.in_data, "out_data loops in_data back");
        conf_mmap(c, o->region_off, o->region_len / 2, &p);
        conf_mmap(c, o->region_off + o->region_len, o->region_len, &p);
        r = conf_mmap(c, o->region_off, o->region_len, &p);
        if (r == 0) {
            uint32_t w0;

            memcpy(&w0, p, sizeof(w0));
            conf_check(c, w0 == d.in_data, "region word 0 is in_data");
            conf_destroy(c, v);
            conf_destroy(c, c->parent);
            conf_munmap(c, p, o->region_len);
        }
        conf_destroy(c, v);
        conf_mmap(c, o->region_off, o->region_len, &p);
    }
    finish(c);
}

/* --- the vIOMMU through the library: region, direct page, reset ---------- */

static void
sc_viommu_api(Conf *c)
{
    uint32_t cookie, w0 = 0, w1 = 0;

    if (start(c, "selftest")) {
        conf_show(c, "STATUS", A_ST_STATUS);
        cookie = conf_rd(c, A_ST_COOKIE);
        conf_check(c, cookie && cookie == conf_rd(c, A_ST_DATA),
                   "guest DATA equals COOKIE");
        conf_check(c, conf_rd(c, A_ST_WINDOW_LEN) == 2 * c->page,
                   "window is the mock's 2 pages");
        if (c->direct_ptr) {
            memcpy(&w0, c->direct_ptr, sizeof(w0));
        }
        conf_check(c, c->direct_ptr && w0 == cookie,
                   "direct page word 0 is the cookie");
        conf_check(c, conf_rd(c, ST_WINDOW) == cookie,
                   "trapped window read sees the same word");
        conf_wr(c, ST_WINDOW + 4, 0x5a5a5a5a);
        if (c->direct_ptr) {
            memcpy(&w1, (uint8_t *)c->direct_ptr + 4, sizeof(w1));
        }
        conf_check(c, w1 == 0x5a5a5a5a, "guest writes reach the region");
        conf_line(c, "api reset");
        c->in_library = true;
        smmu_ext_instance_reset(c->inst);
        c->in_library = false;
        conf_show(c, "STATUS", A_ST_STATUS);
        detach(c, c->idev);
        conf_show(c, "STATUS", A_ST_STATUS);
    }
    finish(c);
}

/* --- HW queues through the guest, every order ---------------------------- */

static void
sc_hwq_order(Conf *c)
{
    if (start(c, "selftest")) {
        conf_queue(c, 1, RAM + 0x1000, 0x1000, true);
        conf_show_queues(c);
        conf_queue(c, 0, RAM, 0x1000, true);
        conf_show_queues(c);
        conf_queue(c, 0, RAM, 0x1000, false);
        conf_show_queues(c);
        conf_queue(c, 0, RAM + 0x2000, 0x1000, true);
        conf_show_queues(c);
        conf_queue(c, 1, RAM + 0x1000, 0x1000, false);
        conf_show_queues(c);
        conf_queue(c, 1, UNMAPPED, 0x1000, true);
        conf_show_queues(c);
        conf_queue(c, 1, RAM + 0x1000, 0, true);
        conf_show_queues(c);
        conf_queue(c, 1, RAM + 0x1000, 0x1000, true);
        conf_show_queues(c);
        detach(c, c->idev);
        conf_show_queues(c);
    }
    finish(c);
}

static ConfObj *
newest_library_hwq(Conf *c)
{
    for (guint i = c->objs->len; i-- > 0;) {
        ConfObj *o = g_ptr_array_index(c->objs, i);

        if (o->by_library && !o->destroyed && g_str_has_prefix(o->name, "hwq")) {
            return o;
        }
    }
    return NULL;
}

/* The kernel's own answers, and the same cases reached from the guest:
 * another holder of queue 1 (EEXIST, then EBUSY on destroying 0) and a
 * queue 0 destroyed behind the library's back (EIO for 1). */
static void
sc_hwq_kernel(Conf *c)
{
    uint32_t id, raw1 = 0;
    ConfObj *lib0;

    if (!start(c, "selftest")) {
        finish(c);
        return;
    }
    refused(c, conf_hwq_raw(c, viommu(c), 2, RAM, 0x1000, &id), id);
    refused(c, conf_hwq_raw(c, viommu(c), 1, RAM, 0x1000, &id), id);
    refused(c, conf_hwq_raw(c, viommu(c), 0, UNMAPPED, 0x1000, &id), id);
    conf_queue(c, 0, RAM, 0x1000, true);
    conf_show_queues(c);
    refused(c, conf_hwq_raw(c, viommu(c), 0, RAM + 0x1000, 0x1000, &id), id);
    conf_hwq_raw(c, viommu(c), 1, RAM + 0x1000, 0x1000, &raw1);
    conf_queue(c, 1, RAM + 0x2000, 0x1000, true);
    conf_show_queues(c);
    conf_queue(c, 1, RAM + 0x2000, 0x1000, false);
    conf_queue(c, 0, RAM, 0x1000, false);
    conf_show_queues(c);
    if (raw1) {
        conf_destroy(c, raw1);
    }
    conf_queue(c, 0, RAM, 0x1000, false);
    conf_show_queues(c);
    conf_queue(c, 0, RAM, 0x1000, true);
    lib0 = newest_library_hwq(c);
    if (lib0) {
        conf_destroy(c, lib0->id);
    }
    conf_queue(c, 1, RAM + 0x1000, 0x1000, true);
    conf_show_queues(c);
    finish(c);
}

/* The guest sees the kernel's EIO: queue 0 vanished behind the library's
 * back on a fresh vIOMMU (no slot left taken by an earlier queue 1). */
static void
sc_hwq_eio(Conf *c)
{
    ConfObj *lib0;

    if (!start(c, "selftest")) {
        finish(c);
        return;
    }
    conf_queue(c, 0, RAM, 0x1000, true);
    lib0 = newest_library_hwq(c);
    if (lib0) {
        conf_destroy(c, lib0->id);
    }
    conf_queue(c, 1, RAM + 0x1000, 0x1000, true);
    conf_show_queues(c);
    conf_queue(c, 1, RAM + 0x1000, 0x1000, false);
    conf_queue(c, 0, RAM, 0x1000, false);
    conf_show_queues(c);
    detach(c, c->idev);
    finish(c);
}

/* --- vDEVICEs ------------------------------------------------------------- */

static void
sc_vdevice(Conf *c)
{
    uint32_t stdev2 = 0, hwpt2 = 0, idev2, id;

    if (!start(c, "selftest")) {
        finish(c);
        return;
    }
    set_vsid(c, c->idev, VSID1);
    refused(c, conf_vdevice_raw(c, viommu(c), c->idev, VSID2, &id), id);
    idev2 = conf_mock_device(c, &stdev2, &hwpt2);
    if (idev2) {
        refused(c, conf_vdevice_raw(c, viommu(c), idev2, VSID1, &id), id);
        attach(c, idev2, conf_name(c, idev2));
        set_vsid(c, idev2, VSID1);
        set_vsid(c, idev2, VSID2);
        set_vsid(c, c->idev, VSID3);
        conf_show(c, "VDEVS", A_ST_VDEVS);
        detach(c, idev2);
        conf_show(c, "VDEVS", A_ST_VDEVS);
        conf_destroy(c, stdev2);
    }
    detach(c, c->idev);
    finish(c);
}

/* --- vEVENTs -------------------------------------------------------------- */

/* The device reaches its vIOMMU through a nested HWPT of it. */
static uint32_t
nest(Conf *c)
{
    uint32_t nested = 0;

    if (conf_hwpt_nested(c, c->idev, viommu(c), &nested) < 0 ||
        conf_replace(c, c->stdev, nested) < 0) {
        return nested;
    }
    return nested;
}

/* The program's own cleanup retries once, as the library's does: a
 * nested HWPT left behind would hold the vIOMMU against the library. */
static void
unnest(Conf *c, uint32_t nested)
{
    if (conf_replace(c, c->stdev, c->parent) < 0) {
        conf_replace(c, c->stdev, c->parent);
    }
    if (nested && conf_destroy(c, nested) < 0) {
        conf_destroy(c, nested);
    }
}

static void
sc_vevent(Conf *c)
{
    uint32_t nested, id;
    int fd;

    if (!start(c, "selftest")) {
        finish(c);
        return;
    }
    conf_trigger(c, c->idev);
    set_vsid(c, c->idev, VSID1);
    conf_trigger(c, c->idev);
    nested = nest(c);
    for (int i = 0; i < 3; i++) {
        conf_trigger(c, c->idev);
    }
    conf_dispatch(c);
    conf_pop_events(c);
    conf_check(c, c->irqs == 3, "one interrupt per decoded vEVENT");
    refused_q(c, conf_veventq_raw(c, viommu(c), SE_IOMMU_VEVENTQ_TYPE_SELFTEST,
                                  4, &id, &fd), id, fd);
    refused_q(c, conf_veventq_raw(c, viommu(c), 0x1234, 0, &id, &fd), id, fd);
    refused_q(c, conf_veventq_raw(c, viommu(c), 0x1234,
                                  SE_VEVENTQ_MAX_DEPTH + 1, &id, &fd), id, fd);
    if (conf_veventq_raw(c, viommu(c), 0x1234, SE_VEVENTQ_MAX_DEPTH, &id,
                         &fd) == 0) {
        conf_destroy(c, id);
        conf_close_fd(c, fd);
        conf_destroy(c, id);
    }
    API(c, "set_eventq(on, log2 4)",
        smmu_ext_instance_set_eventq(c->inst, true, 4, &e_));
    conf_trigger(c, c->idev);
    conf_dispatch(c);
    conf_pop_events(c);
    unnest(c, nested);
    conf_trigger(c, c->idev);
    detach(c, c->idev);
    finish(c);
}

/* Fill past the depth before dispatching: one LOST header, counted once;
 * no event is delivered twice; the next event follows without a gap. */
static void
sc_vevent_loss(Conf *c)
{
    SmmuExtStats st = { .size = sizeof(st) };
    uint32_t nested;

    if (!start(c, "selftest")) {
        finish(c);
        return;
    }
    set_vsid(c, c->idev, VSID1);
    nested = nest(c);
    for (int i = 0; i < ST_EVENTQ_DEPTH + 4; i++) {
        conf_trigger(c, c->idev);
    }
    conf_dispatch(c);
    conf_pop_events(c);
    conf_trigger(c, c->idev);
    conf_dispatch(c);
    conf_dispatch(c);
    conf_pop_events(c);
    smmu_ext_instance_stats(c->inst, &st);
    conf_check(c, st.events == ST_EVENTQ_DEPTH + 1 && st.events_lost == 4,
               "%u delivered once each, 4 lost", ST_EVENTQ_DEPTH + 1);
    unnest(c, nested);
    detach(c, c->idev);
    finish(c);
}

/* --- teardown with everything live ---------------------------------------- */

static void
sc_teardown(Conf *c)
{
    uint32_t nested;

    if (!start(c, "selftest")) {
        finish(c);
        return;
    }
    set_vsid(c, c->idev, VSID1);
    API(c, "set_eventq(on, log2 3)",
        smmu_ext_instance_set_eventq(c->inst, true, 3, &e_));
    conf_queue(c, 0, RAM, 0x1000, true);
    conf_queue(c, 1, RAM + 0x1000, 0x1000, true);
    conf_show_queues(c);
    nested = nest(c);
    conf_trigger(c, c->idev);
    unnest(c, nested);
    /* An undelivered event and every object live: free does it all. */
    finish(c);
}

/* --- an untrusted guest ---------------------------------------------------- */

static uint64_t
xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Any offset (also past the region), any size, any value: nothing may
 * abort, and what the kernel is asked stays deterministic.  Queue
 * registers are only written by the bogus programs at the end, whose
 * kernel answers are part of the transcript. */
static void
sc_guest_abuse(Conf *c)
{
    static const unsigned sizes[] = { 1, 2, 3, 4, 8, 0, 16 };
    uint64_t x = 0x5e1f7e57c0ffeeull, size;
    unsigned n = 0;

    if (!start(c, "selftest")) {
        finish(c);
        return;
    }
    size = smmu_ext_instance_mmio_size(c->inst);
    c->in_library = true;
    for (; n < 4000; n++) {
        uint64_t off = xorshift(&x) % (size + 0x1000);
        unsigned sz = sizes[xorshift(&x) % G_N_ELEMENTS(sizes)];
        bool queue = off >= A_ST_QUEUE(0) && off < ST_QUEUE_END;

        if (xorshift(&x) & 1 && !queue) {
            smmu_ext_instance_mmio_write(c->inst, off, xorshift(&x), sz);
        } else {
            (void)smmu_ext_instance_mmio_read(c->inst, off, sz);
        }
    }
    c->in_library = false;
    conf_line(c, "guest %u random accesses done", n);
    conf_show(c, "STATUS", A_ST_STATUS);
    conf_queue(c, 0, 0xfffffffffffff000ull, 0x2000, true);
    conf_queue(c, 0, 1ull << 40, 0xffffffffu, true);
    conf_queue(c, 0, RAM + 0xff00, 0x100, true);
    conf_show_queues(c);
    detach(c, c->idev);
    finish(c);
}

/* --- the fault sweep's scenario: the whole lifecycle ---------------------- */

static void
sc_lifecycle(Conf *c)
{
    uint32_t nested;

    if (!start(c, "selftest")) {
        finish(c);
        return;
    }
    set_vsid(c, c->idev, VSID1);
    conf_queue(c, 0, RAM, 0x1000, true);
    conf_queue(c, 1, RAM + 0x1000, 0x1000, true);
    conf_show_queues(c);
    nested = nest(c);
    conf_trigger(c, c->idev);
    conf_trigger(c, c->idev);
    conf_dispatch(c);
    conf_pop_events(c);
    unnest(c, nested);
    conf_queue(c, 0, RAM, 0x1000, false);
    conf_show_queues(c);
    set_vsid(c, c->idev, VSID2);
    detach(c, c->idev);
    finish(c);
}

const ConfScenario conf_scenarios[] = {
    { "select-auto", sc_select_auto, false },
    { "select-on", sc_select_on, false },
    { "select-selftest", sc_select_selftest, false },
    { "select-off", sc_select_off, false },
    { "select-tegra241", sc_select_tegra241, false },
    { "viommu-kernel", sc_viommu_kernel, true },
    { "viommu-api", sc_viommu_api, false },
    { "hwq-order", sc_hwq_order, false },
    { "hwq-kernel", sc_hwq_kernel, false },
    { "hwq-eio", sc_hwq_eio, false },
    { "vdevice", sc_vdevice, true },
    { "vevent", sc_vevent, false },
    { "vevent-loss", sc_vevent_loss, true },
    { "teardown", sc_teardown, false },
    { "guest-abuse", sc_guest_abuse, false },
    { "lifecycle", sc_lifecycle, true },
};
const unsigned conf_n_scenarios = G_N_ELEMENTS(conf_scenarios);
