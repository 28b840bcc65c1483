/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lifecycle scenarios on the reference VMM, shared by the fault sweep and
 * the soak test.  A scenario never asserts: it records what the host API
 * answered and what the guest saw, so the same code serves a clean run
 * (nothing may fail) and a run with an injected kernel failure.
 */
#ifndef SWEEP_SCENARIO_H
#define SWEEP_SCENARIO_H

#include "smmu-ext-sim.h"

#define SCN_RAM_GPA 0x80000000ull
#define SCN_RAM_SIZE 0x10000ull

typedef struct ScnRun {
    SmmuExtVmm *vmm;
    GString *seen;            /* every value the guest read, and results */
    GPtrArray *errors;        /* GError *, from the host API calls */
    unsigned init_err;        /* bring-ups that showed CMDQ_INIT_ERR */
    unsigned aperture_mismatch; /* GERROR differed between apertures */
} ScnRun;

typedef struct Scenario {
    const char *name;
    const char *profile;
    void (*run)(ScnRun *r);
} Scenario;

extern const Scenario scenarios[];
extern const unsigned n_scenarios;

/* A VMM for @s with guest RAM on @reg (modules loaded once by the
 * caller); g_assert on setup failures only. */
void scn_run_init(ScnRun *r, const Scenario *s, SmmuExtRegistry *reg);
/* Free the VMM (after the caller checked the simulated kernel). */
void scn_run_clear(ScnRun *r);
/* Unplug whatever is still plugged (error paths leave devices behind). */
void scn_detach_all(ScnRun *r);

#endif /* SWEEP_SCENARIO_H */
