/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The selftest profile: Linux's iommufd mock driver (CONFIG_IOMMUFD_TEST,
 * drivers/iommu/iommufd/selftest.c) as the simulated kernel.  Like the real
 * mock it starts empty: the user makes an IOAS, maps memory, creates mock
 * devices with IOMMU_TEST_OP_MOCK_DOMAIN (a device, its owner object and
 * an automatic HWPT), allocates a nesting-parent HWPT, and from there the
 * shared vIOMMU objects (objects.c, veventq.c, mmap.c) take over.  The
 * checks, their order and their errnos are the mock's and the iommufd
 * core's; the kernel conformance suite (tests/kernel) compares the two
 * call for call.
 *
 * Not modelled: the hidden object ids the kernel allocates (an internal
 * access per HW queue), IOVA allocation without FIXED_IOVA, the mock's
 * other test ops, dirty tracking and PASIDs.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "sim.h"
#include "uapi/iommufd-test.h"

G_STATIC_ASSERT(SIM_N_LVCMDQS == SE_IOMMU_TEST_HW_QUEUE_MAX);

typedef struct SimHwpt {
    SimObj obj;
    SimObj *ioas;              /* paging: its IOAS */
    SimViommu *viommu;         /* nested on a vIOMMU */
    struct SimHwpt *parent;    /* nested on a nest-parent HWPT */
    bool nest_parent;
    bool auto_domain;          /* made by an attach to an IOAS */
} SimHwpt;

typedef struct SimStdev {
    SimObj obj;
    SimDevice *dev;
    SimHwpt *attached;
    /* What the mock caches at attach time (mock_domain_nop_attach). */
    SimViommu *viommu;
    uint64_t vdev_id;
} SimStdev;

bool
sim_selftest_has_ioctl(const SmmuExtSim *sim, unsigned nr)
{
    if (sim->profile != SMMU_EXT_SIM_SELFTEST) {
        return false;
    }
    switch (nr) {
    case 0x81: case 0x85: case 0x89: case 0x8A: case 0x90: case 0x94:
    case SE_IOMMU_TEST_CMD_NR:
        return true;
    }
    return false;
}

/* --- IOAS ------------------------------------------------------------- */

static int
ioas_alloc(SmmuExtSim *sim, struct se_iommu_ioas_alloc *cmd)
{
    SimObj *ioas;

    if (cmd->flags) {
        return -EOPNOTSUPP;
    }
    ioas = g_new0(SimObj, 1);
    cmd->out_ioas_id = sim_obj_insert(sim, ioas, SIM_OBJ_IOAS);
    return 0;
}

static int
ioas_map(SmmuExtSim *sim, struct se_iommu_ioas_map *cmd)
{
    const uint32_t known = SE_IOMMU_IOAS_MAP_FIXED_IOVA |
                           SE_IOMMU_IOAS_MAP_WRITEABLE |
                           SE_IOMMU_IOAS_MAP_READABLE;
    g_autoptr(GError) err = NULL;

    if ((cmd->flags & ~known) || cmd->__reserved) {
        return -EOPNOTSUPP;
    }
    if (!sim_obj_lookup(sim, cmd->ioas_id, SIM_OBJ_IOAS)) {
        return -ENOENT;
    }
    if (!(cmd->flags & SE_IOMMU_IOAS_MAP_FIXED_IOVA)) {
        return -EOPNOTSUPP;    /* IOVA allocation is not modelled */
    }
    /* The pages are pinned 4 KiB apiece: no two are contiguous. */
    if (!smmu_ext_sim_add_ram(sim, cmd->iova, cmd->length, 4096,
                              (void *)(uintptr_t)cmd->user_va, &err)) {
        return -EEXIST;
    }
    return 0;
}

/* --- HWPTs -------------------------------------------------------------- */

