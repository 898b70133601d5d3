/*
 * posts.c - finding posts and reading the redirects their front matter
 * asks for, see posts.h.
 */

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontmatter.h"
#include "posts.h"
#include "template.h"
#include "walk.h"

#define DEFAULT_KEY     "legacyUrl"
#define DEFAULT_TARGET  "/{year}/{month}/{slug}"

#define THREADS_MAX        8

typedef struct {
    const char    *key;
    template_t     template;
    int            template_ok;     /* an invalid one is reported once */
    post_list_t   *out;
    diag_t        *diag;
    const posts_options_t  *opt;
} collector_t;

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
take_legacy_scalar(collector_t *c, const frontmatter_t *fm,
    const yaml_node_t *node, legacy_list_t *list)
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
        diag_error(c->diag, fm->file, frontmatter_line(node),
                   frontmatter_column(node), "%s contains a NUL character",
                   c->key);
        return -1;
    }

    return legacy_add(list, text, len, node) == 0 ? 0 : -2;
}

/*
 * The legacy URLs of a post: one scalar or a sequence of scalars.
 * Returns 0 (the list may be empty), -1 on an invalid value (reported),
 * -2 when out of memory.
 */
static int
find_legacy_urls(collector_t *c, const frontmatter_t *fm,
    legacy_list_t *list)
{
    yaml_node_t  *node, *item;
    size_t        i, n;
    int           rc, failed = 0;

    node = frontmatter_field(fm, c->key);
    if (node == NULL) {
        return 0;
    }

    if (node->type == YAML_SCALAR_NODE) {
        return take_legacy_scalar(c, fm, node, list);
    }

    if (node->type != YAML_SEQUENCE_NODE) {
        diag_error(c->diag, fm->file, frontmatter_line(node),
                   frontmatter_column(node), "%s is %s, not a URL or a "
                   "list of URLs", c->key, frontmatter_kind(node));
        return -1;
    }

    n = (size_t) (node->data.sequence.items.top
                  - node->data.sequence.items.start);

    for (i = 0; i < n; i++) {
        item = frontmatter_item(fm, node, i);

        if (item->type != YAML_SCALAR_NODE) {
            diag_error(c->diag, fm->file, frontmatter_line(item),
                       frontmatter_column(item), "item %zu of %s is %s, "
                       "not a URL", i + 1, c->key, frontmatter_kind(item));
            failed = 1;
            continue;
        }

        rc = take_legacy_scalar(c, fm, item, list);
        if (rc == -2) {
            return -2;
        }
        if (rc != 0) {
            failed = 1;
        }
    }

    return failed ? -1 : 0;
}

static int
is_unpublished(const frontmatter_t *fm)
{
    yaml_node_t  *published = frontmatter_field(fm, "published");
    yaml_node_t  *draft = frontmatter_field(fm, "draft");

    return (published != NULL && frontmatter_is_bool(published, 0))
           || (draft != NULL && frontmatter_is_bool(draft, 1));
}

static int
push_item(post_list_t *out, const legacy_t *legacy, const char *target,
    const char *path, int unpublished)
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
    item->legacy = strndup(legacy->text, legacy->len);
    item->target = strdup(target);
    item->file = strdup(path);
    item->line = legacy->line;
    item->column = legacy->column;
    item->unpublished = unpublished;

    if (item->legacy == NULL || item->target == NULL || item->file == NULL) {
        free(item->legacy);
        free(item->target);
        free(item->file);
        return -1;
    }

    out->count++;
    return 0;
}

/* Returns 0 (also after a reported error in the post), -1 to stop. */
static int
collect_post(collector_t *c, const frontmatter_t *fm, const char *path)
{
    legacy_list_t   legacy = { NULL, 0, 0 };
    char           *target = NULL;
    size_t          i;
    int             rc, unpublished;

    rc = find_legacy_urls(c, fm, &legacy);
    if (rc == -2) {
        free(legacy.items);
        return out_of_memory(c->diag);
    }

    if (rc == 0 && legacy.count == 0) {
        c->out->posts_skipped++;
    }

    if (rc != 0 || legacy.count == 0 || !c->template_ok) {
        free(legacy.items);
        return 0;
    }

    rc = template_expand(&c->template, fm, path, &target, c->diag);
    if (rc != 0) {
        free(legacy.items);
        return rc == -2 ? -1 : 0;
    }

    unpublished = is_unpublished(fm);

    for (i = 0; i < legacy.count; i++) {
        if (push_item(c->out, &legacy.items[i], target, path, unpublished)
            != 0)
        {
            rc = out_of_memory(c->diag);
            break;
        }
    }

    free(target);
    free(legacy.items);
    return rc;
}

