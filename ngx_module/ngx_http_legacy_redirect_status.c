
/*
 * Copyright (C) the legacy_redirect authors
 *
 * Observability: hit, 410 and miss counters per map in a small shared
 * zone (so they add up across workers), and the "legacy_redirect_status"
 * location handler that reports them with each map's identity as JSON,
 * so that a fleet can tell which map every node serves.
 */


#include "ngx_http_legacy_redirect.h"


static ngx_str_t  ngx_http_legacy_redirect_zone_name =
    ngx_string("legacy_redirect_counters");


/*
 * Counters start again from zero with each configuration, in a zone of
 * its own ("noreuse"): the maps, and so the counters' meaning, may have
 * changed, and old workers may still be counting in the old zone.
 *
 * Each worker counts in a block of its own, a cache line apart from the
 * others' blocks, with plain increments: no locked instruction, and no
 * cache line going from CPU to CPU, on every request.  The status
 * handler adds the blocks up.  One more block, counted in atomically, is
 * for workers beyond those known when the http block was read (a
 * worker_processes directive after it).
 */
static ngx_int_t
ngx_http_legacy_redirect_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    u_char                                *p;
    ngx_slab_pool_t                       *shpool;
    ngx_http_legacy_redirect_main_conf_t  *lmcf;

    lmcf = shm_zone->data;

    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    p = ngx_slab_calloc(shpool, (lmcf->workers + 1) * lmcf->block
                                + NGX_CPU_CACHE_LINE);
    if (p == NULL) {
        return NGX_ERROR;
    }

    lmcf->counters = ngx_align_ptr(p, NGX_CPU_CACHE_LINE);

    return NGX_OK;
}


ngx_int_t
ngx_http_legacy_redirect_add_zone(ngx_conf_t *cf,
    ngx_http_legacy_redirect_main_conf_t *lmcf)
{
    size_t            size;
    ngx_core_conf_t  *ccf;

    ccf = (ngx_core_conf_t *) ngx_get_conf(cf->cycle->conf_ctx,
                                           ngx_core_module);

    lmcf->workers = (ccf->worker_processes > 0) ? ccf->worker_processes : 1;
    lmcf->block = ngx_align(ngx_max(lmcf->maps.nelts, 1)
                            * sizeof(ngx_http_legacy_redirect_counters_t),
                            NGX_CPU_CACHE_LINE);

    size = 8 * ngx_pagesize + (lmcf->workers + 1) * lmcf->block
           + NGX_CPU_CACHE_LINE;

    lmcf->zone = ngx_shared_memory_add(cf,
                                       &ngx_http_legacy_redirect_zone_name,
                                       ngx_align(size, ngx_pagesize),
                                       &ngx_http_legacy_redirect_module);
    if (lmcf->zone == NULL) {
        return NGX_ERROR;
    }

    lmcf->zone->init = ngx_http_legacy_redirect_init_zone;
    lmcf->zone->data = lmcf;
    lmcf->zone->noreuse = 1;

    return NGX_OK;
}


void
ngx_http_legacy_redirect_count(ngx_http_request_t *r,
    ngx_http_legacy_redirect_ctx_t *ctx)
{
    ngx_atomic_t                          *n;
    ngx_http_legacy_redirect_counters_t   *c;
    ngx_http_legacy_redirect_main_conf_t  *lmcf;

    if (ctx->map == NULL) {
        return;
    }

    lmcf = ngx_http_get_module_main_conf(r, ngx_http_legacy_redirect_module);

    if (lmcf->counters == NULL) {
        return;
    }

    c = ngx_http_legacy_redirect_counters(lmcf,
                                          ngx_min(ngx_worker, lmcf->workers))
        + ctx->map->index;

    if (!ctx->found) {
        n = &c->misses;

    } else if (ctx->status == NGX_HTTP_LEGACY_REDIRECT_GONE) {
        n = &c->gone;

    } else {
        n = &c->hits;
    }

    if (ngx_worker < lmcf->workers) {
        (*n)++;                         /* this worker's own block */

    } else {
        (void) ngx_atomic_fetch_add(n, 1);
    }
}


/* one map's counts, added up over every worker's block */
static void
ngx_http_legacy_redirect_sum(ngx_http_legacy_redirect_main_conf_t *lmcf,
    ngx_uint_t index, ngx_http_legacy_redirect_counters_t *sum)
{
    ngx_uint_t                            w;
    ngx_http_legacy_redirect_counters_t  *c;

    sum->hits = 0;
    sum->gone = 0;
    sum->misses = 0;

    for (w = 0; w <= lmcf->workers; w++) {
        c = ngx_http_legacy_redirect_counters(lmcf, w) + index;

        sum->hits += c->hits;
        sum->gone += c->gone;
        sum->misses += c->misses;
    }
}


