/*
 * posts.c - finding posts and reading the redirects their front matter
 * asks for, see posts.h.
 */

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frontmatter.h"
#include "posts.h"
#include "template.h"
#include "walk.h"

#define DEFAULT_KEY     "legacyUrl"
#define DEFAULT_TARGET  "/{year}/{month}/{slug}"

#define THREADS_MAX        8

/* A legacy URL of the post being read, before it becomes an item. */
typedef struct {
    const char  *text;
    size_t       len;
    unsigned     line;
    unsigned     column;
} legacy_t;

typedef struct {
    legacy_t  *items;
    size_t     count;
    size_t     capacity;
} legacy_list_t;

/* What a post gave: a legacy URL at an offset in its job's text. */
typedef struct {
    size_t     legacy;
    unsigned   line;
    unsigned   column;
} job_item_t;

/*
 * One post to read, and what reading it gave.  A job lives in a slot of
 * a ring that is reused once the job is merged; its buffers (path,
 * items, text) are kept from one job to the next, so a post costs no
 * allocation of its own.
 */
typedef struct {
    walk_dir_t        *dir;         /* held until the job is merged */
    int                dirfd;       /* its descriptor, or AT_FDCWD */
    char              *path;        /* "DIR/name.md" */
    size_t             path_cap;
    size_t             name_off;    /* the name in dir: path + name_off */
    size_t             rel_off;     /* path + rel_off: in its root */
    diag_capture_t     before;      /* the walk's messages before it */
    diag_capture_t     messages;    /* reading it */
    job_item_t        *items;
    size_t             nitems;
    size_t             items_cap;
    char              *text;        /* the target, then the legacy URLs */
    size_t             text_len;
    size_t             text_cap;
    int                unpublished;
    unsigned char      read;        /* counts: 0 or 1 */
    unsigned char      skipped;
    unsigned char      ignored;
    int                rc;
    atomic_int         done;
} __attribute__((aligned(64))) job_t;   /* no line shared by two jobs */

/* What a thread reading posts keeps from one post to the next. */
typedef struct {
    frontmatter_buf_t  head;
    legacy_list_t      legacy;
} reader_t;

typedef struct {
    char          *key_text;        /* the keys, split at their commas */
    const char    *keys[POSTS_MAX_KEYS];
    size_t         nkeys;
    template_t     template;
    int            template_ok;     /* an invalid one is reported once */
} collector_t;


static int
out_of_memory(diag_t *diag)
{
    diag_error(diag, NULL, 0, 0, "out of memory");
    return -1;
}

static int
is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static int
legacy_add(legacy_list_t *list, const char *text, size_t len,
    const yaml_node_t *node)
{
    legacy_t  *grown;
    size_t     capacity;

    if (list->count == list->capacity) {
        capacity = list->capacity ? list->capacity * 2 : 4;
        grown = realloc(list->items, capacity * sizeof(legacy_t));
        if (grown == NULL) {
            return -1;
        }
        list->items = grown;
        list->capacity = capacity;
    }

    list->items[list->count].text = text;
    list->items[list->count].len = len;
    list->items[list->count].line = frontmatter_line(node);
    list->items[list->count].column = frontmatter_column(node);
    list->count++;
    return 0;
}

/*
 * Takes one scalar: null or blank means nothing, otherwise its text
 * without surrounding blanks.  Returns 0, -1 on a value that cannot be a
 * URL (reported), -2 when out of memory.
 */
static int
take_legacy_scalar(const char *key, const frontmatter_t *fm,
    const yaml_node_t *node, legacy_list_t *list, diag_t *diag)
{
    const char  *text;
    size_t       len;

    if (frontmatter_is_null(node)) {
        return 0;
    }

    text = frontmatter_text(node, &len);
    while (len > 0 && is_space(text[len - 1])) {
        len--;
    }
    while (len > 0 && is_space(text[0])) {
        text++;
        len--;
    }
    if (len == 0) {
        return 0;
    }

    /* the URL is checked by the caller, but it gets a C string: a NUL
     * (written "\0" in a quoted scalar) would cut it short unseen */
    if (memchr(text, '\0', len) != NULL) {
        diag_error(diag, fm->file, frontmatter_line(node),
                   frontmatter_column(node), "%s contains a NUL character",
                   key);
        return -1;
    }

    return legacy_add(list, text, len, node) == 0 ? 0 : -2;
}

/*
 * The legacy URLs of one field: one scalar or a sequence of scalars.
 * Returns 0 (the list may be empty), -1 on an invalid value (reported),
 * -2 when out of memory.
 */
