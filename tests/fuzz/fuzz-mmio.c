/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the Tegra241 register model as a guest reaches it: MMIO through the
 * reference VMM (direct page or trap, as QEMU dispatches), interleaved with
 * hardware steps, main-loop rounds, resets, device plug/unplug, commands in
 * guest RAM, guest event-queue changes, host-posted events and kernel
 * failures.  Built twice: accelerated on the simulated tegra241 host, and
 * emulated (profile none, cmdqv=tegra241; FUZZ_MMIO_EMULATED).
 *
 * Every input runs twice: trapped accesses through the module's direct
 * handlers (smmu_ext_instance_mmio_handlers, as QEMU calls them) and
 * through the core's bounds-checked smmu_ext_instance_mmio_read/write.
 * Both must give the guest the same values and the same outcome, so no
 * check the core makes is one the module relies on.
 *
 * The end of every input unplugs every device: the simulated kernel must
 * then hold nothing (no object, no fd).
 *
 * Input: [header] then records [op][args...]; see the OP_* list.
 */
#include <errno.h>
#include "smmu-ext-sim.h"
#include "uapi/iommufd.h"
#include "fuzz.h"

#ifndef FUZZ_MMIO_EMULATED
#define FUZZ_MMIO_EMULATED 0
#endif

#define RAM_GPA 0x80000000ull
/* Small (ASan poisons every allocation); 2 MiB pages need one page. */
#define RAM_SIZE (256ull << 10)
#define RAM_SIZE_2M (2ull << 20)
#define N_DEVS 3
#define MAX_RECORDS 2048

/* The module, linked in and registered statically. */
extern const SmmuExtModuleDesc smmu_ext_module_v1;

enum {
    OP_R32, OP_W32, OP_R64, OP_W64, OP_RSIZE, OP_WSIZE, OP_STEP, OP_LOOP,
    OP_RESET, OP_ATTACH, OP_DETACH, OP_CMD, OP_EVTQ, OP_EVENT, OP_BASE,
    OP_FAIL,
};

/* Registers a Linux guest touches; a record picks one plus a queue slot
 * most of the time, so the fuzzer need not guess offsets. */
static const uint32_t regs[] = {
    0x0000, 0x0004, 0x0008, 0x0014, 0x0018, 0x001c, 0x0020, 0x0024,
    0x0030, 0x0200, 0x0204, 0x0208, 0x020c, 0x1000, 0x1004, 0x1040,
    0x1080, 0x10c0, 0x10c8, 0x10cc, 0x10000, 0x10004, 0x10008, 0x1000c,
    0x10010, 0x10014, 0x20000, 0x20004, 0x20008, 0x2000c, 0x30000,
    0x30004, 0x30008, 0x3000c, 0x30010, 0x30014, 0x40000, 0x40004,
    0x40008,
};

static const uint8_t opcodes[] = { 0x11, 0x12, 0x40, 0x46, 0x01, 0x20 };
static const int errnos[] = { ENOMEM, EINVAL, EBUSY, EIO, EFAULT, ENOSPC };
/* Failures of the calls that build things; a failed DESTROY (retried once
 * by the core) could leave a kernel object behind by design. */
static const SmmuExtSimOp fail_ops[] = {
    SMMU_EXT_SIM_OP_GET_HW_INFO, SMMU_EXT_SIM_OP_VIOMMU_ALLOC,
    SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC, SMMU_EXT_SIM_OP_VEVENTQ_ALLOC,
    SMMU_EXT_SIM_OP_VDEVICE_ALLOC, SMMU_EXT_SIM_OP_MMAP,
};
static const uint64_t page_sizes[] = { 4096, 65536, 2u << 20 };
static const char *const accel_modes[] = { "auto", "tegra241", "on" };

static SmmuExtRegistry *
fuzz_registry(void)
{
    static SmmuExtRegistry *reg;

    if (!reg) {
        g_autoptr(GError) err = NULL;

        reg = smmu_ext_registry_new();
        FUZZ_CHECK(smmu_ext_registry_add_static(reg, &smmu_ext_module_v1,
                                                &err),
                   "tegra241 refused: %s", err->message);
    }
    return reg;
}