static int
visit_post(const char *path, void *ctx)
{
    collector_t    *c = ctx;
    frontmatter_t   fm;
    int             rc;

    rc = frontmatter_read(&fm, path, c->diag);

    if (rc != FM_UNREADABLE && rc != FM_NOMEM) {
        c->out->files_read++;
    }

    switch (rc) {
    case FM_POST:
        rc = collect_post(c, &fm, path);
        break;

    case FM_NOT_POST:
        c->out->files_ignored++;
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

    if (c->opt != NULL && c->opt->progress != NULL) {
        c->opt->progress(c->out->files_read, c->opt->progress_ctx);
    }

    return rc;
}

/*
 * Reading posts on every core.  The walk (the calling thread) lists the
 * posts while the other threads read them, one by one, each into its own
 * job: the items, the counts and the messages (kept, not printed); once
 * the walk is done the calling thread reads posts too.  It alone merges
 * finished jobs, in the order of the walk, so the items, the messages
 * and the progress line come out as they would from one thread.
 *
 * Jobs are kept in chunks that never move, so that threads can read a
 * job while the walk adds others.
 */

#define THREADS_FROM  32         /* fewer posts: read by one thread */
#define CHUNK_BITS   10
#define CHUNK_SIZE   ((size_t) 1 << CHUNK_BITS)

typedef struct {
    char              *path;
    diag_capture_t     before;      /* the walk's messages before it */
    diag_capture_t     messages;    /* reading it */
    post_list_t        out;
    int                rc;
    atomic_int         done;
} job_t;

typedef struct {
    collector_t        proto;       /* template, key; no output */
    job_t            **chunks;
    size_t             nchunks;
    size_t             count;       /* jobs queued (under lock) */
    size_t             next;        /* the next job to take (under lock) */
    int                walked;      /* the walk is over (under lock) */
    pthread_mutex_t    lock;
    pthread_cond_t     more;
    pthread_t          threads[THREADS_MAX];
    size_t             started;     /* other threads reading posts */
    int                tried;       /* to start them */
    diag_capture_t     walk;        /* the walk's messages, until a job */
    diag_t             walk_diag;
    atomic_int         stop;        /* out of memory: take no more */
    size_t             merged;      /* jobs merged so far */
    const posts_options_t  *opt;
    post_list_t       *out;
    diag_t            *diag;
    int                stopped;     /* merging stopped at a failed job */
} pool_t;


static job_t *
job_at(const pool_t *p, size_t i)
{
    return &p->chunks[i >> CHUNK_BITS][i & (CHUNK_SIZE - 1)];
}


static int merge_ready(pool_t *p);
static void start_threads(pool_t *p);


static int
queue_post(const char *path, void *ctx)
{
    pool_t   *p = ctx;
    job_t   **grown, *job;
    size_t    cap, count;

    pthread_mutex_lock(&p->lock);
    count = p->count;
    pthread_mutex_unlock(&p->lock);

    if ((count & (CHUNK_SIZE - 1)) == 0) {
        if ((count >> CHUNK_BITS) == p->nchunks) {
            /* only the walk touches the table: readers got their job
             * pointers under the lock before it can move */
            pthread_mutex_lock(&p->lock);
            cap = p->nchunks ? p->nchunks * 2 : 16;
            grown = realloc(p->chunks, cap * sizeof(job_t *));
            if (grown != NULL) {
                memset(grown + p->nchunks, 0,
                       (cap - p->nchunks) * sizeof(job_t *));
                p->chunks = grown;
                p->nchunks = cap;
            }
            pthread_mutex_unlock(&p->lock);

            if (grown == NULL) {
                return out_of_memory(&p->walk_diag);
            }
        }

        if (p->chunks[count >> CHUNK_BITS] == NULL) {
            p->chunks[count >> CHUNK_BITS] = malloc(CHUNK_SIZE
                                                    * sizeof(job_t));
            if (p->chunks[count >> CHUNK_BITS] == NULL) {
                return out_of_memory(&p->walk_diag);
            }
        }
    }

    job = job_at(p, count);
    memset(job, 0, sizeof(*job));
    job->path = strdup(path);
    if (job->path == NULL) {
        return out_of_memory(&p->walk_diag);
    }

    job->before = p->walk;                  /* moved: the job owns them */
    memset(&p->walk, 0, sizeof(p->walk));
    atomic_init(&job->done, 0);

    pthread_mutex_lock(&p->lock);
    p->count++;
    pthread_cond_signal(&p->more);
    pthread_mutex_unlock(&p->lock);

    if (!p->tried && count + 1 >= THREADS_FROM) {
        start_threads(p);
    }

    /* the walk's thread merges what is ready as it goes */
    if (!p->stopped && merge_ready(p) != 0) {
        p->stopped = 1;
        return -1;
    }

    return 0;
}


static void
run_job(pool_t *p, job_t *job)
{
    collector_t  c = p->proto;
    diag_t       d;

    memset(&d, 0, sizeof(d));
    d.capture = &job->messages;

    c.out = &job->out;
    c.diag = &d;
    c.opt = NULL;

    job->rc = visit_post(job->path, &c);
    if (job->rc != 0) {
        atomic_store(&p->stop, 1);
    }

    atomic_store_explicit(&job->done, 1, memory_order_release);
}


/* The next job to read, or NULL when there are none left; wait == 0:
 * do not wait for the walk to find more. */
static job_t *
take_job(pool_t *p, int wait)
{
    job_t  *job = NULL;

    pthread_mutex_lock(&p->lock);

    while (wait && p->next == p->count && !p->walked
           && !atomic_load(&p->stop))
    {
        pthread_cond_wait(&p->more, &p->lock);
    }

    if (p->next < p->count && !atomic_load(&p->stop)) {
        job = job_at(p, p->next++);
    }

    pthread_mutex_unlock(&p->lock);
    return job;
}


static void *
worker(void *arg)
{
    pool_t  *p = arg;
    job_t   *job;

    while ((job = take_job(p, 1)) != NULL) {
        run_job(p, job);
    }

    return NULL;
}


static void
job_free(job_t *job)
{
    free(job->path);
    diag_capture_free(&job->before);
    diag_capture_free(&job->messages);
    posts_free(&job->out);
}


/*
 * Merges the finished jobs that come next, in order.  Returns 0, 1 when
 * a job stopped the run (merged: its messages are out), -1 when out of
 * memory.
 */
static int
merge_ready(pool_t *p)
{
    const posts_options_t  *opt = p->opt;
    post_list_t            *out = p->out;
    diag_t                 *diag = p->diag;
    post_redirect_t        *grown;
    job_t                  *job;
    size_t                  cap, count;
    int                     rc;

    pthread_mutex_lock(&p->lock);
    count = p->count;
    pthread_mutex_unlock(&p->lock);

    while (p->merged < count) {
        job = job_at(p, p->merged);

        if (!atomic_load_explicit(&job->done, memory_order_acquire)) {
            return 0;
        }

        diag_replay(diag, &job->before);
        diag_replay(diag, &job->messages);

        if (out->count + job->out.count > out->capacity) {
            cap = out->capacity ? out->capacity : 64;
            while (cap < out->count + job->out.count) {
                cap *= 2;
            }
            grown = realloc(out->items, cap * sizeof(post_redirect_t));
            if (grown == NULL) {
                return out_of_memory(diag);
            }
            out->items = grown;
            out->capacity = cap;
        }

        if (job->out.count > 0) {
            memcpy(out->items + out->count, job->out.items,
                   job->out.count * sizeof(post_redirect_t));
        }
        out->count += job->out.count;
        out->files_read += job->out.files_read;
        out->posts_skipped += job->out.posts_skipped;
        out->files_ignored += job->out.files_ignored;

        free(job->out.items);          /* the strings moved to out */
        memset(&job->out, 0, sizeof(job->out));
        rc = job->rc;
        job_free(job);
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


int
posts_collect(const char *const *dirs, size_t ndirs,
    const posts_options_t *opt, post_list_t *out, diag_t *diag)
{
    pool_t        p;
    const char   *target;
    job_t        *job;
    size_t        i;
    int           rc, walk_rc;

    memset(&p, 0, sizeof(p));
    p.proto.key = opt && opt->key ? opt->key : DEFAULT_KEY;
    target = opt && opt->target ? opt->target : DEFAULT_TARGET;
    p.opt = opt;
    p.out = out;
    p.diag = diag;
    atomic_init(&p.stop, 0);

    if (ndirs == 0) {
        diag_error(diag, NULL, 0, 0, "no content folder given");
        return 0;
    }

    /* an invalid template is reported once; the posts are still read so
     * that their own problems are reported too */
    rc = template_compile(&p.proto.template, target, diag);
    if (rc == -2) {
        return -1;
    }
    p.proto.template_ok = rc == 0;

    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.more, NULL);

    p.walk_diag.capture = &p.walk;
    walk_rc = walk_posts(dirs, ndirs, queue_post, &p, &p.walk_diag);

    pthread_mutex_lock(&p.lock);
    p.walked = 1;
    pthread_cond_broadcast(&p.more);
    pthread_mutex_unlock(&p.lock);

    /* the walk is over: read posts here too, merging as we go */

    while (!p.stopped && (job = take_job(&p, 0)) != NULL) {
        run_job(&p, job);
        p.stopped = merge_ready(&p) != 0;
    }

    for (i = 0; i < p.started; i++) {
        pthread_join(p.threads[i], NULL);
    }

    if (!p.stopped) {
        p.stopped = merge_ready(&p) != 0;
    }

    for (i = p.merged; i < p.count; i++) {
        job_free(job_at(&p, i));      /* after a stop: never reported */
    }

    if (!p.stopped) {
        diag_replay(diag, &p.walk);  /* the walk's last messages */
    }
    diag_capture_free(&p.walk);

    for (i = 0; i < p.nchunks; i++) {
        free(p.chunks[i]);
    }
    free(p.chunks);

    pthread_mutex_destroy(&p.lock);
    pthread_cond_destroy(&p.more);
    template_free(&p.proto.template);
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