static int
find_legacy_urls_in(const char *key, const frontmatter_t *fm,
    legacy_list_t *list, diag_t *diag)
{
    yaml_node_t  *node, *item;
    size_t        i, n;
    int           rc, failed = 0;

    node = frontmatter_field(fm, key);
    if (node == NULL) {
        return 0;
    }

    if (node->type == YAML_SCALAR_NODE) {
        return take_legacy_scalar(key, fm, node, list, diag);
    }

    if (node->type != YAML_SEQUENCE_NODE) {
        diag_error(diag, fm->file, frontmatter_line(node),
                   frontmatter_column(node), "%s is %s, not a URL or a "
                   "list of URLs", key, frontmatter_kind(node));
        return -1;
    }

    n = (size_t) (node->data.sequence.items.top
                  - node->data.sequence.items.start);

    for (i = 0; i < n; i++) {
        item = frontmatter_item(fm, node, i);

        if (item->type != YAML_SCALAR_NODE) {
            diag_error(diag, fm->file, frontmatter_line(item),
                       frontmatter_column(item), "item %zu of %s is %s, "
                       "not a URL", i + 1, key, frontmatter_kind(item));
            failed = 1;
            continue;
        }

        rc = take_legacy_scalar(key, fm, item, list, diag);
        if (rc == -2) {
            return -2;
        }
        if (rc != 0) {
            failed = 1;
        }
    }

    return failed ? -1 : 0;
}

/* The legacy URLs of a post, from each of its keys' fields in turn. */
static int
find_legacy_urls(const collector_t *c, const frontmatter_t *fm,
    legacy_list_t *list, diag_t *diag)
{
    size_t  i;
    int     rc, failed = 0;

    for (i = 0; i < c->nkeys; i++) {
        rc = find_legacy_urls_in(c->keys[i], fm, list, diag);
        if (rc == -2) {
            return -2;
        }
        if (rc != 0) {
            failed = 1;
        }
    }

    return failed ? -1 : 0;
}

/*
 * Whether the post is unpublished: "published" false or "draft" true.
 * Returns 1 or 0, or -1 when one of them is neither a boolean nor null
 * (reported: guessing could publish a draft).
 */
static int
is_unpublished(const frontmatter_t *fm, diag_t *diag)
{
    static const char *const  names[] = { "published", "draft" };
    yaml_node_t              *node;
    size_t                    i;
    int                       value, unpublished = 0;
    char                      shown[80];

    for (i = 0; i < 2; i++) {
        node = frontmatter_field(fm, names[i]);
        if (node == NULL || frontmatter_is_null(node)) {
            continue;
        }

        value = frontmatter_bool(node);
        if (value < 0 && node->type == YAML_SCALAR_NODE) {
            diag_error(diag, fm->file, frontmatter_line(node),
                       frontmatter_column(node), "%s is \"%s\", not "
                       "true or false", names[i],
                       diag_printable((const char *) node->data.scalar.value,
                                      node->data.scalar.length, shown,
                                      sizeof(shown)));
            return -1;
        }

        if (value < 0) {
            diag_error(diag, fm->file, frontmatter_line(node),
                       frontmatter_column(node), "%s is %s, not true or "
                       "false", names[i], frontmatter_kind(node));
            return -1;
        }

        if (value == (int) i) {
            unpublished = 1;
        }
    }

    return unpublished;
}

/* Appends len bytes and a NUL to the job's text; returns the offset, or
 * (size_t) -1 when out of memory. */
static size_t
job_text_add(job_t *job, const char *s, size_t len)
{
    size_t   off = job->text_len, cap;
    char    *grown;

    if (job->text_cap - job->text_len < len + 1) {
        cap = job->text_cap ? job->text_cap : 256;
        while (cap - job->text_len < len + 1) {
            cap *= 2;
        }
        grown = realloc(job->text, cap);
        if (grown == NULL) {
            return (size_t) -1;
        }
        job->text = grown;
        job->text_cap = cap;
    }

    memcpy(job->text + off, s, len);
    job->text[off + len] = '\0';
    job->text_len += len + 1;
    return off;
}

/* The post's items into the job: its target at offset 0, then one item
 * per legacy URL.  Returns 0, -1 when out of memory. */
static int
job_set_items(job_t *job, const legacy_list_t *legacy, const char *target)
{
    job_item_t  *grown;
    size_t       i, cap, off;

    if (job->items_cap < legacy->count) {
        cap = job->items_cap ? job->items_cap : 4;
        while (cap < legacy->count) {
            cap *= 2;
        }
        grown = realloc(job->items, cap * sizeof(job_item_t));
        if (grown == NULL) {
            return -1;
        }
        job->items = grown;
        job->items_cap = cap;
    }

    job->text_len = 0;
    if (job_text_add(job, target, strlen(target)) == (size_t) -1) {
        return -1;
    }

    for (i = 0; i < legacy->count; i++) {
        off = job_text_add(job, legacy->items[i].text, legacy->items[i].len);
        if (off == (size_t) -1) {
            return -1;
        }
        job->items[i].legacy = off;
        job->items[i].line = legacy->items[i].line;
        job->items[i].column = legacy->items[i].column;
    }

    job->nitems = legacy->count;
    return 0;
}

