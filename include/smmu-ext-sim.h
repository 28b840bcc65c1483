/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulated host: iommufd kernel semantics plus SMMUv3 / Tegra241 CMDQV
 * hardware behaviour, behind the core's syscall seam, and a small reference
 * VMM that plays QEMU's part (guest RAM, MMIO dispatch with direct-page
 * overlays, IRQ lines, main loop).  It is what `smmu-ext demo`, the tests,
 * the benchmarks and module authors without hardware run on.
 *
 * A library of its own, libsmmu-ext-sim.so.0 (pkg-config smmu-ext-sim),
 * built on the public API of libsmmu-ext; production hosts do not link it.
 */
#ifndef SMMU_EXT_SIM_H
#define SMMU_EXT_SIM_H

#include "smmu-ext.h"

G_BEGIN_DECLS

/* ------------------------------------------------------------------------
 * The simulated kernel + hardware
 * ------------------------------------------------------------------------ */

typedef struct SmmuExtSim SmmuExtSim;

typedef enum SmmuExtSimProfile {
    SMMU_EXT_SIM_TEGRA241,     /* SMMUv3 with a Tegra241 CMDQV */
    SMMU_EXT_SIM_SMMUV3,       /* SMMUv3 only */
    SMMU_EXT_SIM_NONE,         /* no usable IOMMU */
    SMMU_EXT_SIM_SELFTEST,     /* Linux's iommufd mock (CONFIG_IOMMUFD_TEST):
                                * starts empty; IOAS, HWPTs and mock devices
                                * come from IOMMU_TEST_CMD, as on the
                                * kernel (sim/selftest.c) */
} SmmuExtSimProfile;

/* Kernel calls that fault injection can target. */
typedef enum SmmuExtSimOp {
    SMMU_EXT_SIM_OP_ANY,       /* every call below counts */
    SMMU_EXT_SIM_OP_GET_HW_INFO,
    SMMU_EXT_SIM_OP_VIOMMU_ALLOC,
    SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC,
    SMMU_EXT_SIM_OP_VEVENTQ_ALLOC,
    SMMU_EXT_SIM_OP_VDEVICE_ALLOC,
    SMMU_EXT_SIM_OP_MMAP,
    SMMU_EXT_SIM_OP_DESTROY,
    SMMU_EXT_SIM_OP_N,
} SmmuExtSimOp;

/* Live-object kinds the simulated kernel counts. */
typedef enum SmmuExtSimKind {
    SMMU_EXT_SIM_VIOMMU,
    SMMU_EXT_SIM_HW_QUEUE,
    SMMU_EXT_SIM_VEVENTQ,
    SMMU_EXT_SIM_VDEVICE,
    SMMU_EXT_SIM_MMAP,
    SMMU_EXT_SIM_KIND_N,
} SmmuExtSimKind;

SMMU_EXT_API SmmuExtSim *
smmu_ext_sim_new(SmmuExtSimProfile profile);

/* "tegra241", "smmuv3", "none" or "selftest". */
SMMU_EXT_API SmmuExtSim *
smmu_ext_sim_new_by_name(const char *profile, GError **errp);

SMMU_EXT_API void
smmu_ext_sim_free(SmmuExtSim *sim);

SMMU_EXT_API SmmuExtSimProfile
smmu_ext_sim_profile(const SmmuExtSim *sim);

/* The iommufd handle of this simulated kernel (owned by the sim). */
SMMU_EXT_API SmmuExtIommufd *
smmu_ext_sim_iommufd(SmmuExtSim *sim);

/* The seam itself, for tests that wrap it. */
SMMU_EXT_API const SmmuExtSeamOps *
smmu_ext_sim_seam_ops(void);

/* A VFIO device with one physical StreamID is bound: returns its dev_id. */
SMMU_EXT_API uint32_t
smmu_ext_sim_add_device(SmmuExtSim *sim, uint32_t psid);

/* Unbind: the kernel force-destroys a remaining vDEVICE (and leaks its id,
 * as the real kernel does). */
SMMU_EXT_API void
smmu_ext_sim_remove_device(SmmuExtSim *sim, uint32_t dev_id);

/* The stage-2 nest-parent HWPT every vIOMMU is allocated on. */
SMMU_EXT_API uint32_t
smmu_ext_sim_s2_hwpt(SmmuExtSim *sim);

/* Guest RAM mapped in the nesting parent IOAS: [gpa, gpa + size) at @hva,
 * backed by physically contiguous chunks of @page_size bytes. */
SMMU_EXT_API bool
smmu_ext_sim_add_ram(SmmuExtSim *sim, uint64_t gpa, uint64_t size,
                     uint64_t page_size, void *hva, GError **errp);

