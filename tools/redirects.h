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
    redirect_t  *items;
    size_t       count;
    size_t       capacity;
    unsigned     norm_flags;   /* LRM_NORM_* used for every key */
    char       **pages;        /* normalised paths of live pages */
    size_t       page_count;
    size_t       page_capacity;
} redirect_list_t;

/*
 * Adds legacy -> target.  legacy is a path or an absolute http(s) URL;
 * target a site path or an absolute http(s) URL.  Reports and skips an
 * unusable URL.  Returns 0, 1 when reported, or -1 when out of memory.
 */
int redirects_add(redirect_list_t *list, const char *legacy,
    const char *target, unsigned status, const char *file, unsigned line,
    unsigned column, diag_t *diag);

/* Records that a page is served at path (a post's new path). */
int redirects_add_page(redirect_list_t *list, const char *path);

/*
 * Sorts by key and reports duplicates (one key claimed twice with
 * different answers, naming both places) and loops (a key that is a live
 * page's own path).  Identical repeats are merged silently.
 */
void redirects_check(redirect_list_t *list, diag_t *diag);

void redirects_free(redirect_list_t *list);

#endif /* REDIRECTS_H */
