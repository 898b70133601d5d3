/*
 * posts.h - finding posts in content folders and reading the redirects
 * their front matter asks for.
 */

#ifndef POSTS_H
#define POSTS_H

#include <stddef.h>

#include "dates.h"
#include "diag.h"

typedef struct {
    char      *legacy;          /* legacy URL exactly as written */
    char      *target;          /* the post's new path, template expanded */
    char      *file;            /* the post, as "DIR/relative/path.md" */
    unsigned   line;            /* 1-based line of the legacy URL scalar */
    unsigned   column;          /* 1-based column of it */
    int        unpublished;     /* published: false or draft: true */
} post_redirect_t;

/* how many fields may hold legacy URLs ("blogger_orig_url,redirect_from") */
#define POSTS_MAX_KEYS       8
#define POSTS_MAX_KEYS_TEXT  "8"

typedef struct {
    const char  *key;           /* fields holding legacy URLs, separated
                                   by commas: "legacyUrl" */
    const char  *target;        /* template: "/{year}/{month}/{slug}" */
    const date_zone_t  *zone;   /* where a timestamp's day is, or NULL */
    const char  *path_field;    /* a post's own new path ("url"), or NULL */
    const char  *date_field;    /* the date's field, or NULL (dates.h) */
    int          date_prefix_anywhere;  /* names' dates: template.h */
    int          slugify;       /* names slugified: template.h */
    /* called after each file read with the count so far, or NULL */
    void       (*progress)(size_t files_read, void *ctx);
    void        *progress_ctx;
    /*
     * When set, each redirect found is handed to item (in the order of
     * the walk, from the calling thread) instead of being appended to
     * the list, whose counts are still kept: its strings are valid
     * during the call only.  item returns 0, or -1 to stop the run (then
     * posts_collect() returns -1).
     */
    int        (*item)(const post_redirect_t *r, void *ctx);
    void        *item_ctx;
} posts_options_t;

typedef struct {
    post_redirect_t  *items;
    size_t            count;
    size_t            capacity;
    size_t            files_read;    /* post files opened and parsed */
    size_t            posts_skipped; /* posts without a legacy URL */
    size_t            files_ignored; /* read, but without front matter */
} post_list_t;

/*
 * Counting: every *.md (...) file that could be read counts in
 * files_read, whether or not it turned out to be a post; the ones whose
 * first line is not "---" are not posts and also count in files_ignored.
 * A post whose front matter is invalid counts as read, a file that
 * cannot be opened does not.
 */

/*
 * Walks dirs recursively and appends one item per legacy URL found.
 * Problems are reported through diag (and counted there); reading goes
 * on after an error so that one run reports all of them.  Returns 0, or
 * -1 on an error that stops the walk (out of memory).
 */
int posts_collect(const char *const *dirs, size_t ndirs,
    const posts_options_t *opt, post_list_t *out, diag_t *diag);

void posts_free(post_list_t *list);

/*
 * What is wrong with a key option (field names separated by commas,
 * blanks around them ignored): NULL when nothing, else "an empty field
 * name" or that there are too many.
 */
const char *posts_keys_problem(const char *keys);

#endif /* POSTS_H */
