/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `smmu-ext probe`: what `-device arm-smmuv3,accel=on,cmdqv=MODE` would
 * select on this host and why, on a real iommufd + VFIO device or on the
 * simulated host.  Nothing is allocated in the kernel: selection only asks
 * IOMMU_GET_HW_INFO.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "smmu-ext-sim.h"
#include "smmu-ext-tool.h"

/* The StreamID the simulated probe device sits on (any value works). */
#define PROBE_SIM_PSID 0x100

typedef struct ProbeHost {
    SmmuExtSim *sim;            /* simulated host, or NULL */
    SmmuExtIommufd *owned;      /* real host: our iommufd handle */
    SmmuExtIommufd *iommufd;    /* what selection probes (NULL: none) */
    int vfio_fd;
    uint32_t dev_id;
    bool verbose;
} ProbeHost;

static void
probe_log(void *opaque, GLogLevelFlags level, const char *msg)
{
    const ProbeHost *host = opaque;

    if (host->verbose) {
        fprintf(stderr, "smmu-ext probe: %s\n", msg);
    }
}

static const SmmuExtHostOps probe_ops = {
    .size = sizeof(SmmuExtHostOps),
    .log = probe_log,
};

static void
probe_host_close(ProbeHost *host)
{
    smmu_ext_iommufd_free(host->owned);
    if (host->vfio_fd >= 0) {
        close(host->vfio_fd);
    }
    smmu_ext_sim_free(host->sim);
}

static bool
probe_host_open_sim(ProbeHost *host, const char *profile, GError **errp)
{
    host->sim = smmu_ext_sim_new_by_name(profile, errp);
    if (!host->sim) {
        return false;
    }
    host->dev_id = smmu_ext_sim_add_device(host->sim, PROBE_SIM_PSID);
    if (smmu_ext_sim_profile(host->sim) != SMMU_EXT_SIM_NONE) {
        host->iommufd = smmu_ext_sim_iommufd(host->sim);
    }
    return true;
}

static bool
probe_host_open_real(ProbeHost *host, const char *path, const char *cdev,
                     GError **errp)
{
    host->owned = smmu_ext_iommufd_open(path, errp);
    if (!host->owned) {
        return false;
    }
    host->iommufd = host->owned;
    host->vfio_fd = open(cdev, O_RDWR | O_CLOEXEC);
    if (host->vfio_fd < 0) {
        int err = errno;

        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_FAILED,
                    "open(%s): %s (errno %d)", cdev, g_strerror(err), err);
        return false;
    }
    return smmu_ext_iommufd_bind_vfio(host->owned, host->vfio_fd,
                                      &host->dev_id, errp);
}

/* A caller's iommufd (inherited fd) and a device already bound to it, e.g.
 * a mock device of the kernel's iommufd selftest driver: never closed. */
static bool
probe_host_open_adopted(ProbeHost *host, int fd, int dev_id, GError **errp)
{
    if (fcntl(fd, F_GETFD) < 0) {
        int err = errno;

        g_set_error(errp, SMMU_EXT_ERROR, SMMU_EXT_ERROR_INVALID,
                    "--iommufd-fd %d: %s (errno %d)", fd, g_strerror(err),
                    err);
        return false;
    }
    host->owned = smmu_ext_iommufd_adopt(fd);
    host->iommufd = host->owned;
    host->dev_id = (uint32_t)dev_id;
    return true;
}

static char *
probe_summary(const SmmuExtInstance *inst, const ProbeHost *host)
{
    const char *ext = smmu_ext_instance_extension(inst);

    if (!strcmp(ext, "none")) {
        return g_strdup(host->iommufd ? "no extension: plain ARM_SMMUV3 "
                        "vIOMMU" : "no extension, no host IOMMU");
    }
    return g_strdup_printf("%s (%s)", ext, smmu_ext_instance_emulated(inst) ?
                           "emulated" : "accelerated");
}

/* Select for @mode on a fresh instance; returns the report or NULL. */
static char *
probe_mode(SmmuExtRegistry *reg, ProbeHost *host, const char *mode,
           SmmuExtReportFormat format, char **summary, GError **errp)
{
    SmmuExtInstance *inst = smmu_ext_instance_new(reg, mode, &probe_ops,
                                                  host, errp);
    char *report = NULL;

    if (!inst) {
        return NULL;
    }
    if (smmu_ext_instance_select(inst, host->iommufd, host->dev_id, errp)) {
        report = smmu_ext_instance_report(inst, format);
        if (summary) {
            *summary = probe_summary(inst, host);
        }
    }
    smmu_ext_instance_free(inst);
    return report;
}

/* Without --cmdqv: one line for each of off, on and auto. */
static void
print_all_modes(SmmuExtRegistry *reg, ProbeHost *host)
{
    static const char *const modes[] = { "off", "on", "auto" };

    printf("\nWhat each mode would do:\n");
    for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
        g_autoptr(GError) err = NULL;
        g_autofree char *summary = NULL;
        g_autofree char *report = probe_mode(reg, host, modes[i],
                                             SMMU_EXT_REPORT_TEXT, &summary,
                                             &err);

        printf("  cmdqv=%-4s -> %s%s\n", modes[i],
               report ? summary : "fails: ", report ? "" : err->message);
    }
}

