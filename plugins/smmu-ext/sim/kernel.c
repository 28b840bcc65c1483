/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulated kernel: lifetime of the host, the iommufd object table and
 * the syscall seam.  Dispatch follows drivers/iommu/iommufd/main.c as
 * documented in iommufd-abi.md 3.2: fd, ioctl number, argument pointer,
 * minimum size, zero tail, then the handler; the response is copied back
 * truncated to the caller's size.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include "sim.h"
#include "uapi/iommufd-test.h"

/* --- object table ------------------------------------------------------- */

SimObj *
sim_obj_lookup(SmmuExtSim *sim, uint32_t id, SimObjType type)
{
    SimObj *obj = g_hash_table_lookup(sim->objects, GUINT_TO_POINTER(id));

    return obj && obj->type == type ? obj : NULL;
}

/* Lowest free id in [1, 0x7fffffff], shared by every kind, as the kernel's
 * xarray allocator hands them out. */
uint32_t
sim_obj_insert(SmmuExtSim *sim, SimObj *obj, SimObjType type)
{
    uint32_t id = 1;

    while (g_hash_table_contains(sim->objects, GUINT_TO_POINTER(id))) {
        id++;
    }
    g_assert(id <= SE_IOMMUFD_ID_MAX);
    obj->id = id;
    obj->type = type;
    g_hash_table_insert(sim->objects, GUINT_TO_POINTER(id), obj);
    return id;
}

void
sim_obj_remove(SmmuExtSim *sim, SimObj *obj)
{
    g_hash_table_remove(sim->objects, GUINT_TO_POINTER(obj->id));
}

static gint
obj_id_cmp(gconstpointer a, gconstpointer b)
{
    const SimObj *x = a, *y = b;

    return x->id < y->id ? -1 : x->id > y->id;
}

/* Objects of @type, lowest id first. */
static GList *
sim_objs_of(const SmmuExtSim *sim, SimObjType type)
{
    GList *all = g_hash_table_get_values(sim->objects);
    GList *out = NULL;

    for (GList *l = all; l; l = l->next) {
        SimObj *obj = l->data;

        if (obj->type == type) {
            out = g_list_prepend(out, obj);
        }
    }
    g_list_free(all);
    return g_list_sort(out, obj_id_cmp);
}

SimViommu *
sim_first_viommu(const SmmuExtSim *sim)
{
    GList *l = sim_objs_of(sim, SIM_OBJ_VIOMMU);
    SimViommu *v = l ? l->data : NULL;

    g_list_free(l);
    return v;
}

/* --- the seam ----------------------------------------------------------- */

typedef struct SimIoctl {
    unsigned nr;
    SmmuExtSimOp op;           /* SMMU_EXT_SIM_OP_N: not injectable */
    uint32_t min_size;
    uint32_t size;
    bool selftest;             /* only in the selftest profile */
} SimIoctl;

static const SimIoctl sim_ioctls[] = {
    { 0x80, SMMU_EXT_SIM_OP_DESTROY, SE_MIN_SIZE_DESTROY,
      sizeof(struct se_iommu_destroy) },
    { 0x8A, SMMU_EXT_SIM_OP_GET_HW_INFO, SE_MIN_SIZE_GET_HW_INFO,
      sizeof(struct se_iommu_hw_info) },
    { 0x90, SMMU_EXT_SIM_OP_VIOMMU_ALLOC, SE_MIN_SIZE_VIOMMU_ALLOC,
      sizeof(struct se_iommu_viommu_alloc) },
    { 0x91, SMMU_EXT_SIM_OP_VDEVICE_ALLOC, SE_MIN_SIZE_VDEVICE_ALLOC,
      sizeof(struct se_iommu_vdevice_alloc) },
    { 0x93, SMMU_EXT_SIM_OP_VEVENTQ_ALLOC, SE_MIN_SIZE_VEVENTQ_ALLOC,
      sizeof(struct se_iommu_veventq_alloc) },
    { 0x94, SMMU_EXT_SIM_OP_HW_QUEUE_ALLOC, SE_MIN_SIZE_HW_QUEUE_ALLOC,
      sizeof(struct se_iommu_hw_queue_alloc) },
    /* The mock's setup calls (selftest profile). */
    { 0x81, SMMU_EXT_SIM_OP_N, SE_MIN_SIZE_IOAS_ALLOC,
      sizeof(struct se_iommu_ioas_alloc), true },
    { 0x85, SMMU_EXT_SIM_OP_N, SE_MIN_SIZE_IOAS_MAP,
      sizeof(struct se_iommu_ioas_map), true },
    { 0x89, SMMU_EXT_SIM_OP_N, SE_MIN_SIZE_HWPT_ALLOC,
      sizeof(struct se_iommu_hwpt_alloc), true },
    { SE_IOMMU_TEST_CMD_NR, SMMU_EXT_SIM_OP_N, SE_MIN_SIZE_TEST_CMD,
      sizeof(struct se_iommu_test_cmd), true },
};

