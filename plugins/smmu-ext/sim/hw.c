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
 */
#include <string.h>
#include "sim.h"

uint32_t
sim_page0_read(const SimViommu *v, unsigned q, unsigned reg)
{
    uint32_t val;

    memcpy(&val, v->page0 + q * SIM_VCMDQ_STRIDE + reg, sizeof(val));
    return GUINT32_FROM_LE(val);
}

void
sim_page0_write(SimViommu *v, unsigned q, unsigned reg, uint32_t val)
{
    val = GUINT32_TO_LE(val);
    memcpy(v->page0 + q * SIM_VCMDQ_STRIDE + reg, &val, sizeof(val));
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

static void
sim_vcmdq_step(SmmuExtSim *sim, SimViommu *v, SimHwQueue *hq, unsigned q)
{
    uint32_t n = 1u << hq->log2size;
    uint32_t mask = (n << 1) - 1;      /* index plus wrap bit */
    uint32_t en = sim_page0_read(v, q, SIM_VCMDQ_CONFIG) & 1;
    uint32_t cons, prod;

    sim_page0_write(v, q, SIM_VCMDQ_STATUS, en);
    /* GERROR is read-only: whatever the guest stored there is undone. */
    sim_page0_write(v, q, SIM_VCMDQ_GERROR, v->gerror[q]);
    if (!en || sim_page0_read(v, q, SIM_VCMDQ_GERRORN) != v->gerror[q]) {
        return;
    }
    cons = sim_page0_read(v, q, SIM_VCMDQ_CONS);
    if (cons & SIM_CONS_ERR_MASK) {
        /* Acknowledged: the guest has fixed the entry at CONS. */
        sim_err_map_set(v, q, false);
    }
    cons &= mask;
    prod = sim_page0_read(v, q, SIM_VCMDQ_PROD) & mask;
    for (uint32_t i = 0; i < n && cons != prod; i++) {
        uint64_t gpa = hq->gpa + (uint64_t)(cons & (n - 1)) * 16;
        const uint8_t *p = sim_ram_hva(sim, gpa, 16);
        uint64_t dw0;
        uint8_t op;

        if (!p) {
            sim_vcmdq_error(v, q, SIM_CONS_ERR_ABT, cons);
            return;
        }
        memcpy(&dw0, p, sizeof(dw0));
        op = GUINT64_FROM_LE(dw0) & 0xff;
        if (!sim_cmd_legal(op)) {
            sim_vcmdq_error(v, q, SIM_CONS_ERR_ILL, cons);
            return;
        }
        sim->cmd_count[op]++;
        cons = (cons + 1) & mask;
    }
    sim_page0_write(v, q, SIM_VCMDQ_CONS, cons);
}

static void
sim_vintf_step(SmmuExtSim *sim, SimViommu *v)
{
    for (unsigned q = 0; q < SIM_N_LVCMDQS; q++) {
        if (v->queues[q]) {
            sim_vcmdq_step(sim, v, v->queues[q], q);
        } else {
            /* Hardware drops accesses to unallocated logical slots. */
            memset(v->page0 + q * SIM_VCMDQ_STRIDE, 0, SIM_VCMDQ_STRIDE);
        }
    }
    memset(v->page0 + SIM_N_LVCMDQS * SIM_VCMDQ_STRIDE, 0,
           SIM_PAGE0_SIZE - SIM_N_LVCMDQS * SIM_VCMDQ_STRIDE);
}

void
smmu_ext_sim_step(SmmuExtSim *sim)
{
    GList *all = g_hash_table_get_values(sim->objects);

    for (GList *l = all; l; l = l->next) {
        SimObj *obj = l->data;

        if (obj->type == SIM_OBJ_VIOMMU && ((SimViommu *)obj)->page0) {
            sim_vintf_step(sim, (SimViommu *)obj);
        }
    }
    g_list_free(all);
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
