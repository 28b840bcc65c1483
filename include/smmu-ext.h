/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * smmu-ext: SMMUv3 command-queue extensions driven through iommufd.
 *
 * Two audiences share this header:
 *   Section 1 (host API): the program that emulates the SMMUv3 (QEMU's
 *   arm-smmuv3 with accel=on, or the reference VMM of the simulated host).
 *   Section 2 (module API): extension modules loaded at run time, such as
 *   the NVIDIA Tegra241 CMDQV module.
 *
 * What is promised: modules built against SMMU_EXT_ABI_MAJOR with a minor
 * less than or equal to the core's load; structures carry their own size and
 * only ever grow at the end.  The library is libsmmu-ext.so.1; it exports
 * exactly the functions of this header (node SMMU_EXT_1.0 of smmu-ext.map;
 * the simulator is libsmmu-ext-sim).  Calls on one registry or instance
 * must be serialised by the caller (QEMU calls from the main loop / BQL).
 *
 * Errors are GError in the SMMU_EXT_ERROR domain; a function that takes
 * GError **errp sets it exactly when it returns false/NULL.
 */
#ifndef SMMU_EXT_H
#define SMMU_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <glib.h>

G_BEGIN_DECLS

#define SMMU_EXT_ABI_MAJOR 1
#define SMMU_EXT_ABI_MINOR 0

#if defined(SMMU_EXT_COMPILATION)
#define SMMU_EXT_API __attribute__((visibility("default")))
#else
#define SMMU_EXT_API
#endif

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

#define SMMU_EXT_ERROR (smmu_ext_error_quark())
SMMU_EXT_API GQuark
smmu_ext_error_quark(void);

typedef enum SmmuExtErrorCode {
    SMMU_EXT_ERROR_FAILED,        /* anything not listed below */
    SMMU_EXT_ERROR_MODULE_DIR,    /* a module directory is missing/unreadable */
    SMMU_EXT_ERROR_NOT_MODULE,    /* file is not a loadable object */
    SMMU_EXT_ERROR_NO_SYMBOL,     /* no smmu_ext_module_v<major> descriptor */
    SMMU_EXT_ERROR_ABI_MAJOR,     /* built for another module ABI major */
    SMMU_EXT_ERROR_ABI_MINOR,     /* built for a newer minor than the core */
    SMMU_EXT_ERROR_DESC_SIZE,     /* descriptor or ops table too small */
    SMMU_EXT_ERROR_MISSING_OP,    /* a required op or field is missing */
    SMMU_EXT_ERROR_DUPLICATE,     /* another module has the same name */
    SMMU_EXT_ERROR_BAD_MODE,      /* cmdqv= string not understood */
    SMMU_EXT_ERROR_NO_EXTENSION,  /* cmdqv=on/<name>: nothing accepted */
    SMMU_EXT_ERROR_DECLINED,      /* an extension's probe declined the host */
    SMMU_EXT_ERROR_KERNEL,        /* an iommufd call failed (message: errno) */
    SMMU_EXT_ERROR_INVALID,       /* bad argument or call in the wrong state */
    SMMU_EXT_ERROR_NOT_SUPPORTED, /* e.g. migration of an accelerated VM */
    SMMU_EXT_ERROR_ORDER,         /* HW queue waits for a lower index */
} SmmuExtErrorCode;

/* ------------------------------------------------------------------------
 * Section 1: host API
 * ------------------------------------------------------------------------ */

/* Version of the library at run time, e.g. "0.1.0". */
SMMU_EXT_API const char *
smmu_ext_version_string(void);

/* --- 1.1 The syscall seam: how the core reaches "the kernel" ------------ */

/*
 * Every iommufd access of the core goes through these five calls.  Each
 * returns what libc returns on success and a negative errno on failure.
 * The real seam calls libc on /dev/iommu; the simulated host supplies its
 * own (smmu-ext-sim.h); tests may script one.  The caller sets @size to
 * sizeof(SmmuExtSeamOps) as it was built; the core keeps its own copy, so
 * a later minor may append calls without breaking a 1.0 caller.
 */
typedef struct SmmuExtSeamOps {
    uint32_t size;             /* sizeof(SmmuExtSeamOps) the caller saw */
    int (*ioctl)(void *opaque, int fd, unsigned long request, void *arg);
    int (*mmap)(void *opaque, int fd, uint64_t offset, size_t len,
                void **out);
    int (*munmap)(void *opaque, void *addr, size_t len);
    ssize_t (*read)(void *opaque, int fd, void *buf, size_t count);
    int (*close)(void *opaque, int fd);
} SmmuExtSeamOps;

