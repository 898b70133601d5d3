
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
 * what is served until the next reload.  The file is checksummed as it
 * is read (ngx_http_legacy_redirect_read.c).  "nginx -t" serves nothing,
 * so it makes no copy: it checksums the file as it streams past.
 *
 * With "legacy_redirect_huge_pages", the copy goes into the kernel's pool
 * of huge pages (vm.nr_hugepages): pages that the pool keeps once they
 * are touched, so that a start or a reload does not wait for new memory,
 * and that need far fewer TLB entries for lookups spread over the map.
 */


#include <sys/mman.h>

#include "ngx_http_legacy_redirect.h"


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
    size_t                            mapped;  /* size, rounded to pages */
    ngx_uint_t                        huge;    /* unsigned: 1 */
    lrm_map_t                         map;
};


static ngx_http_legacy_redirect_copy_t  *ngx_http_legacy_redirect_copies;


static void ngx_http_legacy_redirect_release(void *data);



/*
 * How a copy that cannot have huge pages is told: with "on" the
 * configuration fails (emerg); with "try" the copy goes to ordinary
 * memory, and the message says so (notice).
 */
static ngx_uint_t
ngx_http_legacy_redirect_huge_refused(ngx_uint_t huge_pages, char **fallback)
{
    if (huge_pages == NGX_HTTP_LEGACY_REDIRECT_HUGE_ON) {
        *fallback = "";
        return NGX_LOG_EMERG;
    }

    *fallback = "copied to ordinary memory: ";
    return NGX_LOG_NOTICE;
}


#if (NGX_LINUX) && defined(MAP_HUGETLB)

/* the size of the kernel's default huge pages, 0 if it has none */
static size_t
ngx_http_legacy_redirect_huge_page_size(void)
{
    u_char     buf[4096], *p, *last;
    ssize_t    n;
    ngx_fd_t   fd;
    ngx_int_t  kb;

    fd = ngx_open_file("/proc/meminfo", NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        return 0;
    }

    n = ngx_read_fd(fd, buf, sizeof(buf) - 1);
    (void) ngx_close_file(fd);

    if (n <= 0) {
        return 0;
    }

    buf[n] = '\0';

    p = (u_char *) ngx_strstr(buf, "\nHugepagesize:");
    if (p == NULL) {
        return 0;
    }

    for (p += sizeof("\nHugepagesize:") - 1; *p == ' '; p++) {
        /* void */
    }

    for (last = p; *last >= '0' && *last <= '9'; last++) {
        /* void */
    }

    kb = ngx_atoi(p, last - p);

    if (kb <= 0 || ngx_strncmp(last, " kB", 3) != 0
        || (size_t) kb > NGX_MAX_SIZE_T_VALUE / 1024
        || ((size_t) kb & ((size_t) kb - 1)) != 0)
    {
        return 0;
    }

    return (size_t) kb * 1024;
}


/*
 * Memory of the huge page pool for the copy, shared by the workers.  A
 * shared mapping reserves its pages when it is made, so a pool too small
 * fails here, not with a fault later.
 */
static ngx_int_t
ngx_http_legacy_redirect_alloc_huge(ngx_conf_t *cf, ngx_str_t *name,
    ngx_http_legacy_redirect_copy_t *c, ngx_uint_t huge_pages)
{
    char        *fallback;
    size_t       page, len;
    u_char      *buf;
    ngx_uint_t   level;

    level = ngx_http_legacy_redirect_huge_refused(huge_pages, &fallback);

    page = ngx_http_legacy_redirect_huge_page_size();

    if (page == 0) {
        ngx_conf_log_error(level, cf, 0,
                           "legacy_redirect_map \"%V\": %sthe kernel offers "
                           "no huge pages (no \"Hugepagesize\" in "
                           "/proc/meminfo)", name, fallback);
        return NGX_DECLINED;
    }

    len = ngx_align(c->size, page);

    buf = mmap(NULL, len, PROT_READ|PROT_WRITE,
               MAP_SHARED|MAP_ANONYMOUS|MAP_HUGETLB, -1, 0);

    if (buf == MAP_FAILED) {
        ngx_conf_log_error(level, cf, ngx_errno,
                           "legacy_redirect_map \"%V\": %s%uz huge pages of "
                           "%uzk needed (see vm.nr_hugepages), mmap() failed",
                           name, fallback, len / page, page / 1024);
        return NGX_DECLINED;
    }

    c->data = buf;
    c->mapped = len;
    c->huge = 1;

    return NGX_OK;
}

