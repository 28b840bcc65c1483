/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private state of the simulated host: the iommufd object table, the
 * Tegra241 CMDQV hardware model and the fault injector.  Shared by the
 * files of sim/ only; tests reach it through smmu-ext-sim.h.
 */
#ifndef SMMU_EXT_SIM_PRIV_H
#define SMMU_EXT_SIM_PRIV_H

#include "core-priv.h"
#include "smmu-ext-sim.h"

/* --- the simulated machine --------------------------------------------- */

#define SIM_N_VINTFS        4       /* VINTF0 belongs to the host kernel */
#define SIM_LOG2_LVCMDQS    1       /* logical VCMDQs per VINTF */
#define SIM_N_LVCMDQS       (1u << SIM_LOG2_LVCMDQS)
#define SIM_LOG2_VSIDS      4
#define SIM_N_SID_SLOTS     (1u << SIM_LOG2_VSIDS)
#define SIM_CMDQV_VERSION   1
#define SIM_IDR1_CMDQS      19      /* log2 entries of the largest queue */
#define SIM_VSID_MAX        0xfffffu /* SID_MATCH.VIRT_SID is 20 bits */
#define SIM_PAGE0_SIZE      0x10000u /* VINTF page0, what mmap exposes */
#define SIM_VEVENTQ_MAX_DEPTH (1u << 19) /* eventq.c VEVENTQ_MAX_DEPTH */

/* VCMDQ page0 registers, per logical queue at 0x80 * q. */
#define SIM_VCMDQ_STRIDE    0x80u
#define SIM_VCMDQ_CONS      0x00u
#define SIM_VCMDQ_PROD      0x04u
#define SIM_VCMDQ_CONFIG    0x08u
#define SIM_VCMDQ_STATUS    0x0cu
#define SIM_VCMDQ_GERROR    0x10u
#define SIM_VCMDQ_GERRORN   0x14u
#define SIM_CONS_ERR_SHIFT  24
#define SIM_CONS_ERR_MASK   (0x7fu << SIM_CONS_ERR_SHIFT)
#define SIM_CONS_ERR_ILL    1u
#define SIM_CONS_ERR_ABT    2u
#define SIM_GERROR_CMDQ_ERR (1u << 0)
/* VCMDQ page1 BASE: address [47:5], log2 entries [4:0]. */
#define SIM_VCMDQ_ADDR_MASK 0x0000fffffffffe0ull

/* SMMUv3 command opcodes a guest VCMDQ may carry. */
#define SIM_CMD_TLBI_NH_ASID 0x11
#define SIM_CMD_TLBI_NH_VA   0x12
#define SIM_CMD_ATC_INV      0x40
#define SIM_CMD_SYNC         0x46

/* vEVENT payload sizes. */
#define SIM_EVT_SMMUV3_LEN   32u
#define SIM_EVT_TEGRA_LEN    16u
#define SIM_EVT_MAX_LEN      32u

/* --- objects ------------------------------------------------------------ */

typedef enum SimObjType {
    SIM_OBJ_IOAS,
    SIM_OBJ_HWPT,
    SIM_OBJ_DEVICE,
    SIM_OBJ_VIOMMU,
    SIM_OBJ_VDEVICE,
    SIM_OBJ_VEVENTQ,
    SIM_OBJ_HW_QUEUE,
    SIM_OBJ_LEAKED,          /* id of a force-destroyed vDEVICE */
    SIM_OBJ_STDEV,           /* selftest profile: a mock device's owner */
} SimObjType;

/* Every object starts with this; @users counts what makes DESTROY EBUSY. */
typedef struct SimObj {
    uint32_t id;
    SimObjType type;
    unsigned users;
} SimObj;

typedef struct SimViommu SimViommu;
typedef struct SimVdevice SimVdevice;

typedef struct SimDevice {
    SimObj obj;
    uint32_t psid;
    SimVdevice *vdev;
} SimDevice;

struct SimVdevice {
    SimObj obj;
    SimViommu *viommu;
    SimDevice *dev;
    uint64_t virt_id;
    int slot;                /* Tegra241 SID slot, -1 without */
};

