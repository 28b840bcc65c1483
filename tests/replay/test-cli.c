/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The smmu-ext command as a user runs it: exit codes, what each subcommand
 * prints, and replay's failure lines naming the right script line.
 * $SMMU_EXT_TOOL is the built executable (set by meson).
 */
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <unistd.h>

typedef struct Run {
    int status;             /* exit code */
    char *out;
    char *err;
} Run;

static void
run_clear(Run *r)
{
    g_free(r->out);
    g_free(r->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Run, run_clear)

static void
run_tool(Run *r, const char *first, ...)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) err = NULL;
    const char *tool = g_getenv("SMMU_EXT_TOOL");
    int wait_status;
    va_list ap;

    g_assert_nonnull(tool);
    g_ptr_array_add(argv, (char *)tool);
    va_start(ap, first);
    for (const char *a = first; a; a = va_arg(ap, const char *)) {
        g_ptr_array_add(argv, (char *)a);
    }
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL,
                 NULL, &r->out, &r->err, &wait_status, &err);
    g_assert_no_error(err);
    g_assert_true(WIFEXITED(wait_status));
    r->status = WEXITSTATUS(wait_status);
}

static void
assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle)) {
        g_test_message("'%s' not found in:\n%s", needle, haystack);
    }
    g_assert_nonnull(strstr(haystack, needle));
}

static char *
script(const char *name)
{
    return g_test_build_filename(G_TEST_DIST, name, NULL);
}

/* A temporary script with @text; removed by the caller. */
static char *
temp_script(const char *text)
{
    g_autoptr(GError) err = NULL;
    char *path = NULL;
    int fd = g_file_open_tmp("smmu-ext-XXXXXX.replay", &path, &err);

    g_assert_no_error(err);
    close(fd);
    g_file_set_contents(path, text, -1, &err);
    g_assert_no_error(err);
    return path;
}

static void
test_help(void)
{
    static const char *const subs[] = { "modules", "probe", "demo",
                                        "replay" };
    g_auto(Run) r = { 0 };

    g_test_summary("--help works for the command and every subcommand and "
                   "names the exit codes");
    run_tool(&r, "--help", NULL);
    g_assert_cmpint(r.status, ==, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(subs); i++) {
        g_auto(Run) s = { 0 };

        assert_contains(r.out, subs[i]);
        run_tool(&s, subs[i], "--help", NULL);
        g_assert_cmpint(s.status, ==, 0);
        assert_contains(s.out, "Exit status: 0 success, 1");
    }
}

static void
test_usage_errors(void)
{
    g_auto(Run) none = { 0 };
    g_auto(Run) unknown = { 0 };
    g_auto(Run) option = { 0 };
    g_auto(Run) extra = { 0 };

    g_test_summary("Usage errors exit 2 and say what was wrong");
    run_tool(&none, NULL);
    g_assert_cmpint(none.status, ==, 2);
    run_tool(&unknown, "frobnicate", NULL);
    g_assert_cmpint(unknown.status, ==, 2);
    assert_contains(unknown.err, "unknown command 'frobnicate'");
    run_tool(&option, "replay", "--bogus", NULL);
    g_assert_cmpint(option.status, ==, 2);
    assert_contains(option.err, "--bogus");
    run_tool(&extra, "modules", "extra", NULL);
    g_assert_cmpint(extra.status, ==, 2);
}

static void
test_modules(void)
{
    g_auto(Run) text = { 0 };
    g_auto(Run) json = { 0 };
    g_auto(Run) missing = { 0 };

    g_test_summary("modules lists the built Tegra241 module, in text and "
                   "JSON, with no hint");
    run_tool(&text, "modules", NULL);
    g_assert_cmpint(text.status, ==, 0);
    assert_contains(text.out, "tegra241 ");
    assert_contains(text.out, "hw_info tegra241_cmdqv (3)");
    assert_contains(text.out, "Module directories searched:");
    run_tool(&json, "modules", "--json", NULL);
    g_assert_cmpint(json.status, ==, 0);
    assert_contains(json.out, "\"name\": \"tegra241\"");
    assert_contains(json.out, "\"refused\": [");
    assert_contains(json.out, "\"hint\": null}");
    g_assert_null(strstr(text.out, "Note:"));
}

/* @data: a module directory that does not exist, or NULL for an empty
 * one made here (the library and tools packages without a module). */
