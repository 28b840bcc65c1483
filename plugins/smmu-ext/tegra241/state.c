/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Migration state of an emulated CMDQV.  The blob is self-describing:
 *
 *   u32 magic "T241", u32 format version,
 *   then records { u32 tag, u32 length, value[length] }
 *
 * all little-endian.  A record holds one register or one register array
 * (per queue or per SID slot).  Loading trusts nothing: every record must
 * be present once with the length the geometry implies, and every value
 * must fit its register; otherwise the state is left untouched.
 */
#include "tegra241.h"

#define T241_STATE_MAGIC        0x31343254u     /* "T241" */
#define T241_STATE_VERSION      1u
#define T241_TAG(a, b, c, d)    ((uint32_t)(a) | (uint32_t)(b) << 8 | \
                                 (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define T241_TAG_GEOM           T241_TAG('G', 'E', 'O', 'M')

typedef enum Tegra241Count {
    T241_COUNT_QUEUES = 0,
    T241_COUNT_VSIDS = -1,
} Tegra241Count;

typedef struct Tegra241Field {
    uint32_t tag;
    const char *name;
    size_t offset;             /* element 0 inside Tegra241Regs */
    size_t stride;
    unsigned width;            /* 4 or 8 bytes */
    int count;                 /* > 0, or a Tegra241Count */
    uint64_t mask;             /* bits a value may carry */
} Tegra241Field;

#define T241_REG_FIELD(t, n, member, cnt, m) \
    { t, n, offsetof(Tegra241Regs, member), sizeof(uint32_t), 4, cnt, m }
#define T241_Q_FIELD(t, n, member, w, m) \
    { t, n, offsetof(Tegra241Regs, q[0].member), sizeof(Tegra241Vcmdq), w, \
      T241_COUNT_QUEUES, m }

static const Tegra241Field tegra241_fields[] = {
    T241_REG_FIELD(T241_TAG('C', 'N', 'F', 'G'), "CONFIG", config, 1,
                   T241_CONFIG_WRITABLE),
    T241_REG_FIELD(T241_TAG('V', 'I', 'M', 'K'), "VI_INT_MASK",
                   vi_int_mask, 2, 0xffffffffu),
    T241_REG_FIELD(T241_TAG('V', 'I', 'E', 'M'), "VI_ERR_MAP", vi_err_map,
                   2, 1),
    T241_REG_FIELD(T241_TAG('E', 'M', 'A', 'P'), "CMDQ_ERR_MAP", err_map, 4,
                   0xffffffffu),
    T241_REG_FIELD(T241_TAG('A', 'L', 'O', 'C'), "CMDQ_ALLOC", cmdq_alloc,
                   T241_COUNT_QUEUES, T241_CMDQ_ALLOC_WRITABLE),
    T241_REG_FIELD(T241_TAG('V', 'C', 'F', 'G'), "VINTF_CONFIG",
                   vintf_config, 1, T241_VINTF_CONFIG_WRITABLE),
    T241_REG_FIELD(T241_TAG('S', 'I', 'D', 'M'), "SID_MATCH", sid_match,
                   T241_COUNT_VSIDS, T241_SID_MATCH_WRITABLE),
    T241_REG_FIELD(T241_TAG('S', 'I', 'D', 'R'), "SID_REPLACE", sid_replace,
                   T241_COUNT_VSIDS, T241_SID_REPLACE_WRITABLE),
    T241_Q_FIELD(T241_TAG('Q', 'C', 'O', 'N'), "VCMDQ_CONS", cons, 4,
                 0xffffffffu),
    T241_Q_FIELD(T241_TAG('Q', 'P', 'R', 'D'), "VCMDQ_PROD", prod, 4,
                 0xffffffffu),
    T241_Q_FIELD(T241_TAG('Q', 'C', 'F', 'G'), "VCMDQ_CONFIG", config, 4,
                 T241_VCMDQ_CONFIG_EN),
    T241_Q_FIELD(T241_TAG('Q', 'G', 'E', 'R'), "VCMDQ_GERROR", gerror, 4,
                 T241_GERROR_WRITABLE),
    T241_Q_FIELD(T241_TAG('Q', 'G', 'E', 'N'), "VCMDQ_GERRORN", gerrorn, 4,
                 T241_GERROR_WRITABLE),
    T241_Q_FIELD(T241_TAG('Q', 'B', 'A', 'S'), "VCMDQ_BASE", base, 8,
                 T241_BASE_WRITABLE),
    T241_Q_FIELD(T241_TAG('Q', 'C', 'I', 'B'), "VCMDQ_CONS_INDX_BASE",
                 cons_base, 8, T241_BASE_WRITABLE),
};

static unsigned
tegra241_field_count(const Tegra241Cmdqv *s, const Tegra241Field *f)
{
    switch (f->count) {
    case T241_COUNT_QUEUES:
        return s->geo.n_queues;
    case T241_COUNT_VSIDS:
        return s->geo.n_vsids;
    }
    return f->count;
}

static void
tegra241_put32(GByteArray *out, uint32_t v)
{
    v = GUINT32_TO_LE(v);
    g_byte_array_append(out, (const guint8 *)&v, sizeof(v));
}

static void
tegra241_put64(GByteArray *out, uint64_t v)
{
    v = GUINT64_TO_LE(v);
    g_byte_array_append(out, (const guint8 *)&v, sizeof(v));
}

static uint64_t
tegra241_get(const uint8_t *p, unsigned width)
{
    uint32_t v32;
    uint64_t v64;

    if (width == 4) {
        memcpy(&v32, p, 4);
        return GUINT32_FROM_LE(v32);
    }
    memcpy(&v64, p, 8);
    return GUINT64_FROM_LE(v64);
}

static bool
tegra241_state_accel_refused(Tegra241Cmdqv *s, const char *what,
                             GError **errp)
{
    if (!tegra241_cmdqv_accel(s)) {
        return false;
    }
    g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_NOT_SUPPORTED,
                "Tegra241 CMDQV: cannot %s the state of hardware-backed "
                "queues", what);
    return true;
}

