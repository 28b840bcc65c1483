/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Tegra241 CMDQV hardware of the simulated host (tegra241-cmdqv.md
 * sections 1.4, 4 and 5): each step, every allocated logical VCMDQ of a
 * user VINTF follows CONFIG.EN into STATUS, and an enabled queue with no
 * active error consumes commands from CONS to PROD out of guest RAM.  Only
 * TLBI_NH_ASID, TLBI_NH_VA, ATC_INV and CMD_SYNC are legal in a guest
 * VCMDQ; anything else stops the queue with CONS.ERR = ILL, toggles
 * GERROR.CMDQ_ERR, sets LVCMDQ_ERR_MAP and reports a TEGRA241_CMDQV vEVENT.
 * The guest acknowledges with GERRORN = GERROR and the queue resumes.
 * A legal command goes, its ATC_INV StreamID rewritten through the SID
 * slots, to the host's command handler (the SMMU); the handler's error, or
 * a fault armed by smmu_ext_sim_fail_cmd, takes the same error path.
 */
#include <string.h>
#include "sim.h"

/*
 * page0 is the guest's own mapping too: vCPU threads store PROD after the
 * commands (with a barrier), so the hardware loads it with acquire before
 * reading the ring, and publishes CONS with release after executing.
 */
static uint32_t *
sim_page0_reg(const SimViommu *v, unsigned q, unsigned reg)
{
    return (uint32_t *)(v->page0 + q * SIM_VCMDQ_STRIDE + reg);
}

uint32_t
sim_page0_read(const SimViommu *v, unsigned q, unsigned reg)
{
    return GUINT32_FROM_LE(__atomic_load_n(sim_page0_reg(v, q, reg),
                                           __ATOMIC_ACQUIRE));
}

void
sim_page0_write(SimViommu *v, unsigned q, unsigned reg, uint32_t val)
{
    __atomic_store_n(sim_page0_reg(v, q, reg), GUINT32_TO_LE(val),
                     __ATOMIC_RELEASE);
}

static void
sim_err_map_set(SimViommu *v, unsigned q, bool on)
{
    uint64_t bit = 1ull << (q % 64);

    v->err_map[q / 64] = on ? v->err_map[q / 64] | bit
                            : v->err_map[q / 64] & ~bit;
}

/* VCMDQ hw deinit (3.8): disabled, indices zeroed, error acknowledged;
 * GERROR itself keeps its state. */
void
sim_vcmdq_deinit(SimViommu *v, unsigned q)
{
    sim_page0_write(v, q, SIM_VCMDQ_CONFIG, 0);
    sim_page0_write(v, q, SIM_VCMDQ_STATUS, 0);
    sim_page0_write(v, q, SIM_VCMDQ_PROD, 0);
    sim_page0_write(v, q, SIM_VCMDQ_CONS, 0);
    sim_page0_write(v, q, SIM_VCMDQ_GERROR, v->gerror[q]);
    sim_page0_write(v, q, SIM_VCMDQ_GERRORN, v->gerror[q]);
    sim_err_map_set(v, q, false);
}

gboolean
sim_tegra_report(SimViommu *v)
{
    uint64_t map[2] = {
        GUINT64_TO_LE(v->err_map[0]), GUINT64_TO_LE(v->err_map[1]),
    };

    return sim_veventq_report(v, SE_IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV, map,
                              sizeof(map));
}

static bool
sim_cmd_legal(uint8_t op)
{
    return op == SIM_CMD_TLBI_NH_ASID || op == SIM_CMD_TLBI_NH_VA ||
           op == SIM_CMD_ATC_INV || op == SIM_CMD_SYNC;
}

static void
sim_vcmdq_error(SimViommu *v, unsigned q, uint32_t code, uint32_t cons)
{
    sim_page0_write(v, q, SIM_VCMDQ_CONS,
                    cons | (code << SIM_CONS_ERR_SHIFT));
    v->gerror[q] ^= SIM_GERROR_CMDQ_ERR;
    sim_page0_write(v, q, SIM_VCMDQ_GERROR, v->gerror[q]);
    sim_err_map_set(v, q, true);
    sim_tegra_report(v);
}

/*
 * The SID_MATCH/SID_REPLACE rewrite of an ATC_INV (StreamID in dword0
 * [63:32]); false when no enabled slot holds the vSID.  What the hardware
 * does then is not documented; the simulator consumes the command without
 * handing it to the SMMU: the VM owns no device to invalidate, and must not
 * reach a physical SID that happens to equal its vSID.
 */
