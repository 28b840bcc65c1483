/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "example" extension: a TOY that shows the whole module API on one
 * register page.  It models no hardware.  docs/smmu-ext-api.md walks
 * through it.
 *
 * What it proves about the ops table:
 *   - it is not Tegra-shaped: its own hw_info type (EXAMPLE_HW_INFO_TYPE,
 *     which no kernel reports, so on a real or simulated host the kernel
 *     answers EOPNOTSUPP and the core records a decline), its own vIOMMU
 *     and vEVENTQ types, a 4 KiB region, no HW queues;
 *   - SMMU_EXT_OPS_EMULATION: with cmdqv=example and no host iommufd it
 *     runs fully emulated, consuming guest commands through the core's
 *     DMA and handle_cmd services;
 *   - a priority below the real extensions, so cmdqv=auto probes it last;
 *   - reset, save/load of its state, rate-limited guest errors.
 *
 * A guest uses it like this: write CTRL.EN (and CTRL.IRQ_EN), place one
 * 16-byte SMMUv3 command in its RAM, write that address to DOORBELL with
 * one 8-byte store, then read STATUS (DONE or ERR + ERRCODE; the interrupt
 * fires if IRQ_EN is set) and clear DONE/ERR by writing them back.
 */
#include <inttypes.h>
#include <string.h>
#include "smmu-ext.h"
#include "regs.h"

#ifndef EXAMPLE_VERSION
#define EXAMPLE_VERSION "0"
#endif

/* Below every real extension: auto must prefer real hardware. */
#define EXAMPLE_PRIORITY (-100)

/* Saved state: a self-describing little-endian blob (see example_save). */
/*
 * Keys of the core's per-instance rate limiters: a guest ringing a
 * disabled doorbell in a loop must not hide its bad register accesses.
 */
enum {
    EXAMPLE_LOG_DOORBELL,      /* DOORBELL while CTRL.EN is 0 */
    EXAMPLE_LOG_ACCESS,        /* bad size, unknown or read-only offset */
};

#define EXAMPLE_STATE_MAGIC   0x7e575354u   /* "TSW~" in memory */
#define EXAMPLE_STATE_VERSION 1
#define EXAMPLE_STATE_LEN     20

typedef struct ExampleState {
    SmmuExtCore *core;
    uint32_t ctrl;
    uint32_t status;
    uint32_t cmd_count;
    /* diagnostics for the host's report: the whole run, never reset or
     * migrated (CMD_COUNT is the guest's view, this is the host's) */
    uint64_t doorbells;
    uint64_t doorbell_errors;
} ExampleState;

/* --- discovery and life cycle --------------------------------------------- */

static bool
example_probe(const SmmuExtProbeInput *in, SmmuExtGeometry *geo,
              GError **errp)
{
    ExampleHwInfo info;

    /* @in NULL: emulated mode; there is nothing to check on the host. */
    if (in) {
        if (in->type != EXAMPLE_HW_INFO_TYPE) {
            g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DECLINED,
                        "hw_info type %u is not the example type %u",
                        in->type, EXAMPLE_HW_INFO_TYPE);
            return false;
        }
        if (in->len < sizeof(info)) {
            g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DECLINED,
                        "hw_info is %zu bytes, the example needs %zu",
                        in->len, sizeof(info));
            return false;
        }
        memcpy(&info, in->data, sizeof(info));
        if (GUINT32_FROM_LE(info.version) != 1) {
            g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DECLINED,
                        "hw_info version %u, the example knows 1",
                        GUINT32_FROM_LE(info.version));
            return false;
        }
    }
    *geo = (SmmuExtGeometry) {
        .version = 1,
        .n_interfaces = 1,
        .n_queues = 1,          /* the doorbell */
    };
    return true;
}

static void
example_reset_regs(ExampleState *s)
{
    s->ctrl = 0;
    s->status = 0;
    s->cmd_count = 0;
}

static bool
example_init(void *state, SmmuExtCore *core, SmmuExtGeometry *geo,
             GError **errp)
{
    ExampleState *s = state;

    s->core = core;
    example_reset_regs(s);
    smmu_ext_core_log(core, G_LOG_LEVEL_DEBUG, "example: %s mode",
                      smmu_ext_core_accelerated(core) ? "accelerated"
                                                      : "emulated");
    return true;
}

static void
example_finalize(void *state)
{
    /* Nothing owned: the core frees the state block itself. */
}

static void
example_reset(void *state)
{
    example_reset_regs(state);
}

/* --- events ---------------------------------------------------------------- */

/* Completion of one command.  The emulated doorbell calls it directly; an
 * accelerated host would deliver the same record through the vEVENTQ. */
static void
example_complete(ExampleState *s, uint32_t errcode)
{
    s->status &= ~(EXAMPLE_STATUS_W1C | EXAMPLE_STATUS_ERRCODE_MASK);
    if (errcode) {
        s->status |= EXAMPLE_STATUS_ERR |
                     ((errcode << EXAMPLE_STATUS_ERRCODE_SHIFT) &
                      EXAMPLE_STATUS_ERRCODE_MASK);
    } else {
        s->status |= EXAMPLE_STATUS_DONE;
    }
    if (s->ctrl & EXAMPLE_CTRL_IRQ_EN) {
        smmu_ext_core_pulse_irq(s->core, EXAMPLE_IRQ_LINE);
    }
}

