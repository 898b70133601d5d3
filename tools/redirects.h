/*
 * redirects.h - the redirects a build collects, checked as a whole
 * before anything is written: keys are normalised, targets validated,
 * and duplicates and loops reported with the places they come from.
 *
 * Built for millions of entries: the strings of every entry live in one
 * arena owned by the list (no malloc per string), file names are kept
 * once each, and the checks sort by the key's hash (a radix sort) rather
 * than by the key's bytes.  Messages about entries are still printed in
 * the order of their keys, as they always were: they are collected while
 * a pass runs and sorted by key at its end (redirects_flush()).
 */

#ifndef REDIRECTS_H
#define REDIRECTS_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "lrmap_writer.h"

typedef struct {
    char        *key;         /* normalised legacy path (NUL-terminated) */
    char        *target;      /* where it goes, as it will be sent */
    const char  *file;        /* where it was declared (interned) */
    unsigned     line;
    unsigned     column;
    uint16_t     key_len;
    uint16_t     target_len;
    uint16_t     status;
    uint16_t     flags;       /* REDIRECT_* */
} redirect_t;

/* set by redirects_check(): the target is itself a key (a chain) */
#define REDIRECT_TO_KEY   0x0001u
#define REDIRECT_PAGE     0x4000u  /* private: a live page's path */
#define REDIRECT_DROPPED  0x8000u  /* private */

typedef struct {
    char        *path;        /* normalised path of a live page */
    const char  *file;        /* the post served there (interned) */
} page_t;

typedef struct redirects_block_s  redirects_block_t;
typedef struct redirects_note_s   redirects_note_t;

typedef struct {
    redirect_t         *items;
    size_t              count;
    size_t              capacity;
    unsigned            norm_flags;   /* LRM_NORM_* used for every key */
    page_t             *pages;        /* live pages (posts' new paths) */
    size_t              page_count;
    size_t              page_capacity;
    int                 pages_sorted; /* by path (redirects_sort_pages) */

    /* private */
    redirects_block_t  *blocks;       /* the arena of keys and targets */
    redirects_block_t **name_blocks;  /* of file names and page paths, */
    uint32_t           *name_first;   /* in order; first file of each */
    size_t              name_block_count;
    size_t              name_block_cap;
    size_t             *release;      /* redirects_files_plan() */
    size_t              release_next;
    const char        **files;        /* interned file names, by index */
    size_t              file_count;
    size_t              file_capacity;
    uint32_t           *file_table;   /* open addressing: index + 1 */
    size_t              file_table_size;
    uint32_t            last_file;    /* index + 1 of the last one used */
    uint64_t           *order;        /* items by hash (redirects.c) */
    uint32_t           *dir;          /* hash prefix -> first in order */
    char               *items_given;  /* redirects_release_items(): the
                                         items' memory before is gone */
    unsigned            dir_bits;
    redirects_note_t   *notes;        /* messages waiting for a flush */
    size_t              note_count;
    size_t              note_capacity;
} redirect_list_t;

/*
 * Whether a post's legacy URL is already its new path: the two normalised
 * with flags (LRM_NORM_*) are the same bytes.  With flags 0 such a URL
 * needs no redirect (a site that kept Blogger's paths).  One that is so
 * only caselessly would loop in a caseless map.
 */
int redirects_is_own_path(const char *legacy, const char *target,
    unsigned flags);

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

/* Sorts the live pages by path (equal paths are then neighbours). */
void redirects_sort_pages(redirect_list_t *list);

/* Frees the live pages, once the checks that use them are done. */
void redirects_drop_pages(redirect_list_t *list);

/*
 * Frees the pages and the file names, once nothing needs them (a build
 * that has given the writer its sources): every item's file is NULL
 * after this, and redirects_source() and redirects_file_index() must not
 * be used.  Keys and targets stay.
 */
void redirects_drop_files(redirect_list_t *list);

/*
 * Frees the items (and the index, pages and file names), keeping the
 * strings: their keys and targets stay valid until redirects_free(), for
 * a writer that refers to them.  The list is then empty.
 */
void redirects_drop_items(redirect_list_t *list);

/*
 * For a writer that takes the items in order: gives the memory of items
 * 0 .. upto - 1 back to the system (the whole pages they fill), so that
 * the list's copy and the writer's do not both take their full size.
 * Those items must not be read again; the next call on the list must be
 * another redirects_release_items() with a larger upto,
 * redirects_drop_items() or redirects_free().
 */
void redirects_release_items(redirect_list_t *list, size_t upto);

/*
 * For letting the file names go while they are handed over, in the order
 * of the items: redirects_files_plan() drops the pages and finds which
 * item is the last to need each name.  Then, once the items 0 .. upto no
 * longer need their file's name, redirects_files_done(upto) frees the
 * names no later item needs.  After the plan no file may be added, and
 * redirects_file_index() must not be used; redirects_drop_files() frees
 * the rest.  The plan returns 0, or -1 when out of memory (then nothing
 * is freed before redirects_drop_files()).
 */
int redirects_files_plan(redirect_list_t *list);
void redirects_files_done(redirect_list_t *list, size_t upto);

/*
 * Items stay in the order they were added (which is the order of their
 * strings in memory: passes over all items read memory in sequence).
 *
 * Indexes the entries by the keys' hashes and reports duplicates (one
 * key claimed twice with different answers, naming both places) and loops
 * (a key that is a live page's own path), in the order of the keys.  Identical repeats are
 * merged silently.
 */
void redirects_check(redirect_list_t *list, diag_t *diag);

/*
 * Warns about posts whose new path is the same (a template that tells
 * them apart by too little, as "{slug}" for two posts of one name in two
 * folders): their legacy URLs all lead to one page.  Each later post is
 * named with the first.  Returns 0, or -1 when out of memory.
 */
int redirects_warn_shared_pages(redirect_list_t *list, diag_t *diag);

/*
 * The entry of a normalised key, or NULL (after redirects_check(), which
 * builds the index, and before redirects_drop_index()).
 */
redirect_t *redirects_find(const redirect_list_t *list, const char *key,
    size_t key_len);

/* Frees the index used by redirects_find() (once no more lookups). */
void redirects_drop_index(redirect_list_t *list);

/* Orders two entries by their keys' bytes (as strcmp() would). */
int redirects_key_cmp(const redirect_t *a, const redirect_t *b);

/*
 * Replaces an entry's target by a copy of target (kept in the list's
 * arena).  Returns 0, or -1 when out of memory.
 */
int redirects_set_target(redirect_list_t *list, redirect_t *r,
    const char *target);

/*
 * An error about entry r, held back until redirects_flush(), which
 * prints the held messages in the order of their entries' keys (and in
 * the order they were made for one key).  Returns 0, or -1 when out of
 * memory (then the message is printed at once).
 */
int redirects_error(redirect_list_t *list, diag_t *diag,
    const redirect_t *r, const char *file, unsigned line, unsigned column,
    const char *fmt, ...) __attribute__((format(printf, 7, 8)));

void redirects_flush(redirect_list_t *list, diag_t *diag);

/*
 * Source file names: every name an entry was declared in, once each;
 * redirects_source() gives the index of an entry's, in 0 .. file_count.
 */
uint32_t redirects_source(const redirect_t *r);

/* The index of an interned file name, or -1 when no entry names it. */
long redirects_file_index(const redirect_list_t *list, const char *file);

void redirects_free(redirect_list_t *list);

#endif /* REDIRECTS_H */
