
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
 * what is served until the next reload.  Each piece read is checksummed
 * at once, while it is still in the CPU's cache.  "nginx -t" serves
 * nothing, so it makes no copy: it checksums the file as it streams past.
 */


#include <sys/mman.h>

#include "ngx_http_legacy_redirect.h"


/* the file is read and checksummed in pieces that stay in the L2 cache */
#define NGX_HTTP_LEGACY_REDIRECT_CHUNK  (256 * 1024)


/*
 * A validated copy of a map file.  Configurations that name the same,
 * unchanged file share one copy: a reload does not read and checksum an
 * unchanged map again.  The list lives in the master for as long as some
 * configuration uses a copy.
 */
typedef struct ngx_http_legacy_redirect_copy_s
    ngx_http_legacy_redirect_copy_t;

struct ngx_http_legacy_redirect_copy_s {
    ngx_http_legacy_redirect_copy_t  *next;
    ngx_uint_t                        refs;
    ngx_file_info_t                   fi;      /* identity when read */
    u_char                           *data;
    size_t                            size;
    lrm_map_t                         map;
};


static ngx_http_legacy_redirect_copy_t  *ngx_http_legacy_redirect_copies;


static void ngx_http_legacy_redirect_release(void *data);



/*
 * Reads the whole file into buf, or through a small buffer when buf is
 * NULL, and computes the map's checksum (XXH64 of all but the last 8
 * bytes) on the way, each piece while it is still in the CPU's cache.
 */
static ngx_int_t
ngx_http_legacy_redirect_read(ngx_conf_t *cf, ngx_fd_t fd, ngx_str_t *name,
    u_char *buf, size_t size, uint64_t *hash)
{
    u_char            *p, *scratch;
    size_t             done, want, body;
    ssize_t            n;
    ngx_int_t          rc;
    lrm_hash_state_t   st;

    scratch = NULL;

    if (buf == NULL) {
        scratch = ngx_alloc(NGX_HTTP_LEGACY_REDIRECT_CHUNK, cf->log);
        if (scratch == NULL) {
            return NGX_ERROR;
        }
    }

    lrm_hash_init(&st);
    body = size > LRM_TRAILER_SIZE ? size - LRM_TRAILER_SIZE : 0;
    rc = NGX_ERROR;

    for (done = 0; done < size; done += n) {
        want = ngx_min(size - done, NGX_HTTP_LEGACY_REDIRECT_CHUNK);
        p = scratch ? scratch : buf + done;

        n = ngx_read_fd(fd, p, want);

        if (n == -1) {
            if (ngx_errno == NGX_EINTR) {
                n = 0;
                continue;
            }

            ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                               ngx_read_fd_n " \"%V\" failed", name);
            goto done;
        }

        if (n == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "legacy_redirect_map \"%V\": file shrank "
                               "while it was read", name);
            goto done;
        }

        if (done < body) {
            lrm_hash_update(&st, p, ngx_min((size_t) n, body - done));
        }
    }

    *hash = lrm_hash_final(&st);
    rc = NGX_OK;

done:

    if (scratch) {
        ngx_free(scratch);
    }

    return rc;
}


static u_char *
ngx_http_legacy_redirect_copy(ngx_conf_t *cf, ngx_fd_t fd, ngx_str_t *name,
    size_t size, uint64_t *hash)
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

    if (ngx_http_legacy_redirect_read(cf, fd, name, buf, size, hash)
        != NGX_OK)
    {
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


/*
 * "nginx -t" serves nothing: it checks the file as it streams past and
 * then maps the file itself for the rules, instead of copying it all.
 * The caller makes sure that the file did not change in between.
 */
static u_char *
ngx_http_legacy_redirect_check_only(ngx_conf_t *cf, ngx_fd_t fd,
    ngx_str_t *name, size_t size, uint64_t *hash)
{
    u_char  *buf;

    if (ngx_http_legacy_redirect_read(cf, fd, name, NULL, size, hash)
        != NGX_OK)
    {
        return NULL;
    }

    buf = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);

    if (buf == MAP_FAILED) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "legacy_redirect_map \"%V\": mmap(%uz) failed",
                           name, size);
        return NULL;
    }

    return buf;
}


/* same file, not changed since it was read (rename gives a new inode) */
static ngx_uint_t
ngx_http_legacy_redirect_same_file(ngx_file_info_t *a, ngx_file_info_t *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino
           && a->st_size == b->st_size
#if (NGX_LINUX)
           && a->st_mtim.tv_sec == b->st_mtim.tv_sec
           && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec
           && a->st_ctim.tv_sec == b->st_ctim.tv_sec
           && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
#else
           && a->st_mtime == b->st_mtime && a->st_ctime == b->st_ctime;
#endif
}


