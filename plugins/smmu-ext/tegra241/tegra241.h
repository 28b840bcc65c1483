/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private state of the Tegra241 CMDQV module, shared by its files only.
 * Everything here has hidden visibility (the module is built with
 * -fvisibility=hidden); the descriptor is the only export.
 */
#ifndef TEGRA241_H
#define TEGRA241_H

#include <string.h>
#include <glib.h>
#include "smmu-ext.h"
#include "uapi/iommufd.h"
#include "regs.h"

#define T241_HWQ_TYPE   SE_IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV

/* The register cache of one VCMDQ: what the guest sees while the queue has
 * no live host HW queue (and the snapshot taken when one goes away). */
typedef struct Tegra241Vcmdq {
    uint32_t cons;
    uint32_t prod;
    uint32_t config;
    uint32_t gerror;
    uint32_t gerrorn;
    uint64_t base;
    uint64_t cons_base;
} Tegra241Vcmdq;

/* Every guest-visible register that is not derived from others; this is
 * exactly what save/load carries. */
typedef struct Tegra241Regs {
    uint32_t config;
    uint32_t vi_int_mask[2];
    uint32_t vi_err_map[2];
    uint32_t err_map[4];       /* CMDQ_ERR_MAP == VINTF0 LVCMDQ_ERR_MAP */
    uint32_t cmdq_alloc[T241_MAX_QUEUES];
    uint32_t vintf_config;
    uint32_t sid_match[T241_MAX_VSIDS];
    uint32_t sid_replace[T241_MAX_VSIDS];
    Tegra241Vcmdq q[T241_MAX_QUEUES];
} Tegra241Regs;

/*
 * Keys of the core's per-instance rate limiters (smmu_ext_core_guest_error
 * and _log_limited): one kind of message flooding cannot silence another.
 */
enum {
    T241_LOG_MMIO,             /* unhandled MMIO, bad BASE/LOG2SIZE */
    T241_LOG_CMD,              /* emulated command errors */
    T241_LOG_EVENT,            /* malformed vEVENTs */
    T241_LOG_MAP,              /* overlay cannot be mapped */
};

/* Diagnostic counters of one VCMDQ (counters.c). */
enum {
    T241_CNT_TLBI_NH_ASID,     /* commands executed, by opcode */
    T241_CNT_TLBI_NH_VA,
    T241_CNT_ATC_INV,
    T241_CNT_SYNC,
    T241_CNT_OTHER,
    T241_CNT_DROPPED,          /* consumed, not executed (test switch) */
    T241_CNT_ERRORS,           /* queue errors: CONS errors, vEVENTs */
    T241_CNT_N
};

/* SMMU_EXT_TEGRA241_BREAK, read once at init: a deliberately broken
 * model, so that a test harness can prove its checks fail. */
typedef enum Tegra241Break {
    T241_BREAK_NONE,
    T241_BREAK_DROP,           /* emulated: CONS advances, nothing runs */
    T241_BREAK_DISABLE,        /* CMDQV_EN / VINTF EN never take effect */
    T241_BREAK_TRAP,           /* accelerated: page0 is never mapped */
} Tegra241Break;

typedef struct Tegra241Cmdqv {
    SmmuExtCore *core;
    SmmuExtGeometry geo;
    uint32_t param;
    Tegra241Regs r;

    /* host side (accelerated mode) */
    uint8_t *page;             /* mmap'd host VINTF page0, NULL if none */
    uint64_t page_len;
    bool live[T241_MAX_QUEUES];      /* host HW queue exists */
    /*
     * A live queue the hardware cannot show as the guest left it: held
     * while its error is unacknowledged (the cache serves it, the host
     * queue stays disabled), and GERROR's difference from the hardware's
     * (the trap translates).  vcmdq.c's header says why.
     */
    bool held[T241_MAX_QUEUES];
    uint32_t gerror_bias[T241_MAX_QUEUES];
    bool waiting[T241_MAX_QUEUES];   /* for a lower index (the core's ORDER) */
    /*
     * Queue q's slot in the host page while it is live there, neither
     * held nor biased, else NULL: the one test the MMIO fast path makes.
     * Written only through tegra241_vcmdq_sync_slot() in vcmdq.c.
     */
    uint8_t *hw_slot[T241_MAX_QUEUES];
    bool consuming;            /* emulated: inside a ring walk */
    GError *hwq_report;        /* queue failures of the current write */
    /* Inside tegra241_vcmdq_update_all(): the queues the core has already
     * brought up or given up on in this write, so none is tried twice. */
    bool updating_all;
    bool settled[T241_MAX_QUEUES];
    unsigned n_vdevices;

    /*
     * Derived from r.cmdq_alloc (never saved): the queues with ALLOCATED
     * set, so that VINTF0 STATUS does not count them on every read.
     * Kept by tegra241_vintf_recount() and CMDQ_ALLOC writes.
     */
    unsigned n_allocated;

    /* diagnostics: not guest state, never saved, kept across reset */
    Tegra241Break brk;
    uint64_t (*counters)[T241_CNT_N];  /* geo.n_queues rows, from init */
} Tegra241Cmdqv;

