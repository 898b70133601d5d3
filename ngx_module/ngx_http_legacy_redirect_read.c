
/*
 * Copyright (C) the legacy_redirect authors
 *
 * Reading a map file and computing its checksum (XXH64 of all but the
 * last 8 bytes) on the way.
 *
 * A small map is read in one pass that checksums each piece while it is
 * still in the CPU's cache: into the copy that will serve, or through a
 * small buffer for "nginx -t".  A big map is read by a helper thread
 * while this one checksums the pieces already read, so that a start, a
 * reload or "nginx -t" costs about the reading alone: into the copy, or
 * into a ring of pieces that the helper fills no further than a whole
 * ring ahead of the checksum.  The helper lives only while the file is
 * read: it is joined before anything else runs.
 *
 * Once a piece is in the copy, the kernel is told that the file's pages
 * for it will not be needed again (POSIX_FADV_DONTNEED).  The copy then
 * takes the place of the file's cached pages instead of adding to them,
 * and the next pieces are read into the memory just freed.  Such memory
 * is cheaper to take than memory long free, and much cheaper on a virtual
 * machine that gives free memory back to its host: there, reading a
 * 1 GB map into memory never used before costs seconds.  "nginx -t"
 * keeps nothing, so it leaves the cache alone for the start or reload
 * that follows it.
 */


#include <pthread.h>
#include <signal.h>

#include "ngx_http_legacy_redirect.h"


/* pieces for one thread stay in the L2 cache */
#define NGX_HTTP_LEGACY_REDIRECT_CHUNK      (256 * 1024)

/*
 * pieces handed from the reading thread to the checksumming one: read
 * into the copy, or into a ring of eight (smaller pieces cost more in
 * handing over than they save)
 */
#define NGX_HTTP_LEGACY_REDIRECT_PIECE      (2 * 1024 * 1024)
#define NGX_HTTP_LEGACY_REDIRECT_RING_PIECE (512 * 1024)
#define NGX_HTTP_LEGACY_REDIRECT_RING                                        \
    (8 * NGX_HTTP_LEGACY_REDIRECT_RING_PIECE)

/* below this, a second thread costs more than it saves */
#define NGX_HTTP_LEGACY_REDIRECT_THREADED   (16 * 1024 * 1024)


typedef struct {
    ngx_fd_t                          fd;
    u_char                           *buf;     /* the copy, or NULL */
    u_char                           *ring;    /* or pieces reused */
    size_t                            size;
    size_t                            piece;

    pthread_mutex_t                   mutex;
    pthread_cond_t                    cond;    /* either thread may wait */
    size_t                            done;    /* bytes read so far */
    size_t                            hashed;  /* bytes checksummed */
    ngx_err_t                         err;     /* a read() failed */
    ngx_uint_t                        stopped; /* unsigned: 1 */
} ngx_http_legacy_redirect_pipe_t;


static ngx_int_t ngx_http_legacy_redirect_read_serial(ngx_conf_t *cf,
    ngx_fd_t fd, ngx_str_t *name, u_char *buf, size_t size, uint64_t *hash);
static ngx_int_t ngx_http_legacy_redirect_read_threaded(ngx_conf_t *cf,
    ngx_fd_t fd, ngx_str_t *name, u_char *buf, size_t size, uint64_t *hash);
static void *ngx_http_legacy_redirect_reader(void *data);
static void ngx_http_legacy_redirect_hash_range(lrm_hash_state_t *st,
    ngx_http_legacy_redirect_pipe_t *rp, size_t from, size_t to);
static ngx_int_t ngx_http_legacy_redirect_read_failed(ngx_conf_t *cf,
    ngx_str_t *name, ngx_err_t err);
static void ngx_http_legacy_redirect_uncache(ngx_fd_t fd, size_t offset,
    size_t size);


/*
 * Reads the whole file into buf, or only through buffers of its own when
 * buf is NULL, and returns its checksum in hash.  NGX_DECLINED, with
 * nothing logged: writing to buf failed (EFAULT), which happens when buf
 * is huge pages that a hugetlb cgroup limit does not let the process
 * have.  NGX_ERROR: logged.
 */
