/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * arm-smmuv3 command-queue extensions through libsmmu-ext
 *
 * This file is the whole boundary between QEMU's SMMUv3 model and the
 * library: it turns the "cmdqv" property into a libsmmu-ext instance, gives
 * the selected extension its MMIO region and interrupt, and implements the
 * library's host callbacks with QEMU services.  No QEMU type reaches the
 * library and no library type leaves this file.
 *
 * Only the emulated mode exists here: this QEMU has no iommufd-accelerated
 * SMMUv3, so the extension is selected at realize with no host IOMMU and
 * its queues are executed by the SMMUv3's own command code.
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qapi/error.h"
#include "hw/irq.h"
#include "hw/sysbus.h"
#include "migration/blocker.h"
#include "migration/vmstate.h"
#include "system/address-spaces.h"
#include "system/hostmem.h"
#include "system/runstate.h"
#include "system/system.h"
#include "hw/arm/smmuv3-ext.h"
#include "hw/arm/smmuv3-ext-sim.h"
#include "smmuv3-internal.h"
#include "trace.h"

#include <smmu-ext.h>

/* A host page shown to the guest in place of trapped registers. */
typedef struct SMMUv3ExtDirect {
    MemoryRegion mr;
    uint64_t offset;
    void *ptr;
    size_t len;
} SMMUv3ExtDirect;

typedef struct SMMUv3Ext {
    SMMUv3State *smmu;
    char *label;                /* "arm-smmuv3 <id>" for log lines */
    SmmuExtInstance *inst;
    MemoryRegion mmio;          /* SysBus MMIO 1 */
    MemoryRegionOps mmio_ops;   /* per device: may carry the module's own */
    qemu_irq irq;               /* SysBus IRQ 4 */
    /*
     * Every direct page region ever made.  They are only disabled, never
     * freed while the device lives: a FlatView that RCU has not yet
     * reclaimed may still point at one.
     */
    GPtrArray *direct;
    Error *migration_blocker;
    VMChangeStateEntry *run_state;
    Notifier exit;              /* prints the extension's counters */
    bool dying;                 /* teardown: memory regions are gone */
} SMMUv3Ext;

/* One registry per process: modules are loaded once and stay resident. */
static SmmuExtRegistry *smmuv3_ext_registry(void)
{
    static SmmuExtRegistry *reg;

    if (!reg) {
        reg = smmu_ext_registry_new();
    }
    return reg;
}

/* --- host callbacks ------------------------------------------------------ */

static void smmuv3_ext_log(void *opaque, GLogLevelFlags level,
                           const char *msg)
{
    SMMUv3Ext *e = opaque;

    if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) {
        error_report("%s: %s", e->label, msg);
    } else if (level & G_LOG_LEVEL_WARNING) {
        warn_report("%s: %s", e->label, msg);
    } else if ((level & G_LOG_LEVEL_MESSAGE) &&
               g_str_has_prefix(msg, "guest: ")) {
        /* Already rate-limited by the library, per instance and per key. */
        qemu_log_mask(LOG_GUEST_ERROR, "%s: %s\n", e->label,
                      msg + strlen("guest: "));
    } else {
        trace_smmuv3_ext_log(e->label, msg);
    }
}

static void smmuv3_ext_set_irq(void *opaque, unsigned line, bool level)
{
    SMMUv3Ext *e = opaque;

    trace_smmuv3_ext_irq(e->label, line, level);
    /* One line is all a selected extension gets (SysBus IRQ 4). */
    if (line == 0) {
        qemu_set_irq(e->irq, level);
    }
}

