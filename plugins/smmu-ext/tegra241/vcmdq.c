/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VCMDQs: the register cache, the two page0 apertures and page1, and the
 * host HW queue that backs a queue once the guest has made it ready.
 *
 * A queue is served from its host page slot while it has a live HW queue
 * and from the cache otherwise; the cache is filled from the hardware when
 * the HW queue goes and pushed back when one comes, so the guest never
 * sees the move.
 *
 * Two things the host cannot write into a new HW queue: an unacknowledged
 * error (the kernel acknowledges it when it sets the queue up, and GERROR
 * is read-only), and a GERROR toggle state other than the hardware's.  So
 * a queue whose cached error is active is held: the cache keeps serving
 * it, and the hardware queue stays disabled until the guest acknowledges
 * (GERRORN = GERROR), exactly as a stopped queue stays stopped.  And where
 * the guest's GERROR differs from the hardware's (a new vIOMMU, an
 * acknowledged CMDQ_INIT_ERR), the difference is kept as a bias and the
 * queue is served through the trap, GERROR and GERRORN translated.
 */
#include "tegra241.h"

/* The queue's registers are in the hardware (maybe translated). */
static bool
tegra241_vcmdq_backed(const Tegra241Cmdqv *s, unsigned q)
{
    return s->live[q] && s->page && !s->held[q];
}

static volatile uint32_t *
tegra241_vcmdq_page_reg(Tegra241Cmdqv *s, unsigned q, uint32_t reg)
{
    return (volatile uint32_t *)(s->page + q * T241_VCMDQ_STRIDE + reg);
}

static uint32_t
tegra241_vcmdq_bias(const Tegra241Cmdqv *s, unsigned q, uint32_t reg)
{
    return reg == T241_VCMDQ_GERROR || reg == T241_VCMDQ_GERRORN ?
           s->gerror_bias[q] : 0;
}

/* A hardware register as the guest sees it; only while backed. */
static uint32_t
tegra241_vcmdq_backed_read(Tegra241Cmdqv *s, unsigned q, uint32_t reg)
{
    return GUINT32_FROM_LE(*tegra241_vcmdq_page_reg(s, q, reg)) ^
           tegra241_vcmdq_bias(s, q, reg);
}

static void
tegra241_vcmdq_backed_write(Tegra241Cmdqv *s, unsigned q, uint32_t reg,
                            uint32_t value)
{
    *tegra241_vcmdq_page_reg(s, q, reg) =
        GUINT32_TO_LE(value ^ tegra241_vcmdq_bias(s, q, reg));
}

bool
tegra241_vcmdq_init_err_pending(const Tegra241Cmdqv *s, unsigned q)
{
    const Tegra241Vcmdq *c = &s->r.q[q];

    return (c->gerror ^ c->gerrorn) & T241_GERROR_CMDQ_INIT_ERR;
}

bool
tegra241_vcmdq_error_active(Tegra241Cmdqv *s, unsigned q)
{
    const Tegra241Vcmdq *c = &s->r.q[q];

    /* The bias is the same on both: compare the hardware's. */
    if (tegra241_vcmdq_backed(s, q)) {
        return tegra241_vcmdq_backed_read(s, q, T241_VCMDQ_GERROR) !=
               tegra241_vcmdq_backed_read(s, q, T241_VCMDQ_GERRORN);
    }
    return c->gerror != c->gerrorn;
}

/* GERROR toggles: an error is active while GERROR != GERRORN. */
void
tegra241_vcmdq_raise_init_err(Tegra241Cmdqv *s, unsigned q)
{
    if (!tegra241_vcmdq_init_err_pending(s, q)) {
        s->r.q[q].gerror ^= T241_GERROR_CMDQ_INIT_ERR;
    }
}

static void
tegra241_vcmdq_clear_init_err(Tegra241Cmdqv *s, unsigned q)
{
    Tegra241Vcmdq *c = &s->r.q[q];

    c->gerror = (c->gerror & ~T241_GERROR_CMDQ_INIT_ERR) |
                (c->gerrorn & T241_GERROR_CMDQ_INIT_ERR);
}

static uint32_t
tegra241_vcmdq_cache_status(Tegra241Cmdqv *s, unsigned q)
{
    const Tegra241Vcmdq *c = &s->r.q[q];

    /* Emulated, the module is the hardware and STATUS follows CONFIG. */
    if (tegra241_cmdqv_accel(s) && tegra241_vcmdq_init_err_pending(s, q)) {
        return 0;
    }
    return c->config & T241_VCMDQ_CONFIG_EN ? T241_VCMDQ_STATUS_ENABLED : 0;
}