typedef union SimIoctlArg {
    uint32_t size;
    struct se_iommu_destroy destroy;
    struct se_iommu_hw_info hw_info;
    struct se_iommu_viommu_alloc viommu;
    struct se_iommu_vdevice_alloc vdevice;
    struct se_iommu_veventq_alloc veventq;
    struct se_iommu_hw_queue_alloc hw_queue;
    struct se_iommu_ioas_alloc ioas_alloc;
    struct se_iommu_ioas_map ioas_map;
    struct se_iommu_hwpt_alloc hwpt_alloc;
    struct se_iommu_test_cmd test_cmd;
} SimIoctlArg;

static const SimIoctl *
sim_ioctl_find(unsigned long request)
{
    unsigned nr = _IOC_NR(request);

    /* Outside the iommufd range, or with direction/size bits: ENOTTY. */
    if (nr < SE_IOMMUFD_CMD_BASE ||
        (nr >= SE_IOMMUFD_CMD_END && nr != SE_IOMMU_TEST_CMD_NR) ||
        request != (unsigned long)_IO(SE_IOMMUFD_TYPE, nr)) {
        return NULL;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(sim_ioctls); i++) {
        if (sim_ioctls[i].nr == nr) {
            return &sim_ioctls[i];
        }
    }
    return NULL;               /* a real iommufd ioctl the sim lacks */
}

static int
sim_ioctl_call(SmmuExtSim *sim, unsigned nr, SimIoctlArg *k)
{
    if (sim_selftest_has_ioctl(sim, nr)) {
        return sim_selftest_ioctl(sim, nr, k);
    }
    switch (nr) {
    case 0x80:
        return sim_destroy(sim, k->destroy.id);
    case 0x8A:
        return sim_get_hw_info(sim, &k->hw_info);
    case 0x90:
        return sim_viommu_alloc(sim, &k->viommu);
    case 0x91:
        return sim_vdevice_alloc(sim, &k->vdevice);
    case 0x93:
        return sim_veventq_alloc(sim, &k->veventq);
    case 0x94:
        return sim_hw_queue_alloc(sim, &k->hw_queue);
    }
    return -ENOTTY;
}

static int
sim_seam_ioctl(void *opaque, int fd, unsigned long request, void *arg)
{
    SmmuExtSim *sim = opaque;
    const SimIoctl *d;
    SimIoctlArg k;
    uint32_t usize;
    int err;

    if (fd != sim->iommufd) {
        /* A vEVENTQ fd has no ioctls; anything else is not ours. */
        return g_hash_table_contains(sim->fds, GINT_TO_POINTER(fd)) ?
               -ENOTTY : -EBADF;
    }
    d = sim_ioctl_find(request);
    if (!d || (d->selftest && sim->profile != SMMU_EXT_SIM_SELFTEST)) {
        return -ENOTTY;
    }
    err = d->op < SMMU_EXT_SIM_OP_N ? sim_fault_check(sim, d->op) : 0;
    if (err) {
        return -err;
    }
    if (!arg) {
        return -EFAULT;
    }
    memcpy(&usize, arg, sizeof(usize));
    if (usize < d->min_size) {
        return -EINVAL;
    }
    for (uint32_t i = d->size; i < usize; i++) {
        if (((const uint8_t *)arg)[i]) {
            return -E2BIG;
        }
    }
    memset(&k, 0, sizeof(k));
    memcpy(&k, arg, MIN(usize, d->size));
    err = sim_ioctl_call(sim, d->nr, &k);
    if (err < 0) {
        return err;
    }
    memcpy(arg, &k, MIN(usize, d->size));
    return 0;
}