/* Returns 0 (also after a reported error in the post), -1 to stop. */
static int
collect_post(const collector_t *c, reader_t *rd, const frontmatter_t *fm,
    job_t *job, diag_t *diag)
{
    legacy_list_t  *legacy = &rd->legacy;
    char           *target = NULL;
    int             rc;

    legacy->count = 0;

    rc = find_legacy_urls(c, fm, legacy, diag);
    if (rc == -2) {
        return out_of_memory(diag);
    }

    if (rc == 0 && legacy->count == 0) {
        job->skipped = 1;
    }

    if (rc != 0 || legacy->count == 0 || !c->template_ok) {
        return 0;
    }

    /* an unpublished post has no page: its legacy URLs answer 410, and
     * the template (which may need a date a draft lacks) is not used */
    rc = is_unpublished(fm, diag);
    if (rc < 0) {
        return 0;
    }

    /* Jekyll never publishes its drafts */
    job->unpublished = rc || walk_path_in_folder(job->path, "_drafts");

    if (!job->unpublished) {
        rc = template_expand(&c->template, fm, job->path,
                             job->path + job->rel_off, &target, diag);
        if (rc != 0) {
            return rc == -2 ? -1 : 0;
        }
    }

    rc = 0;
    if (job_set_items(job, legacy, target != NULL ? target : "") != 0) {
        job->nitems = 0;
        rc = out_of_memory(diag);
    }

    free(target);
    return rc;
}

/* Whether p (up to eol) is key, quoted with q unless q is 0, then
 * blanks and the assign character. */
static int
names_key(const char *p, const char *eol, const char *key, size_t klen,
    char q, char assign)
{
    if (q != 0 && (p == eol || *p++ != q)) {
        return 0;
    }
    if ((size_t) (eol - p) < klen || memcmp(p, key, klen) != 0) {
        return 0;
    }
    p += klen;
    if (q != 0 && (p == eol || *p++ != q)) {
        return 0;
    }
    while (p < eol && (*p == ' ' || *p == '\t')) {
        p++;
    }
    return p < eol && *p == assign;
}

/*
 * Where a TOML, JSON or Pelican front matter sets the field key: a line
 * starting (after blanks) with key, "key" or 'key' and then '=' (TOML),
 * one holding "key" and then ':' (JSON), or one starting with key in
 * any case and then ':' (Pelican, which lowercases its keys).  kind is
 * the format's first letter.  Returns the 0-based line in text, or -1.
 */
static long
foreign_key_line(const char *text, size_t len, const char *key, char kind)
{
    const char  *p, *eol, *end = text + len;
    size_t       klen = strlen(key);
    long         line;

    for (line = 0, p = text; p < end; line++, p = eol + (eol < end)) {
        eol = memchr(p, '\n', (size_t) (end - p));
        if (eol == NULL) {
            eol = end;
        }

        if (kind == 'P') {
            if ((size_t) (eol - p) > klen && strncasecmp(p, key, klen) == 0
                && p[klen] == ':')
            {
                return line;
            }
            continue;
        }

        if (kind == 'J') {
            for ( ; p < eol; p++) {
                if (*p == '"' && names_key(p, eol, key, klen, '"', ':')) {
                    return line;
                }
            }
            continue;
        }

        while (p < eol && (*p == ' ' || *p == '\t')) {
            p++;
        }
        if (names_key(p, eol, key, klen, 0, '=')
            || names_key(p, eol, key, klen, '"', '=')
            || names_key(p, eol, key, klen, '\'', '='))
        {
            return line;
        }
    }

    return -1;
}

/* A TOML or JSON front matter that sets the field is an error: its
 * legacy URLs would otherwise be lost without a word. */
static void
check_foreign(const collector_t *c, const frontmatter_t *fm, diag_t *diag)
{
    size_t  i;
    long    line;

    for (i = 0; i < c->nkeys; i++) {
        line = foreign_key_line(fm->foreign_text, fm->foreign_len,
                                c->keys[i], fm->foreign[0]);
        if (line >= 0) {
            diag_error(diag, fm->file, fm->foreign_line + (unsigned) line,
                       0, "%s is set in %s front matter, which redirect-map "
                       "does not read: write the front matter in YAML, "
                       "between \"---\" lines", c->keys[i], fm->foreign);
            return;
        }
    }
}

