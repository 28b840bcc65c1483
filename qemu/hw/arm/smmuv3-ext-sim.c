/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smmu-ext-sim: libsmmu-ext's simulated host as a QEMU object
 *
 * It plays, inside QEMU, the parts of the machine that an accelerated
 * arm-smmuv3 has outside it on a Grace host: the iommufd (the simulated
 * kernel's uAPI semantics), the VFIO binding of every PCI device behind the
 * SMMU, and the physical SMMU with its Tegra241 CMDQV.  The extension, its
 * module and the adapter run unchanged on top of it: the same probe, the
 * same vIOMMU, vDEVICEs, HW queues and vEVENTQs, the same host page mapped
 * into the guest.  What the physical hardware would do asynchronously the
 * object does from a QEMU_CLOCK_VIRTUAL timer: VCMDQ page0 is a RAM device
 * the guest polls without trapping, so the queues must drain on their own.
 * Each command the simulated CMDQV consumes is executed by the SMMUv3's own
 * command code, the StreamID translated back from the physical SID the
 * hardware produced to the requester ID QEMU's SMMUv3 knows the device by.
 *
 * DMA itself is still translated by QEMU's SMMUv3 from the guest's tables;
 * only the command and event paths go through the simulated host.
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/notify.h"
#include "qemu/rcu.h"
#include "qemu/timer.h"
#include "qemu/cutils.h"
#include "qapi/error.h"
#include "qom/object_interfaces.h"
#include "hw/qdev-core.h"
#include "hw/sysbus.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_bus.h"
#include "hw/pci/pci_device.h"
#include "hw/arm/smmu-common.h"
#include "hw/arm/smmuv3-ext-sim.h"
#include "system/address-spaces.h"
#include "system/memory.h"
#include "system/runstate.h"
#include "system/system.h"
#include "smmuv3-internal.h"

#include <smmu-ext.h>
#include <smmu-ext-sim.h>

#define SIM_HOST_CMD_ATC_INV    0x40
#define SIM_HOST_EVT_C_BAD_STE  0x04
/*
 * Physical SIDs are numbered apart from requester IDs, so a command that
 * reached the SMMU untranslated cannot find a device by accident.
 */
#define SIM_HOST_PSID_BASE      0x10000u

/* A PCI device behind the SMMU, bound to the simulated iommufd. */
typedef struct SimHostDev {
    PCIDevice *pdev;
    uint32_t dev_id;            /* the simulated kernel's */
    uint32_t psid;
    bool attached;              /* smmu_ext_instance_attach succeeded */
    int32_t vsid;               /* -1 until the requester ID is known */
} SimHostDev;

struct SmmuExtSimHost {
    Object parent_obj;

    char *profile;
    uint32_t poll_ns;           /* period while HW queues are live */
    uint32_t idle_ns;           /* period otherwise */
    uint32_t budget;            /* commands per timer run */

    SmmuExtSim *sim;
    uint32_t probe_dev;         /* bound for the SMMU's probe */
    SMMUv3State *smmu;
    SmmuExtInstance *inst;
    GPtrArray *devs;            /* SimHostDev* */
    uint32_t next_psid;
    DeviceListener listener;
    bool listening;
    QEMUTimer *timer;
    bool eventq_on;
    unsigned eventq_log2;
    bool warned_vsid;           /* the first failure of each is a warning */
    bool warned_eventq;
    Notifier machine_done;
    Notifier shutdown;
    Notifier exit;
    bool exited;                /* torn down */
    /* test switches given on the command line, armed at complete */
    char *fail_cmd;
    char *fail_op;
};

/* --- guest RAM --------------------------------------------------------- */

static bool sim_host_add_range(Int128 start, Int128 len,
                               const MemoryRegion *mr, hwaddr off,
                               void *opaque)
{
    SmmuExtSimHost *h = opaque;
    MemoryRegion *m = (MemoryRegion *)mr;
    g_autoptr(GError) gerr = NULL;
    uint8_t *hva;

    if (!memory_region_is_ram(m) || memory_region_is_ram_device(m)) {
        return false;
    }
    hva = (uint8_t *)memory_region_get_ram_ptr(m) + off;
    if (!smmu_ext_sim_add_ram(h->sim, int128_get64(start), int128_get64(len),
                              qemu_ram_pagesize(m->ram_block), hva, &gerr)) {
        warn_report("smmu-ext-sim: guest RAM at 0x%" PRIx64 ": %s",
                    int128_get64(start), gerr->message);
    }
    return false;
}

/*
 * The simulated kernel pins HW queue memory through its IOAS, which is the
 * guest RAM: register it once the machine is built.  RAM that appears
 * later (memory hotplug) is not seen, so HW queues there fail to pin.
 */
static void sim_host_machine_done(Notifier *n, void *data)
{
    SmmuExtSimHost *h = container_of(n, SmmuExtSimHost, machine_done);

    RCU_READ_LOCK_GUARD();
    flatview_for_each_range(address_space_to_flatview(&address_space_memory),
                            sim_host_add_range, h);
}

/* --- devices ------------------------------------------------------------ */

static bool sim_host_is_bridge(PCIDevice *pdev)
{
    return (pci_get_word(pdev->config + PCI_CLASS_DEVICE) >> 8) ==
           PCI_BASE_CLASS_BRIDGE;
}

/*
 * Whether @pdev translates through this host's SMMU.  PCI sets up bus
 * master address spaces at machine-init-done, after the device's realize:
 * asking for it now makes the SMMU create its SMMUDevice, as it would then.
 */
static bool sim_host_behind(SmmuExtSimHost *h, PCIDevice *pdev)
{
    SMMUState *bs = ARM_SMMU(h->smmu);
    SMMUPciBus *sbus;

    pci_device_iommu_address_space(pdev);
    sbus = g_hash_table_lookup(bs->smmu_pcibus_by_busptr, pci_get_bus(pdev));
    return sbus && sbus->pbdev[pdev->devfn];
}

/*
 * The requester ID the guest's stream table uses, once the guest has
 * numbered the bus (a root bus is bus 0 from the start).
 */
static bool sim_host_rid(PCIDevice *pdev, uint16_t *rid)
{
    PCIBus *bus = pci_get_bus(pdev);
    int num = pci_bus_num(bus);

    if (!pci_bus_is_root(bus) && num == 0) {
        return false;
    }
    *rid = PCI_BUILD_BDF(num, pdev->devfn);
    return true;
}

static SimHostDev *sim_host_find(SmmuExtSimHost *h, PCIDevice *pdev)
{
    for (guint i = 0; i < h->devs->len; i++) {
        SimHostDev *d = g_ptr_array_index(h->devs, i);

        if (d->pdev == pdev) {
            return d;
        }
    }
    return NULL;
}

static SimHostDev *sim_host_find_psid(SmmuExtSimHost *h, uint32_t psid)
{
    for (guint i = 0; i < h->devs->len; i++) {
        SimHostDev *d = g_ptr_array_index(h->devs, i);

        if (d->psid == psid) {
            return d;
        }
    }
    return NULL;
}

/*
 * As VFIO would: bind (own dev_id), attach to the instance (the first
 * attach allocates the vIOMMU and the extension's vEVENTQ).
 */
static void sim_host_attach(SmmuExtSimHost *h, PCIDevice *pdev)
{
    SimHostDev *d = g_new0(SimHostDev, 1);
    g_autoptr(GError) gerr = NULL;

    d->pdev = pdev;
    d->psid = h->next_psid++;
    d->vsid = -1;
    d->dev_id = smmu_ext_sim_add_device(h->sim, d->psid);
    g_ptr_array_add(h->devs, d);
    d->attached = smmu_ext_instance_attach(h->inst,
                                           smmu_ext_sim_iommufd(h->sim),
                                           d->dev_id,
                                           smmu_ext_sim_s2_hwpt(h->sim),
                                           &gerr);
    if (!d->attached) {
        /*
         * A VFIO device would fail to plug; this one keeps QEMU's
         * emulated translation and is only left out of the extension.
         */
        error_report("smmu-ext-sim: attaching %s (dev_id %u): %s",
                     DEVICE(pdev)->id ? DEVICE(pdev)->id :
                     object_get_typename(OBJECT(pdev)), d->dev_id,
                     gerr->message);
    }
}

static void sim_host_detach(SmmuExtSimHost *h, SimHostDev *d)
{
    g_autoptr(GError) gerr = NULL;

    if (d->attached &&
        !smmu_ext_instance_detach(h->inst, d->dev_id, &gerr)) {
        warn_report("smmu-ext-sim: detaching dev_id %u: %s", d->dev_id,
                    gerr->message);
    }
    smmu_ext_sim_remove_device(h->sim, d->dev_id);
    g_ptr_array_remove(h->devs, d);
}

static void sim_host_device_realize(DeviceListener *l, DeviceState *dev)
{
    SmmuExtSimHost *h = container_of(l, SmmuExtSimHost, listener);
    PCIDevice *pdev = (PCIDevice *)object_dynamic_cast(OBJECT(dev),
                                                       TYPE_PCI_DEVICE);

    if (pdev && h->inst && !h->exited && !sim_host_is_bridge(pdev) &&
        sim_host_behind(h, pdev) && !sim_host_find(h, pdev)) {
        sim_host_attach(h, pdev);
    }
}

static void sim_host_device_unrealize(DeviceListener *l, DeviceState *dev)
{
    SmmuExtSimHost *h = container_of(l, SmmuExtSimHost, listener);
    PCIDevice *pdev = (PCIDevice *)object_dynamic_cast(OBJECT(dev),
                                                       TYPE_PCI_DEVICE);
    SimHostDev *d = pdev ? sim_host_find(h, pdev) : NULL;

    if (d) {
        sim_host_detach(h, d);
    }
}

/*
 * The guest's bus numbers and event queue settings drive these calls, so
 * the guest can make them fail again and again: warn once, then leave the
 * rest to -d guest_errors.
 */
static void G_GNUC_PRINTF(2, 3)
sim_host_guest_warning(bool *warned, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (!warn_report_once_cond(warned, "smmu-ext-sim: %s (further ones: "
                               "-d guest_errors)", msg)) {
        qemu_log_mask(LOG_GUEST_ERROR, "smmu-ext-sim: %s\n", msg);
    }
}

/*
 * What the hardware path learns from guest register writes that the
 * SMMUv3 model does not report: a device's requester ID (bus numbers are
 * the guest's) and the state of the guest's event queue.  Polled on every
 * timer run, which costs a few loads per device.
 */
static void sim_host_sync_vsids(SmmuExtSimHost *h)
{
    for (guint i = 0; i < h->devs->len; i++) {
        SimHostDev *d = g_ptr_array_index(h->devs, i);
        g_autoptr(GError) gerr = NULL;
        uint16_t rid;

        if (!d->attached || !sim_host_rid(d->pdev, &rid) || d->vsid == rid) {
            continue;
        }
        d->vsid = rid;
        if (!smmu_ext_instance_set_vsid(h->inst, d->dev_id, rid, &gerr)) {
            sim_host_guest_warning(&h->warned_vsid, "vSID 0x%x for dev_id "
                                   "%u: %s", rid, d->dev_id, gerr->message);
        }
    }
}

static void sim_host_sync_eventq(SmmuExtSimHost *h)
{
    SMMUv3State *s = h->smmu;
    bool on = smmuv3_eventq_enabled(s);
    g_autoptr(GError) gerr = NULL;

    if (on == h->eventq_on && (!on || s->eventq.log2size == h->eventq_log2)) {
        return;
    }
    h->eventq_on = on;
    h->eventq_log2 = s->eventq.log2size;
    if (!smmu_ext_instance_set_eventq(h->inst, on, s->eventq.log2size,
                                      &gerr)) {
        sim_host_guest_warning(&h->warned_eventq, "guest event queue: %s",
                               gerr->message);
    }
}

/* --- the hardware -------------------------------------------------------- */

/*
 * The physical SMMU executing a command the CMDQV consumed.  The hardware
 * rewrote an ATC_INV's vSID to the physical SID; QEMU's SMMUv3 finds
 * devices by requester ID, so map it back through the binding.
 */
static SmmuExtSimCmdErr sim_host_exec(void *opaque, unsigned queue,
                                      const uint64_t cmd[2])
{
    SmmuExtSimHost *h = opaque;
    uint64_t w0 = cmd[0];
    Cmd c;

    if ((w0 & 0xff) == SIM_HOST_CMD_ATC_INV) {
        SimHostDev *d = sim_host_find_psid(h, w0 >> 32);

        if (!d || d->vsid < 0) {
            return SMMU_EXT_SIM_CMD_OK;   /* no such device: nothing cached */
        }
        w0 = deposit64(w0, 32, 32, d->vsid);
    }
    c.word[0] = w0;
    c.word[1] = w0 >> 32;
    c.word[2] = cmd[1];
    c.word[3] = cmd[1] >> 32;
    /* SMMUCmdError and the VCMDQ's CONS.ERR share their codes. */
    return (SmmuExtSimCmdErr)smmuv3_cmdq_exec_one(h->smmu, &c);
}

static void sim_host_tick(void *opaque)
{
    SmmuExtSimHost *h = opaque;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    int64_t next;

    if (h->exited) {
        return;                 /* torn down: nothing may come back */
    }
    sim_host_sync_vsids(h);
    sim_host_sync_eventq(h);
    smmu_ext_sim_run(h->sim, h->budget);
    if (smmu_ext_sim_pending(h->sim)) {
        next = now;                        /* budget spent: again at once */
    } else if (smmu_ext_sim_live(h->sim, SMMU_EXT_SIM_HW_QUEUE)) {
        next = now + h->poll_ns;
    } else {
        next = now + h->idle_ns;
    }
    timer_mod(h->timer, next);
}

/* --- adapter interface --------------------------------------------------- */

bool smmuv3_ext_sim_probe_target(SmmuExtSimHost *h,
                                 struct SmmuExtIommufd **iommufd,
                                 uint32_t *dev_id, Error **errp)
{
    if (h->smmu) {
        error_setg(errp, "smmu-ext-sim %s already backs %s: one simulated "
                   "host models one physical SMMU",
                   object_get_canonical_path_component(OBJECT(h)),
                   object_get_canonical_path(OBJECT(h->smmu)));
        return false;
    }
    *iommufd = smmu_ext_sim_iommufd(h->sim);
    *dev_id = h->probe_dev;
    return true;
}

void smmuv3_ext_sim_bind(SmmuExtSimHost *h, SMMUv3State *s,
                         struct SmmuExtInstance *inst)
{
    h->smmu = s;
    h->inst = inst;
    smmu_ext_sim_set_cmd_handler(h->sim, sim_host_exec, h);
    h->listener = (DeviceListener) {
        .realize = sim_host_device_realize,
        .unrealize = sim_host_device_unrealize,
    };
    device_listener_register(&h->listener);
    h->listening = true;
    h->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, sim_host_tick, h);
    timer_mod(h->timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + h->idle_ns);
}