static SimHwpt *
hwpt_new(SmmuExtSim *sim, SimObj *ioas, bool nest_parent, bool auto_domain)
{
    SimHwpt *h = g_new0(SimHwpt, 1);

    h->ioas = ioas;
    h->nest_parent = nest_parent;
    h->auto_domain = auto_domain;
    ioas->users++;
    sim_obj_insert(sim, &h->obj, SIM_OBJ_HWPT);
    return h;
}

static void
hwpt_free(SmmuExtSim *sim, SimHwpt *h)
{
    if (h->ioas) {
        h->ioas->users--;
    }
    if (h->viommu) {
        h->viommu->obj.users--;
    }
    if (h->parent) {
        h->parent->obj.users--;
    }
    sim_obj_remove(sim, &h->obj);
    g_free(h);
}

static int
hwpt_nested(SmmuExtSim *sim, struct se_iommu_hwpt_alloc *cmd, SimObj *pt)
{
    struct se_iommu_hwpt_selftest data = { 0 };
    SimHwpt *h;

    if (cmd->flags & ~SE_IOMMU_HWPT_ALLOC_PASID) {
        return -EOPNOTSUPP;
    }
    if (cmd->data_type != SE_IOMMU_HWPT_DATA_SELFTEST) {
        return -EOPNOTSUPP;
    }
    if (cmd->data_len < sizeof(data.iotlb)) {
        return -EINVAL;
    }
    if (!cmd->data_uptr) {
        return -EFAULT;
    }
    memcpy(&data, (const void *)(uintptr_t)cmd->data_uptr,
           MIN(cmd->data_len, sizeof(data)));
    h = g_new0(SimHwpt, 1);
    if (pt->type == SIM_OBJ_VIOMMU) {
        h->viommu = (SimViommu *)pt;
    } else {
        h->parent = (SimHwpt *)pt;
    }
    pt->users++;
    cmd->out_hwpt_id = sim_obj_insert(sim, &h->obj, SIM_OBJ_HWPT);
    return 0;
}

static int
hwpt_alloc(SmmuExtSim *sim, struct se_iommu_hwpt_alloc *cmd)
{
    const uint32_t known = SE_IOMMU_HWPT_ALLOC_NEST_PARENT |
                           SE_IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
                           SE_IOMMU_HWPT_FAULT_ID_VALID |
                           SE_IOMMU_HWPT_ALLOC_PASID;
    SimObj *pt;

    if ((cmd->flags & ~known) || cmd->__reserved || cmd->__reserved2) {
        return -EOPNOTSUPP;
    }
    if ((cmd->data_type == SE_IOMMU_HWPT_DATA_NONE) != !cmd->data_len) {
        return -EINVAL;
    }
    if (!sim_obj_lookup(sim, cmd->dev_id, SIM_OBJ_DEVICE)) {
        return -ENOENT;
    }
    pt = g_hash_table_lookup(sim->objects, GUINT_TO_POINTER(cmd->pt_id));
    if (!pt || pt->type == SIM_OBJ_LEAKED) {
        return -ENOENT;
    }
    switch (pt->type) {
    case SIM_OBJ_IOAS:
        if (cmd->data_type != SE_IOMMU_HWPT_DATA_NONE) {
            return -EOPNOTSUPP;
        }
        cmd->out_hwpt_id = hwpt_new(sim, pt, cmd->flags &
                                    SE_IOMMU_HWPT_ALLOC_NEST_PARENT,
                                    false)->obj.id;
        return 0;
    case SIM_OBJ_HWPT:
        if (!((SimHwpt *)pt)->nest_parent) {
            return -EINVAL;
        }
        return hwpt_nested(sim, cmd, pt);
    case SIM_OBJ_VIOMMU:
        return hwpt_nested(sim, cmd, pt);
    default:
        return -EINVAL;
    }
}

/* --- mock devices --------------------------------------------------------- */

static SimStdev *
stdev_of(SmmuExtSim *sim, SimDevice *dev)
{
    GList *all = g_hash_table_get_values(sim->objects);
    SimStdev *found = NULL;

    for (GList *l = all; l && !found; l = l->next) {
        SimObj *o = l->data;

        if (o->type == SIM_OBJ_STDEV && ((SimStdev *)o)->dev == dev) {
            found = (SimStdev *)o;
        }
    }
    g_list_free(all);
    return found;
}