/* Reads the job's post.  Returns 0, or -1 to stop (reported). */
static int
read_post(const collector_t *c, reader_t *rd, job_t *job, diag_t *diag)
{
    frontmatter_t   fm;
    int             rc;

    /* the folder itself is the walk's thread's: only its descriptor,
     * copied into the job, is used here */
    rc = frontmatter_read_at(&fm, job->dirfd,
                             job->dirfd != AT_FDCWD
                                  ? job->path + job->name_off : job->path,
                             job->path, &rd->head, diag);

    if (rc != FM_UNREADABLE && rc != FM_NOMEM) {
        job->read = 1;
    }

    switch (rc) {
    case FM_POST:
        rc = collect_post(c, rd, &fm, job, diag);
        break;

    case FM_FOREIGN:
        check_foreign(c, &fm, diag);
        job->ignored = 1;
        rc = 0;
        break;

    case FM_NOT_POST:
        job->ignored = 1;
        rc = 0;
        break;

    case FM_NOMEM:
        rc = -1;
        break;

    default:
        rc = 0;             /* reported; go on with the next file */
        break;
    }

    frontmatter_free(&fm);
    return rc;
}


/*
 * Reading posts on every core.  The walk (the calling thread) queues the
 * posts in a ring of jobs while the other threads read them, one by one,
 * each into its own job: the items, the counts and the messages (kept,
 * not printed).  The calling thread alone merges finished jobs, in the
 * order of the walk, so the items, the messages and the progress line
 * come out as they would from one thread.  When the ring is full (the
 * walk is ahead of the reading), the calling thread reads posts too, and
 * once the walk is done it reads with the others until none are left.
 *
 * The ring bounds the memory (and the folders kept open for posts not
 * merged yet), whatever the number of posts.  A job is taken with one
 * atomic operation; the locks are for sleeping only: a thread that finds
 * no work says so, and is woken by the one that makes some.
 */

#define THREADS_FROM  32         /* fewer posts: read by one thread */
#define RING_SIZE     256        /* a power of 2 */

/* The fields are grouped by who writes them, a cache line each. */
typedef struct {
    /* read by every thread, written before they start */
    collector_t        proto;       /* template, key */
    job_t             *ring;

    /* the walk's thread's own */
    size_t             count __attribute__((aligned(64)));  /* queued */
    size_t             merged;      /* jobs merged so far */

    /* written by the walk's thread, read by the readers */
    atomic_size_t      published __attribute__((aligned(64)));
                                    /* jobs that may be taken */
    /* taken by every thread */
    atomic_size_t      next __attribute__((aligned(64)));
                                    /* the next job to take */

    /* seldom written */
    atomic_int         walked __attribute__((aligned(64)));
                                    /* the walk is over */
    atomic_int         stop;        /* out of memory: take no more */
    atomic_int         sleepers;    /* readers waiting for jobs */
    atomic_int         waiting;     /* the walk's thread waits for one */
    pthread_mutex_t    lock;
    pthread_cond_t     more;        /* jobs, or the end, for readers */
    pthread_cond_t     finished;    /* a job done, for the walk's thread */
    pthread_t          threads[THREADS_MAX];
    size_t             started;     /* other threads reading posts */
    int                tried;       /* to start them */
    reader_t           reader;      /* the walk's thread's */
    diag_capture_t     walk;        /* the walk's messages, until a job */
    diag_t             walk_diag;
    const posts_options_t  *opt;
    post_list_t       *out;
    diag_t            *diag;
    int                stopped;     /* merging stopped at a failed job */
} pool_t;


static job_t *
job_at(const pool_t *p, size_t i)
{
    return &p->ring[i & (RING_SIZE - 1)];
}


static void
wake(pthread_mutex_t *lock, pthread_cond_t *cond, atomic_int *sleepers)
{
    if (atomic_load(sleepers) > 0) {
        pthread_mutex_lock(lock);
        pthread_cond_broadcast(cond);
        pthread_mutex_unlock(lock);
    }
}


/* The next job to read, or NULL when none is queued and not taken. */
static job_t *
try_take(pool_t *p)
{
    size_t  i = atomic_load(&p->next);

    while (i < atomic_load(&p->published) && !atomic_load(&p->stop)) {
        if (atomic_compare_exchange_weak(&p->next, &i, i + 1)) {
            return job_at(p, i);
        }
    }

    return NULL;
}