/* One hardware step: every allocated, enabled queue consumes its commands. */
SMMU_EXT_API void
smmu_ext_sim_step(SmmuExtSim *sim);

/*
 * Running the hardware from a host (QEMU's simulated-host object).  The
 * guest reaches VCMDQ page0 directly (no trap), so the host cannot know
 * when PROD moves: while any HW queue is live (smmu_ext_sim_live(sim,
 * SMMU_EXT_SIM_HW_QUEUE)), it calls smmu_ext_sim_run() from a timer or a
 * bottom half of its main loop.  page0 is read with acquire and written with
 * release ordering, so vCPU threads may touch it concurrently; every other
 * call of this header must come from the one thread that runs the hardware.
 */

/* CONS.ERR of a VCMDQ (tegra241-cmdqv.md 1.4). */
typedef enum SmmuExtSimCmdErr {
    SMMU_EXT_SIM_CMD_OK = 0,
    SMMU_EXT_SIM_CMD_ERR_ILL = 1,          /* illegal command */
    SMMU_EXT_SIM_CMD_ERR_ABT = 2,          /* abort on command read */
    SMMU_EXT_SIM_CMD_ERR_ATC_INV_SYNC = 3, /* ATC invalidation timeout */
} SmmuExtSimCmdErr;

/*
 * The SMMU behind the CMDQV: executes one legal command (TLBI_NH_ASID,
 * TLBI_NH_VA, ATC_INV, CMD_SYNC) that logical VCMDQ @queue of the vIOMMU
 * consumed.  @cmd is in host order; the StreamID of an ATC_INV is already
 * the physical SID (the VINTF's SID_MATCH/SID_REPLACE rewrite; an ATC_INV
 * whose vSID no slot matches is consumed without reaching the handler, a
 * simulator choice: the hardware's behaviour is undocumented).  Anything
 * but SMMU_EXT_SIM_CMD_OK stops the queue at this command with that
 * CONS.ERR, as a hardware error does (GERROR toggle, LVCMDQ_ERR_MAP,
 * TEGRA241_CMDQV vEVENT); it runs again once the guest acknowledges.
 * It runs inside smmu_ext_sim_run: it may post events, but must not
 * create or destroy simulated objects (attach, detach, reset).
 */
typedef SmmuExtSimCmdErr (*SmmuExtSimCmdFn)(void *opaque, unsigned queue,
                                            const uint64_t cmd[2]);

/* NULL @fn: commands are only counted (smmu_ext_sim_cmd_count). */
SMMU_EXT_API void
smmu_ext_sim_set_cmd_handler(SmmuExtSim *sim, SmmuExtSimCmdFn fn,
                             void *opaque);

/* One hardware pass consuming at most @budget commands in all (0: no
 * limit, as smmu_ext_sim_step); returns how many were consumed. */
SMMU_EXT_API unsigned
smmu_ext_sim_run(SmmuExtSim *sim, unsigned budget);

/* Whether an enabled, error-free queue has commands between CONS and PROD
 * (or a CONFIG.EN change STATUS has not followed yet). */
SMMU_EXT_API bool
smmu_ext_sim_pending(const SmmuExtSim *sim);

/* Test-only: the @nth next (1 = the very next) command logical VCMDQ
 * @queue consumes fails with @err instead of executing, as a hardware
 * fault would.  Disarmed by smmu_ext_sim_fail_clear. */
SMMU_EXT_API void
smmu_ext_sim_fail_cmd(SmmuExtSim *sim, unsigned queue, unsigned nth,
                      SmmuExtSimCmdErr err);

/* For an exit report: every live-object count, the open fds and the bound
 * devices, e.g. "viommu=0 hw_queue=0 veventq=0 vdevice=0 mmap=0 fds=0
 * devices=0".  Free with g_free. */
SMMU_EXT_API char *
smmu_ext_sim_live_report(const SmmuExtSim *sim);

/* Fail the @nth next (1 = the very next) call of @op with @err (positive
 * errno).  Several can be armed at once. */
SMMU_EXT_API void
smmu_ext_sim_fail(SmmuExtSim *sim, SmmuExtSimOp op, int err, unsigned nth);

/* Disarm every pending failure. */
SMMU_EXT_API void
smmu_ext_sim_fail_clear(SmmuExtSim *sim);

/* Calls of @op made so far (SMMU_EXT_SIM_OP_ANY: all of them). */
SMMU_EXT_API unsigned
smmu_ext_sim_calls(const SmmuExtSim *sim, SmmuExtSimOp op);

SMMU_EXT_API const char *
smmu_ext_sim_op_name(SmmuExtSimOp op);

/* By name as in the replay format ("hw_queue_alloc"); -1 if unknown. */
SMMU_EXT_API int
smmu_ext_sim_op_from_name(const char *name);

