/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulated iommufd ioctls: GET_HW_INFO, VIOMMU_ALLOC, VDEVICE_ALLOC,
 * VEVENTQ_ALLOC, HW_QUEUE_ALLOC and DESTROY, with the checks, their order
 * and their errnos as iommufd-abi.md (sections 7-12) and
 * tegra241-cmdqv.md (6.1-6.5) describe the kernel.  Each handler validates
 * everything before it changes anything.
 */
#include <errno.h>
#include <string.h>
#include "sim.h"

/* --- IOMMU_GET_HW_INFO -------------------------------------------------- */

int
sim_get_hw_info(SmmuExtSim *sim, struct se_iommu_hw_info *cmd)
{
    struct se_iommu_hw_info_arm_smmuv3 smmu = { 0 };
    struct se_iommu_hw_info_tegra241_cmdqv cmdqv = { 0 };
    const void *data = NULL;
    uint32_t klen = 0, type = SE_IOMMU_HW_INFO_TYPE_NONE;

    if (cmd->flags & ~SE_IOMMU_HW_INFO_FLAG_INPUT_TYPE) {
        return -EOPNOTSUPP;
    }
    if (cmd->__reserved[0] || cmd->__reserved[1] || cmd->__reserved[2]) {
        return -EOPNOTSUPP;
    }
    if (!sim_obj_lookup(sim, cmd->dev_id, SIM_OBJ_DEVICE)) {
        return -ENOENT;
    }
    if (!(cmd->flags & SE_IOMMU_HW_INFO_FLAG_INPUT_TYPE)) {
        cmd->in_data_type = SE_IOMMU_HW_INFO_TYPE_DEFAULT;
    }
    if (sim->profile != SMMU_EXT_SIM_NONE) {
        switch (cmd->in_data_type) {
        case SE_IOMMU_HW_INFO_TYPE_DEFAULT:
        case SE_IOMMU_HW_INFO_TYPE_ARM_SMMUV3:
            memcpy(smmu.idr, sim->idr, sizeof(smmu.idr));
            smmu.iidr = sim->iidr;
            smmu.aidr = sim->aidr;
            data = &smmu;
            klen = sizeof(smmu);
            type = SE_IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
            break;
        case SE_IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV:
            /* Only the Tegra241 implementation hook knows this type. */
            if (sim->profile != SMMU_EXT_SIM_TEGRA241) {
                return -EOPNOTSUPP;
            }
            cmdqv.version = SIM_CMDQV_VERSION;
            cmdqv.log2vcmdqs = SIM_LOG2_LVCMDQS;
            cmdqv.log2vsids = SIM_LOG2_VSIDS;
            data = &cmdqv;
            klen = sizeof(cmdqv);
            type = SE_IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV;
            break;
        default:
            return -EOPNOTSUPP;
        }
    }
    if (cmd->data_len && !cmd->data_uptr) {
        return -EFAULT;
    }
    if (cmd->data_len) {
        uint8_t *buf = (uint8_t *)(uintptr_t)cmd->data_uptr;

        if (klen) {
            memcpy(buf, data, MIN(cmd->data_len, klen));
        }
        if (cmd->data_len > klen) {
            memset(buf + klen, 0, cmd->data_len - klen);
        }
    }
    cmd->data_len = klen;
    cmd->out_data_type = type;
    cmd->out_max_pasid_log2 = 0;
    cmd->out_capabilities = 0;
    return 0;
}

/* --- IOMMU_VIOMMU_ALLOC ------------------------------------------------- */

static bool
sim_viommu_type_ok(const SmmuExtSim *sim, uint32_t type)
{
    switch (sim->profile) {
    case SMMU_EXT_SIM_TEGRA241:
        return type == SE_IOMMU_VIOMMU_TYPE_ARM_SMMUV3 ||
               type == SE_IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV;
    case SMMU_EXT_SIM_SMMUV3:
        return type == SE_IOMMU_VIOMMU_TYPE_ARM_SMMUV3;
    default:
        return false;          /* a driver without vIOMMU support */
    }
}

/* tegra241_cmdqv_init_vintf_user's checks on the driver data. */
static int
sim_vintf_data_check(const struct se_iommu_viommu_alloc *cmd)
{
    const uint8_t *data = (const uint8_t *)(uintptr_t)cmd->data_uptr;

    if (!cmd->data_len) {
        return -EINVAL;
    }
    if (cmd->data_len < sizeof(struct se_iommu_viommu_tegra241_cmdqv)) {
        return -EINVAL;
    }
    if (!data) {
        return -EFAULT;
    }
    for (uint32_t i = sizeof(struct se_iommu_viommu_tegra241_cmdqv);
         i < cmd->data_len; i++) {
        if (data[i]) {
            return -E2BIG;
        }
    }
    return 0;
}

