/*
 * json.h - writing JSON text for the --json outputs.
 */

#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdio.h>

/*
 * Writes s (len bytes) as a JSON string, quotes included.  '"', '\\'
 * and control characters are escaped; valid UTF-8 is kept as it is; a
 * byte that is not part of valid UTF-8 (keys are bytes, not text) is
 * written percent-encoded, "%E9", as it would be in a URL.
 */
void json_string(FILE *f, const char *s, size_t len);

/* json_string() of a NUL-terminated string, or null when s is NULL. */
void json_cstring(FILE *f, const char *s);

#endif /* JSON_H */
