/*
 * redirects.h - the redirects a build collects, checked as a whole
 * before anything is written: keys are normalised, targets validated,
 * and duplicates and loops reported with the places they come from.
 */

#ifndef REDIRECTS_H
#define REDIRECTS_H

#include <stddef.h>

#include "diag.h"

typedef struct {
    char      *key;           /* normalised legacy path */
    size_t     key_len;
    char      *target;        /* where it goes, as it will be sent */
    unsigned   status;
    char      *file;          /* where it was declared */
    unsigned   line;
    unsigned   column;
} redirect_t;

typedef struct {
    char      *path;          /* normalised path of a live page */
    char      *file;          /* the post served there */
} page_t;

typedef struct {
    redirect_t  *items;
    size_t       count;
    size_t       capacity;
    unsigned     norm_flags;   /* LRM_NORM_* used for every key */
    page_t      *pages;        /* live pages (posts' new paths) */
    size_t       page_count;
    size_t       page_capacity;
} redirect_list_t;

/*
 * Adds legacy -> target.  legacy is a path or an absolute http(s) URL;
 * target a site path or an absolute http(s) URL ("" for a 410).  Reports
 * and skips an unusable URL.  Returns 0, 1 when reported, or -1 when out
 * of memory.
 */
int redirects_add(redirect_list_t *list, const char *legacy,
    const char *target, unsigned status, const char *file, unsigned line,
    unsigned column, diag_t *diag);

/* Records that a page is served at path (the new path of post file). */
int redirects_add_page(redirect_list_t *list, const char *path,
    const char *file);

/*
 * Sorts by key and reports duplicates (one key claimed twice with
 * different answers, naming both places) and loops (a key that is a live
 * page's own path).  Identical repeats are merged silently.
 */
void redirects_check(redirect_list_t *list, diag_t *diag);

/*
 * The entry of a normalised key, or NULL (after redirects_check(), which
 * sorts the list).
 */
redirect_t *redirects_find(const redirect_list_t *list, const char *key,
    size_t key_len);

void redirects_free(redirect_list_t *list);

#endif /* REDIRECTS_H */