ngx_int_t
ngx_http_legacy_redirect_read(ngx_conf_t *cf, ngx_fd_t fd, ngx_str_t *name,
    u_char *buf, size_t size, uint64_t *hash)
{
    ngx_int_t  rc;

    if (size >= NGX_HTTP_LEGACY_REDIRECT_THREADED) {
        rc = ngx_http_legacy_redirect_read_threaded(cf, fd, name, buf, size,
                                                    hash);
        if (rc != NGX_AGAIN) {
            return rc;
        }
    }

    return ngx_http_legacy_redirect_read_serial(cf, fd, name, buf, size,
                                                hash);
}


static ngx_int_t
ngx_http_legacy_redirect_read_serial(ngx_conf_t *cf, ngx_fd_t fd,
    ngx_str_t *name, u_char *buf, size_t size, uint64_t *hash)
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

            rc = ngx_http_legacy_redirect_read_failed(cf, name, ngx_errno);
            goto done;
        }

        if (n == 0) {
            rc = ngx_http_legacy_redirect_read_failed(cf, name, 0);
            goto done;
        }

        if (done < body) {
            lrm_hash_update(&st, p, ngx_min((size_t) n, body - done));
        }

        if (scratch == NULL) {
            ngx_http_legacy_redirect_uncache(fd, done, n);
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


/*
 * A helper thread reads; this one checksums what it has read, a piece
 * behind.  NGX_AGAIN: no thread (or no ring) could be had, nothing was
 * read, read it serially; otherwise as ngx_http_legacy_redirect_read().
 */
static ngx_int_t
ngx_http_legacy_redirect_read_threaded(ngx_conf_t *cf, ngx_fd_t fd,
    ngx_str_t *name, u_char *buf, size_t size, uint64_t *hash)
{
    int                               err;
    size_t                            hashed, ready;
    sigset_t                          all, old;
    pthread_t                         tid;
    ngx_err_t                         read_err;
    ngx_uint_t                        stopped;
    lrm_hash_state_t                  st;
    ngx_http_legacy_redirect_pipe_t   rp;

    rp.fd = fd;
    rp.buf = buf;
    rp.ring = NULL;
    rp.size = size;
    rp.piece = NGX_HTTP_LEGACY_REDIRECT_PIECE;
    rp.done = 0;
    rp.hashed = 0;
    rp.err = 0;
    rp.stopped = 0;

    if (buf == NULL) {
        rp.ring = ngx_alloc(NGX_HTTP_LEGACY_REDIRECT_RING, cf->log);
        if (rp.ring == NULL) {
            return NGX_AGAIN;
        }

        rp.piece = NGX_HTTP_LEGACY_REDIRECT_RING_PIECE;
    }

    if (pthread_mutex_init(&rp.mutex, NULL) != 0) {
        goto serial;
    }

    if (pthread_cond_init(&rp.cond, NULL) != 0) {
        (void) pthread_mutex_destroy(&rp.mutex);
        goto serial;
    }

    /* signals are for nginx's own thread, never for the helper */

    (void) sigfillset(&all);
    (void) pthread_sigmask(SIG_SETMASK, &all, &old);

    err = pthread_create(&tid, NULL, ngx_http_legacy_redirect_reader, &rp);

    (void) pthread_sigmask(SIG_SETMASK, &old, NULL);

    if (err != 0) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, cf->log, err,
                       "legacy_redirect_map \"%V\": no reading thread, "
                       "reading serially", name);
        (void) pthread_cond_destroy(&rp.cond);
        (void) pthread_mutex_destroy(&rp.mutex);
        goto serial;
    }

    lrm_hash_init(&st);
    hashed = 0;

    for ( ;; ) {
        (void) pthread_mutex_lock(&rp.mutex);

        /* what is checksummed may be read over (ring) */
        rp.hashed = hashed;
        (void) pthread_cond_signal(&rp.cond);

        while (rp.done == hashed && !rp.stopped) {
            (void) pthread_cond_wait(&rp.cond, &rp.mutex);
        }

        ready = rp.done;
        stopped = rp.stopped;

        (void) pthread_mutex_unlock(&rp.mutex);

        ngx_http_legacy_redirect_hash_range(&st, &rp, hashed, ready);
        hashed = ready;

        if (stopped) {
            break;
        }
    }

    (void) pthread_join(tid, NULL);
    (void) pthread_cond_destroy(&rp.cond);
    (void) pthread_mutex_destroy(&rp.mutex);

    if (rp.ring) {
        ngx_free(rp.ring);
    }

    read_err = rp.err;

    if (hashed < size) {
        return ngx_http_legacy_redirect_read_failed(cf, name, read_err);
    }

    *hash = lrm_hash_final(&st);

    return NGX_OK;

