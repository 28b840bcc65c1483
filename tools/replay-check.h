/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every replay runner (the reference VMM's, QEMU's) reports the same
 * way: one stderr line per failing check, named by script and line, and
 * the "N checks, N failed" summary of replay-format.md.
 */
#ifndef REPLAY_CHECK_H
#define REPLAY_CHECK_H

#include "replay-parse.h"

typedef struct ReplayTally {
    const ReplayScript *script;
    unsigned checks;
    unsigned failed;
} ReplayTally;

/* Count a check of @cmd; when !@ok, print why (printf-style). */
void G_GNUC_PRINTF(4, 5)
replay_check(ReplayTally *t, const ReplayCmd *cmd, bool ok,
             const char *fmt, ...);

/* The r32/r64/memr/poll comparison: (@got & @mask) == @val, where
 * @all_ones is the access width's full mask. */
void
replay_check_value(ReplayTally *t, const ReplayCmd *cmd, uint64_t got,
                   uint64_t val, uint64_t mask, uint64_t all_ones);

/* Whether command @i + 1 of @script is an expect-error. */
bool
replay_next_is_expect_error(const ReplayScript *script, guint i);

/* Print the summary line; true when no check failed. */
bool
replay_tally_finish(const ReplayTally *t);

#endif /* REPLAY_CHECK_H */
