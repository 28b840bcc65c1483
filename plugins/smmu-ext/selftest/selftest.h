/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "selftest" extension: the guest-facing model of Linux's iommufd mock
 * driver (CONFIG_IOMMUFD_TEST), a second real extension beside Tegra241.
 * It does what the mock does, through the same core services: it probes
 * hw_info type 0xfeedbeef, allocates the SELFTEST vIOMMU with its driver
 * data both ways, maps the vIOMMU's 2-page region and overlays it on the
 * guest's window, owns two SELFTEST HW queues (allocated ascending and
 * destroyed descending by the core), decodes SELFTEST vEVENTs and follows
 * the vDEVICE lifecycle.  It has no emulated mode: the mock is its
 * hardware.
 *
 * Guest register map (4-byte registers, little-endian):
 *   0x000 ID          RO  hw_info test_reg (0xdeadbeef)
 *   0x004 STATUS      RO  bit0 VIOMMU, bit1 DIRECT (window overlaid),
 *                         bit2 LOOPBACK (out_data and page word 0 equal
 *                         the cookie the module sent)
 *   0x008 COOKIE      RO  in_data the module sent with VIOMMU_ALLOC
 *   0x00c DATA        RO  out_data the kernel wrote back
 *   0x010 WINDOW_LEN  RO  bytes of the window backed by the region
 *   0x014 VDEVS       RO  vDEVICEs of this vIOMMU
 *   0x018 EVT_COUNT   RO  vEVENTs decoded since reset
 *   0x01c EVT_PENDING RO  decoded vEVENTs not yet popped
 *   0x020 EVT_POP     RO  oldest pending vEVENT's virt_id (pops it);
 *                         0 when none is pending
 *   0x024 EVT_BAD     RO  vEVENTs whose virt_id is no vDEVICE of ours
 *   0x028 EVT_DROPPED RO  decoded vEVENTs the pending FIFO had no room for
 *   0x100 + 0x20 * q  HW queue q (q = 0, 1):
 *         +0x00 BASE_LO  RW  guest-physical base (IOVA in the nest parent)
 *         +0x04 BASE_HI  RW
 *         +0x08 LEN      RW  bytes
 *         +0x0c CTRL     RW  bit0 EN: the queue should exist; each write
 *                            applies BASE and LEN (latched until then) and
 *                            retries what the kernel refused
 *         +0x10 STATUS   RO  bit0 LIVE (the kernel object exists),
 *                            bit1 WAIT (waits for queue q - 1),
 *                            bit2 ERR (the kernel refused the last change),
 *                            bits 15:8 ERRNO (the kernel's errno with ERR)
 *   0x10000           the window: the vIOMMU's region (the mock's two host
 *                     pages), up to 0x20000 bytes; any access size
 *
 * Guest-visible errors (documented here, tested by the kernel suite):
 *   - a queue enabled above a missing one shows WAIT and goes LIVE by
 *     itself once the lower queue is LIVE (the kernel would say EIO);
 *   - a queue the kernel refuses shows ERR with the errno: EIO (5) if the
 *     kernel's queue below it is gone, EEXIST (17) if the index is taken,
 *     ENOENT (2) for memory not mapped in the nest parent, EINVAL (22)
 *     for a zero length;
 *   - disabling a queue another holder depends on shows ERR with EBUSY
 *     (16) and stays LIVE.
 * Interrupt line 0 pulses for each decoded vEVENT.
 */
#ifndef SMMU_EXT_SELFTEST_H
#define SMMU_EXT_SELFTEST_H

#include <string.h>
#include "smmu-ext.h"
#include "uapi/iommufd-test.h"

#ifndef SELFTEST_MODULE_VERSION
#define SELFTEST_MODULE_VERSION "0"
#endif

#define ST_MMIO_SIZE        0x30000u
#define ST_WINDOW           0x10000u
#define ST_WINDOW_MAX       0x20000u

