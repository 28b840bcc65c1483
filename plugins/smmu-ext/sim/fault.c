/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fault injection and call/live counters of the simulated kernel.  A fault
 * fires before the call has any side effect, so a test can walk every
 * failure path of the core and still expect a clean teardown.
 */
#include <string.h>
#include "sim.h"

static const char *const op_names[SMMU_EXT_SIM_OP_N] = {
    [SMMU_EXT_SIM_OP_ANY] = "any",
    [SMMU_EXT_SIM_OP_GET_HW_INFO] = "get_hw_info",
    [SMMU_EXT_SIM_OP_VIOMMU_ALLOC] = "viommu_alloc",
    [SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC] = "hw_queue_alloc",
    [SMMU_EXT_SIM_OP_VEVENTQ_ALLOC] = "veventq_alloc",
    [SMMU_EXT_SIM_OP_VDEVICE_ALLOC] = "vdevice_alloc",
    [SMMU_EXT_SIM_OP_MMAP] = "mmap",
    [SMMU_EXT_SIM_OP_DESTROY] = "destroy",
};

static const char *const kind_names[SMMU_EXT_SIM_KIND_N] = {
    [SMMU_EXT_SIM_VIOMMU] = "viommu",
    [SMMU_EXT_SIM_HW_QUEUE] = "hw_queue",
    [SMMU_EXT_SIM_VEVENTQ] = "veventq",
    [SMMU_EXT_SIM_VDEVICE] = "vdevice",
    [SMMU_EXT_SIM_MMAP] = "mmap",
};

int
sim_fault_check(SmmuExtSim *sim, SmmuExtSimOp op)
{
    int err = 0;
    GList *l = sim->faults;

    sim->calls[op]++;
    sim->calls[SMMU_EXT_SIM_OP_ANY]++;
    while (l) {
        GList *next = l->next;
        SimFault *f = l->data;

        if (f->op == op || f->op == SMMU_EXT_SIM_OP_ANY) {
            if (--f->remaining == 0) {
                /* Two faults due on the same call: the first armed wins,
                 * both are consumed. */
                if (!err) {
                    err = f->err;
                }
                sim->faults = g_list_delete_link(sim->faults, l);
                g_free(f);
            }
        }
        l = next;
    }
    return err;
}

void
smmu_ext_sim_fail(SmmuExtSim *sim, SmmuExtSimOp op, int err, unsigned nth)
{
    SimFault *f;

    g_return_if_fail(sim && op < SMMU_EXT_SIM_OP_N && err > 0);
    f = g_new0(SimFault, 1);
    f->op = op;
    f->err = err;
    f->remaining = nth ? nth : 1;
    sim->faults = g_list_append(sim->faults, f);
}

void
smmu_ext_sim_fail_clear(SmmuExtSim *sim)
{
    g_return_if_fail(sim);
    g_list_free_full(g_steal_pointer(&sim->faults), g_free);
    memset(sim->cmd_fault, 0, sizeof(sim->cmd_fault));
}

unsigned
smmu_ext_sim_calls(const SmmuExtSim *sim, SmmuExtSimOp op)
{
    g_return_val_if_fail(sim && op < SMMU_EXT_SIM_OP_N, 0);
    return sim->calls[op];
}

const char *
smmu_ext_sim_op_name(SmmuExtSimOp op)
{
    return op < SMMU_EXT_SIM_OP_N ? op_names[op] : "?";
}

int
smmu_ext_sim_op_from_name(const char *name)
{
    for (int i = 0; name && i < SMMU_EXT_SIM_OP_N; i++) {
        if (g_str_equal(name, op_names[i])) {
            return i;
        }
    }
    return -1;
}

unsigned
smmu_ext_sim_live(const SmmuExtSim *sim, SmmuExtSimKind kind)
{
    g_return_val_if_fail(sim && kind < SMMU_EXT_SIM_KIND_N, 0);
    return sim->live[kind];
}

const char *
smmu_ext_sim_kind_name(SmmuExtSimKind kind)
{
    return kind < SMMU_EXT_SIM_KIND_N ? kind_names[kind] : "?";
}

int
smmu_ext_sim_kind_from_name(const char *name)
{
    for (int i = 0; name && i < SMMU_EXT_SIM_KIND_N; i++) {
        if (g_str_equal(name, kind_names[i])) {
            return i;
        }
    }
    return -1;
}

unsigned
smmu_ext_sim_live_total(const SmmuExtSim *sim)
{
    unsigned n;

    g_return_val_if_fail(sim, 0);
    n = sim->open_fds;
    for (int i = 0; i < SMMU_EXT_SIM_KIND_N; i++) {
        n += sim->live[i];
    }
    return n;
}

unsigned
smmu_ext_sim_open_fds(const SmmuExtSim *sim)
{
    g_return_val_if_fail(sim, 0);
    return sim->open_fds;
}

uint64_t
smmu_ext_sim_cmd_count(const SmmuExtSim *sim, uint8_t opcode)
{
    g_return_val_if_fail(sim, 0);
    return sim->cmd_count[opcode];
}

static unsigned
sim_bound_devices(const SmmuExtSim *sim)
{
    GHashTableIter it;
    gpointer value;
    unsigned n = 0;

    g_hash_table_iter_init(&it, sim->objects);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        n += ((SimObj *)value)->type == SIM_OBJ_DEVICE;
    }
    return n;
}

char *
smmu_ext_sim_live_report(const SmmuExtSim *sim)
{
    GString *s;

    g_return_val_if_fail(sim, NULL);
    s = g_string_new(NULL);
    for (int i = 0; i < SMMU_EXT_SIM_KIND_N; i++) {
        g_string_append_printf(s, "%s=%u ", kind_names[i], sim->live[i]);
    }
    g_string_append_printf(s, "fds=%u devices=%u", sim->open_fds,
                           sim_bound_devices(sim));
    return g_string_free(s, false);
}

uint64_t
smmu_ext_sim_queue_cmd_count(const SmmuExtSim *sim, unsigned queue,
                             uint8_t opcode)
{
    g_return_val_if_fail(sim, 0);
    return queue < SIM_N_LVCMDQS ? sim->queue_cmd_count[queue][opcode] : 0;
}
