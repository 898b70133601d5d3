/*
 * redirects.c - see redirects.h.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lrmap.h"
#include "lrmap_writer.h"
#include "redirects.h"

#define BLOCK_SIZE  ((size_t) 1 << 20)

struct redirects_block_s {
    redirects_block_t  *next;
    size_t              used;
    size_t              size;
    char                data[];
};

struct redirects_note_s {
    const char  *key;            /* the entry's key: the order of notes */
    size_t       key_len;
    size_t       seq;            /* then the order they were made in */
    const char  *file;
    unsigned     line;
    unsigned     column;
    char        *message;
};


/* ---- the arena of strings ---- */

static char *
arena_alloc_in(redirects_block_t **blocks, size_t n)
{
    redirects_block_t  *b = *blocks;
    size_t              size;
    char               *p;

    if (b == NULL || b->size - b->used < n) {
        size = n > BLOCK_SIZE / 4 ? n : BLOCK_SIZE;
        b = malloc(sizeof(redirects_block_t) + size);
        if (b == NULL) {
            return NULL;
        }

        b->used = 0;
        b->size = size;

        if (size == BLOCK_SIZE || *blocks == NULL) {
            b->next = *blocks;
            *blocks = b;

        } else {            /* a big one: keep the current block in use */
            b->next = (*blocks)->next;
            (*blocks)->next = b;
        }
    }

    p = b->data + b->used;
    b->used += n;
    return p;
}


/* keys and targets */
static char *
arena_alloc(redirect_list_t *list, size_t n)
{
    return arena_alloc_in(&list->blocks, n);
}


static char *
arena_dup(redirect_list_t *list, const char *s, size_t len)
{
    char  *p = arena_alloc(list, len + 1);

    if (p != NULL) {
        memcpy(p, s, len);
        p[len] = '\0';
    }

    return p;
}


/*
 * File names and page paths: blocks in the order they were made, each
 * with the index of the first file named in it, so that the names can go
 * block by block once no entry needs them (redirects_files_done()).
 */
static char *
names_alloc(redirect_list_t *list, size_t n)
{
    redirects_block_t  **blocks, *b = NULL;
    uint32_t            *first;
    size_t               cap, size;
    char                *p;

    if (list->name_block_count > 0) {
        b = list->name_blocks[list->name_block_count - 1];
    }

    if (b == NULL || b->size - b->used < n) {
        if (list->name_block_count == list->name_block_cap) {
            cap = list->name_block_cap ? list->name_block_cap * 2 : 16;
            blocks = realloc(list->name_blocks, cap * sizeof(*blocks));
            if (blocks == NULL) {
                return NULL;
            }
            list->name_blocks = blocks;
            first = realloc(list->name_first, cap * sizeof(*first));
            if (first == NULL) {
                return NULL;
            }
            list->name_first = first;
            list->name_block_cap = cap;
        }

        size = n > BLOCK_SIZE ? n : BLOCK_SIZE;
        b = malloc(sizeof(redirects_block_t) + size);
        if (b == NULL) {
            return NULL;
        }

        b->next = NULL;
        b->used = 0;
        b->size = size;
        list->name_blocks[list->name_block_count] = b;
        list->name_first[list->name_block_count] = (uint32_t) list->file_count;
        list->name_block_count++;
    }

    p = b->data + b->used;
    b->used += n;
    return p;
}


static void
names_free(redirect_list_t *list)
{
    size_t  i;

    for (i = 0; i < list->name_block_count; i++) {
        free(list->name_blocks[i]);
    }

    free(list->name_blocks);
    free(list->name_first);
    free(list->release);
    list->name_blocks = NULL;
    list->name_first = NULL;
    list->release = NULL;
    list->name_block_count = 0;
    list->name_block_cap = 0;
}


static void
arena_free(redirects_block_t **blocks)
{
    redirects_block_t  *b, *next;

    for (b = *blocks; b != NULL; b = next) {
        next = b->next;
        free(b);
    }

    *blocks = NULL;
}


/* ---- file names, kept once each: [u32 index][name NUL] ---- */

static uint32_t
file_index_of(const char *interned)
{
    uint32_t  idx;

    memcpy(&idx, interned - 4, 4);
    return idx;
}


uint32_t
redirects_source(const redirect_t *r)
{
    return file_index_of(r->file);
}


static uint32_t *
file_slot(const redirect_list_t *list, const char *file, size_t len)
{
    size_t     mask = list->file_table_size - 1;
    size_t     i = (size_t) lrm_hash(file, len) & mask;
    uint32_t  *slot;

    for ( ;; ) {
        slot = &list->file_table[i];

        if (*slot == 0 || strcmp(list->files[*slot - 1], file) == 0) {
            return slot;
        }

        i = (i + 1) & mask;
    }
}