static bool smmuv3_ext_map_direct(void *opaque, uint64_t offset,
                                           void *ptr, size_t len,
                                           GError **errp)
{
    SMMUv3Ext *e = opaque;
    uint64_t size = memory_region_size(&e->mmio);
    SMMUv3ExtDirect *d = NULL;

    if (!len || offset > size || len > size - offset) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "direct page at 0x%" PRIx64 " (0x%zx bytes) is outside "
                    "the 0x%" PRIx64 "-byte region", offset, len, size);
        return FALSE;
    }
    for (guint i = 0; i < e->direct->len; i++) {
        SMMUv3ExtDirect *c = g_ptr_array_index(e->direct, i);

        if (c->offset == offset && c->ptr == ptr && c->len == len) {
            d = c;
        } else if (c->offset == offset) {
            /* A new host page for the same place: retire the old one. */
            memory_region_set_enabled(&c->mr, false);
        }
    }
    if (!d) {
        g_autofree char *name = g_strdup_printf("%s-direct@0x%" PRIx64,
                                                memory_region_name(&e->mmio),
                                                offset);

        d = g_new0(SMMUv3ExtDirect, 1);
        d->offset = offset;
        d->ptr = ptr;
        d->len = len;
        memory_region_init_ram_device_ptr(&d->mr, OBJECT(e->smmu), name,
                                          len, ptr);
        memory_region_set_enabled(&d->mr, false);
        memory_region_add_subregion_overlap(&e->mmio, offset, &d->mr, 1);
        g_ptr_array_add(e->direct, d);
    }
    trace_smmuv3_ext_direct(e->label, offset, len, true);
    memory_region_set_enabled(&d->mr, true);
    return TRUE;
}

static void smmuv3_ext_unmap_direct(void *opaque, uint64_t offset,
                                    size_t len)
{
    SMMUv3Ext *e = opaque;

    if (e->dying) {
        return;
    }
    trace_smmuv3_ext_direct(e->label, offset, len, false);
    for (guint i = 0; i < e->direct->len; i++) {
        SMMUv3ExtDirect *c = g_ptr_array_index(e->direct, i);

        if (c->offset == offset) {
            memory_region_set_enabled(&c->mr, false);
        }
    }
}

/*
 * An extension's queue is read by the SMMU itself, not by a device behind
 * it: a physical, non-secure access to system memory, exactly like the
 * SMMUv3 reading its own command queue.
 */
static bool smmuv3_ext_dma_read(void *opaque, uint64_t gpa, void *buf,
                                size_t len)
{
    return address_space_read(&address_space_memory, gpa,
                              MEMTXATTRS_UNSPECIFIED, buf, len) == MEMTX_OK;
}

static bool smmuv3_ext_dma_write(void *opaque, uint64_t gpa, const void *buf,
                                 size_t len)
{
    return address_space_write(&address_space_memory, gpa,
                               MEMTXATTRS_UNSPECIFIED, buf, len) == MEMTX_OK;
}

static uint64_t smmuv3_ext_min_ram_page_size(void *opaque)
{
    long page = qemu_minrampagesize();

    return page == LONG_MAX ? qemu_real_host_page_size() : page;
}

static bool smmuv3_ext_inject_event(void *opaque, const uint64_t evt[4])
{
    SMMUv3Ext *e = opaque;
    Evt rec;

    for (int i = 0; i < 4; i++) {
        rec.word[2 * i] = evt[i];
        rec.word[2 * i + 1] = evt[i] >> 32;
    }
    return smmuv3_write_eventq(e->smmu, &rec) == MEMTX_OK;
}

static void smmuv3_ext_eventq_abort(void *opaque)
{
    SMMUv3Ext *e = opaque;

    smmuv3_trigger_irq(e->smmu, SMMU_IRQ_GERROR,
                       R_GERROR_EVENTQ_ABT_ERR_MASK);
}

/* One command from an extension queue, through the SMMUv3's own code. */
static int smmuv3_ext_handle_cmd(void *opaque, const uint64_t cmd[2])
{
    SMMUv3Ext *e = opaque;
    Cmd c = {
        .word = { cmd[0], cmd[0] >> 32, cmd[1], cmd[1] >> 32 },
    };

    return smmuv3_cmdq_exec_one(e->smmu, &c);
}

/* Level-triggered: whatever one dispatch leaves is read on the next. */
static void smmuv3_ext_fd_readable(void *opaque)
{
    SMMUv3Ext *e = opaque;

    smmu_ext_instance_dispatch(e->inst);
}

static void smmuv3_ext_fd_watch(void *opaque, int fd, bool on)
{
    qemu_set_fd_handler(fd, on ? smmuv3_ext_fd_readable : NULL, NULL,
                        on ? opaque : NULL);
}