static int
sim_seam_mmap(void *opaque, int fd, uint64_t offset, size_t len, void **out)
{
    SmmuExtSim *sim = opaque;

    if (fd != sim->iommufd) {
        return g_hash_table_contains(sim->fds, GINT_TO_POINTER(fd)) ?
               -ENODEV : -EBADF;
    }
    return sim_mmap(sim, offset, len, out);
}

static int
sim_seam_munmap(void *opaque, void *addr, size_t len)
{
    return sim_munmap(opaque, addr, len);
}

static ssize_t
sim_seam_read(void *opaque, int fd, void *buf, size_t count)
{
    SmmuExtSim *sim = opaque;
    SimVeventq *q = g_hash_table_lookup(sim->fds, GINT_TO_POINTER(fd));

    if (!q) {
        return fd == sim->iommufd ? -EINVAL : -EBADF;
    }
    return sim_veventq_read(q, buf, count);
}

static int
sim_seam_close(void *opaque, int fd)
{
    SmmuExtSim *sim = opaque;
    SimVeventq *q = g_hash_table_lookup(sim->fds, GINT_TO_POINTER(fd));

    /* The iommufd itself lives as long as the sim (smmu_ext_sim_free is
     * "closing the iommufd"); it was not handed out through the seam. */
    if (!q) {
        return -EBADF;
    }
    sim_veventq_close_fd(sim, q);
    return 0;
}

static const SmmuExtSeamOps sim_seam = {
    .size = sizeof(SmmuExtSeamOps),
    .ioctl = sim_seam_ioctl,
    .mmap = sim_seam_mmap,
    .munmap = sim_seam_munmap,
    .read = sim_seam_read,
    .close = sim_seam_close,
};

const SmmuExtSeamOps *
smmu_ext_sim_seam_ops(void)
{
    return &sim_seam;
}

/* --- lifetime ----------------------------------------------------------- */

/* A plausible SMMUv3 with nesting: S1P+S2P, AArch64 tables, coherent,
 * ATS, 16-bit ASID/VMID, 2-level stream table; IDR1.CMDQS bounds the
 * Tegra241 VCMDQ length. */
static void
sim_init_idr(SmmuExtSim *sim)
{
    sim->idr[0] = (1u << 0) | (1u << 1) | (2u << 2) | (1u << 4) |
                  (1u << 9) | (1u << 10) | (1u << 12) | (1u << 13) |
                  (1u << 14) | (1u << 18) | (1u << 19) | (1u << 24) |
                  (1u << 26) | (1u << 27);
    sim->idr[1] = 16u | (20u << 6) | (19u << 16) |
                  ((uint32_t)SIM_IDR1_CMDQS << 21);
    sim->idr[2] = 0;
    sim->idr[3] = (1u << 2) | (1u << 10);
    sim->idr[4] = 0;
    sim->idr[5] = 5u | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 10);
    sim->iidr = 0x4b00043bu;
    sim->aidr = 0x2;
}

SmmuExtSim *
smmu_ext_sim_new(SmmuExtSimProfile profile)
{
    SmmuExtSim *sim;
    SimObj *ioas, *hwpt;
    int fd;

    g_return_val_if_fail(profile <= SMMU_EXT_SIM_SELFTEST, NULL);
    fd = eventfd(0, EFD_CLOEXEC);
    if (fd < 0) {
        g_critical("smmu-ext sim: eventfd: %s", g_strerror(errno));
        return NULL;
    }
    sim = g_new0(SmmuExtSim, 1);
    sim->profile = profile;
    sim->iommufd = fd;
    sim->objects = g_hash_table_new(NULL, NULL);
    sim->fds = g_hash_table_new(NULL, NULL);
    sim->ram = g_array_new(FALSE, TRUE, sizeof(SimRam));
    sim->next_mmap_offset = SIM_PAGE0_SIZE;
    sim_init_idr(sim);
    sim->handle = smmu_ext_iommufd_new_seam(&sim_seam, sim, fd, NULL);
    if (profile == SMMU_EXT_SIM_SELFTEST) {
        return sim;            /* the mock's objects come from its user */
    }
    /* The VMM's IOAS and the stage-2 nest-parent HWPT on it. */
    ioas = g_new0(SimObj, 1);
    sim->ioas_id = sim_obj_insert(sim, ioas, SIM_OBJ_IOAS);
    hwpt = g_new0(SimObj, 1);
    sim->hwpt_id = sim_obj_insert(sim, hwpt, SIM_OBJ_HWPT);
    return sim;
}