SMMU_EXT_API unsigned
smmu_ext_sim_live(const SmmuExtSim *sim, SmmuExtSimKind kind);

SMMU_EXT_API const char *
smmu_ext_sim_kind_name(SmmuExtSimKind kind);

SMMU_EXT_API int
smmu_ext_sim_kind_from_name(const char *name);

/* Sum of every live-object count plus open vEVENTQ fds. */
SMMU_EXT_API unsigned
smmu_ext_sim_live_total(const SmmuExtSim *sim);

/* vEVENTQ fds handed out and not yet closed. */
SMMU_EXT_API unsigned
smmu_ext_sim_open_fds(const SmmuExtSim *sim);

/* Commands the simulated hardware consumed without error, by SMMUv3
 * opcode (0..255). */
SMMU_EXT_API uint64_t
smmu_ext_sim_cmd_count(const SmmuExtSim *sim, uint8_t opcode);

/* The same for logical VCMDQ @queue alone (summed over vIOMMUs); 0 for a
 * queue the hardware does not have. */
SMMU_EXT_API uint64_t
smmu_ext_sim_queue_cmd_count(const SmmuExtSim *sim, unsigned queue,
                             uint8_t opcode);

/* Post an ARM_SMMUV3 event for @dev_id (smmuv3 and tegra241 profiles): the
 * StreamID field is replaced by the device's vSID.  Dropped, as by the
 * kernel, when the device has no vDEVICE or no ARM_SMMUV3 vEVENTQ exists;
 * returns whether it was queued (or counted as lost). */
SMMU_EXT_API bool
smmu_ext_sim_post_event(SmmuExtSim *sim, uint32_t dev_id,
                        const uint64_t evt[4]);

/* Host view of Tegra241 hardware for tests: HW queue @index of the (only)
 * vIOMMU; false if it does not exist. */
SMMU_EXT_API bool
smmu_ext_sim_hw_queue(const SmmuExtSim *sim, uint32_t index, uint64_t *gpa,
                      uint64_t *len);

/* SID_MATCH / SID_REPLACE of slot @s as programmed by VDEVICE_ALLOC. */
SMMU_EXT_API bool
smmu_ext_sim_sid_slot(const SmmuExtSim *sim, unsigned s, uint32_t *match,
                      uint32_t *replace);

/* Depth of a vEVENTQ of @type on the (only) vIOMMU, 0 if none. */
SMMU_EXT_API uint32_t
smmu_ext_sim_veventq_depth(const SmmuExtSim *sim, uint32_t type);

/* Test hooks (added with the simulated host, issue #3).  Start the vEVENTQ
 * of @type on the (only) vIOMMU at sequence @seq (masked to 31 bits), so
 * the wrap after 0x7fffffff can be tested end to end; false if there is no
 * such vEVENTQ. */
SMMU_EXT_API bool
smmu_ext_sim_set_next_seq(SmmuExtSim *sim, uint32_t type, uint32_t seq);

/* Report a TEGRA241_CMDQV vEVENT (the 128-bit LVCMDQ_ERR_MAP @map_lo,
 * @map_hi) on the (only) vIOMMU, as the host's CMDQV interrupt would;
 * returns whether a vEVENTQ of that type took it. */
SMMU_EXT_API bool
smmu_ext_sim_post_tegra_error(SmmuExtSim *sim, uint64_t map_lo,
                              uint64_t map_hi);

/* ------------------------------------------------------------------------
 * The reference VMM: what QEMU does, small
 * ------------------------------------------------------------------------ */

typedef struct SmmuExtVmm SmmuExtVmm;

/*
 * A VMM on a simulated host of @profile ("tegra241", "smmuv3", "none").
 * @reg is borrowed (NULL: the VMM makes one that loads the default module
 * directories when first needed).  Set RAM and the mode before the first
 * attach.
 */
SMMU_EXT_API SmmuExtVmm *
smmu_ext_vmm_new(const char *profile, SmmuExtRegistry *reg, GError **errp);

/* Frees the instance (full teardown), then the simulated host. */
SMMU_EXT_API void
smmu_ext_vmm_free(SmmuExtVmm *vmm);

SMMU_EXT_API bool
smmu_ext_vmm_set_mode(SmmuExtVmm *vmm, const char *mode, GError **errp);

/* Guest RAM: allocated by the VMM (zeroed), registered with the sim. */
SMMU_EXT_API bool
smmu_ext_vmm_add_ram(SmmuExtVmm *vmm, uint64_t gpa, uint64_t size,
                     uint64_t page_size, GError **errp);

/* Plug device @devid (a VMM-chosen number).  The first attach creates the
 * instance (selection, vIOMMU).  With @has_vsid a vDEVICE is allocated. */