static int
sim_vintf_get(SmmuExtSim *sim)
{
    for (int i = 1; i < SIM_N_VINTFS; i++) {
        if (!sim->vintf_used[i]) {
            return i;
        }
    }
    return -1;
}

int
sim_viommu_alloc(SmmuExtSim *sim, struct se_iommu_viommu_alloc *cmd)
{
    g_autofree SimViommu *v = NULL;
    struct se_iommu_viommu_tegra241_cmdqv out;
    bool tegra = cmd->type == SE_IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV;
    int vintf = -1, r;

    if (cmd->flags || cmd->type == SE_IOMMU_VIOMMU_TYPE_DEFAULT) {
        return -EOPNOTSUPP;
    }
    if (!sim_obj_lookup(sim, cmd->dev_id, SIM_OBJ_DEVICE)) {
        return -ENOENT;
    }
    if (!sim_viommu_type_ok(sim, cmd->type)) {
        return -EOPNOTSUPP;
    }
    /* The only paging HWPT is the nest parent: anything else is ENOENT. */
    if (!sim_obj_lookup(sim, cmd->hwpt_id, SIM_OBJ_HWPT)) {
        return -ENOENT;
    }
    if (tegra) {
        r = sim_vintf_data_check(cmd);
        if (r < 0) {
            return r;
        }
        vintf = sim_vintf_get(sim);
        if (vintf < 0) {
            return -ENOSPC;
        }
    }
    v = g_new0(SimViommu, 1);
    v->type = cmd->type;
    v->dev_id = cmd->dev_id;
    v->vintf = vintf;
    v->memfd = -1;
    if (tegra) {
        r = sim_page0_create(v);
        if (r < 0) {
            return r;
        }
        sim->vintf_used[vintf] = true;
        v->mmap_offset = sim->next_mmap_offset;
        /* Offsets are cookies never reused, so a stale one gives ENXIO. */
        sim->next_mmap_offset += SIM_PAGE0_SIZE;
        v->mmap_registered = true;
        out.out_vintf_mmap_offset = v->mmap_offset;
        out.out_vintf_mmap_length = SIM_PAGE0_SIZE;
        memcpy((void *)(uintptr_t)cmd->data_uptr, &out,
               MIN(cmd->data_len, sizeof(out)));
    }
    cmd->out_viommu_id = sim_obj_insert(sim, &v->obj, SIM_OBJ_VIOMMU);
    sim->live[SMMU_EXT_SIM_VIOMMU]++;
    g_steal_pointer(&v);
    return 0;
}

void
sim_viommu_free(SmmuExtSim *sim, SimViommu *v)
{
    /* Children hold references, so normally none remain; teardown of the
     * whole host frees them first. */
    g_warn_if_fail(!v->vdevices && !v->veventqs);
    sim_selftest_viommu_free(sim, v);
    v->mmap_registered = false;
    if (v->vintf >= 0) {
        sim->vintf_used[v->vintf] = false;
    }
    sim_page0_destroy(v);
    sim->live[SMMU_EXT_SIM_VIOMMU]--;
    sim_obj_remove(sim, &v->obj);
    g_free(v);
}

/* --- IOMMU_VDEVICE_ALLOC ------------------------------------------------ */

int
sim_vdevice_alloc(SmmuExtSim *sim, struct se_iommu_vdevice_alloc *cmd)
{
    SimViommu *v;
    SimDevice *dev;
    SimVdevice *vd;
    int slot = -1;

    v = (SimViommu *)sim_obj_lookup(sim, cmd->viommu_id, SIM_OBJ_VIOMMU);
    if (!v) {
        return -ENOENT;
    }
    dev = (SimDevice *)sim_obj_lookup(sim, cmd->dev_id, SIM_OBJ_DEVICE);
    if (!dev) {
        return -ENOENT;
    }
    /* Every simulated device sits behind the one physical SMMU. */
    if (dev->vdev) {
        return -EEXIST;
    }
    for (GList *l = v->vdevices; l; l = l->next) {
        if (((SimVdevice *)l->data)->virt_id == cmd->virt_id) {
            return -EEXIST;
        }
    }
    if (v->vintf >= 0) {
        /* tegra241_vintf_init_vsid: a 20-bit VIRT_SID, one slot each. */
        if (cmd->virt_id > SIM_VSID_MAX) {
            return -EINVAL;
        }
        for (unsigned s = 0; s < SIM_N_SID_SLOTS && slot < 0; s++) {
            if (!v->sid_owner[s]) {
                slot = s;
            }
        }
        if (slot < 0) {
            return -ENOSPC;
        }
    }
    vd = g_new0(SimVdevice, 1);
    vd->viommu = v;
    vd->dev = dev;
    vd->virt_id = cmd->virt_id;
    vd->slot = slot;
    if (slot >= 0) {
        v->sid_owner[slot] = vd;
        v->sid_replace[slot] = dev->psid;
        v->sid_match[slot] = ((uint32_t)cmd->virt_id << 1) | 1;
    }
    dev->vdev = vd;
    v->vdevices = g_list_append(v->vdevices, vd);
    v->obj.users++;
    sim->live[SMMU_EXT_SIM_VDEVICE]++;
    cmd->out_vdevice_id = sim_obj_insert(sim, &vd->obj, SIM_OBJ_VDEVICE);
    return 0;
}