static int
file_table_grow(redirect_list_t *list)
{
    size_t     size = list->file_table_size ? list->file_table_size * 2 : 64;
    uint32_t  *old = list->file_table, *slot;
    size_t     i;

    list->file_table = calloc(size, sizeof(uint32_t));
    if (list->file_table == NULL) {
        list->file_table = old;
        return -1;
    }

    list->file_table_size = size;

    for (i = 0; i < list->file_count; i++) {
        slot = file_slot(list, list->files[i], strlen(list->files[i]));
        *slot = (uint32_t) i + 1;
    }

    free(old);
    return 0;
}


static const char *
intern_file(redirect_list_t *list, const char *file)
{
    const char   **grown;
    uint32_t      *slot;
    size_t         len, cap;
    char          *p;
    uint32_t       idx;

    if (list->release != NULL) {
        return NULL;            /* the names are going: a caller's bug */
    }

    if (list->last_file != 0
        && strcmp(list->files[list->last_file - 1], file) == 0)
    {
        return list->files[list->last_file - 1];
    }

    if ((list->file_count + 1) * 2 > list->file_table_size
        && file_table_grow(list) != 0)
    {
        return NULL;
    }

    len = strlen(file);
    slot = file_slot(list, file, len);

    if (*slot != 0) {
        list->last_file = *slot;
        return list->files[*slot - 1];
    }

    if (list->file_count == list->file_capacity) {
        cap = list->file_capacity ? list->file_capacity * 2 : 16;
        grown = realloc(list->files, cap * sizeof(char *));
        if (grown == NULL) {
            return NULL;
        }
        list->files = grown;
        list->file_capacity = cap;
    }

    p = names_alloc(list, 4 + len + 1);
    if (p == NULL) {
        return NULL;
    }

    idx = (uint32_t) list->file_count;
    memcpy(p, &idx, 4);
    memcpy(p + 4, file, len + 1);

    list->files[list->file_count++] = p + 4;
    *slot = idx + 1;
    list->last_file = idx + 1;

    return p + 4;
}


long
redirects_file_index(const redirect_list_t *list, const char *file)
{
    uint32_t  *slot;

    if (list->file_table_size == 0) {
        return -1;
    }

    slot = file_slot(list, file, strlen(file));
    return *slot ? (long) *slot - 1 : -1;
}


/* ---- adding ---- */

static int
has_space_or_control(const char *s, size_t len)
{
    const unsigned char  *p = (const unsigned char *) s, *end = p + len;

    for ( ; p < end; p++) {
        if (*p <= 0x20 || *p == 0x7f) {
            return 1;
        }
    }

    return 0;
}


/*
 * The path part of a legacy URL: the URL itself when it is a path, the
 * path of an absolute http(s) URL ("/" when it has none), else NULL.
 */
static const char *
legacy_path(const char *legacy, size_t legacy_len, size_t *len)
{
    const char  *path;

    if (legacy[0] == '/' && legacy[1] != '/') {
        *len = legacy_len;
        return legacy;
    }

    path = lrm_url_path(legacy, legacy_len, len);
    if (path != NULL && (*len == 0 || path[0] != '/')) {
        *len = 1;
        return "/";
    }

    return path;
}


/*
 * Parameters that never tell pages apart: Blogger's mobile switch "m",
 * its comment links ("showComment"), share links ("spref") and AMP
 * switch ("amp"), and the trackers links pick up (utm_*, fbclid, gclid).
 */
static int
is_neutral_param(const char *name, size_t len)
{
    static const char *const  names[] = {
        "m", "showComment", "spref", "amp", "fbclid", "gclid"
    };
    size_t                    i;

    if (len > 4 && memcmp(name, "utm_", 4) == 0) {
        return 1;
    }

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strlen(names[i]) == len && memcmp(name, names[i], len) == 0) {
            return 1;
        }
    }

    return 0;
}

/*
 * Does the legacy URL (its path part, query included) carry a query that
 * a key cannot keep?  Keys are paths, so "/index.php?page_id=2" would
 * become "/index.php" and answer every query of it.  Parameters that
 * never tell pages apart do not count; a '?' after a '#' is part of the
 * fragment, which never reaches a server.
 */
static int
has_query(const char *path, size_t len)
{
    const char  *q, *hash, *end, *amp, *eq;

    q = memchr(path, '?', len);
    hash = memchr(path, '#', len);
    if (q == NULL || (hash != NULL && hash < q)) {
        return 0;
    }

    end = hash != NULL ? hash : path + len;

    for (q++; q < end; q = amp + (amp < end)) {
        amp = memchr(q, '&', (size_t) (end - q));
        if (amp == NULL) {
            amp = end;
        }

        eq = memchr(q, '=', (size_t) (amp - q));
        if (amp > q && !is_neutral_param(q, (size_t) ((eq ? eq : amp) - q)))
        {
            return 1;
        }
    }

    return 0;
}


