/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reference VMM: QEMU's part, small.  It owns guest RAM, dispatches
 * guest MMIO (a direct-page overlay wins, as a RAM-device subregion does;
 * the rest goes to the extension), counts IRQ edges, models the guest's
 * SMMUv3 event queue and runs a main loop over the vEVENTQ fds.  It talks
 * to the library only through the host API, and to the simulated host only
 * to bind devices and register RAM, as QEMU talks to VFIO and iommufd.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include "sim.h"

#define VMM_IRQ_LINES   8
#define VMM_EVTQ_LOG2_MAX 19

typedef struct VmmRam {
    uint64_t gpa;
    uint64_t size;
    uint64_t page_size;
    uint8_t *mem;
} VmmRam;

typedef struct VmmDirect {
    uint64_t offset;
    uint8_t *ptr;
    size_t len;
} VmmDirect;

typedef struct VmmDevice {
    uint32_t devid;            /* the VMM's number */
    uint32_t dev_id;           /* what the instance knows it by */
    uint32_t sim_dev;          /* bound sim device, 0 without iommufd */
} VmmDevice;

typedef struct VmmEvent {
    uint64_t w[4];
} VmmEvent;

struct SmmuExtVmm {
    SmmuExtSim *sim;
    SmmuExtRegistry *reg;
    bool own_reg;
    char *mode;
    SmmuExtInstance *inst;
    SmmuExtHostOps ops;
    GArray *ram;               /* VmmRam */
    GArray *direct;            /* VmmDirect */
    GArray *devices;           /* VmmDevice */
    GArray *watched;           /* int */
    bool irq_level[VMM_IRQ_LINES];
    unsigned irq_edges[VMM_IRQ_LINES];
    bool evtq_enabled;
    unsigned evtq_log2;
    GArray *events;            /* VmmEvent */
    unsigned eventq_aborts;
    uint64_t host_cmds[256];
    unsigned n_errors;
    char *last_error;
    bool trace;
    bool dispatch_only;        /* never the module's direct handlers */
};

/* --- guest RAM -------------------------------------------------------- */

static uint8_t *
vmm_ram_ptr(const SmmuExtVmm *vmm, uint64_t gpa, size_t len)
{
    for (guint i = 0; i < vmm->ram->len; i++) {
        const VmmRam *r = &g_array_index(vmm->ram, VmmRam, i);

        if (gpa >= r->gpa && len <= r->size && gpa - r->gpa <= r->size - len) {
            return r->mem + (gpa - r->gpa);
        }
    }
    return NULL;
}

bool
smmu_ext_vmm_mem_write(SmmuExtVmm *vmm, uint64_t gpa, const void *buf,
                       size_t len)
{
    uint8_t *p = vmm_ram_ptr(vmm, gpa, len);

    if (!p) {
        return false;
    }
    memcpy(p, buf, len);
    return true;
}

bool
smmu_ext_vmm_mem_read(SmmuExtVmm *vmm, uint64_t gpa, void *buf, size_t len)
{
    const uint8_t *p = vmm_ram_ptr(vmm, gpa, len);

    if (!p) {
        return false;
    }
    memcpy(buf, p, len);
    return true;
}

bool
smmu_ext_vmm_add_ram(SmmuExtVmm *vmm, uint64_t gpa, uint64_t size,
                     uint64_t page_size, GError **errp)
{
    VmmRam r = { .gpa = gpa, .size = size,
                 .page_size = page_size ? page_size : 4096 };

    if (vmm->inst && vmm->devices->len) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "guest RAM must be added before the first attach");
        return false;
    }
    if (size > G_MAXSIZE || !(r.mem = g_try_malloc0(size))) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_FAILED,
                    "cannot allocate %" G_GUINT64_FORMAT " bytes of guest "
                    "RAM", size);
        return false;
    }
    if (!smmu_ext_sim_add_ram(vmm->sim, gpa, size, r.page_size, r.mem,
                              errp)) {
        g_free(r.mem);
        return false;
    }
    g_array_append_val(vmm->ram, r);
    return true;
}

/* --- host callbacks --------------------------------------------------- */

static void
vmm_log(void *opaque, GLogLevelFlags level, const char *msg)
{
    const char *what = "debug";

    if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) {
        what = "error";
    } else if (level & G_LOG_LEVEL_WARNING) {
        what = "warning";
    } else if (!g_getenv("SMMU_EXT_DEBUG")) {
        return;
    }
    fprintf(stderr, "smmu-ext %s: %s\n", what, msg);
}

