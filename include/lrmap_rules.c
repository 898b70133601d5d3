/*
 * lrmap_rules.c - what happens between a pattern match and a Location:
 * the query string's mobile switch, the expansion of $0..$9 and the
 * checks that keep a capture from turning a rule into an open redirect
 * or a header injection.  Shared by the tool (lookup, chain collapsing)
 * and the module, so both answer alike.
 */

#include <string.h>

#include "lrmap.h"


static int
is_param(const char *p, size_t len, const char *name)
{
    return len == strlen(name) && memcmp(p, name, len) == 0;
}


size_t
lrm_query_strip_mobile(const char *args, size_t len, char *out)
{
    size_t       o = 0, plen;
    const char  *p = args, *end = args + len, *amp;

    while (p < end) {
        amp = memchr(p, '&', (size_t) (end - p));
        plen = (size_t) ((amp ? amp : end) - p);

        if (plen > 0 && !is_param(p, plen, "m=1") && !is_param(p, plen, "m=0"))
        {
            if (o > 0) {
                out[o++] = '&';
            }

            memcpy(out + o, p, plen);
            o += plen;
        }

        p += plen + 1;
    }

    return o;
}


/*
 * Bytes of a capture that are percent-encoded in a target: those that
 * cannot stand in a Location header, those that would start a query or
 * a fragment, and, in the query part, '&' (no parameters smuggled in).
 */
static int
needs_escape(unsigned char c, int in_query)
{
    return c <= 0x20 || c >= 0x7f || strchr("\"<>\\^`{|}#?", c) != NULL
           || (in_query && c == '&');
}


static int
starts_with_http(const char *s, size_t len, size_t *prefix)
{
    static const char  *schemes[] = { "http://", "https://" };
    size_t              i, j, n;

    for (i = 0; i < 2; i++) {
        n = strlen(schemes[i]);

        if (len < n) {
            continue;
        }

        for (j = 0; j < n; j++) {
            if ((s[j] | (s[j] >= 'A' && s[j] <= 'Z' ? 0x20 : 0))
                != schemes[i][j])
            {
                break;
            }
        }

        if (j == n) {
            *prefix = n;
            return 1;
        }
    }

    return 0;
}


/* A site path: "/" not followed by "/" or "\" (both mean another host). */
static int
is_site_path(const char *s, size_t len)
{
    return len >= 1 && s[0] == '/'
           && (len == 1 || (s[1] != '/' && s[1] != '\\'));
}


int
lrm_target_is_key(const char *target, size_t target_len, const char *key,
    size_t key_len, unsigned flags)
{
    char  path[LRM_MAX_KEY];
    long  n;

    if (!is_site_path(target, target_len)) {
        return 0;
    }

    n = lrm_normalize_path(target, target_len, path, flags);

    return n >= 0 && (size_t) n == key_len
           && memcmp(path, key, key_len) == 0;
}


const char *
lrm_target_query(const char *target, size_t target_len, size_t *query_len)
{
    const char  *q, *end;

    end = memchr(target, '#', target_len);
    end = end ? end : target + target_len;
    q = memchr(target, '?', (size_t) (end - target));

    if (q == NULL) {
        return NULL;
    }

    *query_len = (size_t) (end - q - 1);
    return q + 1;
}


int
lrm_target_same_query(const char *target, size_t target_len,
    const char *query, size_t query_len, int passed)
{
    char         own[LRM_MAX_TARGET];
    size_t       n, len;
    const char  *q;

    /* the target's own query, without m=0/m=1: "" when it has none */

    n = 0;
    q = lrm_target_query(target, target_len, &len);

    if (q != NULL && len > sizeof(own)) {
        return 0;                       /* longer than any target */
    }

    if (q != NULL) {
        n = lrm_query_strip_mobile(q, len, own);
    }

    /* passed on, the query follows the target's: the same only when the
     * target adds nothing; otherwise the target's alone must be it */

    if (passed) {
        return n == 0;
    }

    return n == query_len && memcmp(own, query, n) == 0;
}


int
lrm_rule_answers_again(const char *target, size_t target_len,
    const char *query, size_t query_len, unsigned rule_flags, int passed,
    int earlier_match_query)
{
    if (lrm_target_same_query(target, target_len, query, query_len, passed))
    {
        return 1;
    }

    return !(rule_flags & LRM_RULE_MATCH_QUERY) && !earlier_match_query;
}


long
lrm_expand_target(const char *target, size_t target_len, const char *subject,
    const int *caps, int ncaps, char *out)
{
    static const char  hex[] = "0123456789ABCDEF";
    size_t             i, o, prefix;
    int                g, k, in_query;
    unsigned char      c;

    o = 0;
    in_query = 0;

    for (i = 0; i < target_len; i++) {

        if (target[i] != '$' || i + 1 == target_len
            || target[i + 1] < '0' || target[i + 1] > '9')
        {
            if (o + 1 > LRM_MAX_TARGET) {
                return -1;
            }

            in_query |= (target[i] == '?');
            out[o++] = target[i];
            continue;
        }

        g = target[++i] - '0';

        if (g >= ncaps || caps[2 * g] < 0 || caps[2 * g + 1] < caps[2 * g]) {
            continue;                       /* group did not take part */
        }

        for (k = caps[2 * g]; k < caps[2 * g + 1]; k++) {
            c = (unsigned char) subject[k];

            if (o + 3 > LRM_MAX_TARGET) {
                return -1;
            }

            if (needs_escape(c, in_query)) {
                out[o++] = '%';
                out[o++] = hex[c >> 4];
                out[o++] = hex[c & 0x0f];

            } else {
                out[o++] = (char) c;
            }
        }
    }

    /* an absolute URL only where the rule wrote its scheme and host */

    if (starts_with_http(target, target_len, &prefix)) {
        return (long) o;
    }

    return is_site_path(out, o) ? (long) o : -1;
}


const char *
lrm_check_rule_target(const char *target, size_t len, int max_group)
{
    size_t  i, prefix;

    if (len == 0) {
        return "the target is empty";
    }

    if (len > LRM_MAX_TARGET) {
        return "the target is too long";
    }

    for (i = 0; i < len; i++) {
        unsigned char  c = (unsigned char) target[i];

        if (c <= 0x20 || c == 0x7f) {
            return "the target contains spaces or control characters";
        }

        if (c >= 0x80) {
            return "the target contains non-ASCII bytes (percent-encode "
                   "them)";
        }

        if (c == '$') {
            if (i + 1 == len || target[i + 1] < '0' || target[i + 1] > '9') {
                return "\"$\" must be followed by a group number, $0 to $9 "
                       "(write %24 for a dollar sign)";
            }

            if (target[i + 1] - '0' > max_group) {
                return "the target uses a group the pattern does not have";
            }
        }
    }

    if (starts_with_http(target, len, &prefix)) {
        for (i = prefix; i < len && target[i] != '/' && target[i] != '?'
                         && target[i] != '#'; i++)
        {
            if (target[i] == '$') {
                return "a capture cannot choose the host of an absolute "
                       "target";
            }
        }

        return i > prefix ? NULL : "the target URL has no host";
    }

    if (target[0] == '$') {
        return NULL;              /* checked after expansion, each time */
    }

    if (!is_site_path(target, len)) {
        return "the target must be a site path (\"/...\") or an http(s) URL";
    }

    return NULL;
}