/* Is target a site path ("/x") or an absolute http(s) URL with a host? */
static int
target_is_valid(const char *target, size_t target_len)
{
    size_t  len;

    if (target[0] == '/') {
        return target[1] != '/' && target[1] != '\\';
    }

    return lrm_url_path(target, target_len, &len) != NULL;
}


/* Copies target with bytes >= 0x80 percent-encoded: headers are ASCII. */
static size_t
encode_target(char *out, const char *target, size_t len)
{
    static const char     hex[] = "0123456789ABCDEF";
    const unsigned char  *p = (const unsigned char *) target;
    char                 *o = out;
    size_t                i;

    for (i = 0; i < len; i++) {
        if (p[i] >= 0x80) {
            *o++ = '%';
            *o++ = hex[p[i] >> 4];
            *o++ = hex[p[i] & 0x0f];

        } else {
            *o++ = (char) p[i];
        }
    }

    *o = '\0';
    return (size_t) (o - out);
}


static int
push(redirect_list_t *list, const redirect_t *r)
{
    redirect_t  *grown;
    size_t       cap;

    if (list->count == list->capacity) {
        cap = list->capacity ? list->capacity * 2 : 256;
        grown = realloc(list->items, cap * sizeof(redirect_t));
        if (grown == NULL) {
            return -1;
        }

        list->items = grown;
        list->capacity = cap;
    }

    list->items[list->count++] = *r;
    return 0;
}


int
redirects_is_own_path(const char *legacy, const char *target,
    unsigned flags)
{
    char         key[LRM_MAX_KEY], target_key[LRM_MAX_KEY];
    const char  *path;
    size_t       path_len;
    long         n, m;

    if (target[0] != '/' || has_space_or_control(legacy, strlen(legacy))) {
        return 0;
    }

    /* a query that may tell pages apart is redirects_add()'s error */
    path = legacy_path(legacy, strlen(legacy), &path_len);
    if (path == NULL || has_query(path, path_len)) {
        return 0;
    }

    n = lrm_normalize_path(path, path_len, key, flags);
    m = lrm_normalize_path(target, strlen(target), target_key, flags);

    return n > 1 && n == m && memcmp(key, target_key, (size_t) n) == 0;
}


int
redirects_add(redirect_list_t *list, const char *legacy, const char *target,
    unsigned status, const char *file, unsigned line, unsigned column,
    diag_t *diag)
{
    char         key[LRM_MAX_KEY], shown[256], shown2[256];
    const char  *path;
    size_t       path_len, legacy_len, target_len, high, i;
    long         n;
    char        *p;
    redirect_t   r;

    legacy_len = strlen(legacy);
    target_len = strlen(target);

    if (has_space_or_control(legacy, legacy_len)) {
        diag_error(diag, file, line, column, "legacy URL \"%s\" contains "
                   "spaces or control characters",
                   diag_printable(legacy, legacy_len, shown,
                                  sizeof(shown)));
        return 1;
    }

    path = legacy_path(legacy, legacy_len, &path_len);
    if (path == NULL) {
        diag_error(diag, file, line, column, "legacy URL \"%s\" is neither "
                   "a path starting with \"/\" nor an http(s) URL", legacy);
        return 1;
    }

    n = lrm_normalize_path(path, path_len, key, list->norm_flags);
    if (n < 0) {
        diag_error(diag, file, line, column, "legacy URL \"%s\" is not a "
                   "usable path (it climbs above \"/\" or is longer than "
                   "%d bytes)", legacy, LRM_MAX_KEY);
        return 1;
    }

    if (n == 1) {
        diag_error(diag, file, line, column, "legacy URL \"%s\" is the "
                   "site's home page \"/\": a redirect there would send "
                   "every visitor of the new home page away%s",
                   diag_printable(legacy, legacy_len, shown,
                                  sizeof(shown)),
                   has_query(path, path_len) ? " (a key is a path, without "
                   "its query); write a rule with match_query" : "");
        return 1;
    }

    if (has_query(path, path_len)) {
        diag_error(diag, file, line, column, "legacy URL \"%s\" has a "
                   "query string, but a key is a path: \"%.*s\" would "
                   "redirect whatever its query; write the path alone, or "
                   "a rule with match_query", diag_printable(legacy,
                   legacy_len, shown, sizeof(shown)),
                   (int) (n > 200 ? 200 : n), key);
        return 1;
    }

    if (status == 410 && target[0] == '\0') {
        /* Gone: no Location */

    } else if (!target_is_valid(target, target_len)
               || has_space_or_control(target, target_len)
               || target_len > LRM_MAX_TARGET)
    {
        diag_error(diag, file, line, column, "target \"%s\" of legacy URL "
                   "\"%s\" must be a site path or an http(s) URL, without "
                   "spaces or control characters",
                   diag_printable(target, target_len, shown,
                                  sizeof(shown)),
                   diag_printable(legacy, legacy_len, shown2,
                                  sizeof(shown2)));
        return 1;
    }

    for (high = 0, i = 0; i < target_len; i++) {
        high += (unsigned char) target[i] >= 0x80;
    }

    if (target_len + 2 * high > LRM_MAX_TARGET) {
        diag_error(diag, file, line, column, "target of legacy URL \"%s\" "
                   "is longer than %d bytes once its non-ASCII characters "
                   "are percent-encoded",
                   diag_printable(legacy, legacy_len, shown2,
                                  sizeof(shown2)), LRM_MAX_TARGET);
        return 1;
    }

    memset(&r, 0, sizeof(r));

    r.file = intern_file(list, file);
    p = arena_alloc(list, (size_t) n + 1 + target_len + 2 * high + 1);
    if (p == NULL || r.file == NULL) {
        return -1;
    }

    memcpy(p, key, (size_t) n);
    p[n] = '\0';
    r.key = p;
    r.key_len = (uint16_t) n;
    r.target = p + n + 1;
    r.target_len = (uint16_t) encode_target(r.target, target, target_len);
    r.status = (uint16_t) status;
    r.line = line;
    r.column = column;

    return push(list, &r);
}