#define A_ST_ID             0x000u
#define A_ST_STATUS         0x004u
#define A_ST_COOKIE         0x008u
#define A_ST_DATA           0x00cu
#define A_ST_WINDOW_LEN     0x010u
#define A_ST_VDEVS          0x014u
#define A_ST_EVT_COUNT      0x018u
#define A_ST_EVT_PENDING    0x01cu
#define A_ST_EVT_POP        0x020u
#define A_ST_EVT_BAD        0x024u
#define A_ST_EVT_DROPPED    0x028u
#define A_ST_QUEUE(q)       (0x100u + 0x20u * (q))
#define ST_QUEUE_END        A_ST_QUEUE(SE_IOMMU_TEST_HW_QUEUE_MAX)
#define ST_Q_BASE_LO        0x00u
#define ST_Q_BASE_HI        0x04u
#define ST_Q_LEN            0x08u
#define ST_Q_CTRL           0x0cu
#define ST_Q_STATUS         0x10u

#define ST_STATUS_VIOMMU    (1u << 0)
#define ST_STATUS_DIRECT    (1u << 1)
#define ST_STATUS_LOOPBACK  (1u << 2)

#define ST_CTRL_EN          (1u << 0)
#define ST_QS_LIVE          (1u << 0)
#define ST_QS_WAIT          (1u << 1)
#define ST_QS_ERR           (1u << 2)
#define ST_QS_ERRNO_SHIFT   8
#define ST_QS_ERRNO_MASK    (0xffu << ST_QS_ERRNO_SHIFT)

#define ST_IRQ_EVENT        0
#define ST_EVENTQ_DEPTH     16
#define ST_EVT_FIFO         64
#define ST_MAX_VDEVS        64

typedef struct SelftestQueue {
    uint64_t base;
    uint32_t len;
    uint32_t ctrl;
    uint32_t status;
} SelftestQueue;

typedef struct SelftestVdev {
    uint32_t dev_id;
    uint64_t vsid;
} SelftestVdev;

typedef struct Selftest {
    SmmuExtCore *core;
    uint32_t cookie;           /* in_data of the current vIOMMU */
    uint32_t data;             /* out_data the kernel echoed */
    bool viommu;
    bool loopback;
    uint8_t *page;             /* the vIOMMU's region (core's mapping) */
    uint64_t page_len;
    SelftestQueue q[SE_IOMMU_TEST_HW_QUEUE_MAX];
    unsigned failed_seen;      /* queues told FAILED during one change */
    SelftestVdev vdevs[ST_MAX_VDEVS];
    unsigned n_vdevs;
    uint32_t evt_count;
    uint32_t evt_bad;
    uint32_t evt_dropped;
    uint32_t fifo[ST_EVT_FIFO];
    unsigned fifo_head;
    unsigned fifo_len;
} Selftest;

/* Key of the core's per-instance rate limiter for guest misuse. */
enum {
    ST_LOG_GUEST,
};

/* viommu.c: discovery, the vIOMMU, its region and the direct window */
bool selftest_probe(const SmmuExtProbeInput *in, SmmuExtGeometry *geo,
                    GError **errp);
bool selftest_init(void *state, SmmuExtCore *core, SmmuExtGeometry *geo,
                   GError **errp);
void selftest_finalize(void *state);
void selftest_viommu_data_in(void *state, void *buf, size_t len);
bool selftest_viommu_ready(void *state, const void *data, size_t len,
                           GError **errp);
void selftest_viommu_gone(void *state);
void selftest_reset(void *state);
void selftest_map_window(Selftest *s);

/* queues.c: the two HW queues */
uint32_t selftest_queue_read(Selftest *s, unsigned q, unsigned reg);
void selftest_queue_write(Selftest *s, unsigned q, unsigned reg,
                          uint32_t value);
void selftest_hw_queue_changed(void *state, uint32_t type, uint32_t index,
                               SmmuExtHwQueueEvent ev, const GError *error);
void selftest_queues_reset(Selftest *s);

/* events.c: vEVENTs and vDEVICEs */
void selftest_event(void *state, const void *payload, size_t len);
void selftest_vdevice_changed(void *state, uint32_t dev_id, uint64_t vsid,
                              bool present);
uint32_t selftest_event_pop(Selftest *s);
void selftest_events_reset(Selftest *s);

/* mmio.c */
uint64_t selftest_mmio_read(void *state, uint64_t offset, unsigned size);
void selftest_mmio_write(void *state, uint64_t offset, uint64_t value,
                         unsigned size);

#endif /* SMMU_EXT_SELFTEST_H */