static bool tegra241_vcmdq_ready(Tegra241Cmdqv *s, unsigned q);
static void tegra241_vcmdq_release(Tegra241Cmdqv *s, unsigned q);
static void tegra241_vcmdq_check_waiting(Tegra241Cmdqv *s, unsigned q);
static void tegra241_vcmdq_report(Tegra241Cmdqv *s);

bool
tegra241_vcmdq_page0_read(Tegra241Cmdqv *s, unsigned q, uint32_t reg,
                          uint32_t *value)
{
    const Tegra241Vcmdq *c = &s->r.q[q];

    switch (reg) {
    case T241_VCMDQ_CONS:
    case T241_VCMDQ_PROD:
    case T241_VCMDQ_CONFIG:
    case T241_VCMDQ_STATUS:
    case T241_VCMDQ_GERROR:
    case T241_VCMDQ_GERRORN:
        break;
    default:
        return false;
    }
    if (tegra241_vcmdq_on_hw(s, q)) {
        *value = tegra241_vcmdq_hw_read(s, q, reg);
        return true;
    }
    if (tegra241_vcmdq_backed(s, q)) {
        *value = tegra241_vcmdq_backed_read(s, q, reg);
        return true;
    }
    switch (reg) {
    case T241_VCMDQ_CONS:
        *value = c->cons;
        break;
    case T241_VCMDQ_PROD:
        *value = c->prod;
        break;
    case T241_VCMDQ_CONFIG:
        *value = c->config;
        break;
    case T241_VCMDQ_STATUS:
        *value = tegra241_vcmdq_cache_status(s, q);
        break;
    case T241_VCMDQ_GERROR:
        *value = c->gerror;
        break;
    case T241_VCMDQ_GERRORN:
        *value = c->gerrorn;
        break;
    }
    return true;
}

bool
tegra241_vcmdq_page0_write(Tegra241Cmdqv *s, unsigned q, uint32_t reg,
                           uint32_t value)
{
    Tegra241Vcmdq *c = &s->r.q[q];

    switch (reg) {
    case T241_VCMDQ_CONS:
    case T241_VCMDQ_PROD:
    case T241_VCMDQ_CONFIG:
    case T241_VCMDQ_GERRORN:
        break;
    default:
        return false;          /* STATUS and GERROR are read-only */
    }
    if (tegra241_vcmdq_on_hw(s, q)) {
        tegra241_vcmdq_hw_write(s, q, reg, value);
        return true;
    }
    if (tegra241_vcmdq_backed(s, q)) {
        tegra241_vcmdq_backed_write(s, q, reg, value);
        return true;
    }
    switch (reg) {
    case T241_VCMDQ_CONS:
        c->cons = value;
        break;
    case T241_VCMDQ_PROD:
        c->prod = value;
        break;
    case T241_VCMDQ_CONFIG:
        c->config = value & T241_VCMDQ_CONFIG_EN;
        break;
    case T241_VCMDQ_GERRORN:
        c->gerrorn = value & T241_GERROR_WRITABLE;
        break;
    }
    if (tegra241_cmdqv_accel(s)) {
        /* Work for a queue that waits on the order shows it. */
        tegra241_vcmdq_check_waiting(s, q);
        /* The guest acknowledged a held queue's error: it may run.
         * Acknowledging an INIT_ERR retries a queue that is not up, so a
         * queue that still cannot run shows it again. */
        if (reg == T241_VCMDQ_GERRORN && s->held[q] &&
            c->gerror == c->gerrorn) {
            tegra241_vcmdq_release(s, q);
        } else if (reg == T241_VCMDQ_GERRORN && !s->live[q] &&
                   tegra241_vcmdq_ready(s, q)) {
            tegra241_vcmdq_update(s, q);
        }
        tegra241_vcmdq_report(s);
        /* Acknowledging an INIT_ERR may let the overlay back in. */
        tegra241_vintf_overlay_update(s);
    } else {
        tegra241_emu_kick(s, q);
    }
    return true;
}

bool
tegra241_vcmdq_page1_read(Tegra241Cmdqv *s, unsigned q, uint32_t reg,
                          unsigned size, uint64_t *value)
{
    const Tegra241Vcmdq *c = &s->r.q[q];
    uint64_t v;

    switch (reg) {
    case T241_VCMDQ_BASE_L:
    case T241_VCMDQ_BASE_H:
        v = c->base;
        break;
    case T241_VCMDQ_CONS_BASE_L:
    case T241_VCMDQ_CONS_BASE_H:
        v = c->cons_base;
        break;
    default:
        return false;
    }
    if (size == 8) {
        if (reg & 4) {
            return false;
        }
        *value = v;
    } else {
        *value = (uint32_t)(reg & 4 ? v >> 32 : v);
    }
    return true;
}