static void sim_host_detach_all(SmmuExtSimHost *h)
{
    while (h->devs->len) {
        sim_host_detach(h, g_ptr_array_index(h->devs, h->devs->len - 1));
    }
}

void smmuv3_ext_sim_unbind(SmmuExtSimHost *h, SMMUv3State *s)
{
    if (h->smmu != s) {
        return;                 /* realize failed before the bind */
    }
    if (h->listening) {
        device_listener_unregister(&h->listener);
        h->listening = false;
    }
    g_clear_pointer(&h->timer, timer_free);
    if (h->inst) {
        sim_host_detach_all(h);
    }
    smmu_ext_sim_set_cmd_handler(h->sim, NULL, NULL);
    h->inst = NULL;
    h->smmu = NULL;
}

/*
 * What the simulated hardware executed, in the guest suite's counter form
 * ("counter <name>: <n>", tests/guest/guest-test.py): totals, then each
 * logical VCMDQ that executed anything.
 */
static void sim_host_report_counters(SmmuExtSimHost *h, const char *id)
{
    static const struct {
        uint8_t op;
        const char *name;
    } ops[] = {
        { 0x11, "tlbi_nh_asid" }, { 0x12, "tlbi_nh_va" },
        { 0x40, "atc_inv" }, { 0x46, "cmd_sync" },
    };

    for (unsigned i = 0; i < G_N_ELEMENTS(ops); i++) {
        info_report("smmu-ext-sim %s: counter commands.%s: %" PRIu64, id,
                    ops[i].name, smmu_ext_sim_cmd_count(h->sim, ops[i].op));
    }
    for (unsigned q = 0; q < 64; q++) {
        for (unsigned i = 0; i < G_N_ELEMENTS(ops); i++) {
            uint64_t n = smmu_ext_sim_queue_cmd_count(h->sim, q, ops[i].op);

            if (n) {
                info_report("smmu-ext-sim %s: counter vcmdq%u.%s: %" PRIu64,
                            id, q, ops[i].name, n);
            }
        }
    }
    for (int k = 0; k < SMMU_EXT_SIM_KIND_N; k++) {
        info_report("smmu-ext-sim %s: counter objects.%s: %u", id,
                    smmu_ext_sim_kind_name(k), smmu_ext_sim_live(h->sim, k));
    }
    info_report("smmu-ext-sim %s: counter objects.fds: %u", id,
                smmu_ext_sim_open_fds(h->sim));
}

