/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fault sweep: for every scenario, count the simulated kernel calls of a
 * clean run, then fail the 1st, 2nd, ... last of them with ENOMEM, EINVAL
 * and EBUSY in turn.  Each failure must surface (a GError naming the ioctl
 * and the errno, the selection report, or CMDQ_INIT_ERR through both
 * apertures plus a reported error) or be absorbed without a trace (the
 * guest saw exactly what it sees in a clean run); after the last detach
 * the kernel must hold nothing.
 */
#include <errno.h>
#include <string.h>
#include "scenario.h"

static SmmuExtRegistry *registry;
static const int sweep_errnos[] = { ENOMEM, EINVAL, EBUSY };

typedef struct SweepCase {
    const Scenario *scn;
    int err;
} SweepCase;

/* After everything is unplugged nothing may be left in the kernel. */
static void
assert_kernel_empty(ScnRun *r)
{
    SmmuExtSim *sim = smmu_ext_vmm_sim(r->vmm);

    smmu_ext_sim_fail_clear(sim);
    scn_detach_all(r);
    g_assert_cmpuint(smmu_ext_sim_live_total(sim), ==, 0);
    g_assert_cmpuint(smmu_ext_sim_open_fds(sim), ==, 0);
}

/* Calls made by a clean run, and what its guest saw. */
static unsigned
clean_run(const Scenario *s, char **seen)
{
    ScnRun r;
    unsigned calls;

    scn_run_init(&r, s, registry);
    s->run(&r);
    for (guint i = 0; i < r.errors->len; i++) {
        const GError *e = g_ptr_array_index(r.errors, i);

        g_test_message("%s: unexpected error: %s", s->name, e->message);
    }
    g_assert_cmpuint(r.errors->len, ==, 0);
    g_assert_cmpuint(r.aperture_mismatch, ==, 0);
    g_assert_cmpuint(r.init_err, ==, 0);
    g_assert_cmpuint(smmu_ext_vmm_reported_errors(r.vmm), ==, 0);
    calls = smmu_ext_sim_calls(smmu_ext_vmm_sim(r.vmm), SMMU_EXT_SIM_OP_ANY);
    if (seen) {
        *seen = g_strdup(r.seen->str);
    }
    assert_kernel_empty(&r);
    scn_run_clear(&r);
    return calls;
}

static bool
names_kernel_failure(const char *msg, int err)
{
    g_autofree char *tag = g_strdup_printf("(errno %d)", err);

    return strstr(msg, tag) && (strstr(msg, "IOMMU_") || strstr(msg, "mmap"));
}

static void
test_clean(gconstpointer data)
{
    const Scenario *s = data;

    g_test_summary("A clean run reports no error, shows the guest no "
                   "error bit and leaves the kernel empty");
    g_assert_cmpuint(clean_run(s, NULL), >, 0);
}

/* Which op failed can be told from the counts of a failing run. */
static char *
op_counts(const SmmuExtSim *sim)
{
    GString *s = g_string_new(NULL);

    for (int op = SMMU_EXT_SIM_OP_ANY + 1; op < SMMU_EXT_SIM_OP_N; op++) {
        g_string_append_printf(s, "%s%s %u", s->len ? ", " : "",
                               smmu_ext_sim_op_name(op),
                               smmu_ext_sim_calls(sim, op));
    }
    return g_string_free(s, FALSE);
}

typedef enum { VIA_ERROR, VIA_REPORT, VIA_GUEST, ABSORBED, N_VIA } Via;

static Via
judge(ScnRun *r, int err, const char *clean_seen)
{
    SmmuExtInstance *inst = smmu_ext_vmm_instance(r->vmm);
    bool named = false;

    for (guint i = 0; i < r->errors->len; i++) {
        const GError *e = g_ptr_array_index(r->errors, i);

        /* Follow-on refusals ("not attached") are fine, foreign domains
         * are not. */
        g_assert_cmpstr(g_quark_to_string(e->domain), ==,
                        g_quark_to_string(SMMU_EXT_ERROR));
        named |= names_kernel_failure(e->message, err);
    }
    if (named) {
        return VIA_ERROR;
    }
    if (r->init_err && smmu_ext_vmm_reported_errors(r->vmm)) {
        return VIA_GUEST;
    }
    if (inst) {
        g_autofree char *report = smmu_ext_instance_report(inst,
                                                         SMMU_EXT_REPORT_TEXT);
        g_autofree char *tag = g_strdup_printf("(errno %d)", err);

        if (strstr(report, tag)) {
            return VIA_REPORT;
        }
    }
    if (!r->errors->len && !strcmp(r->seen->str, clean_seen)) {
        return ABSORBED;
    }
    return N_VIA;
}

static void
test_sweep(gconstpointer data)
{
    const SweepCase *c = data;
    g_autofree char *clean_seen = NULL;
    unsigned total = clean_run(c->scn, &clean_seen);
    unsigned count[N_VIA + 1] = { 0 };

    g_test_summary("Failing any one kernel call surfaces or is absorbed, "
                   "the guest's two apertures agree, nothing leaks");
    for (unsigned n = 1; n <= total; n++) {
        ScnRun r;
        Via via;

        scn_run_init(&r, c->scn, registry);
        smmu_ext_sim_fail(smmu_ext_vmm_sim(r.vmm), SMMU_EXT_SIM_OP_ANY,
                          c->err, n);
        c->scn->run(&r);
        via = judge(&r, c->err, clean_seen);
        if (via == N_VIA) {
            g_autofree char *ops = op_counts(smmu_ext_vmm_sim(r.vmm));

            g_test_message("%s: call %u failing with %s went unnoticed "
                           "(calls: %s); guest saw:\n%s\nclean run:\n%s",
                           c->scn->name, n, g_strerror(c->err), ops,
                           r.seen->str, clean_seen);
        }
        g_assert_cmpuint(via, !=, N_VIA);
        g_assert_cmpuint(r.aperture_mismatch, ==, 0);
        count[via]++;
        assert_kernel_empty(&r);
        scn_run_clear(&r);
    }
    g_test_message("%s, %s: %u calls: %u GError, %u report, %u guest "
                   "CMDQ_INIT_ERR, %u absorbed", c->scn->name,
                   g_strerror(c->err), total, count[VIA_ERROR],
                   count[VIA_REPORT], count[VIA_GUEST], count[ABSORBED]);
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) err = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    registry = smmu_ext_registry_new();
    smmu_ext_registry_load(registry, NULL, &err);
    g_assert_no_error(err);

    for (unsigned i = 0; i < n_scenarios; i++) {
        g_autofree char *path = g_strdup_printf("/sweep/%s/clean",
                                                scenarios[i].name);

        g_test_add_data_func(path, &scenarios[i], test_clean);
        for (unsigned e = 0; e < G_N_ELEMENTS(sweep_errnos); e++) {
            SweepCase *c = g_new0(SweepCase, 1);
            g_autofree char *p = NULL;

            c->scn = &scenarios[i];
            c->err = sweep_errnos[e];
            p = g_strdup_printf("/sweep/%s/fail-each-call/%s",
                                scenarios[i].name,
                                e == 0 ? "enomem" : e == 1 ? "einval" :
                                "ebusy");
            g_ptr_array_add(cases, c);
            g_test_add_data_func(p, c, test_sweep);
        }
    }
    ret = g_test_run();
    smmu_ext_registry_free(registry);
    return ret;
}
