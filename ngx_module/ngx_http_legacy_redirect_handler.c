
/*
 * Copyright (C) the legacy_redirect authors
 *
 * The request side: look the client's path up once per request (exact
 * entries, then pattern rules), answer a hit in the rewrite phase the way
 * "return 301 /path" does, and expose the answer as $legacy_redirect_uri.
 */


#include "ngx_http_legacy_redirect.h"


static void
ngx_http_legacy_redirect_set_entry(ngx_http_legacy_redirect_ctx_t *ctx,
    lrm_entry_t *e)
{
    ctx->found = 1;
    ctx->status = e->status;
    ctx->target.data = (u_char *) e->target;
    ctx->target.len = e->target_len;
    ctx->rule_flags = 0;
    ngx_str_null(&ctx->source);
    ctx->source_index = e->source;
    ctx->line = e->line;
}


/*
 * The name of the file the answer came from.  An exact entry's is read
 * from the map only when something asks for it: on every hit, that would
 * be one more read from another part of the map.
 */
static ngx_str_t *
ngx_http_legacy_redirect_source_name(ngx_http_legacy_redirect_ctx_t *ctx)
{
    size_t       len;
    const char  *name;

    if (ctx->source_index != LRM_NO_SOURCE) {
        name = lrm_source_name(&ctx->map->map, ctx->source_index, &len);

        if (name != NULL) {
            ctx->source.data = (u_char *) name;
            ctx->source.len = len;
        }

        ctx->source_index = LRM_NO_SOURCE;
    }

    return &ctx->source;
}


/*
 * The path as the client sent it, before nginx decoded or rewrote it:
 * the map's keys are normalised from the same raw form by the same code
 * (lrm_normalize_path), so decoding happens exactly once.
 */
static ngx_int_t
ngx_http_legacy_redirect_lookup(ngx_http_request_t *r,
    ngx_http_legacy_redirect_map_t *m, ngx_http_legacy_redirect_ctx_t *ctx)
{
    long         n;
    u_char       key[LRM_MAX_KEY];
    ngx_int_t    rc;
    ngx_str_t    path;
    lrm_entry_t  entry;

    if (r->unparsed_uri.len == 0) {
        return NGX_DECLINED;
    }

    n = lrm_normalize_path((const char *) r->unparsed_uri.data,
                           r->unparsed_uri.len, (char *) key, m->norm_flags);
    if (n < 0) {
        return NGX_DECLINED;
    }

    rc = lrm_lookup(&m->map, (const char *) key, (size_t) n, &entry);

    if (rc == LRM_OK) {
        ngx_http_legacy_redirect_set_entry(ctx, &entry);
        return NGX_OK;
    }

    if (rc == LRM_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "legacy_redirect_map \"%V\": damaged record for "
                      "\"%*s\", ignored", &m->name, (size_t) n, key);
        return NGX_DECLINED;
    }

    if (m->nrules == 0) {
        return NGX_DECLINED;
    }

    path.data = key;
    path.len = n;

    return ngx_http_legacy_redirect_match_rules(r, m, &path, ctx);
}


/* marks the context's pool cleanup, by which it is found again */
static void
ngx_http_legacy_redirect_cleanup(void *data)
{
}


/*
 * nginx clears module contexts on an internal redirect (error_page,
 * index, try_files' fallback): the context is kept as a pool cleanup's
 * data too, so a request is looked up and answered once, whatever
 * internal redirects follow.
 */
static ngx_http_legacy_redirect_ctx_t *
ngx_http_legacy_redirect_get_ctx(ngx_http_request_t *r)
{
    ngx_pool_cleanup_t              *cln;
    ngx_http_legacy_redirect_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_legacy_redirect_module);

    if (ctx || !(r->internal || r->filter_finalize)) {
        return ctx;
    }

    for (cln = r->pool->cleanup; cln; cln = cln->next) {
        if (cln->handler == ngx_http_legacy_redirect_cleanup) {
            ctx = cln->data;
            ngx_http_set_ctx(r, ctx, ngx_http_legacy_redirect_module);
            return ctx;
        }
    }

    return NULL;
}


