/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The replay parser: defaults of the format, numbers as C literals, line
 * numbers in messages, and every static error refused before anything runs.
 */
#include <errno.h>
#include <string.h>
#include "replay-parse.h"

static ReplayScript *
parse_ok(const char *text)
{
    g_autoptr(GError) err = NULL;
    ReplayScript *s = replay_parse("t.replay", text, strlen(text), &err);

    g_assert_no_error(err);
    g_assert_nonnull(s);
    return s;
}

static const ReplayCmd *
cmd_at(const ReplayScript *s, guint i)
{
    g_assert_cmpuint(i, <, s->cmds->len);
    return g_ptr_array_index(s->cmds, i);
}

static void
test_defaults(void)
{
    g_autoptr(ReplayScript) s = parse_ok(
        "ram 0x80000000 0x100000\n"
        "r32 0x8\n"
        "r32 0x8 1\n"
        "r64 0x40000 0x10 0xff\n"
        "poll32 0x8 1 1\n"
        "step\n"
        "fail mmap ENOMEM\n"
        "memr 0x80000000 0x46\n");
    const ReplayCmd *c;

    g_test_summary("Omitted arguments take the documented defaults");
    g_assert_cmpstr(s->profile, ==, "tegra241");
    g_assert_cmpuint(s->cmds->len, ==, 8);
    c = cmd_at(s, 0);
    g_assert_cmpuint(c->op, ==, REPLAY_RAM);
    g_assert_cmphex(c->num[0], ==, 0x80000000);
    g_assert_cmphex(c->num[1], ==, 0x100000);
    g_assert_cmpuint(c->num[2], ==, 4096);
    c = cmd_at(s, 1);
    g_assert_false(c->has_val);
    c = cmd_at(s, 2);
    g_assert_true(c->has_val);
    g_assert_cmphex(c->num[1], ==, 1);
    g_assert_cmphex(c->num[2], ==, 0xffffffff);
    c = cmd_at(s, 3);
    g_assert_cmphex(c->num[2], ==, 0xff);
    c = cmd_at(s, 4);
    g_assert_cmpuint(c->num[3], ==, REPLAY_DEFAULT_POLL);
    c = cmd_at(s, 5);
    g_assert_cmpuint(c->num[0], ==, 1);
    c = cmd_at(s, 6);
    g_assert_cmpstr(c->str, ==, "mmap");
    g_assert_cmpuint(c->num[0], ==, ENOMEM);
    g_assert_cmpuint(c->num[1], ==, 1);
    c = cmd_at(s, 7);
    g_assert_cmphex(c->num[2], ==, G_MAXUINT64);
}

static void
test_lines(void)
{
    g_autoptr(ReplayScript) s = parse_ok(
        "# a comment\n"
        "\n"
        "host sim smmuv3   # trailing comment\r\n"
        "   \t\n"
        "  attach\t1   0x10\n"
        "detach 1");
    const ReplayCmd *c;

    g_test_summary("Comments, blank lines and CRLF are skipped; commands "
                   "keep their own line number and normalised text");
    g_assert_cmpstr(s->profile, ==, "smmuv3");
    g_assert_cmpuint(s->cmds->len, ==, 3);
    c = cmd_at(s, 0);
    g_assert_cmpuint(c->line, ==, 3);
    g_assert_cmpstr(c->text, ==, "host sim smmuv3");
    c = cmd_at(s, 1);
    g_assert_cmpuint(c->line, ==, 5);
    g_assert_cmpstr(c->text, ==, "attach 1 0x10");
    g_assert_cmpuint(c->n_num, ==, 2);
    g_assert_cmphex(c->num[1], ==, 0x10);
    c = cmd_at(s, 2);
    g_assert_cmpuint(c->line, ==, 6);
    g_assert_cmpuint(c->n_num, ==, 1);
}

static void
test_numbers(void)
{
    g_autoptr(ReplayScript) s = parse_ok(
        "mem 0x1000 16 0x10 020 16u 0x10ULL 0xffffffffffffffff 0\n");
    const ReplayCmd *c = cmd_at(s, 0);

    g_test_summary("Numbers are C literals: decimal, hex, octal, suffixes");
    g_assert_cmpuint(c->n_num, ==, 8);
    g_assert_cmphex(c->num[0], ==, 0x1000);
    for (unsigned i = 1; i <= 5; i++) {
        g_assert_cmpuint(c->num[i], ==, 16);
    }
    g_assert_cmphex(c->num[6], ==, G_MAXUINT64);
    g_assert_cmpuint(c->num[7], ==, 0);
}

static void
test_expect_error_text(void)
{
    g_autoptr(ReplayScript) s = parse_ok(
        "attach 1\n"
        "expect-error   out of   memory  # why\n"
        "detach 1\n"
        "expect-error \"errno 12\"\n");

    g_test_summary("expect-error takes the rest of the line as TEXT, "
                   "blanks kept, one pair of quotes removed");
    g_assert_cmpstr(cmd_at(s, 1)->str, ==, "out of   memory");
    g_assert_cmpstr(cmd_at(s, 3)->str, ==, "errno 12");
}