#endif


/* memory for the copy: huge pages if asked for and there, else ordinary */
static ngx_int_t
ngx_http_legacy_redirect_alloc(ngx_conf_t *cf, ngx_str_t *name,
    ngx_http_legacy_redirect_copy_t *c, ngx_uint_t huge_pages)
{
    u_char      *buf;
#if !((NGX_LINUX) && defined(MAP_HUGETLB))
    char        *fallback;
    ngx_uint_t   level;
#endif

    if (huge_pages != NGX_HTTP_LEGACY_REDIRECT_HUGE_OFF) {

#if (NGX_LINUX) && defined(MAP_HUGETLB)

        if (ngx_http_legacy_redirect_alloc_huge(cf, name, c, huge_pages)
            == NGX_OK)
        {
            return NGX_OK;
        }

        if (huge_pages == NGX_HTTP_LEGACY_REDIRECT_HUGE_ON) {
            return NGX_ERROR;
        }

#else

        level = ngx_http_legacy_redirect_huge_refused(huge_pages, &fallback);

        ngx_conf_log_error(level, cf, 0,
                           "legacy_redirect_map \"%V\": %shuge pages are "
                           "not supported on this platform", name, fallback);

        if (huge_pages == NGX_HTTP_LEGACY_REDIRECT_HUGE_ON) {
            return NGX_ERROR;
        }

#endif
    }

    buf = mmap(NULL, c->size, PROT_READ|PROT_WRITE,
               MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);

    if (buf == MAP_FAILED) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "legacy_redirect_map \"%V\": mmap(%uz) failed",
                           name, c->size);
        return NGX_ERROR;
    }

#if (NGX_LINUX) && defined(MADV_HUGEPAGE)
    /* a big map is read and looked up at random: transparent huge pages,
     * where the kernel has them, mean fewer page faults and TLB misses */
    (void) madvise(buf, c->size, MADV_HUGEPAGE);
#endif

    c->data = buf;
    c->mapped = c->size;
    c->huge = 0;

    return NGX_OK;
}


static ngx_int_t
ngx_http_legacy_redirect_copy(ngx_conf_t *cf, ngx_fd_t fd, ngx_str_t *name,
    ngx_http_legacy_redirect_copy_t *c, ngx_uint_t huge_pages, uint64_t *hash)
{
    char        *fallback;
    ngx_int_t    rc;
    ngx_uint_t   level;

    if (ngx_http_legacy_redirect_alloc(cf, name, c, huge_pages) != NGX_OK) {
        return NGX_ERROR;
    }

    rc = ngx_http_legacy_redirect_read(cf, fd, name, c->data, c->size, hash);

    if (rc == NGX_DECLINED && c->huge) {
        munmap(c->data, c->mapped);

        /*
         * mmap() reserved the pages, but they could not be had when they
         * were touched: a hugetlb cgroup limit that counts pages in use
         * and not reservations
         */

        level = ngx_http_legacy_redirect_huge_refused(huge_pages, &fallback);

        ngx_conf_log_error(level, cf, EFAULT,
                           "legacy_redirect_map \"%V\": %shuge pages "
                           "refused when used (a hugetlb cgroup limit?), "
                           ngx_read_fd_n " failed", name, fallback);

        if (huge_pages == NGX_HTTP_LEGACY_REDIRECT_HUGE_ON) {
            return NGX_ERROR;
        }

        if (lseek(fd, 0, SEEK_SET) == -1) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                               "lseek(\"%V\") failed", name);
            return NGX_ERROR;
        }

        return ngx_http_legacy_redirect_copy(cf, fd, name, c,
                                             NGX_HTTP_LEGACY_REDIRECT_HUGE_OFF,
                                             hash);
    }

    if (rc != NGX_OK) {
        if (rc == NGX_DECLINED) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, EFAULT,
                               ngx_read_fd_n " \"%V\" failed", name);
        }

        munmap(c->data, c->mapped);
        return NGX_ERROR;
    }

    /* nothing writes to a map after it is read */

    if (mprotect(c->data, c->mapped, PROT_READ) == -1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "legacy_redirect_map \"%V\": mprotect() failed",
                           name);
        munmap(c->data, c->mapped);
        return NGX_ERROR;
    }

    return NGX_OK;
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
 * What costs nothing (magic, version, size), checked before anything is
 * read: "nginx -s reload|stop|..." reads the configuration only to find
 * the pid file and leaves the full check to the master, and a file that
 * is no map, or not all of one, is refused for what it is before a copy
 * of its whole size is made or read.  The file's offset is left as it is.
 */