serial:

    if (rp.ring) {
        ngx_free(rp.ring);
    }

    return NGX_AGAIN;
}


/* the checksum of bytes [from, to) of the file, all but the trailer */
static void
ngx_http_legacy_redirect_hash_range(lrm_hash_state_t *st,
    ngx_http_legacy_redirect_pipe_t *rp, size_t from, size_t to)
{
    size_t  n, off;

    to = ngx_min(to, rp->size - LRM_TRAILER_SIZE);

    while (from < to) {

        if (rp->ring) {
            off = from % NGX_HTTP_LEGACY_REDIRECT_RING;
            n = ngx_min(to - from, NGX_HTTP_LEGACY_REDIRECT_RING - off);
            lrm_hash_update(st, rp->ring + off, n);

        } else {
            n = to - from;
            lrm_hash_update(st, rp->buf + from, n);
        }

        from += n;
    }
}


static void *
ngx_http_legacy_redirect_reader(void *data)
{
    ngx_http_legacy_redirect_pipe_t  *rp = data;

    u_char    *p;
    size_t     done, want;
    ssize_t    n;
    ngx_err_t  err;

    err = 0;

    for (done = 0; done < rp->size; done += n) {

        /* pieces never straddle the end of the ring */
        want = ngx_min(rp->size - done, rp->piece - done % rp->piece);

        if (rp->ring) {
            (void) pthread_mutex_lock(&rp->mutex);

            while (done + want - rp->hashed > NGX_HTTP_LEGACY_REDIRECT_RING) {
                (void) pthread_cond_wait(&rp->cond, &rp->mutex);
            }

            (void) pthread_mutex_unlock(&rp->mutex);

            p = rp->ring + done % NGX_HTTP_LEGACY_REDIRECT_RING;

        } else {
            p = rp->buf + done;
        }

        n = ngx_read_fd(rp->fd, p, want);

        if (n == -1) {
            err = ngx_errno;

            if (err == NGX_EINTR) {
                err = 0;
                n = 0;
                continue;
            }

            break;
        }

        if (n == 0) {
            break;              /* the file shrank */
        }

        if (rp->ring == NULL) {
            ngx_http_legacy_redirect_uncache(rp->fd, done, n);
        }

        (void) pthread_mutex_lock(&rp->mutex);
        rp->done = done + n;
        (void) pthread_cond_signal(&rp->cond);
        (void) pthread_mutex_unlock(&rp->mutex);
    }

    (void) pthread_mutex_lock(&rp->mutex);
    rp->err = (done < rp->size) ? err : 0;
    rp->stopped = 1;
    (void) pthread_cond_signal(&rp->cond);
    (void) pthread_mutex_unlock(&rp->mutex);

    return NULL;
}


/*
 * err 0: the file ended before the size it had when it was opened;
 * EFAULT: the memory read into could not be had, the caller says why
 */
static ngx_int_t
ngx_http_legacy_redirect_read_failed(ngx_conf_t *cf, ngx_str_t *name,
    ngx_err_t err)
{
    if (err == EFAULT) {
        return NGX_DECLINED;
    }

    if (err) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, err,
                           ngx_read_fd_n " \"%V\" failed", name);

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "legacy_redirect_map \"%V\": file shrank "
                           "while it was read", name);
    }

    return NGX_ERROR;
}


/* the file's cached pages for bytes [offset, offset + size) may go */
static void
ngx_http_legacy_redirect_uncache(ngx_fd_t fd, size_t offset, size_t size)
{
#ifdef POSIX_FADV_DONTNEED

    /* advice only: pages still dirty or mapped elsewhere stay */
    (void) posix_fadvise(fd, (off_t) offset, (off_t) size,
                         POSIX_FADV_DONTNEED);

#endif
}
