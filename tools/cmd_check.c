/*
 * cmd_check.c - "check": everything "build" validates, no map written;
 * with --site, every target must exist in the built site; with --json,
 * one JSON report on stdout.
 *
 * In JSON mode the messages still go to stderr as well, compiler style,
 * so that a CI log shows them; stdout holds the JSON document only.
 */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "build.h"
#include "cli.h"
#include "json.h"


typedef struct {
    char      *kind;            /* "error" or "warning" */
    char      *file;            /* NULL: about the run */
    unsigned   line;
    unsigned   column;
    char      *message;
} message_t;

typedef struct {
    message_t  *items;
    size_t      count;
    size_t      capacity;
    int         nomem;
} message_list_t;

typedef struct {
    size_t  checked;            /* targets looked for in the site */
    size_t  missing;            /* redirects to nowhere */
    size_t  hiding;             /* legacy URLs that are pages of the site */
    size_t  skipped;            /* absolute URLs, targets with $N */
} site_stats_t;


static char *
dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}


static void
record_message(void *ctx, const char *kind, const char *file, unsigned line,
    unsigned column, const char *message)
{
    message_list_t  *ml = ctx;
    message_t       *grown, *m;

    if (ml->nomem) {
        return;
    }

    if (ml->count == ml->capacity) {
        ml->capacity = ml->capacity ? ml->capacity * 2 : 16;
        grown = realloc(ml->items, ml->capacity * sizeof(*grown));
        if (grown == NULL) {
            ml->nomem = 1;
            return;
        }
        ml->items = grown;
    }

    m = &ml->items[ml->count];
    m->kind = strdup(kind);
    m->file = dup_or_null(file);
    m->line = line;
    m->column = column;
    m->message = strdup(message);

    if (m->kind == NULL || m->message == NULL
        || (file != NULL && m->file == NULL))
    {
        free(m->kind);
        free(m->file);
        free(m->message);
        ml->nomem = 1;
        return;
    }

    ml->count++;
}


static void
free_messages(message_list_t *ml)
{
    size_t  i;

    for (i = 0; i < ml->count; i++) {
        free(ml->items[i].kind);
        free(ml->items[i].file);
        free(ml->items[i].message);
    }
    free(ml->items);
}


static int
is_regular(const char *path)
{
    struct stat  st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}


/*
 * The file path of a site path: len bytes of url percent-decoded, as
 * nginx decodes a request's path, into path (PATH_MAX bytes).  Returns
 * its length, or 0 when no file can have it (too long, a NUL).
 */
static size_t
file_path(const char *url, size_t len, char *path)
{
    size_t  i, n = 0;
    int     hi, lo;

    for (i = 0; i < len; i++) {
        if (n + 1 >= PATH_MAX) {
            return 0;
        }

        if (url[i] == '%' && i + 2 < len
            && (hi = lrm_hex_digit((unsigned char) url[i + 1])) >= 0
            && (lo = lrm_hex_digit((unsigned char) url[i + 2])) >= 0)
        {
            if (hi == 0 && lo == 0) {
                return 0;
            }
            path[n++] = (char) (hi << 4 | lo);
            i += 2;
            continue;
        }

        path[n++] = url[i];
    }
    path[n] = '\0';

    return n;
}


/*
 * Whether the site serves the path (n bytes) as try_files $uri $uri/
 * does: SITE/PATH, or SITE/PATH/index.html.  Returns 1 with the file.
 */
static int
served_as_is(const char *site, const char *path, size_t n, char *file,
    size_t size)
{
    snprintf(file, size, "%s%s", site, path);
    if (path[n - 1] != '/' && is_regular(file)) {
        return 1;
    }

    snprintf(file, size, "%s%s%sindex.html", site, path,
             path[n - 1] == '/' ? "" : "/");
    return is_regular(file);
}


/*
 * Whether a site path target exists in site: SITE/PATH, SITE/PATH/index.html
 * or SITE/PATH.html, where PATH is the target without its query string
 * or fragment, percent-decoded.
 */
