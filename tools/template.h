/*
 * template.h - the target template, "/{year}/{month}/{slug}" by default.
 *
 * Placeholders:
 *     {year} {month} {day}  the post date (4, 2 and 2 digits), see dates.h
 *     {slug}                the front matter's slug, else the folder name of
 *                           a "<slug>/index.<ext>" post, else the file
 *                           name without its extension (and without
 *                           Jekyll's date)
 *     {path}                the post's path in its content folder, without
 *                           its extension (template_path())
 *     With slugify set, a file or folder name in {slug} and each one in
 *     {path} is slugified as github-slugger's slug() does, as Astro
 *     makes a post's slug (Astro 4) and id (Astro 5's glob loader):
 *     lowercased, each ' ' made '-', punctuation, symbols, other spaces
 *     and control characters dropped.  A front matter slug stays as it
 *     is, as in Astro.  {path} is then Astro's id: a last "index" is
 *     dropped once slugified, no other page ("b/b.md" stays b/b).
 *     {categories}          Jekyll's :categories: the folders above a
 *                           "_posts" folder, then the front matter's
 *                           categories (a list, or a string split at
 *                           blanks) and category, lowercased, each once,
 *                           joined with '/'; none: nothing, and the '/'
 *                           before it goes when the text after it has one
 *     {name}                the top-level front matter scalar "name"
 * A placeholder name is a letter or '_' followed by letters, digits, '_'
 * and '-'.  The template's own text is copied as it is; substituted
 * values are percent-encoded where a URL path needs it (space, bytes
 * from 0x80, " < > \ ^ ` { | } # ? and a '%' not starting an escape),
 * '/' is kept, and a control character in a value is an error, as is a
 * value that gives the path an empty segment ("//") or a dot segment.
 * The template's own text may have neither (template_compile()).
 */

#ifndef TEMPLATE_H
#define TEMPLATE_H

#include <stddef.h>

#include "dates.h"
#include "diag.h"
#include "frontmatter.h"

typedef enum {
    TEMPLATE_TEXT,
    TEMPLATE_YEAR,
    TEMPLATE_MONTH,
    TEMPLATE_DAY,
    TEMPLATE_SLUG,
    TEMPLATE_PATH,
    TEMPLATE_CATEGORIES,
    TEMPLATE_FIELD
} template_part_kind_t;

typedef struct {
    template_part_kind_t   kind;
    char                  *text;    /* TEXT: the text; FIELD: the name */
    size_t                 len;
} template_part_t;

typedef struct {
    template_part_t  *parts;
    size_t            count;
    int               needs_date;   /* uses {year}, {month} or {day} */
    const date_zone_t *zone;        /* where a timestamp's day is taken */
    const char       *path_field;   /* a post's own new path, or NULL */
    const char       *date_field;   /* the date's field, NULL: dates.h's */
    int               date_prefix_anywhere;  /* a name's date, not only
                                                in Jekyll's _posts */
    int               slugify;      /* names in {slug} and {path} as
                                       Astro makes them (see above) */
    const char       *first_date;   /* "year" ...: the first one used */
} template_t;

/*
 * Splits the template into parts.  Returns 0, -1 when the template is
 * invalid (reported once, without a file), -2 when out of memory
 * (reported).
 */
int template_compile(template_t *t, const char *text, diag_t *diag);

void template_free(template_t *t);

/*
 * Expands the template for the post at path (rel: the same in its
 * content folder, for {path}) into *out (malloc'ed); a post
 * that sets t->path_field (Hugo's url, Jekyll's permalink) has that
 * path instead, with '/' put before it when it has none and escaped as
 * a value is, its '?' and '#' kept; a pattern there (":title", "{{ }}")
 * is an error.
 * Returns 0, -1 when the post lacks something the template needs or a
 * value is invalid (reported), -2 when out of memory (reported).
 */
int template_expand(const template_t *t, const frontmatter_t *fm,
    const char *path, const char *rel, char **out, diag_t *diag);

/* The path of a post in its content folder, for {path}: without its
 * extension, and without its name for a folder's page ("a/b/index.md",
 * Eleventy's "a/b/b.md" -> "a/b"): "notes/x.md" -> "notes/x". */
const char *template_path(const char *rel, size_t *len);

/*
 * The slug of a post path: "a/b/index.md" -> "b", "a/c.md" -> "c",
 * "_posts/2023-03-08-c.md" -> "c" (Jekyll's posts, in a "_posts" folder
 * at any depth), and with anywhere set (--date-prefix) the date at the
 * start of any file or bundle folder name taken off too
 * ("blog/2022-01-01_b/index.md" -> "b"), as Eleventy, Docusaurus and
 * Zola do.  Returns a pointer into path and sets *len.
 */
const char *template_slug(const char *path, size_t *len, int anywhere);

/*
 * The date of a Jekyll post's file name ("_posts/2023-3-8-c.md"), or of
 * any file or bundle folder name with anywhere set, for a post whose
 * front matter has none.  Returns 1 with *date set, 0 when the name has
 * none, -1 when it is no date (its text then in shown).
 */
int template_file_date(const char *path, post_date_t *date, char *shown,
    size_t shown_size, int anywhere);

#endif /* TEMPLATE_H */