SmmuExtSim *
smmu_ext_sim_new_by_name(const char *profile, GError **errp)
{
    static const char *const names[] = { "tegra241", "smmuv3", "none",
                                         "selftest" };

    for (size_t i = 0; profile && i < G_N_ELEMENTS(names); i++) {
        if (g_str_equal(profile, names[i])) {
            return smmu_ext_sim_new((SmmuExtSimProfile)i);
        }
    }
    g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                "unknown simulated host profile '%s' (valid: tegra241, "
                "smmuv3, none, selftest)", profile ? profile : "(null)");
    return NULL;
}

static void
sim_free_objs(SmmuExtSim *sim, SimObjType type)
{
    GList *objs = sim_objs_of(sim, type);

    for (GList *l = objs; l; l = l->next) {
        SimObj *obj = l->data;

        switch (type) {
        case SIM_OBJ_VDEVICE:
            sim_vdevice_free(sim, l->data, false);
            break;
        case SIM_OBJ_VEVENTQ:
            sim_veventq_free(sim, l->data);
            break;
        case SIM_OBJ_HW_QUEUE:
            sim_hw_queue_free(sim, l->data);
            break;
        case SIM_OBJ_VIOMMU: {
            SimViommu *v = l->data;

            /* HW queues in descending index, as the hardware needs. */
            for (int i = SIM_N_LVCMDQS - 1; i >= 0; i--) {
                if (v->queues[i]) {
                    sim_hw_queue_free(sim, v->queues[i]);
                }
            }
            sim_viommu_free(sim, v);
            break;
        }
        default:
            sim_obj_remove(sim, obj);
            g_free(obj);
            break;
        }
    }
    g_list_free(objs);
}

/* Closing the iommufd: every mapping, fd and object goes, leaves first. */
void
smmu_ext_sim_free(SmmuExtSim *sim)
{
    GList *fds;

    if (!sim) {
        return;
    }
    sim_unmap_all(sim);
    fds = g_hash_table_get_values(sim->fds);
    for (GList *l = fds; l; l = l->next) {
        sim_veventq_close_fd(sim, l->data);
    }
    g_list_free(fds);
    sim_free_objs(sim, SIM_OBJ_VDEVICE);
    sim_free_objs(sim, SIM_OBJ_VEVENTQ);
    sim_free_objs(sim, SIM_OBJ_HW_QUEUE);
    sim_free_objs(sim, SIM_OBJ_VIOMMU);
    sim_free_objs(sim, SIM_OBJ_STDEV);
    sim_free_objs(sim, SIM_OBJ_DEVICE);
    sim_free_objs(sim, SIM_OBJ_LEAKED);
    sim_free_objs(sim, SIM_OBJ_HWPT);
    sim_free_objs(sim, SIM_OBJ_IOAS);
    smmu_ext_sim_fail_clear(sim);
    g_hash_table_destroy(sim->objects);
    g_hash_table_destroy(sim->fds);
    g_array_free(sim->ram, TRUE);
    smmu_ext_iommufd_free(sim->handle);
    close(sim->iommufd);
    g_free(sim);
}

SmmuExtSimProfile
smmu_ext_sim_profile(const SmmuExtSim *sim)
{
    return sim->profile;
}

SmmuExtIommufd *
smmu_ext_sim_iommufd(SmmuExtSim *sim)
{
    return sim->handle;
}

uint32_t
smmu_ext_sim_s2_hwpt(SmmuExtSim *sim)
{
    return sim->hwpt_id;
}

/* --- devices and RAM ---------------------------------------------------- */