typedef struct SmmuExtIommufd SmmuExtIommufd;

/* Open @path (NULL: "/dev/iommu") with the real seam. */
SMMU_EXT_API SmmuExtIommufd *
smmu_ext_iommufd_open(const char *path, GError **errp);

/* Wrap a caller's iommufd fd (QEMU's iommufd backend); never closed here. */
SMMU_EXT_API SmmuExtIommufd *
smmu_ext_iommufd_adopt(int fd);

/* Wrap @fd reached through @ops (copied; every 1.0 call is required);
 * @opaque must outlive the handle.  NULL with SMMU_EXT_ERROR_INVALID when
 * @ops is smaller than the 1.0 table or lacks a call. */
SMMU_EXT_API SmmuExtIommufd *
smmu_ext_iommufd_new_seam(const SmmuExtSeamOps *ops, void *opaque, int fd,
                          GError **errp);

/* Free the handle (closes the fd only if smmu_ext_iommufd_open opened it). */
SMMU_EXT_API void
smmu_ext_iommufd_free(SmmuExtIommufd *fd);

SMMU_EXT_API int
smmu_ext_iommufd_fd(const SmmuExtIommufd *fd);

/*
 * IOMMU_GET_HW_INFO for @dev_id.  @in_type 0 asks for the default info;
 * otherwise IOMMU_HW_INFO_FLAG_INPUT_TYPE is set.  On success *len is the
 * length the kernel supports (the buffer is filled up to the smaller of the
 * two) and *out_type the type that decodes it.
 */
SMMU_EXT_API bool
smmu_ext_iommufd_get_hw_info(SmmuExtIommufd *fd, uint32_t dev_id,
                             uint32_t in_type, void *buf, uint32_t *len,
                             uint32_t *out_type, GError **errp);

/* Bind a VFIO device cdev to this iommufd (VFIO_DEVICE_BIND_IOMMUFD). */
SMMU_EXT_API bool
smmu_ext_iommufd_bind_vfio(SmmuExtIommufd *fd, int vfio_cdev_fd,
                           uint32_t *dev_id, GError **errp);

/* --- 1.2 Registry, loader and the cmdqv= mode --------------------------- */

typedef struct SmmuExtRegistry SmmuExtRegistry;
typedef struct SmmuExtModuleDesc SmmuExtModuleDesc;

SMMU_EXT_API SmmuExtRegistry *
smmu_ext_registry_new(void);

SMMU_EXT_API void
smmu_ext_registry_free(SmmuExtRegistry *reg);

/*
 * Load every module file of @dirs (':'-separated; NULL means
 * $SMMU_EXT_MODULE_DIR, read with secure_getenv, then the built-in module
 * directory) in sorted order.  Refused files are recorded with their reason
 * and loading goes on.  Loading twice is a no-op.
 * Returns false only when no directory at all could be read.
 */
SMMU_EXT_API bool
smmu_ext_registry_load(SmmuExtRegistry *reg, const char *dirs,
                       GError **errp);

/* Register a descriptor linked into the program (tests, fuzzers, tools);
 * checked exactly like a loaded one. */
SMMU_EXT_API bool
smmu_ext_registry_add_static(SmmuExtRegistry *reg,
                             const SmmuExtModuleDesc *desc, GError **errp);

/* Built-in module directory (where `meson install` puts modules). */
SMMU_EXT_API const char *
smmu_ext_registry_default_dir(void);

/* Directories searched by the last load, NULL-terminated (borrowed). */
SMMU_EXT_API const char *const *
smmu_ext_registry_dirs(const SmmuExtRegistry *reg);

typedef struct SmmuExtModuleInfo {
    const char *name;
    const char *description;
    const char *version;
    const char *license;
    const char *path;          /* NULL for static descriptors */
    uint32_t abi_major;
    uint32_t abi_minor;
    uint32_t hw_info_type;     /* IOMMU_HW_INFO_TYPE_* it probes for */
    int priority;
    bool emulation;            /* can run without iommufd */
} SmmuExtModuleInfo;

/* Accepted modules, in probe (priority, then name) order. */
SMMU_EXT_API guint
smmu_ext_registry_n_modules(const SmmuExtRegistry *reg);

SMMU_EXT_API const SmmuExtModuleInfo *
smmu_ext_registry_module(const SmmuExtRegistry *reg, guint i);

