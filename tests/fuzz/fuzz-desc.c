/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz module descriptors: every data field of SmmuExtModuleDesc and
 * SmmuExtOps (versions, sizes, strings, flags, types, lengths) and which
 * function pointers are missing.  Function pointers themselves cannot be
 * fuzzed; the present ones are stubs that check what the core promises a
 * module (MMIO only inside the region, with a size of 1..8).
 *
 * Numbers are XORed into a valid descriptor, so the all-zero input is a
 * descriptor the core accepts and every mutation is one field away from it.
 * An accepted descriptor is then selected (emulated, when it says it can),
 * reported, and driven with a few MMIO accesses.
 */
#include "core-priv.h"
#include "fuzz.h"

/* The core allocates state_size bytes for the module: module code is
 * trusted, so a size no real module uses is not explored. */
#define STATE_SIZE_MAX (64 * 1024)
#define N_MMIO 8

typedef struct FuzzDesc {
    FuzzInput in;
    SmmuExtGeometry geo;
    bool probe_ok;
    bool init_ok;
    uint64_t mmio_size;
} FuzzDesc;

/* The stubs have no opaque of their own. */
static FuzzDesc *cur;

static bool
stub_probe(const SmmuExtProbeInput *in, SmmuExtGeometry *geo, GError **errp)
{
    if (!cur->probe_ok) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_DECLINED,
                    "fuzz: declined");
        return false;
    }
    *geo = cur->geo;
    return true;
}

static bool
stub_init(void *state, SmmuExtCore *core, SmmuExtGeometry *geo,
          GError **errp)
{
    FUZZ_CHECK(smmu_ext_core_state(core) == state, "init: foreign state");
    if (!cur->init_ok) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_FAILED,
                    "fuzz: init failed");
        return false;
    }
    return true;
}

static void
stub_finalize(void *state)
{
}

static void
check_access(uint64_t offset, unsigned size)
{
    FUZZ_CHECK(size >= 1 && size <= 8, "size %u reached the module", size);
    FUZZ_CHECK(offset < cur->mmio_size && size <= cur->mmio_size - offset,
               "offset 0x%" G_GINT64_MODIFIER "x size %u beyond 0x%"
               G_GINT64_MODIFIER "x", offset, size, cur->mmio_size);
}

static uint64_t
stub_mmio_read(void *state, uint64_t offset, unsigned size)
{
    check_access(offset, size);
    return offset;
}

static void
stub_mmio_write(void *state, uint64_t offset, uint64_t value, unsigned size)
{
    check_access(offset, size);
}

static void
stub_reset(void *state)
{
}

static void
stub_event(void *state, const void *payload, size_t len)
{
}

static bool
stub_viommu_ready(void *state, const void *data, size_t len, GError **errp)
{
    return true;
}

static const SmmuExtOps template_ops = {
    .size = sizeof(SmmuExtOps),
    .flags = SMMU_EXT_OPS_EMULATION,
    .priority = 10,
    .state_size = 64,
    .hw_info_type = SE_IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV,
    .probe = stub_probe,
    .init = stub_init,
    .finalize = stub_finalize,
    .viommu_type = SE_IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV,
    .viommu_data_len = 32,
    .viommu_ready = stub_viommu_ready,
    .mmio_size = 0x10000,
    .mmio_read = stub_mmio_read,
    .mmio_write = stub_mmio_write,
    .veventq_type = SE_IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV,
    .veventq_depth = 64,
    .event_size = 16,
    .event = stub_event,
    .reset = stub_reset,
};

/* Length byte then bytes: 0 keeps @def, 0xff is NULL, 0xfe is "". */
static char *
take_string(FuzzInput *in, const char *def, bool *is_null)
{
    uint8_t n = fuzz_u8(in);
    const uint8_t *p;
    size_t len;

    *is_null = n == 0xff;
    if (!n) {
        return g_strdup(def);
    }
    if (n == 0xff) {
        return NULL;
    }
    if (n == 0xfe) {
        return g_strdup("");
    }
    p = fuzz_bytes(in, n, &len);
    return g_strndup((const char *)p, len);
}

