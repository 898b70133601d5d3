/*
 * lrmap_normalize.c - the one definition of how a URL path becomes a map
 * key.  The tool applies it to legacy URLs when it builds a map and the
 * module applies it to the path a client sent; docs/normalisation.md
 * lists the rules in the order they are applied here.
 */

#include <string.h>

#include "lrmap.h"


int
lrm_hex_digit(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c |= 0x20;

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    return -1;
}


/*
 * Bytes that never appear literally in a key: they stay (or become)
 * percent-encoded, so that "/a%2Fb" and "/a/b" remain different keys and
 * no key holds whitespace or control characters.
 */
static int
stays_encoded(unsigned char c)
{
    return c <= 0x20 || c == 0x7f || c == '%' || c == '?' || c == '#';
}


static size_t
put_escape(char *out, unsigned char c)
{
    static const char  hex[] = "0123456789ABCDEF";

    out[0] = '%';
    out[1] = hex[c >> 4];
    out[2] = hex[c & 0x0f];

    return 3;
}


/*
 * Step 1: decode escapes, re-encode what stays encoded, and split the
 * path into segments on '/', dropping empty segments (runs of '/') and
 * resolving "." and "..".  Works in one pass over the input; the output
 * always begins with '/'.  Returns the length, or -1.
 */
static long
decode_and_resolve(const unsigned char *in, size_t len, char *out)
{
    size_t         i, o, seg;
    unsigned char  c;
    int            hi, lo, slash;

    o = 0;
    out[o++] = '/';
    seg = o;                      /* start of the segment being written */

    for (i = 0; i <= len; i++) {

        if (i == len || in[i] == '/') {
            slash = (i < len);

            if (o - seg == 1 && out[seg] == '.') {
                o = seg;                              /* "." segment */

            } else if (o - seg == 2 && out[seg] == '.'
                       && out[seg + 1] == '.')
            {
                if (seg == 1) {
                    return -1;                        /* above the root */
                }

                o = seg - 1;                          /* drop "/.." */
                while (out[o - 1] != '/') {
                    o--;
                }

            } else if (o > seg && slash) {
                if (o + 1 > LRM_MAX_KEY) {
                    return -1;
                }

                out[o++] = '/';                       /* ends a segment */
            }

            seg = o;
            continue;
        }

        c = in[i];

        if (c == '%') {
            hi = (i + 2 < len) ? lrm_hex_digit(in[i + 1]) : -1;
            lo = (hi >= 0) ? lrm_hex_digit(in[i + 2]) : -1;

            if (lo < 0) {
                if (o + 3 > LRM_MAX_KEY) {
                    return -1;
                }

                o += put_escape(out + o, '%');        /* a stray '%' */
                continue;
            }

            c = (unsigned char) (hi << 4 | lo);
            i += 2;

            if (c == '/') {
                if (o + 3 > LRM_MAX_KEY) {
                    return -1;
                }

                o += put_escape(out + o, c);          /* not a separator */
                continue;
            }
        }

        if (o + (stays_encoded(c) ? 3 : 1) > LRM_MAX_KEY) {
            return -1;
        }

        if (stays_encoded(c)) {
            o += put_escape(out + o, c);

        } else {
            out[o++] = (char) c;
        }
    }

    return (long) o;
}


/* Step 2: "/name.html/" is "/name.html". */
static size_t
drop_slash_after_html(char *out, size_t len)
{
    static const char  *suffixes[] = { ".html/", ".htm/" };
    size_t              i, n, j;

    if (len == 0 || out[len - 1] != '/') {
        return len;
    }

    for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        n = strlen(suffixes[i]);

        if (len <= n) {
            continue;
        }

        for (j = 0; j < n; j++) {
            char  c = out[len - n + j];

            if (c >= 'A' && c <= 'Z') {
                c |= 0x20;
            }

            if (c != suffixes[i][j]) {
                break;
            }
        }

        if (j == n) {
            return len - 1;
        }
    }

    return len;
}


/* Step 3, for caseless maps: ASCII letters become lowercase, except the
 * hex digits of escapes, which stay uppercase. */
static void
lowercase_outside_escapes(char *out, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (out[i] == '%') {
            i += 2;
            continue;
        }

        if (out[i] >= 'A' && out[i] <= 'Z') {
            out[i] |= 0x20;
        }
    }
}


/*
 * Bytes that step 1 copies as they are wherever they appear: all but '%',
 * what stays encoded (control characters, space, 0x7f, '?', '#'), and
 * '/' and '.', which are plain only in some places.
 */
static const unsigned char  plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,     /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,     /* 0x10 */
    0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0,     /*  !"#$%&'()*+,-./ */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,     /* 0-9:;<=>? */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,     /* @A-O */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,     /* P-Z[\]^_ */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,     /* `a-o */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,     /* p-z{|}~ 0x7f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,     /* 0x80 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
};


/*
 * Step 1 for a path with nothing to decode, encode or resolve, as most
 * paths are: no '%', no byte that stays encoded, no "//", and no segment
 * starting with '.' (a "." or ".." segment, or not: the full step 1 will
 * tell).  Such a path is its own key: it is copied as it is, in one pass.
 * Returns the length, or -1 when the path needs the full step 1.
 */
static long
copy_plain(const unsigned char *in, size_t len, char *out)
{
    size_t         i, n;
    unsigned char  c;

    n = (len < LRM_MAX_KEY) ? len : LRM_MAX_KEY;

    out[0] = '/';

    for (i = 1; i < n; i++) {
        c = in[i];

        if (!plain[c]
            && ((c != '/' && c != '.') || in[i - 1] == '/'))
        {
            break;
        }

        out[i] = (char) c;
    }

    if (i < len && (i == n || (in[i] != '?' && in[i] != '#'))) {
        return -1;
    }

    return (long) i;
}


long
lrm_normalize_path(const char *in, size_t in_len, char *out, unsigned flags)
{
    size_t  len;
    long    n;

    if (in_len == 0 || in[0] != '/') {
        return -1;
    }

    n = copy_plain((const unsigned char *) in, in_len, out);

    if (n < 0) {
        len = 1;
        while (len < in_len && in[len] != '?' && in[len] != '#') {
            len++;
        }

        n = decode_and_resolve((const unsigned char *) in + 1, len - 1, out);
        if (n < 0) {
            return -1;
        }
    }

    len = drop_slash_after_html(out, (size_t) n);

    if (flags & LRM_NORM_CASELESS) {
        lowercase_outside_escapes(out, len);
    }

    return (long) len;
}


const char *
lrm_url_path(const char *url, size_t url_len, size_t *path_len)
{
    static const char  *schemes[] = { "http://", "https://" };
    size_t              i, j, n, start;

    for (i = 0; i < 2; i++) {
        n = strlen(schemes[i]);

        if (url_len < n) {
            continue;
        }

        for (j = 0; j < n; j++) {
            char  c = url[j];

            if (c >= 'A' && c <= 'Z') {
                c |= 0x20;
            }

            if (c != schemes[i][j]) {
                break;
            }
        }

        if (j < n) {
            continue;
        }

        start = n;
        while (start < url_len && url[start] != '/' && url[start] != '?'
               && url[start] != '#')
        {
            start++;
        }

        if (start == n) {
            return NULL;                              /* no host */
        }

        *path_len = url_len - start;
        return url + start;
    }

    return NULL;
}