/* Refused files: path and why (an SMMU_EXT_ERROR code and message). */
SMMU_EXT_API guint
smmu_ext_registry_n_refused(const SmmuExtRegistry *reg);

SMMU_EXT_API const char *
smmu_ext_registry_refused_path(const SmmuExtRegistry *reg, guint i);

SMMU_EXT_API const GError *
smmu_ext_registry_refused_reason(const SmmuExtRegistry *reg, guint i);

typedef enum SmmuExtModeKind {
    SMMU_EXT_MODE_OFF,
    SMMU_EXT_MODE_ON,
    SMMU_EXT_MODE_AUTO,
    SMMU_EXT_MODE_NAMED,
} SmmuExtModeKind;

/* A parsed cmdqv= value (opaque; free with smmu_ext_mode_free). */
typedef struct SmmuExtMode SmmuExtMode;

/*
 * Parse "off", "on", "auto" or an extension name.  "off" never touches the
 * registry; a name loads it (if not yet loaded) and must match a module.
 * A bad string gives NULL and SMMU_EXT_ERROR_BAD_MODE listing the valid
 * modes and the loaded extension names.
 */
SMMU_EXT_API SmmuExtMode *
smmu_ext_mode_parse(SmmuExtRegistry *reg, const char *str, GError **errp);

SMMU_EXT_API void
smmu_ext_mode_free(SmmuExtMode *mode);

SMMU_EXT_API SmmuExtModeKind
smmu_ext_mode_kind(const SmmuExtMode *mode);

/* "off", "on", "auto" or the extension's name; valid while @mode is. */
SMMU_EXT_API const char *
smmu_ext_mode_name(const SmmuExtMode *mode);

/* --- 1.3 Host callbacks ------------------------------------------------- */

/*
 * The host sets .size = sizeof(SmmuExtHostOps).  The core copies
 * min(size, its own size) into a zeroed table of its own size, so a host
 * built against an older header gets NULL for the callbacks it does not
 * know, and one built against a newer header has the callbacks this core
 * does not know ignored.  A size below the 1.0 table is refused
 * (SMMU_EXT_ERROR_INVALID).  The table is copied: the host may free it
 * after smmu_ext_instance_new().
 */
typedef struct SmmuExtHostOps {
    uint32_t size;             /* sizeof(SmmuExtHostOps) the host saw */
    /* Fields of 1.0; every one may be NULL. */
    /* A message from the core or a module (no trailing newline). */
    void (*log)(void *opaque, GLogLevelFlags level, const char *msg);
    /* Drive interrupt line @line of the extension (edges: 1 then 0). */
    void (*set_irq)(void *opaque, unsigned line, bool level);
    /* Overlay @len bytes at @ptr over extension MMIO offset @offset
     * (QEMU: a RAM-device subregion); guest accesses then bypass the
     * extension's handlers. */
    bool (*map_direct)(void *opaque, uint64_t offset, void *ptr,
                       size_t len, GError **errp);
    void (*unmap_direct)(void *opaque, uint64_t offset, size_t len);
    /* Guest memory access (emulated queues).  false: abort. */
    bool (*dma_read)(void *opaque, uint64_t gpa, void *buf, size_t len);
    bool (*dma_write)(void *opaque, uint64_t gpa, const void *buf,
                      size_t len);
    /* Smallest page size backing guest RAM (0: unknown, 4 KiB assumed). */
    uint64_t (*min_ram_page_size)(void *opaque);
    /* An ARM_SMMUV3 event (4 LE words already in host order) for the guest
     * EVTQ; return false if the guest queue is full or disabled. */
    bool (*inject_event)(void *opaque, const uint64_t evt[4]);
    /* The core could not deliver an event: raise GERROR.EVENTQ_ABT_ERR. */
    void (*eventq_abort)(void *opaque);
    /* Emulated mode: execute one SMMUv3 command (2 words, host order) that
     * the guest placed in an extension queue.  Return 0 or a CONS error
     * code (1 = illegal). */
    int (*handle_cmd)(void *opaque, const uint64_t cmd[2]);
    /* A vEVENTQ fd appeared (@on) or is about to be closed (!@on); call
     * smmu_ext_instance_dispatch_fd() when it is readable. */
    void (*fd_watch)(void *opaque, int fd, bool on);
    /* An error caused by a guest action (already rate-limited). */
    void (*report_error)(void *opaque, const GError *err);
} SmmuExtHostOps;

/* --- 1.4 Instances: one per emulated SMMUv3 (one vIOMMU at a time) ------ */