/* cmdqv.c: lifecycle */
bool tegra241_cmdqv_probe(const SmmuExtProbeInput *in, SmmuExtGeometry *geo,
                          GError **errp);
bool tegra241_cmdqv_init(void *state, SmmuExtCore *core,
                         SmmuExtGeometry *geo, GError **errp);
void tegra241_cmdqv_finalize(void *state);
bool tegra241_cmdqv_viommu_ready(void *state, const void *data, size_t len,
                                 GError **errp);
void tegra241_cmdqv_viommu_gone(void *state);
void tegra241_cmdqv_vdevice_changed(void *state, uint32_t dev_id,
                                    uint64_t vsid, bool present);
void tegra241_cmdqv_reset(void *state);
void tegra241_cmdqv_reset_regs(Tegra241Cmdqv *s);
bool tegra241_cmdqv_accel(const Tegra241Cmdqv *s);

/* mmio.c: offset decode and dispatch */
uint64_t tegra241_mmio_read(void *state, uint64_t offset, unsigned size);
void tegra241_mmio_write(void *state, uint64_t offset, uint64_t value,
                         unsigned size);

/* vintf.c: config page and VINTF0 block; the page0 overlay */
bool tegra241_vintf_read(Tegra241Cmdqv *s, uint32_t offset, unsigned size,
                         uint64_t *value);
bool tegra241_vintf_write(Tegra241Cmdqv *s, uint32_t offset, uint64_t value,
                          unsigned size);
void tegra241_vintf_overlay_update(Tegra241Cmdqv *s);
void tegra241_vintf_recount(Tegra241Cmdqv *s);

/* vcmdq.c: queues, both apertures, HW queue lifecycle */
bool tegra241_vcmdq_page0_read(Tegra241Cmdqv *s, unsigned q, uint32_t reg,
                               uint32_t *value);
bool tegra241_vcmdq_page0_write(Tegra241Cmdqv *s, unsigned q, uint32_t reg,
                                uint32_t value);
bool tegra241_vcmdq_page1_read(Tegra241Cmdqv *s, unsigned q, uint32_t reg,
                               unsigned size, uint64_t *value);
bool tegra241_vcmdq_page1_write(Tegra241Cmdqv *s, unsigned q, uint32_t reg,
                                uint64_t value, unsigned size);
bool tegra241_vcmdq_error_active(Tegra241Cmdqv *s, unsigned q);
bool tegra241_vcmdq_init_err_pending(const Tegra241Cmdqv *s, unsigned q);
void tegra241_vcmdq_raise_init_err(Tegra241Cmdqv *s, unsigned q);
void tegra241_vcmdq_update(Tegra241Cmdqv *s, unsigned q);
void tegra241_vcmdq_update_all(Tegra241Cmdqv *s);
void tegra241_vcmdq_snapshot(Tegra241Cmdqv *s, unsigned q);
void tegra241_vcmdq_set_live(Tegra241Cmdqv *s, unsigned q, bool live);
void tegra241_vcmdq_set_page(Tegra241Cmdqv *s, uint8_t *page, uint64_t len);
void tegra241_vcmdq_hw_queue_changed(void *state, uint32_t type,
                                     uint32_t index, SmmuExtHwQueueEvent ev,
                                     const GError *error);

/* events.c: error maps and the interrupt */
void tegra241_event(void *state, const void *payload, size_t len);
void tegra241_err_raise(Tegra241Cmdqv *s, uint64_t lo, uint64_t hi);
void tegra241_err_drop_acked(Tegra241Cmdqv *s);

