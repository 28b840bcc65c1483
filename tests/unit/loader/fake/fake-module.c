/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fake extension for the loader tests.  Built once per case; each -D
 * flag breaks exactly one thing the loader must refuse:
 *   FAKE_NAME, FAKE_VERSION, FAKE_PRIORITY   identity and probe order
 *   FAKE_SYMBOL         export the descriptor under another name
 *   FAKE_ABI_MAJOR, FAKE_ABI_MINOR, FAKE_DESC_SIZE, FAKE_OPS_SIZE
 *   FAKE_NO_PROBE, FAKE_NO_MMIO_READ, FAKE_NO_RESET, FAKE_NO_EVENT
 *   FAKE_UNDEFINED      reference a symbol nobody defines
 */
#include "smmu-ext.h"

#ifndef FAKE_NAME
#error "FAKE_NAME is required"
#endif
#ifndef FAKE_VERSION
#define FAKE_VERSION "0.1"
#endif
#ifndef FAKE_PRIORITY
#define FAKE_PRIORITY 0
#endif
#ifndef FAKE_OPS_SIZE
#define FAKE_OPS_SIZE sizeof(SmmuExtOps)
#endif

#define FAKE_HW_INFO_TYPE 0xfa4e
#define FAKE_VIOMMU_TYPE 0xfa4e
#define FAKE_VEVENTQ_TYPE 0xfa4e
#define FAKE_MMIO_SIZE 0x1000
#define FAKE_N_REGS (FAKE_MMIO_SIZE / 4)

/* Handlers a case leaves out of the table must not warn: G_GNUC_UNUSED. */
typedef struct FakeState {
    SmmuExtCore *core;
    uint32_t regs[FAKE_N_REGS];
    uint64_t events;
} FakeState;

#ifdef FAKE_UNDEFINED
/* Never defined anywhere: loading without LAZY must fail on it. */
void fake_undefined_function(void);
#endif

static bool G_GNUC_UNUSED
fake_probe(const SmmuExtProbeInput *in, SmmuExtGeometry *geo, GError **errp)
{
    if (in && in->type != FAKE_HW_INFO_TYPE) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DECLINED,
                    "hw_info type %u is not the fake type %u", in->type,
                    FAKE_HW_INFO_TYPE);
        return false;
    }
    *geo = (SmmuExtGeometry) {
        .version = 1,
        .n_interfaces = 1,
        .n_queues = 1,
        .n_vsids = 1,
    };
    return true;
}

static bool
fake_init(void *state, SmmuExtCore *core, SmmuExtGeometry *geo,
          GError **errp)
{
    FakeState *s = state;

    s->core = core;
    return true;
}

static void
fake_finalize(void *state)
{
}

static uint64_t G_GNUC_UNUSED
fake_mmio_read(void *state, uint64_t offset, unsigned size)
{
    FakeState *s = state;

    return offset < FAKE_MMIO_SIZE ? s->regs[offset / 4] : 0;
}

static void
fake_mmio_write(void *state, uint64_t offset, uint64_t value, unsigned size)
{
    FakeState *s = state;

    if (offset < FAKE_MMIO_SIZE) {
        s->regs[offset / 4] = (uint32_t)value;
    }
}

static void G_GNUC_UNUSED
fake_event(void *state, const void *payload, size_t len)
{
    FakeState *s = state;

    s->events++;
}

static void G_GNUC_UNUSED
fake_reset(void *state)
{
    FakeState *s = state;

#ifdef FAKE_UNDEFINED
    fake_undefined_function();
#endif
    for (unsigned i = 0; i < FAKE_N_REGS; i++) {
        s->regs[i] = 0;
    }
}

static const SmmuExtOps fake_ops = {
    .size = FAKE_OPS_SIZE,
    .flags = SMMU_EXT_OPS_EMULATION,
    .priority = FAKE_PRIORITY,
    .state_size = sizeof(FakeState),

    .hw_info_type = FAKE_HW_INFO_TYPE,
#ifndef FAKE_NO_PROBE
    .probe = fake_probe,
#endif
    .init = fake_init,
    .finalize = fake_finalize,

    .viommu_type = FAKE_VIOMMU_TYPE,

    .mmio_size = FAKE_MMIO_SIZE,
#ifndef FAKE_NO_MMIO_READ
    .mmio_read = fake_mmio_read,
#endif
    .mmio_write = fake_mmio_write,

    .veventq_type = FAKE_VEVENTQ_TYPE,
    .veventq_depth = 16,
    .event_size = 8,
#ifndef FAKE_NO_EVENT
    .event = fake_event,
#endif

#ifndef FAKE_NO_RESET
    .reset = fake_reset,
#endif
};

#if defined(FAKE_SYMBOL) || defined(FAKE_ABI_MAJOR) || \
    defined(FAKE_ABI_MINOR) || defined(FAKE_DESC_SIZE)
#ifndef FAKE_SYMBOL
#define FAKE_SYMBOL smmu_ext_module_v1
#endif
#ifndef FAKE_ABI_MAJOR
#define FAKE_ABI_MAJOR SMMU_EXT_ABI_MAJOR
#endif
#ifndef FAKE_ABI_MINOR
#define FAKE_ABI_MINOR SMMU_EXT_ABI_MINOR
#endif
#ifndef FAKE_DESC_SIZE
#define FAKE_DESC_SIZE sizeof(SmmuExtModuleDesc)
#endif
/* Spelled out: the broken descriptors the macro would never produce. */
SMMU_EXT_MODULE_EXPORT const SmmuExtModuleDesc FAKE_SYMBOL = {
    .abi_major = FAKE_ABI_MAJOR,
    .abi_minor = FAKE_ABI_MINOR,
    .size = FAKE_DESC_SIZE,
    .name = FAKE_NAME,
    .description = "loader test module " FAKE_NAME,
    .version = FAKE_VERSION,
    .license = "GPL-2.0-or-later",
    .ops = &fake_ops,
};
#else
SMMU_EXT_MODULE_DEFINE(FAKE_NAME, "loader test module " FAKE_NAME,
                       FAKE_VERSION, "GPL-2.0-or-later", &fake_ops);
#endif
