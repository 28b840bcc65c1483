/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The selection report: what was selected for this vIOMMU and why, in text
 * for QEMU's log and in JSON for tools (smmu-ext probe --json, management
 * software).  Users otherwise cannot tell whether acceleration is active.
 */
#include <string.h>
#include "instance-priv.h"

typedef struct ReportFacts {
    const char *mode;
    const char *extension;
    const char *version;
    const char *run;           /* "accelerated", "emulated", "plain", ... */
    const char *reason;
    bool have_geo;
    SmmuExtGeometry geo;
    bool migratable;
    char *migration;           /* why not */
    uint32_t viommu_id;
    const char *blocker;
    uint32_t blocker_dev;
} ReportFacts;

static void
gather(const SmmuExtInstance *inst, ReportFacts *f)
{
    g_autoptr(GError) err = NULL;

    memset(f, 0, sizeof(*f));
    f->mode = smmu_ext_mode_name(inst->mode);
    f->extension = smmu_ext_instance_extension(inst);
    f->version = inst->ext ? inst->ext->mod->info.version : "";
    if (!inst->selected) {
        f->run = "not selected yet";
    } else if (!inst->ext) {
        f->run = inst->iommufd ? "plain ARM_SMMUV3 vIOMMU" : "no extension";
    } else {
        f->run = inst->iommufd ? "accelerated" : "emulated";
    }
    f->reason = inst->reason ? inst->reason : "";
    f->geo.size = sizeof(f->geo);
    f->have_geo = smmu_ext_instance_geometry(inst, &f->geo);
    f->migratable = smmu_ext_instance_can_migrate(inst, &err);
    f->migration = g_strdup(err ? err->message : "");
    f->viommu_id = inst->viommu_id;
    f->blocker = smmu_ext_instance_unplug_blocker(inst,
                                                  inst->creator_dev_id);
    f->blocker_dev = f->blocker ? inst->creator_dev_id : 0;
}

static void
text_geometry(GString *s, const SmmuExtGeometry *g)
{
    g_string_append_printf(s, "geometry: version %u, %u interface(s), %u "
                           "queue(s) each, %u vSID slot(s)\n", g->version,
                           g->n_interfaces, g->n_queues, g->n_vsids);
    if (g->queue_log2_cap) {
        g_string_append_printf(s, "queue-size cap: 2^%u entries (set the "
                               "SMMU IDR1.CMDQS to at most %u)",
                               g->queue_log2_cap, g->queue_log2_cap);
        if (g->ram_page_size) {
            g_string_append_printf(s, "; smallest guest-RAM page %"
                                   G_GUINT64_FORMAT " bytes (queues must be "
                                   "physically contiguous)",
                                   g->ram_page_size);
        }
        g_string_append_c(s, '\n');
    }
}

static void
text_counter(void *ctx, const char *name, uint64_t value)
{
    g_string_append_printf(ctx, "counter %s: %" G_GUINT64_FORMAT "\n", name,
                           value);
}

static char *
report_text(const SmmuExtInstance *inst, const ReportFacts *f)
{
    GString *s = g_string_new(NULL);

    g_string_append_printf(s, "cmdqv mode: %s\n", f->mode);
    g_string_append_printf(s, "extension: %s%s%s (%s)\n", f->extension,
                           *f->version ? " " : "", f->version, f->run);
    if (*f->reason) {
        g_string_append_printf(s, "why: %s\n", f->reason);
    }
    for (guint i = 0; i < inst->probes->len; i++) {
        SmmuExtProbeAnswer *a = g_ptr_array_index(inst->probes, i);

        g_string_append_printf(s, "probe %s %s (hw_info type %u): %s\n",
                               a->name, a->version, a->hw_info_type,
                               a->answer);
    }
    if (f->have_geo) {
        text_geometry(s, &f->geo);
    }
    if (f->viommu_id) {
        g_string_append_printf(s, "vIOMMU: id %u, type %u\n", f->viommu_id,
                               inst->viommu_type);
    }
    g_string_append_printf(s, "migration: %s%s\n",
                           f->migratable ? "possible" : "blocked: ",
                           f->migratable ? "" : f->migration);
    if (f->blocker) {
        g_string_append_printf(s, "unplug blocked: %s\n", f->blocker);
    }
    smmu_ext_instance_counters(inst, text_counter, s);
    return g_string_free(s, FALSE);
}

