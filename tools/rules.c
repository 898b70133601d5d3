/*
 * rules.c - pattern rules, see rules.h.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

#define STATUS_GONE  410


/* target with bytes >= 0x80 percent-encoded (a header is ASCII) */
static char *
encode_target(const char *target, size_t len)
{
    static const char     hex[] = "0123456789ABCDEF";
    const unsigned char  *p = (const unsigned char *) target;
    char                 *out, *o;
    size_t                i;

    out = malloc(len * 3 + 1);
    if (out == NULL) {
        return NULL;
    }

    for (o = out, i = 0; i < len; i++) {
        if (p[i] >= 0x80) {
            *o++ = '%';
            *o++ = hex[p[i] >> 4];
            *o++ = hex[p[i] & 0x0f];

        } else {
            *o++ = (char) p[i];
        }
    }

    *o = '\0';
    return out;
}


static int
push(rule_list_t *list, const rule_t *r)
{
    rule_t  *grown;
    size_t   cap;

    if (list->count == list->capacity) {
        cap = list->capacity ? list->capacity * 2 : 16;
        grown = realloc(list->items, cap * sizeof(rule_t));
        if (grown == NULL) {
            return -1;
        }

        list->items = grown;
        list->capacity = cap;
    }

    list->items[list->count++] = *r;
    return 0;
}


static void
rule_free(rule_t *r)
{
    free(r->pattern);
    free(r->target);
    free(r->file);
    pcre2_code_free(r->code);
}


/* Compiles r->pattern.  Returns 0, or -1 with a message in err. */
static int
compile(rule_list_t *list, rule_t *r, char *err, size_t err_size)
{
    PCRE2_UCHAR  msg[256];
    PCRE2_SIZE   offset;
    uint32_t     groups;
    int          code;

    r->code = pcre2_compile((PCRE2_SPTR) r->pattern, r->pattern_len,
                            list->caseless ? PCRE2_CASELESS : 0, &code,
                            &offset, NULL);
    if (r->code == NULL) {
        pcre2_get_error_message(code, msg, sizeof(msg));
        snprintf(err, err_size, "%s at offset %zu", (const char *) msg,
                 (size_t) offset);
        return -1;
    }

    if (pcre2_pattern_info(r->code, PCRE2_INFO_CAPTURECOUNT, &groups) != 0)
    {
        groups = 0;
    }

    r->groups = (int) groups;
    return 0;
}


int
rules_add(rule_list_t *list, const char *pattern, size_t pattern_len,
    const char *target, unsigned status, unsigned flags, const char *file,
    unsigned line, unsigned column, diag_t *diag)
{
    char          err[512], shown[256], shown2[256];
    const char   *reason;
    size_t        target_len = target ? strlen(target) : 0;
    rule_t        r;

    diag_printable(pattern, pattern_len, shown, sizeof(shown));

    if (pattern_len == 0) {
        diag_error(diag, file, line, column, "rule pattern is empty");
        return 1;
    }

    if (pattern_len > LRM_MAX_PATTERN) {
        diag_error(diag, file, line, column, "rule pattern '%s' is longer "
                   "than %d bytes", shown, LRM_MAX_PATTERN);
        return 1;
    }

    if (memchr(pattern, '\0', pattern_len) != NULL) {
        diag_error(diag, file, line, column, "rule pattern '%s' contains a "
                   "NUL byte", shown);
        return 1;
    }

    if (status == STATUS_GONE && target_len > 0) {
        diag_error(diag, file, line, column, "rule '%s' has status 410 "
                   "(Gone), which takes no target", shown);
        return 1;
    }

    if (status != STATUS_GONE && target_len == 0) {
        diag_error(diag, file, line, column, "rule '%s' has no target "
                   "(only a 410 rule goes without one)", shown);
        return 1;
    }

    memset(&r, 0, sizeof(r));
    r.pattern = malloc(pattern_len + 1);
    r.target = encode_target(target ? target : "", target_len);
    r.file = strdup(file);

    if (r.pattern == NULL || r.target == NULL || r.file == NULL) {
        rule_free(&r);
        return -1;
    }

    memcpy(r.pattern, pattern, pattern_len);
    r.pattern[pattern_len] = '\0';
    r.pattern_len = pattern_len;
    r.target_len = strlen(r.target);
    r.status = status;
    r.flags = flags;
    r.line = line;
    r.column = column;

    if (compile(list, &r, err, sizeof(err)) != 0) {
        diag_error(diag, file, line, column, "rule pattern '%s' does not "
                   "compile: %s", shown, err);
        rule_free(&r);
        return 1;
    }

    if (status != STATUS_GONE) {
        reason = lrm_check_rule_target(r.target, r.target_len, r.groups);
        if (reason != NULL) {
            char  groups[64] = "";

            if (strstr(reason, "group") != NULL) {
                snprintf(groups, sizeof(groups), " (the pattern has %d "
                         "group%s)", r.groups, r.groups == 1 ? "" : "s");
            }

            diag_error(diag, file, line, column, "target '%s' of rule '%s' "
                       "is refused: %s%s",
                       diag_printable(r.target, r.target_len, shown2,
                                 sizeof(shown2)),
                       shown, reason, groups);
            rule_free(&r);
            return 1;
        }
    }

    if (push(list, &r) != 0) {
        rule_free(&r);
        return -1;
    }

    return 0;
}


/* len bytes and a NUL: unlike strndup(), a NUL inside (a crafted map)
 * does not make the copy shorter than the length kept beside it */
