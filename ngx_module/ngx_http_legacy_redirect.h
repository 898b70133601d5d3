
/*
 * Copyright (C) the legacy_redirect authors
 */


#ifndef _NGX_HTTP_LEGACY_REDIRECT_H_INCLUDED_
#define _NGX_HTTP_LEGACY_REDIRECT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "lrmap.h"


#define NGX_HTTP_LEGACY_REDIRECT_QUERY_KEEP  0
#define NGX_HTTP_LEGACY_REDIRECT_QUERY_DROP  1

#define NGX_HTTP_LEGACY_REDIRECT_GONE        410

#define NGX_HTTP_LEGACY_REDIRECT_HUGE_OFF    0
#define NGX_HTTP_LEGACY_REDIRECT_HUGE_TRY    1
#define NGX_HTTP_LEGACY_REDIRECT_HUGE_ON     2


/* a pattern rule of a map, compiled once when the map is loaded */
typedef struct {
    ngx_regex_t                     *regex;
    lrm_rule_t                       rule;
} ngx_http_legacy_redirect_rule_t;


/* one map file, loaded once per configuration and shared by workers */
typedef struct {
    ngx_str_t                        name;     /* full path */
    u_char                          *data;     /* read-only anonymous copy */
    size_t                           size;
    lrm_map_t                        map;
    unsigned                         norm_flags;
    unsigned                         huge:1;   /* copy in huge pages */
    ngx_http_legacy_redirect_rule_t *rules;
    ngx_uint_t                       nrules;
    ngx_uint_t                       first_match_query; /* nrules: none */
    ngx_uint_t                       index;    /* in main conf's maps */
} ngx_http_legacy_redirect_map_t;


/* what the workers count, per map, in the shared zone */
typedef struct {
    ngx_atomic_t                     hits;     /* answered 301 .. 308 */
    ngx_atomic_t                     gone;     /* answered 410 */
    ngx_atomic_t                     misses;   /* let through */
} ngx_http_legacy_redirect_counters_t;


typedef struct {
    ngx_array_t                      maps;     /* of map_t *, by name */
    ngx_shm_zone_t                  *zone;     /* counters, or NULL */
    u_char                          *counters; /* blocks, one per worker */
    size_t                           block;    /* bytes: one per map */
    ngx_uint_t                       workers;  /* blocks of one worker */
    ngx_flag_t                       status;   /* a status location */
    ngx_uint_t                       huge_pages; /* off, try or on */
} ngx_http_legacy_redirect_main_conf_t;


typedef struct {
    ngx_http_legacy_redirect_map_t  *map;      /* NULL: "off" */
    ngx_uint_t                       query;    /* keep or drop */
    ngx_flag_t                       debug_header;
} ngx_http_legacy_redirect_loc_conf_t;


/* what a request found, kept in the module's request context */
typedef struct {
    ngx_http_legacy_redirect_map_t  *map;
    ngx_uint_t                       found;    /* unsigned: 1 */
    ngx_uint_t                       status;
    ngx_str_t                        target;   /* empty for 410 */
    ngx_uint_t                       rule_flags; /* LRM_RULE_*, 0 exact */
    ngx_str_t                        source;   /* file it came from */
    uint32_t                         source_index; /* name not yet read */
    uint32_t                         line;
    unsigned                         answered:1; /* handler ran */
} ngx_http_legacy_redirect_ctx_t;


/* the counters of worker w: one per map */
#define ngx_http_legacy_redirect_counters(lmcf, w)                           \
    ((ngx_http_legacy_redirect_counters_t *)                                 \
         ((lmcf)->counters + (w) * (lmcf)->block))


ngx_http_legacy_redirect_map_t *ngx_http_legacy_redirect_load(
    ngx_conf_t *cf, ngx_str_t *name, ngx_uint_t huge_pages);

ngx_int_t ngx_http_legacy_redirect_read(ngx_conf_t *cf, ngx_fd_t fd,
    ngx_str_t *name, u_char *buf, size_t size, uint64_t *hash);

ngx_int_t ngx_http_legacy_redirect_compile_rules(ngx_conf_t *cf,
    ngx_http_legacy_redirect_map_t *m);

ngx_int_t ngx_http_legacy_redirect_match_rules(ngx_http_request_t *r,
    ngx_http_legacy_redirect_map_t *m, ngx_str_t *path,
    ngx_http_legacy_redirect_ctx_t *ctx);

ngx_http_legacy_redirect_ctx_t *ngx_http_legacy_redirect_find(
    ngx_http_request_t *r);

ngx_int_t ngx_http_legacy_redirect_handler(ngx_http_request_t *r);

void ngx_http_legacy_redirect_client_args(ngx_http_request_t *r,
    ngx_str_t *args);

ngx_uint_t ngx_http_legacy_redirect_passes_query(ngx_http_request_t *r,
    ngx_uint_t rule_flags);

ngx_int_t ngx_http_legacy_redirect_uri_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);

ngx_int_t ngx_http_legacy_redirect_source_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);

ngx_int_t ngx_http_legacy_redirect_add_zone(ngx_conf_t *cf,
    ngx_http_legacy_redirect_main_conf_t *lmcf);

void ngx_http_legacy_redirect_count(ngx_http_request_t *r,
    ngx_http_legacy_redirect_ctx_t *ctx);

char *ngx_http_legacy_redirect_status(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


extern ngx_module_t  ngx_http_legacy_redirect_module;


#endif /* _NGX_HTTP_LEGACY_REDIRECT_H_INCLUDED_ */