/*
 * The page's path is usually the target of the entry just added (or the
 * path of the page just added, for a post with several legacy URLs):
 * then it is not kept twice.
 */
static const char *
page_path(redirect_list_t *list, const char *key, size_t len)
{
    const redirect_t  *last;
    const char        *prev;
    char              *p;

    if (list->count > 0) {
        last = &list->items[list->count - 1];

        if (last->target_len == len && memcmp(last->target, key, len) == 0)
        {
            return last->target;
        }
    }

    if (list->page_count > 0) {
        prev = list->pages[list->page_count - 1].path;

        if (strlen(prev) == len && memcmp(prev, key, len) == 0) {
            return prev;
        }
    }

    p = names_alloc(list, len + 1);
    if (p != NULL) {
        memcpy(p, key, len);
        p[len] = '\0';
    }

    return p;
}


int
redirects_add_page(redirect_list_t *list, const char *path, const char *file)
{
    char     key[LRM_MAX_KEY];
    page_t  *p;
    long     n;

    n = lrm_normalize_path(path, strlen(path), key, list->norm_flags);
    if (n < 0) {
        return 0;              /* not a site path: cannot collide */
    }

    if (list->page_count == list->page_capacity) {
        size_t   cap = list->page_capacity ? list->page_capacity * 2 : 256;
        page_t  *grown = realloc(list->pages, cap * sizeof(page_t));

        if (grown == NULL) {
            return -1;
        }

        list->pages = grown;
        list->page_capacity = cap;
    }

    p = &list->pages[list->page_count];
    list->pages_sorted = 0;
    p->path = (char *) page_path(list, key, (size_t) n);
    p->file = intern_file(list, file);

    if (p->path == NULL || p->file == NULL) {
        return -1;
    }

    list->page_count++;
    return 0;
}


void
redirects_drop_pages(redirect_list_t *list)
{
    free(list->pages);
    list->pages = NULL;
    list->page_count = 0;
    list->page_capacity = 0;
}


/* The block that holds file index f: the last one made before it. */
static size_t
block_of_file(const redirect_list_t *list, uint32_t f)
{
    size_t  lo = 0, hi = list->name_block_count, mid;

    /* the first block whose first file is after f, minus one */
    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (list->name_first[mid] <= f) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }

    return lo - 1;
}


static int
compare_release(const void *a, const void *b, void *last_use)
{
    size_t  x = ((const size_t *) last_use)[*(const size_t *) a];
    size_t  y = ((const size_t *) last_use)[*(const size_t *) b];

    return (x > y) - (x < y);
}


int
redirects_files_plan(redirect_list_t *list)
{
    size_t   n = list->name_block_count, i, *last, *order;

    redirects_drop_pages(list);

    last = malloc((n + 1) * sizeof(size_t));
    order = malloc((n + 1) * sizeof(size_t));
    if (last == NULL || order == NULL) {
        free(last);
        free(order);
        return -1;
    }

    /* a block nobody names (page paths only) goes at once */
    for (i = 0; i < n; i++) {
        last[i] = 0;
        order[i] = i;
    }

    for (i = 0; i < list->count; i++) {
        last[block_of_file(list, redirects_source(&list->items[i]))] = i;
    }

    qsort_r(order, n, sizeof(size_t), compare_release, last);

    /* one array: the blocks in the order they go, then their last use */
    free(list->release);
    list->release = malloc((2 * n + 1) * sizeof(size_t));
    if (list->release == NULL) {
        free(last);
        free(order);
        return -1;
    }

    memcpy(list->release, order, n * sizeof(size_t));
    memcpy(list->release + n, last, n * sizeof(size_t));
    list->release_next = 0;

    free(last);
    free(order);
    return 0;
}


