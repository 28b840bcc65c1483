/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conformance --kernel|--sim [--expect FILE] [--scenario NAME]...
 * conformance --kernel --sweep [--scenario NAME]...
 * conformance --kernel --with-mock -- COMMAND ARGS...
 *
 * Runs the scenarios (conf-scenarios.c) on /dev/iommu with the mock driver
 * (--kernel, the real libc seam) or on the simulated kernel's selftest
 * profile (--sim) and prints the transcript.  With --expect, the
 * transcript must equal FILE line for line; the first difference fails
 * the run and names the scenario and the call.  --sweep fails the k-th
 * kernel allocation (fail-nth) of each sweep scenario for k = 1, 2, ...
 * until a run injects nothing; every run must leave no object behind and,
 * when something was injected, report it (an errno in the transcript or a
 * warning the clean run did not have) unless the kernel absorbed it (the
 * transcript is unchanged, or differs with every check still passing).
 * --with-mock makes the mock's IOAS, device and nest parent, then runs
 * COMMAND with the iommufd inherited: "@FD@", "@DEV@" and "@HWPT@" in its
 * arguments become the fd, the dev_id and the nest-parent HWPT id (for
 * `smmu-ext probe --iommufd-fd @FD@ --dev-id @DEV@`).
 * --control transcript|leak proves the checks can fail: the first changes
 * one kernel answer of the transcript before the comparison, the second
 * skips the library's teardown (objects are left behind).  Both must make
 * the run fail.
 * Output lines starting with "result " are the machine-readable verdicts.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "conf.h"

static const char *
scenario_wanted(char **only, const ConfScenario *s)
{
    if (!only || !only[0]) {
        return s->name;
    }
    for (char **p = only; *p; p++) {
        if (g_str_equal(*p, s->name)) {
            return s->name;
        }
    }
    return NULL;
}

static void
run_one(Conf *c, const ConfScenario *s, bool real)
{
    if (!c->out) {
        c->out = g_string_new(NULL);
    }
    conf_line(c, "== scenario %s", s->name);
    if (conf_open(c, real)) {
        s->fn(c);
    }
    conf_close(c);
}

/* --- comparison ---------------------------------------------------------- */

static int
compare(const char *got, const char *path)
{
    g_autofree char *want = NULL;
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) a = NULL, b = NULL;
    const char *scenario = "?";
    guint i;

    if (!g_file_get_contents(path, &want, NULL, &err)) {
        printf("result compare FAIL: %s\n", err->message);
        return 1;
    }
    a = g_strsplit(want, "\n", -1);
    b = g_strsplit(got, "\n", -1);
    for (i = 0; a[i] && b[i]; i++) {
        if (g_str_has_prefix(b[i], "== scenario ")) {
            scenario = b[i] + strlen("== scenario ");
        }
        if (!g_str_equal(a[i], b[i])) {
            printf("result compare FAIL: scenario %s, line %u differs\n"
                   "  expected: %s\n  got:      %s\n", scenario, i + 1, a[i],
                   b[i]);
            return 1;
        }
    }
    if (a[i] || b[i]) {
        printf("result compare FAIL: scenario %s: transcript %s after line "
               "%u (next: %s)\n", scenario, a[i] ? "ends early" : "is longer",
               i, a[i] ? a[i] : b[i]);
        return 1;
    }
    printf("result compare ok: %u lines equal %s\n", i, path);
    return 0;
}

/* --- fail-nth ------------------------------------------------------------- */

static void
debugfs_write(const char *file, const char *val)
{
    g_autofree char *path = g_build_filename("/sys/kernel/debug", file, NULL);
    int fd = open(path, O_WRONLY | O_CLOEXEC);

    if (fd >= 0) {
        if (write(fd, val, strlen(val)) < 0) {
            fprintf(stderr, "write %s: %s\n", path, g_strerror(errno));
        }
        close(fd);
    }
}

