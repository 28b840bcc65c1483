/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the fuzz targets: the libFuzzer entry point and a byte cursor
 * that never reads past the input (an exhausted input reads as zeros, so
 * every prefix of a seed is itself a valid input).
 */
#ifndef SMMU_EXT_FUZZ_H
#define SMMU_EXT_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant is a finding: say which and stop (libFuzzer keeps the
 * input as a crash, the regression runner fails). */
#define FUZZ_CHECK(cond, ...)                                           \
    do {                                                                \
        if (!(cond)) {                                                  \
            fprintf(stderr, "%s:%d: invariant failed: %s: ", __FILE__,  \
                    __LINE__, #cond);                                   \
            fprintf(stderr, __VA_ARGS__);                               \
            fputc('\n', stderr);                                        \
            abort();                                                    \
        }                                                               \
    } while (0)

typedef struct FuzzInput {
    const uint8_t *p;
    size_t left;
} FuzzInput;

static inline void
fuzz_input_init(FuzzInput *in, const uint8_t *data, size_t size)
{
    in->p = data;
    in->left = size;
}

/* Little-endian unsigned of @n (<= 8) bytes. */
static inline uint64_t
fuzz_take(FuzzInput *in, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++) {
        if (in->left) {
            v |= (uint64_t)in->p[0] << (8 * i);
            in->p++;
            in->left--;
        }
    }
    return v;
}

static inline uint8_t
fuzz_u8(FuzzInput *in)
{
    return (uint8_t)fuzz_take(in, 1);
}

/* Up to @max bytes, borrowed from the input; *@len says how many. */
static inline const uint8_t *
fuzz_bytes(FuzzInput *in, size_t max, size_t *len)
{
    const uint8_t *p = in->p;

    *len = max < in->left ? max : in->left;
    in->p += *len;
    in->left -= *len;
    return p;
}

#endif /* SMMU_EXT_FUZZ_H */