static void smmuv3_ext_report_error(void *opaque, const GError *err)
{
    SMMUv3Ext *e = opaque;

    warn_report("%s: %s", e->label, err->message);
}

static const SmmuExtHostOps smmuv3_ext_host_ops = {
    .size = sizeof(SmmuExtHostOps),
    .log = smmuv3_ext_log,
    .set_irq = smmuv3_ext_set_irq,
    .map_direct = smmuv3_ext_map_direct,
    .unmap_direct = smmuv3_ext_unmap_direct,
    .dma_read = smmuv3_ext_dma_read,
    .dma_write = smmuv3_ext_dma_write,
    .min_ram_page_size = smmuv3_ext_min_ram_page_size,
    .inject_event = smmuv3_ext_inject_event,
    .eventq_abort = smmuv3_ext_eventq_abort,
    .handle_cmd = smmuv3_ext_handle_cmd,
    .fd_watch = smmuv3_ext_fd_watch,
    .report_error = smmuv3_ext_report_error,
};

/* --- the extension's region ---------------------------------------------- */

static uint64_t smmuv3_ext_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    SMMUv3Ext *e = opaque;

    return smmu_ext_instance_mmio_read(e->inst, addr, size);
}

static void smmuv3_ext_mmio_write(void *opaque, hwaddr addr, uint64_t value,
                                  unsigned size)
{
    SMMUv3Ext *e = opaque;

    smmu_ext_instance_mmio_write(e->inst, addr, value, size);
}

/*
 * The region's ops.  With library 1.0 they are the module's own handlers,
 * so a trapped access costs one indirect call, as an SMMUv3 register does;
 * before 1.0 it goes through the library's checked entry points.
 */
static void *smmuv3_ext_init_mmio_ops(SMMUv3Ext *e)
{
    SmmuExtMmioRead read;
    SmmuExtMmioWrite write;
    void *opaque;

    /* Per instance, not const: the handlers are the module's. */
    e->mmio_ops = (MemoryRegionOps) {
        .read = smmuv3_ext_mmio_read,
        .write = smmuv3_ext_mmio_write,
        .endianness = DEVICE_LITTLE_ENDIAN,
        .valid = { .min_access_size = 1, .max_access_size = 8 },
        .impl = { .min_access_size = 1, .max_access_size = 8 },
    };
    if (smmu_ext_instance_mmio_handlers(e->inst, &read, &write, &opaque)) {
        e->mmio_ops.read = read;
        e->mmio_ops.write = write;
        return opaque;
    }
    return e;
}

static void smmuv3_ext_apply_cmdqs_cap(SMMUv3Ext *e)
{
    SMMUv3State *s = e->smmu;
    uint32_t cap = smmu_ext_instance_cmdqs_cap(e->inst);
    uint32_t cur = FIELD_EX32(s->idr[1], IDR1, CMDQS);

    /* The extension's queues are sized by the SMMU's IDR1.CMDQS. */
    if (cap && cap < cur) {
        s->idr[1] = FIELD_DP32(s->idr[1], IDR1, CMDQS, cap);
    }
}

static void smmuv3_ext_run_state(void *opaque, bool running, RunState state)
{
    SMMUv3Ext *e = opaque;

    smmu_ext_instance_set_running(e->inst, running);
}

/* --- lifecycle ----------------------------------------------------------- */

static void smmuv3_ext_print_counter(void *ctx, const char *name,
                                     uint64_t value)
{
    SMMUv3Ext *e = ctx;

    info_report("smmu-ext: [%s] %s %" PRIu64, e->label, name, value);
}

/*
 * QEMU does not finalize devices at exit, so what the extension counted
 * (commands per queue, errors) is printed from an exit notifier: the one
 * place a user or a test sees that the guest's queues really ran.
 */
static void smmuv3_ext_exit(Notifier *n, void *data)
{
    SMMUv3Ext *e = container_of(n, SMMUv3Ext, exit);

    smmu_ext_instance_counters(e->inst, smmuv3_ext_print_counter, e);
}

