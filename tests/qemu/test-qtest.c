/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The qtest/QMP client against a real QEMU process: guest RAM accesses,
 * clock steps, IRQ interception, QMP and HMP, system_reset, and what a
 * QEMU that fails to start or goes away looks like.  Any
 * qemu-system-aarch64 with the virt machine will do ($SMMU_EXT_TEST_QEMU,
 * default Debian's); without one the live cases skip.  The JSON scanner
 * and the mtree parser are tested on fixed text.
 */
#include <string.h>
#include <glib.h>
#include "qtest.h"
#include "qtest-json.h"
#include "replay-qemu.h"
#include "smmu-ext.h"

#define RAM        0x40000000ull
#define PL061      0x09030000ull      /* virt's GPIO controller */
#define PL061_DIR  0x400
#define PL061_DATA 0x3fc              /* every line unmasked */

static const char *
test_qemu(void)
{
    const char *q = g_getenv("SMMU_EXT_TEST_QEMU");

    return q ? q : "/usr/bin/qemu-system-aarch64";
}

/* Does @qemu have the qtest accelerator?  Debian's build does not. */
static bool
has_qtest_accel(void)
{
    static int known = -1;

    if (known < 0) {
        const char *argv[] = { test_qemu(), "-accel", "help", NULL };
        g_autofree char *out = NULL;

        known = g_spawn_sync(NULL, (char **)argv, NULL,
                             G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                             NULL, NULL, NULL) &&
                strstr(out, "qtest") != NULL;
    }
    return known;
}

/* A virt machine with nothing running on its CPUs; NULL: skipped. */
static Qtest *
start_virt(void)
{
    g_autoptr(GError) err = NULL;
    bool qtest = has_qtest_accel();
    const char *argv[] = {
        test_qemu(), "-M", "virt,iommu=smmuv3", "-accel",
        qtest ? "qtest" : "tcg", "-nodefaults", "-nic", "none", "-display",
        "none", "-m", "64M", qtest ? NULL : "-S", NULL,
    };
    g_autoptr(Qtest) qt = NULL;

    if (!g_file_test(test_qemu(), G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_skip("no qemu-system-aarch64 (set SMMU_EXT_TEST_QEMU)");
        return NULL;
    }
    qt = qtest_new(&err);
    g_assert_no_error(err);
    g_assert_true(qtest_launch(qt, argv, 60000, &err));
    g_assert_no_error(err);
    return g_steal_pointer(&qt);
}

/* --- fixed text ------------------------------------------------------- */

static void
test_json(void)
{
    const char *reply = "{\"return\": {\"a\": [1, -2.5e3, true, null, {}], "
                        "\"s\": \"x\\\"\\u00e9\\ud83d\\ude00\\n\"}, "
                        "\"id\": \"q\"}";
    g_autofree char *s = NULL, *v = NULL, *esc = NULL;
    g_autoptr(GString) out = g_string_new(NULL);

    s = qtest_json_string(qtest_json_member(
        qtest_json_member(reply, "return"), "s"));
    g_assert_cmpstr(s, ==, "x\"\xc3\xa9\xf0\x9f\x98\x80\n");
    v = qtest_json_value(qtest_json_member(qtest_json_member(reply, "return"),
                                           "a"));
    g_assert_cmpstr(v, ==, "[1, -2.5e3, true, null, {}]");
    g_assert_nonnull(qtest_json_member(reply, "id"));
    g_assert_null(qtest_json_member(reply, "error"));
    /* malformed or truncated input is "not found", never a crash */
    g_assert_null(qtest_json_member("{\"a\": tru", "a"));
    g_assert_null(qtest_json_member("{\"a\" 1}", "a"));
    g_assert_null(qtest_json_member("[\"a\"]", "a"));
    g_assert_null(qtest_json_member("{\"x\": [1, 2, \"a\": 1", "a"));
    g_assert_null(qtest_json_string("\"\\ud800\""));
    g_assert_null(qtest_json_string("\"\\q\""));
    g_assert_null(qtest_json_string("\"open"));
    g_assert_null(qtest_json_string("12"));
    g_assert_null(qtest_json_value(NULL));
    /* nesting is bounded */
    for (int i = 0; i < 200; i++) {
        g_string_append_c(out, '[');
    }
    g_assert_null(qtest_json_value(out->str));
    g_string_assign(out, "");
    qtest_json_append_string(out, "a\"b\\c\n");
    g_assert_cmpstr(out->str, ==, "\"a\\\"b\\\\c\\u000a\"");
    esc = qtest_json_string(out->str);
    g_assert_cmpstr(esc, ==, "a\"b\\c\n");
}

static const char mtree[] =
    "address-space: cpu-memory-0\r\n"
    "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\r\n"
    "    000000000c020000-000000000c02ffff (prio 0, i/o): decoy "
    "owner:{dev id=smmu0}\r\n"
    "\r\n"
    "address-space: memory\r\n"
    "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\r\n"
    "    0000000009050000-000000000906ffff (prio 0, i/o): arm-smmuv3 "
    "owner:{dev path=/machine/unattached/device[6]}\r\n"
    "    000000000c000000-000000000dffffff (prio 0, i/o): platform bus "
    "owner:{dev id=platform-bus-device}\r\n"
    "      000000000c000000-000000000c01ffff (prio 0, i/o): arm-smmuv3 "
    "owner:{dev id=smmu0}\r\n"
    "      000000000c040000-000000000c0bffff (prio 0, i/o): cmdqv "
    "owner:{dev id=smmu0}\r\n"
    "        000000000c070000-000000000c07ffff (prio 1, ramd) [disabled]: "
    "direct owner:{dev id=smmu0}\r\n"
    "    0000000040000000-0000000043ffffff (prio 0, ram): mach-virt.ram "
    "owner:{obj path=/objects/mem}\r\n"
    "\r\n"
    "address-space: smmuv3-iommu-memory-region-0-0\r\n"
    "  0000000000000000-0000ffffffffffff (prio 0, i/o): other "
    "owner:{dev id=smmu0}\r\n";

static void
test_mtree(void)
{
    g_autoptr(GError) err = NULL;
    uint64_t base = 0, size = 0;
    bool found = false;

    /* the extension's region, not the SMMU's, not the nested page */
    g_assert_true(replay_qemu_find_region(mtree, "dev id=smmu0",
                                          "arm-smmuv3", &found, &base, &size,
                                          &err));
    g_assert_no_error(err);
    g_assert_true(found);
    g_assert_cmphex(base, ==, 0xc040000);
    g_assert_cmphex(size, ==, 0x80000);
    /* a device with only its register frame: no extension region */
    g_assert_true(replay_qemu_find_region(
        mtree, "dev path=/machine/unattached/device[6]", "arm-smmuv3",
        &found, &base, &size, &err));
    g_assert_false(found);
    /* two candidates: refused rather than guessed */
    g_assert_false(replay_qemu_find_region(mtree, "dev id=smmu0", "-",
                                           &found, &base, &size, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_FAILED);
    g_clear_error(&err);
    g_assert_false(replay_qemu_find_region("address-space: cpu\n", "x", "-",
                                           &found, &base, &size, &err));
    g_assert_error(err, SMMU_EXT_ERROR, SMMU_EXT_ERROR_FAILED);
}

/* --- a live QEMU ------------------------------------------------------ */

static void
test_start_failure(void)
{
    g_autoptr(GError) err = NULL;
    const char *bad[] = { test_qemu(), "-M", "no-such-machine", NULL };
    const char *missing[] = { "/nonexistent/qemu-system-aarch64", NULL };
    g_autoptr(Qtest) qt = NULL, qt2 = NULL;

    if (!g_file_test(test_qemu(), G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_skip("no qemu-system-aarch64");
        return;
    }
    qt = qtest_new(&err);
    g_assert_false(qtest_launch(qt, bad, 60000, &err));
    g_assert_error(err, QTEST_ERROR, QTEST_ERROR_IO);
    /* the error has QEMU's own reason and its exit status */
    g_assert_nonnull(strstr(err->message, "exited with status 1"));
    g_test_message("%s", err->message);
    g_assert_nonnull(strstr(err->message, "unsupported machine type"));
    g_clear_error(&err);

    qt2 = qtest_new(&err);
    g_assert_false(qtest_launch(qt2, missing, 60000, &err));
    g_assert_error(err, QTEST_ERROR, QTEST_ERROR_START);
    g_assert_nonnull(strstr(err->message, "/nonexistent/"));
}

static void
test_ram(void)
{
    g_autoptr(Qtest) qt = start_virt();
    g_autoptr(GError) err = NULL;
    const uint8_t pattern[24] = { 1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0, 0x80 };
    uint8_t back[24] = { 0 };
    uint64_t v = 0;

    if (!qt) {
        return;
    }
    for (unsigned size = 1; size <= 8; size *= 2) {
        uint64_t val = 0x8877665544332211ull >> (64 - 8 * size);

        g_assert_true(qtest_write(qt, RAM + 0x100, size, val, &err));
        g_assert_true(qtest_read(qt, RAM + 0x100, size, &v, &err));
        g_assert_no_error(err);
        g_assert_cmphex(v, ==, val);
    }
    g_assert_true(qtest_memwrite(qt, RAM + 0x1000, pattern, 24, &err));
    g_assert_true(qtest_memread(qt, RAM + 0x1000, back, 24, &err));
    g_assert_no_error(err);
    g_assert_cmpmem(back, 24, pattern, 24);
    /* little-endian guest: a 64-bit read sees the bytes in order */
    g_assert_true(qtest_read(qt, RAM + 0x1000, 8, &v, &err));
    g_assert_cmphex(v, ==, 0x0807060504030201ull);
    g_assert_false(qtest_read(qt, RAM, 3, &v, &err));
    g_assert_error(err, QTEST_ERROR, QTEST_ERROR_PROTOCOL);
}

static void
test_clock_step(void)
{
    g_autoptr(Qtest) qt = start_virt();
    g_autoptr(GError) err = NULL;

    if (!qt) {
        return;
    }
    if (has_qtest_accel()) {
        g_assert_true(qtest_clock_step(qt, 1000000, &err));
        g_assert_no_error(err);
        return;
    }
    /* without -accel qtest QEMU refuses: a FAIL answer is an error */
    g_assert_false(qtest_clock_step(qt, 1000000, &err));
    g_assert_error(err, QTEST_ERROR, QTEST_ERROR_FAIL);
    g_assert_nonnull(strstr(err->message, "clock_step"));
}

static void
test_qmp(void)
{
    g_autoptr(Qtest) qt = start_virt();
    g_autoptr(GError) err = NULL;
    g_autofree char *type = NULL, *mtree_text = NULL, *ret = NULL;
    uint64_t base = 0, size = 0;
    bool found = false;

    if (!qt) {
        return;
    }
    type = qtest_qom_get_string(qt, "/machine", "type", &err);
    g_assert_no_error(err);
    g_assert_true(g_str_has_suffix(type, "-machine"));
    g_assert_null(qtest_qom_get_string(qt, "/machine", "no-such-prop",
                                       &err));
    g_assert_error(err, QTEST_ERROR, QTEST_ERROR_FAIL);
    g_assert_nonnull(strstr(err->message, "no-such-prop"));
    g_clear_error(&err);
    /* a non-string return is refused by the string getter */
    g_assert_null(qtest_qom_get_string(qt, "/machine", "dump-guest-core",
                                       &err));
    g_assert_error(err, QTEST_ERROR, QTEST_ERROR_PROTOCOL);
    g_clear_error(&err);

    /* HMP: the machine's SMMU as the replay runner finds regions */
    mtree_text = qtest_hmp(qt, "info mtree -o", &err);
    g_assert_no_error(err);
    g_assert_true(replay_qemu_find_region(mtree_text,
                                          "dev path=/machine/unattached/"
                                          "device[6]", "-", &found, &base,
                                          &size, &err));
    g_assert_no_error(err);
    g_assert_true(found);
    g_assert_cmphex(base, ==, 0x09050000);
    g_assert_cmphex(size, ==, 0x20000);

    /* QEMU exits on quit: the next request says so instead of hanging */
    ret = qtest_qmp(qt, "quit", NULL, &err);
    g_assert_no_error(err);
    g_assert_false(qtest_read(qt, RAM, 4, &base, &err));
    g_assert_error(err, QTEST_ERROR, QTEST_ERROR_IO);
    g_assert_nonnull(strstr(err->message, "exited with status 0"));
    g_clear_error(&err);
    /* and the client does not read a dead connection again */
    g_assert_false(qtest_write(qt, RAM, 4, 0, &err));
    g_assert_error(err, QTEST_ERROR, QTEST_ERROR_IO);
    g_assert_nonnull(strstr(err->message, "no connection to QEMU"));
    g_clear_error(&err);
    g_assert_null(qtest_hmp(qt, "info mtree", &err));
    g_assert_error(err, QTEST_ERROR, QTEST_ERROR_IO);
}

/* QOM path of the device owning the region at @addr, from info mtree. */
static char *
owner_path(Qtest *qt, uint64_t addr)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *text = qtest_hmp(qt, "info mtree -o", &err);
    g_autofree char *start = g_strdup_printf("%016" G_GINT64_MODIFIER "x-",
                                             addr);
    const char *line = strstr(text, start);
    const char *path;

    g_assert_no_error(err);
    g_assert_nonnull(line);
    path = strstr(line, "path=");
    g_assert_nonnull(path);
    return g_strndup(path + 5, strcspn(path + 5, "}"));
}

static void
test_irq_and_reset(void)
{
    g_autoptr(Qtest) qt = start_virt();
    g_autoptr(GError) err = NULL;
    g_autofree char *pl061 = NULL, *smmu = NULL;
    uint64_t v = 0;

    if (!qt) {
        return;
    }
    pl061 = owner_path(qt, PL061);
    g_assert_true(qtest_irq_intercept_out(qt, pl061, NULL, &err));
    g_assert_no_error(err);
    /* GPIO lines 0 and 2 driven high: one rising edge each */
    g_assert_true(qtest_write(qt, PL061 + PL061_DIR, 4, 0xff, &err));
    g_assert_true(qtest_write(qt, PL061 + PL061_DATA, 4, 0x05, &err));
    g_assert_true(qtest_read(qt, PL061 + PL061_DIR, 4, &v, &err));
    g_assert_no_error(err);
    g_assert_cmphex(v, ==, 0xff);
    g_assert_cmpuint(qtest_irq_raised(qt, 0), ==, 1);
    g_assert_cmpuint(qtest_irq_raised(qt, 1), ==, 0);
    g_assert_cmpuint(qtest_irq_raised(qt, 2), ==, 1);
    g_assert_true(qtest_irq_level(qt, 0));
    /* staying high is no edge; low then high is a second one */
    g_assert_true(qtest_write(qt, PL061 + PL061_DATA, 4, 0x07, &err));
    g_assert_true(qtest_write(qt, PL061 + PL061_DATA, 4, 0x00, &err));
    g_assert_false(qtest_irq_level(qt, 0));
    g_assert_true(qtest_write(qt, PL061 + PL061_DATA, 4, 0x01, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(qtest_irq_raised(qt, 0), ==, 2);
    g_assert_cmpuint(qtest_irq_raised(qt, 1), ==, 1);

    /* system_reset returns once the device is back in its reset state */
    g_assert_true(qtest_system_reset(qt, &err));
    g_assert_no_error(err);
    g_assert_true(qtest_read(qt, PL061 + PL061_DIR, 4, &v, &err));
    g_assert_cmphex(v, ==, 0);
    /* intercepting a second device (the SMMU) is refused by QEMU */
    smmu = owner_path(qt, 0x09050000);
    g_assert_false(qtest_irq_intercept_out(qt, smmu, "sysbus-irq", &err));
    g_assert_error(err, QTEST_ERROR, QTEST_ERROR_FAIL);
    g_assert_nonnull(strstr(err->message, "already"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qtest/json", test_json);
    g_test_add_func("/qtest/mtree", test_mtree);
    g_test_add_func("/qtest/start-failure", test_start_failure);
    g_test_add_func("/qtest/ram", test_ram);
    g_test_add_func("/qtest/clock-step", test_clock_step);
    g_test_add_func("/qtest/qmp", test_qmp);
    g_test_add_func("/qtest/irq-and-reset", test_irq_and_reset);
    return g_test_run();
}