static void
test_no_modules(gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *empty = data ? NULL :
                             g_dir_make_tmp("smmu-ext-nomod-XXXXXX", &error);
    const char *dir = data ? data : empty;
    g_auto(Run) text = { 0 };
    g_auto(Run) json = { 0 };
    g_auto(Run) probe = { 0 };
    g_auto(Run) demo = { 0 };

    g_assert_no_error(error);
    g_test_summary("With no readable module directory, or an empty one, "
                   "every subcommand still works: zero modules and a hint "
                   "naming the module package");
    run_tool(&text, "modules", "--dir", dir, NULL);
    g_assert_cmpint(text.status, ==, 0);
    assert_contains(text.out, "Modules (0, in probe order):");
    assert_contains(text.out, dir);
    assert_contains(text.out, "Note: no extension module found");
    assert_contains(text.out, "smmu-ext-module-tegra241");
    run_tool(&json, "modules", "--json", "--dir", dir, NULL);
    g_assert_cmpint(json.status, ==, 0);
    assert_contains(json.out, "\"modules\": []");
    assert_contains(json.out, "\"hint\": \"no extension module found");
    run_tool(&probe, "probe", "--sim", "tegra241", "--cmdqv", "auto",
             "--dir", dir, NULL);
    g_assert_cmpint(probe.status, ==, 0);
    assert_contains(probe.out, "extension: none");
    assert_contains(probe.err, "smmu-ext-module-tegra241");
    run_tool(&demo, "demo", "--dir", dir, NULL);
    g_assert_cmpint(demo.status, ==, 0);
    assert_contains(demo.err, "smmu-ext-module-tegra241");
    assert_contains(demo.out, "verdict: PASS");
    if (empty) {
        g_assert_cmpint(g_rmdir(empty), ==, 0);
    }
}

/* @out is exactly one line: {"error": {"domain": @domain, "code": ...,
 * "message": "...@needle..."}}. */
static void
assert_json_error(const char *out, const char *domain, const char *needle)
{
    g_autofree char *head = g_strdup_printf("{\"error\": {\"domain\": "
                                            "\"%s\", \"code\": ", domain);

    if (!g_str_has_prefix(out, head)) {
        g_test_message("'%s' does not start with '%s'", out, head);
    }
    g_assert_true(g_str_has_prefix(out, head));
    g_assert_true(g_str_has_suffix(out, "\"}}\n"));
    g_assert_nonnull(strstr(out, ", \"message\": \""));
    g_assert_cmpuint(strchr(out, '\n') - out + 1, ==, strlen(out));
    assert_contains(out, needle);
}

static void
test_json_errors(void)
{
    g_auto(Run) on = { 0 };
    g_auto(Run) mode = { 0 };
    g_auto(Run) option = { 0 };
    g_auto(Run) host = { 0 };
    g_auto(Run) plain = { 0 };

    g_test_summary("Under --json every failure prints one JSON error "
                   "object (domain, code, message) on stdout, and keeps "
                   "its exit code");
    run_tool(&on, "probe", "--sim", "smmuv3", "--cmdqv", "on", "--json",
             NULL);
    g_assert_cmpint(on.status, ==, 1);
    assert_json_error(on.out, "smmu-ext-error-quark",
                      "no extension accepted");
    run_tool(&mode, "probe", "--json", "--sim", "tegra241", "--cmdqv",
             "bogus", NULL);
    g_assert_cmpint(mode.status, ==, 2);
    assert_json_error(mode.out, "smmu-ext-error-quark", "bogus");
    run_tool(&option, "modules", "--json", "--bogus", NULL);
    g_assert_cmpint(option.status, ==, 2);
    assert_json_error(option.out, "g-option-context-error-quark", "--bogus");
    run_tool(&host, "probe", "-j", "--iommufd", "/nonexistent/iommu",
             "--vfio", "/nonexistent/vfio0", NULL);
    g_assert_cmpint(host.status, ==, 1);
    assert_json_error(host.out, "smmu-ext-error-quark", "/nonexistent/iommu");
    /* Control: the same failure without --json prints nothing on stdout. */
    run_tool(&plain, "probe", "--sim", "smmuv3", "--cmdqv", "on", NULL);
    g_assert_cmpint(plain.status, ==, 1);
    g_assert_cmpstr(plain.out, ==, "");
}