static void
run_job(pool_t *p, reader_t *rd, job_t *job)
{
    diag_t  d;

    memset(&d, 0, sizeof(d));
    d.capture = &job->messages;

    job->rc = read_post(&p->proto, rd, job, &d);
    if (job->rc != 0) {
        atomic_store(&p->stop, 1);
        wake(&p->lock, &p->more, &p->sleepers);
    }

    atomic_store(&job->done, 1);
    wake(&p->lock, &p->finished, &p->waiting);
}


static void *
worker(void *arg)
{
    pool_t    *p = arg;
    reader_t   rd;
    job_t     *job;

    memset(&rd, 0, sizeof(rd));

    for ( ;; ) {
        job = try_take(p);
        if (job != NULL) {
            run_job(p, &rd, job);
            continue;
        }

        pthread_mutex_lock(&p->lock);
        atomic_fetch_add(&p->sleepers, 1);

        while (atomic_load(&p->next) >= atomic_load(&p->published)
               && !atomic_load(&p->walked) && !atomic_load(&p->stop))
        {
            pthread_cond_wait(&p->more, &p->lock);
        }

        atomic_fetch_sub(&p->sleepers, 1);
        pthread_mutex_unlock(&p->lock);

        if (atomic_load(&p->stop)
            || (atomic_load(&p->walked)
                && atomic_load(&p->next) >= atomic_load(&p->published)))
        {
            break;
        }
    }

    frontmatter_buf_free(&rd.head);
    free(rd.legacy.items);
    return NULL;
}


/* Waits until another thread has finished the job. */
static void
wait_done(pool_t *p, job_t *job)
{
    if (atomic_load(&job->done)) {
        return;
    }

    pthread_mutex_lock(&p->lock);
    atomic_fetch_add(&p->waiting, 1);

    while (!atomic_load(&job->done)) {
        pthread_cond_wait(&p->finished, &p->lock);
    }

    atomic_fetch_sub(&p->waiting, 1);
    pthread_mutex_unlock(&p->lock);
}


static int
push_item(post_list_t *out, const post_redirect_t *r)
{
    post_redirect_t  *grown, *item;
    size_t            capacity;

    if (out->count == out->capacity) {
        capacity = out->capacity ? out->capacity * 2 : 64;
        grown = realloc(out->items, capacity * sizeof(post_redirect_t));
        if (grown == NULL) {
            return -1;
        }
        out->items = grown;
        out->capacity = capacity;
    }

    item = &out->items[out->count];
    item->legacy = strdup(r->legacy);
    item->target = strdup(r->target);
    item->file = strdup(r->file);
    item->line = r->line;
    item->column = r->column;
    item->unpublished = r->unpublished;

    if (item->legacy == NULL || item->target == NULL || item->file == NULL) {
        free(item->legacy);
        free(item->target);
        free(item->file);
        return -1;
    }

    out->count++;
    return 0;
}


/* Hands a finished job's items on; returns 0, or -1 to stop. */
static int
deliver(pool_t *p, job_t *job)
{
    const posts_options_t  *opt = p->opt;
    post_redirect_t         r;
    size_t                  i;

    r.target = job->text;
    r.file = job->path;
    r.unpublished = job->unpublished;

    for (i = 0; i < job->nitems; i++) {
        r.legacy = job->text + job->items[i].legacy;
        r.line = job->items[i].line;
        r.column = job->items[i].column;

        if (opt != NULL && opt->item != NULL) {
            if (opt->item(&r, opt->item_ctx) != 0) {
                return -1;
            }

        } else if (push_item(p->out, &r) != 0) {
            return out_of_memory(p->diag);
        }
    }

    return 0;
}


/* Makes a slot ready for its next job, keeping its buffers. */
static void
job_clear(job_t *job)
{
    walk_dir_unref(job->dir);
    job->dir = NULL;
    diag_capture_free(&job->before);
    diag_capture_free(&job->messages);
    memset(&job->before, 0, sizeof(job->before));
    memset(&job->messages, 0, sizeof(job->messages));
    job->nitems = 0;
    job->text_len = 0;
    job->unpublished = 0;
    job->read = 0;
    job->skipped = 0;
    job->ignored = 0;
    job->rc = 0;
}


/*
 * Merges the finished jobs that come next, in order.  Returns 0, 1 when
 * a job stopped the run (merged: its messages are out), -1 when out of
 * memory or when the consumer of the items asked to stop.
 */