typedef struct SmmuExtInstance SmmuExtInstance;

/*
 * Create an instance for @mode (see smmu_ext_mode_parse).  No kernel work
 * happens here.  @reg is borrowed and must outlive the instance.
 */
SMMU_EXT_API SmmuExtInstance *
smmu_ext_instance_new(SmmuExtRegistry *reg, const char *mode,
                      const SmmuExtHostOps *ops, void *opaque,
                      GError **errp);

/*
 * Tear everything down in the documented order (vDEVICEs, HW queues in
 * descending index, vEVENTQs, mappings, vIOMMU) and free.  Errors during
 * teardown are logged; nothing is left behind.
 */
SMMU_EXT_API void
smmu_ext_instance_free(SmmuExtInstance *inst);

/*
 * Choose the extension now (normally done by the first attach).
 * @iommufd NULL means no host IOMMU: a named extension that supports it runs
 * emulated, "auto" selects none, "on" fails.  Idempotent.
 */
SMMU_EXT_API bool
smmu_ext_instance_select(SmmuExtInstance *inst, SmmuExtIommufd *iommufd,
                         uint32_t dev_id, GError **errp);

/*
 * A device behind this SMMU is plugged.  The first one selects the extension
 * (probing through this device) and allocates the vIOMMU on @s2_hwpt_id.
 * All devices of an instance share one iommufd.  @iommufd NULL: no host
 * IOMMU (emulated).
 */
SMMU_EXT_API bool
smmu_ext_instance_attach(SmmuExtInstance *inst, SmmuExtIommufd *iommufd,
                         uint32_t dev_id, uint32_t s2_hwpt_id, GError **errp);

/* The device's virtual StreamID is known (or changed): (re)allocate its
 * vDEVICE. */
SMMU_EXT_API bool
smmu_ext_instance_set_vsid(SmmuExtInstance *inst, uint32_t dev_id,
                           uint64_t vsid, GError **errp);

/* The device is gone: its vDEVICE is freed first; the last device frees the
 * vIOMMU and everything it owns. */
SMMU_EXT_API bool
smmu_ext_instance_detach(SmmuExtInstance *inst, uint32_t dev_id,
                         GError **errp);

/* Non-NULL (a reason) if unplugging @dev_id would break the active
 * extension (the device whose SMMU instance backs the vIOMMU). */
SMMU_EXT_API const char *
smmu_ext_instance_unplug_blocker(const SmmuExtInstance *inst,
                                 uint32_t dev_id);

/* The guest enabled (or disabled) its SMMUv3 event queue of 2^log2size
 * entries.  The ARM_SMMUV3 vEVENTQ is allocated once a vIOMMU exists and
 * the queue is enabled, whichever comes first, with depth 2^log2size (a new
 * size reallocates it); it is freed with the vIOMMU.  While the guest queue
 * is disabled, events become EVENTQ aborts. */
SMMU_EXT_API bool
smmu_ext_instance_set_eventq(SmmuExtInstance *inst, bool enabled,
                             unsigned log2size, GError **errp);

/* Extension MMIO region: size 0 when no extension is selected. */
SMMU_EXT_API uint64_t
smmu_ext_instance_mmio_size(const SmmuExtInstance *inst);

/* Trapped guest MMIO access (any offset, size 1..8, any value). */
SMMU_EXT_API uint64_t
smmu_ext_instance_mmio_read(SmmuExtInstance *inst, uint64_t offset,
                            unsigned size);

SMMU_EXT_API void
smmu_ext_instance_mmio_write(SmmuExtInstance *inst, uint64_t offset,
                             uint64_t value, unsigned size);

/*
 * Direct MMIO handlers for the host's hot path, without the core's
 * dispatch.  The signatures equal QEMU's MemoryRegionOps read/write
 * (hwaddr is uint64_t), so a host can put them straight into its own ops.
 */
typedef uint64_t (*SmmuExtMmioRead)(void *opaque, uint64_t offset,
                                    unsigned size);
typedef void (*SmmuExtMmioWrite)(void *opaque, uint64_t offset,
                                 uint64_t value, unsigned size);

/*
 * The selected extension's own handlers for its whole region (offset 0 ..
 * smmu_ext_instance_mmio_size()).  The host guarantees 0 < size <= 8 and
 * offset + size <= region size (QEMU's MemoryRegion does); the module keeps
 * every other check.  Valid until the instance is freed.  false when no
 * extension is selected (*@read, *@write and *@opaque are then NULL).
 */