static char *
bytes_dup(const char *s, size_t len)
{
    char  *p = malloc(len + 1);

    if (p != NULL) {
        memcpy(p, s, len);
        p[len] = '\0';
    }

    return p;
}


int
rules_add_compiled(rule_list_t *list, const lrm_rule_t *lr, char *err,
    size_t err_size)
{
    rule_t  r;

    memset(&r, 0, sizeof(r));
    r.pattern = bytes_dup(lr->pattern, lr->pattern_len);
    r.target = bytes_dup(lr->target, lr->target_len);
    r.file = lr->source ? strndup(lr->source, lr->source_len) : strdup("");

    if (r.pattern == NULL || r.target == NULL || r.file == NULL) {
        rule_free(&r);
        snprintf(err, err_size, "out of memory");
        return -1;
    }

    r.pattern_len = lr->pattern_len;
    r.target_len = lr->target_len;
    r.status = lr->status;
    r.flags = lr->flags;
    r.line = lr->line;

    if (compile(list, &r, err, err_size) != 0 || push(list, &r) != 0) {
        if (r.code != NULL) {
            snprintf(err, err_size, "out of memory");
        }
        rule_free(&r);
        return -1;
    }

    return 0;
}


/*
 * Whether rule r's answer loops (lrm_rule_answers_again()), as the module
 * judges it with "legacy_redirect_query keep", the default.  0 when out
 * of memory.
 */
static int
target_loops(const rule_list_t *list, const rule_t *r, const char *path,
    size_t path_len, const char *query, size_t query_len,
    const rule_hit_t *hit)
{
    const rule_t  *k;
    char          *stripped;
    size_t         n;
    int            earlier, loops;

    if (!lrm_target_is_key(hit->target, (size_t) hit->target_len, path,
                           path_len, list->caseless ? LRM_NORM_CASELESS : 0))
    {
        return 0;
    }

    stripped = malloc(query_len + 1);
    if (stripped == NULL) {
        return 0;
    }

    earlier = 0;
    for (k = list->items; k < r; k++) {
        earlier |= (k->flags & LRM_RULE_MATCH_QUERY) != 0;
    }

    n = lrm_query_strip_mobile(query, query_len, stripped);
    loops = lrm_rule_answers_again(hit->target, (size_t) hit->target_len,
                                   stripped, n, r->flags,
                                   !(r->flags & LRM_RULE_QUERY_DROP),
                                   earlier);
    free(stripped);

    return loops;
}


int
rules_match(rule_list_t *list, const char *path, size_t path_len,
    const char *query, size_t query_len, rule_hit_t *hit)
{
    PCRE2_SIZE   *ov;
    const char   *subject;
    size_t        i, subject_len, with_len = 0;
    char         *with = NULL;
    int           rc, n, g, caps[LRM_MAX_CAPTURES * 2];
    rule_t       *r;

    hit->rule = NULL;
    hit->target_len = 0;
    hit->loops = 0;
    hit->target[0] = '\0';

    if (list->count == 0) {
        return 0;
    }

    if (list->md == NULL) {
        list->md = pcre2_match_data_create(LRM_MAX_CAPTURES, NULL);
        if (list->md == NULL) {
            return -1;
        }
    }

    for (i = 0; i < list->count; i++) {
        r = &list->items[i];
        subject = path;
        subject_len = path_len;

        if ((r->flags & LRM_RULE_MATCH_QUERY) && query_len > 0) {
            if (with == NULL) {
                with = malloc(path_len + 1 + query_len);
                if (with == NULL) {
                    return -1;
                }

                memcpy(with, path, path_len);
                with[path_len] = '?';
                with_len = lrm_query_strip_mobile(query, query_len,
                                                  with + path_len + 1);
                with_len = with_len ? path_len + 1 + with_len : path_len;
            }

            subject = with;
            subject_len = with_len;
        }

        rc = pcre2_match(r->code, (PCRE2_SPTR) subject, subject_len, 0, 0,
                         list->md, NULL);

        if (rc == PCRE2_ERROR_NOMATCH) {
            continue;
        }

        if (rc < 0) {
            free(with);
            return -1;
        }

        n = rc == 0 ? LRM_MAX_CAPTURES : rc;
        ov = pcre2_get_ovector_pointer(list->md);

        for (g = 0; g < LRM_MAX_CAPTURES; g++) {
            if (g < n && ov[2 * g] != PCRE2_UNSET) {
                caps[2 * g] = (int) ov[2 * g];
                caps[2 * g + 1] = (int) ov[2 * g + 1];
            } else {
                caps[2 * g] = -1;
                caps[2 * g + 1] = -1;
            }
        }

        hit->rule = r;

        if (r->target_len > 0) {
            hit->target_len = lrm_expand_target(r->target, r->target_len,
                                                subject, caps, n,
                                                hit->target);
            hit->target[hit->target_len > 0 ? hit->target_len : 0] = '\0';

            if (hit->target_len >= 0) {
                hit->loops = target_loops(list, r, path, path_len, query,
                                          query_len, hit);
            }
        }

        free(with);
        return 1;
    }

    free(with);
    return 0;
}


int
rules_target_is_literal(const rule_t *rule)
{
    return memchr(rule->target, '$', rule->target_len) == NULL;
}


void
rules_free(rule_list_t *list)
{
    size_t  i;

    for (i = 0; i < list->count; i++) {
        rule_free(&list->items[i]);
    }

    pcre2_match_data_free(list->md);
    free(list->items);
    memset(list, 0, sizeof(*list));
}