/* Any allocation may fail, as in the kernel's iommufd_fail_nth test; the
 * injected failures are not logged. */
static bool
sweep_setup(void)
{
    if (access("/sys/kernel/debug/failslab", F_OK) != 0) {
        printf("result sweep FAIL: no /sys/kernel/debug/failslab (needs "
               "FAILSLAB, FAULT_INJECTION_DEBUG_FS and debugfs)\n");
        return false;
    }
    debugfs_write("failslab/ignore-gfp-wait", "N");
    debugfs_write("fail_page_alloc/ignore-gfp-wait", "N");
    debugfs_write("fail_page_alloc/ignore-gfp-highmem", "N");
    debugfs_write("failslab/verbose", "0");
    debugfs_write("fail_page_alloc/verbose", "0");
    debugfs_write("fail_iommufd/verbose", "0");
    return true;
}

void
conf_arm(Conf *c)
{
    g_autofree char *path = NULL;
    char buf[16];
    int n;

    if (!c->fail_nth) {
        return;
    }
    path = g_strdup_printf("/proc/self/task/%ld/fail-nth",
                           (long)syscall(SYS_gettid));
    c->nth_fd = open(path, O_RDWR | O_CLOEXEC);
    if (c->nth_fd < 0) {
        conf_check(c, false, "open %s: %s", path, g_strerror(errno));
        return;
    }
    n = snprintf(buf, sizeof(buf), "%u", c->fail_nth);
    if (write(c->nth_fd, buf, n) != n) {
        conf_check(c, false, "arm fail-nth: %s", g_strerror(errno));
    }
}

void
conf_disarm(Conf *c)
{
    char buf[16] = "";
    ssize_t n;

    if (!c->fail_nth || c->nth_fd < 0) {
        return;
    }
    /* Reading can itself be the injected call: then nothing was left to
     * inject in the body (the kernel's own test treats it the same). */
    n = pread(c->nth_fd, buf, sizeof(buf) - 1, 0);
    c->injected = n > 0 && buf[0] == '0';
    if (write(c->nth_fd, "0", 1) != 1) {
        /* Disarming failed: the next allocation fails; nothing to do. */
    }
    close(c->nth_fd);
    c->nth_fd = -1;
}

static bool
is_report(const char *l)
{
    return !g_str_has_prefix(l, "check ") &&
           (strstr(l, " -> E") || strstr(l, " -> error") ||
            strstr(l, " -> errno"));
}

/* The report of an injected failure: the first line reporting an error
 * from where the run departs from the clean run (an errno the clean run
 * also had does not count). */
static const char *
first_report(const char *t, const char *clean, char *buf, size_t len)
{
    g_auto(GStrv) lines = g_strsplit(t, "\n", -1);
    g_auto(GStrv) ref = g_strsplit(clean, "\n", -1);
    guint i = 0;

    while (lines[i] && ref[i] && g_str_equal(lines[i], ref[i])) {
        i++;
    }
    for (; lines[i]; i++) {
        if (is_report(lines[i])) {
            g_strlcpy(buf, lines[i], len);
            return buf;
        }
    }
    return NULL;
}