ngx_http_legacy_redirect_ctx_t *
ngx_http_legacy_redirect_find(ngx_http_request_t *r)
{
    ngx_pool_cleanup_t                   *cln;
    ngx_http_legacy_redirect_ctx_t       *ctx;
    ngx_http_legacy_redirect_loc_conf_t  *lrcf;

    lrcf = ngx_http_get_module_loc_conf(r, ngx_http_legacy_redirect_module);

    ctx = ngx_http_legacy_redirect_get_ctx(r);

    if (ctx && (ctx->map == lrcf->map || ctx->answered)) {
        return ctx;
    }

    if (ctx == NULL) {
        cln = ngx_pool_cleanup_add(r->pool,
                                   sizeof(ngx_http_legacy_redirect_ctx_t));
        if (cln == NULL) {
            return NULL;
        }

        cln->handler = ngx_http_legacy_redirect_cleanup;
        ctx = cln->data;

        ngx_http_set_ctx(r, ctx, ngx_http_legacy_redirect_module);
    }

    ngx_memzero(ctx, sizeof(ngx_http_legacy_redirect_ctx_t));
    ctx->source_index = LRM_NO_SOURCE;
    ctx->map = lrcf->map;

    if (lrcf->map
        && ngx_http_legacy_redirect_lookup(r, lrcf->map, ctx) == NGX_ERROR)
    {
        return NULL;
    }

    return ctx;
}


/* the query string as the client sent it ($args may have been rewritten) */
void
ngx_http_legacy_redirect_client_args(ngx_http_request_t *r, ngx_str_t *args)
{
    u_char  *q, *end;

    /* memchr(), not ngx_strlchr(): a path is scanned on every hit */

    q = memchr(r->unparsed_uri.data, '?', r->unparsed_uri.len);

    /*
     * as nginx's own $args: a '?' after a '#' that a client sent is part
     * of the fragment, and the query ends at a fragment
     */

    if (q == NULL
        || memchr(r->unparsed_uri.data, '#', q - r->unparsed_uri.data))
    {
        ngx_str_null(args);
        return;
    }

    end = r->unparsed_uri.data + r->unparsed_uri.len;
    args->data = q + 1;

    q = memchr(args->data, '#', end - args->data);
    args->len = (q ? q : end) - args->data;
}


/*
 * Whether the request's query goes on after an answer of a rule with
 * rule_flags (0 for an exact entry): the rule's "query", else
 * legacy_redirect_query.
 */
ngx_uint_t
ngx_http_legacy_redirect_passes_query(ngx_http_request_t *r,
    ngx_uint_t rule_flags)
{
    ngx_http_legacy_redirect_loc_conf_t  *lrcf;

    if (rule_flags & LRM_RULE_QUERY_DROP) {
        return 0;
    }

    lrcf = ngx_http_get_module_loc_conf(r, ngx_http_legacy_redirect_module);

    return lrcf->query == NGX_HTTP_LEGACY_REDIRECT_QUERY_KEEP
           || (rule_flags & LRM_RULE_QUERY_KEEP);
}


/* the query string passed on: none, or the request's without m=0/m=1 */
static ngx_int_t
ngx_http_legacy_redirect_args(ngx_http_request_t *r,
    ngx_http_legacy_redirect_ctx_t *ctx, ngx_str_t *args)
{
    ngx_str_t  client;

    ngx_str_null(args);
    ngx_http_legacy_redirect_client_args(r, &client);

    if (client.len == 0
        || !ngx_http_legacy_redirect_passes_query(r, ctx->rule_flags))
    {
        return NGX_OK;
    }

    args->data = ngx_pnalloc(r->pool, client.len);
    if (args->data == NULL) {
        return NGX_ERROR;
    }

    args->len = lrm_query_strip_mobile((const char *) client.data,
                                       client.len, (char *) args->data);

    return NGX_OK;
}


/*
 * target with the query string passed on: after '?' (or '&' when the
 * target has a query), and before the target's "#fragment" if it has one
 */