/* An attach to an IOAS takes its automatic HWPT, or makes one. */
static SimHwpt *
auto_hwpt(SmmuExtSim *sim, SimObj *ioas)
{
    GList *all = g_hash_table_get_values(sim->objects);
    SimHwpt *found = NULL;

    for (GList *l = all; l && !found; l = l->next) {
        SimObj *o = l->data;

        if (o->type == SIM_OBJ_HWPT && ((SimHwpt *)o)->auto_domain &&
            ((SimHwpt *)o)->ioas == ioas) {
            found = (SimHwpt *)o;
        }
    }
    g_list_free(all);
    return found ? found : hwpt_new(sim, ioas, false, true);
}

static void
detach(SmmuExtSim *sim, SimStdev *st)
{
    SimHwpt *old = st->attached;

    st->attached = NULL;
    if (old && --old->obj.users == 0 && old->auto_domain) {
        hwpt_free(sim, old);
    }
}

/* The new domain's vIOMMU needs the device's vDEVICE on it (ENOENT). */
static int
attach(SmmuExtSim *sim, SimStdev *st, SimObj *pt)
{
    SimHwpt *h;
    SimViommu *v = NULL;
    uint64_t vdev_id = 0;

    if (pt->type == SIM_OBJ_IOAS) {
        h = NULL;
    } else if (pt->type == SIM_OBJ_HWPT) {
        h = (SimHwpt *)pt;
        v = h->viommu;
    } else {
        return -EINVAL;
    }
    if (v) {
        if (!st->dev->vdev || st->dev->vdev->viommu != v) {
            return -ENOENT;
        }
        vdev_id = st->dev->vdev->virt_id;
    }
    if (!h) {
        h = auto_hwpt(sim, pt);
    }
    h->obj.users++;
    detach(sim, st);
    st->attached = h;
    if (v != st->viommu) {
        st->viommu = v;
        st->vdev_id = vdev_id;
    }
    return 0;
}

static int
mock_domain(SmmuExtSim *sim, struct se_iommu_test_cmd *cmd)
{
    SimObj *ioas = sim_obj_lookup(sim, cmd->id, SIM_OBJ_IOAS);
    SimStdev *st;
    int r;

    if (!ioas) {
        return -ENOENT;
    }
    st = g_new0(SimStdev, 1);
    cmd->mock_domain.out_stdev_id = sim_obj_insert(sim, &st->obj,
                                                   SIM_OBJ_STDEV);
    st->dev = g_new0(SimDevice, 1);
    cmd->mock_domain.out_idev_id = sim_obj_insert(sim, &st->dev->obj,
                                                  SIM_OBJ_DEVICE);
    r = attach(sim, st, ioas);
    g_assert(r == 0);
    cmd->mock_domain.out_hwpt_id = st->attached->obj.id;
    return 0;
}

static int
replace(SmmuExtSim *sim, struct se_iommu_test_cmd *cmd)
{
    SimStdev *st = (SimStdev *)sim_obj_lookup(sim, cmd->id, SIM_OBJ_STDEV);
    SimObj *pt;

    if (!st) {
        return -ENOENT;
    }
    pt = g_hash_table_lookup(sim->objects,
                             GUINT_TO_POINTER(cmd->mock_domain_replace.pt_id));
    if (!pt || (pt->type != SIM_OBJ_IOAS && pt->type != SIM_OBJ_HWPT)) {
        return -ENOENT;
    }
    return attach(sim, st, pt);
}

