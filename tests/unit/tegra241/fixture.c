/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "fixture.h"

void
fx_open(Fx *f, const char *profile, uint64_t page_size)
{
    g_autoptr(GError) err = NULL;
    bool emulated = g_str_equal(profile, "none");

    memset(f, 0, sizeof(*f));
    f->vmm = smmu_ext_vmm_new(profile, NULL, &err);
    g_assert_no_error(err);
    g_assert_true(smmu_ext_vmm_set_mode(f->vmm, "tegra241", &err));
    g_assert_no_error(err);
    g_assert_true(smmu_ext_vmm_add_ram(f->vmm, G_RAM_GPA, FX_RAM_SIZE,
                                       page_size, &err));
    g_assert_no_error(err);
    g_assert_true(smmu_ext_vmm_add_ram(f->vmm, FX_HIGH_GPA,
                                       MAX(page_size, 1u << 20), page_size,
                                       &err));
    g_assert_no_error(err);
    g_assert_true(smmu_ext_vmm_attach(f->vmm, FX_DEV, true, FX_VSID, &err));
    g_assert_no_error(err);
    f->sim = smmu_ext_vmm_sim(f->vmm);
    g_assert_cmpstr(smmu_ext_instance_extension(
                        smmu_ext_vmm_instance(f->vmm)), ==, "tegra241");
    g_assert_cmpuint(smmu_ext_instance_emulated(
                         smmu_ext_vmm_instance(f->vmm)), ==, emulated);
    t241g_init(&f->g, f->vmm, 8);
}

void
fx_close(Fx *f)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(smmu_ext_vmm_detach(f->vmm, FX_DEV, &err));
    g_assert_no_error(err);
    /* Every vIOMMU, HW queue, vEVENTQ, vDEVICE, mmap and fd is gone. */
    g_assert_cmpuint(smmu_ext_sim_live_total(f->sim), ==, 0);
    smmu_ext_vmm_free(f->vmm);
    f->vmm = NULL;
}

void
fx_setup_accel(Fx *f, gconstpointer data)
{
    fx_open(f, "tegra241", data ? *(const uint64_t *)data : 4096);
}

void
fx_setup_emulated(Fx *f, gconstpointer data)
{
    fx_open(f, "none", data ? *(const uint64_t *)data : 4096);
}

void
fx_teardown(Fx *f, gconstpointer data)
{
    fx_close(f);
}