SMMU_EXT_API bool
smmu_ext_vmm_attach(SmmuExtVmm *vmm, uint32_t devid, bool has_vsid,
                    uint64_t vsid, GError **errp);

SMMU_EXT_API bool
smmu_ext_vmm_detach(SmmuExtVmm *vmm, uint32_t devid, GError **errp);

/* Guest MMIO into the extension region, dispatched as QEMU would: a
 * direct-page overlay wins; else, inside the region, the extension's
 * handler runs (see smmu_ext_vmm_set_direct_handlers).  @direct (nullable)
 * says which path was taken. */
SMMU_EXT_API uint64_t
smmu_ext_vmm_read(SmmuExtVmm *vmm, uint64_t offset, unsigned size,
                  bool *direct);

SMMU_EXT_API void
smmu_ext_vmm_write(SmmuExtVmm *vmm, uint64_t offset, uint64_t value,
                   unsigned size, bool *direct);

SMMU_EXT_API bool
smmu_ext_vmm_mem_write(SmmuExtVmm *vmm, uint64_t gpa, const void *buf,
                       size_t len);

SMMU_EXT_API bool
smmu_ext_vmm_mem_read(SmmuExtVmm *vmm, uint64_t gpa, void *buf, size_t len);

/* Run the simulated hardware @n times. */
SMMU_EXT_API void
smmu_ext_vmm_step(SmmuExtVmm *vmm, unsigned n);

/* One main-loop iteration: dispatch every ready vEVENTQ fd (no waiting). */
SMMU_EXT_API void
smmu_ext_vmm_main_loop_once(SmmuExtVmm *vmm);

/* Rising edges seen on the extension's interrupt @line since creation. */
SMMU_EXT_API unsigned
smmu_ext_vmm_irq_count(const SmmuExtVmm *vmm, unsigned line);

SMMU_EXT_API void
smmu_ext_vmm_reset(SmmuExtVmm *vmm);

/* The guest's SMMUv3 event queue (2^log2size entries). */
SMMU_EXT_API bool
smmu_ext_vmm_set_guest_eventq(SmmuExtVmm *vmm, bool enabled,
                              unsigned log2size, GError **errp);

/* Events the guest EVTQ received, oldest first (@i < count). */
SMMU_EXT_API unsigned
smmu_ext_vmm_guest_events(const SmmuExtVmm *vmm);

SMMU_EXT_API const uint64_t *
smmu_ext_vmm_guest_event(const SmmuExtVmm *vmm, unsigned i);

/* The guest consumed its EVTQ (makes room again). */
SMMU_EXT_API void
smmu_ext_vmm_guest_eventq_drain(SmmuExtVmm *vmm);

/* GERROR.EVENTQ_ABT_ERR raises seen. */
SMMU_EXT_API unsigned
smmu_ext_vmm_eventq_aborts(const SmmuExtVmm *vmm);

/* Emulated-mode commands the host's SMMUv3 executed, by opcode. */
SMMU_EXT_API uint64_t
smmu_ext_vmm_host_cmd_count(const SmmuExtVmm *vmm, uint8_t opcode);

/* Errors the core reported through report_error (guest-caused). */
SMMU_EXT_API unsigned
smmu_ext_vmm_reported_errors(const SmmuExtVmm *vmm);

SMMU_EXT_API const char *
smmu_ext_vmm_last_error(const SmmuExtVmm *vmm);

/* Trapped accesses inside the region go to the module's own handlers
 * (smmu_ext_instance_mmio_handlers, as QEMU's MemoryRegionOps) when @on
 * (the default), or through smmu_ext_instance_mmio_read/write. */
SMMU_EXT_API void
smmu_ext_vmm_set_direct_handlers(SmmuExtVmm *vmm, bool on);

/* Print every MMIO access (trapped or direct) on stdout. */
SMMU_EXT_API void
smmu_ext_vmm_set_trace(SmmuExtVmm *vmm, bool on);

SMMU_EXT_API SmmuExtInstance *
smmu_ext_vmm_instance(SmmuExtVmm *vmm);

/* The simulated kernel's dev_id of VMM device @devid (0 if not attached or
 * without a host IOMMU), e.g. for smmu_ext_sim_post_event. */
SMMU_EXT_API uint32_t
smmu_ext_vmm_sim_dev(SmmuExtVmm *vmm, uint32_t devid);

SMMU_EXT_API SmmuExtSim *
smmu_ext_vmm_sim(SmmuExtVmm *vmm);

SMMU_EXT_API SmmuExtRegistry *
smmu_ext_vmm_registry(SmmuExtVmm *vmm);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SmmuExtSim, smmu_ext_sim_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SmmuExtVmm, smmu_ext_vmm_free)

G_END_DECLS

#endif /* SMMU_EXT_SIM_H */