static int
merge_ready(pool_t *p)
{
    const posts_options_t  *opt = p->opt;
    post_list_t            *out = p->out;
    job_t                  *job;
    int                     rc;

    while (p->merged < p->count) {
        job = job_at(p, p->merged);

        if (!atomic_load(&job->done)) {
            return 0;
        }

        diag_replay(p->diag, &job->before);
        diag_replay(p->diag, &job->messages);

        out->files_read += job->read;
        out->posts_skipped += job->skipped;
        out->files_ignored += job->ignored;

        rc = job->rc;
        if (rc == 0 && deliver(p, job) != 0) {
            rc = -1;
        }

        job_clear(job);
        p->merged++;

        if (opt != NULL && opt->progress != NULL) {
            opt->progress(out->files_read, opt->progress_ctx);
        }

        if (rc != 0) {
            return 1;
        }
    }

    return 0;
}


static size_t
thread_count(void)
{
    long  n;

    n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > THREADS_MAX ? THREADS_MAX : (size_t) n;
}


static void
start_threads(pool_t *p)
{
    size_t  n = thread_count();

    p->tried = 1;

    for (p->started = 0; p->started + 1 < n; p->started++) {
        if (pthread_create(&p->threads[p->started], NULL, worker, p) != 0) {
            break;          /* fewer threads: slower, not wrong */
        }
    }
}


/*
 * The walk's thread, when it cannot queue more: reads a post itself, or
 * waits for the oldest one.  Then merges.  Returns merge_ready()'s.
 */
static int
help(pool_t *p)
{
    job_t  *job = try_take(p);

    if (job != NULL) {
        run_job(p, &p->reader, job);

    } else if (p->merged < atomic_load(&p->next)) {
        wait_done(p, job_at(p, p->merged));     /* another thread's */

    } else if (p->merged < p->count) {
        return 1;       /* stopped: the oldest job will not be read */
    }

    return merge_ready(p);
}


static int
queue_post(walk_dir_t *dir, const char *name, size_t name_len, void *ctx)
{
    pool_t   *p = ctx;
    job_t    *job;
    size_t    len;
    char     *path, *slash;

    while (!p->stopped && p->count - p->merged >= RING_SIZE) {
        if (help(p) != 0) {
            p->stopped = 1;
        }
    }

    if (p->stopped) {
        return -1;
    }

    job = job_at(p, p->count);

    len = dir != NULL ? walk_path_len(dir, name_len) : name_len;
    if (job->path_cap < len + 1) {
        path = realloc(job->path, len + 1);
        if (path == NULL) {
            return out_of_memory(&p->walk_diag);
        }
        job->path = path;
        job->path_cap = len + 1;
    }

    if (dir != NULL) {
        walk_path(dir, name, name_len, job->path);
        walk_dir_ref(dir);
    } else {
        memcpy(job->path, name, len + 1);
    }

    job->dir = dir;
    job->dirfd = dir != NULL && dir->fd >= 0 ? dir->fd : AT_FDCWD;
    job->name_off = len - name_len;
    if (dir != NULL) {
        job->rel_off = dir->root_len;
        while (job->rel_off < len && job->path[job->rel_off] == '/') {
            job->rel_off++;
        }
    } else {
        /* a root that names a file: its own name */
        slash = strrchr(job->path, '/');
        job->rel_off = slash != NULL ? (size_t) (slash + 1 - job->path) : 0;
    }
    job->before = p->walk;                  /* moved: the job owns them */
    memset(&p->walk, 0, sizeof(p->walk));
    atomic_store(&job->done, 0);

    p->count++;
    atomic_store(&p->published, p->count);
    wake(&p->lock, &p->more, &p->sleepers);

    if (!p->tried && p->count >= THREADS_FROM) {
        start_threads(p);
    }

    /* the walk's thread merges what is ready as it goes */
    if (merge_ready(p) != 0) {
        p->stopped = 1;
        return -1;
    }

    return 0;
}


/* Eleventy's data files are read up to this size: they are small */
#define DATA_FILE_MAX  ((size_t) 1 << 20)

static int
is_ident_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
           || (ch >= '0' && ch <= '9') || ch == '_' || ch == '$';
}

/*
 * Where a data file (JSON, or JavaScript's object literal) sets field:
 * the field's name, quoted (always, in JSON) or alone, then blanks and
 * ':' (or '(' for a JavaScript method).  Returns the offset of the name
 * or of its quote, or -1.
 */
static long
data_field_offset(const char *text, size_t len, const char *field, int json)
{
    size_t       flen = strlen(field), i, j;
    const char  *hit;
    char         q;

    for (i = 0; i + flen <= len; i = (size_t) (hit - text) + 1) {
        hit = memmem(text + i, len - i, field, flen);
        if (hit == NULL) {
            return -1;
        }

        j = (size_t) (hit - text);
        q = j > 0 ? text[j - 1] : '\0';
        if (is_ident_char(q)) {
            continue;
        }

        j += flen;
        if ((q == '"' || q == '\'' || q == '`') && j < len && text[j] == q) {
            j++;
        } else if (json || (j < len && is_ident_char(text[j]))) {
            continue;
        } else {
            q = '\0';
        }

        while (j < len && is_space(text[j])) {
            j++;
        }
        if (j < len && (text[j] == ':' || (!json && text[j] == '('))) {
            return (long) (hit - text) - (q != '\0');
        }
    }

    return -1;
}

