/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The SMMU_EXT_ERROR domain and helpers that never drop a second error. */
#include <errno.h>
#include <string.h>
#include "core-priv.h"

G_DEFINE_QUARK(smmu-ext-error-quark, smmu_ext_error)

void
smmu_ext_error_append(GError **dst, GError *src)
{
    if (!src) {
        return;
    }
    if (!dst) {
        g_error_free(src);
        return;
    }
    if (!*dst) {
        *dst = src;
        return;
    }
    /* Keep the first error's domain and code; the text carries both. */
    char *joined = g_strdup_printf("%s; also: %s", (*dst)->message,
                                   src->message);
    g_free((*dst)->message);
    (*dst)->message = joined;
    g_error_free(src);
}

void
smmu_ext_set_kernel_error(GError **errp, int err, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *what = NULL;

    if (!errp) {
        return;
    }
    va_start(ap, fmt);
    what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    smmu_ext_error_append(errp, g_error_new(SMMU_EXT_ERROR,
                                            SMMU_EXT_ERROR_KERNEL,
                                            "%s: %s (errno %d)", what,
                                            g_strerror(err), err));
}