/* Which optional or required function pointers to drop. */
static void
drop_ops(SmmuExtOps *ops, uint16_t mask)
{
    void **slots[] = {
        (void **)&ops->probe, (void **)&ops->init, (void **)&ops->finalize,
        (void **)&ops->mmio_read, (void **)&ops->mmio_write,
        (void **)&ops->reset, (void **)&ops->event,
        (void **)&ops->viommu_ready,
    };

    for (size_t i = 0; i < G_N_ELEMENTS(slots); i++) {
        if (mask & (1u << i)) {
            *slots[i] = NULL;
        }
    }
}

static void
quiet_log(void *opaque, GLogLevelFlags level, const char *msg)
{
}

static const SmmuExtHostOps quiet_ops = {
    .size = sizeof(SmmuExtHostOps),
    .log = quiet_log,
};

static void
drive_instance(SmmuExtRegistry *reg, const char *name, const SmmuExtOps *ops,
               FuzzInput *in)
{
    g_autoptr(GError) err = NULL;
    SmmuExtInstance *inst;
    bool selected;
    char *text;

    inst = smmu_ext_instance_new(reg, name, &quiet_ops, NULL, &err);
    FUZZ_CHECK(inst, "instance_new(%s): %s", name, err->message);
    selected = smmu_ext_instance_select(inst, NULL, 0, &err);
    FUZZ_CHECK(selected == (err == NULL), "select: result and error differ");
    if (selected) {
        bool emulated = ops->flags & SMMU_EXT_OPS_EMULATION;

        FUZZ_CHECK(emulated, "selected without an emulated mode");
        FUZZ_CHECK(smmu_ext_instance_mmio_size(inst) == ops->mmio_size,
                   "mmio_size %" G_GUINT64_FORMAT " != ops %" G_GUINT64_FORMAT,
                   smmu_ext_instance_mmio_size(inst), ops->mmio_size);
        for (unsigned i = 0; i < N_MMIO && in->left; i++) {
            uint64_t off = fuzz_take(in, 8);
            unsigned size = fuzz_u8(in);

            if (size & 0x80) {
                smmu_ext_instance_mmio_write(inst, off, off, size & 0xf);
            } else {
                smmu_ext_instance_mmio_read(inst, off, size & 0xf);
            }
        }
        smmu_ext_instance_reset(inst);
    }
    text = smmu_ext_instance_report(inst, SMMU_EXT_REPORT_TEXT);
    FUZZ_CHECK(text, "no text report");
    g_free(text);
    text = smmu_ext_instance_report(inst, SMMU_EXT_REPORT_JSON);
    FUZZ_CHECK(text, "no JSON report");
    g_free(text);
    smmu_ext_instance_free(inst);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GError) err2 = NULL;
    g_autofree char *name = NULL, *descr = NULL, *version = NULL;
    g_autofree char *license = NULL;
    g_autofree SmmuExtModuleDesc *desc = g_new0(SmmuExtModuleDesc, 1);
    g_autofree SmmuExtOps *ops = g_new(SmmuExtOps, 1);
    g_autofree FuzzDesc *f = g_new0(FuzzDesc, 1);
    SmmuExtRegistry *reg;
    bool null_name, null_other, checked, added;

    cur = f;
    fuzz_input_init(&f->in, data, size);

    desc->abi_major = SMMU_EXT_ABI_MAJOR ^ (uint32_t)fuzz_take(&f->in, 4);
    desc->abi_minor = SMMU_EXT_ABI_MINOR ^ (uint32_t)fuzz_take(&f->in, 4);
    desc->size = sizeof(*desc) ^ (uint32_t)fuzz_take(&f->in, 4);
    desc->reserved = (uint32_t)fuzz_take(&f->in, 4);
    name = take_string(&f->in, "fuzz", &null_name);
    descr = take_string(&f->in, "fuzzed descriptor", &null_other);
    version = take_string(&f->in, "1.0", &null_other);
    license = take_string(&f->in, "GPL-2.0-or-later", &null_other);
    desc->name = name;
    desc->description = descr;
    desc->version = version;
    desc->license = license;

    *ops = template_ops;
    ops->size ^= (uint32_t)fuzz_take(&f->in, 4);
    ops->flags ^= (uint32_t)fuzz_take(&f->in, 4);
    ops->priority ^= (int32_t)fuzz_take(&f->in, 4);
    ops->state_size = (ops->state_size ^ (uint32_t)fuzz_take(&f->in, 4)) %
                      (STATE_SIZE_MAX + 1);
    ops->hw_info_type ^= (uint32_t)fuzz_take(&f->in, 4);
    ops->viommu_type ^= (uint32_t)fuzz_take(&f->in, 4);
    ops->viommu_data_len ^= (uint32_t)fuzz_take(&f->in, 4);
    ops->mmio_size ^= fuzz_take(&f->in, 8);
    ops->veventq_type ^= (uint32_t)fuzz_take(&f->in, 4);
    ops->veventq_depth ^= (uint32_t)fuzz_take(&f->in, 4);
    ops->event_size ^= (uint32_t)fuzz_take(&f->in, 4);
    drop_ops(ops, (uint16_t)fuzz_take(&f->in, 2));
    /* NULL the table itself now and then. */
    desc->ops = fuzz_u8(&f->in) == 0xff ? NULL : ops;

    f->probe_ok = !(fuzz_u8(&f->in) & 1);
    f->init_ok = !(fuzz_u8(&f->in) & 1);
    f->geo.version = (uint32_t)fuzz_take(&f->in, 4);
    f->geo.n_interfaces = (uint32_t)fuzz_take(&f->in, 4);
    f->geo.n_queues = (uint32_t)fuzz_take(&f->in, 4);
    f->geo.n_vsids = (uint32_t)fuzz_take(&f->in, 4);
    f->geo.queue_log2_cap = (uint32_t)fuzz_take(&f->in, 4);
    f->geo.ram_page_size = fuzz_take(&f->in, 8);
    f->mmio_size = ops->mmio_size;

    checked = smmu_ext_desc_check(desc, &err);
    FUZZ_CHECK(checked == (err == NULL), "desc_check: result and error "
               "differ");
    FUZZ_CHECK(checked || err->domain == SMMU_EXT_ERROR,
               "refusal outside SMMU_EXT_ERROR");
    g_clear_error(&err);

    reg = smmu_ext_registry_new();
    added = smmu_ext_registry_add_static(reg, desc, &err);
    FUZZ_CHECK(added == checked, "add_static %d but desc_check %d: %s",
               added, checked, err ? err->message : "no error");
    if (added) {
        const SmmuExtModuleInfo *info;
        g_autoptr(SmmuExtMode) mode = NULL;

        FUZZ_CHECK(!null_name && desc->ops, "accepted without name/ops");
        FUZZ_CHECK(smmu_ext_registry_n_modules(reg) == 1, "%u modules",
                   smmu_ext_registry_n_modules(reg));
        info = smmu_ext_registry_module(reg, 0);
        FUZZ_CHECK(!strcmp(info->name, name), "name '%s' became '%s'", name,
                   info->name);
        FUZZ_CHECK(!smmu_ext_registry_add_static(reg, desc, &err2) &&
                   g_error_matches(err2, SMMU_EXT_ERROR,
                                   SMMU_EXT_ERROR_DUPLICATE),
                   "a second '%s' was not refused as a duplicate", name);
        mode = smmu_ext_mode_parse(reg, name, NULL);
        FUZZ_CHECK(mode, "cmdqv=%s does not parse", name);
        FUZZ_CHECK(smmu_ext_mode_kind(mode) == SMMU_EXT_MODE_NAMED &&
                   !strcmp(smmu_ext_mode_name(mode), name),
                   "cmdqv=%s parsed as '%s'", name,
                   smmu_ext_mode_name(mode));
        drive_instance(reg, name, ops, &f->in);
    }
    smmu_ext_registry_free(reg);
    cur = NULL;
    return 0;
}
