/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Just enough JSON for QMP: QEMU sends one object per line, and the qtest
 * client needs a member of it (a string, an object's "desc", an event's
 * name) or the fact that a member exists.  No tree is built: members are
 * found by scanning and skipping well-formed values, and anything malformed
 * is reported as not found.
 */
#ifndef SMMU_EXT_QTEST_JSON_H
#define SMMU_EXT_QTEST_JSON_H

#include <stdbool.h>
#include <glib.h>

G_BEGIN_DECLS

/*
 * The value of member @key of the JSON object that starts at @json (after
 * blanks), as a pointer into @json; NULL if @json is not an object or has
 * no such member.
 */
const char *
qtest_json_member(const char *json, const char *key);

/* The JSON string at @json decoded (UTF-8); NULL if it is not a string. */
char *
qtest_json_string(const char *json);

/* The JSON value at @json copied verbatim; NULL if it is malformed. */
char *
qtest_json_value(const char *json);

/* Append @s to @out as a JSON string literal. */
void
qtest_json_append_string(GString *out, const char *s);

G_END_DECLS

#endif /* SMMU_EXT_QTEST_JSON_H */
