/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging through the host, and rate limiting for guest-caused lines. */
#include "core-priv.h"

void
smmu_ext_log_to(const SmmuExtHostOps *ops, void *opaque,
                GLogLevelFlags level, const char *fmt, va_list ap)
{
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);

    if (ops && ops->log) {
        ops->log(opaque, level, msg);
        return;
    }
    g_log(G_LOG_DOMAIN, level, "%s", msg);
}

bool
smmu_ext_ratelimit_ok(SmmuExtRatelimit *rl, unsigned *suppressed)
{
    int64_t now = g_get_monotonic_time();

    if (suppressed) {
        *suppressed = 0;
    }
    if (!rl->interval_us || !rl->burst) {
        return true;
    }
    if (!rl->begin || now - rl->begin >= rl->interval_us) {
        if (suppressed) {
            *suppressed = rl->missed;
        }
        rl->begin = now;
        rl->printed = 0;
        rl->missed = 0;
    }
    if (rl->printed < rl->burst) {
        rl->printed++;
        return true;
    }
    rl->missed++;
    return false;
}
