
/*
 * Copyright (C) the legacy_redirect authors
 *
 * Pattern rules: compiled once with nginx's regex API when the map is
 * loaded (so "pcre_jit on;" JIT-compiles them with nginx's own), and
 * tried in order after the exact entries.
 */


#include "ngx_http_legacy_redirect.h"


ngx_int_t
ngx_http_legacy_redirect_compile_rules(ngx_conf_t *cf,
    ngx_http_legacy_redirect_map_t *m)
{
    u_char                           *p;
    size_t                            off;
    ngx_uint_t                        i;
    ngx_regex_compile_t               rc;
    ngx_http_legacy_redirect_rule_t  *rule;
    u_char                            errstr[NGX_MAX_CONF_ERRSTR];

    m->nrules = lrm_rule_count(&m->map);
    m->first_match_query = m->nrules;

    if (m->nrules == 0) {
        return NGX_OK;
    }

    m->rules = ngx_pcalloc(cf->pool,
                           m->nrules * sizeof(ngx_http_legacy_redirect_rule_t));
    if (m->rules == NULL) {
        return NGX_ERROR;
    }

    off = 0;

    for (i = 0; i < m->nrules; i++) {
        rule = &m->rules[i];

        if (lrm_rule_next(&m->map, &off, &rule->rule) != LRM_OK) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "legacy_redirect_map \"%V\": rule %ui is "
                               "damaged", &m->name, i + 1);
            return NGX_ERROR;
        }

        if (rule->rule.source == NULL) {
            rule->rule.source = "";
        }

        if ((rule->rule.flags & LRM_RULE_MATCH_QUERY)
            && m->first_match_query == m->nrules)
        {
            m->first_match_query = i;
        }

        /* a NUL-terminated copy: PCRE1 builds of nginx need one */

        p = ngx_pnalloc(cf->pool, rule->rule.pattern_len + 1);
        if (p == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(p, rule->rule.pattern, rule->rule.pattern_len);
        p[rule->rule.pattern_len] = '\0';

        ngx_memzero(&rc, sizeof(ngx_regex_compile_t));

        rc.pattern.data = p;
        rc.pattern.len = rule->rule.pattern_len;
        rc.pool = cf->pool;
        rc.err.len = NGX_MAX_CONF_ERRSTR;
        rc.err.data = errstr;

        if (m->norm_flags & LRM_NORM_CASELESS) {
            rc.options = NGX_REGEX_CASELESS;
        }

        if (ngx_regex_compile(&rc) != NGX_OK) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "legacy_redirect_map \"%V\": rule %ui "
                               "(%*s:%uD): %V", &m->name, i + 1,
                               rule->rule.source_len, rule->rule.source,
                               rule->rule.line, &rc.err);
            return NGX_ERROR;
        }

        rule->regex = rc.regex;

        if (rule->rule.target_len
            && lrm_check_rule_target(rule->rule.target, rule->rule.target_len,
                                     rc.captures) != NULL)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "legacy_redirect_map \"%V\": rule %ui: "
                               "%s", &m->name, i + 1,
                               lrm_check_rule_target(rule->rule.target,
                                                     rule->rule.target_len,
                                                     rc.captures));
            return NGX_ERROR;
        }

    }

    return NGX_OK;
}


/* "path?query", with Blogger's m=0 and m=1 left out of the query */
static ngx_int_t
ngx_http_legacy_redirect_subject(ngx_http_request_t *r, ngx_str_t *path,
    ngx_str_t *subject)
{
    u_char     *p;
    size_t      len;
    ngx_str_t   args;

    *subject = *path;

    ngx_http_legacy_redirect_client_args(r, &args);

    if (args.len == 0) {
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, path->len + 1 + args.len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(p, path->data, path->len);
    p[path->len] = '?';

    len = lrm_query_strip_mobile((const char *) args.data, args.len,
                                 (char *) p + path->len + 1);

    if (len > 0) {
        subject->data = p;
        subject->len = path->len + 1 + len;
    }

    return NGX_OK;
}


/* rule i matched but is not sent: "rule N (FILE:LINE) BEFORE "path"AFTER" */
static void
ngx_http_legacy_redirect_refused(ngx_http_request_t *r,
    ngx_http_legacy_redirect_map_t *m, ngx_uint_t i, ngx_str_t *subject,
    const char *before, const char *after)
{
    ngx_http_legacy_redirect_rule_t  *rule;

    rule = &m->rules[i];

    if (rule->rule.source_len == 0) {
        /* a map built with --no-sources: the rule's number alone */
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "legacy_redirect_map \"%V\": rule %ui %s \"%V\"%s, "
                      "not redirected", &m->name, i + 1, before, subject,
                      after);
        return;
    }

    ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                  "legacy_redirect_map \"%V\": rule %ui (%*s:%uD) %s \"%V\"%s, "
                  "not redirected", &m->name, i + 1, rule->rule.source_len,
                  rule->rule.source, rule->rule.line, before, subject, after);
}