/* emulate.c: emulated mode, the module consumes the rings itself */
void tegra241_emu_kick(Tegra241Cmdqv *s, unsigned q);

/* counters.c: diagnostics and the test-only fault switch */
void tegra241_count_cmd(Tegra241Cmdqv *s, unsigned q, uint8_t op);
void tegra241_count_errors(Tegra241Cmdqv *s, uint64_t lo, uint64_t hi);
void tegra241_counters(void *state, SmmuExtCounterFn emit, void *ctx);
void tegra241_break_init(Tegra241Cmdqv *s);

/* state.c: migration blob (emulated mode) */
bool tegra241_state_save(void *state, GByteArray *out, GError **errp);
bool tegra241_state_load(void *state, const void *buf, size_t len,
                         GError **errp);

/* mmio.c: one rate limit for every guest misuse of the register file */

/*
 * Register values and queue state read on the MMIO fast path (mmio.c) as
 * well as by the complete handlers, so that each has one definition.
 */

static inline bool
tegra241_vintf_enabled(const Tegra241Cmdqv *s)
{
    return (s->r.config & T241_CONFIG_CMDQV_EN) &&
           (s->r.vintf_config & T241_VINTF_CONFIG_EN);
}

static inline bool
tegra241_vcmdq_allocated(const Tegra241Cmdqv *s, unsigned q)
{
    return s->r.cmdq_alloc[q] & T241_CMDQ_ALLOC_ALLOCATED;
}

/* The queue is served by its slot in the host VINTF page0. */
static inline bool
tegra241_vcmdq_on_hw(const Tegra241Cmdqv *s, unsigned q)
{
    return s->hw_slot[q];
}

/* Only while tegra241_vcmdq_on_hw(). */
static inline volatile uint32_t *
tegra241_vcmdq_hw_reg(Tegra241Cmdqv *s, unsigned q, uint32_t reg)
{
    return (volatile uint32_t *)(s->hw_slot[q] + reg);
}

static inline uint32_t
tegra241_vcmdq_hw_read(Tegra241Cmdqv *s, unsigned q, uint32_t reg)
{
    return GUINT32_FROM_LE(*tegra241_vcmdq_hw_reg(s, q, reg));
}

static inline void
tegra241_vcmdq_hw_write(Tegra241Cmdqv *s, unsigned q, uint32_t reg,
                        uint32_t value)
{
    *tegra241_vcmdq_hw_reg(s, q, reg) = GUINT32_TO_LE(value);
}

/* Two loads rather than four: only "any bit" matters, not the order. */
static inline bool
tegra241_err_any(const Tegra241Cmdqv *s)
{
    uint64_t w[2];

    memcpy(w, s->r.err_map, sizeof(w));
    return w[0] | w[1];
}

/*
 * Before the error maps are read: bits of acknowledged queues drop.  With
 * no bit set there is nothing to look at but the VINTF summary bit.
 */
static inline void
tegra241_err_refresh(Tegra241Cmdqv *s)
{
    if (G_UNLIKELY(tegra241_err_any(s))) {
        tegra241_err_drop_acked(s);
    } else {
        s->r.vi_err_map[0] &= ~1u;
    }
}

static inline uint32_t
tegra241_status(const Tegra241Cmdqv *s)
{
    return s->r.config & T241_CONFIG_CMDQV_EN ? T241_STATUS_CMDQV_ENABLED : 0;
}

/* VINTF0 STATUS, after tegra241_err_refresh(). */
static inline uint32_t
tegra241_vintf_status(const Tegra241Cmdqv *s)
{
    uint32_t st = 0;

    if (s->r.vintf_config & T241_VINTF_CONFIG_EN) {
        st |= T241_VINTF_STATUS_ENABLED;
    }
    if (tegra241_err_any(s)) {
        st |= T241_SET(T241_VINTF_STATUS_CODE, T241_VINTF_STATUS_VCMDQ_ERROR);
    }
    G_STATIC_ASSERT(T241_MAX_QUEUES <= 0xff);   /* NUM_LVCMDQ is 8 bits */
    return st | T241_SET(T241_VINTF_STATUS_NUM_LVCMDQ, s->n_allocated);
}

#endif /* TEGRA241_H */
