/*
 * posts.c - finding posts and reading the redirects their front matter
 * asks for, see posts.h.
 */

#include <stdlib.h>
#include <string.h>

#include "frontmatter.h"
#include "posts.h"
#include "template.h"
#include "walk.h"

#define DEFAULT_KEY     "legacyUrl"
#define DEFAULT_TARGET  "/{year}/{month}/{slug}"

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

int
posts_collect(const char *const *dirs, size_t ndirs,
    const posts_options_t *opt, post_list_t *out, diag_t *diag)
{
    collector_t   c;
    const char   *target;
    int           rc;

    memset(&c, 0, sizeof(collector_t));
    c.key = opt && opt->key ? opt->key : DEFAULT_KEY;
    c.out = out;
    c.diag = diag;
    c.opt = opt;
    target = opt && opt->target ? opt->target : DEFAULT_TARGET;

    if (ndirs == 0) {
        diag_error(diag, NULL, 0, 0, "no content folder given");
        return 0;
    }

    /* an invalid template is reported once; the posts are still read so
     * that their own problems are reported too */
    rc = template_compile(&c.template, target, diag);
    if (rc == -2) {
        return -1;
    }
    c.template_ok = rc == 0;

    rc = walk_posts(dirs, ndirs, visit_post, &c, diag);

    template_free(&c.template);
    return rc;
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