static void
vmm_set_irq(void *opaque, unsigned line, bool level)
{
    SmmuExtVmm *vmm = opaque;

    if (line >= VMM_IRQ_LINES) {
        return;
    }
    if (level && !vmm->irq_level[line]) {
        vmm->irq_edges[line]++;
    }
    vmm->irq_level[line] = level;
}

static VmmDirect *
vmm_direct_find(SmmuExtVmm *vmm, uint64_t offset, guint *idx)
{
    for (guint i = 0; i < vmm->direct->len; i++) {
        VmmDirect *d = &g_array_index(vmm->direct, VmmDirect, i);

        if (d->offset == offset) {
            if (idx) {
                *idx = i;
            }
            return d;
        }
    }
    return NULL;
}

static bool
vmm_map_direct(void *opaque, uint64_t offset, void *ptr, size_t len,
               GError **errp)
{
    SmmuExtVmm *vmm = opaque;
    VmmDirect d = { .offset = offset, .ptr = ptr, .len = len };
    VmmDirect *old = vmm_direct_find(vmm, offset, NULL);

    if (!ptr || !len || offset + len < offset) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "direct page at 0x%" PRIx64 ": bad pointer or length",
                    offset);
        return false;
    }
    if (old) {
        *old = d;
    } else {
        g_array_append_val(vmm->direct, d);
    }
    return true;
}

static void
vmm_unmap_direct(void *opaque, uint64_t offset, size_t len)
{
    SmmuExtVmm *vmm = opaque;
    guint idx;

    if (vmm_direct_find(vmm, offset, &idx)) {
        g_array_remove_index(vmm->direct, idx);
    }
}

static bool
vmm_dma_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
    return smmu_ext_vmm_mem_read(opaque, gpa, buf, len);
}

static bool
vmm_dma_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
    return smmu_ext_vmm_mem_write(opaque, gpa, buf, len);
}

static uint64_t
vmm_min_ram_page_size(void *opaque)
{
    SmmuExtVmm *vmm = opaque;
    uint64_t min = 0;

    for (guint i = 0; i < vmm->ram->len; i++) {
        uint64_t ps = g_array_index(vmm->ram, VmmRam, i).page_size;

        min = !min || ps < min ? ps : min;
    }
    return min ? min : 4096;
}

static bool
vmm_inject_event(void *opaque, const uint64_t evt[4])
{
    SmmuExtVmm *vmm = opaque;
    VmmEvent e;

    if (!vmm->evtq_enabled || vmm->events->len >= (1u << vmm->evtq_log2)) {
        return false;
    }
    memcpy(e.w, evt, sizeof(e.w));
    g_array_append_val(vmm->events, e);
    return true;
}

static void
vmm_eventq_abort(void *opaque)
{
    SmmuExtVmm *vmm = opaque;

    vmm->eventq_aborts++;
}

/* The opcodes an SMMUv3 command queue knows (SMMUv3 spec 4.1-4.7). */
static bool
vmm_smmu_opcode_known(uint8_t op)
{
    static const uint8_t known[] = {
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x10, 0x11, 0x12, 0x13, 0x18,
        0x1a, 0x20, 0x21, 0x22, 0x23, 0x28, 0x2a, 0x30, 0x40, 0x41, 0x44,
        0x45, 0x46,
    };

    return memchr(known, op, sizeof(known)) != NULL;
}

static int
vmm_handle_cmd(void *opaque, const uint64_t cmd[2])
{
    SmmuExtVmm *vmm = opaque;
    uint8_t op = cmd[0] & 0xff;

    vmm->host_cmds[op]++;
    return vmm_smmu_opcode_known(op) ? 0 : 1;
}

static void
vmm_fd_watch(void *opaque, int fd, bool on)
{
    SmmuExtVmm *vmm = opaque;

    for (guint i = 0; i < vmm->watched->len; i++) {
        if (g_array_index(vmm->watched, int, i) == fd) {
            if (!on) {
                g_array_remove_index(vmm->watched, i);
            }
            return;
        }
    }
    if (on) {
        g_array_append_val(vmm->watched, fd);
    }
}

static void
vmm_report_error(void *opaque, const GError *err)
{
    SmmuExtVmm *vmm = opaque;

    vmm->n_errors++;
    g_free(vmm->last_error);
    vmm->last_error = g_strdup(err ? err->message : "");
}

/* --- lifetime --------------------------------------------------------- */