static void
test_probe_sim(void)
{
    g_auto(Run) t241 = { 0 };
    g_auto(Run) plain = { 0 };
    g_auto(Run) on = { 0 };
    g_auto(Run) json = { 0 };
    g_auto(Run) all = { 0 };

    g_test_summary("probe on the simulated host: tegra241 selects the "
                   "extension, a plain SMMUv3 falls back under auto and "
                   "fails under on with the reason");
    run_tool(&t241, "probe", "--sim", "tegra241", "--cmdqv", "auto", NULL);
    g_assert_cmpint(t241.status, ==, 0);
    assert_contains(t241.out, "extension: tegra241");
    g_assert_null(strstr(t241.out, "What each mode"));
    run_tool(&plain, "probe", "--sim", "smmuv3", "--cmdqv", "auto", NULL);
    g_assert_cmpint(plain.status, ==, 0);
    assert_contains(plain.out, "extension: none");
    run_tool(&on, "probe", "--sim", "smmuv3", "--cmdqv", "on", NULL);
    g_assert_cmpint(on.status, ==, 1);
    assert_contains(on.err, "no extension accepted");
    g_assert_cmpstr(on.out, ==, "");
    run_tool(&json, "probe", "--sim", "none", "--cmdqv", "tegra241",
             "--json", NULL);
    g_assert_cmpint(json.status, ==, 0);
    assert_contains(json.out, "\"run\": \"emulated\"");
    run_tool(&all, "probe", "--sim", "smmuv3", NULL);
    g_assert_cmpint(all.status, ==, 0);
    assert_contains(all.out, "cmdqv=on   -> fails: ");
    assert_contains(all.out, "cmdqv=off  -> no extension");
}

static void
test_probe_errors(void)
{
    g_auto(Run) mode = { 0 };
    g_auto(Run) profile = { 0 };
    g_auto(Run) both = { 0 };
    g_auto(Run) host = { 0 };

    g_test_summary("probe: a bad mode, profile or option mix exits 2; a "
                   "host that cannot be opened exits 1 naming the path");
    run_tool(&mode, "probe", "--sim", "tegra241", "--cmdqv", "bogus", NULL);
    g_assert_cmpint(mode.status, ==, 2);
    assert_contains(mode.err, "bogus");
    run_tool(&profile, "probe", "--sim", "amd", NULL);
    g_assert_cmpint(profile.status, ==, 2);
    run_tool(&both, "probe", "--sim", "none", "--vfio", "/dev/null", NULL);
    g_assert_cmpint(both.status, ==, 2);
    run_tool(&host, "probe", "--iommufd", "/nonexistent/iommu", "--vfio",
             "/nonexistent/vfio0", NULL);
    g_assert_cmpint(host.status, ==, 1);
    assert_contains(host.err, "/nonexistent/iommu");
}

static void
test_demo(gconstpointer data)
{
    const char *profile = data;
    g_auto(Run) r = { 0 };
    g_auto(GStrv) lines = NULL;
    guint n;

    g_test_summary("The demo runs to the end with nothing left behind");
    run_tool(&r, "demo", "--sim", profile, NULL);
    if (r.status) {
        g_test_message("%s%s", r.out, r.err);
    }
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.err, ==, "");
    lines = g_strsplit(g_strchomp(r.out), "\n", -1);
    n = g_strv_length(lines);
    g_assert_cmpuint(n, >, 5);
    /* Two plain sentences, a blank line, then the timeline. */
    g_assert_true(g_str_has_prefix(lines[0], "This simulates, in software, "
                                   "a host with "));
    g_assert_true(g_str_has_suffix(lines[0], "."));
    g_assert_true(g_str_has_prefix(lines[1], "It shows, step by step, "));
    g_assert_true(g_str_has_suffix(lines[1], "."));
    g_assert_cmpstr(lines[2], ==, "");
    g_assert_true(g_str_has_prefix(lines[3], "[ 1] "));
    g_assert_cmpstr(lines[n - 1], ==, "verdict: PASS (every check held, "
                    "nothing left); live objects: viommu 0, hw_queue 0, "
                    "veventq 0, vdevice 0, mmap 0, fds 0");
    if (!strcmp(profile, "smmuv3")) {
        assert_contains(r.out, "guest EVTQ receives event");
    } else {
        assert_contains(r.out, "VINTF_ERR_MAP 0x1");
        assert_contains(r.out, "queue resumes");
    }
}

/* The line of @path holding @needle, 1-based. */
static unsigned
line_of(const char *path, const char *needle)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (unsigned i = 0; lines[i]; i++) {
        if (strstr(lines[i], needle) && lines[i][0] != '#') {
            return i + 1;
        }
    }
    g_assert_not_reached();
}