static void
example_event(void *state, const void *payload, size_t len)
{
    ExampleEvent ev;

    /* The core passes exactly event_size bytes; be strict anyway. */
    if (len < sizeof(ev)) {
        return;
    }
    memcpy(&ev, payload, sizeof(ev));
    example_complete(state, GUINT32_FROM_LE(ev.errcode) & 0xff);
}

/* --- the doorbell ---------------------------------------------------------- */

/* The host's CONS error code, squeezed into ERRCODE's host range. */
static uint32_t
example_host_code(int r)
{
    if (r == 0) {
        return 0;
    }
    return r > 0 && r < EXAMPLE_ERR_DMA ? (uint32_t)r : 1;
}

static void
example_ring(ExampleState *s, uint64_t gpa)
{
    uint64_t raw[2], cmd[2];
    ExampleEvent ev = { 0 };

    if (!(s->ctrl & EXAMPLE_CTRL_EN)) {
        smmu_ext_core_guest_error(s->core, EXAMPLE_LOG_DOORBELL,
                                  "example: DOORBELL written while "
                                  "CTRL.EN is 0 (ignored)");
        return;
    }
    if (gpa % EXAMPLE_CMD_BYTES) {
        ev.errcode = EXAMPLE_ERR_ALIGN;
    } else if (!smmu_ext_core_dma_read(s->core, gpa, raw, sizeof(raw))) {
        ev.errcode = EXAMPLE_ERR_DMA;
    } else {
        /* Guest memory is little-endian; the host wants host order. */
        cmd[0] = GUINT64_FROM_LE(raw[0]);
        cmd[1] = GUINT64_FROM_LE(raw[1]);
        s->cmd_count++;
        ev.errcode = example_host_code(smmu_ext_core_handle_cmd(s->core,
                                                                cmd));
    }
    s->doorbells++;
    s->doorbell_errors += ev.errcode != 0;
    ev.errcode = GUINT32_TO_LE(ev.errcode);
    example_event(s, &ev, sizeof(ev));
}

static void
example_counters(void *state, SmmuExtCounterFn emit, void *ctx)
{
    ExampleState *s = state;

    emit(ctx, "doorbells", s->doorbells);
    emit(ctx, "doorbell_errors", s->doorbell_errors);
}

/* --- guest MMIO ------------------------------------------------------------ */

static uint64_t
example_mmio_read(void *state, uint64_t offset, unsigned size)
{
    ExampleState *s = state;

    if (offset == A_EXAMPLE_DOORBELL && size == 8) {
        return 0;               /* write-only */
    }
    if (size != 4) {
        smmu_ext_core_guest_error(s->core, EXAMPLE_LOG_ACCESS,
                                  "example: %u-byte read at 0x%03" PRIx64
                                  " (registers are 4 bytes)", size, offset);
        return 0;
    }
    switch (offset) {
    case A_EXAMPLE_ID:
        return EXAMPLE_ID_VALUE;
    case A_EXAMPLE_CTRL:
        return s->ctrl;
    case A_EXAMPLE_STATUS:
        return s->status;
    case A_EXAMPLE_DOORBELL:
    case A_EXAMPLE_DOORBELL + 4:
        return 0;
    case A_EXAMPLE_CMD_COUNT:
        return s->cmd_count;
    default:
        smmu_ext_core_guest_error(s->core, EXAMPLE_LOG_ACCESS,
                                  "example: read of unknown offset 0x%03"
                                  PRIx64, offset);
        return 0;
    }
}

static void
example_write32(ExampleState *s, uint64_t offset, uint32_t value)
{
    switch (offset) {
    case A_EXAMPLE_CTRL:
        s->ctrl = value & EXAMPLE_CTRL_MASK;
        s->status = (s->status & ~EXAMPLE_STATUS_ENABLED) |
                    (s->ctrl & EXAMPLE_CTRL_EN ? EXAMPLE_STATUS_ENABLED : 0);
        break;
    case A_EXAMPLE_STATUS:
        s->status &= ~(value & EXAMPLE_STATUS_W1C);
        if (!(s->status & EXAMPLE_STATUS_ERR)) {
            s->status &= ~EXAMPLE_STATUS_ERRCODE_MASK;
        }
        break;
    case A_EXAMPLE_ID:
    case A_EXAMPLE_CMD_COUNT:
        smmu_ext_core_guest_error(s->core, EXAMPLE_LOG_ACCESS,
                                  "example: write 0x%x to read-only "
                                  "offset 0x%03" PRIx64, value, offset);
        break;
    default:
        smmu_ext_core_guest_error(s->core, EXAMPLE_LOG_ACCESS,
                                  "example: write 0x%x to unknown offset "
                                  "0x%03" PRIx64, value, offset);
        break;
    }
}