bool
tegra241_vcmdq_page1_write(Tegra241Cmdqv *s, unsigned q, uint32_t reg,
                           uint64_t value, unsigned size)
{
    Tegra241Vcmdq *c = &s->r.q[q];
    uint64_t *field;

    switch (reg) {
    case T241_VCMDQ_BASE_L:
    case T241_VCMDQ_BASE_H:
        field = &c->base;
        break;
    case T241_VCMDQ_CONS_BASE_L:
    case T241_VCMDQ_CONS_BASE_H:
        field = &c->cons_base;
        break;
    default:
        return false;
    }
    if (size == 8) {
        if (reg & 4) {
            return false;
        }
        *field = value;
    } else if (reg & 4) {
        *field = (*field & 0xffffffffull) | value << 32;
    } else {
        *field = (*field & ~0xffffffffull) | value;
    }
    *field &= T241_BASE_WRITABLE;

    /*
     * A BASE written in two halves is re-evaluated after each: the first
     * half may already allocate, the second re-allocates through the
     * core, which keeps the kernel's order and the queue's state.
     */
    if (field == &c->base) {
        tegra241_vcmdq_update(s, q);
        tegra241_vintf_overlay_update(s);
    }
    return true;
}

/* --- host HW queue lifecycle (accelerated mode) ------------------------- */

/* Note @what for the report of the current guest write. */
static void
tegra241_vcmdq_note(Tegra241Cmdqv *s, const GError *cause, const char *what)
{
    if (!s->hwq_report) {
        s->hwq_report = g_error_new(cause ? cause->domain : SMMU_EXT_ERROR,
                                    cause ? cause->code :
                                    SMMU_EXT_ERROR_FAILED,
                                    "Tegra241 CMDQV: guest sees "
                                    "CMDQ_INIT_ERR: %s", what);
    } else {
        char *msg = g_strdup_printf("%s; %s", s->hwq_report->message, what);

        g_free(s->hwq_report->message);
        s->hwq_report->message = msg;
    }
}

/*
 * A queue waiting for a lower index (the kernel keeps queues ascending)
 * costs the guest nothing while it has nothing to run, which is what a
 * Linux reset passes through: it unmaps LVCMDQ0 first.  Once it has
 * commands it could run (enabled, no active error, PROD != CONS) it must
 * not look healthy: CMDQ_INIT_ERR, until the order is restored.
 */
static void
tegra241_vcmdq_check_waiting(Tegra241Cmdqv *s, unsigned q)
{
    const Tegra241Vcmdq *c = &s->r.q[q];
    uint32_t index_mask = (2u << (c->base & T241_BASE_LOG2SIZE)) - 1;
    g_autoptr(GError) cause = NULL;
    g_autofree char *what = NULL;

    if (!s->waiting[q] || tegra241_vcmdq_error_active(s, q) ||
        !(c->config & T241_VCMDQ_CONFIG_EN) ||
        !((c->prod ^ c->cons) & index_mask)) {
        return;
    }
    tegra241_vcmdq_raise_init_err(s, q);
    cause = g_error_new(SMMU_EXT_ERROR, SMMU_EXT_ERROR_ORDER, "ordering");
    what = g_strdup_printf("VCMDQ%u has commands but waits for VCMDQ%u "
                           "(the host allocates queues in ascending order)",
                           q, q - 1);
    tegra241_vcmdq_note(s, cause, what);
}

/*
 * A queue the model cannot back, because the kernel refused it (at once)
 * or because it waits for a lower index (once it has work), must not look
 * healthy: it shows CMDQ_INIT_ERR until it comes up.  What one guest write
 * caused is reported once, when the write is done.
 */
static void
tegra241_vcmdq_failed(Tegra241Cmdqv *s, unsigned q, const GError *error)
{
    g_autofree char *what = NULL;

    if (error && g_error_matches(error, SMMU_EXT_ERROR,
                                 SMMU_EXT_ERROR_ORDER)) {
        s->waiting[q] = true;
        tegra241_vcmdq_check_waiting(s, q);
        return;
    }
    tegra241_vcmdq_raise_init_err(s, q);
    what = g_strdup_printf("VCMDQ%u: HW queue allocation failed: %s", q,
                           error ? error->message : "unknown reason");
    tegra241_vcmdq_note(s, error, what);
}