SMMU_EXT_API bool
smmu_ext_instance_mmio_handlers(SmmuExtInstance *inst, SmmuExtMmioRead *read,
                                SmmuExtMmioWrite *write, void **opaque);

/* System reset: registers to reset values, HW queues freed (descending);
 * vIOMMU, vEVENTQs and host mappings survive. */
SMMU_EXT_API void
smmu_ext_instance_reset(SmmuExtInstance *inst);

/* VM run state (extensions may quiesce hardware queues when stopped). */
SMMU_EXT_API void
smmu_ext_instance_set_running(SmmuExtInstance *inst, bool running);

/* Read every readable vEVENTQ of the instance and deliver the events. */
SMMU_EXT_API void
smmu_ext_instance_dispatch(SmmuExtInstance *inst);

/* Same, for one fd announced through fd_watch. */
SMMU_EXT_API void
smmu_ext_instance_dispatch_fd(SmmuExtInstance *inst, int fd);

/* A GSource that dispatches the instance's vEVENTQs from a GMainContext;
 * it follows vEVENTQs as they come and go.  Unref it before freeing the
 * instance. */
SMMU_EXT_API GSource *
smmu_ext_instance_source_new(SmmuExtInstance *inst);

/*
 * The extension's geometry.  @size leads: the caller of
 * smmu_ext_instance_geometry() sets it to sizeof(SmmuExtGeometry); the core
 * sets it for the copies it hands a module (and restores it after probe and
 * init, so a module may assign the whole struct).
 */
typedef struct SmmuExtGeometry {
    uint32_t size;             /* bytes of this struct the writer knows */
    uint32_t version;          /* extension hardware version */
    uint32_t n_interfaces;     /* interfaces exposed to the guest */
    uint32_t n_queues;         /* queues per interface */
    uint32_t n_vsids;          /* vSID slots */
    uint32_t queue_log2_cap;   /* largest queue, log2(entries); 0 = none */
    uint64_t ram_page_size;    /* guest-RAM page size behind that cap */
} SmmuExtGeometry;

/* The vIOMMU's iommufd object id (0: none), for the host's own nested
 * HWPT allocations and IOMMU_HWPT_INVALIDATE forwarding. */
SMMU_EXT_API uint32_t
smmu_ext_instance_viommu_id(const SmmuExtInstance *inst);

/* Selected extension ("none" if plain), and whether it is emulated. */
SMMU_EXT_API const char *
smmu_ext_instance_extension(const SmmuExtInstance *inst);

SMMU_EXT_API bool
smmu_ext_instance_emulated(const SmmuExtInstance *inst);

/*
 * Copy the geometry into @out, whose .size the caller set: min(out->size,
 * the core's size) bytes are filled, the rest of @out->size is zeroed, and
 * out->size becomes the number of bytes filled.  false when no extension is
 * selected (the fields are zeroed) or when out->size is below the 1.0
 * struct (@out is left untouched).
 */
SMMU_EXT_API bool
smmu_ext_instance_geometry(const SmmuExtInstance *inst, SmmuExtGeometry *out);

/* The host sets its SMMU IDR1.CMDQS to at most this (log2 entries); 0 when
 * the extension imposes no cap. */
SMMU_EXT_API uint32_t
smmu_ext_instance_cmdqs_cap(const SmmuExtInstance *inst);

typedef enum SmmuExtReportFormat {
    SMMU_EXT_REPORT_TEXT,
    SMMU_EXT_REPORT_JSON,
} SmmuExtReportFormat;

/* What was selected and why: mode, extension and version, each probe's
 * answer, geometry, queue-size cap, migration, unplug blocker.  g_free. */
SMMU_EXT_API char *
smmu_ext_instance_report(const SmmuExtInstance *inst,
                         SmmuExtReportFormat format);

/* false with SMMU_EXT_ERROR_NOT_SUPPORTED and the reason if the VM cannot
 * migrate. */
SMMU_EXT_API bool
smmu_ext_instance_can_migrate(const SmmuExtInstance *inst, GError **errp);

/* Extension state as a versioned, self-describing blob (emulated mode). */
SMMU_EXT_API bool
smmu_ext_instance_save(SmmuExtInstance *inst, GByteArray *out,
                       GError **errp);

SMMU_EXT_API bool
smmu_ext_instance_load(SmmuExtInstance *inst, const void *buf, size_t len,
                       GError **errp);

/* Receives one named counter of the extension (smmu_ext_instance_counters,
 * SmmuExtOps.counters); @name is valid during the call only. */