void
sim_vdevice_free(SmmuExtSim *sim, SimVdevice *vd, bool leak_id)
{
    SimViommu *v = vd->viommu;

    if (vd->slot >= 0) {
        v->sid_match[vd->slot] = 0;
        v->sid_replace[vd->slot] = 0;
        v->sid_owner[vd->slot] = NULL;
    }
    v->vdevices = g_list_remove(v->vdevices, vd);
    v->obj.users--;
    vd->dev->vdev = NULL;
    vd->dev = NULL;
    vd->viommu = NULL;
    sim->live[SMMU_EXT_SIM_VDEVICE]--;
    if (leak_id) {
        /* The kernel force-destroys it on unbind but its id stays taken
         * (not destroyable, not reusable) until the iommufd closes. */
        vd->obj.type = SIM_OBJ_LEAKED;
        return;
    }
    sim_obj_remove(sim, &vd->obj);
    g_free(vd);
}

/* --- IOMMU_VEVENTQ_ALLOC ------------------------------------------------ */

int
sim_veventq_alloc(SmmuExtSim *sim, struct se_iommu_veventq_alloc *cmd)
{
    SimViommu *v;
    SimVeventq *q;
    int err = 0;

    if (cmd->flags || cmd->__reserved ||
        cmd->type == SE_IOMMU_VEVENTQ_TYPE_DEFAULT) {
        return -EOPNOTSUPP;
    }
    /* The core's limit (eventq.c VEVENTQ_MAX_DEPTH): found by the kernel
     * conformance suite, the sim used to take any non-zero depth. */
    if (!cmd->veventq_depth || cmd->veventq_depth > SIM_VEVENTQ_MAX_DEPTH) {
        return -EINVAL;
    }
    v = (SimViommu *)sim_obj_lookup(sim, cmd->viommu_id, SIM_OBJ_VIOMMU);
    if (!v) {
        return -ENOENT;
    }
    if (sim_veventq_find(v, cmd->type)) {
        return -EEXIST;
    }
    q = sim_veventq_new(sim, v, cmd->type, cmd->veventq_depth, &err);
    if (!q) {
        return -err;
    }
    cmd->out_veventq_id = q->obj.id;
    cmd->out_veventq_fd = (uint32_t)q->fd;
    return 0;
}

/* --- IOMMU_HW_QUEUE_ALLOC ----------------------------------------------- */

/* The core's pin: [iova page-aligned down, iova + len) must be mapped in
 * the parent IOAS (ENOENT), and physically contiguous, i.e. inside one
 * page_size chunk of one RAM region (EFAULT). */
int
sim_pin_check(const SmmuExtSim *sim, uint64_t iova, uint64_t len)
{
    uint64_t cur = iova & ~(uint64_t)4095, last = iova + len - 1;
    const SimRam *first = NULL;

    while (true) {
        const SimRam *hit = NULL;

        for (guint i = 0; i < sim->ram->len && !hit; i++) {
            const SimRam *r = &g_array_index(sim->ram, SimRam, i);

            if (cur >= r->gpa && cur - r->gpa < r->size) {
                hit = r;
            }
        }
        if (!hit) {
            return -ENOENT;
        }
        first = first ? first : hit;
        if (last - hit->gpa < hit->size) {
            break;
        }
        cur = hit->gpa + hit->size;
    }
    if (last - first->gpa >= first->size ||
        (iova - first->gpa) / first->page_size !=
        (last - first->gpa) / first->page_size) {
        return -EFAULT;
    }
    return 0;
}