/*
 * Whether rule i's answer would bring the client straight back to it
 * (lrm_rule_answers_again()).  with_query is the subject of match_query
 * rules, made here if no rule needed it yet.
 */
static ngx_uint_t
ngx_http_legacy_redirect_rule_loops(ngx_http_request_t *r,
    ngx_http_legacy_redirect_map_t *m, ngx_uint_t i, ngx_str_t *path,
    ngx_str_t *with_query, u_char *target, size_t len)
{
    size_t      qlen;
    u_char     *query;
    ngx_uint_t  flags, passed;

    if (!lrm_target_is_key((const char *) target, len,
                           (const char *) path->data, path->len,
                           m->norm_flags))
    {
        return 0;
    }

    if (with_query->data == NULL
        && ngx_http_legacy_redirect_subject(r, path, with_query) != NGX_OK)
    {
        return 0;
    }

    /* "path?query", or just the path when there is no query */

    query = with_query->data;
    qlen = 0;

    if (with_query->len > path->len) {
        query = with_query->data + path->len + 1;
        qlen = with_query->len - path->len - 1;
    }

    flags = m->rules[i].rule.flags;
    passed = ngx_http_legacy_redirect_passes_query(r, flags);

    return lrm_rule_answers_again((const char *) target, len,
                                  (const char *) query, qlen, flags, passed,
                                  m->first_match_query < i);
}


ngx_int_t
ngx_http_legacy_redirect_match_rules(ngx_http_request_t *r,
    ngx_http_legacy_redirect_map_t *m, ngx_str_t *path,
    ngx_http_legacy_redirect_ctx_t *ctx)
{
    u_char                           *target;
    long                              len;
    ngx_int_t                         n;
    ngx_str_t                         with_query, *subject;
    ngx_uint_t                        i;
    ngx_http_legacy_redirect_rule_t  *rule;
    int                               captures[LRM_MAX_CAPTURES * 3];

    with_query.data = NULL;

    for (i = 0; i < m->nrules; i++) {
        rule = &m->rules[i];
        subject = path;

        if (rule->rule.flags & LRM_RULE_MATCH_QUERY) {
            if (with_query.data == NULL
                && ngx_http_legacy_redirect_subject(r, path, &with_query)
                   != NGX_OK)
            {
                return NGX_ERROR;
            }

            subject = &with_query;
        }

        n = ngx_regex_exec(rule->regex, subject, captures,
                           LRM_MAX_CAPTURES * 3);

        if (n == NGX_REGEX_NO_MATCHED) {
            continue;
        }

        if (n < 0) {
            ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                          ngx_regex_exec_n " failed: %i on \"%V\" using "
                          "rule %ui of \"%V\"", n, subject, i + 1, &m->name);
            return NGX_DECLINED;
        }

        if (n == 0) {
            n = LRM_MAX_CAPTURES;       /* more groups than $0..$9 */
        }

        ctx->status = rule->rule.status;
        ctx->rule_flags = rule->rule.flags;
        ctx->source.data = (u_char *) rule->rule.source;
        ctx->source.len = rule->rule.source_len;
        ctx->source_index = LRM_NO_SOURCE;
        ctx->line = rule->rule.line;
        ngx_str_null(&ctx->target);

        if (rule->rule.target_len) {
            target = ngx_pnalloc(r->pool, LRM_MAX_TARGET);
            if (target == NULL) {
                return NGX_ERROR;
            }

            len = lrm_expand_target(rule->rule.target, rule->rule.target_len,
                                    (const char *) subject->data, captures,
                                    (int) n, (char *) target);

            if (len < 0) {
                ngx_http_legacy_redirect_refused(r, m, i, subject,
                                                 "gives an unsafe target for",
                                                 "");
                return NGX_DECLINED;
            }

            if (ngx_http_legacy_redirect_rule_loops(r, m, i, path,
                                                    &with_query, target,
                                                    (size_t) len))
            {
                ngx_http_legacy_redirect_refused(r, m, i, subject,
                                                 "redirects", " to itself");
                return NGX_DECLINED;
            }

            ctx->target.data = target;
            ctx->target.len = len;
        }

        ctx->found = 1;

        return NGX_OK;
    }

    return NGX_DECLINED;
}
