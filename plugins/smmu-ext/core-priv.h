/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal interfaces of libsmmu-ext, shared by the core's files.  The
 * simulated host (libsmmu-ext-sim) includes it for the uAPI structures
 * only; it calls nothing hidden.  Not installed.
 */
#ifndef SMMU_EXT_CORE_PRIV_H
#define SMMU_EXT_CORE_PRIV_H

#include <gmodule.h>
#include "smmu-ext.h"
#include "uapi/iommufd.h"

/* --- error.c ------------------------------------------------------------ */

/* Put @src into *@dst; if *@dst already holds an error, append @src's
 * message to it so that both reach the caller.  Takes ownership of @src. */
void smmu_ext_error_append(GError **dst, GError *src);

/* Set an SMMU_EXT_ERROR_KERNEL error: "<what>: <strerror> (errno N)". */
void smmu_ext_set_kernel_error(GError **errp, int err, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* --- log.c -------------------------------------------------------------- */

/* Route a message through the host's log op, or g_log when there is none. */
void smmu_ext_log_to(const SmmuExtHostOps *ops, void *opaque,
                     GLogLevelFlags level, const char *fmt, va_list ap)
    G_GNUC_PRINTF(4, 0);

/* Rate-limited log lines (a window of @interval_us, @burst lines each). */
typedef struct SmmuExtRatelimit {
    int64_t interval_us;
    unsigned burst;
    int64_t begin;
    unsigned printed;
    unsigned missed;
} SmmuExtRatelimit;

#define SMMU_EXT_RATELIMIT_INIT(interval_us_, burst_) \
    { .interval_us = (interval_us_), .burst = (burst_) }

/* The window of the core's per-key limiters (SMMU_EXT_LOG_KEYS). */
#define SMMU_EXT_LOG_KEY_INTERVAL (5 * G_TIME_SPAN_SECOND)
#define SMMU_EXT_LOG_KEY_BURST 10

/* Returns whether the line may be printed now; reports what was
 * suppressed when a new window opens. */
bool smmu_ext_ratelimit_ok(SmmuExtRatelimit *rl, unsigned *suppressed);

/* --- iommufd.c: the only code that issues iommufd ioctls ---------------- */

/* The 1.0 seam table ends with close: smaller tables are refused. */
#define SMMU_EXT_SEAM_OPS_SIZE_1_0 \
    (offsetof(SmmuExtSeamOps, close) + sizeof(((SmmuExtSeamOps *)0)->close))

struct SmmuExtIommufd {
    SmmuExtSeamOps ops_copy;   /* the caller's table, zero-filled past it */
    const SmmuExtSeamOps *ops; /* &ops_copy */
    void *opaque;
    int fd;
    bool owned;                /* close the fd on free */
};

gboolean smmu_ext_iommufd_viommu_alloc(SmmuExtIommufd *fd, uint32_t dev_id,
                                       uint32_t type, uint32_t hwpt_id,
                                       void *data, uint32_t data_len,
                                       uint32_t *out_id, GError **errp);
gboolean smmu_ext_iommufd_vdevice_alloc(SmmuExtIommufd *fd,
                                        uint32_t viommu_id, uint32_t dev_id,
                                        uint64_t virt_id, uint32_t *out_id,
                                        GError **errp);
gboolean smmu_ext_iommufd_veventq_alloc(SmmuExtIommufd *fd,
                                        uint32_t viommu_id, uint32_t type,
                                        uint32_t depth, uint32_t *out_id,
                                        int *out_fd, GError **errp);
gboolean smmu_ext_iommufd_hw_queue_alloc(SmmuExtIommufd *fd,
                                         uint32_t viommu_id, uint32_t type,
                                         uint32_t index, uint64_t gpa,
                                         uint64_t len, uint32_t *out_id,
                                         GError **errp);
/* 0, or the errno of a refused IOMMU_DESTROY (with @errp set). */
int smmu_ext_iommufd_destroy(SmmuExtIommufd *fd, uint32_t id,
                             const char *what, GError **errp);
void *smmu_ext_iommufd_mmap(SmmuExtIommufd *fd, uint64_t offset,
                            uint64_t len, GError **errp);
gboolean smmu_ext_iommufd_munmap(SmmuExtIommufd *fd, void *addr,
                                 uint64_t len, GError **errp);
/* read()/close() of a vEVENTQ fd through the seam: bytes or -errno. */
ssize_t smmu_ext_iommufd_read(SmmuExtIommufd *fd, int evfd, void *buf,
                              size_t count);
int smmu_ext_iommufd_close(SmmuExtIommufd *fd, int evfd);

/* --- registry.c / loader.c / mode.c ------------------------------------- */

/*
 * The smallest descriptor and ops table a module may have: their sizes in
 * module ABI 1.0.  Later minors only append, so a 1.0 module stays
 * loadable; the core reads a module's ops through a zero-filled copy of
 * the current size, so it never reads past what the module provided.
 */
#define SMMU_EXT_DESC_SIZE_1_0 \
    (offsetof(SmmuExtModuleDesc, ops) + sizeof(void *))
#define SMMU_EXT_OPS_SIZE_1_0 \
    (offsetof(SmmuExtOps, counters) + sizeof(void *))

/* The same rule for the host's callbacks and the geometry it reads back:
 * the smallest size of each in API 1.0. */
#define SMMU_EXT_HOST_OPS_SIZE_1_0 \
    (offsetof(SmmuExtHostOps, report_error) + sizeof(void *))
#define SMMU_EXT_GEOMETRY_SIZE_1_0 \
    (offsetof(SmmuExtGeometry, ram_page_size) + sizeof(uint64_t))
#define SMMU_EXT_STATS_SIZE_1_0 \
    (offsetof(SmmuExtStats, reads) + sizeof(uint64_t))

typedef struct SmmuExtModule {
    SmmuExtModuleInfo info;    /* strings point into desc or owned copies */
    const SmmuExtModuleDesc *desc;
    const SmmuExtOps *ops;     /* = &ops_copy */
    SmmuExtOps ops_copy;
    GModule *gmod;             /* NULL for static descriptors */
    char *path;
} SmmuExtModule;

/* Longest extension name (cmdqv=<name>) the loader accepts. */
#define SMMU_EXT_NAME_MAX_LEN 63

struct SmmuExtMode {
    SmmuExtModeKind kind;
    char *name;                /* SMMU_EXT_MODE_NAMED only */
};

/* Load the default directories unless something was loaded already. */
gboolean smmu_ext_registry_ensure_loaded(SmmuExtRegistry *reg,
                                         GError **errp);
gboolean smmu_ext_registry_loaded(const SmmuExtRegistry *reg);
const SmmuExtModule *smmu_ext_registry_get(const SmmuExtRegistry *reg,
                                           guint i);
const SmmuExtModule *smmu_ext_registry_find(const SmmuExtRegistry *reg,
                                            const char *name);
/* "directories searched: ...; modules found: ...; refused: ..." */
char *smmu_ext_registry_describe(const SmmuExtRegistry *reg);

/* Validate a descriptor as the loader does (also for static ones). */
gboolean smmu_ext_desc_check(const SmmuExtModuleDesc *desc, GError **errp);

/* --- eventq.c: the vEVENTQ pump ----------------------------------------- */

typedef struct SmmuExtVeventq SmmuExtVeventq;
typedef void (*SmmuExtEventFn)(void *opaque, const void *payload,
                               size_t len);

struct SmmuExtVeventq {
    uint32_t id;
    int fd;
    uint32_t type;
    uint32_t depth;
    uint32_t payload_len;      /* bytes after the 8-byte header */
    bool have_seq;
    uint32_t last_seq;         /* sequence of the last record seen */
    SmmuExtEventFn deliver;
    void *opaque;
    SmmuExtRatelimit rl;
};

/* Read everything the fd holds now, in batches, delivering each record;
 * losses and malformed records go to @stats and are logged once.
 * Returns the number of records delivered. */
unsigned smmu_ext_veventq_pump(SmmuExtIommufd *fd, SmmuExtVeventq *q,
                               SmmuExtStats *stats,
                               const SmmuExtHostOps *ops, void *opaque);

#endif /* SMMU_EXT_CORE_PRIV_H */