static ngx_int_t
ngx_http_legacy_redirect_location(ngx_http_request_t *r,
    ngx_http_legacy_redirect_ctx_t *ctx, ngx_str_t *location)
{
    u_char     *p, *fragment, *end;
    ngx_str_t   args;

    *location = ctx->target;

    if (ngx_http_legacy_redirect_args(r, ctx, &args) != NGX_OK) {
        return NGX_ERROR;
    }

    if (args.len == 0) {
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, ctx->target.len + 1 + args.len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    end = ctx->target.data + ctx->target.len;
    fragment = ngx_strlchr(ctx->target.data, end, '#');
    if (fragment == NULL) {
        fragment = end;
    }

    location->data = p;
    location->len = ctx->target.len + 1 + args.len;

    p = ngx_cpymem(p, ctx->target.data, fragment - ctx->target.data);
    *p++ = ngx_strlchr(ctx->target.data, fragment, '?') ? '&' : '?';
    p = ngx_cpymem(p, args.data, args.len);
    ngx_memcpy(p, fragment, end - fragment);

    return NGX_OK;
}


/* "file:line" of the entry or rule that answered, in the request pool */
static ngx_int_t
ngx_http_legacy_redirect_source(ngx_http_request_t *r,
    ngx_http_legacy_redirect_ctx_t *ctx, ngx_str_t *value)
{
    u_char  *p;

    ngx_str_null(value);

    if (!ctx->found || ngx_http_legacy_redirect_source_name(ctx)->len == 0) {
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, 3 * ctx->source.len + 1 + NGX_INT32_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    /* a file name goes into a header: no control characters there */

    value->data = p;
    p = (u_char *) ngx_escape_uri(p, ctx->source.data, ctx->source.len,
                                  NGX_ESCAPE_MEMCACHED);
    p = ngx_sprintf(p, ":%uD", ctx->line);
    value->len = p - value->data;

    return NGX_OK;
}


/* legacy_redirect_debug_header on: say which entry answered */
static ngx_int_t
ngx_http_legacy_redirect_debug_header(ngx_http_request_t *r,
    ngx_http_legacy_redirect_ctx_t *ctx)
{
    ngx_table_elt_t                      *h;
    ngx_http_legacy_redirect_loc_conf_t  *lrcf;

    lrcf = ngx_http_get_module_loc_conf(r, ngx_http_legacy_redirect_module);

    if (!lrcf->debug_header
        || ngx_http_legacy_redirect_source_name(ctx)->len == 0)
    {
        return NGX_OK;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif
    ngx_str_set(&h->key, "X-Legacy-Redirect-Source");

    return ngx_http_legacy_redirect_source(r, ctx, &h->value);
}


ngx_int_t
ngx_http_legacy_redirect_handler(ngx_http_request_t *r)
{
    ngx_http_complex_value_t              cv;
    ngx_http_legacy_redirect_ctx_t       *ctx;
    ngx_http_legacy_redirect_loc_conf_t  *lrcf;

    if (r != r->main) {
        return NGX_DECLINED;
    }

    lrcf = ngx_http_get_module_loc_conf(r, ngx_http_legacy_redirect_module);

    if (lrcf->map == NULL) {
        return NGX_DECLINED;        /* no map here: no cost at all */
    }

    ctx = ngx_http_legacy_redirect_find(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ctx->answered) {
        return NGX_DECLINED;        /* an internal redirect of ours */
    }

    ctx->answered = 1;

    ngx_http_legacy_redirect_count(r, ctx);

    if (!ctx->found) {
        return NGX_DECLINED;
    }

    if (ngx_http_legacy_redirect_debug_header(r, ctx) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "legacy redirect: \"%V\" -> %ui \"%V\" (%V)",
                   &r->unparsed_uri, ctx->status, &ctx->target,
                   ngx_http_legacy_redirect_source_name(ctx));

    if (ctx->status < NGX_HTTP_MOVED_PERMANENTLY
        || ctx->status > NGX_HTTP_PERMANENT_REDIRECT)
    {
        /* 410 Gone: no Location */
        return ctx->status;
    }

    ngx_memzero(&cv, sizeof(ngx_http_complex_value_t));

    if (ngx_http_legacy_redirect_location(r, ctx, &cv.value) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* as "return 301 /path": Location is made absolute by the header
     * filter according to absolute_redirect, server_name_in_redirect
     * and port_in_redirect */

    return ngx_http_send_response(r, ctx->status, NULL, &cv);
}


ngx_int_t
ngx_http_legacy_redirect_uri_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_legacy_redirect_ctx_t  *ctx;

    ctx = ngx_http_legacy_redirect_find(r);
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;
    v->data = ctx->target.data ? ctx->target.data : (u_char *) "";
    v->len = ctx->found ? ctx->target.len : 0;

    return NGX_OK;
}


ngx_int_t
ngx_http_legacy_redirect_source_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t                        value;
    ngx_http_legacy_redirect_ctx_t  *ctx;

    ctx = ngx_http_legacy_redirect_find(r);
    if (ctx == NULL
        || ngx_http_legacy_redirect_source(r, ctx, &value) != NGX_OK)
    {
        return NGX_ERROR;
    }

    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;
    v->data = value.data ? value.data : (u_char *) "";
    v->len = value.len;

    return NGX_OK;
}
