/*
 * fuzz_normalize.c - the URL handling the module runs on every request
 * and the tool on every legacy URL: lrm_normalize_path(), lrm_url_path(),
 * lrm_query_strip_mobile(), and the expansion of a rule's target with
 * captures (lrm_check_rule_target(), lrm_expand_target()).
 *
 * Properties checked (abort() on failure):
 *   - normalising writes no more than LRM_MAX_KEY bytes (the buffer is
 *     exactly that long, on the heap), and normalising a key
 *     again gives the same key;
 *   - a key starts with '/', has no "//" and no byte <= 0x20 or 0x7f;
 *   - stripping m=0/m=1 never grows the query;
 *   - a target that lrm_check_rule_target() accepts, expanded with any
 *     captures, never holds CR, LF, space or a control byte, holds no
 *     more quotes, angle brackets or backslashes than the rule wrote, and
 *     stays a site path ("/" not followed by "/" or "\") unless the rule
 *     wrote "http://" or "https://" itself.
 *
 * Input: byte 0 chooses flags; the rest is split at the first 0xff byte
 * into a target template and a subject, the last bytes of the subject
 * giving capture offsets.
 */

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "lrmap.h"

static void
check_key(const char *k, long len)
{
    long  i;

    FUZZ_ASSERT(len >= 1 && k[0] == '/');
    FUZZ_ASSERT(len <= LRM_MAX_KEY);

    for (i = 0; i < len; i++) {
        FUZZ_ASSERT((unsigned char) k[i] > 0x20 && k[i] != 0x7f);
        FUZZ_ASSERT(!(k[i] == '/' && i + 1 < len && k[i + 1] == '/'));
    }
}


static void
normalize(const char *in, size_t len, unsigned flags)
{
    char   *out, *again;
    long    n, m;

    out = malloc(LRM_MAX_KEY);              /* exactly what it may write */
    FUZZ_ASSERT(out != NULL);
    n = lrm_normalize_path(in, len, out, flags);
    FUZZ_ASSERT(n == -1 || (n >= 1 && n <= LRM_MAX_KEY));

    if (n >= 0) {
        check_key(out, n);
        again = malloc(LRM_MAX_KEY);
        FUZZ_ASSERT(again != NULL);
        m = lrm_normalize_path(out, (size_t) n, again, flags);
        FUZZ_ASSERT(m == n && memcmp(out, again, (size_t) n) == 0);
        free(again);
    }

    free(out);
}


static size_t
count(const char *s, size_t len, const char *set)
{
    size_t  i, n = 0;

    for (i = 0; i < len; i++) {
        n += s[i] != '\0' && strchr(set, s[i]) != NULL;
    }

    return n;
}


static int
starts_http(const char *s, size_t len)
{
    return (len >= 7 && strncasecmp(s, "http://", 7) == 0)
           || (len >= 8 && strncasecmp(s, "https://", 8) == 0);
}


static void
expand(const char *target, size_t tlen, const char *subject, size_t slen,
    const unsigned char *capbytes, size_t ncapbytes)
{
    int    caps[2 * LRM_MAX_CAPTURES];
    char  *out;
    long   n, i;
    int    g, ncaps;

    ncaps = LRM_MAX_CAPTURES;
    for (g = 0; g < 2 * LRM_MAX_CAPTURES; g++) {
        if ((size_t) g < ncapbytes && slen > 0) {
            caps[g] = capbytes[g] == 0xfe ? -1 : (int) (capbytes[g] % (slen + 1));
        } else {
            caps[g] = -1;
        }
    }

    out = malloc(LRM_MAX_TARGET);
    FUZZ_ASSERT(out != NULL);
    n = lrm_expand_target(target, tlen, subject, caps, ncaps, out);
    FUZZ_ASSERT(n >= -1 && n <= LRM_MAX_TARGET);

    if (n >= 0 && lrm_check_rule_target(target, tlen, LRM_MAX_CAPTURES - 1)
                  == NULL)
    {
        for (i = 0; i < n; i++) {
            unsigned char  c = (unsigned char) out[i];

            FUZZ_ASSERT(c > 0x20 && c != 0x7f);
        }

        /* quotes, angle brackets and backslashes only where the rule
         * wrote them: captures bring them percent-encoded */
        FUZZ_ASSERT(count(out, (size_t) n, "\"<>\\")
                    <= count(target, tlen, "\"<>\\"));

        if (!starts_http(target, tlen)) {
            FUZZ_ASSERT(n >= 1 && out[0] == '/'
                        && (n == 1 || (out[1] != '/' && out[1] != '\\')));
        }
    }

    /* the loop checks read only inside what they are given (ASan) */
    if (n >= 0) {
        (void) lrm_target_is_key(out, (size_t) n, subject, slen, 0);
        (void) lrm_target_same_query(out, (size_t) n, subject, slen,
                                     slen & 1);
    }

    free(out);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char     *in, *sep, *p;
    char           *buf, *q;
    size_t          len, plen, qlen, tlen, slen, ncap;
    unsigned        flags;

    if (size < 1) {
        return 0;
    }

    flags = data[0] & 1 ? LRM_NORM_CASELESS : 0;
    len = size - 1;
    buf = malloc(len ? len : 1);
    FUZZ_ASSERT(buf != NULL);
    memcpy(buf, data + 1, len);
    in = buf;

    normalize(in, len, flags);

    p = lrm_url_path(in, len, &plen);
    if (p != NULL) {
        FUZZ_ASSERT(p >= in && p + plen == in + len);
        normalize(p, plen, flags);
    }

    q = malloc(len ? len : 1);
    FUZZ_ASSERT(q != NULL);
    qlen = lrm_query_strip_mobile(in, len, q);
    FUZZ_ASSERT(qlen <= len);
    free(q);

    sep = memchr(in, 0xff, len);
    if (sep != NULL) {
        tlen = (size_t) (sep - in);
        slen = len - tlen - 1;
        ncap = slen < 2 * LRM_MAX_CAPTURES ? slen : 2 * LRM_MAX_CAPTURES;
        expand(in, tlen, sep + 1, slen - ncap,
               (const unsigned char *) sep + 1 + slen - ncap, ncap);
    }

    free(buf);
    return 0;
}
