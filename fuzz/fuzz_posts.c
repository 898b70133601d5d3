/*
 * fuzz_posts.c - a post file as the build reads it: front matter
 * extraction (BOM, CRLF, closing line), YAML parsing with libyaml, the
 * legacy URL field, the date, the target template, and then the build's
 * checks, writing and reading back (fuzz_finish()).
 *
 * Byte 0 chooses the front matter key and target template (bits 0-1),
 * the site's way with dates and own paths (bits 2-3: as written; in
 * UTC with Hugo's url; at +05:30 with date alone and two keys; as written
 * with Jekyll's permalink), caseless keys (bit 4) and where the file is
 * (bits 5-6: a page bundle, a Jekyll post whose name holds a date, a
 * Hugo section page in a language, a Jekyll draft); the rest is the
 * file.
 */

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"
#include "posts.h"

#define STATUS_MOVED  301
#define STATUS_GONE   410

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const posts_options_t  opts[] = {
        { "legacyUrl", "/{year}/{month}/{slug}" },
        { "legacyUrl", "/{categories}/{slug}/" },
        { "aliases", "/posts/{title}/{path}" },
        { "legacyUrl", "/{year}/{month}/{day}/{slug}.html" },
    };
    static const struct {
        const char  *zone;
        const char  *path_field;
        const char  *date_field;
        const char  *more_keys;
        int          slugify;
    }                             sites[] = {
        { NULL, NULL, NULL, NULL, 0 },
        { "UTC", "url", NULL, NULL, 0 },
        { "+05:30", NULL, "date", ",redirect_from", 1 },
        { NULL, "permalink", NULL, NULL, 1 },
    };
    static const char *const      files[] = {
        "a-post/index.md", "Cat/_posts/2023-3-08-a-post.md",
        "a-post/_index.pt-br.md", "_drafts/a-post.md",
    };
    post_list_t             posts = { 0 };
    redirect_list_t         list = { 0 };
    rule_list_t             rules = { 0 };
    diag_t                  diag = { 0 };
    const post_redirect_t  *p;
    const char             *path;
    size_t                  i;
    posts_options_t         opt;
    date_zone_t             zone = { DATE_ZONE_AS_WRITTEN, 0 };
    char                    keys[64];
    unsigned                site;

    if (size < 1) {
        return 0;
    }

    path = fuzz_file(files[(data[0] >> 5) & 3], data + 1, size - 1);
    if (data[0] & 0x10) {
        list.norm_flags = LRM_NORM_CASELESS;
        rules.caseless = 1;
    }

    opt = opts[data[0] & 3];
    site = (data[0] >> 2) & 3;
    if (sites[site].zone != NULL) {
        FUZZ_ASSERT(date_zone_set(&zone, sites[site].zone) == NULL);
        opt.zone = &zone;
    }
    opt.path_field = sites[site].path_field;
    opt.date_field = sites[site].date_field;
    opt.slugify = sites[site].slugify;
    if (sites[site].more_keys != NULL) {
        snprintf(keys, sizeof(keys), "%s%s", opt.key, sites[site].more_keys);
        opt.key = keys;
    }

    if (posts_collect(&path, 1, &opt, &posts, &diag) != 0) {
        goto done;
    }

    for (i = 0; i < posts.count; i++) {
        p = &posts.items[i];
        /* as the build does: an unpublished post has no page */
        FUZZ_ASSERT(p->unpublished || p->target[0] != '\0');
        FUZZ_ASSERT(p->target[0] == '\0'
                    || redirects_add_page(&list, p->target, p->file) == 0);
        if (p->target[0] != '\0'
            && redirects_is_own_path(p->legacy, p->target, 0))
        {
            continue;                   /* needs no redirect */
        }
        FUZZ_ASSERT(redirects_add(&list, p->legacy, p->target,
                                  p->unpublished ? STATUS_GONE : STATUS_MOVED,
                                  p->file, p->line, p->column, &diag) >= 0);
    }

    fuzz_finish(&list, &rules, &diag);

done:
    posts_free(&posts);
    redirects_free(&list);
    rules_free(&rules);
    return 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const  dirs[] = {
        "a-post", "Cat", "Cat/_posts", "_drafts"
    };
    char                      sub[600];
    size_t                    i;

    (void) argc;
    (void) argv;
    for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(sub, sizeof(sub), "%s/%s", fuzz_dir(), dirs[i]);
        mkdir(sub, 0700);
    }
    return 0;
}
