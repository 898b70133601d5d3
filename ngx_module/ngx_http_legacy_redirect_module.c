
/*
 * Copyright (C) the legacy_redirect authors
 *
 * ngx_http_legacy_redirect_module: answers the legacy URLs of a compiled
 * redirect map (built by redirect-map) with their redirects, and lets
 * every other request through untouched.
 */


#include "ngx_http_legacy_redirect.h"


static ngx_int_t ngx_http_legacy_redirect_add_variables(ngx_conf_t *cf);
static ngx_int_t ngx_http_legacy_redirect_init(ngx_conf_t *cf);
static void *ngx_http_legacy_redirect_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_legacy_redirect_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_legacy_redirect_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);
static char *ngx_http_legacy_redirect_map(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_legacy_redirect_huge_pages(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);


static ngx_conf_enum_t  ngx_http_legacy_redirect_query[] = {
    { ngx_string("keep"), NGX_HTTP_LEGACY_REDIRECT_QUERY_KEEP },
    { ngx_string("drop"), NGX_HTTP_LEGACY_REDIRECT_QUERY_DROP },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_legacy_redirect_huge[] = {
    { ngx_string("off"), NGX_HTTP_LEGACY_REDIRECT_HUGE_OFF },
    { ngx_string("try"), NGX_HTTP_LEGACY_REDIRECT_HUGE_TRY },
    { ngx_string("on"), NGX_HTTP_LEGACY_REDIRECT_HUGE_ON },
    { ngx_null_string, 0 }
};


static ngx_command_t  ngx_http_legacy_redirect_commands[] = {

    { ngx_string("legacy_redirect_map"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_legacy_redirect_map,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("legacy_redirect_debug_header"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_legacy_redirect_loc_conf_t, debug_header),
      NULL },

    { ngx_string("legacy_redirect_status"),
      NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_legacy_redirect_status,
      0,
      0,
      NULL },

    { ngx_string("legacy_redirect_query"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_legacy_redirect_loc_conf_t, query),
      &ngx_http_legacy_redirect_query },

    { ngx_string("legacy_redirect_huge_pages"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_legacy_redirect_huge_pages,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_legacy_redirect_main_conf_t, huge_pages),
      &ngx_http_legacy_redirect_huge },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_legacy_redirect_module_ctx = {
    ngx_http_legacy_redirect_add_variables, /* preconfiguration */
    ngx_http_legacy_redirect_init,         /* postconfiguration */

    ngx_http_legacy_redirect_create_main_conf, /* create main conf */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_legacy_redirect_create_loc_conf, /* create location conf */
    ngx_http_legacy_redirect_merge_loc_conf /* merge location conf */
};


ngx_module_t  ngx_http_legacy_redirect_module = {
    NGX_MODULE_V1,
    &ngx_http_legacy_redirect_module_ctx,  /* module context */
    ngx_http_legacy_redirect_commands,     /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_http_variable_t  ngx_http_legacy_redirect_vars[] = {

    { ngx_string("legacy_redirect_uri"), NULL,
      ngx_http_legacy_redirect_uri_variable, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("legacy_redirect_source"), NULL,
      ngx_http_legacy_redirect_source_variable, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


static ngx_int_t
ngx_http_legacy_redirect_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_legacy_redirect_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_legacy_redirect_init(ngx_conf_t *cf)
{
    ngx_http_handler_pt                   *h;
    ngx_http_core_main_conf_t             *cmcf;
    ngx_http_legacy_redirect_main_conf_t  *lmcf;

    lmcf = ngx_http_conf_get_module_main_conf(cf,
                                              ngx_http_legacy_redirect_module);

    if (lmcf->maps.nelts == 0 && !lmcf->status) {
        return NGX_OK;
    }

    if (ngx_http_legacy_redirect_add_zone(cf, lmcf) != NGX_OK) {
        return NGX_ERROR;
    }

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_REWRITE_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_legacy_redirect_handler;

    return NGX_OK;
}


static void *
ngx_http_legacy_redirect_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_legacy_redirect_main_conf_t  *lmcf;

    lmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_legacy_redirect_main_conf_t));
    if (lmcf == NULL) {
        return NULL;
    }

    if (ngx_array_init(&lmcf->maps, cf->pool, 2,
                       sizeof(ngx_http_legacy_redirect_map_t *))
        != NGX_OK)
    {
        return NULL;
    }

    lmcf->huge_pages = NGX_CONF_UNSET_UINT;

    return lmcf;
}


static void *
ngx_http_legacy_redirect_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_legacy_redirect_loc_conf_t  *lrcf;

    lrcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_legacy_redirect_loc_conf_t));
    if (lrcf == NULL) {
        return NULL;
    }

    lrcf->map = NGX_CONF_UNSET_PTR;
    lrcf->query = NGX_CONF_UNSET_UINT;
    lrcf->debug_header = NGX_CONF_UNSET;

    return lrcf;
}


static char *
ngx_http_legacy_redirect_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child)
{
    ngx_http_legacy_redirect_loc_conf_t  *prev = parent;
    ngx_http_legacy_redirect_loc_conf_t  *conf = child;

    ngx_conf_merge_ptr_value(conf->map, prev->map, NULL);
    ngx_conf_merge_uint_value(conf->query, prev->query,
                              NGX_HTTP_LEGACY_REDIRECT_QUERY_KEEP);
    ngx_conf_merge_value(conf->debug_header, prev->debug_header, 0);

    return NGX_CONF_OK;
}