static int
len_ends(const char *s, size_t len, const char *end)
{
    size_t  n = strlen(end);

    return len >= n && memcmp(s + len - n, end, n) == 0;
}

/* Reads at most DATA_FILE_MAX bytes of name in dir; NULL when it cannot
 * (the data file is only looked at for a warning) or when it is no
 * regular file: a FIFO named so would block the walk, a device need not
 * end.  O_NONBLOCK lets a FIFO's open return. */
static char *
read_data_file(const walk_dir_t *dir, const char *name, const char *path,
    size_t *len)
{
    struct stat   st;
    char         *text = NULL;
    size_t        size = 0;
    ssize_t       n;
    int           fd;

    fd = dir->fd >= 0
         ? openat(dir->fd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
         : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        return NULL;
    }

    *len = 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        size = (size_t) st.st_size < DATA_FILE_MAX ? (size_t) st.st_size
                                                   : DATA_FILE_MAX;
        text = malloc(size + 1);
    }
    while (text != NULL && *len < size) {
        n = read(fd, text + *len, size - *len);
        if (n <= 0) {
            break;
        }
        *len += (size_t) n;
    }

    close(fd);
    return text;
}

/*
 * A folder's Eleventy data file (walk_data_pt) that sets the path field
 * (permalink, when none is given) for its posts: their new path is then
 * not what the template gives them, and nothing would say so.  A plain
 * "posts/posts.json" is only looked at with a path field given.
 */
static int
check_data_file(walk_dir_t *dir, const char *name, size_t name_len,
    void *ctx)
{
    pool_t                *p = ctx;
    const template_t      *t = &p->proto.template;
    const char            *field = t->path_field ? t->path_field
                                                 : "permalink";
    char                  *path, *text;
    size_t                 len, i;
    unsigned               line = 1, column = 1;
    long                   at;
    int                    json;

    if (t->path_field == NULL && strstr(name, ".11tydata.") == NULL) {
        return 0;
    }

    path = malloc(walk_path_len(dir, name_len) + 1);
    if (path == NULL) {
        return out_of_memory(&p->walk_diag);
    }
    walk_path(dir, name, name_len, path);

    text = read_data_file(dir, name, path, &len);
    json = len_ends(name, name_len, ".json");
    at = text != NULL ? data_field_offset(text, len, field, json) : -1;

    if (at >= 0) {
        /* columns count characters, as the YAML errors' do */
        for (i = 0; i < (size_t) at; i++) {
            column = text[i] == '\n'
                     ? 1 : column + (((unsigned char) text[i] & 0xc0) != 0x80);
            line += text[i] == '\n';
        }
        diag_warning(&p->walk_diag, path, line, column, "%s is set here "
                     "for the posts in this folder and below, and "
                     "redirect-map does not read data files: %s get the "
                     "template's path (-t), which must give the same", field,
                     t->path_field ? "those whose front matter does not "
                     "set it" : "they");
    }

    free(text);
    free(path);
    return 0;
}


/*
 * The next field name of a key option ("blogger_orig_url, redirect_from")
 * from *p: its start, without the blanks around it, and its *len.  *p
 * moves past its comma, or to NULL after the last name.
 */
static const char *
next_key(const char **p, size_t *len)
{
    const char  *start = *p, *comma = strchr(*p, ','), *end;

    end = comma != NULL ? comma : start + strlen(start);
    *p = comma != NULL ? comma + 1 : NULL;

    while (start < end && is_space(*start)) {
        start++;
    }
    while (end > start && is_space(end[-1])) {
        end--;
    }

    *len = (size_t) (end - start);
    return start;
}

const char *
posts_keys_problem(const char *keys)
{
    const char  *p = keys;
    size_t       len, n = 0;

    while (p != NULL) {
        next_key(&p, &len);

        if (len == 0) {
            return "an empty field name";
        }
        if (++n > POSTS_MAX_KEYS) {
            return "more than " POSTS_MAX_KEYS_TEXT " field names";
        }
    }

    return NULL;
}

/*
 * Splits the keys into c->keys, in a copy each name is cut out of.
 * Returns 0, -1 when they are invalid (reported), -2 when out of memory
 * (reported).
 */
