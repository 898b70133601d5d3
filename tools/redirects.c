/*
 * redirects.c - see redirects.h.
 */

#include <stdlib.h>
#include <string.h>

#include "lrmap.h"
#include "redirects.h"


static int
has_space_or_control(const char *s)
{
    const unsigned char  *p;

    for (p = (const unsigned char *) s; *p; p++) {
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
legacy_path(const char *legacy, size_t *len)
{
    const char  *path;

    if (legacy[0] == '/' && legacy[1] != '/') {
        *len = strlen(legacy);
        return legacy;
    }

    path = lrm_url_path(legacy, strlen(legacy), len);
    if (path != NULL && (*len == 0 || path[0] != '/')) {
        *len = 1;
        return "/";
    }

    return path;
}


/* Is target a site path ("/x") or an absolute http(s) URL with a host? */
static int
target_is_valid(const char *target)
{
    size_t  len;

    if (target[0] == '/') {
        return target[1] != '/' && target[1] != '\\';
    }

    return lrm_url_path(target, strlen(target), &len) != NULL;
}


/* Copies target with bytes >= 0x80 percent-encoded: headers are ASCII. */
static char *
encode_target(const char *target)
{
    static const char     hex[] = "0123456789ABCDEF";
    const unsigned char  *p;
    char                 *out, *o;

    out = malloc(strlen(target) * 3 + 1);
    if (out == NULL) {
        return NULL;
    }

    for (o = out, p = (const unsigned char *) target; *p; p++) {
        if (*p >= 0x80) {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 0x0f];

        } else {
            *o++ = (char) *p;
        }
    }

    *o = '\0';
    return out;
}


static int
push(redirect_t **items, size_t *count, size_t *capacity,
    const redirect_t *r)
{
    redirect_t  *grown;
    size_t       cap;

    if (*count == *capacity) {
        cap = *capacity ? *capacity * 2 : 256;
        grown = realloc(*items, cap * sizeof(redirect_t));
        if (grown == NULL) {
            return -1;
        }

        *items = grown;
        *capacity = cap;
    }

    (*items)[(*count)++] = *r;
    return 0;
}


int
redirects_add(redirect_list_t *list, const char *legacy, const char *target,
    unsigned status, const char *file, unsigned line, unsigned column,
    diag_t *diag)
{
    char         key[LRM_MAX_KEY], shown[256], shown2[256];
    const char  *path;
    size_t       path_len;
    long         n;
    redirect_t   r;

    if (has_space_or_control(legacy)) {
        diag_error(diag, file, line, column, "legacy URL \"%s\" contains "
                   "spaces or control characters",
                   diag_printable(legacy, strlen(legacy), shown,
                                  sizeof(shown)));
        return 1;
    }

    path = legacy_path(legacy, &path_len);
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

    if (status == 410 && target[0] == '\0') {
        /* Gone: no Location */

    } else if (!target_is_valid(target) || has_space_or_control(target)
               || strlen(target) > LRM_MAX_TARGET)
    {
        diag_error(diag, file, line, column, "target \"%s\" of legacy URL "
                   "\"%s\" must be a site path or an http(s) URL, without "
                   "spaces or control characters",
                   diag_printable(target, strlen(target), shown,
                                  sizeof(shown)),
                   diag_printable(legacy, strlen(legacy), shown2,
                                  sizeof(shown2)));
        return 1;
    }

    memset(&r, 0, sizeof(r));
    r.key = malloc((size_t) n + 1);
    r.target = encode_target(target);
    r.file = strdup(file);

    if (r.key == NULL || r.target == NULL || r.file == NULL) {
        free(r.key);
        free(r.target);
        free(r.file);
        return -1;
    }

    memcpy(r.key, key, (size_t) n);
    r.key[n] = '\0';
    r.key_len = (size_t) n;
    r.status = status;
    r.line = line;
    r.column = column;

    if (push(&list->items, &list->count, &list->capacity, &r) != 0) {
        free(r.key);
        free(r.target);
        free(r.file);
        return -1;
    }

    return 0;
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
    p->path = strndup(key, (size_t) n);
    p->file = strdup(file);

    if (p->path == NULL || p->file == NULL) {
        free(p->path);
        free(p->file);
        return -1;
    }

    list->page_count++;
    return 0;
}


static int
compare_keys(const void *a, const void *b)
{
    const redirect_t  *x = a, *y = b;
    size_t             n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int                c = memcmp(x->key, y->key, n);

    if (c != 0) {
        return c;
    }

    if (x->key_len != y->key_len) {
        return x->key_len < y->key_len ? -1 : 1;
    }

    /* keep declaration order among equal keys: file, then line */
    c = strcmp(x->file, y->file);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}


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


/* Reports each key claimed more than once; keeps the first of a run. */
static void
drop_duplicates(redirect_list_t *list, diag_t *diag)
{
    size_t       i, kept;
    redirect_t  *first, *r;

    kept = 0;
    first = NULL;

    for (i = 0; i < list->count; i++) {
        r = &list->items[i];

        if (first != NULL && r->key_len == first->key_len
            && memcmp(r->key, first->key, r->key_len) == 0)
        {
            if (!same_answer(first, r) || strcmp(first->file, r->file) != 0)
            {
                diag_error(diag, r->file, r->line, r->column,
                           "legacy URL \"%s\" is already claimed by %s:%u",
                           r->key, first->file, first->line);
            }

            free(r->key);
            free(r->target);
            free(r->file);
            continue;
        }

        list->items[kept++] = *r;
        first = &list->items[kept - 1];
    }

    list->count = kept;
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


static void
report_loops(redirect_list_t *list, diag_t *diag)
{
    char           target_key[LRM_MAX_KEY];
    size_t         i;
    long           n;
    redirect_t    *r;
    const page_t  *page;

    if (list->page_count > 0) {
        qsort(list->pages, list->page_count, sizeof(page_t), compare_pages);
    }

    for (i = 0; i < list->count; i++) {
        r = &list->items[i];

        n = -1;
        if (r->target[0] == '/') {
            n = lrm_normalize_path(r->target, strlen(r->target), target_key,
                                   list->norm_flags);
        }

        if (n == (long) r->key_len && memcmp(target_key, r->key, r->key_len)
                                      == 0)
        {
            diag_error(diag, r->file, r->line, r->column,
                       "legacy URL \"%s\" redirects to itself", r->key);

        } else if ((page = find_page(list, r->key)) != NULL) {
            diag_error(diag, r->file, r->line, r->column,
                       "legacy URL \"%s\" is the new path of a post (%s): "
                       "redirecting it would hide that page", r->key,
                       page->file);
        }
    }
}


void
redirects_check(redirect_list_t *list, diag_t *diag)
{
    if (list->count > 0) {       /* items is NULL in an empty list */
        qsort(list->items, list->count, sizeof(redirect_t), compare_keys);
    }

    drop_duplicates(list, diag);
    report_loops(list, diag);
}


redirect_t *
redirects_find(const redirect_list_t *list, const char *key, size_t key_len)
{
    size_t       lo = 0, hi = list->count, mid, n;
    redirect_t  *r;
    int          c;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        r = &list->items[mid];
        n = r->key_len < key_len ? r->key_len : key_len;
        c = memcmp(r->key, key, n);
        if (c == 0) {
            c = (r->key_len > key_len) - (r->key_len < key_len);
        }

        if (c == 0) {
            return r;
        }

        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }

    return NULL;
}


void
redirects_free(redirect_list_t *list)
{
    size_t  i;

    for (i = 0; i < list->count; i++) {
        free(list->items[i].key);
        free(list->items[i].target);
        free(list->items[i].file);
    }

    for (i = 0; i < list->page_count; i++) {
        free(list->pages[i].path);
        free(list->pages[i].file);
    }

    free(list->items);
    free(list->pages);
    memset(list, 0, sizeof(*list));
}
