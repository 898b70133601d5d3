/*
 * json.c - JSON strings, see json.h.
 */

#include <string.h>

#include "json.h"


/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t
utf8_sequence(const unsigned char *p, size_t n)
{
    size_t    len, i;
    unsigned  cp;

    if (p[0] < 0x80) {
        return 1;
    }

    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        len = 2;
        cp = p[0] & 0x1f;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        len = 3;
        cp = p[0] & 0x0f;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        len = 4;
        cp = p[0] & 0x07;
    } else {
        return 0;
    }

    if (len > n) {
        return 0;
    }

    for (i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (p[i] & 0x3f);
    }

    /* overlong forms, surrogates, beyond U+10FFFF */
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)
        || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
    {
        return 0;
    }

    return len;
}


void
json_string(FILE *f, const char *s, size_t len)
{
    const unsigned char  *p = (const unsigned char *) s;
    size_t                i, n;

    fputc('"', f);

    for (i = 0; i < len; i += n) {
        n = utf8_sequence(p + i, len - i);

        if (n == 0) {
            fprintf(f, "%%%02X", p[i]);
            n = 1;

        } else if (n > 1) {
            fwrite(p + i, 1, n, f);

        } else if (p[i] == '"' || p[i] == '\\') {
            fputc('\\', f);
            fputc(p[i], f);

        } else if (p[i] == '\n') {
            fputs("\\n", f);

        } else if (p[i] == '\t') {
            fputs("\\t", f);

        } else if (p[i] < 0x20 || p[i] == 0x7f) {
            fprintf(f, "\\u%04x", p[i]);

        } else {
            fputc(p[i], f);
        }
    }

    fputc('"', f);
}


void
json_cstring(FILE *f, const char *s)
{
    if (s == NULL) {
        fputs("null", f);
    } else {
        json_string(f, s, strlen(s));
    }
}