typedef void (*SmmuExtCounterFn)(void *ctx, const char *name,
                                 uint64_t value);

/*
 * The selected extension's own counters (e.g. tegra241: commands each
 * VCMDQ consumed, by opcode, and command errors), each through @emit, in
 * the extension's order.  Nothing is emitted when no extension is
 * selected or it keeps no counters.  The instance report carries them too.
 */
SMMU_EXT_API void
smmu_ext_instance_counters(const SmmuExtInstance *inst,
                           SmmuExtCounterFn emit, void *ctx);

/*
 * The vEVENTQ pump's counters.  @size leads, as in SmmuExtGeometry: the
 * caller sets it to sizeof(SmmuExtStats); the core writes the fields both
 * sides know, zeroes those of a newer caller, and sets @size to what it
 * wrote.  Below the 1.0 size it returns false with @out untouched.
 */
typedef struct SmmuExtStats {
    uint32_t size;             /* bytes of this struct the writer knows */
    uint64_t events;           /* records delivered to their owner */
    uint64_t events_lost;      /* counted from gaps and LOST_EVENTS */
    uint64_t events_dropped;   /* short or malformed records */
    uint64_t eventq_aborts;    /* ARM_SMMUV3 events the host refused */
    uint64_t reads;            /* read() calls on vEVENTQ fds */
} SmmuExtStats;

SMMU_EXT_API bool
smmu_ext_instance_stats(const SmmuExtInstance *inst, SmmuExtStats *out);

/* g_autoptr() for the host's handles. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SmmuExtIommufd, smmu_ext_iommufd_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SmmuExtRegistry, smmu_ext_registry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SmmuExtMode, smmu_ext_mode_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SmmuExtInstance, smmu_ext_instance_free)

/* ------------------------------------------------------------------------
 * Section 2: module API
 * ------------------------------------------------------------------------ */

/* The core, as a module sees it: one per extension instance. */
typedef struct SmmuExtCore SmmuExtCore;

/* What probe is given.  The core sets @size to sizeof(SmmuExtProbeInput)
 * of its own build: a module checks it before reading a field appended
 * after 1.0. */
typedef struct SmmuExtProbeInput {
    uint32_t size;             /* bytes valid in this struct */
    uint32_t type;             /* out_data_type the kernel reported */
    const void *data;          /* type-specific hw_info */
    size_t len;
    const uint32_t *smmu_idr;  /* host SMMU IDR0..5, NULL if unknown */
} SmmuExtProbeInput;

typedef enum SmmuExtHwQueueEvent {
    SMMU_EXT_HWQ_LIVE,         /* allocated: push cached state to hardware */
    SMMU_EXT_HWQ_DESTROYING,   /* about to be destroyed: snapshot it */
    SMMU_EXT_HWQ_FAILED,       /* allocation failed (@error says why) */
} SmmuExtHwQueueEvent;

/* ops->flags */
#define SMMU_EXT_OPS_EMULATION (1u << 0)  /* runs without iommufd */

/*
 * The extension's operations.  @state is the module's per-instance state
 * (ops->state_size bytes, zeroed, owned by the core).  Required: probe,
 * init, mmio_read, mmio_write, reset, finalize, and non-zero hw_info_type,
 * viommu_type, mmio_size; event when veventq_type is set.
 */