static void
test_replay_bad_expectation(void)
{
    g_autofree char *path = script("bad-expectation.replay");
    g_autofree char *where = g_strdup_printf(
        "bad-expectation.replay:%u: r32 0x00004 0x00004012: expected "
        "0x4012, got 0x4011\n", line_of(path, "0x00004012"));
    g_auto(Run) r = { 0 };

    g_test_summary("A wrong expectation exits 1, names its line, and the "
                   "script still runs to its end");
    run_tool(&r, "replay", path, NULL);
    g_assert_cmpint(r.status, ==, 1);
    assert_contains(r.err, where);
    g_assert_true(g_str_has_suffix(r.out, " checks, 1 failed\n"));
    g_assert_true(g_str_has_suffix(r.out, "5 checks, 1 failed\n"));
}

static void
test_replay_syntax_error(void)
{
    g_autofree char *path = script("syntax-error.replay");
    g_autofree char *where = g_strdup_printf(
        "syntax-error.replay:%u: unknown command 'frobnicate'",
        line_of(path, "frobnicate"));
    g_auto(Run) r = { 0 };
    g_auto(Run) missing = { 0 };

    g_test_summary("A syntax error exits 2 naming the line and runs nothing");
    run_tool(&r, "replay", path, NULL);
    g_assert_cmpint(r.status, ==, 2);
    assert_contains(r.err, where);
    g_assert_cmpstr(r.out, ==, "");
    run_tool(&missing, "replay", "/nonexistent.replay", NULL);
    g_assert_cmpint(missing.status, ==, 2);
}

static void
test_replay_errors(void)
{
    g_autofree char *path = temp_script(
        "attach 1\n"
        "attach 1\n"                    /* error, not claimed */
        "detach 7\n"
        "expect-error not attached\n"   /* claimed */
        "reset\n"
        "expect-error anything\n"       /* no error to claim */
        "detach 9\n"
        "expect-error wrong text\n");   /* error, other text */
    g_auto(Run) r = { 0 };

    g_test_summary("Host errors are claimed by expect-error on the next "
                   "line, else fail on their own line");
    run_tool(&r, "replay", path, NULL);
    g_remove(path);
    g_assert_cmpint(r.status, ==, 1);
    assert_contains(r.err, ":2: attach 1: expected success, got error: ");
    g_assert_null(strstr(r.err, ":4: "));
    assert_contains(r.err, ":6: expect-error anything: expected an error "
                    "containing 'anything', got success");
    g_assert_null(strstr(r.err, ":7: "));
    assert_contains(r.err, ":8: expect-error wrong text: expected an error "
                    "containing 'wrong text', got 'device 9 is not "
                    "attached'");
    g_assert_cmpstr(r.out, ==, "4 checks, 3 failed\n");
}

static void
test_replay_trace(void)
{
    g_autofree char *path = temp_script(
        "ram 0x80000000 0x100000\n"
        "attach 1 0x10\n"
        "r32 0x4 0x4011\n"
        "mem 0x80000000 0x46\n"
        "memr 0x80000000 0x46\n");
    g_auto(Run) r = { 0 };

    g_test_summary("--trace prints each access with its value and path");
    run_tool(&r, "replay", "--trace", path, NULL);
    g_remove(path);
    g_assert_cmpint(r.status, ==, 0);
    assert_contains(r.out, ":3: r32 0x00004 = 0x4011 (trapped)\n");
    assert_contains(r.out, ":4: mem 0x80000000 = 0x46 (guest RAM)\n");
    g_assert_true(g_str_has_suffix(r.out, "2 checks, 0 failed\n"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tools/cli/help", test_help);
    g_test_add_func("/tools/cli/usage-errors", test_usage_errors);
    g_test_add_func("/tools/cli/modules", test_modules);
    g_test_add_data_func("/tools/cli/no-modules/missing",
                         "/nonexistent/smmu-ext", test_no_modules);
    g_test_add_data_func("/tools/cli/no-modules/empty", NULL,
                         test_no_modules);
    g_test_add_func("/tools/cli/json-errors", test_json_errors);
    g_test_add_func("/tools/cli/probe/sim", test_probe_sim);
    g_test_add_func("/tools/cli/probe/errors", test_probe_errors);
    g_test_add_data_func("/tools/cli/demo/tegra241", "tegra241", test_demo);
    g_test_add_data_func("/tools/cli/demo/smmuv3", "smmuv3", test_demo);
    g_test_add_data_func("/tools/cli/demo/none", "none", test_demo);
    g_test_add_func("/tools/cli/replay/bad-expectation",
                    test_replay_bad_expectation);
    g_test_add_func("/tools/cli/replay/syntax-error",
                    test_replay_syntax_error);
    g_test_add_func("/tools/cli/replay/expect-error", test_replay_errors);
    g_test_add_func("/tools/cli/replay/trace", test_replay_trace);
    return g_test_run();
}