static ngx_int_t
ngx_http_legacy_redirect_check_head(ngx_conf_t *cf, ngx_fd_t fd,
    ngx_str_t *name, size_t size)
{
    char     err[256];
    u_char   head[LRM_HEADER_SIZE];
    ssize_t  n;

    n = pread(fd, head, sizeof(head), 0);

    if (n == -1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "pread() \"%V\" failed", name);
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


/*
 * An unchanged file's copy serves again if it is in the memory asked for:
 * "on" wants huge pages, "off" ordinary ones (so that turning huge pages
 * off gives them back to the pool), and "try" takes either.
 */
static ngx_uint_t
ngx_http_legacy_redirect_reusable(ngx_http_legacy_redirect_copy_t *c,
    ngx_file_info_t *fi, ngx_uint_t huge_pages)
{
    if (!ngx_http_legacy_redirect_same_file(&c->fi, fi)) {
        return 0;
    }

    switch (huge_pages) {

    case NGX_HTTP_LEGACY_REDIRECT_HUGE_ON:
        return c->huge;

    case NGX_HTTP_LEGACY_REDIRECT_HUGE_OFF:
        return !c->huge;

    default: /* try */
        return 1;
    }
}


/* a copy of the file: the one already read if unchanged, else a new one */
static ngx_http_legacy_redirect_copy_t *
ngx_http_legacy_redirect_get_copy(ngx_conf_t *cf, ngx_fd_t fd,
    ngx_str_t *name, ngx_file_info_t *fi, size_t size, ngx_uint_t huge_pages)
{
    char                              err[256];
    uint64_t                          hash;
    ngx_int_t                         rc;
    ngx_file_info_t                   now;
    ngx_http_legacy_redirect_copy_t  *c;

    for (c = ngx_http_legacy_redirect_copies; c; c = c->next) {
        if (ngx_http_legacy_redirect_reusable(c, fi, huge_pages)) {
            c->refs++;

            ngx_log_debug1(NGX_LOG_DEBUG_HTTP, cf->log, 0,
                           "legacy_redirect_map \"%V\": unchanged, reusing "
                           "the copy already read", name);
            return c;
        }
    }

    if (ngx_http_legacy_redirect_check_head(cf, fd, name, size) != NGX_OK) {
        return NULL;
    }

    c = ngx_calloc(sizeof(ngx_http_legacy_redirect_copy_t), cf->log);
    if (c == NULL) {
        return NULL;
    }

    c->size = size;

    if (ngx_test_config) {
        c->data = ngx_http_legacy_redirect_check_only(cf, fd, name, size,
                                                      &hash);
        c->mapped = size;
        rc = (c->data == NULL) ? NGX_ERROR : NGX_OK;

    } else {
        rc = ngx_http_legacy_redirect_copy(cf, fd, name, c, huge_pages,
                                           &hash);
    }

    if (rc != NGX_OK) {
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
        munmap(c->data, c->mapped);
        ngx_free(c);
        return NULL;
    }

    if (lrm_open_hashed(&c->map, c->data, size, hash, err, sizeof(err))
        != LRM_OK)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "legacy_redirect_map \"%V\": %s", name, err);
        munmap(c->data, c->mapped);
        ngx_free(c);
        return NULL;
    }

    c->fi = *fi;
    c->refs = 1;
    c->next = ngx_http_legacy_redirect_copies;
    ngx_http_legacy_redirect_copies = c;

    return c;
}


ngx_http_legacy_redirect_map_t *
ngx_http_legacy_redirect_load(ngx_conf_t *cf, ngx_str_t *name,
    ngx_uint_t huge_pages)
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

    c = ngx_http_legacy_redirect_get_copy(cf, fd, name, &fi, size,
                                          huge_pages);
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
    m->huge = c->huge;
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

    munmap(c->data, c->mapped);
    ngx_free(c);
}