SmmuExtVmm *
smmu_ext_vmm_new(const char *profile, SmmuExtRegistry *reg, GError **errp)
{
    SmmuExtSim *sim = smmu_ext_sim_new_by_name(profile, errp);
    SmmuExtVmm *vmm;

    if (!sim) {
        return NULL;
    }
    vmm = g_new0(SmmuExtVmm, 1);
    vmm->sim = sim;
    vmm->own_reg = !reg;
    vmm->reg = reg ? reg : smmu_ext_registry_new();
    vmm->mode = g_strdup("auto");
    vmm->ram = g_array_new(FALSE, TRUE, sizeof(VmmRam));
    vmm->direct = g_array_new(FALSE, TRUE, sizeof(VmmDirect));
    vmm->devices = g_array_new(FALSE, TRUE, sizeof(VmmDevice));
    vmm->watched = g_array_new(FALSE, TRUE, sizeof(int));
    vmm->events = g_array_new(FALSE, TRUE, sizeof(VmmEvent));
    vmm->ops = (SmmuExtHostOps) {
        .size = sizeof(SmmuExtHostOps),
        .log = vmm_log,
        .set_irq = vmm_set_irq,
        .map_direct = vmm_map_direct,
        .unmap_direct = vmm_unmap_direct,
        .dma_read = vmm_dma_read,
        .dma_write = vmm_dma_write,
        .min_ram_page_size = vmm_min_ram_page_size,
        .inject_event = vmm_inject_event,
        .eventq_abort = vmm_eventq_abort,
        .handle_cmd = vmm_handle_cmd,
        .fd_watch = vmm_fd_watch,
        .report_error = vmm_report_error,
    };
    return vmm;
}

void
smmu_ext_vmm_free(SmmuExtVmm *vmm)
{
    if (!vmm) {
        return;
    }
    /* The instance tears down through the sim, so it goes first. */
    smmu_ext_instance_free(vmm->inst);
    smmu_ext_sim_free(vmm->sim);
    for (guint i = 0; i < vmm->ram->len; i++) {
        g_free(g_array_index(vmm->ram, VmmRam, i).mem);
    }
    g_array_unref(vmm->ram);
    g_array_unref(vmm->direct);
    g_array_unref(vmm->devices);
    g_array_unref(vmm->watched);
    g_array_unref(vmm->events);
    if (vmm->own_reg) {
        smmu_ext_registry_free(vmm->reg);
    }
    g_free(vmm->mode);
    g_free(vmm->last_error);
    g_free(vmm);
}

bool
smmu_ext_vmm_set_mode(SmmuExtVmm *vmm, const char *mode, GError **errp)
{
    g_autoptr(SmmuExtMode) parsed = NULL;

    if (vmm->inst) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "cmdqv=%s: the mode is fixed once the SMMU exists",
                    mode ? mode : "(null)");
        return false;
    }
    parsed = smmu_ext_mode_parse(vmm->reg, mode, errp);
    if (!parsed) {
        return false;
    }
    g_free(vmm->mode);
    vmm->mode = g_strdup(mode);
    return true;
}

/* QEMU creates the accelerated SMMU's state on first use. */
static SmmuExtInstance *
vmm_instance(SmmuExtVmm *vmm, GError **errp)
{
    if (!vmm->inst) {
        vmm->inst = smmu_ext_instance_new(vmm->reg, vmm->mode, &vmm->ops,
                                          vmm, errp);
    }
    return vmm->inst;
}

static bool
vmm_has_iommufd(const SmmuExtVmm *vmm)
{
    return smmu_ext_sim_profile(vmm->sim) != SMMU_EXT_SIM_NONE;
}

/* --- devices ---------------------------------------------------------- */

static VmmDevice *
vmm_device_find(SmmuExtVmm *vmm, uint32_t devid, guint *idx)
{
    for (guint i = 0; i < vmm->devices->len; i++) {
        VmmDevice *d = &g_array_index(vmm->devices, VmmDevice, i);

        if (d->devid == devid) {
            if (idx) {
                *idx = i;
            }
            return d;
        }
    }
    return NULL;
}

bool
smmu_ext_vmm_attach(SmmuExtVmm *vmm, uint32_t devid, bool has_vsid,
                    uint64_t vsid, GError **errp)
{
    SmmuExtInstance *inst;
    SmmuExtIommufd *fd = NULL;
    VmmDevice d = { .devid = devid, .dev_id = devid };

    if (vmm_device_find(vmm, devid, NULL)) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "device %u is already attached", devid);
        return false;
    }
    inst = vmm_instance(vmm, errp);
    if (!inst) {
        return false;
    }
    if (vmm_has_iommufd(vmm)) {
        /* VFIO cdev bind: the device's physical StreamID is its number. */
        fd = smmu_ext_sim_iommufd(vmm->sim);
        d.sim_dev = smmu_ext_sim_add_device(vmm->sim, devid);
        d.dev_id = d.sim_dev;
    }
    if (!smmu_ext_instance_attach(inst, fd, d.dev_id,
                                  smmu_ext_sim_s2_hwpt(vmm->sim), errp)) {
        if (d.sim_dev) {
            smmu_ext_sim_remove_device(vmm->sim, d.sim_dev);
        }
        return false;
    }
    g_array_append_val(vmm->devices, d);
    /* The device stays plugged even if its vDEVICE fails, as in QEMU. */
    return !has_vsid || smmu_ext_instance_set_vsid(inst, d.dev_id, vsid,
                                                   errp);
}