/*
 * QEMU does not unrealize devices at exit: detach them here, so the last
 * detach frees the vIOMMU and all it owns, and say what is left.  This runs
 * from the shutdown notifier, in the main loop with the devices and the
 * memory API alive; it stays torn down, so -no-shutdown followed by a
 * restart of the guest is not supported.
 */
static void sim_host_teardown(SmmuExtSimHost *h)
{
    const char *id = object_get_canonical_path_component(OBJECT(h));
    g_autofree char *report = NULL;

    if (h->exited) {
        return;
    }
    h->exited = true;
    if (h->inst) {
        sim_host_detach_all(h);
    }
    if (h->probe_dev) {
        smmu_ext_sim_remove_device(h->sim, h->probe_dev);
        h->probe_dev = 0;
    }
    sim_host_report_counters(h, id);
    report = smmu_ext_sim_live_report(h->sim);
    if (smmu_ext_sim_live_total(h->sim)) {
        error_report("smmu-ext-sim %s: leaked at exit: %s", id, report);
    } else {
        info_report("smmu-ext-sim %s: at exit: %s", id, report);
    }
}

static void sim_host_shutdown(Notifier *n, void *data)
{
    sim_host_teardown(container_of(n, SmmuExtSimHost, shutdown));
}

/* An exit without a shutdown request (exit() on an error path). */
static void sim_host_exit(Notifier *n, void *data)
{
    sim_host_teardown(container_of(n, SmmuExtSimHost, exit));
}

