/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the replay script parser (tools/replay-parse.h): any bytes in, a
 * script or a syntax error out, never a crash.  An accepted script must be
 * well formed (known ops, line numbers in order and inside the text), and
 * the canonical text of its commands must parse again to the same ops and
 * numbers.
 */
#include "replay-parse.h"
#include "fuzz.h"

static unsigned
count_lines(const uint8_t *data, size_t size)
{
    unsigned n = 1;

    for (size_t i = 0; i < size; i++) {
        n += data[i] == '\n';
    }
    return n;
}

static void
check_same(const ReplayScript *a, const ReplayScript *b)
{
    FUZZ_CHECK(a->cmds->len == b->cmds->len, "%u commands became %u",
               a->cmds->len, b->cmds->len);
    for (guint i = 0; i < a->cmds->len; i++) {
        const ReplayCmd *x = g_ptr_array_index(a->cmds, i);
        const ReplayCmd *y = g_ptr_array_index(b->cmds, i);

        FUZZ_CHECK(x->op == y->op, "'%s' became '%s'", x->text, y->text);
        FUZZ_CHECK(x->n_num == y->n_num && x->has_val == y->has_val,
                   "'%s': arguments changed", x->text);
        for (unsigned k = 0; k < x->n_num; k++) {
            FUZZ_CHECK(x->num[k] == y->num[k], "'%s': number %u changed",
                       x->text, k);
        }
        /* expect-error loses one pair of quotes per parse. */
        if (x->op != REPLAY_EXPECT_ERROR) {
            FUZZ_CHECK(!g_strcmp0(x->str, y->str), "'%s': string changed",
                       x->text);
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(ReplayScript) script = NULL;
    g_autoptr(ReplayScript) again = NULL;
    g_autoptr(GString) canon = NULL;
    unsigned lines = count_lines(data, size), prev = 0;

    script = replay_parse("fuzz", (const char *)data, size, &err);
    if (!script) {
        FUZZ_CHECK(err && err->message[0], "refused without a message");
        FUZZ_CHECK(g_str_has_prefix(err->message, "fuzz:"),
                   "message does not name the script: %s", err->message);
        return 0;
    }
    FUZZ_CHECK(!err, "accepted with an error");
    FUZZ_CHECK(script->profile, "no profile");
    canon = g_string_new(NULL);
    for (guint i = 0; i < script->cmds->len; i++) {
        const ReplayCmd *c = g_ptr_array_index(script->cmds, i);

        FUZZ_CHECK(c->op < REPLAY_OP_N, "op %d", c->op);
        FUZZ_CHECK(c->line > prev && c->line <= lines,
                   "line %u after %u (of %u)", c->line, prev, lines);
        FUZZ_CHECK(c->text && (!c->n_num || c->num), "command %u empty", i);
        FUZZ_CHECK(replay_op_name(c->op), "op %d has no name", c->op);
        prev = c->line;
        g_string_append_printf(canon, "%s\n", c->text);
    }
    again = replay_parse("canonical", canon->str, canon->len, &err);
    FUZZ_CHECK(again, "canonical text refused: %s\n%s", err->message,
               canon->str);
    check_same(script, again);
    return 0;
}