typedef struct ProbeOptions {
    char *iommufd;
    char *vfio;
    char *sim;
    char *mode;
    char *dirs;
    int iommufd_fd;
    int dev_id;
    gboolean json;
    gboolean verbose;
} ProbeOptions;

static void
probe_options_clear(ProbeOptions *o)
{
    g_free(o->iommufd);
    g_free(o->vfio);
    g_free(o->sim);
    g_free(o->mode);
    g_free(o->dirs);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ProbeOptions, probe_options_clear)

static int
probe_run(const ProbeOptions *o, ProbeHost *host)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(SmmuExtRegistry) reg = tool_registry_new_noted("probe",
                                                             o->dirs);
    const char *mode = o->mode ? o->mode : "auto";
    g_autofree char *report = NULL;
    g_autoptr(SmmuExtMode) parsed = NULL;

    parsed = smmu_ext_mode_parse(reg, mode, &err);
    if (!parsed) {
        g_prefix_error(&err, "--cmdqv: ");
        return tool_fail("probe", err, TOOL_EXIT_USAGE);
    }
    if (!(o->sim ? probe_host_open_sim(host, o->sim, &err) :
          o->iommufd_fd >= 0 ?
          probe_host_open_adopted(host, o->iommufd_fd, o->dev_id, &err) :
          probe_host_open_real(host, o->iommufd, o->vfio, &err))) {
        return tool_fail("probe", err, o->sim && !host->sim ?
                         TOOL_EXIT_USAGE : TOOL_EXIT_FAIL);
    }
    report = probe_mode(reg, host, mode, o->json ? SMMU_EXT_REPORT_JSON :
                        SMMU_EXT_REPORT_TEXT, NULL, &err);
    if (!report) {
        return tool_fail("probe", err, TOOL_EXIT_FAIL);
    }
    printf("%s%s", report, g_str_has_suffix(report, "\n") ? "" : "\n");
    if (!o->mode && !o->json) {
        print_all_modes(reg, host);
    }
    return TOOL_EXIT_OK;
}

int
tool_cmd_probe(int argc, char **argv)
{
    g_auto(ProbeOptions) o = { .iommufd_fd = -1, .dev_id = -1 };
    const GOptionEntry entries[] = {
        { "iommufd", 'i', 0, G_OPTION_ARG_FILENAME, &o.iommufd,
          "The iommufd device (default /dev/iommu)", "PATH" },
        { "vfio", 'v', 0, G_OPTION_ARG_FILENAME, &o.vfio,
          "A VFIO device cdev behind the SMMU to probe", "CDEV" },
        { "iommufd-fd", 0, 0, G_OPTION_ARG_INT, &o.iommufd_fd,
          "An inherited iommufd fd (with --dev-id)", "FD" },
        { "dev-id", 0, 0, G_OPTION_ARG_INT, &o.dev_id,
          "A device already bound to --iommufd-fd", "ID" },
        { "sim", 's', 0, G_OPTION_ARG_STRING, &o.sim,
          "Probe the simulated host: tegra241, smmuv3, none or selftest",
          "PROFILE" },
        { "cmdqv", 'c', 0, G_OPTION_ARG_STRING, &o.mode,
          "off, on, auto (default) or an extension name", "MODE" },
        { "dir", 'd', 0, G_OPTION_ARG_STRING, &o.dirs,
          "Module directories (':'-separated) instead of the default",
          "DIRS" },
        { "json", 'j', 0, G_OPTION_ARG_NONE, &o.json,
          "Print the report as JSON (a failure as {\"error\": {...}})",
          NULL },
        { "verbose", 0, 0, G_OPTION_ARG_NONE, &o.verbose,
          "Print the library's log lines on stderr", NULL },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = tool_option_context_new(
        "probe", NULL,
        "Show what -device arm-smmuv3,accel=on,cmdqv=MODE would select on "
        "this\nhost, and why.  Without --cmdqv, also what each of off, on "
        "and auto\nwould do.", entries);
    ProbeHost host = { .vfio_fd = -1 };
    int ret;

    if (!tool_option_parse(ctx, "probe", &argc, &argv)) {
        return TOOL_EXIT_USAGE;
    }
    if (argc > 1) {
        return tool_usage_error("probe", "unexpected argument '%s'",
                                argv[1]);
    }
    if (o.sim && (o.iommufd || o.vfio)) {
        return tool_usage_error("probe", "--sim excludes --iommufd and "
                                "--vfio");
    }
    if ((o.iommufd_fd >= 0) != (o.dev_id > 0)) {
        return tool_usage_error("probe", "--iommufd-fd and --dev-id go "
                                "together");
    }
    if (o.iommufd_fd >= 0 && (o.sim || o.vfio || o.iommufd)) {
        return tool_usage_error("probe", "--iommufd-fd excludes --sim, "
                                "--vfio and --iommufd");
    }
    if (!o.sim && !o.vfio && o.iommufd_fd < 0) {
        return tool_usage_error("probe", "give --vfio CDEV (a real host), "
                                "--iommufd-fd FD --dev-id ID or --sim "
                                "PROFILE");
    }
    host.verbose = o.verbose;
    ret = probe_run(&o, &host);
    probe_host_close(&host);
    return ret;
}
