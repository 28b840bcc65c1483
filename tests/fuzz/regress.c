/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Seed replay for a fuzz target, built with any compiler: every file of
 * the directories given on the command line, plus the empty input and a
 * fixed set of pseudo-random inputs, goes through the target's
 * LLVMFuzzerTestOneInput once.  A broken invariant aborts, which fails the
 * test; ASan/UBSan and valgrind see every byte the target touches.
 *
 * Usage: fuzz-regress-TARGET [gtest options] DIR[:SUFFIX]...
 * (a missing directory has no seeds; with :SUFFIX only files ending so).
 */
#include <glib.h>
#include "fuzz.h"

#ifndef FUZZ_TARGET_NAME
#error "FUZZ_TARGET_NAME must name the target"
#endif

/* Enough to reach past the headers of every target, few enough to stay
 * fast under valgrind. */
#define N_RANDOM 48
#define RANDOM_MAX_LEN 512

static void
run_bytes(const uint8_t *data, size_t len)
{
    /* libFuzzer hands the target a heap copy of exactly @len bytes. */
    g_autofree uint8_t *copy = g_memdup2(data, len);

    g_assert_cmpint(LLVMFuzzerTestOneInput(copy, len), ==, 0);
}

static void
test_seed(gconstpointer path)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *data = NULL;
    gsize len = 0;

    g_file_get_contents(path, &data, &len, &err);
    g_assert_no_error(err);
    run_bytes((const uint8_t *)data, len);
}

static void
test_empty(void)
{
    run_bytes(NULL, 0);
}

static void
test_random(gconstpointer p)
{
    guint n = GPOINTER_TO_UINT(p);
    g_autoptr(GRand) rand = g_rand_new_with_seed(0x5eed0000u + n);
    size_t len = g_rand_int_range(rand, 1, RANDOM_MAX_LEN);
    g_autofree uint8_t *buf = g_malloc(len);

    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)g_rand_int(rand);
    }
    run_bytes(buf, len);
}

static gint
cmp_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "corpus-mmio" for .../tests/fuzz/corpus/mmio: two seed directories
 * may hold files of the same name. */
static char *
dir_label(const char *dir)
{
    g_autofree char *canon = g_canonicalize_filename(dir, NULL);
    g_autofree char *base = g_path_get_basename(canon);
    g_autofree char *parent = g_path_get_dirname(canon);
    g_autofree char *pbase = g_path_get_basename(parent);

    return g_strdup_printf("%s-%s", pbase, base);
}

static void
add_dir(const char *arg, GPtrArray *keep)
{
    g_autoptr(GDir) d = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *dir = g_strdup(arg);
    char *colon = strrchr(dir, ':');
    const char *suffix = "";
    const char *name;
    g_autofree char *label = NULL;

    if (colon) {
        *colon = '\0';
        suffix = colon + 1;
    }
    d = g_dir_open(dir, 0, NULL);
    if (!d) {
        return;
    }
    label = dir_label(dir);
    while ((name = g_dir_read_name(d))) {
        if (g_str_has_suffix(name, suffix)) {
            g_ptr_array_add(names, g_strdup(name));
        }
    }
    /* Same test numbers on every host. */
    g_ptr_array_sort(names, cmp_names);
    for (guint i = 0; i < names->len; i++) {
        const char *base = g_ptr_array_index(names, i);
        char *path = g_build_filename(dir, base, NULL);
        g_autofree char *tpath = NULL;

        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR) || base[0] == '.') {
            g_free(path);
            continue;
        }
        tpath = g_strdup_printf("/fuzz-regress/%s/seed/%s/%s",
                                FUZZ_TARGET_NAME, label, base);
        g_ptr_array_add(keep, path);
        g_test_add_data_func(tpath, path, test_seed);
    }
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(g_free);
    int ret;

    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fuzz-regress/" FUZZ_TARGET_NAME "/empty", test_empty);
    for (guint i = 0; i < N_RANDOM; i++) {
        g_autofree char *tpath = g_strdup_printf("/fuzz-regress/%s/random/%02u",
                                                 FUZZ_TARGET_NAME, i);

        g_test_add_data_func(tpath, GUINT_TO_POINTER(i), test_random);
    }
    for (int i = 1; i < argc; i++) {
        add_dir(argv[i], keep);
    }
    ret = g_test_run();
    return ret;
}
