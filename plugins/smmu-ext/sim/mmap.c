/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VINTF page0 region and mmap() on the iommufd (iommufd-abi.md 11):
 * page0 is a real 64 KiB memfd, so what the core maps is shared memory the
 * simulated hardware reads and writes.  A mapping must match the
 * registered (offset, length) exactly, and each live one holds a
 * reference on its vIOMMU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "sim.h"

int
sim_page0_create(SimViommu *v)
{
    int fd = memfd_create("smmu-ext-sim-vintf-page0", MFD_CLOEXEC);
    void *p;
    int err;

    if (fd < 0) {
        return -errno;
    }
    if (!v->region_len) {
        v->region_len = SIM_PAGE0_SIZE;
    }
    if (ftruncate(fd, v->region_len) < 0) {
        err = errno;
        close(fd);
        return -err;
    }
    p = mmap(NULL, v->region_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
             0);
    if (p == MAP_FAILED) {
        err = errno;
        close(fd);
        return -err;
    }
    v->memfd = fd;
    v->page0 = p;
    return 0;
}

void
sim_page0_destroy(SimViommu *v)
{
    if (v->page0) {
        munmap(v->page0, v->region_len);
        v->page0 = NULL;
    }
    if (v->memfd >= 0) {
        close(v->memfd);
        v->memfd = -1;
    }
}

static SimViommu *
sim_region_find(SmmuExtSim *sim, uint64_t offset)
{
    GList *all = g_hash_table_get_values(sim->objects);
    SimViommu *found = NULL;

    for (GList *l = all; l && !found; l = l->next) {
        SimObj *obj = l->data;
        SimViommu *v = (SimViommu *)obj;

        if (obj->type == SIM_OBJ_VIOMMU && v->mmap_registered &&
            v->mmap_offset == offset) {
            found = v;
        }
    }
    g_list_free(all);
    return found;
}

int
sim_mmap(SmmuExtSim *sim, uint64_t offset, size_t len, void **out)
{
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    SimMapping *m;
    SimViommu *v;
    void *p;
    int err = sim_fault_check(sim, SMMU_EXT_SIM_OP_MMAP);

    if (err) {
        return -err;
    }
    if (!len || len % page || offset % page) {
        return -EINVAL;
    }
    v = sim_region_find(sim, offset);
    if (!v || len != v->region_len) {
        return -ENXIO;
    }
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, v->memfd, 0);
    if (p == MAP_FAILED) {
        return -errno;
    }
    m = g_new0(SimMapping, 1);
    m->addr = p;
    m->len = len;
    m->viommu = v;
    sim->mappings = g_list_append(sim->mappings, m);
    v->obj.users++;
    sim->live[SMMU_EXT_SIM_MMAP]++;
    *out = p;
    return 0;
}

static void
sim_mapping_drop(SmmuExtSim *sim, SimMapping *m)
{
    munmap(m->addr, m->len);
    m->viommu->obj.users--;
    sim->live[SMMU_EXT_SIM_MMAP]--;
    sim->mappings = g_list_remove(sim->mappings, m);
    g_free(m);
}

/* Only whole mappings this sim handed out; anything else would unmap
 * memory the sim does not own. */
int
sim_munmap(SmmuExtSim *sim, void *addr, size_t len)
{
    for (GList *l = sim->mappings; l; l = l->next) {
        SimMapping *m = l->data;

        if (m->addr == addr) {
            if (m->len != len) {
                return -EINVAL;
            }
            sim_mapping_drop(sim, m);
            return 0;
        }
    }
    return -EINVAL;
}

void
sim_unmap_all(SmmuExtSim *sim)
{
    while (sim->mappings) {
        sim_mapping_drop(sim, sim->mappings->data);
    }
}