static void
example_mmio_write(void *state, uint64_t offset, uint64_t value,
                   unsigned size)
{
    ExampleState *s = state;

    /* One 8-byte store rings the doorbell: a half-written address must
     * never be acted on. */
    if (offset == A_EXAMPLE_DOORBELL && size == 8) {
        example_ring(s, value);
        return;
    }
    if (size != 4 || offset == A_EXAMPLE_DOORBELL ||
        offset == A_EXAMPLE_DOORBELL + 4) {
        smmu_ext_core_guest_error(s->core, EXAMPLE_LOG_ACCESS,
                                  "example: %u-byte write at 0x%03" PRIx64
                                  " ignored (DOORBELL takes one 8-byte "
                                  "store, registers 4 bytes)", size,
                                  offset);
        return;
    }
    example_write32(s, offset, (uint32_t)value);
}

/* --- migration ------------------------------------------------------------- */

/*
 * Layout (all little-endian): magic u32, version u16, total length u16,
 * CTRL u32, STATUS u32, CMD_COUNT u32.  A later version may only append
 * fields and bump version and length.
 */
static bool
example_save(void *state, GByteArray *out, GError **errp)
{
    ExampleState *s = state;
    uint8_t buf[EXAMPLE_STATE_LEN];
    uint32_t w32;
    uint16_t w16;

    w32 = GUINT32_TO_LE(EXAMPLE_STATE_MAGIC);
    memcpy(buf + 0, &w32, 4);
    w16 = GUINT16_TO_LE(EXAMPLE_STATE_VERSION);
    memcpy(buf + 4, &w16, 2);
    w16 = GUINT16_TO_LE(EXAMPLE_STATE_LEN);
    memcpy(buf + 6, &w16, 2);
    w32 = GUINT32_TO_LE(s->ctrl);
    memcpy(buf + 8, &w32, 4);
    w32 = GUINT32_TO_LE(s->status);
    memcpy(buf + 12, &w32, 4);
    w32 = GUINT32_TO_LE(s->cmd_count);
    memcpy(buf + 16, &w32, 4);
    g_byte_array_append(out, buf, sizeof(buf));
    return true;
}

static uint32_t
get_le32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return GUINT32_FROM_LE(v);
}

static uint16_t
get_le16(const uint8_t *p)
{
    uint16_t v;

    memcpy(&v, p, sizeof(v));
    return GUINT16_FROM_LE(v);
}

static bool
example_load(void *state, const void *data, size_t len, GError **errp)
{
    ExampleState *s = state;
    const uint8_t *buf = data;
    uint32_t ctrl, status;

    /* Check everything before touching the state: a refused blob leaves
     * the instance as it was. */
    if (len < 8 || get_le32(buf) != EXAMPLE_STATE_MAGIC) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "example: not an example state blob (%zu bytes)", len);
        return false;
    }
    if (get_le16(buf + 4) != EXAMPLE_STATE_VERSION ||
        get_le16(buf + 6) != EXAMPLE_STATE_LEN || len != EXAMPLE_STATE_LEN) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "example: state version %u length %u (blob %zu bytes); "
                    "this module reads version %u length %u",
                    get_le16(buf + 4), get_le16(buf + 6), len,
                    EXAMPLE_STATE_VERSION, EXAMPLE_STATE_LEN);
        return false;
    }
    ctrl = get_le32(buf + 8) & EXAMPLE_CTRL_MASK;
    status = get_le32(buf + 12) &
             (EXAMPLE_STATUS_W1C | EXAMPLE_STATUS_ERRCODE_MASK);
    /* ENABLED is derived, never trusted from the stream. */
    if (ctrl & EXAMPLE_CTRL_EN) {
        status |= EXAMPLE_STATUS_ENABLED;
    }
    s->ctrl = ctrl;
    s->status = status;
    s->cmd_count = get_le32(buf + 16);
    return true;
}

/* --- the descriptor -------------------------------------------------------- */

static const SmmuExtOps example_ops = {
    .size = sizeof(SmmuExtOps),
    .flags = SMMU_EXT_OPS_EMULATION,
    .priority = EXAMPLE_PRIORITY,
    .state_size = sizeof(ExampleState),

    /* discovery */
    .hw_info_type = EXAMPLE_HW_INFO_TYPE,
    .probe = example_probe,
    .init = example_init,
    .finalize = example_finalize,

    /* vIOMMU: a made-up type; no driver data, no post-allocation work */
    .viommu_type = EXAMPLE_VIOMMU_TYPE,

    /* guest MMIO */
    .mmio_size = EXAMPLE_MMIO_SIZE,
    .mmio_read = example_mmio_read,
    .mmio_write = example_mmio_write,

    /* its one event type */
    .veventq_type = EXAMPLE_VEVENTQ_TYPE,
    .veventq_depth = 16,
    .event_size = sizeof(ExampleEvent),
    .event = example_event,

    /* reset and migration (no run_state: nothing to quiesce) */
    .reset = example_reset,
    .save = example_save,
    .load = example_load,

    /* what the host prints at exit */
    .counters = example_counters,
};

SMMU_EXT_MODULE_DEFINE("example",
                       "Toy extension for the module author's guide "
                       "(not hardware)",
                       EXAMPLE_VERSION, "GPL-2.0-or-later", &example_ops);