static char *
ngx_http_legacy_redirect_map(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_legacy_redirect_loc_conf_t  *lrcf = conf;

    ngx_str_t                             *value, name;
    ngx_uint_t                             i, huge;
    ngx_http_legacy_redirect_map_t       **maps;
    ngx_http_legacy_redirect_main_conf_t  *lmcf;

    if (lrcf->map != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        lrcf->map = NULL;
        return NGX_CONF_OK;
    }

    name = value[1];

    if (ngx_conf_full_name(cf->cycle, &name, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    lmcf = ngx_http_conf_get_module_main_conf(cf,
                                              ngx_http_legacy_redirect_module);

    /* a file named in several places is loaded once */

    maps = lmcf->maps.elts;

    for (i = 0; i < lmcf->maps.nelts; i++) {
        if (maps[i]->name.len == name.len
            && ngx_strncmp(maps[i]->name.data, name.data, name.len) == 0)
        {
            lrcf->map = maps[i];
            return NGX_CONF_OK;
        }
    }

    huge = lmcf->huge_pages;

    if (huge == NGX_CONF_UNSET_UINT) {
        huge = NGX_HTTP_LEGACY_REDIRECT_HUGE_OFF;
    }

    lrcf->map = ngx_http_legacy_redirect_load(cf, &name, huge);
    if (lrcf->map == NULL) {
        return NGX_CONF_ERROR;
    }

    /*
     * the same file under another name ("a//b.map", a link) shares the
     * copy already read: one map then, counted once by the status page
     */

    for (i = 0; i < lmcf->maps.nelts; i++) {
        if (lrcf->map->data != NULL && maps[i]->data == lrcf->map->data) {
            lrcf->map = maps[i];
            return NGX_CONF_OK;
        }
    }

    maps = ngx_array_push(&lmcf->maps);
    if (maps == NULL) {
        return NGX_CONF_ERROR;
    }

    lrcf->map->index = lmcf->maps.nelts - 1;
    *maps = lrcf->map;

    return NGX_CONF_OK;
}


/*
 * Maps are copied when their directive is read, so the kind of memory for
 * them has to be known before the first one.
 */
static char *
ngx_http_legacy_redirect_huge_pages(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_legacy_redirect_main_conf_t  *lmcf = conf;

    if (lmcf->maps.nelts) {
        return "must come before the first \"legacy_redirect_map\"";
    }

    return ngx_conf_set_enum_slot(cf, cmd, conf);
}