bool
smmu_ext_vmm_detach(SmmuExtVmm *vmm, uint32_t devid, GError **errp)
{
    guint idx;
    VmmDevice *dp = vmm_device_find(vmm, devid, &idx);
    VmmDevice d;
    bool ok;

    if (!dp) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "device %u is not attached", devid);
        return false;
    }
    d = *dp;
    g_array_remove_index(vmm->devices, idx);
    ok = smmu_ext_instance_detach(vmm->inst, d.dev_id, errp);
    /* The cdev is closed whatever happened above. */
    if (d.sim_dev) {
        smmu_ext_sim_remove_device(vmm->sim, d.sim_dev);
    }
    return ok;
}

/* --- MMIO ------------------------------------------------------------- */

static void
vmm_trace(SmmuExtVmm *vmm, char rw, uint64_t offset, unsigned size,
          uint64_t value, const char *path)
{
    if (vmm->trace) {
        printf("%c%u 0x%" PRIx64 " = 0x%" PRIx64 " %s\n", rw, size * 8,
               offset, value, path);
    }
}

/* The overlay that holds all of [offset, offset + size), if any. */
static uint8_t *
vmm_direct_ptr(SmmuExtVmm *vmm, uint64_t offset, unsigned size)
{
    for (guint i = 0; i < vmm->direct->len; i++) {
        VmmDirect *d = &g_array_index(vmm->direct, VmmDirect, i);

        if (offset >= d->offset && size <= d->len &&
            offset - d->offset <= d->len - size) {
            return d->ptr + (offset - d->offset);
        }
    }
    return NULL;
}

static bool
vmm_in_region(SmmuExtVmm *vmm, uint64_t offset, unsigned size)
{
    uint64_t len = smmu_ext_instance_mmio_size(vmm->inst);

    return size <= len && offset <= len - size;
}

uint64_t
smmu_ext_vmm_read(SmmuExtVmm *vmm, uint64_t offset, unsigned size,
                  bool *direct)
{
    uint64_t value = 0;
    uint8_t *p;

    if (direct) {
        *direct = false;
    }
    if (size < 1 || size > 8 || !vmm_instance(vmm, NULL)) {
        return 0;
    }
    p = vmm_direct_ptr(vmm, offset, size);
    if (p) {
        memcpy(&value, p, size);
        value = GUINT64_FROM_LE(value);
        if (direct) {
            *direct = true;
        }
        vmm_trace(vmm, 'r', offset, size, value, "direct");
        return value;
    }
    if (vmm_in_region(vmm, offset, size)) {
        SmmuExtMmioRead rd;
        SmmuExtMmioWrite wr;
        void *opaque;

        if (!vmm->dispatch_only &&
            smmu_ext_instance_mmio_handlers(vmm->inst, &rd, &wr, &opaque)) {
            value = rd(opaque, offset, size);
        } else {
            value = smmu_ext_instance_mmio_read(vmm->inst, offset, size);
        }
    }
    vmm_trace(vmm, 'r', offset, size, value, "trap");
    return value;
}

void
smmu_ext_vmm_write(SmmuExtVmm *vmm, uint64_t offset, uint64_t value,
                   unsigned size, bool *direct)
{
    uint8_t *p;

    if (direct) {
        *direct = false;
    }
    if (size < 1 || size > 8 || !vmm_instance(vmm, NULL)) {
        return;
    }
    if (size < 8) {
        value &= (1ull << (size * 8)) - 1;
    }
    p = vmm_direct_ptr(vmm, offset, size);
    if (p) {
        uint64_t le = GUINT64_TO_LE(value);

        memcpy(p, &le, size);
        if (direct) {
            *direct = true;
        }
        vmm_trace(vmm, 'w', offset, size, value, "direct");
        return;
    }
    vmm_trace(vmm, 'w', offset, size, value, "trap");
    if (vmm_in_region(vmm, offset, size)) {
        SmmuExtMmioRead rd;
        SmmuExtMmioWrite wr;
        void *opaque;

        if (!vmm->dispatch_only &&
            smmu_ext_instance_mmio_handlers(vmm->inst, &rd, &wr, &opaque)) {
            wr(opaque, offset, value, size);
        } else {
            smmu_ext_instance_mmio_write(vmm->inst, offset, value, size);
        }
    }
}