void
redirects_files_done(redirect_list_t *list, size_t upto)
{
    size_t   n = list->name_block_count, k;

    while (list->release_next < n) {
        k = list->release[list->release_next];

        if (list->release[n + k] > upto) {
            break;
        }

        free(list->name_blocks[k]);
        list->name_blocks[k] = NULL;
        list->release_next++;
    }
}


void
redirects_drop_items(redirect_list_t *list)
{
    /* first: dropping the files writes to every item still listed */
    free(list->items);
    list->items = NULL;
    list->items_given = NULL;
    list->count = 0;
    list->capacity = 0;

    redirects_drop_index(list);
    redirects_drop_files(list);
}


void
redirects_release_items(redirect_list_t *list, size_t upto)
{
    uintptr_t  page, from, to;

    page = (uintptr_t) sysconf(_SC_PAGESIZE);
    from = (uintptr_t) (list->items_given != NULL ? list->items_given
                                                  : (char *) list->items);
    from = (from + page - 1) & ~(page - 1);
    to = (uintptr_t) (list->items + upto) & ~(page - 1);

    /*
     * Only whole pages past the block's first: the allocator's own words
     * before the block stay.  The pages come back as zeros if touched,
     * which nothing does before the block is freed.
     */
    if (to > from && madvise((void *) from, to - from, MADV_DONTNEED) == 0)
    {
        list->items_given = (char *) to;
    }
}


void
redirects_drop_files(redirect_list_t *list)
{
    size_t  i;

    redirects_drop_pages(list);

    for (i = 0; i < list->count; i++) {
        list->items[i].file = NULL;
    }

    names_free(list);
    free(list->files);
    free(list->file_table);
    list->files = NULL;
    list->file_count = 0;
    list->file_capacity = 0;
    list->file_table = NULL;
    list->file_table_size = 0;
    list->last_file = 0;
}


int
redirects_set_target(redirect_list_t *list, redirect_t *r,
    const char *target)
{
    size_t  len = strlen(target);
    char   *p = arena_dup(list, target, len);

    if (p == NULL) {
        return -1;
    }

    r->target = p;
    r->target_len = (uint16_t) len;
    return 0;
}


/* ---- messages in the order of keys ---- */

static int
bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int  c = memcmp(a, b, alen < blen ? alen : blen);

    if (c != 0) {
        return c;
    }

    return (alen > blen) - (alen < blen);
}


int
redirects_key_cmp(const redirect_t *a, const redirect_t *b)
{
    return bytes_cmp(a->key, a->key_len, b->key, b->key_len);
}


int
redirects_error(redirect_list_t *list, diag_t *diag, const redirect_t *r,
    const char *file, unsigned line, unsigned column, const char *fmt, ...)
{
    redirects_note_t  *grown, *note;
    va_list            ap;
    size_t             cap;
    char              *message = NULL;
    int                len;

    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);

    if (len >= 0) {
        message = malloc((size_t) len + 1);
    }

    if (message != NULL && list->note_count == list->note_capacity) {
        cap = list->note_capacity ? list->note_capacity * 2 : 16;
        grown = realloc(list->notes, cap * sizeof(redirects_note_t));
        if (grown == NULL) {
            free(message);
            message = NULL;
        } else {
            list->notes = grown;
            list->note_capacity = cap;
        }
    }

    if (message == NULL) {
        char  now[8192];

        /* out of memory: print it now, out of order rather than never */
        va_start(ap, fmt);
        vsnprintf(now, sizeof(now), fmt, ap);
        va_end(ap);
        diag_error(diag, file, line, column, "%s", now);
        return -1;
    }

    va_start(ap, fmt);
    vsnprintf(message, (size_t) len + 1, fmt, ap);
    va_end(ap);

    note = &list->notes[list->note_count];
    note->key = r->key;
    note->key_len = r->key_len;
    note->seq = list->note_count;
    note->file = file;
    note->line = line;
    note->column = column;
    note->message = message;
    list->note_count++;

    return 0;
}


static int
compare_notes(const void *a, const void *b)
{
    const redirects_note_t  *x = a, *y = b;
    int                      c;

    c = bytes_cmp(x->key, x->key_len, y->key, y->key_len);
    if (c != 0) {
        return c;
    }

    return (x->seq > y->seq) - (x->seq < y->seq);
}


void
redirects_flush(redirect_list_t *list, diag_t *diag)
{
    redirects_note_t  *note;
    size_t             i;

    if (list->note_count == 0) {
        return;
    }

    qsort(list->notes, list->note_count, sizeof(redirects_note_t),
          compare_notes);

    for (i = 0; i < list->note_count; i++) {
        note = &list->notes[i];
        diag_error(diag, note->file, note->line, note->column, "%s",
                   note->message);
        free(note->message);
    }

    list->note_count = 0;
}