typedef struct SmmuExtOps {
    uint32_t size;             /* sizeof(SmmuExtOps) the module saw */
    uint32_t flags;            /* SMMU_EXT_OPS_* */
    int32_t priority;          /* auto probes higher first */
    uint32_t state_size;

    /* discovery */
    uint32_t hw_info_type;     /* asked with IOMMU_HW_INFO_FLAG_INPUT_TYPE */
    /* @in NULL: emulated mode, fill default geometry.  false + @errp:
     * declined, with the check that failed. */
    bool (*probe)(const SmmuExtProbeInput *in, SmmuExtGeometry *geo,
                  GError **errp);
    bool (*init)(void *state, SmmuExtCore *core, SmmuExtGeometry *geo,
                 GError **errp);
    void (*finalize)(void *state);

    /* vIOMMU */
    uint32_t viommu_type;
    uint32_t viommu_data_len;  /* driver data buffer (zeroed) */
    void (*viommu_data_in)(void *state, void *buf, size_t len);
    /* After IOMMU_VIOMMU_ALLOC (and the extension vEVENTQ); @data holds
     * what the kernel wrote back. */
    bool (*viommu_ready)(void *state, const void *data, size_t len,
                         GError **errp);
    /* Before the vIOMMU and everything it owns are destroyed. */
    void (*viommu_gone)(void *state);

    /* guest MMIO */
    uint64_t mmio_size;
    uint64_t (*mmio_read)(void *state, uint64_t offset, unsigned size);
    void (*mmio_write)(void *state, uint64_t offset, uint64_t value,
                       unsigned size);

    /* HW queues (core service notifications) */
    void (*hw_queue_changed)(void *state, uint32_t type, uint32_t index,
                             SmmuExtHwQueueEvent ev, const GError *error);

    /* events of the extension's own vEVENTQ type */
    uint32_t veventq_type;     /* 0: none */
    uint32_t veventq_depth;
    uint32_t event_size;       /* payload bytes per record */
    void (*event)(void *state, const void *payload, size_t len);

    /* devices */
    void (*vdevice_changed)(void *state, uint32_t dev_id, uint64_t vsid,
                            bool present);

    /* run state, reset, migration */
    void (*run_state)(void *state, bool running);
    void (*reset)(void *state);
    bool (*save)(void *state, GByteArray *out, GError **errp);
    bool (*load)(void *state, const void *buf, size_t len, GError **errp);

    /* diagnostics (optional): call @emit once per counter, names made of
     * [a-z0-9_.] (the JSON report escapes anything else). */
    void (*counters)(void *state, SmmuExtCounterFn emit, void *ctx);
} SmmuExtOps;

struct SmmuExtModuleDesc {
    uint32_t abi_major;        /* stays at offset 0 in every ABI */
    uint32_t abi_minor;
    uint32_t size;             /* sizeof(SmmuExtModuleDesc) as built */
    uint32_t reserved;
    const char *name;          /* the cmdqv=<name> of this extension */
    const char *description;
    const char *version;
    const char *license;
    const SmmuExtOps *ops;
};

#define SMMU_EXT_MODULE_SYMBOL_PREFIX "smmu_ext_module_v"
#define SMMU_EXT_MODULE_SYMBOL \
    SMMU_EXT_MODULE_SYMBOL_PREFIX G_STRINGIFY(SMMU_EXT_ABI_MAJOR)

#define SMMU_EXT_MODULE_EXPORT __attribute__((visibility("default")))

/* smmu_ext_module_v<major> as an identifier (two steps, so that a macro
 * argument such as SMMU_EXT_ABI_MAJOR is expanded before pasting). */
#define SMMU_EXT_MODULE_IDENT_(major_) smmu_ext_module_v##major_
#define SMMU_EXT_MODULE_IDENT(major_) SMMU_EXT_MODULE_IDENT_(major_)

/*
 * Declare the module: emits the one exported descriptor symbol
 * smmu_ext_module_v<SMMU_EXT_ABI_MAJOR>, the name SMMU_EXT_MODULE_SYMBOL
 * spells, so a module built against another major is found under its own
 * major's name and refused as such.
 */
#define SMMU_EXT_MODULE_DEFINE(name_, desc_, version_, license_, ops_)   \
    SMMU_EXT_MODULE_EXPORT const SmmuExtModuleDesc                        \
    SMMU_EXT_MODULE_IDENT(SMMU_EXT_ABI_MAJOR) = {                         \
        .abi_major = SMMU_EXT_ABI_MAJOR,                                  \
        .abi_minor = SMMU_EXT_ABI_MINOR,                                  \
        .size = sizeof(SmmuExtModuleDesc),                                \
        .name = (name_),                                                  \
        .description = (desc_),                                           \
        .version = (version_),                                            \
        .license = (license_),                                            \
        .ops = (ops_),                                                    \
    }

/* --- 2.1 Core services for modules -------------------------------------- */

/* The module's state pointer and the instance it belongs to. */
SMMU_EXT_API void *
smmu_ext_core_state(SmmuExtCore *core);

/* true when a host iommufd backs this extension (not emulated). */
SMMU_EXT_API bool
smmu_ext_core_accelerated(const SmmuExtCore *core);

/* true while a vIOMMU exists. */
SMMU_EXT_API bool
smmu_ext_core_has_viommu(const SmmuExtCore *core);

SMMU_EXT_API const SmmuExtGeometry *
smmu_ext_core_geometry(const SmmuExtCore *core);