static void smmuv3_ext_free(SMMUv3Ext *e)
{
    if (e->exit.notify) {
        qemu_remove_exit_notifier(&e->exit);
    }
    if (e->run_state) {
        qemu_del_vm_change_state_handler(e->run_state);
    }
    if (e->migration_blocker) {
        migrate_del_blocker(&e->migration_blocker);
    }
    /* The regions went with the device's children; fd watches still go. */
    e->dying = true;
    if (e->smmu->host) {
        smmuv3_ext_sim_unbind(e->smmu->host, e->smmu);
    }
    smmu_ext_instance_free(e->inst);
    if (e->direct) {
        g_ptr_array_free(e->direct, true);
    }
    g_free(e->label);
    g_free(e);
}

static bool smmuv3_ext_start(SMMUv3Ext *e, const char *mode, Error **errp)
{
    g_autoptr(GError) gerr = NULL;
    SmmuExtIommufd *iommufd = NULL;
    uint32_t dev_id = 0;

    /* A simulated host is probed exactly as a real iommufd would be. */
    if (e->smmu->host &&
        !smmuv3_ext_sim_probe_target(e->smmu->host, &iommufd, &dev_id,
                                     errp)) {
        return false;
    }
    e->inst = smmu_ext_instance_new(smmuv3_ext_registry(), mode,
                                    &smmuv3_ext_host_ops, e, &gerr);
    if (!e->inst ||
        !smmu_ext_instance_select(e->inst, iommufd, dev_id, &gerr)) {
        error_setg(errp, "%s", gerr->message);
        return false;
    }
    if (e->smmu->host) {
        /* From here the host attaches devices and runs the hardware. */
        smmuv3_ext_sim_bind(e->smmu->host, e->smmu, e->inst);
    }
    if (!smmu_ext_instance_can_migrate(e->inst, &gerr)) {
        error_setg(&e->migration_blocker, "%s: %s", e->label, gerr->message);
        if (migrate_add_blocker(&e->migration_blocker, errp) < 0) {
            return false;
        }
    }
    return true;
}

bool smmuv3_ext_realize(SMMUv3State *s, Error **errp)
{
    SysBusDevice *sbd = SYS_BUS_DEVICE(s);
    const char *id = DEVICE(s)->id;
    const char *mode = s->cmdqv ? s->cmdqv : "auto";
    SMMUv3Ext *e = g_new0(SMMUv3Ext, 1);
    const char *ext;
    void *opaque;

    e->smmu = s;
    e->label = g_strdup_printf("%s%s%s", TYPE_ARM_SMMUV3, id ? " " : "",
                               id ? id : "");
    e->direct = g_ptr_array_new_with_free_func(g_free);
    if (!smmuv3_ext_start(e, mode, errp)) {
        smmuv3_ext_free(e);
        return false;
    }
    s->ext = e;

    ext = smmu_ext_instance_extension(e->inst);
    trace_smmuv3_ext_select(e->label, mode, ext);
    if (!strcmp(ext, "none")) {
        static bool said;

        if (!strcmp(mode, "auto") && !said && !s->host) {
            info_report("%s: cmdqv=auto: no host iommufd, so no command-queue "
                        "extension; cmdqv=<name> runs one emulated", e->label);
            said = true;
        }
        return true;
    }

    /* Infallible from here on: the regions become children of @s. */
    opaque = smmuv3_ext_init_mmio_ops(e);
    memory_region_init_io(&e->mmio, OBJECT(s), &e->mmio_ops, opaque, ext,
                          smmu_ext_instance_mmio_size(e->inst));
    sysbus_init_mmio(sbd, &e->mmio);
    sysbus_init_irq(sbd, &e->irq);
    smmuv3_ext_apply_cmdqs_cap(e);
    e->run_state = qemu_add_vm_change_state_handler(smmuv3_ext_run_state, e);
    e->exit.notify = smmuv3_ext_exit;
    qemu_add_exit_notifier(&e->exit);
    return true;
}

void smmuv3_ext_reset(SMMUv3State *s)
{
    SMMUv3Ext *e = s->ext;

    if (!e) {
        return;
    }
    smmu_ext_instance_reset(e->inst);
    smmuv3_ext_apply_cmdqs_cap(e);
}