/* --- test switches (qom-set) --------------------------------------------- */

/* "QUEUE:NTH:ill|abt|atc-sync": a hardware fault on a VCMDQ command. */
static void sim_host_arm_fail_cmd(SmmuExtSimHost *h, const char *value,
                                  Error **errp)
{
    g_auto(GStrv) f = g_strsplit(value, ":", 3);
    static const char *const codes[] = { "ill", "abt", "atc-sync" };
    unsigned q, nth;

    if (g_strv_length(f) != 3 || qemu_strtoui(f[0], NULL, 0, &q) ||
        qemu_strtoui(f[1], NULL, 0, &nth) || !nth) {
        error_setg(errp, "fail-cmd: '%s' is not QUEUE:NTH:CODE", value);
        return;
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(codes); i++) {
        if (!strcmp(f[2], codes[i])) {
            smmu_ext_sim_fail_cmd(h->sim, q, nth, i + 1);
            return;
        }
    }
    error_setg(errp, "fail-cmd: code '%s' is not ill, abt or atc-sync", f[2]);
}

/* "OP:NTH:ERRNO": a simulated-kernel call fails (e.g. hw_queue_alloc). */
static void sim_host_arm_fail_op(SmmuExtSimHost *h, const char *value,
                                 Error **errp)
{
    g_auto(GStrv) f = g_strsplit(value, ":", 3);
    unsigned nth, err;
    int op;

    op = g_strv_length(f) == 3 ? smmu_ext_sim_op_from_name(f[0]) : -1;
    if (op < 0 || qemu_strtoui(f[1], NULL, 0, &nth) || !nth ||
        qemu_strtoui(f[2], NULL, 0, &err) || !err) {
        error_setg(errp, "fail-op: '%s' is not OP:NTH:ERRNO with OP as in "
                   "the replay format (e.g. hw_queue_alloc)", value);
        return;
    }
    smmu_ext_sim_fail(h->sim, op, err, nth);
}

