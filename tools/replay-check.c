/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Checks and the summary, shared by both replay runners (replay-check.h). */
#include <inttypes.h>
#include <stdio.h>
#include "replay-check.h"

void
replay_check(ReplayTally *t, const ReplayCmd *cmd, bool ok,
             const char *fmt, ...)
{
    g_autofree char *what = NULL;
    va_list ap;

    t->checks++;
    if (ok) {
        return;
    }
    t->failed++;
    va_start(ap, fmt);
    what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s:%u: %s: %s\n", t->script->name, cmd->line,
            cmd->text, what);
}

void
replay_check_value(ReplayTally *t, const ReplayCmd *cmd, uint64_t got,
                   uint64_t val, uint64_t mask, uint64_t all_ones)
{
    if (mask == all_ones) {
        replay_check(t, cmd, got == val,
                     "expected 0x%" PRIx64 ", got 0x%" PRIx64, val, got);
        return;
    }
    replay_check(t, cmd, (got & mask) == val,
                 "expected 0x%" PRIx64 " under mask 0x%" PRIx64 ", got 0x%"
                 PRIx64 " (read 0x%" PRIx64 ")", val, mask, got & mask, got);
}

bool
replay_next_is_expect_error(const ReplayScript *script, guint i)
{
    return i + 1 < script->cmds->len &&
           ((ReplayCmd *)g_ptr_array_index(script->cmds, i + 1))->op ==
               REPLAY_EXPECT_ERROR;
}

bool
replay_tally_finish(const ReplayTally *t)
{
    printf("%u checks, %u failed\n", t->checks, t->failed);
    return !t->failed;
}