static int
trigger(SmmuExtSim *sim, struct se_iommu_test_cmd *cmd)
{
    SimDevice *dev = (SimDevice *)sim_obj_lookup(sim,
                                                 cmd->trigger_vevent.dev_id,
                                                 SIM_OBJ_DEVICE);
    struct se_iommu_viommu_event_selftest ev;
    SimStdev *st = dev ? stdev_of(sim, dev) : NULL;

    if (!dev) {
        return -ENOENT;
    }
    if (!st || !st->viommu || !st->vdev_id) {
        return -ENOENT;
    }
    ev.virt_id = (uint32_t)st->vdev_id;
    if (!sim_veventq_report(st->viommu, SE_IOMMU_VEVENTQ_TYPE_SELFTEST, &ev,
                            sizeof(ev))) {
        return -EOPNOTSUPP;    /* no vEVENTQ of the mock's type */
    }
    return 0;
}

static int
test_cmd(SmmuExtSim *sim, struct se_iommu_test_cmd *cmd)
{
    switch (cmd->op) {
    case SE_IOMMU_TEST_OP_MOCK_DOMAIN:
        return mock_domain(sim, cmd);
    case SE_IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
        return replace(sim, cmd);
    case SE_IOMMU_TEST_OP_TRIGGER_VEVENT:
        return trigger(sim, cmd);
    }
    return -EOPNOTSUPP;
}

/* --- the mock's driver ops: hw_info, vIOMMU, HW queues -------------------- */

static int
hw_info(SmmuExtSim *sim, struct se_iommu_hw_info *cmd)
{
    struct se_iommu_test_hw_info info = {
        .test_reg = SE_IOMMU_HW_INFO_SELFTEST_REGVAL,
    };
    uint32_t type = cmd->flags & SE_IOMMU_HW_INFO_FLAG_INPUT_TYPE ?
                    cmd->in_data_type : SE_IOMMU_HW_INFO_TYPE_DEFAULT;

    if ((cmd->flags & ~SE_IOMMU_HW_INFO_FLAG_INPUT_TYPE) ||
        cmd->__reserved[0] || cmd->__reserved[1] || cmd->__reserved[2]) {
        return -EOPNOTSUPP;
    }
    if (!sim_obj_lookup(sim, cmd->dev_id, SIM_OBJ_DEVICE)) {
        return -ENOENT;
    }
    if (type != SE_IOMMU_HW_INFO_TYPE_DEFAULT &&
        type != SE_IOMMU_HW_INFO_TYPE_SELFTEST) {
        return -EOPNOTSUPP;
    }
    if (cmd->data_len && !cmd->data_uptr) {
        return -EFAULT;
    }
    if (cmd->data_len) {
        uint8_t *buf = (uint8_t *)(uintptr_t)cmd->data_uptr;

        memcpy(buf, &info, MIN(cmd->data_len, sizeof(info)));
        if (cmd->data_len > sizeof(info)) {
            memset(buf + sizeof(info), 0, cmd->data_len - sizeof(info));
        }
    }
    cmd->data_len = sizeof(info);
    cmd->out_data_type = SE_IOMMU_HW_INFO_TYPE_SELFTEST;
    cmd->out_max_pasid_log2 = 0;
    /* mock_domain_capable: dirty tracking unless MOCK_FLAGS_DEVICE_NO_DIRTY */
    cmd->out_capabilities = SE_IOMMU_HW_CAP_DIRTY_TRACKING;
    return 0;
}

/* iommu_copy_struct_from_user(..., out_data): at least up to out_data,
 * and nothing non-zero past what the kernel knows. */
static int
viommu_data_in(const struct se_iommu_viommu_alloc *cmd,
               struct se_iommu_viommu_selftest *d)
{
    const uint8_t *p = (const uint8_t *)(uintptr_t)cmd->data_uptr;

    if (cmd->data_len < SE_VIOMMU_SELFTEST_MIN_LEN) {
        return -EINVAL;
    }
    if (!p) {
        return -EFAULT;
    }
    for (uint32_t i = sizeof(*d); i < cmd->data_len; i++) {
        if (p[i]) {
            return -E2BIG;
        }
    }
    memset(d, 0, sizeof(*d));
    memcpy(d, p, MIN(cmd->data_len, sizeof(*d)));
    return 0;
}