static uint64_t
take_offset(FuzzInput *in)
{
    uint8_t sel = fuzz_u8(in);

    if (sel < 0xc0) {
        return regs[sel % G_N_ELEMENTS(regs)] +
               (fuzz_u8(in) & 3) * 0x80u;
    }
    /* Anywhere, the region's end and beyond included. */
    return fuzz_take(in, 3) | (uint64_t)(sel & 0x0f) << 24;
}

static void
do_attach(SmmuExtVmm *vmm, FuzzInput *in)
{
    g_autoptr(GError) err = NULL;
    uint8_t b = fuzz_u8(in);
    uint32_t devid = 1 + b % N_DEVS;
    bool has_vsid = b & 0x80;
    uint64_t vsid = fuzz_take(in, 2) | (uint64_t)(b & 0x40) << 14;

    smmu_ext_vmm_attach(vmm, devid, has_vsid, vsid, &err);
}

static void
do_detach(SmmuExtVmm *vmm, uint32_t devid)
{
    g_autoptr(GError) err = NULL;

    smmu_ext_vmm_detach(vmm, devid, &err);
}

/* A command in the ring area of guest RAM. */
static void
do_cmd(SmmuExtVmm *vmm, FuzzInput *in)
{
    uint64_t slot = fuzz_take(in, 2) % (RAM_SIZE / 16);
    uint8_t op = fuzz_u8(in);
    uint64_t cmd[2];

    cmd[0] = fuzz_take(in, 7) << 8 |
             (op < 0xf0 ? opcodes[op % G_N_ELEMENTS(opcodes)] : op);
    cmd[1] = fuzz_take(in, 8);
    cmd[0] = GUINT64_TO_LE(cmd[0]);
    cmd[1] = GUINT64_TO_LE(cmd[1]);
    smmu_ext_vmm_mem_write(vmm, RAM_GPA + slot * 16, cmd, sizeof(cmd));
}

/* BASE of a queue, pointing into guest RAM, as Linux writes it. */
static void
do_base(SmmuExtVmm *vmm, FuzzInput *in)
{
    uint8_t b = fuzz_u8(in);
    unsigned q = b & 3;
    uint64_t page1 = b & 4 ? 0x40000 : 0x20000;
    unsigned log2 = fuzz_u8(in) % 20;
    uint64_t off = (fuzz_take(in, 3) << 5) % RAM_SIZE;
    uint64_t base = (RAM_GPA + off) | log2;
    uint64_t reg = page1 + q * 0x80u;

    if (b & 8) {
        smmu_ext_vmm_write(vmm, reg, base, 8, NULL);
    } else {
        smmu_ext_vmm_write(vmm, reg, (uint32_t)base, 4, NULL);
        smmu_ext_vmm_write(vmm, reg + 4, base >> 32, 4, NULL);
    }
}

static void
do_event(SmmuExtVmm *vmm, FuzzInput *in)
{
    SmmuExtSim *sim = smmu_ext_vmm_sim(vmm);
    uint8_t b = fuzz_u8(in);

    if (b & 1) {
        uint64_t lo = fuzz_take(in, 8), hi = fuzz_take(in, 8);

        smmu_ext_sim_post_tegra_error(sim, lo, hi);
    } else {
        uint64_t evt[4] = { fuzz_take(in, 8), fuzz_take(in, 8), 0, 0 };

        smmu_ext_sim_post_event(sim, 1 + (b >> 1) % N_DEVS, evt);
    }
}

/* Reset, run state, or a migration round trip (emulated only). */
static void
do_reset(SmmuExtVmm *vmm, FuzzInput *in)
{
    SmmuExtInstance *inst = smmu_ext_vmm_instance(vmm);
    uint8_t b = fuzz_u8(in);

    if (!inst || !(b & 3)) {
        smmu_ext_vmm_reset(vmm);
        return;
    }
    if ((b & 3) == 1) {
        smmu_ext_instance_set_running(inst, b & 4);
    } else {
        g_autoptr(GByteArray) blob = g_byte_array_new();
        g_autoptr(GError) err = NULL;

        if (smmu_ext_instance_save(inst, blob, &err) && (b & 3) == 3 &&
            blob->len) {
            /* Corrupt one byte of a valid blob: load must refuse or
             * accept, never trust it. */
            blob->data[fuzz_take(in, 2) % blob->len] ^= fuzz_u8(in);
        }
        g_clear_error(&err);
        smmu_ext_instance_load(inst, blob->data, blob->len, &err);
    }
}

