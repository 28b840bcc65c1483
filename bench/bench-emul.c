/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Emulated mode (profile none, cmdqv=tegra241): how fast the module
 * consumes a guest VCMDQ.  A ring of 2^LOG2 TLBI_NH_VA commands is filled
 * once; each run writes PROD one full ring ahead and times that write,
 * which consumes every command through the host's handle_cmd.
 */
#include "bench.h"

#define LOG2 17u
#define ENTRIES (1u << LOG2)
#define RAM_SIZE (4ull << 20)
#define PAGE_2M (2ull << 20)
#define OP_TLBI_NH_VA 0x12

int
main(int argc, char **argv)
{
    g_autoptr(GError) err = NULL;
    g_autofree uint64_t *ring = g_new0(uint64_t, 2 * ENTRIES);
    SmmuExtVmm *vmm = smmu_ext_vmm_new("none", NULL, &err);
    double rate[BENCH_REPS];
    uint32_t cons, cap;
    uint64_t before;

    if (!vmm || !smmu_ext_vmm_set_mode(vmm, "tegra241", &err) ||
        !smmu_ext_vmm_add_ram(vmm, BENCH_RAM_GPA, RAM_SIZE, PAGE_2M, &err) ||
        !smmu_ext_vmm_attach(vmm, 1, false, 0, &err)) {
        bench_die("setup", err);
    }
    cap = smmu_ext_instance_cmdqs_cap(smmu_ext_vmm_instance(vmm));
    if (cap < LOG2 || !smmu_ext_instance_emulated(smmu_ext_vmm_instance(vmm))) {
        fprintf(stderr, "bench-emul: emulated queue cap 2^%u < 2^%u\n", cap,
                LOG2);
        return 1;
    }
    for (unsigned i = 0; i < ENTRIES; i++) {
        ring[2 * i] = GUINT64_TO_LE(OP_TLBI_NH_VA | (uint64_t)i << 12);
    }
    smmu_ext_vmm_mem_write(vmm, BENCH_RAM_GPA, ring, 16ull * ENTRIES);
    bench_guest_bring_up(vmm, BENCH_RAM_GPA, LOG2);

    before = smmu_ext_vmm_host_cmd_count(vmm, OP_TLBI_NH_VA);
    for (unsigned k = 0; k < BENCH_REPS; k++) {
        uint32_t prod, t_cons;
        uint64_t t0;

        cons = smmu_ext_vmm_read(vmm, 0x10000, 4, NULL);
        /* One full ring: the wrap bit flips, the index stays. */
        prod = (cons + ENTRIES) & (2 * ENTRIES - 1);
        t0 = bench_now_ns();
        smmu_ext_vmm_write(vmm, 0x10004, prod, 4, NULL);
        rate[k] = ENTRIES * 1e9 / (double)(bench_now_ns() - t0);
        t_cons = smmu_ext_vmm_read(vmm, 0x10000, 4, NULL);
        if (t_cons != prod) {
            fprintf(stderr, "bench-emul: CONS 0x%x, PROD 0x%x\n", t_cons,
                    prod);
            return 1;
        }
    }
    if (smmu_ext_vmm_host_cmd_count(vmm, OP_TLBI_NH_VA) - before !=
        (uint64_t)BENCH_REPS * ENTRIES) {
        bench_die("not every command reached the host", NULL);
    }
    printf("emulated VCMDQ consumption (profile none, cmdqv=tegra241), "
           "ring of %u TLBI_NH_VA, median of %u runs\n", ENTRIES, BENCH_REPS);
    printf("  %.1f M commands/s  (%.1f ns/command)\n",
           bench_median(rate, BENCH_REPS) / 1e6,
           1e9 / bench_median(rate, BENCH_REPS));
    smmu_ext_vmm_free(vmm);
    return 0;
}