/* On the command line the host does not exist yet: keep the value. */
static void sim_host_set_fail_cmd(Object *obj, const char *value,
                                  Error **errp)
{
    SmmuExtSimHost *h = SMMU_EXT_SIM(obj);

    if (h->sim) {
        sim_host_arm_fail_cmd(h, value, errp);
    } else {
        g_free(h->fail_cmd);
        h->fail_cmd = g_strdup(value);
    }
}

static void sim_host_set_fail_op(Object *obj, const char *value, Error **errp)
{
    SmmuExtSimHost *h = SMMU_EXT_SIM(obj);

    if (h->sim) {
        sim_host_arm_fail_op(h, value, errp);
    } else {
        g_free(h->fail_op);
        h->fail_op = g_strdup(value);
    }
}

/*
 * "bad-ste:ID": C_BAD_STE for the PCI device with qdev id ID, posted at
 * the host so it comes back through the ARM_SMMUV3 vEVENTQ.
 */
static void sim_host_set_inject(Object *obj, const char *value, Error **errp)
{
    SmmuExtSimHost *h = SMMU_EXT_SIM(obj);
    uint64_t evt[4] = { SIM_HOST_EVT_C_BAD_STE, 0, 0, 0 };
    DeviceState *dev;
    SimHostDev *d;

    if (!h->sim) {
        error_setg(errp, "inject-event: only at run time (qom-set)");
        return;
    }
    if (!g_str_has_prefix(value, "bad-ste:")) {
        error_setg(errp, "inject-event: '%s' is not bad-ste:ID", value);
        return;
    }
    dev = qdev_find_recursive(sysbus_get_default(), value + 8);
    d = dev && object_dynamic_cast(OBJECT(dev), TYPE_PCI_DEVICE) ?
        sim_host_find(h, PCI_DEVICE(dev)) : NULL;
    if (!d) {
        error_setg(errp, "inject-event: no device '%s' behind this host",
                   value + 8);
        return;
    }
    if (!smmu_ext_sim_post_event(h->sim, d->dev_id, evt)) {
        error_setg(errp, "inject-event: dropped (no vDEVICE for '%s' or no "
                   "ARM_SMMUV3 vEVENTQ yet)", value + 8);
    }
}

