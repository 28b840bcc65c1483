/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the benchmarks: a monotonic clock, the median of a few runs,
 * and the Linux guest's bring-up on the reference VMM.  Benchmarks print
 * figures and never fail on time; they fail only when the thing measured
 * did not happen (a setup error, a command not consumed).
 */
#ifndef SMMU_EXT_BENCH_H
#define SMMU_EXT_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "smmu-ext-sim.h"

#define BENCH_REPS 7
#define BENCH_RAM_GPA 0x80000000ull

static inline uint64_t
bench_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static inline int
bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* Median of @n values (sorts them). */
static inline double
bench_median(double *v, unsigned n)
{
    qsort(v, n, sizeof(*v), bench_cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static inline void
bench_die(const char *what, const GError *err)
{
    fprintf(stderr, "bench: %s: %s\n", what, err ? err->message : "failed");
    exit(1);
}

/* What Linux's tegra241-cmdqv driver does for VINTF0 with two queues of
 * 2^@log2 entries at @gpa and @gpa + 16 << @log2. */
static inline void
bench_guest_bring_up(SmmuExtVmm *vmm, uint64_t gpa, unsigned log2)
{
    smmu_ext_vmm_write(vmm, 0x0000, 0x1, 4, NULL);
    smmu_ext_vmm_write(vmm, 0x1000, 0x1, 4, NULL);
    for (unsigned q = 0; q < 2; q++) {
        uint64_t base = gpa + ((uint64_t)q << (log2 + 4));

        smmu_ext_vmm_write(vmm, 0x0200 + 4 * q, 0x1 | q << 1, 4, NULL);
        smmu_ext_vmm_write(vmm, 0x40000 + 0x80 * q, base | log2, 8, NULL);
        smmu_ext_vmm_write(vmm, 0x30008 + 0x80 * q, 1, 4, NULL);
    }
    smmu_ext_vmm_step(vmm, 1);
}

#endif /* SMMU_EXT_BENCH_H */