static void
do_fail(SmmuExtVmm *vmm, FuzzInput *in)
{
    uint8_t b = fuzz_u8(in);
    uint8_t n = fuzz_u8(in);

    smmu_ext_sim_fail(smmu_ext_vmm_sim(vmm),
                      fail_ops[b % G_N_ELEMENTS(fail_ops)],
                      errnos[(b >> 4) % G_N_ELEMENTS(errnos)], 1 + n % 8);
}

/* Every value the guest read in one run, folded (FNV-1a over the words). */
static uint64_t read_digest;

static void
guest_read(SmmuExtVmm *vmm, uint64_t offset, unsigned size)
{
    bool direct;
    uint64_t v = smmu_ext_vmm_read(vmm, offset, size, &direct);

    read_digest = (read_digest ^ v ^ ((uint64_t)direct << 63)) *
                  0x100000001b3ull;
}

static void
run_record(SmmuExtVmm *vmm, FuzzInput *in)
{
    uint8_t op = fuzz_u8(in);
    uint64_t off;

    switch (op & 0x0f) {
    case OP_R32:
        guest_read(vmm, take_offset(in), 4);
        break;
    case OP_W32:
        off = take_offset(in);
        smmu_ext_vmm_write(vmm, off, fuzz_take(in, 4), 4, NULL);
        break;
    case OP_R64:
        guest_read(vmm, take_offset(in), 8);
        break;
    case OP_W64:
        off = take_offset(in);
        smmu_ext_vmm_write(vmm, off, fuzz_take(in, 8), 8, NULL);
        break;
    case OP_RSIZE:
        guest_read(vmm, take_offset(in), 1 + (op >> 4) % 8);
        break;
    case OP_WSIZE:
        off = take_offset(in);
        smmu_ext_vmm_write(vmm, off, fuzz_take(in, 8), 1 + (op >> 4) % 8,
                           NULL);
        break;
    case OP_STEP:
        smmu_ext_vmm_step(vmm, 1 + (op >> 4));
        break;
    case OP_LOOP:
        smmu_ext_vmm_main_loop_once(vmm);
        if (op & 0x10) {
            smmu_ext_vmm_guest_eventq_drain(vmm);
        }
        break;
    case OP_RESET:
        do_reset(vmm, in);
        break;
    case OP_ATTACH:
        do_attach(vmm, in);
        break;
    case OP_DETACH:
        do_detach(vmm, 1 + (op >> 4) % N_DEVS);
        break;
    case OP_CMD:
        do_cmd(vmm, in);
        break;
    case OP_EVTQ: {
        g_autoptr(GError) err = NULL;

        smmu_ext_vmm_set_guest_eventq(vmm, op & 0x10, fuzz_u8(in) % 21,
                                      &err);
        break;
    }
    case OP_EVENT:
        do_event(vmm, in);
        break;
    case OP_BASE:
        do_base(vmm, in);
        break;
    case OP_FAIL:
        do_fail(vmm, in);
        break;
    }
}

static void
print_summary(SmmuExtVmm *vmm)
{
    SmmuExtSim *sim = smmu_ext_vmm_sim(vmm);

    printf("summary: hw_queues %u, irq0 %u, reported errors %u (%s), "
           "guest events %u, commands: sim %" G_GUINT64_FORMAT
           " host %" G_GUINT64_FORMAT "\n",
           smmu_ext_sim_live(sim, SMMU_EXT_SIM_HW_QUEUE),
           smmu_ext_vmm_irq_count(vmm, 0),
           smmu_ext_vmm_reported_errors(vmm),
           smmu_ext_vmm_last_error(vmm) ? smmu_ext_vmm_last_error(vmm) : "",
           smmu_ext_vmm_guest_events(vmm),
           smmu_ext_sim_cmd_count(sim, 0x12) +
           smmu_ext_sim_cmd_count(sim, 0x46),
           smmu_ext_vmm_host_cmd_count(vmm, 0x12) +
           smmu_ext_vmm_host_cmd_count(vmm, 0x46));
}

/* What a run showed the guest and the host; equal for both MMIO paths. */
typedef struct RunOutcome {
    uint64_t reads;            /* read_digest */
    unsigned hw_queues;
    unsigned irqs;
    unsigned guest_events;
    uint64_t host_cmds;
} RunOutcome;