static bool
sweep_one(const ConfScenario *s, const char *clean, unsigned clean_warnings,
          unsigned only_k)
{
    unsigned runs = 0, injected = 0, absorbed = 0, bad = 0;

    for (unsigned k = only_k ? only_k : 1; k < 2000; k++) {
        Conf c = { .fail_nth = k, .nth_fd = -1 };
        char rep[512];
        const char *r;
        bool ok;

        run_one(&c, s, true);
        runs++;
        r = first_report(c.out->str, clean, rep, sizeof(rep));
        ok = c.gone_failures == 0;
        if (c.injected) {
            injected++;
            if (!r && c.warnings <= clean_warnings) {
                if (g_str_equal(c.out->str, clean)) {
                    absorbed++;
                    r = "absorbed by the kernel (transcript unchanged)";
                } else if (c.failures == 0) {
                    /* e.g. a read() that returned fewer records: another
                     * path, no error, and every check still holds. */
                    absorbed++;
                    r = "absorbed by the kernel (another path, every check "
                        "passed)";
                } else {
                    ok = false;
                    r = "NOTHING reported and the transcript changed";
                }
            } else if (!r) {
                r = "a warning was logged";
            }
        }
        printf("result sweep %s k=%u injected=%s gone=%s report: %s\n",
               s->name, k, c.injected ? "yes" : "no",
               c.gone_failures ? "FAIL" : "ok",
               c.injected ? r : "-");
        if (!ok || only_k) {
            bad += !ok;
            printf("%s", c.out->str);
        }
        g_string_free(c.out, TRUE);
        if (!c.injected || only_k) {
            break;
        }
    }
    printf("result sweep %s %s: %u runs, %u injected, %u absorbed, %u "
           "failed\n", s->name, bad ? "FAIL" : "ok", runs, injected,
           absorbed, bad);
    return bad == 0;
}

/* --- a command on a mock device ------------------------------------------- */

/* @s with every @from replaced by @to (takes and returns ownership). */
static char *
subst(char *s, const char *from, const char *to)
{
    g_auto(GStrv) parts = g_strsplit(s, from, -1);

    g_free(s);
    return g_strjoinv(to, parts);
}

static int
with_mock(char **cmd)
{
    Conf c = { .nth_fd = -1 };
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    char fd[16], dev[16], hwpt[16];
    int status = 0, rc;
    pid_t pid;

    if (!cmd || !cmd[0]) {
        fprintf(stderr, "conformance: --with-mock needs a command\n");
        return 2;
    }
    if (!conf_open(&c, true) || !conf_setup(&c)) {
        printf("%sresult with-mock FAIL: no mock device\n", c.out->str);
        return 1;
    }
    snprintf(fd, sizeof(fd), "%d", c.fd);
    snprintf(dev, sizeof(dev), "%u", c.idev);
    snprintf(hwpt, sizeof(hwpt), "%u", c.parent);
    for (char **a = cmd; *a; a++) {
        char *s = subst(subst(subst(g_strdup(*a), "@FD@", fd), "@DEV@", dev),
                        "@HWPT@", hwpt);

        g_ptr_array_add(argv, s);
    }
    g_ptr_array_add(argv, NULL);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        /* The iommufd was opened O_CLOEXEC: the child keeps it. */
        fcntl(c.fd, F_SETFD, 0);
        execvp(argv->pdata[0], (char **)argv->pdata);
        fprintf(stderr, "exec %s: %s\n", (char *)argv->pdata[0],
                g_strerror(errno));
        _exit(127);
    }
    rc = pid < 0 ? -1 : waitpid(pid, &status, 0);
    conf_teardown(&c);
    conf_close(&c);
    g_string_free(c.out, TRUE);
    if (rc < 0 || !WIFEXITED(status)) {
        printf("result with-mock FAIL: %s did not exit normally\n",
               (char *)argv->pdata[0]);
        return 1;
    }
    printf("result with-mock %s: %s exited %d\n",
           WEXITSTATUS(status) ? "FAIL" : "ok", (char *)argv->pdata[0],
           WEXITSTATUS(status));
    return WEXITSTATUS(status) != 0;
}

/* --- main ----------------------------------------------------------------- */