bool
tegra241_state_save(void *state, GByteArray *out, GError **errp)
{
    Tegra241Cmdqv *s = state;
    const uint8_t *regs = (const uint8_t *)&s->r;
    unsigned i, j, n;

    if (tegra241_state_accel_refused(s, "save", errp)) {
        return false;
    }
    tegra241_put32(out, T241_STATE_MAGIC);
    tegra241_put32(out, T241_STATE_VERSION);
    tegra241_put32(out, T241_TAG_GEOM);
    tegra241_put32(out, 12);
    tegra241_put32(out, s->geo.version);
    tegra241_put32(out, s->geo.n_queues);
    tegra241_put32(out, s->geo.n_vsids);

    for (i = 0; i < G_N_ELEMENTS(tegra241_fields); i++) {
        const Tegra241Field *f = &tegra241_fields[i];

        n = tegra241_field_count(s, f);
        tegra241_put32(out, f->tag);
        tegra241_put32(out, n * f->width);
        for (j = 0; j < n; j++) {
            const uint8_t *p = regs + f->offset + j * f->stride;
            uint32_t v32;
            uint64_t v64;

            if (f->width == 4) {
                memcpy(&v32, p, 4);
                tegra241_put32(out, v32);
            } else {
                memcpy(&v64, p, 8);
                tegra241_put64(out, v64);
            }
        }
    }
    return true;
}

static const Tegra241Field *
tegra241_field_find(uint32_t tag, unsigned *index)
{
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(tegra241_fields); i++) {
        if (tegra241_fields[i].tag == tag) {
            *index = i;
            return &tegra241_fields[i];
        }
    }
    return NULL;
}

static bool
tegra241_state_geom(Tegra241Cmdqv *s, const uint8_t *p, uint32_t len,
                    GError **errp)
{
    uint32_t ver, nq, nv;

    if (len != 12) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "Tegra241 CMDQV state: GEOM record of %u bytes "
                    "(expected 12)", len);
        return false;
    }
    ver = tegra241_get(p, 4);
    nq = tegra241_get(p + 4, 4);
    nv = tegra241_get(p + 8, 4);
    if (ver != s->geo.version || nq != s->geo.n_queues ||
        nv != s->geo.n_vsids) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "Tegra241 CMDQV state: saved for version %u with %u "
                    "queues and %u vSIDs, this device has version %u with "
                    "%u queues and %u vSIDs", ver, nq, nv, s->geo.version,
                    s->geo.n_queues, s->geo.n_vsids);
        return false;
    }
    return true;
}