static void
test_fail_errno(void)
{
    g_autoptr(ReplayScript) s = parse_ok(
        "fail hw_queue_alloc EIO 2\n"
        "fail destroy 16\n"
        "fail viommu_alloc EOPNOTSUPP\n");

    g_test_summary("fail takes errno names and numbers and an NTH");
    g_assert_cmpuint(cmd_at(s, 0)->num[0], ==, EIO);
    g_assert_cmpuint(cmd_at(s, 0)->num[1], ==, 2);
    g_assert_cmpuint(cmd_at(s, 1)->num[0], ==, 16);
    g_assert_cmpuint(cmd_at(s, 2)->num[0], ==, EOPNOTSUPP);
    g_assert_cmpint(replay_errno_from_name("EBUSY"), ==, EBUSY);
    g_assert_cmpint(replay_errno_from_name("ENOTANERRNO"), ==, -1);
}

/* A script with one error on @line: refused, and the message names it. */
typedef struct BadCase {
    const char *script;
    unsigned line;
    const char *why;        /* a fragment of the message */
} BadCase;

static const BadCase bad_cases[] = {
    { "reset\nfrobnicate 1\n", 2, "unknown command 'frobnicate'" },
    { "w32 0x10\n", 1, "missing arguments" },
    { "reset 1\n", 1, "too many arguments" },
    { "w32 0x10 0x100000000\n", 1, "larger than" },
    { "r32 0x10 0x2 0x1\n", 1, "never match" },
    { "poll32 0x10 1 2\n", 1, "never match" },
    { "poll32 0x10 1 1 0\n", 1, "STEPS" },
    { "step 10000001\n", 1, "larger than" },
    { "w64 0x10 -1\n", 1, "not a number" },
    { "w64 0x10 0x\n", 1, "not a number" },
    { "w64 0x10 12abc\n", 1, "not a number" },
    { "w64 0x10 08\n", 1, "not a number" },
    { "w64 0x10 99999999999999999999999\n", 1, "not a number" },
    { "host vm tegra241\n", 1, "expected 'sim'" },
    { "host sim amd\n", 1, "unknown profile 'amd'" },
    { "host sim none\nhost sim smmuv3\n", 2, "given twice" },
    { "attach 1\nhost sim none\n", 2, "before the first attach" },
    { "attach 1\nram 0 0x1000\n", 2, "before the first attach" },
    { "attach 1\ncmdqv off\n", 2, "before the first attach" },
    { "ram 0 0\n", 1, "SIZE" },
    { "ram 0 0x40000001\n", 1, "larger than" },
    { "attach 0x100000000\n", 1, "larger than" },
    { "fail frob ENOMEM\n", 1, "unknown operation 'frob'" },
    { "fail mmap EWHATEVER\n", 1, "neither an errno name" },
    { "fail mmap 0\n", 1, "neither an errno name" },
    { "fail mmap ENOMEM 0\n", 1, "NTH" },
    { "objects widgets 0\n", 1, "unknown kind 'widgets'" },
    { "expect-error boom\n", 1, "must follow" },
    { "reset\nexpect-error a\nexpect-error b\n", 3, "must follow" },
    { "reset\nexpect-error \"\"\n", 2, "empty" },
    { "mem 0x1000\n", 1, "missing arguments" },
};

static void
test_bad(gconstpointer data)
{
    const BadCase *c = data;
    g_autoptr(GError) err = NULL;
    g_autofree char *where = g_strdup_printf("t.replay:%u: ", c->line);
    ReplayScript *s;

    g_test_summary("A static error refuses the whole script and names its "
                   "line and the reason");
    s = replay_parse("t.replay", c->script, strlen(c->script), &err);
    g_assert_null(s);
    g_assert_error(err, REPLAY_PARSE_ERROR, 0);
    g_assert_nonnull(strstr(err->message, where));
    g_assert_nonnull(strstr(err->message, c->why));
}

static void
test_all_errors(void)
{
    static const char text[] = "bogus\nreset\nw32\nalso-bogus 1\n";
    g_autoptr(GError) err = NULL;
    ReplayScript *s = replay_parse("t.replay", text, strlen(text), &err);

    g_test_summary("Every error of a script is reported, not only the first");
    g_assert_null(s);
    g_assert_nonnull(strstr(err->message, "t.replay:1: "));
    g_assert_null(strstr(err->message, "t.replay:2: "));
    g_assert_nonnull(strstr(err->message, "t.replay:3: "));
    g_assert_nonnull(strstr(err->message, "t.replay:4: "));
}

static void
test_nul_byte(void)
{
    static const char text[] = "reset\nw32 0x10\0 1\n";
    g_autoptr(GError) err = NULL;
    ReplayScript *s = replay_parse("t.replay", text, sizeof(text) - 1, &err);

    g_test_summary("A NUL byte inside the text is an error, not a silent "
                   "end of line");
    g_assert_null(s);
    g_assert_nonnull(strstr(err->message, "t.replay:2: NUL"));
}