/* ---- sorting by hash ---- */

/* key, then declaration order: file, then line */
static int
compare_entries(const redirect_t *x, const redirect_t *y)
{
    int  c = redirects_key_cmp(x, y);

    if (c != 0) {
        return c;
    }

    c = strcmp(x->file, y->file);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}


/*
 * The index of the items: order[i] holds the top 32 bits of an item's
 * key's hash, then the item's number; 8 bytes an item, which a build with
 * millions of entries holds at its peak of memory.
 */
#define ORDER_HASH(o)  ((uint32_t) ((o) >> 32))
#define ORDER_ITEM(o)  ((size_t) ((o) & 0xffffffffu))
/* sorted by hash then number with lrm_sort_u64(order, n, 32): the
 * numbers are in increasing order to start with, and the sort is stable */


/*
 * Orders the items by hash, and entries of one hash by key and place, so
 * that the claims of one key are neighbours, first declared first.
 */
static int
sort_items(redirect_list_t *list)
{
    uint64_t  *a, x;
    size_t     n = list->count, i, j, k, start;

    free(list->order);
    list->order = NULL;

    if (n >= UINT32_MAX) {
        return -1;
    }

    list->order = a = malloc((n ? n : 1) * sizeof(uint64_t));
    if (a == NULL) {
        return -1;
    }

    for (i = 0; i < n; i++) {
        a[i] = (lrm_hash(list->items[i].key, list->items[i].key_len)
                & UINT64_C(0xffffffff00000000)) | i;
    }

    if (lrm_sort_u64(a, n, 32) != 0) {
        return -1;
    }

    /* runs of one hash (one key claimed twice, or a collision) */
    for (start = 0; start < n; start = i) {
        for (i = start + 1;
             i < n && ORDER_HASH(a[i]) == ORDER_HASH(a[start]);
             i++)
        {
            /* void */
        }

        for (j = start + 1; j < i; j++) {
            x = a[j];
            for (k = j; k > start
                        && compare_entries(&list->items[ORDER_ITEM(a[k - 1])],
                                           &list->items[ORDER_ITEM(x)]) > 0;
                 k--)
            {
                a[k] = a[k - 1];
            }
            a[k] = x;
        }
    }

    return 0;
}


/* The directory: the first place in order of each prefix of the hash. */
static int
build_dir(redirect_list_t *list)
{
    size_t    n = list->count, size, i, p;
    unsigned  bits = 1;

    free(list->dir);
    list->dir = NULL;

    if (n >= UINT32_MAX) {
        return -1;
    }

    while (bits < 32 && ((size_t) 1 << bits) < n / 2) {
        bits++;
    }

    size = ((size_t) 1 << bits) + 1;
    list->dir = malloc(size * sizeof(uint32_t));
    if (list->dir == NULL) {
        return -1;
    }

    list->dir_bits = bits;

    for (p = 0, i = 0; i < n; i++) {
        size_t  home = (size_t) (ORDER_HASH(list->order[i]) >> (32 - bits));

        while (p <= home) {
            list->dir[p++] = (uint32_t) i;
        }
    }

    while (p < size) {
        list->dir[p++] = (uint32_t) n;
    }

    return 0;
}


redirect_t *
redirects_find(const redirect_list_t *list, const char *key, size_t key_len)
{
    uint32_t     h;
    size_t       i, end, p;
    redirect_t  *r;

    if (list->count == 0 || list->dir == NULL) {
        return NULL;
    }

    h = (uint32_t) (lrm_hash(key, key_len) >> 32);
    p = (size_t) (h >> (32 - list->dir_bits));

    for (i = list->dir[p], end = list->dir[p + 1]; i < end; i++) {
        if (ORDER_HASH(list->order[i]) != h) {
            continue;
        }

        r = &list->items[ORDER_ITEM(list->order[i])];

        if (r->key_len == key_len && memcmp(r->key, key, key_len) == 0) {
            return r;
        }
    }

    return NULL;
}


void
redirects_drop_index(redirect_list_t *list)
{
    free(list->order);
    free(list->dir);
    list->order = NULL;
    list->dir = NULL;
}


/* ---- the checks ---- */

static int
compare_pages(const void *a, const void *b)
{
    return strcmp(((const page_t *) a)->path, ((const page_t *) b)->path);
}


static int
same_answer(const redirect_t *a, const redirect_t *b)
{
    return a->status == b->status
           && (a->status == 410 || strcmp(a->target, b->target) == 0);
}


/*
 * Reports each key claimed more than once; keeps the first of a run (in
 * the order of the hashes, a run of one key is sorted by place).
 */