/* "name": "value" with the value escaped for JSON */
static u_char *
ngx_http_legacy_redirect_json_str(u_char *p, char *name, u_char *value,
    size_t len)
{
    p = ngx_sprintf(p, "\"%s\": \"", name);
    p = (u_char *) ngx_escape_json(p, value, len);
    return ngx_cpymem(p, "\"", 1);
}


static size_t
ngx_http_legacy_redirect_json_size(ngx_http_legacy_redirect_main_conf_t *lmcf)
{
    size_t                            size, len;
    ngx_uint_t                        i;
    ngx_http_legacy_redirect_map_t  **maps;

    size = 512;
    maps = lmcf->maps.elts;

    for (i = 0; i < lmcf->maps.nelts; i++) {
        size += 1024 + 6 * maps[i]->name.len;
        if (lrm_meta(&maps[i]->map, "built", &len)) {
            size += 6 * len;
        }
        if (lrm_meta(&maps[i]->map, "tool", &len)) {
            size += 6 * len;
        }
    }

    return size;
}


static u_char *
ngx_http_legacy_redirect_json_map(u_char *p, ngx_http_legacy_redirect_map_t *m,
    ngx_http_legacy_redirect_counters_t *c)
{
    size_t       len;
    const char  *meta;

    p = ngx_cpymem(p, "    {", 5);
    p = ngx_http_legacy_redirect_json_str(p, "path", m->name.data,
                                          m->name.len);

    p = ngx_sprintf(p, ", \"format_version\": %d, \"entries\": %uL, "
                    "\"rules\": %ui, \"bytes\": %uz, \"ignore_case\": %s, "
                    "\"huge_pages\": %s, \"checksum\": \"%016xL\"",
                    LRM_VERSION, (uint64_t) m->map.entries, m->nrules,
                    m->size,
                    (m->norm_flags & LRM_NORM_CASELESS) ? "true" : "false",
                    m->huge ? "true" : "false",
                    (uint64_t) m->map.checksum);

    meta = lrm_meta(&m->map, "built", &len);
    if (meta) {
        p = ngx_cpymem(p, ", ", 2);
        p = ngx_http_legacy_redirect_json_str(p, "built", (u_char *) meta,
                                              len);
    }

    meta = lrm_meta(&m->map, "tool", &len);
    if (meta) {
        p = ngx_cpymem(p, ", ", 2);
        p = ngx_http_legacy_redirect_json_str(p, "tool", (u_char *) meta,
                                              len);
    }

    if (c) {
        p = ngx_sprintf(p, ", \"hits\": %uA, \"gone\": %uA, \"misses\": %uA",
                        c->hits, c->gone, c->misses);
    }

    return ngx_cpymem(p, "}", 1);
}


static ngx_int_t
ngx_http_legacy_redirect_status_handler(ngx_http_request_t *r)
{
    ngx_int_t                              rc;
    ngx_buf_t                             *b;
    ngx_uint_t                             i;
    ngx_chain_t                            out;
    ngx_atomic_uint_t                      hits, gone, misses;
    ngx_http_legacy_redirect_map_t       **maps;
    ngx_http_legacy_redirect_counters_t    sum, *c;
    ngx_http_legacy_redirect_main_conf_t  *lmcf;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    lmcf = ngx_http_get_module_main_conf(r, ngx_http_legacy_redirect_module);

    b = ngx_create_temp_buf(r->pool, ngx_http_legacy_redirect_json_size(lmcf));
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    maps = lmcf->maps.elts;
    hits = gone = misses = 0;

    b->last = ngx_cpymem(b->last, "{\n  \"maps\": [\n", 14);

    for (i = 0; i < lmcf->maps.nelts; i++) {
        c = NULL;

        if (lmcf->counters) {
            c = &sum;
            ngx_http_legacy_redirect_sum(lmcf, i, c);

            hits += c->hits;
            gone += c->gone;
            misses += c->misses;
        }

        b->last = ngx_http_legacy_redirect_json_map(b->last, maps[i], c);
        b->last = ngx_sprintf(b->last, "%s\n",
                              i + 1 < lmcf->maps.nelts ? "," : "");
    }

    b->last = ngx_sprintf(b->last, "  ],\n  \"hits\": %uA,\n  \"gone\": %uA,\n"
                          "  \"misses\": %uA\n}\n", hits, gone, misses);

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = b->last - b->pos;
    ngx_str_set(&r->headers_out.content_type, "application/json");
    r->headers_out.content_type_len = r->headers_out.content_type.len;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


char *
ngx_http_legacy_redirect_status(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_core_loc_conf_t              *clcf;
    ngx_http_legacy_redirect_main_conf_t  *lmcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_legacy_redirect_status_handler;

    lmcf = ngx_http_conf_get_module_main_conf(cf,
                                              ngx_http_legacy_redirect_module);
    lmcf->status = 1;

    return NGX_CONF_OK;
}
