/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A VM with one device behind a Tegra241 CMDQV, on the simulated host
 * ("tegra241": accelerated) or on none ("none": emulated).  Teardown
 * detaches the device and proves nothing is left in the simulated kernel.
 */
#ifndef TEST_TEGRA241_FIXTURE_H
#define TEST_TEGRA241_FIXTURE_H

#include "guest.h"

#define FX_RAM_SIZE     (4ull << 20)
#define FX_HIGH_GPA     0x100000000ull  /* BASE_H != 0 lives here */
#define FX_DEV          1u
#define FX_VSID         0x21u

typedef struct Fx {
    SmmuExtVmm *vmm;
    SmmuExtSim *sim;
    T241Guest g;
} Fx;

void fx_open(Fx *f, const char *profile, uint64_t page_size);
void fx_close(Fx *f);
void fx_setup_accel(Fx *f, gconstpointer data);
void fx_setup_emulated(Fx *f, gconstpointer data);
void fx_teardown(Fx *f, gconstpointer data);

#endif /* TEST_TEGRA241_FIXTURE_H */
