
/*
 * Copyright (C) the legacy_redirect authors
 *
 * Loading a map file when the configuration is read.
 *
 * The file is copied into an anonymous read-only mapping made by the
 * master process; workers inherit it on fork and share its pages, so a
 * map costs its size once, whatever the number of workers.  Copying
 * (rather than mapping the file) means that truncating or overwriting
 * the file in place later cannot fault a worker: what was validated is
 * what is served until the next reload.
 */


#include <sys/mman.h>

#include "ngx_http_legacy_redirect.h"


static void ngx_http_legacy_redirect_unmap(void *data);


static ngx_int_t
ngx_http_legacy_redirect_read(ngx_conf_t *cf, ngx_fd_t fd, ngx_str_t *name,
    u_char *buf, size_t size)
{
    size_t   done;
    ssize_t  n;

    for (done = 0; done < size; done += n) {
        n = ngx_read_fd(fd, buf + done, size - done);

        if (n == -1) {
            if (ngx_errno == NGX_EINTR) {
                n = 0;
                continue;
            }

            ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                               ngx_read_fd_n " \"%V\" failed", name);
            return NGX_ERROR;
        }

        if (n == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "legacy_redirect_map \"%V\": file shrank "
                               "while it was read", name);
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static u_char *
ngx_http_legacy_redirect_copy(ngx_conf_t *cf, ngx_fd_t fd, ngx_str_t *name,
    size_t size)
{
    u_char  *buf;

    buf = mmap(NULL, size, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS,
               -1, 0);

    if (buf == MAP_FAILED) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "legacy_redirect_map \"%V\": mmap(%uz) failed",
                           name, size);
        return NULL;
    }

#if (NGX_LINUX) && defined(MADV_HUGEPAGE)
    /* a big map is read and looked up at random: 2 MB pages mean far
     * fewer page faults while reading it and fewer TLB misses later */
    (void) madvise(buf, size, MADV_HUGEPAGE);
#endif

    if (ngx_http_legacy_redirect_read(cf, fd, name, buf, size) != NGX_OK) {
        munmap(buf, size);
        return NULL;
    }

    /* nothing writes to a map after it is read */

    if (mprotect(buf, size, PROT_READ) == -1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "legacy_redirect_map \"%V\": mprotect() failed",
                           name);
        munmap(buf, size);
        return NULL;
    }

    return buf;
}


ngx_http_legacy_redirect_map_t *
ngx_http_legacy_redirect_load(ngx_conf_t *cf, ngx_str_t *name)
{
    char                             err[256];
    size_t                           size;
    ngx_fd_t                         fd;
    ngx_file_info_t                  fi;
    ngx_pool_cleanup_t              *cln;
    ngx_http_legacy_redirect_map_t  *m;

    m = ngx_pcalloc(cf->pool, sizeof(ngx_http_legacy_redirect_map_t));
    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (m == NULL || cln == NULL) {
        return NULL;
    }

    m->name = *name;

    fd = ngx_open_file(name->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%V\" failed", name);
        return NULL;
    }

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_fd_info_n " \"%V\" failed", name);
        goto failed;
    }

    if (!ngx_is_file(&fi)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "legacy_redirect_map \"%V\" is not a file", name);
        goto failed;
    }

    if ((uint64_t) ngx_file_size(&fi) > (uint64_t) NGX_MAX_SIZE_T_VALUE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "legacy_redirect_map \"%V\": too big for this "
                           "platform", name);
        goto failed;
    }

    size = (size_t) ngx_file_size(&fi);

    if (size == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "legacy_redirect_map \"%V\": empty file", name);
        goto failed;
    }

    m->data = ngx_http_legacy_redirect_copy(cf, fd, name, size);
    if (m->data == NULL) {
        goto failed;
    }

    m->size = size;
    cln->handler = ngx_http_legacy_redirect_unmap;
    cln->data = m;

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_ALERT, cf, ngx_errno,
                           ngx_close_file_n " \"%V\" failed", name);
    }

    if (lrm_open(&m->map, m->data, m->size, err, sizeof(err)) != LRM_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "legacy_redirect_map \"%V\": %s", name, err);
        return NULL;
    }

    m->norm_flags = (m->map.flags & LRM_F_CASELESS) ? LRM_NORM_CASELESS : 0;

    if (ngx_http_legacy_redirect_compile_rules(cf, m) != NGX_OK) {
        return NULL;
    }

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, cf->log, 0,
                   "legacy_redirect_map \"%V\": %uL entries, %ui rules, "
                   "%uz bytes", name, (uint64_t) m->map.entries, m->nrules,
                   m->size);

    return m;

failed:

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_ALERT, cf, ngx_errno,
                           ngx_close_file_n " \"%V\" failed", name);
    }

    return NULL;
}


static void
ngx_http_legacy_redirect_unmap(void *data)
{
    ngx_http_legacy_redirect_map_t  *m = data;

    if (m->data) {
        munmap(m->data, m->size);
        m->data = NULL;
    }
}
