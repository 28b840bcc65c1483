/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `smmu-ext replay --qemu` where no QEMU is needed to know the answer:
 * scripts for a host other than "none", RAM the virt machine cannot hold,
 * guest RAM accesses outside the script's RAM, commands that have no
 * meaning without a simulated kernel, and a QEMU that cannot start.
 * $SMMU_EXT_TOOL is the built executable (set by meson).
 */
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <unistd.h>

typedef struct Run {
    int status;
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

/* Run `smmu-ext replay --qemu @qemu` on a script made of @text. */
static void
replay(Run *r, const char *qemu, const char *text)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *path = NULL;
    int fd = g_file_open_tmp("replay-qemu-XXXXXX.replay", &path, &err);
    const char *argv[] = {
        g_getenv("SMMU_EXT_TOOL"), "replay", "--qemu", qemu, path, NULL,
    };
    int wait_status;

    g_assert_no_error(err);
    g_assert_nonnull(argv[0]);
    close(fd);
    g_assert_true(g_file_set_contents(path, text, -1, &err));
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT,
                               NULL, NULL, &r->out, &r->err, &wait_status,
                               &err));
    g_assert_no_error(err);
    g_unlink(path);
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

static unsigned
count_lines(const char *text)
{
    unsigned n = 0;

    for (; *text; text++) {
        n += *text == '\n';
    }
    return n;
}

static void
test_host_profile(void)
{
    g_auto(Run) r = { 0 };

    /* no host line: the default profile, tegra241, needs iommufd */
    replay(&r, "/nonexistent", "ram 0x80000000 0x1000\nr32 0 0\n");
    g_assert_cmpint(r.status, ==, 1);
    assert_contains(r.err, "--qemu runs the emulated mode only (host sim "
                    "none); this script is for host sim tegra241");
    g_assert_cmpstr(r.out, ==, "");
}

static void
test_ram_must_fit(void)
{
    g_auto(Run) r = { 0 };

    replay(&r, "/nonexistent",
           "host sim none\n"
           "ram 0x3ffff000 0x2000\n"            /* starts below RAM */
           "ram 0x140000000 0x1000\n"           /* beyond the 4 GiB given */
           "ram 0x80000000 0x10000\n"
           "ram 0x80008000 0x10000\n"           /* overlaps */
           "ram 0x13ffff000 0x1000\n"           /* the last page: fits */
           "objects viommu 0\n");
    g_assert_cmpint(r.status, ==, 1);
    assert_contains(r.err, ":2: ram 0x3ffff000 0x2000: expected success, "
                    "got error: ram: [0x3ffff000, +0x2000) does not fit the "
                    "virt machine's RAM [0x40000000, 0x140000000)");
    assert_contains(r.err, ":3: ram 0x140000000 0x1000: expected success");
    assert_contains(r.err, ":5: ram 0x80008000 0x10000: expected success, "
                    "got error: ram: [0x80008000, +0x10000) overlaps "
                    "[0x80000000, +0x10000)");
    g_assert_cmpuint(count_lines(r.err), ==, 3);
    g_assert_cmpstr(r.out, ==, "4 checks, 3 failed\n");
}

static void
test_no_simulated_kernel(void)
{
    g_auto(Run) r = { 0 };

    replay(&r, "/nonexistent",
           "host sim none\n"
           "ram 0x80000000 0x1000\n"
           "mem 0x80000ff8 0x1 0x2\n"           /* runs off the RAM */
           "expect-error is not guest RAM\n"
           "memr 0x90000000 0x0\n"
           "fail mmap ENOMEM\n"
           "expect-error simulated kernel does not exist\n"
           "objects hw_queue 0\n"
           "objects vdevice 1\n");
    g_assert_cmpint(r.status, ==, 1);
    assert_contains(r.err, ":5: memr 0x90000000 0x0: expected 0x0, got no "
                    "guest RAM at 0x90000000");
    assert_contains(r.err, ":9: objects vdevice 1: expected 1 live vdevice "
                    "objects, got 0");
    g_assert_cmpuint(count_lines(r.err), ==, 2);
    g_assert_cmpstr(r.out, ==, "5 checks, 2 failed\n");
}

static void
test_qemu_cannot_start(void)
{
    g_auto(Run) r = { 0 };

    replay(&r, "/nonexistent/qemu-system-aarch64",
           "host sim none\n"
           "attach 1\n"
           "expect-error cannot start /nonexistent/qemu-system-aarch64\n"
           "r32 0 0\n"
           "selected none\n"
           "objects viommu 0\n");
    g_assert_cmpint(r.status, ==, 1);
    /* one line per command that needed QEMU, each naming the start */
    assert_contains(r.err, ":4: r32 0 0: expected success, got error: QEMU "
                    "is not running (it failed to start at line 2)");
    assert_contains(r.err, ":5: selected none: expected success, got error: "
                    "QEMU is not running (it failed to start at line 2)");
    g_assert_cmpuint(count_lines(r.err), ==, 2);
    g_assert_cmpstr(r.out, ==, "4 checks, 2 failed\n");
}

static void
test_syntax_first(void)
{
    g_auto(Run) r = { 0 };

    replay(&r, "/nonexistent", "host sim none\nbogus 1\n");
    g_assert_cmpint(r.status, ==, 2);
    assert_contains(r.err, ":2: unknown command 'bogus'");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/replay-qemu/host-profile", test_host_profile);
    g_test_add_func("/replay-qemu/ram-must-fit", test_ram_must_fit);
    g_test_add_func("/replay-qemu/no-simulated-kernel",
                    test_no_simulated_kernel);
    g_test_add_func("/replay-qemu/qemu-cannot-start", test_qemu_cannot_start);
    g_test_add_func("/replay-qemu/syntax-first", test_syntax_first);
    return g_test_run();
}