/* --- run loop, IRQs, reset -------------------------------------------- */

void
smmu_ext_vmm_step(SmmuExtVmm *vmm, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        smmu_ext_sim_step(vmm->sim);
    }
}

void
smmu_ext_vmm_main_loop_once(SmmuExtVmm *vmm)
{
    g_autofree struct pollfd *pfd = NULL;
    guint n = vmm->watched->len;

    if (!vmm->inst || !n) {
        return;
    }
    /* Dispatching may close fds (fd_watch off): poll a snapshot. */
    pfd = g_new0(struct pollfd, n);
    for (guint i = 0; i < n; i++) {
        pfd[i].fd = g_array_index(vmm->watched, int, i);
        pfd[i].events = POLLIN;
    }
    if (poll(pfd, n, 0) <= 0) {
        return;
    }
    for (guint i = 0; i < n; i++) {
        if (pfd[i].revents & POLLIN) {
            smmu_ext_instance_dispatch_fd(vmm->inst, pfd[i].fd);
        }
    }
}

unsigned
smmu_ext_vmm_irq_count(const SmmuExtVmm *vmm, unsigned line)
{
    return line < VMM_IRQ_LINES ? vmm->irq_edges[line] : 0;
}

void
smmu_ext_vmm_reset(SmmuExtVmm *vmm)
{
    if (vmm->inst) {
        smmu_ext_instance_reset(vmm->inst);
    }
}

/* --- the guest's SMMUv3 event queue ----------------------------------- */

bool
smmu_ext_vmm_set_guest_eventq(SmmuExtVmm *vmm, bool enabled,
                              unsigned log2size, GError **errp)
{
    SmmuExtInstance *inst;

    if (log2size > VMM_EVTQ_LOG2_MAX) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "guest event queue of 2^%u entries: at most 2^%u",
                    log2size, VMM_EVTQ_LOG2_MAX);
        return false;
    }
    inst = vmm_instance(vmm, errp);
    if (!inst) {
        return false;
    }
    vmm->evtq_enabled = enabled;
    vmm->evtq_log2 = log2size;
    return smmu_ext_instance_set_eventq(inst, enabled, log2size, errp);
}

unsigned
smmu_ext_vmm_guest_events(const SmmuExtVmm *vmm)
{
    return vmm->events->len;
}

const uint64_t *
smmu_ext_vmm_guest_event(const SmmuExtVmm *vmm, unsigned i)
{
    if (i >= vmm->events->len) {
        return NULL;
    }
    return g_array_index(vmm->events, VmmEvent, i).w;
}

void
smmu_ext_vmm_guest_eventq_drain(SmmuExtVmm *vmm)
{
    g_array_set_size(vmm->events, 0);
}

unsigned
smmu_ext_vmm_eventq_aborts(const SmmuExtVmm *vmm)
{
    return vmm->eventq_aborts;
}

uint64_t
smmu_ext_vmm_host_cmd_count(const SmmuExtVmm *vmm, uint8_t opcode)
{
    return vmm->host_cmds[opcode];
}

unsigned
smmu_ext_vmm_reported_errors(const SmmuExtVmm *vmm)
{
    return vmm->n_errors;
}

const char *
smmu_ext_vmm_last_error(const SmmuExtVmm *vmm)
{
    return vmm->last_error;
}

void
smmu_ext_vmm_set_trace(SmmuExtVmm *vmm, bool on)
{
    vmm->trace = on;
}

void
smmu_ext_vmm_set_direct_handlers(SmmuExtVmm *vmm, bool on)
{
    vmm->dispatch_only = !on;
}

uint32_t
smmu_ext_vmm_sim_dev(SmmuExtVmm *vmm, uint32_t devid)
{
    VmmDevice *d = vmm_device_find(vmm, devid, NULL);

    return d ? d->sim_dev : 0;
}

SmmuExtInstance *
smmu_ext_vmm_instance(SmmuExtVmm *vmm)
{
    return vmm->inst;
}

SmmuExtSim *
smmu_ext_vmm_sim(SmmuExtVmm *vmm)
{
    return vmm->sim;
}

SmmuExtRegistry *
smmu_ext_vmm_registry(SmmuExtVmm *vmm)
{
    return vmm->reg;
}