/*
 * "nginx -s reload|stop|..." reads the configuration only to find the
 * pid file: check what costs nothing (magic, version, size) and leave the
 * full check to the master, which refuses a damaged map and keeps the
 * running configuration.
 */
static ngx_int_t
ngx_http_legacy_redirect_check_head(ngx_conf_t *cf, ngx_fd_t fd,
    ngx_str_t *name, size_t size)
{
    char     err[256];
    u_char   head[LRM_HEADER_SIZE];
    ssize_t  n;

    n = ngx_read_fd(fd, head, sizeof(head));

    if (n == -1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_read_fd_n " \"%V\" failed", name);
        return NGX_ERROR;
    }

    if (lrm_check_header(head, (size_t) n, size, err, sizeof(err))
        != LRM_OK)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "legacy_redirect_map \"%V\": %s", name, err);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* a copy of the file: the one already read if unchanged, else a new one */
static ngx_http_legacy_redirect_copy_t *
ngx_http_legacy_redirect_get_copy(ngx_conf_t *cf, ngx_fd_t fd,
    ngx_str_t *name, ngx_file_info_t *fi, size_t size)
{
    char                              err[256];
    uint64_t                          hash;
    ngx_file_info_t                   now;
    ngx_http_legacy_redirect_copy_t  *c;

    for (c = ngx_http_legacy_redirect_copies; c; c = c->next) {
        if (ngx_http_legacy_redirect_same_file(&c->fi, fi)) {
            c->refs++;

            ngx_log_debug1(NGX_LOG_DEBUG_HTTP, cf->log, 0,
                           "legacy_redirect_map \"%V\": unchanged, reusing "
                           "the copy already read", name);
            return c;
        }
    }

    c = ngx_alloc(sizeof(ngx_http_legacy_redirect_copy_t), cf->log);
    if (c == NULL) {
        return NULL;
    }

    if (ngx_test_config) {
        c->data = ngx_http_legacy_redirect_check_only(cf, fd, name, size,
                                                      &hash);
    } else {
        c->data = ngx_http_legacy_redirect_copy(cf, fd, name, size, &hash);
    }

    if (c->data == NULL) {
        ngx_free(c);
        return NULL;
    }

    if (ngx_test_config
        && (ngx_fd_info(fd, &now) == NGX_FILE_ERROR
            || !ngx_http_legacy_redirect_same_file(fi, &now)))
    {
        /* what was checksummed may not be what is mapped */
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "legacy_redirect_map \"%V\": file changed while "
                           "it was read", name);
        munmap(c->data, size);
        ngx_free(c);
        return NULL;
    }

    if (lrm_open_hashed(&c->map, c->data, size, hash, err, sizeof(err))
        != LRM_OK)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "legacy_redirect_map \"%V\": %s", name, err);
        munmap(c->data, size);
        ngx_free(c);
        return NULL;
    }

    c->size = size;
    c->fi = *fi;
    c->refs = 1;
    c->next = ngx_http_legacy_redirect_copies;
    ngx_http_legacy_redirect_copies = c;

    return c;
}


ngx_http_legacy_redirect_map_t *
ngx_http_legacy_redirect_load(ngx_conf_t *cf, ngx_str_t *name)
{
    size_t                            size;
    ngx_fd_t                          fd;
    ngx_file_info_t                   fi;
    ngx_pool_cleanup_t               *cln;
    ngx_http_legacy_redirect_map_t   *m;
    ngx_http_legacy_redirect_copy_t  *c;

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

    if (ngx_process == NGX_PROCESS_SIGNALLER) {
        if (ngx_http_legacy_redirect_check_head(cf, fd, name, size)
            != NGX_OK)
        {
            goto failed;
        }

        (void) ngx_close_file(fd);
        return m;
    }

    c = ngx_http_legacy_redirect_get_copy(cf, fd, name, &fi, size);
    if (c == NULL) {
        goto failed;
    }

    cln->handler = ngx_http_legacy_redirect_release;
    cln->data = c;

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_ALERT, cf, ngx_errno,
                           ngx_close_file_n " \"%V\" failed", name);
    }

    m->data = c->data;
    m->size = c->size;
    m->map = c->map;
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


/* the configuration that used a copy is gone: the last one unmaps it */
static void
ngx_http_legacy_redirect_release(void *data)
{
    ngx_http_legacy_redirect_copy_t  *c = data;

    ngx_http_legacy_redirect_copy_t  **pp;

    if (--c->refs) {
        return;
    }

    for (pp = &ngx_http_legacy_redirect_copies; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }

    munmap(c->data, c->size);
    ngx_free(c);
}
