/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cost of one trapped Tegra241 register access, for the registers a Linux
 * guest touches, on the simulated tegra241 host after the guest's
 * bring-up.  By default through the module's direct handlers
 * (smmu_ext_instance_mmio_handlers, as QEMU's MemoryRegionOps call them);
 * with --dispatch first, through the core's bounds-checked
 * smmu_ext_instance_mmio_read/write.
 *
 *   bench-mmio [--dispatch]              ns per access, median of 7 runs
 *   bench-mmio --list                    the register names
 *   bench-mmio [--dispatch] --one NAME N N accesses of NAME only (for
 *                                        callgrind; see callgrind-mmio.sh:
 *                                        instructions per access =
 *                                        (Ir(N) - Ir(0)) / N)
 */
#include "bench.h"

#define N_ACCESS 2000000u

typedef struct Reg {
    const char *name;
    uint64_t offset;
    unsigned size;
    bool write;
} Reg;

static const Reg regs[] = {
    { "STATUS-r32", 0x0008, 4, false },
    { "PARAM-r32", 0x0004, 4, false },
    { "VINTF0_CONFIG-r32", 0x1000, 4, false },
    { "VINTF0_STATUS-r32", 0x1004, 4, false },
    { "LVCMDQ_ERR_MAP-r64", 0x10c0, 8, false },
    { "CMDQ_ALLOC_MAP-r32", 0x0200, 4, false },
    { "VCMDQ0_CONS-r32", 0x10000, 4, false },
    { "VCMDQ0_PROD-w32", 0x10004, 4, true },
    { "VCMDQ0_CONFIG-w32", 0x10008, 4, true },
    { "VCMDQ0_BASE-w64", 0x20000, 8, true },
};

static SmmuExtVmm *
setup(void)
{
    g_autoptr(GError) err = NULL;
    SmmuExtVmm *vmm = smmu_ext_vmm_new("tegra241", NULL, &err);

    if (!vmm || !smmu_ext_vmm_add_ram(vmm, BENCH_RAM_GPA, 1 << 20, 4096,
                                      &err) ||
        !smmu_ext_vmm_attach(vmm, 1, true, 0x10, &err)) {
        bench_die("setup", err);
    }
    bench_guest_bring_up(vmm, BENCH_RAM_GPA, 8);
    if (strcmp(smmu_ext_instance_extension(smmu_ext_vmm_instance(vmm)),
               "tegra241") || !smmu_ext_sim_hw_queue(smmu_ext_vmm_sim(vmm),
                                                     0, NULL, NULL)) {
        bench_die("setup: tegra241 with a live VCMDQ0 expected", NULL);
    }
    return vmm;
}

/* How the host reaches the module: one indirect call, as QEMU makes. */
typedef struct Path {
    SmmuExtMmioRead read;
    SmmuExtMmioWrite write;
    void *opaque;
    const char *what;
} Path;

static uint64_t
dispatch_read(void *opaque, uint64_t offset, unsigned size)
{
    return smmu_ext_instance_mmio_read(opaque, offset, size);
}

static void
dispatch_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    smmu_ext_instance_mmio_write(opaque, offset, value, size);
}

static Path
path_get(SmmuExtInstance *inst, bool dispatch)
{
    Path p = {
        .read = dispatch_read, .write = dispatch_write, .opaque = inst,
        .what = "smmu_ext_instance_mmio_read/write (core dispatch)",
    };

    if (!dispatch) {
        if (!smmu_ext_instance_mmio_handlers(inst, &p.read, &p.write,
                                             &p.opaque)) {
            bench_die("no direct MMIO handlers", NULL);
        }
        p.what = "the module's direct handlers";
    }
    return p;
}

/* The value a write puts back: the register's own (steady state). */
static uint64_t
write_value(SmmuExtInstance *inst, const Reg *r)
{
    return smmu_ext_instance_mmio_read(inst, r->offset, r->size);
}

static G_GNUC_NO_INLINE void
run(SmmuExtInstance *inst, const Path *p, const Reg *r, unsigned n)
{
    if (r->write) {
        uint64_t v = write_value(inst, r);

        for (unsigned i = 0; i < n; i++) {
            p->write(p->opaque, r->offset, v, r->size);
        }
    } else {
        volatile uint64_t sink;

        for (unsigned i = 0; i < n; i++) {
            sink = p->read(p->opaque, r->offset, r->size);
        }
        (void)sink;
    }
}

static const Reg *
find(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(regs); i++) {
        if (!strcmp(regs[i].name, name)) {
            return &regs[i];
        }
    }
    fprintf(stderr, "bench-mmio: unknown register %s\n", name);
    exit(2);
}

int
main(int argc, char **argv)
{
    SmmuExtVmm *vmm;
    SmmuExtInstance *inst;
    bool dispatch = argc > 1 && !strcmp(argv[1], "--dispatch");
    Path path;

    if (dispatch) {
        argc--;
        argv++;
    }
    if (argc == 2 && !strcmp(argv[1], "--list")) {
        for (size_t i = 0; i < G_N_ELEMENTS(regs); i++) {
            printf("%s\n", regs[i].name);
        }
        return 0;
    }
    vmm = setup();
    inst = smmu_ext_vmm_instance(vmm);
    path = path_get(inst, dispatch);
    if (argc == 4 && !strcmp(argv[1], "--one")) {
        /* The steady-state value is read in both runs, so Ir(0) has it. */
        const Reg *r = find(argv[2]);

        run(inst, &path, r, (unsigned)strtoul(argv[3], NULL, 0));
        smmu_ext_vmm_free(vmm);
        return 0;
    }

    printf("trapped MMIO through %s (tegra241 sim, VCMDQ0 live), %u "
           "accesses, median of %u runs\n", path.what, N_ACCESS, BENCH_REPS);
    for (size_t i = 0; i < G_N_ELEMENTS(regs); i++) {
        double ns[BENCH_REPS];

        run(inst, &path, &regs[i], N_ACCESS / 10);     /* warm */
        for (unsigned k = 0; k < BENCH_REPS; k++) {
            uint64_t t0 = bench_now_ns();

            run(inst, &path, &regs[i], N_ACCESS);
            ns[k] = (double)(bench_now_ns() - t0) / N_ACCESS;
        }
        printf("  %-20s 0x%05" G_GINT64_MODIFIER "x  %6.1f ns/access\n",
               regs[i].name, regs[i].offset, bench_median(ns, BENCH_REPS));
    }
    smmu_ext_vmm_free(vmm);
    return 0;
}