static bool
sim_vsid_rewrite(const SimViommu *v, uint64_t *dw0)
{
    uint32_t vsid = *dw0 >> 32;

    for (unsigned s = 0; s < SIM_N_SID_SLOTS; s++) {
        if ((v->sid_match[s] & 1) && (v->sid_match[s] >> 1) == vsid) {
            *dw0 = (*dw0 & 0xffffffffull) |
                   ((uint64_t)v->sid_replace[s] << 32);
            return true;
        }
    }
    return false;
}

/* A fault armed on this queue's next command, if it is due now. */
static SmmuExtSimCmdErr
sim_cmd_fault_due(SmmuExtSim *sim, unsigned q)
{
    SimCmdFault *f = &sim->cmd_fault[q];

    if (!f->remaining || --f->remaining) {
        return SMMU_EXT_SIM_CMD_OK;
    }
    return f->err;
}

/* Execute the command at @gpa: OK, or the CONS.ERR it stops with. */
static SmmuExtSimCmdErr
sim_vcmdq_exec(SmmuExtSim *sim, SimViommu *v, unsigned q, uint64_t gpa)
{
    const uint8_t *p = sim_ram_hva(sim, gpa, 16);
    SmmuExtSimCmdErr err;
    uint64_t cmd[2];
    uint8_t op;

    if (!p) {
        return SMMU_EXT_SIM_CMD_ERR_ABT;
    }
    memcpy(cmd, p, sizeof(cmd));
    cmd[0] = GUINT64_FROM_LE(cmd[0]);
    cmd[1] = GUINT64_FROM_LE(cmd[1]);
    op = cmd[0] & 0xff;
    if (!sim_cmd_legal(op)) {
        return SMMU_EXT_SIM_CMD_ERR_ILL;
    }
    err = sim_cmd_fault_due(sim, q);
    if (err == SMMU_EXT_SIM_CMD_OK && sim->cmd_fn &&
        (op != SIM_CMD_ATC_INV || sim_vsid_rewrite(v, &cmd[0]))) {
        err = sim->cmd_fn(sim->cmd_opaque, q, cmd);
    }
    if (err == SMMU_EXT_SIM_CMD_OK) {
        sim->cmd_count[op]++;
        sim->queue_cmd_count[q][op]++;
    }
    return err;
}

/* Whether queue @q may consume: enabled and no unacknowledged error. */
static bool
sim_vcmdq_running(const SimViommu *v, unsigned q)
{
    return (sim_page0_read(v, q, SIM_VCMDQ_CONFIG) & 1) &&
           sim_page0_read(v, q, SIM_VCMDQ_GERRORN) == v->gerror[q];
}

/* Consume at most *@budget commands (decremented; NULL: no limit). */
static unsigned
sim_vcmdq_step(SmmuExtSim *sim, SimViommu *v, SimHwQueue *hq, unsigned q,
               unsigned *budget)
{
    uint32_t n = 1u << hq->log2size;
    uint32_t mask = (n << 1) - 1;      /* index plus wrap bit */
    uint32_t en = sim_page0_read(v, q, SIM_VCMDQ_CONFIG) & 1;
    uint32_t cons, prod;
    unsigned done = 0;

    sim_page0_write(v, q, SIM_VCMDQ_STATUS, en);
    /* GERROR is read-only: whatever the guest stored there is undone. */
    sim_page0_write(v, q, SIM_VCMDQ_GERROR, v->gerror[q]);
    if (!sim_vcmdq_running(v, q)) {
        return 0;
    }
    cons = sim_page0_read(v, q, SIM_VCMDQ_CONS);
    if (cons & SIM_CONS_ERR_MASK) {
        /* Acknowledged: the guest has fixed the entry at CONS. */
        sim_err_map_set(v, q, false);
    }
    cons &= mask;
    prod = sim_page0_read(v, q, SIM_VCMDQ_PROD) & mask;
    while (done < n && cons != prod && (!budget || *budget)) {
        uint64_t gpa = hq->gpa + (uint64_t)(cons & (n - 1)) * 16;
        SmmuExtSimCmdErr err = sim_vcmdq_exec(sim, v, q, gpa);

        if (err != SMMU_EXT_SIM_CMD_OK) {
            sim_vcmdq_error(v, q, err, cons);
            return done;
        }
        done++;
        if (budget) {
            (*budget)--;
        }
        cons = (cons + 1) & mask;
    }
    sim_page0_write(v, q, SIM_VCMDQ_CONS, cons);
    return done;
}