static char *sim_host_get_report(Object *obj, Error **errp)
{
    SmmuExtSimHost *h = SMMU_EXT_SIM(obj);

    return h->sim ? smmu_ext_sim_live_report(h->sim) : g_strdup("");
}

/* --- the object ---------------------------------------------------------- */

static char *sim_host_get_profile(Object *obj, Error **errp)
{
    return g_strdup(SMMU_EXT_SIM(obj)->profile);
}

static void sim_host_set_profile(Object *obj, const char *value,
                                 Error **errp)
{
    SmmuExtSimHost *h = SMMU_EXT_SIM(obj);

    if (h->sim) {
        error_setg(errp, "profile: the simulated host already exists");
        return;
    }
    g_free(h->profile);
    h->profile = g_strdup(value);
}

static bool sim_host_arm(SmmuExtSimHost *h,
                         void (*arm)(SmmuExtSimHost *, const char *,
                                     Error **),
                         char **value, Error **errp)
{
    Error *local = NULL;

    arm(h, *value, &local);
    g_clear_pointer(value, g_free);
    if (local) {
        error_propagate(errp, local);
        return false;
    }
    return true;
}

static void sim_host_complete(UserCreatable *uc, Error **errp)
{
    SmmuExtSimHost *h = SMMU_EXT_SIM(uc);
    g_autoptr(GError) gerr = NULL;

    h->sim = smmu_ext_sim_new_by_name(h->profile, &gerr);
    if (!h->sim) {
        error_setg(errp, "smmu-ext-sim: %s", gerr->message);
        return;
    }
    if ((h->fail_cmd && !sim_host_arm(h, sim_host_arm_fail_cmd,
                                      &h->fail_cmd, errp)) ||
        (h->fail_op && !sim_host_arm(h, sim_host_arm_fail_op, &h->fail_op,
                                     errp))) {
        g_clear_pointer(&h->sim, smmu_ext_sim_free);
        return;
    }
    /* A device bound only to answer the SMMU's probe at realize. */
    h->probe_dev = smmu_ext_sim_add_device(h->sim, SIM_HOST_PSID_BASE - 1);
    h->machine_done.notify = sim_host_machine_done;
    qemu_add_machine_init_done_notifier(&h->machine_done);
    h->shutdown.notify = sim_host_shutdown;
    qemu_register_shutdown_notifier(&h->shutdown);
    h->exit.notify = sim_host_exit;
    qemu_add_exit_notifier(&h->exit);
}

