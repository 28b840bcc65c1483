/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The instance (one per emulated SMMUv3) and the extension core handle a
 * module sees.  Shared by instance.c, viommu.c, hwqueue.c, services.c and
 * report.c only.
 */
#ifndef SMMU_EXT_INSTANCE_PRIV_H
#define SMMU_EXT_INSTANCE_PRIV_H

#include "core-priv.h"

/* What one extension's probe answered, for the selection report. */
typedef struct SmmuExtProbeAnswer {
    char *name;
    char *version;
    uint32_t hw_info_type;
    bool accepted;
    char *answer;              /* why it declined, or "accepted" */
} SmmuExtProbeAnswer;

typedef struct SmmuExtDevice {
    uint32_t dev_id;
    bool has_vsid;
    uint64_t vsid;
    uint32_t vdevice_id;       /* 0: no vDEVICE */
} SmmuExtDevice;

/* One HW queue slot: what the module wants and what the kernel has. */
typedef struct SmmuExtHwq {
    uint32_t type;
    uint32_t index;
    bool desired;
    uint64_t gpa;
    uint64_t len;
    bool live;
    uint64_t live_gpa;
    uint64_t live_len;
    uint32_t id;
    /*
     * Not live, and the module was told why: the kernel refused these
     * parameters on this vIOMMU (failed; tried again only when the module
     * asks again or the vIOMMU is re-created), or a lower index is missing
     * (waiting; allocated as soon as it may be).
     */
    bool failed;
    bool waiting;
} SmmuExtHwq;

typedef struct SmmuExtMapping {
    void *addr;
    uint64_t offset;
    uint64_t len;
} SmmuExtMapping;

typedef struct SmmuExtDirect {
    uint64_t offset;
    void *ptr;
    size_t len;
} SmmuExtDirect;

struct SmmuExtCore {
    SmmuExtInstance *inst;
    const SmmuExtModule *mod;
    const SmmuExtOps *ops;
    void *state;
    SmmuExtGeometry geo;
    GArray *hwqs;              /* SmmuExtHwq, sorted by (type, index) */
    GArray *directs;           /* SmmuExtDirect */
    SmmuExtRatelimit err_rl;
    /* Module lines, one limiter per key (smmu_ext_core_guest_error). */
    SmmuExtRatelimit log_rl[SMMU_EXT_LOG_KEYS];
};

struct SmmuExtInstance {
    /* MMIO dispatch first: the hot path reads only these. */
    uint64_t mmio_size;        /* 0 until an extension is selected */
    uint64_t (*mmio_read)(void *state, uint64_t offset, unsigned size);
    void (*mmio_write)(void *state, uint64_t offset, uint64_t value,
                       unsigned size);
    void *mmio_state;

    SmmuExtRegistry *reg;
    SmmuExtMode *mode;
    const SmmuExtHostOps *hops; /* &hops_copy, or NULL: no callbacks */
    SmmuExtHostOps hops_copy;  /* the host's table, zero-filled to ours */
    void *opaque;

    bool selected;
    SmmuExtIommufd *iommufd;   /* borrowed; NULL: no host IOMMU */
    GPtrArray *probes;         /* SmmuExtProbeAnswer */
    char *reason;              /* one line: why this selection */
    SmmuExtCore *ext;          /* NULL: plain SMMUv3 */
    bool have_idr;
    uint32_t smmu_idr[6];

    uint32_t viommu_id;        /* 0: none */
    uint32_t viommu_type;
    uint32_t creator_dev_id;   /* device the vIOMMU was probed through */
    uint32_t s2_hwpt_id;
    GArray *mappings;          /* SmmuExtMapping */
    SmmuExtVeventq *smmu_evq;
    SmmuExtVeventq *ext_evq;

    bool guest_evtq_enabled;
    unsigned guest_evtq_log2;
    GArray *devices;           /* SmmuExtDevice */

    SmmuExtStats stats;
    SmmuExtRatelimit guest_rl;
    char *blocker;             /* unplug blocker text */
};

/* log helpers */
void smmu_ext_inst_log(SmmuExtInstance *inst, GLogLevelFlags level,
                       const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* viommu.c */
gboolean smmu_ext_viommu_create(SmmuExtInstance *inst, uint32_t dev_id,
                                uint32_t s2_hwpt_id, GError **errp);
/* Ordered teardown; every failure is appended to @errp. */
void smmu_ext_viommu_destroy(SmmuExtInstance *inst, GError **errp);
gboolean smmu_ext_viommu_smmu_eventq(SmmuExtInstance *inst, GError **errp);
gboolean smmu_ext_viommu_vdevice_alloc(SmmuExtInstance *inst,
                                       SmmuExtDevice *dev, GError **errp);
void smmu_ext_viommu_vdevice_free(SmmuExtInstance *inst, SmmuExtDevice *dev,
                                  GError **errp);
/* IOMMU_DESTROY with one retry; failures appended to @errp. */
void smmu_ext_viommu_destroy_id(SmmuExtInstance *inst, uint32_t id,
                                const char *what, GError **errp);

/* hwqueue.c */
/* Destroy every live queue (descending, with notifications); desired
 * state is kept so a new vIOMMU gets the queues back. */
void smmu_ext_hwq_destroy_all(SmmuExtCore *core, GError **errp);
gboolean smmu_ext_hwq_reconcile_all(SmmuExtCore *core, GError **errp);

/* services.c */
void smmu_ext_core_unmap_all_direct(SmmuExtCore *core);
SmmuExtCore *smmu_ext_core_new(SmmuExtInstance *inst,
                               const SmmuExtModule *mod,
                               const SmmuExtGeometry *geo, GError **errp);
void smmu_ext_core_free(SmmuExtCore *core);

#endif /* SMMU_EXT_INSTANCE_PRIV_H */