static int
viommu_alloc(SmmuExtSim *sim, struct se_iommu_viommu_alloc *cmd)
{
    struct se_iommu_viommu_selftest d = { 0 };
    SimHwpt *h;
    SimViommu *v;
    int r;

    if (cmd->flags || cmd->type == SE_IOMMU_VIOMMU_TYPE_DEFAULT) {
        return -EOPNOTSUPP;
    }
    if (!sim_obj_lookup(sim, cmd->dev_id, SIM_OBJ_DEVICE)) {
        return -ENOENT;
    }
    if (cmd->type != SE_IOMMU_VIOMMU_TYPE_SELFTEST) {
        return -EOPNOTSUPP;    /* mock_get_viommu_size answers 0 */
    }
    h = (SimHwpt *)sim_obj_lookup(sim, cmd->hwpt_id, SIM_OBJ_HWPT);
    if (!h || !h->ioas) {
        return -ENOENT;        /* not a paging HWPT */
    }
    if (!h->nest_parent) {
        return -EINVAL;
    }
    if (cmd->data_len && (r = viommu_data_in(cmd, &d)) < 0) {
        return r;
    }
    v = g_new0(SimViommu, 1);
    v->type = cmd->type;
    v->dev_id = cmd->dev_id;
    v->vintf = -1;
    v->memfd = -1;
    if (cmd->data_len) {
        /* Two zeroed pages; the first word loops in_data back. */
        v->region_len = 2 * (uint64_t)sysconf(_SC_PAGESIZE);
        r = sim_page0_create(v);
        if (r < 0) {
            g_free(v);
            return r;
        }
        memcpy(v->page0, &d.in_data, sizeof(d.in_data));
        v->mmap_offset = sim->next_mmap_offset;
        sim->next_mmap_offset += v->region_len;
        v->mmap_registered = true;
        d.out_data = d.in_data;
        d.out_mmap_offset = v->mmap_offset;
        d.out_mmap_length = v->region_len;
        memcpy((void *)(uintptr_t)cmd->data_uptr, &d,
               MIN(cmd->data_len, sizeof(d)));
    }
    v->parent = &h->obj;
    h->obj.users++;
    cmd->out_viommu_id = sim_obj_insert(sim, &v->obj, SIM_OBJ_VIOMMU);
    sim->live[SMMU_EXT_SIM_VIOMMU]++;
    return 0;
}

void
sim_selftest_viommu_free(SmmuExtSim *sim, SimViommu *v)
{
    if (v->parent) {
        v->parent->users--;
        v->parent = NULL;
    }
}

/*
 * The mock's HW queues, as Linux 7.2 has them.  mock_hw_queue_init_phys()
 * stores a queue in hw_queue[index] but never sets the queue's own index
 * field, so mock_hw_queue_destroy() always clears hw_queue[0]: destroying
 * queue 1 empties slot 0 (while queue 0 lives on) and leaves slot 1 taken
 * for good (EEXIST on every later index 1).  Found by the kernel
 * conformance suite (hwq-order); the sim follows the kernel.  The
 * dependency (queue 1 holds the queue that was in slot 0) is kept right.
 */
typedef struct SimMockHwq {
    SimHwQueue hq;
    SimHwQueue *prev;          /* what iommufd_hw_queue_depend() holds */
} SimMockHwq;

static int
mock_hw_queue_init(SmmuExtSim *sim, SimViommu *v,
                   struct se_iommu_hw_queue_alloc *cmd)
{
    uint32_t index = cmd->index;
    SimMockHwq *mq;

