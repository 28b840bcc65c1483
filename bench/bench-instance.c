/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmdqv=auto selection time, module loading included (a fresh registry
 * each iteration: load, instance_new, select on the simulated tegra241
 * host), and the heap one extension instance holds besides the mapped
 * VINTF page.
 */
#include <malloc.h>
#include <gmodule.h>
#include "bench.h"

#define ITERS 200

static size_t
heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();

    return mi.uordblks + mi.hblkhd;
}

static SmmuExtInstance *
select_auto(SmmuExtRegistry *reg, SmmuExtSim *sim, uint32_t dev)
{
    g_autoptr(GError) err = NULL;
    SmmuExtInstance *inst = smmu_ext_instance_new(reg, "auto", NULL, NULL,
                                                  &err);

    if (!inst || !smmu_ext_instance_select(inst, smmu_ext_sim_iommufd(sim),
                                           dev, &err)) {
        bench_die("select", err);
    }
    if (strcmp(smmu_ext_instance_extension(inst), "tegra241")) {
        bench_die("auto did not select tegra241", NULL);
    }
    return inst;
}

static void
bench_select(SmmuExtSim *sim, uint32_t dev)
{
    double us[ITERS], first = 0;

    for (unsigned i = 0; i < ITERS; i++) {
        uint64_t t0 = bench_now_ns();
        SmmuExtRegistry *reg = smmu_ext_registry_new();
        SmmuExtInstance *inst;

        smmu_ext_registry_load(reg, NULL, NULL);
        inst = select_auto(reg, sim, dev);
        us[i] = (bench_now_ns() - t0) / 1e3;
        if (!i) {
            first = us[i];
        }
        smmu_ext_instance_free(inst);
        smmu_ext_registry_free(reg);
    }
    printf("cmdqv=auto selection (fresh registry: load + instance_new + "
           "select), %u iterations\n", ITERS);
    printf("  first (cold dlopen): %8.1f us\n", first);
    printf("  median:              %8.1f us\n", bench_median(us, ITERS));
}

/* state_size of the loaded tegra241 module, read from its descriptor. */
static uint32_t
module_state_size(void)
{
    const char *dirs = g_getenv("SMMU_EXT_MODULE_DIR");
    g_auto(GStrv) list = g_strsplit(dirs ? dirs : "", ":", -1);

    for (char **d = list; *d; d++) {
        g_autofree char *path = g_build_filename(*d, "smmu-ext-tegra241.so",
                                                 NULL);
        GModule *m = g_module_open(path, G_MODULE_BIND_LOCAL);
        gpointer sym;
        uint32_t size = 0;

        if (m && g_module_symbol(m, SMMU_EXT_MODULE_SYMBOL, &sym)) {
            size = ((const SmmuExtModuleDesc *)sym)->ops->state_size;
        }
        if (m) {
            g_module_close(m);
        }
        if (size) {
            return size;
        }
    }
    return 0;
}

static void
bench_heap(SmmuExtSim *sim, uint32_t dev)
{
    g_autoptr(GError) err = NULL;
    SmmuExtRegistry *reg = smmu_ext_registry_new();
    SmmuExtInstance *inst;
    size_t h0, h1, h2;

    smmu_ext_registry_load(reg, NULL, NULL);
    /* Warm GLib's own one-time allocations. */
    smmu_ext_instance_free(select_auto(reg, sim, dev));

    h0 = heap_in_use();
    inst = select_auto(reg, sim, dev);
    h1 = heap_in_use();
    if (!smmu_ext_instance_attach(inst, smmu_ext_sim_iommufd(sim), dev,
                                  smmu_ext_sim_s2_hwpt(sim), &err)) {
        bench_die("attach", err);
    }
    h2 = heap_in_use();
    printf("heap held by one tegra241 extension instance (mallinfo2)\n");
    printf("  after select:          %7zu bytes (module state_size %u)\n",
           h1 - h0, module_state_size());
    printf("  after attach (vIOMMU): %7zu bytes (simulated kernel's "
           "objects included; the VINTF page is a separate mmap)\n",
           h2 - h0);
    smmu_ext_instance_free(inst);
    smmu_ext_registry_free(reg);
}

int
main(int argc, char **argv)
{
    SmmuExtSim *sim = smmu_ext_sim_new(SMMU_EXT_SIM_TEGRA241);
    uint32_t dev = smmu_ext_sim_add_device(sim, 1);

    bench_select(sim, dev);
    bench_heap(sim, dev);
    smmu_ext_sim_free(sim);
    return 0;
}