static unsigned
sim_vintf_step(SmmuExtSim *sim, SimViommu *v, unsigned *budget)
{
    unsigned done = 0;

    for (unsigned q = 0; q < SIM_N_LVCMDQS; q++) {
        if (v->queues[q]) {
            done += sim_vcmdq_step(sim, v, v->queues[q], q, budget);
        } else {
            /* Hardware drops accesses to unallocated logical slots. */
            memset(v->page0 + q * SIM_VCMDQ_STRIDE, 0, SIM_VCMDQ_STRIDE);
        }
    }
    memset(v->page0 + SIM_N_LVCMDQS * SIM_VCMDQ_STRIDE, 0,
           SIM_PAGE0_SIZE - SIM_N_LVCMDQS * SIM_VCMDQ_STRIDE);
    return done;
}

unsigned
smmu_ext_sim_run(SmmuExtSim *sim, unsigned budget)
{
    GList *all;
    unsigned done = 0;

    g_return_val_if_fail(sim, 0);
    all = g_hash_table_get_values(sim->objects);
    for (GList *l = all; l; l = l->next) {
        SimObj *obj = l->data;

        if (obj->type == SIM_OBJ_VIOMMU && ((SimViommu *)obj)->page0) {
            done += sim_vintf_step(sim, (SimViommu *)obj,
                                   budget ? &budget : NULL);
        }
    }
    g_list_free(all);
    return done;
}

void
smmu_ext_sim_step(SmmuExtSim *sim)
{
    smmu_ext_sim_run(sim, 0);
}

static bool
sim_vcmdq_pending(const SimViommu *v, const SimHwQueue *hq, unsigned q)
{
    uint32_t mask = (2u << hq->log2size) - 1;
    uint32_t en = sim_page0_read(v, q, SIM_VCMDQ_CONFIG) & 1;

    if (sim_page0_read(v, q, SIM_VCMDQ_STATUS) != en) {
        return true;
    }
    return sim_vcmdq_running(v, q) &&
           (sim_page0_read(v, q, SIM_VCMDQ_CONS) & mask) !=
           (sim_page0_read(v, q, SIM_VCMDQ_PROD) & mask);
}

bool
smmu_ext_sim_pending(const SmmuExtSim *sim)
{
    GHashTableIter it;
    gpointer value;

    g_return_val_if_fail(sim, false);
    g_hash_table_iter_init(&it, sim->objects);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        SimObj *obj = value;
        SimViommu *v = (SimViommu *)obj;

        if (obj->type != SIM_OBJ_VIOMMU || !v->page0) {
            continue;
        }
        for (unsigned q = 0; q < SIM_N_LVCMDQS; q++) {
            if (v->queues[q] && sim_vcmdq_pending(v, v->queues[q], q)) {
                return true;
            }
        }
    }
    return false;
}

void
smmu_ext_sim_set_cmd_handler(SmmuExtSim *sim, SmmuExtSimCmdFn fn,
                             void *opaque)
{
    g_return_if_fail(sim);
    sim->cmd_fn = fn;
    sim->cmd_opaque = opaque;
}

void
smmu_ext_sim_fail_cmd(SmmuExtSim *sim, unsigned queue, unsigned nth,
                      SmmuExtSimCmdErr err)
{
    g_return_if_fail(sim && queue < SIM_N_LVCMDQS);
    g_return_if_fail(err > SMMU_EXT_SIM_CMD_OK &&
                     err <= SMMU_EXT_SIM_CMD_ERR_ATC_INV_SYNC);
    sim->cmd_fault[queue].remaining = nth ? nth : 1;
    sim->cmd_fault[queue].err = err;
}

bool
smmu_ext_sim_post_event(SmmuExtSim *sim, uint32_t dev_id,
                        const uint64_t evt[4])
{
    SimDevice *dev = (SimDevice *)sim_obj_lookup(sim, dev_id,
                                                 SIM_OBJ_DEVICE);
    uint64_t rec[4];

    if (!dev || !dev->vdev) {
        return false;
    }
    /* The StreamID field (bits [63:32] of word 0) carries the vSID. */
    rec[0] = (evt[0] & 0xffffffffull) | (dev->vdev->virt_id << 32);
    for (int i = 0; i < 4; i++) {
        rec[i] = GUINT64_TO_LE(i ? evt[i] : rec[0]);
    }
    return sim_veventq_report(dev->vdev->viommu,
                              SE_IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, rec,
                              sizeof(rec));
}

bool
smmu_ext_sim_post_tegra_error(SmmuExtSim *sim, uint64_t map_lo,
                              uint64_t map_hi)
{
    SimViommu *v = sim_first_viommu(sim);
    uint64_t map[2] = { GUINT64_TO_LE(map_lo), GUINT64_TO_LE(map_hi) };

    if (!v) {
        return false;
    }
    return sim_veventq_report(v, SE_IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV, map,
                              sizeof(map));
}