static int
split_keys(collector_t *c, const char *keys, diag_t *diag)
{
    const char  *problem, *p, *name;
    size_t       len;

    problem = posts_keys_problem(keys);
    if (problem != NULL) {
        diag_error(diag, NULL, 0, 0, "key '%s' has %s", keys, problem);
        return -1;
    }

    c->key_text = strdup(keys);
    if (c->key_text == NULL) {
        out_of_memory(diag);
        return -2;
    }

    for (p = c->key_text; p != NULL; c->nkeys++) {
        name = next_key(&p, &len);
        c->key_text[name - c->key_text + len] = '\0';
        c->keys[c->nkeys] = name;
    }

    return 0;
}


int
posts_collect(const char *const *dirs, size_t ndirs,
    const posts_options_t *opt, post_list_t *out, diag_t *diag)
{
    pool_t        p;
    const char   *target;
    size_t        i;
    int           rc, walk_rc;

    memset(&p, 0, sizeof(p));
    target = opt && opt->target ? opt->target : DEFAULT_TARGET;
    p.opt = opt;
    p.out = out;
    p.diag = diag;
    atomic_init(&p.published, 0);
    atomic_init(&p.next, 0);
    atomic_init(&p.walked, 0);
    atomic_init(&p.stop, 0);
    atomic_init(&p.sleepers, 0);
    atomic_init(&p.waiting, 0);

    if (ndirs == 0) {
        diag_error(diag, NULL, 0, 0, "no content folder given");
        return 0;
    }

    rc = split_keys(&p.proto, opt && opt->key ? opt->key : DEFAULT_KEY,
                    diag);
    if (rc != 0) {
        return rc == -2 ? -1 : 0;
    }

    /* an invalid template is reported once; the posts are still read so
     * that their own problems are reported too */
    rc = template_compile(&p.proto.template, target, diag);
    if (rc == -2) {
        free(p.proto.key_text);
        return -1;
    }
    p.proto.template_ok = rc == 0;
    p.proto.template.zone = opt ? opt->zone : NULL;
    p.proto.template.path_field = opt ? opt->path_field : NULL;
    p.proto.template.date_field = opt ? opt->date_field : NULL;
    p.proto.template.date_prefix_anywhere = opt && opt->date_prefix_anywhere;
    p.proto.template.slugify = opt && opt->slugify;

    p.ring = aligned_alloc(64, RING_SIZE * sizeof(job_t));
    if (p.ring != NULL) {
        memset(p.ring, 0, RING_SIZE * sizeof(job_t));
    }
    if (p.ring == NULL) {
        template_free(&p.proto.template);
        free(p.proto.key_text);
        return out_of_memory(diag);
    }

    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.more, NULL);
    pthread_cond_init(&p.finished, NULL);

    p.walk_diag.capture = &p.walk;
    walk_rc = walk_posts(dirs, ndirs, queue_post, check_data_file, &p,
                         &p.walk_diag);

    atomic_store(&p.walked, 1);
    pthread_mutex_lock(&p.lock);
    pthread_cond_broadcast(&p.more);
    pthread_mutex_unlock(&p.lock);

    /* the walk is over: read posts here too, merging as we go */

    while (!p.stopped && p.merged < p.count) {
        if (help(&p) != 0) {
            p.stopped = 1;
        }
    }

    if (p.stopped) {
        atomic_store(&p.stop, 1);
        pthread_mutex_lock(&p.lock);
        pthread_cond_broadcast(&p.more);
        pthread_mutex_unlock(&p.lock);
    }

    for (i = 0; i < p.started; i++) {
        pthread_join(p.threads[i], NULL);
    }

    for (i = p.merged; i < p.count; i++) {
        job_clear(job_at(&p, i));     /* after a stop: never reported */
    }

    if (!p.stopped) {
        diag_replay(diag, &p.walk);  /* the walk's last messages */
    }
    diag_capture_free(&p.walk);

    for (i = 0; i < RING_SIZE; i++) {
        free(p.ring[i].path);
        free(p.ring[i].items);
        free(p.ring[i].text);
    }
    free(p.ring);

    frontmatter_buf_free(&p.reader.head);
    free(p.reader.legacy.items);

    pthread_mutex_destroy(&p.lock);
    pthread_cond_destroy(&p.more);
    pthread_cond_destroy(&p.finished);
    template_free(&p.proto.template);
    free(p.proto.key_text);
    return p.stopped || walk_rc != 0 ? -1 : 0;
}


void
posts_free(post_list_t *list)
{
    size_t  i;

    for (i = 0; i < list->count; i++) {
        free(list->items[i].legacy);
        free(list->items[i].target);
        free(list->items[i].file);
    }
    free(list->items);
    memset(list, 0, sizeof(post_list_t));
}