/*
 * HW queues, by desired state.  set: queue (@type, @index) should exist at
 * @gpa with @len bytes; unchanged parameters of a live queue are a no-op.
 * The core keeps the kernel's order: queues are allocated in ascending and
 * destroyed in descending index, so changing or clearing index i destroys
 * and re-creates every live index above it (with DESTROYING / LIVE
 * notifications).  A queue whose lower neighbour is missing waits (FAILED
 * with SMMU_EXT_ERROR_ORDER, told once) and is allocated once the
 * neighbour exists.  A queue the kernel refused is tried once per set of
 * it (and once more on a new vIOMMU), never again behind the module's
 * back.  Returns false with every error of the operation when an
 * allocation failed; the module is also told through hw_queue_changed.
 */
SMMU_EXT_API bool
smmu_ext_core_hw_queue_set(SmmuExtCore *core, uint32_t type, uint32_t index,
                           uint64_t gpa, uint64_t len, GError **errp);

SMMU_EXT_API bool
smmu_ext_core_hw_queue_clear(SmmuExtCore *core, uint32_t type,
                             uint32_t index, GError **errp);

/* Clear every queue of @type (descending). */
SMMU_EXT_API bool
smmu_ext_core_hw_queue_clear_all(SmmuExtCore *core, uint32_t type,
                                 GError **errp);

SMMU_EXT_API bool
smmu_ext_core_hw_queue_live(const SmmuExtCore *core, uint32_t type,
                            uint32_t index);

/* mmap a page of the vIOMMU (offset/length from the driver data); the core
 * unmaps it when the vIOMMU goes. */
SMMU_EXT_API void *
smmu_ext_core_mmap(SmmuExtCore *core, uint64_t offset, uint64_t len,
                   GError **errp);

/* Overlay @ptr over the extension's MMIO at @offset (host map_direct);
 * removed by unmap or automatically before the mapping goes away. */
SMMU_EXT_API bool
smmu_ext_core_map_direct(SmmuExtCore *core, uint64_t offset, void *ptr,
                         size_t len, GError **errp);

SMMU_EXT_API void
smmu_ext_core_unmap_direct(SmmuExtCore *core, uint64_t offset);

SMMU_EXT_API bool
smmu_ext_core_direct_mapped(const SmmuExtCore *core, uint64_t offset);

SMMU_EXT_API void
smmu_ext_core_set_irq(SmmuExtCore *core, unsigned line, bool level);

SMMU_EXT_API void
smmu_ext_core_pulse_irq(SmmuExtCore *core, unsigned line);

SMMU_EXT_API bool
smmu_ext_core_dma_read(SmmuExtCore *core, uint64_t gpa, void *buf,
                       size_t len);

SMMU_EXT_API bool
smmu_ext_core_dma_write(SmmuExtCore *core, uint64_t gpa, const void *buf,
                        size_t len);

/* Emulated mode: hand one guest command to the host's SMMUv3. */
SMMU_EXT_API int
smmu_ext_core_handle_cmd(SmmuExtCore *core, const uint64_t cmd[2]);

SMMU_EXT_API uint64_t
smmu_ext_core_min_ram_page_size(SmmuExtCore *core);

/* Report a guest-caused failure to the host (rate-limited by the core). */
SMMU_EXT_API void
smmu_ext_core_report_error(SmmuExtCore *core, const GError *err);

SMMU_EXT_API void
smmu_ext_core_log(SmmuExtCore *core, GLogLevelFlags level, const char *fmt,
                  ...) G_GNUC_PRINTF(3, 4);

/*
 * Rate-limited lines.  The core keeps, per instance, one limiter for each
 * key 0 .. SMMU_EXT_LOG_KEYS - 1 (at most 10 lines per 5 s each); the
 * module picks a key per kind of message, so a guest flooding one kind
 * cannot silence another, and one guest cannot silence another SMMU's.
 * When a key's window reopens after lines were dropped, one line says how
 * many.  Keys above the range share the last key.
 */
#define SMMU_EXT_LOG_KEYS 16

/* A guest misuse (unhandled offset, bad size, ...): a MESSAGE line with a
 * "guest: " prefix (QEMU: LOG_GUEST_ERROR). */
SMMU_EXT_API void
smmu_ext_core_guest_error(SmmuExtCore *core, unsigned key, const char *fmt,
                          ...) G_GNUC_PRINTF(3, 4);

/* Any other line that outside input can repeat (a malformed vEVENT, an
 * overlay the host cannot map), at @level, limited like guest errors and
 * sharing their keys. */
SMMU_EXT_API void
smmu_ext_core_log_limited(SmmuExtCore *core, unsigned key,
                          GLogLevelFlags level, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

G_END_DECLS

#endif /* SMMU_EXT_H */