static void
test_empty(void)
{
    g_autoptr(ReplayScript) s = parse_ok("");

    g_test_summary("An empty script parses to no commands");
    g_assert_cmpuint(s->cmds->len, ==, 0);
    g_assert_cmpstr(s->profile, ==, REPLAY_DEFAULT_PROFILE);
}

/* Numbers the runner indexes without checking, per command. */
static void
assert_runner_invariants(const ReplayScript *s, unsigned n_lines)
{
    static const struct {
        unsigned min, max;
    } n_num[REPLAY_OP_N] = {
        [REPLAY_RAM] = { 3, 3 }, [REPLAY_ATTACH] = { 1, 2 },
        [REPLAY_DETACH] = { 1, 1 }, [REPLAY_W32] = { 2, 2 },
        [REPLAY_W64] = { 2, 2 }, [REPLAY_R32] = { 3, 3 },
        [REPLAY_R64] = { 3, 3 }, [REPLAY_POLL32] = { 4, 4 },
        [REPLAY_MEM] = { 2, G_MAXUINT }, [REPLAY_MEMR] = { 3, 3 },
        [REPLAY_STEP] = { 1, 1 }, [REPLAY_IRQ] = { 2, 2 },
        [REPLAY_FAIL] = { 2, 2 }, [REPLAY_OBJECTS] = { 1, 1 },
    };
    unsigned prev_line = 0;

    for (guint i = 0; i < s->cmds->len; i++) {
        const ReplayCmd *c = cmd_at(s, i);

        g_assert_cmpuint(c->op, <, REPLAY_OP_N);
        g_assert_cmpuint(c->line, >, prev_line);
        g_assert_cmpuint(c->line, <=, n_lines);
        prev_line = c->line;
        g_assert_cmpuint(c->n_num, >=, n_num[c->op].min);
        g_assert_cmpuint(c->n_num, <=, n_num[c->op].max);
        if (c->op == REPLAY_STEP || c->op == REPLAY_POLL32) {
            g_assert_cmpuint(c->num[c->n_num - 1], <=, REPLAY_MAX_STEPS);
        }
        if (c->op == REPLAY_FAIL || c->op == REPLAY_OBJECTS ||
            c->op == REPLAY_CMDQV || c->op == REPLAY_HOST ||
            c->op == REPLAY_SELECTED || c->op == REPLAY_EXPECT_ERROR) {
            g_assert_nonnull(c->str);
        }
    }
}

static void
test_mutations(void)
{
    g_autofree char *path = g_test_build_filename(G_TEST_DIST,
                                                  "linux-bringup.replay",
                                                  NULL);
    static const char alphabet[] = " \t\n#x0123456789abcdefrwmU\"-";
    g_autoptr(GRand) rand = g_rand_new_with_seed(0x5e1ec7);
    g_autofree char *orig = NULL;
    gsize len;
    unsigned accepted = 0;

    g_test_summary("Mutated scripts either parse into commands the runner "
                   "can index blindly, or fail with a message");
    g_assert_true(g_file_get_contents(path, &orig, &len, NULL));
    for (unsigned round = 0; round < 500; round++) {
        g_autofree char *text = g_memdup2(orig, len);
        g_autoptr(GError) err = NULL;
        g_autoptr(ReplayScript) s = NULL;
        unsigned n_lines = 1;
        gsize n = round < 250 ? len : (gsize)g_rand_int_range(rand, 0, len);

        for (unsigned k = g_rand_int_range(rand, 1, 8); k > 0; k--) {
            gsize at = g_rand_int_range(rand, 0, MAX(n, 1));

            if (n) {
                text[at] = g_rand_boolean(rand) ?
                    alphabet[g_rand_int_range(rand, 0, sizeof(alphabet) - 1)] :
                    (char)g_rand_int_range(rand, 0, 256);
            }
        }
        for (gsize i = 0; i < n; i++) {
            n_lines += text[i] == '\n';
        }
        s = replay_parse("m.replay", text, n, &err);
        g_assert_true((s == NULL) == (err != NULL));
        if (s) {
            accepted++;
            assert_runner_invariants(s, n_lines);
        } else {
            g_assert_true(g_str_has_prefix(err->message, "m.replay:"));
        }
    }
    /* Both outcomes were exercised. */
    g_assert_cmpuint(accepted, >, 0);
    g_assert_cmpuint(accepted, <, 500);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/replay/parse/defaults", test_defaults);
    g_test_add_func("/replay/parse/comments-blanks-crlf", test_lines);
    g_test_add_func("/replay/parse/c-literals", test_numbers);
    g_test_add_func("/replay/parse/expect-error-text",
                    test_expect_error_text);
    g_test_add_func("/replay/parse/fail-errno", test_fail_errno);
    g_test_add_func("/replay/parse/reports-every-error", test_all_errors);
    g_test_add_func("/replay/parse/nul-byte", test_nul_byte);
    g_test_add_func("/replay/parse/empty", test_empty);
    g_test_add_func("/replay/parse/mutations", test_mutations);
    for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        g_autofree char *path = g_strdup_printf("/replay/parse/refuses/%zu",
                                                i);

        g_test_add_data_func(path, &bad_cases[i], test_bad);
    }
    return g_test_run();
}