static RunOutcome
run_input(const uint8_t *data, size_t size, bool direct_handlers)
{
    g_autoptr(GError) err = NULL;
    RunOutcome out;
    SmmuExtVmm *vmm;
    SmmuExtSim *sim;
    FuzzInput in;
    uint8_t hdr;
    bool trace;

    fuzz_input_init(&in, data, size);
    hdr = fuzz_u8(&in);
    vmm = smmu_ext_vmm_new(FUZZ_MMIO_EMULATED ? "none" : "tegra241",
                           fuzz_registry(), &err);
    FUZZ_CHECK(vmm, "vmm_new: %s", err->message);
    sim = smmu_ext_vmm_sim(vmm);
    smmu_ext_vmm_set_direct_handlers(vmm, direct_handlers);
    read_digest = 0xcbf29ce484222325ull;
    FUZZ_CHECK(smmu_ext_vmm_set_mode(vmm, FUZZ_MMIO_EMULATED ? "tegra241" :
                                     accel_modes[(hdr >> 2) % 3], &err),
               "set_mode: %s", err->message);
    FUZZ_CHECK(smmu_ext_vmm_add_ram(vmm, RAM_GPA, hdr % 3 == 2 ? RAM_SIZE_2M :
                                    RAM_SIZE, page_sizes[hdr % 3], &err),
               "add_ram: %s", err->message);

    /* Debugging a finding: every access, then what the input achieved
     * (stdout: not for TAP runs). */
    trace = g_getenv("FUZZ_MMIO_TRACE") != NULL;
    smmu_ext_vmm_set_trace(vmm, trace);
    for (unsigned n = 0; in.left && n < MAX_RECORDS; n++) {
        run_record(vmm, &in);
    }
    if (trace) {
        print_summary(vmm);
    }
    out = (RunOutcome) {
        .reads = read_digest,
        .hw_queues = smmu_ext_sim_live(sim, SMMU_EXT_SIM_HW_QUEUE),
        .irqs = smmu_ext_vmm_irq_count(vmm, 0),
        .guest_events = smmu_ext_vmm_guest_events(vmm),
        .host_cmds = smmu_ext_vmm_host_cmd_count(vmm, 0x12) +
                     smmu_ext_vmm_host_cmd_count(vmm, 0x46),
    };

    /* Every device goes; the kernel side must then be empty. */
    smmu_ext_sim_fail_clear(sim);
    for (uint32_t devid = 1; devid <= N_DEVS; devid++) {
        do_detach(vmm, devid);
    }
    FUZZ_CHECK(smmu_ext_sim_live_total(sim) == 0,
               "%u kernel objects left after the last detach (viommu %u, "
               "hw_queue %u, veventq %u, vdevice %u, mmap %u)",
               smmu_ext_sim_live_total(sim),
               smmu_ext_sim_live(sim, SMMU_EXT_SIM_VIOMMU),
               smmu_ext_sim_live(sim, SMMU_EXT_SIM_HW_QUEUE),
               smmu_ext_sim_live(sim, SMMU_EXT_SIM_VEVENTQ),
               smmu_ext_sim_live(sim, SMMU_EXT_SIM_VDEVICE),
               smmu_ext_sim_live(sim, SMMU_EXT_SIM_MMAP));
    FUZZ_CHECK(smmu_ext_sim_open_fds(sim) == 0, "%u vEVENTQ fds open",
               smmu_ext_sim_open_fds(sim));
    smmu_ext_vmm_free(vmm);
    return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    RunOutcome direct = run_input(data, size, true);
    RunOutcome dispatch = run_input(data, size, false);

    FUZZ_CHECK(direct.reads == dispatch.reads &&
               direct.hw_queues == dispatch.hw_queues &&
               direct.irqs == dispatch.irqs &&
               direct.guest_events == dispatch.guest_events &&
               direct.host_cmds == dispatch.host_cmds,
               "direct handlers and core dispatch differ: reads %016"
               G_GINT64_MODIFIER "x/%016" G_GINT64_MODIFIER "x, hw_queues "
               "%u/%u, irqs %u/%u, guest events %u/%u, host commands %"
               G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, direct.reads,
               dispatch.reads, direct.hw_queues, dispatch.hw_queues,
               direct.irqs, dispatch.irqs, direct.guest_events,
               dispatch.guest_events, direct.host_cmds, dispatch.host_cmds);
    return 0;
}