static int
drop_duplicates(redirect_list_t *list, diag_t *diag)
{
    uint64_t    *o = list->order;
    size_t       i, kept, dropped = 0;
    uint32_t    *remap, first_hash = 0;
    redirect_t  *first, *r;

    first = NULL;

    for (i = 0; i < list->count; i++) {
        r = &list->items[ORDER_ITEM(o[i])];

        if (first != NULL && ORDER_HASH(o[i]) == first_hash
            && r->key_len == first->key_len
            && memcmp(r->key, first->key, r->key_len) == 0)
        {
            if (!same_answer(first, r) || strcmp(first->file, r->file) != 0)
            {
                redirects_error(list, diag, r, r->file, r->line, r->column,
                                "legacy URL \"%s\" is already claimed by "
                                "%s:%u", r->key, first->file, first->line);
            }

            r->flags |= REDIRECT_DROPPED;
            dropped++;
            continue;
        }

        first = r;
        first_hash = ORDER_HASH(o[i]);
    }

    redirects_flush(list, diag);

    if (dropped == 0) {
        return 0;
    }

    /* take the dropped ones out of the items and of the order */

    remap = malloc(list->count * sizeof(uint32_t));
    if (remap == NULL) {
        return -1;
    }

    for (kept = 0, i = 0; i < list->count; i++) {
        remap[i] = (uint32_t) kept;
        kept += !(list->items[i].flags & REDIRECT_DROPPED);
    }

    for (kept = 0, i = 0; i < list->count; i++) {
        if (!(list->items[ORDER_ITEM(o[i])].flags & REDIRECT_DROPPED)) {
            o[kept++] = (o[i] & UINT64_C(0xffffffff00000000))
                        | remap[ORDER_ITEM(o[i])];
        }
    }

    for (kept = 0, i = 0; i < list->count; i++) {
        if (!(list->items[i].flags & REDIRECT_DROPPED)) {
            list->items[kept++] = list->items[i];
        }
    }

    list->count = kept;
    free(remap);
    return 0;
}


static const page_t *
find_page(const redirect_list_t *list, const char *key)
{
    page_t  probe;

    probe.path = (char *) key;
    return list->page_count == 0 ? NULL
           : bsearch(&probe, list->pages, list->page_count, sizeof(page_t),
                     compare_pages);
}


void
redirects_sort_pages(redirect_list_t *list)
{
    if (!list->pages_sorted && list->page_count > 0) {
        qsort(list->pages, list->page_count, sizeof(page_t), compare_pages);
    }

    list->pages_sorted = 1;
}


/*
 * Marks the entries whose key is a live page's path: one lookup in the
 * index per page rather than a search of the pages for every entry.
 * Returns how many are marked.
 */
static size_t
mark_pages(redirect_list_t *list)
{
    const page_t  *p;
    redirect_t    *r;
    size_t         i, marked = 0;

    for (i = 0; i < list->page_count; i++) {
        p = &list->pages[i];
        r = redirects_find(list, p->path, strlen(p->path));

        if (r != NULL && !(r->flags & REDIRECT_PAGE)) {
            r->flags |= REDIRECT_PAGE;
            marked++;
        }
    }

    return marked;
}


static void
report_loops(redirect_list_t *list, diag_t *diag)
{
    char           target_key[LRM_MAX_KEY];
    size_t         i;
    long           n;
    redirect_t    *r;
    const page_t  *page;

    /* which page a message names, when several have one path, is the
     * one the search of the sorted pages finds, as it always was */
    if (mark_pages(list) > 0) {
        redirects_sort_pages(list);
    }

    for (i = 0; i < list->count; i++) {
        r = &list->items[i];

        n = -1;
        if (r->target[0] == '/') {
            n = lrm_normalize_path(r->target, r->target_len, target_key,
                                   list->norm_flags);
        }

        if (n == (long) r->key_len && memcmp(target_key, r->key, r->key_len)
                                      == 0)
        {
            redirects_error(list, diag, r, r->file, r->line, r->column,
                            "legacy URL \"%s\" redirects to itself", r->key);

        } else if ((r->flags & REDIRECT_PAGE)
                   && (page = find_page(list, r->key)) != NULL)
        {
            redirects_error(list, diag, r, r->file, r->line, r->column,
                            "legacy URL \"%s\" is the new path of a post "
                            "(%s): redirecting it would hide that page",
                            r->key, page->file);
        }

        /* for chains_collapse(): does the target lead to another key? */
        if (n >= 0 && redirects_find(list, target_key, (size_t) n) != NULL) {
            r->flags |= REDIRECT_TO_KEY;
        }
    }

    redirects_flush(list, diag);
}


/* Posts sharing a new path named one by one; the rest are counted. */
#define SHARED_PAGES_SHOWN  10

static int
compare_u64(const void *a, const void *b)
{
    uint64_t  x = *(const uint64_t *) a, y = *(const uint64_t *) b;

    return x < y ? -1 : x > y;
}


static uint64_t
page_hash(const page_t *p)
{
    return lrm_hash(p->path, strlen(p->path));
}