/* The end of a guest write: its queue failures, in one report. */
static void
tegra241_vcmdq_report(Tegra241Cmdqv *s)
{
    g_autoptr(GError) err = g_steal_pointer(&s->hwq_report);

    if (err) {
        smmu_ext_core_report_error(s->core, err);
    }
}

static void
tegra241_vcmdq_hw_clear(Tegra241Cmdqv *s, unsigned q)
{
    g_autoptr(GError) err = NULL;

    if (!smmu_ext_core_hw_queue_clear(s->core, T241_HWQ_TYPE, q, &err)) {
        smmu_ext_core_log(s->core, G_LOG_LEVEL_WARNING,
                          "Tegra241 CMDQV: VCMDQ%u: %s", q, err->message);
    }
}

static bool
tegra241_vcmdq_ready(Tegra241Cmdqv *s, unsigned q)
{
    return s->page && smmu_ext_core_has_viommu(s->core) &&
           tegra241_vintf_enabled(s) && tegra241_vcmdq_allocated(s, q) &&
           (s->r.q[q].base & T241_BASE_ADDR);
}

/*
 * Bring the host HW queue of @q in line with the guest's registers.  The
 * four conditions can be met in any order; the core turns an unchanged
 * request for a live queue into a no-op.
 */
static void
tegra241_vcmdq_update_one(Tegra241Cmdqv *s, unsigned q)
{
    const Tegra241Vcmdq *c = &s->r.q[q];
    g_autoptr(GError) err = NULL;
    unsigned log2size = c->base & T241_BASE_LOG2SIZE;

    if (!tegra241_cmdqv_accel(s)) {
        tegra241_emu_kick(s, q);
        return;
    }
    /* Clearing what the core does not hold is a no-op there. */
    if (!tegra241_vcmdq_ready(s, q)) {
        s->waiting[q] = false;
        tegra241_vcmdq_hw_clear(s, q);
        return;
    }
    if (log2size > s->geo.queue_log2_cap) {
        smmu_ext_core_guest_error(s->core, T241_LOG_MMIO,
                                  "Tegra241 CMDQV: VCMDQ%u: LOG2SIZE %u "
                                  "above the cap %u", q, log2size,
                                  s->geo.queue_log2_cap);
        tegra241_vcmdq_hw_clear(s, q);
        tegra241_vcmdq_raise_init_err(s, q);
        return;
    }
    /* A failure arrives as SMMU_EXT_HWQ_FAILED and is noted there. */
    smmu_ext_core_hw_queue_set(s->core, T241_HWQ_TYPE, q,
                               c->base & T241_BASE_ADDR,
                               (uint64_t)T241_CMD_BYTES << log2size, &err);
}

/* One guest write to a precondition of @q: one attempt, one report. */
void
tegra241_vcmdq_update(Tegra241Cmdqv *s, unsigned q)
{
    tegra241_vcmdq_update_one(s, q);
    tegra241_vcmdq_report(s);
}

void
tegra241_vcmdq_update_all(Tegra241Cmdqv *s)
{
    g_autoptr(GError) err = NULL;
    unsigned q;

    if (!tegra241_cmdqv_accel(s)) {
        for (q = 0; q < s->geo.n_queues; q++) {
            tegra241_emu_kick(s, q);
        }
        return;
    }
    if (s->page && smmu_ext_core_has_viommu(s->core) &&
        tegra241_vintf_enabled(s)) {
        /* Bringing up queue q may bring up (or fail) those above it. */
        memset(s->settled, 0, sizeof(s->settled));
        s->updating_all = true;
        for (q = 0; q < s->geo.n_queues; q++) {
            if (!s->settled[q]) {
                tegra241_vcmdq_update_one(s, q);
            }
        }
        s->updating_all = false;
    } else if (!smmu_ext_core_hw_queue_clear_all(s->core, T241_HWQ_TYPE,
                                                 &err)) {
        smmu_ext_core_log(s->core, G_LOG_LEVEL_WARNING,
                          "Tegra241 CMDQV: %s", err->message);
    }
    tegra241_vcmdq_report(s);
    tegra241_vintf_overlay_update(s);
}

/* live[], held[], the bias and the page decide together where the
 * guest's registers are; the fast path and the overlay need all four. */
static void
tegra241_vcmdq_sync_slot(Tegra241Cmdqv *s, unsigned q)
{
    s->hw_slot[q] = tegra241_vcmdq_backed(s, q) && !s->gerror_bias[q] ?
                    s->page + q * T241_VCMDQ_STRIDE : NULL;
}