static int
target_exists(const char *site, const char *target)
{
    char    path[PATH_MAX], file[PATH_MAX + 16];
    size_t  n;

    n = file_path(target, strcspn(target, "?#"), path);
    if (n == 0) {
        return 0;
    }

    if (served_as_is(site, path, n, file, sizeof(file))) {
        return 1;
    }

    while (n > 1 && path[n - 1] == '/') {
        path[--n] = '\0';
    }

    if (n > 1) {
        snprintf(file, sizeof(file), "%s%s.html", site, path);
        if (is_regular(file)) {
            return 1;
        }
    }

    return 0;
}


/*
 * The file of the site that a legacy key would be served from if there
 * were no redirect (SITE/KEY, or SITE/KEY/index.html).  Returns 1 with
 * it in file.
 */
static int
key_is_page(const char *site, const char *key, char *file, size_t size)
{
    char    path[PATH_MAX];
    size_t  n;

    n = file_path(key, strlen(key), path);
    return n > 0 && served_as_is(site, path, n, file, size);
}


static int
is_site_path(const char *target)
{
    return target[0] == '/' && target[1] != '/' && target[1] != '\\';
}


/* Reports every redirect whose target is not in the site. */
static void
check_site(build_t *b, site_stats_t *st)
{
    const char        *site = b->opt.site;
    redirect_t        *e;
    const rule_t      *r;
    size_t             i;
    char               page[PATH_MAX + 16];

    for (i = 0; i < b->list.count; i++) {
        e = &b->list.items[i];

        if (key_is_page(site, e->key, page, sizeof(page))) {
            st->hiding++;
            diag_warning(&b->diag, e->file, e->line, e->column, "legacy "
                         "URL \"%s\" is a page of the site (%s): the "
                         "redirect hides it", e->key, page);
        }

        if (e->status == STATUS_GONE) {
            continue;
        }

        if (!is_site_path(e->target)) {
            st->skipped++;
            continue;
        }

        st->checked++;

        if (!target_exists(site, e->target)) {
            st->missing++;
            redirects_error(&b->list, &b->diag, e, e->file, e->line,
                            e->column, "target \"%s\" of \"%s\" does not "
                            "exist in %s", e->target, e->key, site);
        }
    }

    redirects_flush(&b->list, &b->diag);     /* in the order of the keys */

    /* a legacy URL left out as its post's own path must be a page */
    for (i = 0; i < b->nkept; i++) {
        st->checked++;

        if (!target_exists(site, b->kept[i].path)) {
            st->missing++;
            diag_error(&b->diag, b->kept[i].file, b->kept[i].line,
                       b->kept[i].column, "legacy URL \"%s\" was left out "
                       "as its post's own new path, but it does not exist "
                       "in %s", b->kept[i].path, site);
        }
    }

    for (i = 0; i < b->rules.count; i++) {
        r = &b->rules.items[i];

        if (r->status == STATUS_GONE) {
            continue;
        }

        if (!rules_target_is_literal(r) || !is_site_path(r->target)) {
            st->skipped++;
            continue;
        }

        st->checked++;

        if (!target_exists(site, r->target)) {
            st->missing++;
            diag_error(&b->diag, r->file, r->line, r->column, "target \"%s\" "
                       "of rule '%s' does not exist in %s", r->target,
                       r->pattern, site);
        }
    }
}


static void
print_messages(const message_list_t *ml, const char *kind)
{
    const message_t  *m;
    size_t            i;
    int               first = 1;

    fputc('[', stdout);

    for (i = 0; i < ml->count; i++) {
        m = &ml->items[i];

        if (strcmp(m->kind, kind) != 0) {
            continue;
        }

        fputs(first ? "\n    {\"file\": " : ",\n    {\"file\": ", stdout);
        json_cstring(stdout, m->file);
        if (m->line != 0) {
            printf(", \"line\": %u", m->line);
        } else {
            fputs(", \"line\": null", stdout);
        }
        if (m->column != 0) {
            printf(", \"column\": %u", m->column);
        } else {
            fputs(", \"column\": null", stdout);
        }
        fputs(", \"message\": ", stdout);
        json_cstring(stdout, m->message);
        fputc('}', stdout);
        first = 0;
    }

    fputs(first ? "]" : "\n  ]", stdout);
}