/* "@val" with JSON escapes. */
static void
json_quoted(GString *s, const char *val)
{
    g_string_append_c(s, '"');
    for (const char *p = val ? val : ""; *p; p++) {
        unsigned char c = *p;

        if (c == '"' || c == '\\') {
            g_string_append_printf(s, "\\%c", c);
        } else if (c < 0x20) {
            g_string_append_printf(s, "\\u%04x", c);
        } else {
            g_string_append_c(s, c);
        }
    }
    g_string_append_c(s, '"');
}

static void
json_str(GString *s, const char *key, const char *val, bool comma)
{
    g_string_append_printf(s, "\"%s\": ", key);
    json_quoted(s, val);
    if (comma) {
        g_string_append(s, ", ");
    }
}

typedef struct JsonCounters {
    GString *s;
    unsigned n;
} JsonCounters;

static void
json_counter(void *ctx, const char *name, uint64_t value)
{
    JsonCounters *j = ctx;

    if (j->n++) {
        g_string_append(j->s, ", ");
    }
    /* A module's name: escaped, so the report stays valid JSON. */
    json_quoted(j->s, name);
    g_string_append_printf(j->s, ": %" G_GUINT64_FORMAT, value);
}

static char *
report_json(const SmmuExtInstance *inst, const ReportFacts *f)
{
    GString *s = g_string_new("{");

    json_str(s, "mode", f->mode, true);
    json_str(s, "extension", f->extension, true);
    json_str(s, "version", f->version, true);
    json_str(s, "run", f->run, true);
    json_str(s, "reason", f->reason, true);
    g_string_append(s, "\"probes\": [");
    for (guint i = 0; i < inst->probes->len; i++) {
        SmmuExtProbeAnswer *a = g_ptr_array_index(inst->probes, i);

        g_string_append_printf(s, "%s{", i ? ", " : "");
        json_str(s, "name", a->name, true);
        json_str(s, "version", a->version, true);
        g_string_append_printf(s, "\"hw_info_type\": %u, \"accepted\": %s, ",
                               a->hw_info_type,
                               a->accepted ? "true" : "false");
        json_str(s, "answer", a->answer, false);
        g_string_append_c(s, '}');
    }
    g_string_append(s, "], ");
    if (f->have_geo) {
        g_string_append_printf(s, "\"geometry\": {\"version\": %u, "
                               "\"interfaces\": %u, \"queues\": %u, "
                               "\"vsids\": %u, \"queue_log2_cap\": %u, "
                               "\"ram_page_size\": %" G_GUINT64_FORMAT "}, ",
                               f->geo.version, f->geo.n_interfaces,
                               f->geo.n_queues, f->geo.n_vsids,
                               f->geo.queue_log2_cap, f->geo.ram_page_size);
    }
    g_string_append_printf(s, "\"viommu_id\": %u, \"migratable\": %s, ",
                           f->viommu_id, f->migratable ? "true" : "false");
    json_str(s, "migration_blocker", f->migration, true);
    g_string_append_printf(s, "\"unplug_blocked_device\": %u, ",
                           f->blocker_dev);
    g_string_append(s, "\"counters\": {");
    smmu_ext_instance_counters(inst, json_counter, &(JsonCounters) { s, 0 });
    g_string_append(s, "}}");
    return g_string_free(s, FALSE);
}

char *
smmu_ext_instance_report(const SmmuExtInstance *inst,
                         SmmuExtReportFormat format)
{
    ReportFacts f;
    char *out;

    g_return_val_if_fail(inst != NULL, NULL);
    gather(inst, &f);
    out = format == SMMU_EXT_REPORT_JSON ? report_json(inst, &f)
                                         : report_text(inst, &f);
    g_free(f.migration);
    return out;
}
