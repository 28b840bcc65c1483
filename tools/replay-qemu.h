/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `smmu-ext replay --qemu PATH SCRIPT`: the same script, run against a
 * real qemu-system-aarch64 (-M virt -accel qtest, one arm-smmuv3 device
 * with cmdqv=MODE) through qtest and QMP instead of the reference VMM.
 * Only the emulated mode exists there (host sim none): see
 * replay-format.md and smmu-ext(1) for how each command maps.
 */
#ifndef SMMU_EXT_REPLAY_QEMU_H
#define SMMU_EXT_REPLAY_QEMU_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "replay-parse.h"

G_BEGIN_DECLS

/* Where the virt machine's RAM starts, and how much of it we give. */
#define REPLAY_QEMU_RAM_BASE 0x40000000ull
#define REPLAY_QEMU_RAM_MAX  (4ull << 30)

/* One virtual-clock step of the hardware (qtest clock_step), in ns. */
#define REPLAY_QEMU_STEP_NS  100000u

/*
 * Run @script against @qemu; prints like the reference runner.  Returns
 * the tool's exit status (0 all checks held, 1 otherwise).
 */
int
replay_qemu_run(const ReplayScript *script, const char *qemu, bool trace);

/*
 * In the output of HMP `info mtree -o`, the region of the system address
 * space ("address-space: memory") owned by @owner (as mtree prints it,
 * e.g. "dev id=smmu0") that is not nested in another region of @owner
 * and is not named @exclude.  Returns false with @errp set if @mtree has
 * no system address space or more than one such region; true with
 * *@found false if there is none.
 */
bool
replay_qemu_find_region(const char *mtree, const char *owner,
                        const char *exclude, bool *found, uint64_t *base,
                        uint64_t *size, GError **errp);

G_END_DECLS

#endif /* SMMU_EXT_REPLAY_QEMU_H */
