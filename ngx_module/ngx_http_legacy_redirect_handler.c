
/*
 * Copyright (C) the legacy_redirect authors
 *
 * The request side: look the client's path up once per request, answer a
 * hit in the rewrite phase the way "return 301 /path" does, and expose
 * the answer as $legacy_redirect_uri.
 */


#include "ngx_http_legacy_redirect.h"


/*
 * The path as the client sent it, before nginx decoded or rewrote it:
 * the map's keys are normalised from the same raw form by the same code
 * (lrm_normalize_path), so decoding happens exactly once.
 */
static ngx_int_t
ngx_http_legacy_redirect_lookup(ngx_http_request_t *r,
    ngx_http_legacy_redirect_map_t *m, lrm_entry_t *entry)
{
    long       n;
    u_char     key[LRM_MAX_KEY];
    ngx_int_t  rc;

    if (r->unparsed_uri.len == 0) {
        return LRM_NOT_FOUND;
    }

    n = lrm_normalize_path((const char *) r->unparsed_uri.data,
                           r->unparsed_uri.len, (char *) key, m->norm_flags);
    if (n < 0) {
        return LRM_NOT_FOUND;
    }

    rc = lrm_lookup(&m->map, (const char *) key, (size_t) n, entry);

    if (rc == LRM_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "legacy_redirect_map \"%V\": damaged record for "
                      "\"%*s\", ignored", &m->name, (size_t) n, key);
        return LRM_NOT_FOUND;
    }

    return rc;
}


ngx_http_legacy_redirect_ctx_t *
ngx_http_legacy_redirect_find(ngx_http_request_t *r)
{
    ngx_http_legacy_redirect_ctx_t       *ctx;
    ngx_http_legacy_redirect_loc_conf_t  *lrcf;

    lrcf = ngx_http_get_module_loc_conf(r, ngx_http_legacy_redirect_module);

    ctx = ngx_http_get_module_ctx(r, ngx_http_legacy_redirect_module);

    if (ctx && ctx->map == lrcf->map) {
        return ctx;
    }

    if (ctx == NULL) {
        ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_legacy_redirect_ctx_t));
        if (ctx == NULL) {
            return NULL;
        }

        ngx_http_set_ctx(r, ctx, ngx_http_legacy_redirect_module);
    }

    ctx->map = lrcf->map;
    ctx->rc = LRM_NOT_FOUND;

    if (lrcf->map) {
        ctx->rc = ngx_http_legacy_redirect_lookup(r, lrcf->map, &ctx->entry);
    }

    return ctx;
}


/* target, then the request's query string after '?' (or '&') */
static ngx_int_t
ngx_http_legacy_redirect_location(ngx_http_request_t *r, lrm_entry_t *e,
    ngx_str_t *location)
{
    u_char  *p;
    size_t   len;

    location->data = (u_char *) e->target;
    location->len = e->target_len;

    if (r->args.len == 0) {
        return NGX_OK;
    }

    len = e->target_len + 1 + r->args.len;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    location->data = p;
    location->len = len;

    p = ngx_cpymem(p, e->target, e->target_len);
    *p++ = ngx_strlchr((u_char *) e->target,
                       (u_char *) e->target + e->target_len, '?')
           ? '&' : '?';
    ngx_memcpy(p, r->args.data, r->args.len);

    return NGX_OK;
}


ngx_int_t
ngx_http_legacy_redirect_handler(ngx_http_request_t *r)
{
    ngx_http_complex_value_t         cv;
    ngx_http_legacy_redirect_ctx_t  *ctx;

    if (r != r->main) {
        return NGX_DECLINED;
    }

    ctx = ngx_http_legacy_redirect_find(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ctx->rc != LRM_OK) {
        return NGX_DECLINED;
    }

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "legacy redirect: \"%V\" -> %ui \"%*s\"",
                   &r->unparsed_uri, (ngx_uint_t) ctx->entry.status,
                   ctx->entry.target_len, ctx->entry.target);

    if (ctx->entry.status < NGX_HTTP_MOVED_PERMANENTLY
        || ctx->entry.status > NGX_HTTP_PERMANENT_REDIRECT)
    {
        /* 410 Gone and other statuses without a Location */
        return ctx->entry.status;
    }

    ngx_memzero(&cv, sizeof(ngx_http_complex_value_t));

    if (ngx_http_legacy_redirect_location(r, &ctx->entry, &cv.value)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* as "return 301 /path": Location is made absolute by the header
     * filter according to absolute_redirect, server_name_in_redirect
     * and port_in_redirect */

    return ngx_http_send_response(r, ctx->entry.status, NULL, &cv);
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

    if (ctx->rc == LRM_OK) {
        v->data = (u_char *) ctx->entry.target;
        v->len = ctx->entry.target_len;

    } else {
        v->data = (u_char *) "";
        v->len = 0;
    }

    return NGX_OK;
}