    if (index >= SE_IOMMU_TEST_HW_QUEUE_MAX) {
        return -EINVAL;
    }
    if (v->mock_taken[index]) {
        return -EEXIST;
    }
    if (index && !v->mock_taken[index - 1]) {
        return -EIO;
    }
    mq = g_new0(SimMockHwq, 1);
    mq->hq.viommu = v;
    mq->hq.index = index;
    mq->hq.gpa = cmd->nesting_parent_iova;
    mq->hq.len = cmd->length;
    if (index) {
        mq->prev = v->mock_q[index - 1];
        mq->prev->obj.users++;
    }
    v->mock_taken[index] = true;
    v->mock_q[index] = &mq->hq;
    v->obj.users++;
    sim->live[SMMU_EXT_SIM_HW_QUEUE]++;
    cmd->out_hw_queue_id = sim_obj_insert(sim, &mq->hq.obj,
                                          SIM_OBJ_HW_QUEUE);
    return 0;
}

void
sim_selftest_hw_queue_free(SmmuExtSim *sim, SimHwQueue *hq)
{
    SimMockHwq *mq = (SimMockHwq *)hq;
    SimViommu *v = hq->viommu;

    /* hw_queue[mock_hw_queue->index = 0] = NULL */
    v->mock_taken[0] = false;
    v->mock_q[0] = NULL;
    for (unsigned i = 1; i < SIM_N_LVCMDQS; i++) {
        if (v->mock_q[i] == hq) {
            v->mock_q[i] = NULL;     /* the slot stays taken */
        }
    }
    if (mq->prev) {
        mq->prev->obj.users--;
    }
    v->obj.users--;
    sim->live[SMMU_EXT_SIM_HW_QUEUE]--;
    sim_obj_remove(sim, &hq->obj);
    g_free(mq);
}

/* Core checks, the pin, then the mock's init. */
static int
hw_queue_alloc(SmmuExtSim *sim, struct se_iommu_hw_queue_alloc *cmd)
{
    uint64_t iova = cmd->nesting_parent_iova, len = cmd->length;
    SimViommu *v;
    int r;

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
    if (v->type != SE_IOMMU_VIOMMU_TYPE_SELFTEST ||
        cmd->type != SE_IOMMU_HW_QUEUE_TYPE_SELFTEST) {
        return -EOPNOTSUPP;
    }
    r = sim_pin_check(sim, iova, len);
    if (r < 0) {
        return r;
    }
    return mock_hw_queue_init(sim, v, cmd);
}

int
sim_selftest_ioctl(SmmuExtSim *sim, unsigned nr, void *k)
{
    switch (nr) {
    case 0x81:
        return ioas_alloc(sim, k);
    case 0x85:
        return ioas_map(sim, k);
    case 0x89:
        return hwpt_alloc(sim, k);
    case 0x8A:
        return hw_info(sim, k);
    case 0x90:
        return viommu_alloc(sim, k);
    case 0x94:
        return hw_queue_alloc(sim, k);
    case SE_IOMMU_TEST_CMD_NR:
        return test_cmd(sim, k);
    }
    return -ENOTTY;
}

/* --- DESTROY of the mock's own objects (users already checked) ----------- */

static void
stdev_free(SmmuExtSim *sim, SimStdev *st)
{
    SimDevice *dev = st->dev;

    detach(sim, st);
    /* Unbinding force-destroys a remaining vDEVICE; its id leaks. */
    if (dev->vdev) {
        sim_vdevice_free(sim, dev->vdev, true);
    }
    sim_obj_remove(sim, &dev->obj);
    g_free(dev);
    sim_obj_remove(sim, &st->obj);
    g_free(st);
}

int
sim_selftest_destroy(SmmuExtSim *sim, SimObj *obj)
{
    switch (obj->type) {
    case SIM_OBJ_IOAS:
        g_array_set_size(sim->ram, 0);   /* its mappings go with it */
        sim_obj_remove(sim, obj);
        g_free(obj);
        return 0;
    case SIM_OBJ_HWPT:
        hwpt_free(sim, (SimHwpt *)obj);
        return 0;
    case SIM_OBJ_STDEV:
        stdev_free(sim, (SimStdev *)obj);
        return 0;
    default:
        /* A device is destroyed through its owner (the stdev). */
        return -EBUSY;
    }
}