static void sim_host_init(Object *obj)
{
    SmmuExtSimHost *h = SMMU_EXT_SIM(obj);

    h->profile = g_strdup("tegra241");
    h->poll_ns = 20 * SCALE_US;
    h->idle_ns = SCALE_MS;
    h->budget = 4096;
    h->next_psid = SIM_HOST_PSID_BASE;
    h->devs = g_ptr_array_new_with_free_func(g_free);
    object_property_add_uint32_ptr(obj, "poll-ns", &h->poll_ns,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint32_ptr(obj, "idle-ns", &h->idle_ns,
                                   OBJ_PROP_FLAG_READWRITE);
    object_property_add_uint32_ptr(obj, "budget", &h->budget,
                                   OBJ_PROP_FLAG_READWRITE);
}

static void sim_host_finalize(Object *obj)
{
    SmmuExtSimHost *h = SMMU_EXT_SIM(obj);

    /* The SMMU holds a link: it unbinds before this can run. */
    assert(!h->smmu);
    if (h->sim) {
        notifier_remove(&h->exit);
        notifier_remove(&h->shutdown);
        notifier_remove(&h->machine_done);
        smmu_ext_sim_free(h->sim);
    }
    g_ptr_array_free(h->devs, true);
    g_free(h->profile);
    g_free(h->fail_cmd);
    g_free(h->fail_op);
}

static void sim_host_class_init(ObjectClass *oc, const void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);

    ucc->complete = sim_host_complete;
    object_class_property_add_str(oc, "profile", sim_host_get_profile,
                                  sim_host_set_profile);
    object_class_property_set_description(oc, "profile",
        "the simulated host: tegra241 (SMMUv3 with a Tegra241 CMDQV, the "
        "default), smmuv3 (SMMUv3 only) or none (no usable IOMMU)");
    object_class_property_add_str(oc, "fail-cmd", NULL,
                                  sim_host_set_fail_cmd);
    object_class_property_set_description(oc, "fail-cmd",
        "test only: QUEUE:NTH:ill|abt|atc-sync faults the NTH next command "
        "of logical VCMDQ QUEUE");
    object_class_property_add_str(oc, "fail-op", NULL, sim_host_set_fail_op);
    object_class_property_set_description(oc, "fail-op",
        "test only: OP:NTH:ERRNO fails the NTH next simulated-kernel call "
        "OP (e.g. hw_queue_alloc:1:12)");
    object_class_property_add_str(oc, "inject-event", NULL,
                                  sim_host_set_inject);
    object_class_property_set_description(oc, "inject-event",
        "test only: bad-ste:ID posts C_BAD_STE for PCI device ID at the "
        "host");
    object_class_property_add_str(oc, "report", sim_host_get_report, NULL);
    object_class_property_set_description(oc, "report",
        "live simulated objects, open fds and bound devices");
}

static const TypeInfo sim_host_info = {
    .name = TYPE_SMMU_EXT_SIM,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(SmmuExtSimHost),
    .instance_init = sim_host_init,
    .instance_finalize = sim_host_finalize,
    .class_init = sim_host_class_init,
    .interfaces = (const InterfaceInfo[]) {
        { TYPE_USER_CREATABLE },
        { }
    },
};

static void sim_host_register_types(void)
{
    type_register_static(&sim_host_info);
}

type_init(sim_host_register_types)