static bool
tegra241_state_field(Tegra241Cmdqv *s, Tegra241Regs *r,
                     const Tegra241Field *f, const uint8_t *p, uint32_t len,
                     GError **errp)
{
    unsigned j, n = tegra241_field_count(s, f);
    uint8_t *regs = (uint8_t *)r;

    if (len != n * f->width) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "Tegra241 CMDQV state: %s record of %u bytes (expected "
                    "%u)", f->name, len, n * f->width);
        return false;
    }
    for (j = 0; j < n; j++) {
        uint64_t v = tegra241_get(p + j * f->width, f->width);
        uint8_t *dst = regs + f->offset + j * f->stride;

        if (v & ~f->mask) {
            g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                        "Tegra241 CMDQV state: %s[%u] = 0x%"
                        G_GINT64_MODIFIER "x has bits outside 0x%"
                        G_GINT64_MODIFIER "x", f->name, j, (guint64)v,
                        (guint64)f->mask);
            return false;
        }
        if (f->width == 4) {
            uint32_t v32 = v;

            memcpy(dst, &v32, 4);
        } else {
            memcpy(dst, &v, 8);
        }
    }
    return true;
}

static bool
tegra241_state_check(Tegra241Cmdqv *s, const Tegra241Regs *r, GError **errp)
{
    unsigned q;

    for (q = s->geo.n_queues; q < T241_MAX_QUEUES; q++) {
        if (r->err_map[q / 32] & (1u << (q % 32))) {
            g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                        "Tegra241 CMDQV state: error map names queue %u of "
                        "%u", q, s->geo.n_queues);
            return false;
        }
    }
    return true;
}

bool
tegra241_state_load(void *state, const void *buf, size_t len, GError **errp)
{
    Tegra241Cmdqv *s = state;
    const uint8_t *p = buf;
    g_autofree Tegra241Regs *r = g_new0(Tegra241Regs, 1);
    uint64_t seen = 0, all = (1ull << G_N_ELEMENTS(tegra241_fields)) - 1;
    bool geom = false;
    size_t pos = 8;
    unsigned i;

    if (tegra241_state_accel_refused(s, "load", errp)) {
        return false;
    }
    if (!buf || len < 8 || tegra241_get(p, 4) != T241_STATE_MAGIC) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "Tegra241 CMDQV state: not a Tegra241 CMDQV blob "
                    "(%zu bytes, bad magic)", buf ? len : 0);
        return false;
    }
    if (tegra241_get(p + 4, 4) != T241_STATE_VERSION) {
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_NOT_SUPPORTED,
                    "Tegra241 CMDQV state: format version %u is not "
                    "supported (this module reads version %u)",
                    (unsigned)tegra241_get(p + 4, 4), T241_STATE_VERSION);
        return false;
    }

    while (pos < len) {
        const Tegra241Field *f;
        uint32_t tag, rlen;

        if (len - pos < 8) {
            g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                        "Tegra241 CMDQV state: truncated record header at "
                        "byte %zu", pos);
            return false;
        }
        tag = tegra241_get(p + pos, 4);
        rlen = tegra241_get(p + pos + 4, 4);
        pos += 8;
        if (rlen > len - pos) {
            g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                        "Tegra241 CMDQV state: record 0x%08x claims %u "
                        "bytes, %zu left", tag, rlen, len - pos);
            return false;
        }
        if (tag == T241_TAG_GEOM) {
            if (geom) {
                goto duplicate;
            }
            if (!tegra241_state_geom(s, p + pos, rlen, errp)) {
                return false;
            }
            geom = true;
        } else {
            f = tegra241_field_find(tag, &i);
            if (!f) {
                g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                            "Tegra241 CMDQV state: unknown record 0x%08x",
                            tag);
                return false;
            }
            if (seen & (1ull << i)) {
                goto duplicate;
            }
            if (!tegra241_state_field(s, r, f, p + pos, rlen, errp)) {
                return false;
            }
            seen |= 1ull << i;
        }
        pos += rlen;
        continue;

duplicate:
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "Tegra241 CMDQV state: record 0x%08x appears twice", tag);
        return false;
    }

    if (!geom || seen != all) {
        for (i = 0; i < G_N_ELEMENTS(tegra241_fields); i++) {
            if (!(seen & (1ull << i))) {
                break;
            }
        }
        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "Tegra241 CMDQV state: missing record %s",
                    !geom ? "GEOM" : tegra241_fields[i].name);
        return false;
    }
    if (!tegra241_state_check(s, r, errp)) {
        return false;
    }
    s->r = *r;
    tegra241_vintf_recount(s);
    return true;
}
