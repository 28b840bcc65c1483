/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The conformance program: the same scenarios, through the host API, on
 * Linux's iommufd mock driver (the REAL seam: libc on /dev/iommu) and on
 * the simulated kernel's "selftest" profile, each printing a transcript:
 * every kernel call with its outcome, every object by kind, every event.
 * Transcripts of the two must match line for line.
 */
#ifndef CONF_H
#define CONF_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "smmu-ext.h"
#include "smmu-ext-sim.h"
#include "uapi/iommufd-test.h"

typedef struct Conf Conf;

/* One kernel object the transcript names ("viommu1"). */
typedef struct ConfObj {
    uint32_t id;
    char *name;
    bool by_library;           /* created by libsmmu-ext's own calls */
    bool destroyed;
    bool child;                /* raw child of a vIOMMU (vDEVICE, HW queue,
                                * vEVENTQ, nested HWPT) */
    int fd;                    /* vEVENTQ: its fd, -1 once closed */
    uint64_t region_off;       /* vIOMMU: its mmap region */
    uint64_t region_len;
} ConfObj;

struct Conf {
    bool real;                 /* the kernel, not the simulator */
    int fd;                    /* the iommufd */
    SmmuExtSim *sim;           /* simulator only */
    SmmuExtIommufd *handle;    /* what the library uses */
    GString *out;              /* the transcript */
    GPtrArray *objs;           /* ConfObj* */
    unsigned counts[16];       /* per-kind ordinals */
    bool in_library;           /* calls now come from libsmmu-ext */
    bool recording;
    long page;                 /* host page size */
    /* the guest side, filled by the host ops */
    SmmuExtInstance *inst;
    void *direct_ptr;
    size_t direct_len;
    unsigned irqs;
    unsigned warnings;
    unsigned reported;
    /* mock setup of the scenario */
    uint32_t ioas, stdev, idev, auto_hwpt, parent;
    uint8_t *ram;              /* mapped at SE_MOCK_APERTURE_START */
    size_t ram_len;
    unsigned failures;         /* checks that failed */
    unsigned gone_failures;    /* of those, objects left behind */
    /* fault sweep: fail the fail_nth-th kernel allocation of the body */
    unsigned fail_nth;
    int nth_fd;
    bool injected;
    bool control_leak;         /* control: skip the library's teardown */
    SmmuExtInstance *leaked;   /* ... freed only when the iommufd closes */
};

/* --- conf-record.c: the transcript -------------------------------------- */
void conf_line(Conf *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void conf_check(Conf *c, bool ok, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
const char *conf_name(Conf *c, uint32_t id);
ConfObj *conf_obj(Conf *c, uint32_t id);
ConfObj *conf_obj_by_name(Conf *c, const char *name);
void conf_rec_ioctl(Conf *c, unsigned long req, const void *arg, int rc);
void conf_rec_mmap(Conf *c, uint64_t offset, size_t len, int rc);
void conf_rec_munmap(Conf *c, size_t len, int rc);
bool conf_is_event_fd(Conf *c, int fd);
void conf_rec_read(Conf *c, int fd, const void *buf, ssize_t rc);
void conf_rec_close(Conf *c, int fd, int rc);
const char *conf_errname(int err);
/* "ok" or the kernel errnos an API error carries ("EBUSY", "E?") */
char *conf_api_result(bool ok, const GError *err);

/* The seam the library uses on the simulator: recorded, then forwarded
 * to the simulated kernel. */
const SmmuExtSeamOps *conf_sim_seam(void);
/* Raw calls of the conformance program itself, recorded the same way. */
int conf_ioctl(Conf *c, unsigned long req, void *arg);
int conf_mmap(Conf *c, uint64_t offset, size_t len, void **out);
int conf_munmap(Conf *c, void *addr, size_t len);

/* conf-interpose.c (kernel binary) or its stub (simulator binary) */
extern Conf *conf_current;
/* mmaps of the iommufd not yet unmapped */
unsigned conf_live_maps(Conf *c);

/* --- conf-setup.c: the mock's objects, raw ------------------------------ */
bool conf_open(Conf *c, bool real);
void conf_close(Conf *c);
bool conf_setup(Conf *c);
void conf_teardown(Conf *c);
int conf_destroy(Conf *c, uint32_t id);
uint32_t conf_mock_device(Conf *c, uint32_t *stdev, uint32_t *hwpt);
int conf_replace(Conf *c, uint32_t stdev, uint32_t pt_id);
int conf_trigger(Conf *c, uint32_t idev);
int conf_hwpt_nested(Conf *c, uint32_t idev, uint32_t viommu,
                     uint32_t *out);
int conf_viommu_raw(Conf *c, uint32_t hwpt, uint32_t data_len,
                    struct se_iommu_viommu_selftest *data, uint32_t *out);
int conf_hwq_raw(Conf *c, uint32_t viommu, uint32_t index, uint64_t iova,
                 uint64_t len, uint32_t *out);
int conf_veventq_raw(Conf *c, uint32_t viommu, uint32_t type,
                     uint32_t depth, uint32_t *out, int *fd);
int conf_vdevice_raw(Conf *c, uint32_t viommu, uint32_t idev,
                     uint64_t virt_id, uint32_t *out);
int conf_close_fd(Conf *c, int fd);
/* Undo what the program itself still holds on a vIOMMU (a raw call that
 * was expected to fail but succeeded, a cleanup an injected fault broke),
 * so that the library's teardown is judged on its own objects. */
void conf_release_raw(Conf *c);
/* Library objects must all be gone: DESTROY of each answers ENOENT. */
void conf_check_gone(Conf *c);

/* conformance.c: arm fail-nth after the mock setup, disarm after the
 * library's teardown (no-ops outside the sweep). */
void conf_arm(Conf *c);
void conf_disarm(Conf *c);

/* --- conf-guest.c: the instance and the guest's view -------------------- */
bool conf_instance(Conf *c, const char *mode);
void conf_instance_free(Conf *c);
bool conf_api(Conf *c, const char *what, bool ok, GError *err);
uint32_t conf_rd(Conf *c, uint64_t off);
void conf_wr(Conf *c, uint64_t off, uint32_t v);
void conf_show(Conf *c, const char *what, uint64_t off);
void conf_queue(Conf *c, unsigned q, uint64_t base, uint32_t len, bool en);
void conf_show_queues(Conf *c);
void conf_dispatch(Conf *c);
void conf_pop_events(Conf *c);

/* --- conf-scenarios.c --------------------------------------------------- */
typedef void (*ConfScenarioFn)(Conf *c);
typedef struct ConfScenario {
    const char *name;
    ConfScenarioFn fn;
    bool sweep;                /* part of the fault sweep */
} ConfScenario;
extern const ConfScenario conf_scenarios[];
extern const unsigned conf_n_scenarios;

#endif /* CONF_H */