typedef struct SimHwQueue {
    SimObj obj;
    SimViommu *viommu;
    uint32_t index;
    uint64_t gpa;
    uint64_t len;
    unsigned log2size;       /* log2 of 16-byte entries */
    uint64_t base;           /* page1 BASE as the host programmed it */
} SimHwQueue;

typedef struct SimRecord {
    uint32_t seq;
    uint32_t len;
    uint8_t payload[SIM_EVT_MAX_LEN];
} SimRecord;

typedef struct SimVeventq {
    SimObj obj;
    SimViommu *viommu;
    uint32_t type;
    uint32_t depth;
    int fd;                  /* eventfd handed out; -1 once closed */
    bool signalled;          /* the eventfd counter is non-zero */
    GQueue records;          /* SimRecord*, normal events only */
    uint32_t seq;            /* next sequence number */
    bool lost;               /* a LOST_EVENTS header sits at the tail */
    uint32_t lost_seq;
} SimVeventq;

struct SimViommu {
    SimObj obj;
    uint32_t type;
    uint32_t dev_id;
    GList *veventqs;         /* SimVeventq* */
    GList *vdevices;         /* SimVdevice* */
    /* Tegra241 (type TEGRA241_CMDQV) only */
    int vintf;               /* -1 for a plain vIOMMU */
    uint64_t region_len;     /* bytes of its mmap region (page0) */
    SimObj *parent;          /* selftest profile: the nest-parent HWPT */
    /* selftest profile: the mock's hw_queue[] slots (see selftest.c) */
    bool mock_taken[SIM_N_LVCMDQS];
    SimHwQueue *mock_q[SIM_N_LVCMDQS];
    int memfd;               /* VINTF page0 */
    uint8_t *page0;          /* the sim's own mapping of it */
    uint64_t mmap_offset;
    bool mmap_registered;
    SimHwQueue *queues[SIM_N_LVCMDQS];
    /* Each VCMDQ's GERROR: a read-only hardware toggle that outlives the
     * HW queues on it (their setup and teardown only acknowledge it). */
    uint32_t gerror[SIM_N_LVCMDQS];
    SimVdevice *sid_owner[SIM_N_SID_SLOTS];
    uint32_t sid_match[SIM_N_SID_SLOTS];
    uint32_t sid_replace[SIM_N_SID_SLOTS];
    uint64_t err_map[2];     /* LVCMDQ_ERR_MAP, bit n = LVCMDQ n */
};

typedef struct SimMapping {
    void *addr;
    size_t len;
    SimViommu *viommu;
} SimMapping;

typedef struct SimRam {
    uint64_t gpa;
    uint64_t size;
    uint64_t page_size;
    uint8_t *hva;
} SimRam;

typedef struct SimFault {
    SmmuExtSimOp op;
    int err;
    unsigned remaining;
} SimFault;

/* A hardware fault armed on a logical VCMDQ (smmu_ext_sim_fail_cmd). */
typedef struct SimCmdFault {
    unsigned remaining;      /* 0: disarmed */
    SmmuExtSimCmdErr err;
} SimCmdFault;

struct SmmuExtSim {
    SmmuExtSimProfile profile;
    int iommufd;             /* a real fd that reserves the number */
    SmmuExtIommufd *handle;
    GHashTable *objects;     /* id -> SimObj* */
    uint32_t ioas_id;
    uint32_t hwpt_id;
    bool vintf_used[SIM_N_VINTFS];
    GHashTable *fds;         /* fd -> SimVeventq* (open fds only) */
    GList *mappings;         /* SimMapping* */
    GArray *ram;             /* SimRam */
    GList *faults;           /* SimFault* */
    uint64_t next_mmap_offset;
    unsigned calls[SMMU_EXT_SIM_OP_N];
    unsigned live[SMMU_EXT_SIM_KIND_N];
    unsigned open_fds;
    uint64_t cmd_count[256];
    uint64_t queue_cmd_count[SIM_N_LVCMDQS][256];
    SmmuExtSimCmdFn cmd_fn;  /* the SMMU that executes VCMDQ commands */
    void *cmd_opaque;
    SimCmdFault cmd_fault[SIM_N_LVCMDQS];
    uint32_t idr[6];
    uint32_t iidr;
    uint32_t aidr;
};

/* --- kernel.c ----------------------------------------------------------- */