void
tegra241_vcmdq_set_live(Tegra241Cmdqv *s, unsigned q, bool live)
{
    s->live[q] = live;
    s->waiting[q] = false;
    if (!live) {
        s->held[q] = false;
        s->gerror_bias[q] = 0;
    }
    tegra241_vcmdq_sync_slot(s, q);
}

void
tegra241_vcmdq_set_page(Tegra241Cmdqv *s, uint8_t *page, uint64_t len)
{
    unsigned q;

    s->page = page;
    s->page_len = len;
    for (q = 0; q < T241_MAX_QUEUES; q++) {
        tegra241_vcmdq_sync_slot(s, q);
    }
}

/* A held queue's cache is already the guest's view. */
void
tegra241_vcmdq_snapshot(Tegra241Cmdqv *s, unsigned q)
{
    Tegra241Vcmdq *c = &s->r.q[q];

    if (!tegra241_vcmdq_backed(s, q)) {
        return;
    }
    c->cons = tegra241_vcmdq_backed_read(s, q, T241_VCMDQ_CONS);
    c->prod = tegra241_vcmdq_backed_read(s, q, T241_VCMDQ_PROD);
    c->config = tegra241_vcmdq_backed_read(s, q, T241_VCMDQ_CONFIG) &
                T241_VCMDQ_CONFIG_EN;
    c->gerror = tegra241_vcmdq_backed_read(s, q, T241_VCMDQ_GERROR) &
                T241_GERROR_WRITABLE;
    c->gerrorn = tegra241_vcmdq_backed_read(s, q, T241_VCMDQ_GERRORN) &
                 T241_GERROR_WRITABLE;
}

/*
 * The cache moves into the hardware queue, which has no active error (the
 * kernel acknowledged any when it set it up): the guest's GERROR becomes
 * the hardware's plus the bias, and GERRORN follows.  CONS goes with its
 * error field, as the guest left it; the hardware clears it on resuming.
 */
static void
tegra241_vcmdq_release(Tegra241Cmdqv *s, unsigned q)
{
    const Tegra241Vcmdq *c = &s->r.q[q];
    uint32_t hw_gerror;

    s->held[q] = false;
    hw_gerror = GUINT32_FROM_LE(*tegra241_vcmdq_page_reg(s, q,
                                                         T241_VCMDQ_GERROR));
    s->gerror_bias[q] = (c->gerror ^ hw_gerror) & T241_GERROR_WRITABLE;
    tegra241_vcmdq_sync_slot(s, q);
    tegra241_vcmdq_backed_write(s, q, T241_VCMDQ_CONS, c->cons);
    tegra241_vcmdq_backed_write(s, q, T241_VCMDQ_PROD, c->prod);
    tegra241_vcmdq_backed_write(s, q, T241_VCMDQ_CONFIG, c->config);
}

void
tegra241_vcmdq_hw_queue_changed(void *state, uint32_t type, uint32_t index,
                                SmmuExtHwQueueEvent ev, const GError *error)
{
    Tegra241Cmdqv *s = state;

    if (type != T241_HWQ_TYPE || index >= s->geo.n_queues) {
        return;
    }
    s->settled[index] |= s->updating_all && ev != SMMU_EXT_HWQ_DESTROYING;
    switch (ev) {
    case SMMU_EXT_HWQ_DESTROYING:
        if (s->live[index]) {
            tegra241_vcmdq_snapshot(s, index);
        }
        tegra241_vcmdq_set_live(s, index, false);
        /* The overlay would show a dead slot; callers re-map later. */
        if (smmu_ext_core_direct_mapped(s->core, T241_VINTF0_PAGE0)) {
            smmu_ext_core_unmap_direct(s->core, T241_VINTF0_PAGE0);
        }
        break;
    case SMMU_EXT_HWQ_LIVE:
        if (s->live[index]) {
            break;             /* never overwrite a running queue */
        }
        tegra241_vcmdq_clear_init_err(s, index);
        /* Stopped on an error: it stays stopped until acknowledged. */
        s->held[index] = tegra241_vcmdq_error_active(s, index);
        tegra241_vcmdq_set_live(s, index, true);
        if (s->page && !s->held[index]) {
            tegra241_vcmdq_release(s, index);
        }
        break;
    case SMMU_EXT_HWQ_FAILED:
        tegra241_vcmdq_set_live(s, index, false);
        tegra241_vcmdq_failed(s, index, error);
        break;
    }
}