int
sim_hw_queue_alloc(SmmuExtSim *sim, struct se_iommu_hw_queue_alloc *cmd)
{
    uint64_t iova = cmd->nesting_parent_iova, len = cmd->length;
    uint64_t max_len = 1ull << (SIM_IDR1_CMDQS + 4);
    SimViommu *v;
    SimHwQueue *hq;
    int r;

    /* Core checks c1-c6. */
    if (cmd->flags || cmd->type == SE_IOMMU_HW_QUEUE_TYPE_DEFAULT) {
        return -EOPNOTSUPP;
    }
    if (!len) {
        return -EINVAL;
    }
    if (iova + len - 1 < iova) {
        return -EOVERFLOW;
    }
    v = (SimViommu *)sim_obj_lookup(sim, cmd->viommu_id, SIM_OBJ_VIOMMU);
    if (!v) {
        return -ENOENT;
    }
    if (v->vintf < 0 || cmd->type != SE_IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV) {
        return -EOPNOTSUPP;
    }
    r = sim_pin_check(sim, iova, len);
    if (r < 0) {
        return r;
    }
    /* Driver checks d2-d6 (d1 is the type check above). */
    if (cmd->index >= SIM_N_LVCMDQS) {
        return -EINVAL;
    }
    if (v->queues[cmd->index]) {
        return -EEXIST;
    }
    if (cmd->index > 0 && !v->queues[cmd->index - 1]) {
        return -EIO;           /* queues are allocated in ascending order */
    }
    if ((len & (len - 1)) || len < 32 || len > max_len) {
        return -EINVAL;
    }
    /* PA == GPA in the sim: BASE holds [47:5], aligned to the size. */
    if ((iova & ~SIM_VCMDQ_ADDR_MASK) || (iova & (len - 1))) {
        return -EINVAL;
    }
    hq = g_new0(SimHwQueue, 1);
    hq->viommu = v;
    hq->index = cmd->index;
    hq->gpa = iova;
    hq->len = len;
    hq->log2size = g_bit_nth_msf(len, -1) - 4;
    hq->base = (iova & SIM_VCMDQ_ADDR_MASK) | hq->log2size;
    if (cmd->index > 0) {
        v->queues[cmd->index - 1]->obj.users++;
    }
    v->queues[cmd->index] = hq;
    v->obj.users++;
    /* Revision C deinits the slot before programming BASE. */
    sim_vcmdq_deinit(v, cmd->index);
    sim->live[SMMU_EXT_SIM_HW_QUEUE]++;
    cmd->out_hw_queue_id = sim_obj_insert(sim, &hq->obj, SIM_OBJ_HW_QUEUE);
    return 0;
}

void
sim_hw_queue_free(SmmuExtSim *sim, SimHwQueue *hq)
{
    SimViommu *v = hq->viommu;

    if (sim->profile == SMMU_EXT_SIM_SELFTEST) {
        sim_selftest_hw_queue_free(sim, hq);
        return;
    }
    if (v->vintf >= 0) {
        sim_vcmdq_deinit(v, hq->index);
    }
    v->queues[hq->index] = NULL;
    if (hq->index > 0 && v->queues[hq->index - 1]) {
        v->queues[hq->index - 1]->obj.users--;
    }
    v->obj.users--;
    sim->live[SMMU_EXT_SIM_HW_QUEUE]--;
    sim_obj_remove(sim, &hq->obj);
    g_free(hq);
}

/* --- IOMMU_DESTROY ------------------------------------------------------ */

int
sim_destroy(SmmuExtSim *sim, uint32_t id)
{
    SimObj *obj = g_hash_table_lookup(sim->objects, GUINT_TO_POINTER(id));

    if (!obj || obj->type == SIM_OBJ_LEAKED) {
        return -ENOENT;
    }
    if (obj->users) {
        return -EBUSY;
    }
    switch (obj->type) {
    case SIM_OBJ_VIOMMU:
        sim_viommu_free(sim, (SimViommu *)obj);
        return 0;
    case SIM_OBJ_VDEVICE:
        sim_vdevice_free(sim, (SimVdevice *)obj, false);
        return 0;
    case SIM_OBJ_VEVENTQ:
        sim_veventq_free(sim, (SimVeventq *)obj);
        return 0;
    case SIM_OBJ_HW_QUEUE:
        sim_hw_queue_free(sim, (SimHwQueue *)obj);
        return 0;
    default:
        if (sim->profile == SMMU_EXT_SIM_SELFTEST) {
            return sim_selftest_destroy(sim, obj);
        }
        /* The VMM's IOAS, its nest-parent HWPT and bound devices stay
         * referenced by the simulated VMM (attached devices, VFIO). */
        return -EBUSY;
    }
}