static void
print_json(const build_t *b, const message_list_t *ml, int rc,
    const site_stats_t *st)
{
    printf("{\n  \"ok\": %s,\n  \"exit\": %d,\n  \"errors\": ",
           rc == EXIT_OK ? "true" : "false", rc);
    print_messages(ml, "error");
    fputs(",\n  \"warnings\": ", stdout);
    print_messages(ml, "warning");
    printf(",\n  \"files\": %zu,\n  \"posts_skipped\": %zu,\n"
           "  \"redirects\": %zu,\n  \"rules\": %zu,\n  \"site\": ",
           b->posts.files_read, b->posts.posts_skipped, b->list.count,
           b->rules.count);
    json_cstring(stdout, b->opt.site);

    if (b->opt.site != NULL) {
        printf(",\n  \"targets_checked\": %zu,\n  \"targets_missing\": %zu,"
               "\n  \"targets_skipped\": %zu,\n  \"legacy_urls_hiding_pages\": "
               "%zu", st->checked, st->missing, st->skipped, st->hiding);
    }

    fputs("\n}\n", stdout);
}


int
cmd_check(int argc, char **argv)
{
    build_t         b;
    message_list_t  ml = { 0 };
    site_stats_t    st = { 0 };
    struct stat     sst;
    char            nrules[64] = "", site[PATH_MAX + 64] = "";
    int             rc;

    if (build_parse_options(&b, BUILD_MODE_CHECK, argc, argv) != 0) {
        free(b.keys);
        return EXIT_USAGE;
    }

    if (b.opt.site != NULL
        && (stat(b.opt.site, &sst) != 0 || !S_ISDIR(sst.st_mode)))
    {
        fprintf(stderr, "redirect-map check: --site %s: not a folder\n",
                b.opt.site);
        try_help("check");
        free(b.keys);
        return EXIT_USAGE;
    }

    if (b.opt.json) {
        b.hook = record_message;
        b.hook_ctx = &ml;
    }

    rc = build_collect(&b);

    if (rc == EXIT_USAGE) {
        build_free(&b);
        free_messages(&ml);
        return rc;
    }

    if (b.opt.site != NULL && (rc == EXIT_OK || rc == EXIT_INVALID)) {
        check_site(&b, &st);
        rc = b.diag.errors > 0 ? EXIT_INVALID : EXIT_OK;
    }

    if (ml.nomem) {
        fprintf(stderr, "redirect-map: out of memory\n");
        rc = EXIT_IO;
    }

    if (b.opt.json) {
        print_json(&b, &ml, rc, &st);
        if (fflush(stdout) != 0 && rc != EXIT_IO) {
            fprintf(stderr, "redirect-map: cannot write the output\n");
            rc = EXIT_IO;
        }

    } else if (rc == EXIT_INVALID) {
        fprintf(stderr, "redirect-map: %zu error%s\n", b.diag.errors,
                plural(b.diag.errors));

    } else if (rc == EXIT_OK && !b.opt.quiet) {
        if (b.rules.count > 0) {
            snprintf(nrules, sizeof(nrules), " and %zu rule%s",
                     b.rules.count, plural(b.rules.count));
        }
        if (b.opt.site != NULL) {
            snprintf(site, sizeof(site), ", %zu targets found in %s",
                     st.checked, b.opt.site);
        }

        fprintf(stderr, "redirect-map: %zu file%s read, %zu redirect%s%s "
                "checked, %zu post%s skipped%s in %.2f s: no errors\n",
                b.posts.files_read, plural(b.posts.files_read), b.list.count,
                plural(b.list.count), nrules, b.posts.posts_skipped,
                plural(b.posts.posts_skipped), site, build_seconds(&b));
    }

    build_free(&b);
    free_messages(&ml);
    return rc;
}