/*
 * The hashes that more than one page has, sorted, into *dups; the pages'
 * hashes are sorted in place (8 bytes a page: what this check adds to a
 * build's memory).  Returns how many, or -1 when out of memory.
 */
static long
shared_hashes(redirect_list_t *list, uint64_t **dups)
{
    uint64_t  *h;
    size_t     i, n = list->page_count, ndups = 0;

    h = malloc(n * sizeof(uint64_t));
    if (h == NULL) {
        return -1;
    }

    for (i = 0; i < n; i++) {
        h[i] = page_hash(&list->pages[i]);
    }

    qsort(h, n, sizeof(uint64_t), compare_u64);

    /* in place: h[ndups] is written only after h[i] was read */
    for (i = 1; i < n; i++) {
        if (h[i] == h[i - 1] && (ndups == 0 || h[ndups - 1] != h[i])) {
            h[ndups++] = h[i];
        }
    }

    *dups = h;
    return (long) ndups;
}


/* (hash, page) or (later page, first page) pairs: by the first, then
 * by the second. */
static int
compare_u64_pairs(const void *a, const void *b)
{
    const uint64_t  *x = a, *y = b;

    return x[0] != y[0] ? (x[0] < y[0] ? -1 : 1)
                        : (x[1] < y[1] ? -1 : x[1] > y[1]);
}


int
redirects_warn_shared_pages(redirect_list_t *list, diag_t *diag)
{
    uint64_t      *dups = NULL, (*hits)[2], (*twins)[2], h;
    const page_t  *a, *b;
    size_t         i, first, nhits = 0, ntwins = 0;
    long           ndups;

    if (list->page_count < 2) {
        return 0;
    }

    ndups = shared_hashes(list, &dups);
    if (ndups <= 0) {
        free(dups);
        return (int) ndups;
    }

    /* the pages of those hashes, as (hash, page), then by hash */
    hits = malloc(list->page_count * sizeof(*hits));
    if (hits == NULL) {
        free(dups);
        return -1;
    }

    for (i = 0; i < list->page_count; i++) {
        h = page_hash(&list->pages[i]);
        if (bsearch(&h, dups, (size_t) ndups, sizeof(uint64_t), compare_u64))
        {
            hits[nhits][0] = h;
            hits[nhits++][1] = i;
        }
    }

    free(dups);
    qsort(hits, nhits, sizeof(*hits), compare_u64_pairs);

    twins = malloc(nhits * sizeof(*twins));
    if (twins == NULL) {
        free(hits);
        return -1;
    }

    /*
     * Within a hash the pages are in the walk's order, a post's own pages
     * (one per legacy URL) neighbours: each later post of a path is paired
     * once with the first.
     */
    for (first = 0, i = 1; i < nhits; i++) {
        a = &list->pages[hits[first][1]];
        b = &list->pages[hits[i][1]];

        if (hits[i][0] != hits[first][0] || strcmp(a->path, b->path) != 0) {
            first = i;

        } else if (b->file != a->file
                   && b->file != list->pages[hits[i - 1][1]].file)
        {
            twins[ntwins][0] = hits[i][1];
            twins[ntwins++][1] = hits[first][1];
        }
    }

    free(hits);
    hits = NULL;

    /* in the order of the walk, as the posts' own messages */
    qsort(twins, ntwins, sizeof(*twins), compare_u64_pairs);

    for (i = 0; i < ntwins && i < SHARED_PAGES_SHOWN; i++) {
        a = &list->pages[twins[i][1]];
        b = &list->pages[twins[i][0]];
        diag_warning(diag, b->file, 0, 0, "its new path \"%s\" is also "
                     "that of %s: the legacy URLs of both lead to one page "
                     "(is the target template right?)", b->path, a->file);
    }

    if (ntwins > SHARED_PAGES_SHOWN) {
        diag_warning(diag, NULL, 0, 0, "%zu more posts have the new path "
                     "of another", ntwins - SHARED_PAGES_SHOWN);
    }

    free(hits);
    free(twins);
    return 0;
}


void
redirects_check(redirect_list_t *list, diag_t *diag)
{
    if (sort_items(list) != 0 || drop_duplicates(list, diag) != 0
        || build_dir(list) != 0)
    {
        diag_error(diag, NULL, 0, 0, "out of memory");
        redirects_drop_index(list);
        return;
    }

    report_loops(list, diag);
}


void
redirects_free(redirect_list_t *list)
{
    size_t  i;

    arena_free(&list->blocks);
    names_free(list);

    for (i = 0; i < list->note_count; i++) {
        free(list->notes[i].message);
    }

    free(list->items);
    free(list->pages);
    free(list->files);
    free(list->file_table);
    free(list->order);
    free(list->dir);
    free(list->notes);
    memset(list, 0, sizeof(*list));
}