SimObj *sim_obj_lookup(SmmuExtSim *sim, uint32_t id, SimObjType type);
uint32_t sim_obj_insert(SmmuExtSim *sim, SimObj *obj, SimObjType type);
void sim_obj_remove(SmmuExtSim *sim, SimObj *obj);
SimViommu *sim_first_viommu(const SmmuExtSim *sim);

/* --- objects.c: the ioctl handlers (args already size-checked) ---------- */

int sim_get_hw_info(SmmuExtSim *sim, struct se_iommu_hw_info *cmd);
int sim_viommu_alloc(SmmuExtSim *sim, struct se_iommu_viommu_alloc *cmd);
int sim_vdevice_alloc(SmmuExtSim *sim, struct se_iommu_vdevice_alloc *cmd);
int sim_veventq_alloc(SmmuExtSim *sim, struct se_iommu_veventq_alloc *cmd);
int sim_hw_queue_alloc(SmmuExtSim *sim, struct se_iommu_hw_queue_alloc *cmd);
int sim_destroy(SmmuExtSim *sim, uint32_t id);
/* Destroy without reference checks (teardown, device unbind). */
void sim_vdevice_free(SmmuExtSim *sim, SimVdevice *vd, bool leak_id);
void sim_hw_queue_free(SmmuExtSim *sim, SimHwQueue *hq);
void sim_viommu_free(SmmuExtSim *sim, SimViommu *v);

/* The core's pin of a HW queue's memory: 0, ENOENT (not mapped) or
 * EFAULT (not physically contiguous). */
int sim_pin_check(const SmmuExtSim *sim, uint64_t iova, uint64_t len);

/* RAM: the host address of [gpa, gpa + len) if it lies in one region. */
uint8_t *sim_ram_hva(const SmmuExtSim *sim, uint64_t gpa, uint64_t len);

/* --- veventq.c ---------------------------------------------------------- */

SimVeventq *sim_veventq_new(SmmuExtSim *sim, SimViommu *v, uint32_t type,
                            uint32_t depth, int *err);
void sim_veventq_free(SmmuExtSim *sim, SimVeventq *q);
SimVeventq *sim_veventq_find(SimViommu *v, uint32_t type);
/* Queue one event (LOST_EVENTS when full); FALSE if no vEVENTQ. */
gboolean sim_veventq_report(SimViommu *v, uint32_t type, const void *payload,
                            uint32_t len);
ssize_t sim_veventq_read(SimVeventq *q, void *buf, size_t count);
void sim_veventq_close_fd(SmmuExtSim *sim, SimVeventq *q);

/* --- mmap.c ------------------------------------------------------------- */

int sim_page0_create(SimViommu *v);
void sim_page0_destroy(SimViommu *v);
int sim_mmap(SmmuExtSim *sim, uint64_t offset, size_t len, void **out);
int sim_munmap(SmmuExtSim *sim, void *addr, size_t len);
void sim_unmap_all(SmmuExtSim *sim);

/* --- hw.c --------------------------------------------------------------- */

uint32_t sim_page0_read(const SimViommu *v, unsigned q, unsigned reg);
void sim_page0_write(SimViommu *v, unsigned q, unsigned reg, uint32_t val);
/* Queue slot reset as the host driver's VCMDQ deinit does it. */
void sim_vcmdq_deinit(SimViommu *v, unsigned q);
gboolean sim_tegra_report(SimViommu *v);

/* --- selftest.c: the selftest profile (Linux's iommufd mock) ---------- */

/* Whether @nr is an ioctl of the profile beyond the shared ones. */
bool sim_selftest_has_ioctl(const SmmuExtSim *sim, unsigned nr);
int sim_selftest_ioctl(SmmuExtSim *sim, unsigned nr, void *k);
int sim_selftest_destroy(SmmuExtSim *sim, SimObj *obj);
void sim_selftest_hw_queue_free(SmmuExtSim *sim, SimHwQueue *hq);
void sim_selftest_viommu_free(SmmuExtSim *sim, SimViommu *v);

/* --- fault.c ------------------------------------------------------------ */

/* Count a call of @op; returns a positive errno if it must fail now. */
int sim_fault_check(SmmuExtSim *sim, SmmuExtSimOp op);

#endif /* SMMU_EXT_SIM_PRIV_H */