uint32_t
smmu_ext_sim_add_device(SmmuExtSim *sim, uint32_t psid)
{
    SimDevice *dev = g_new0(SimDevice, 1);

    dev->psid = psid;
    return sim_obj_insert(sim, &dev->obj, SIM_OBJ_DEVICE);
}

void
smmu_ext_sim_remove_device(SmmuExtSim *sim, uint32_t dev_id)
{
    SimDevice *dev = (SimDevice *)sim_obj_lookup(sim, dev_id,
                                                 SIM_OBJ_DEVICE);

    if (!dev) {
        return;
    }
    if (dev->vdev) {
        sim_vdevice_free(sim, dev->vdev, true);
    }
    sim_obj_remove(sim, &dev->obj);
    g_free(dev);
}

bool
smmu_ext_sim_add_ram(SmmuExtSim *sim, uint64_t gpa, uint64_t size,
                     uint64_t page_size, void *hva, GError **errp)
{
    SimRam r = {
        .gpa = gpa, .size = size, .page_size = page_size, .hva = hva,
    };

    if (!hva || !size || page_size < 4096 || (page_size & (page_size - 1)) ||
        (gpa | size) & (page_size - 1) || gpa + size < gpa) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "guest RAM [0x%" G_GINT64_MODIFIER "x, +0x%"
                    G_GINT64_MODIFIER "x) with %" G_GUINT64_FORMAT
                    "-byte pages: size and base must be non-zero "
                    "multiples of a power-of-two page >= 4096",
                    gpa, size, page_size);
        return false;
    }
    for (guint i = 0; i < sim->ram->len; i++) {
        const SimRam *o = &g_array_index(sim->ram, SimRam, i);

        if (gpa < o->gpa + o->size && o->gpa < gpa + size) {
            g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                        "guest RAM [0x%" G_GINT64_MODIFIER "x, +0x%"
                        G_GINT64_MODIFIER "x) overlaps [0x%"
                        G_GINT64_MODIFIER "x, +0x%" G_GINT64_MODIFIER "x)",
                        gpa, size, o->gpa, o->size);
            return false;
        }
    }
    g_array_append_val(sim->ram, r);
    return true;
}

uint8_t *
sim_ram_hva(const SmmuExtSim *sim, uint64_t gpa, uint64_t len)
{
    for (guint i = 0; i < sim->ram->len; i++) {
        const SimRam *r = &g_array_index(sim->ram, SimRam, i);

        if (gpa >= r->gpa && len <= r->size && gpa - r->gpa <= r->size - len) {
            return r->hva + (gpa - r->gpa);
        }
    }
    return NULL;
}

/* --- test views --------------------------------------------------------- */

bool
smmu_ext_sim_hw_queue(const SmmuExtSim *sim, uint32_t index, uint64_t *gpa,
                      uint64_t *len)
{
    SimViommu *v = sim_first_viommu(sim);
    SimHwQueue *hq;

    if (!v || index >= SIM_N_LVCMDQS || !v->queues[index]) {
        return false;
    }
    hq = v->queues[index];
    if (gpa) {
        *gpa = hq->gpa;
    }
    if (len) {
        *len = hq->len;
    }
    return true;
}

bool
smmu_ext_sim_sid_slot(const SmmuExtSim *sim, unsigned s, uint32_t *match,
                      uint32_t *replace)
{
    SimViommu *v = sim_first_viommu(sim);

    if (!v || v->vintf < 0 || s >= SIM_N_SID_SLOTS) {
        return false;
    }
    if (match) {
        *match = v->sid_match[s];
    }
    if (replace) {
        *replace = v->sid_replace[s];
    }
    return true;
}

uint32_t
smmu_ext_sim_veventq_depth(const SmmuExtSim *sim, uint32_t type)
{
    SimViommu *v = sim_first_viommu(sim);
    SimVeventq *q = v ? sim_veventq_find(v, type) : NULL;

    return q ? q->depth : 0;
}

bool
smmu_ext_sim_set_next_seq(SmmuExtSim *sim, uint32_t type, uint32_t seq)
{
    SimViommu *v = sim_first_viommu(sim);
    SimVeventq *q = v ? sim_veventq_find(v, type) : NULL;

    if (!q) {
        return false;
    }
    q->seq = seq & SE_VEVENTQ_SEQ_MASK;
    return true;
}
