
/*
 * Copyright (C) the legacy_redirect authors
 */


#ifndef _NGX_HTTP_LEGACY_REDIRECT_H_INCLUDED_
#define _NGX_HTTP_LEGACY_REDIRECT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "lrmap.h"


/* one map file, loaded once per configuration and shared by workers */
typedef struct {
    ngx_str_t                        name;     /* full path */
    u_char                          *data;     /* read-only anonymous copy */
    size_t                           size;
    lrm_map_t                        map;
    unsigned                         norm_flags;
} ngx_http_legacy_redirect_map_t;


typedef struct {
    ngx_array_t                      maps;     /* of map_t *, by name */
} ngx_http_legacy_redirect_main_conf_t;


typedef struct {
    ngx_http_legacy_redirect_map_t  *map;      /* NULL: "off" */
} ngx_http_legacy_redirect_loc_conf_t;


/* what a request found, kept in the module's request context */
typedef struct {
    ngx_http_legacy_redirect_map_t  *map;
    ngx_int_t                        rc;       /* LRM_OK, LRM_NOT_FOUND */
    lrm_entry_t                      entry;
} ngx_http_legacy_redirect_ctx_t;


ngx_http_legacy_redirect_map_t *ngx_http_legacy_redirect_load(
    ngx_conf_t *cf, ngx_str_t *name);

ngx_http_legacy_redirect_ctx_t *ngx_http_legacy_redirect_find(
    ngx_http_request_t *r);

ngx_int_t ngx_http_legacy_redirect_handler(ngx_http_request_t *r);

ngx_int_t ngx_http_legacy_redirect_uri_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);


extern ngx_module_t  ngx_http_legacy_redirect_module;


#endif /* _NGX_HTTP_LEGACY_REDIRECT_H_INCLUDED_ */