int
main(int argc, char **argv)
{
    gboolean kernel = FALSE, sim = FALSE, sweep = FALSE, list = FALSE;
    gboolean mock = FALSE;
    g_autofree char *control = NULL;
    int fail_nth = 0;
    g_auto(GStrv) rest = NULL;
    g_autofree char *expect = NULL;
    g_auto(GStrv) only = NULL;
    GOptionEntry entries[] = {
        { "kernel", 0, 0, G_OPTION_ARG_NONE, &kernel,
          "run on /dev/iommu (the mock driver)", NULL },
        { "sim", 0, 0, G_OPTION_ARG_NONE, &sim,
          "run on the simulated kernel's selftest profile", NULL },
        { "expect", 0, 0, G_OPTION_ARG_FILENAME, &expect,
          "the transcript must equal FILE", "FILE" },
        { "scenario", 0, 0, G_OPTION_ARG_STRING_ARRAY, &only,
          "run only NAME (repeatable)", "NAME" },
        { "sweep", 0, 0, G_OPTION_ARG_NONE, &sweep,
          "fault sweep with fail-nth (kernel only)", NULL },
        { "list", 0, 0, G_OPTION_ARG_NONE, &list, "list scenarios", NULL },
        { "fail-nth", 0, 0, G_OPTION_ARG_INT, &fail_nth,
          "with --sweep: only this k, and print its transcript", "K" },
        { "control", 0, 0, G_OPTION_ARG_STRING, &control,
          "prove the checks can fail: transcript or leak", "KIND" },
        { "with-mock", 0, 0, G_OPTION_ARG_NONE, &mock,
          "run the command after -- on a mock device (kernel only)", NULL },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL,
          "-- COMMAND..." },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_autoptr(GError) err = NULL;
    Conf c = { .nth_fd = -1 };
    int rc = 0;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "conformance: %s\n", err->message);
        return 2;
    }
    if (list) {
        for (unsigned i = 0; i < conf_n_scenarios; i++) {
            printf("%s%s\n", conf_scenarios[i].name,
                   conf_scenarios[i].sweep ? " (sweep)" : "");
        }
        return 0;
    }
    if (kernel == sim) {
        fprintf(stderr, "conformance: say --kernel or --sim\n");
        return 2;
    }
#ifndef CONF_INTERPOSE
    if (kernel) {
        fprintf(stderr, "conformance: this binary records through the "
                "simulator's seam only; use conformance-kernel\n");
        return 2;
    }
#endif
    if (mock) {
        return kernel ? with_mock(rest) : 2;
    }
    if (sweep) {
        if (!kernel || !sweep_setup()) {
            return 1;
        }
        for (unsigned i = 0; i < conf_n_scenarios; i++) {
            const ConfScenario *s = &conf_scenarios[i];
            Conf clean = { .nth_fd = -1 };

            if (!s->sweep || !scenario_wanted(only, s)) {
                continue;
            }
            run_one(&clean, s, true);
            if (clean.failures) {
                printf("%sresult sweep %s FAIL: the scenario fails without "
                       "an injected fault\n", clean.out->str, s->name);
                rc = 1;
            } else if (!sweep_one(s, clean.out->str, clean.warnings,
                                  (unsigned)fail_nth)) {
                rc = 1;
            }
            g_string_free(clean.out, TRUE);
        }
        return rc;
    }
    if (control && !g_str_equal(control, "transcript") &&
        !g_str_equal(control, "leak")) {
        fprintf(stderr, "conformance: --control transcript or leak\n");
        return 2;
    }
    c.control_leak = control && g_str_equal(control, "leak");
    for (unsigned i = 0; i < conf_n_scenarios; i++) {
        if (scenario_wanted(only, &conf_scenarios[i])) {
            run_one(&c, &conf_scenarios[i], kernel);
        }
    }
    if (control && g_str_equal(control, "transcript")) {
        /* One kernel answer changes, as a simulator bug would change it. */
        char *p = strstr(c.out->str, "-> EEXIST");

        if (p) {
            memcpy(p + 3, "EBUSY ", 6);
        }
    }
    fputs(c.out->str, stdout);
    printf("result checks %s: %u failed\n", c.failures ? "FAIL" : "ok",
           c.failures);
    rc = c.failures != 0;
    if (expect) {
        rc |= compare(c.out->str, expect);
    }
    g_string_free(c.out, TRUE);
    return rc;
}
