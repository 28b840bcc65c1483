/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scanning JSON for QMP replies (see qtest-json.h).  Each skip_* returns
 * the first byte after what it skipped, or NULL on malformed input; depth
 * is bounded so a hostile reply cannot exhaust the stack.
 */
#include <string.h>
#include "qtest-json.h"

#define MAX_DEPTH 64

static const char *
skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
        p++;
    }
    return p;
}

static int
hex4(const char *p)
{
    int v = 0;

    for (int i = 0; i < 4; i++) {
        int d = g_ascii_xdigit_value(p[i]);

        if (d < 0) {
            return -1;
        }
        v = v * 16 + d;
    }
    return v;
}

/* One \uXXXX escape (and its low surrogate, if any) at @p (after "\u"). */
static const char *
decode_unicode(const char *p, GString *out)
{
    int hi = hex4(p), lo;

    if (hi < 0) {
        return NULL;
    }
    p += 4;
    if (hi >= 0xd800 && hi < 0xdc00) {
        if (p[0] != '\\' || p[1] != 'u' || (lo = hex4(p + 2)) < 0xdc00 ||
            lo >= 0xe000) {
            return NULL;
        }
        p += 6;
        hi = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
    } else if (hi >= 0xdc00 && hi < 0xe000) {
        return NULL;
    }
    if (out) {
        g_string_append_unichar(out, hi);
    }
    return p;
}

/* The string at @p (on its opening quote); decoded into @out if given. */
static const char *
scan_string(const char *p, GString *out)
{
    static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";

    if (*p++ != '"') {
        return NULL;
    }
    while (*p != '"') {
        if ((unsigned char)*p < 0x20) {
            return NULL;        /* includes the terminating NUL */
        }
        if (*p != '\\') {
            if (out) {
                g_string_append_c(out, *p);
            }
            p++;
            continue;
        }
        p++;
        if (*p == 'u') {
            p = decode_unicode(p + 1, out);
            if (!p) {
                return NULL;
            }
            continue;
        }
        if (!*p || !strchr(esc_in, *p)) {
            return NULL;
        }
        if (out) {
            g_string_append_c(out, esc_out[strchr(esc_in, *p) - esc_in]);
        }
        p++;
    }
    return p + 1;
}

static const char *skip_value(const char *p, unsigned depth);

/* An object or array at @p, on its opening bracket. */
static const char *
skip_container(const char *p, unsigned depth)
{
    char close = *p == '{' ? '}' : ']';
    bool object = *p == '{';

    p = skip_ws(p + 1);
    if (*p == close) {
        return p + 1;
    }
    for (;;) {
        if (object) {
            p = scan_string(p, NULL);
            if (!p || *(p = skip_ws(p)) != ':') {
                return NULL;
            }
            p = skip_ws(p + 1);
        }
        p = skip_value(p, depth + 1);
        if (!p) {
            return NULL;
        }
        p = skip_ws(p);
        if (*p == close) {
            return p + 1;
        }
        if (*p != ',') {
            return NULL;
        }
        p = skip_ws(p + 1);
    }
}

static const char *
skip_value(const char *p, unsigned depth)
{
    static const char *const literals[] = { "true", "false", "null" };

    if (depth > MAX_DEPTH) {
        return NULL;
    }
    p = skip_ws(p);
    if (*p == '"') {
        return scan_string(p, NULL);
    }
    if (*p == '{' || *p == '[') {
        return skip_container(p, depth);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(literals); i++) {
        if (!strncmp(p, literals[i], strlen(literals[i]))) {
            return p + strlen(literals[i]);
        }
    }
    if (*p == '-' || g_ascii_isdigit(*p)) {
        const char *start = p;

        p += strspn(p, "-+0123456789.eE");
        return p > start ? p : NULL;
    }
    return NULL;
}

const char *
qtest_json_member(const char *json, const char *key)
{
    const char *p = skip_ws(json);

    if (*p != '{') {
        return NULL;
    }
    p = skip_ws(p + 1);
    while (*p == '"') {
        g_autoptr(GString) name = g_string_new(NULL);
        const char *value;

        p = scan_string(p, name);
        if (!p || *(p = skip_ws(p)) != ':') {
            return NULL;
        }
        value = skip_ws(p + 1);
        p = skip_value(value, 0);
        if (!p) {
            return NULL;
        }
        if (!strcmp(name->str, key)) {
            return value;
        }
        p = skip_ws(p);
        if (*p != ',') {
            return NULL;
        }
        p = skip_ws(p + 1);
    }
    return NULL;
}

char *
qtest_json_string(const char *json)
{
    g_autoptr(GString) out = g_string_new(NULL);

    if (!json || !scan_string(skip_ws(json), out)) {
        return NULL;
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

char *
qtest_json_value(const char *json)
{
    const char *start, *end;

    if (!json) {
        return NULL;
    }
    start = skip_ws(json);
    end = skip_value(start, 0);
    return end ? g_strndup(start, end - start) : NULL;
}

void
qtest_json_append_string(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (; *s; s++) {
        unsigned char c = *s;

        if (c == '"' || c == '\\') {
            g_string_append_c(out, '\\');
            g_string_append_c(out, c);
        } else if (c < 0x20) {
            g_string_append_printf(out, "\\u%04x", c);
        } else {
            g_string_append_c(out, c);
        }
    }
    g_string_append_c(out, '"');
}