void smmuv3_ext_finalize(SMMUv3State *s)
{
    SMMUv3Ext *e = s->ext;

    if (e) {
        s->ext = NULL;
        smmuv3_ext_free(e);
    }
}

const char *smmuv3_ext_selected(SMMUv3State *s)
{
    return s->ext ? smmu_ext_instance_extension(s->ext->inst) : "none";
}

uint64_t smmuv3_ext_mmio_size(SMMUv3State *s)
{
    return s->ext ? smmu_ext_instance_mmio_size(s->ext->inst) : 0;
}

static char *smmuv3_ext_get_selected(Object *obj, Error **errp)
{
    return g_strdup(smmuv3_ext_selected(ARM_SMMUV3(obj)));
}

void smmuv3_ext_class_init(ObjectClass *oc)
{
    object_class_property_set_description(oc, "cmdqv",
        "command-queue extension: off, on, auto (default) or the name of an "
        "installed smmu-ext module");
    object_class_property_add_str(oc, "cmdqv-selected",
                                  smmuv3_ext_get_selected, NULL);
    object_class_property_set_description(oc, "cmdqv-selected",
        "the extension selected at realize, or none");
}

/* --- migration ----------------------------------------------------------- */

typedef struct SMMUv3ExtMigration {
    SMMUv3State *parent;
    uint32_t len;
    uint8_t *blob;
} SMMUv3ExtMigration;

static bool smmuv3_ext_migration_needed(void *opaque)
{
    SMMUv3State *s = opaque;

    return strcmp(smmuv3_ext_selected(s), "none") != 0;
}

static bool smmuv3_ext_pre_save(void *opaque, Error **errp)
{
    SMMUv3ExtMigration *m = opaque;
    g_autoptr(GByteArray) blob = g_byte_array_new();
    g_autoptr(GError) gerr = NULL;

    if (!smmu_ext_instance_save(m->parent->ext->inst, blob, &gerr)) {
        error_setg(errp, "%s: saving the extension state: %s",
                   m->parent->ext->label, gerr->message);
        return false;
    }
    m->len = blob->len;
    m->blob = g_memdup2(blob->data, blob->len);
    return true;
}

static int smmuv3_ext_post_save(void *opaque)
{
    SMMUv3ExtMigration *m = opaque;

    g_clear_pointer(&m->blob, g_free);
    return 0;
}

static bool smmuv3_ext_post_load(void *opaque, int version_id, Error **errp)
{
    SMMUv3ExtMigration *m = opaque;
    g_autofree uint8_t *blob = g_steal_pointer(&m->blob);
    g_autoptr(GError) gerr = NULL;
    SMMUv3State *s = m->parent;

    if (!strcmp(smmuv3_ext_selected(s), "none")) {
        error_setg(errp, "arm-smmuv3: the stream carries command-queue "
                   "extension state, but this device selected none");
        return false;
    }
    if (!smmu_ext_instance_load(s->ext->inst, blob, m->len, &gerr)) {
        error_setg(errp, "%s: loading the extension state: %s",
                   s->ext->label, gerr->message);
        return false;
    }
    return true;
}

static const VMStateDescription vmstate_smmuv3_ext_blob = {
    .name = "smmuv3/ext/blob",
    .pre_save_errp = smmuv3_ext_pre_save,
    .post_save = smmuv3_ext_post_save,
    .post_load_errp = smmuv3_ext_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(len, SMMUv3ExtMigration),
        VMSTATE_VBUFFER_ALLOC_UINT32(blob, SMMUv3ExtMigration, 0, NULL, len),
        VMSTATE_END_OF_LIST()
    },
};

const VMStateDescription vmstate_smmuv3_ext = {
    .name = "smmuv3/ext",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = smmuv3_ext_migration_needed,
    .fields = (const VMStateField[]) {
        VMSTATE_WITH_TMP(SMMUv3State, SMMUv3ExtMigration,
                         vmstate_smmuv3_ext_blob),
        VMSTATE_END_OF_LIST()
    },
};
