/*
 * cmd_build.c - "build": posts -> validated redirects -> map file, and
 * the reading and validating that "check" shares (build.h).
 *
 * Nothing is written unless the whole content validates; the map is
 * replaced atomically, so a failed build leaves the previous map as it
 * was.
 */

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unistd.h>

#include "atomic.h"
#include "build.h"
#include "chains.h"
#include "cli.h"
#include "imports.h"
#include "lrmap_writer.h"


#define COMMON_OPTIONS_HELP \
    "  -c, --config FILE      the configuration (default: " CONFIG_FILE "\n" \
    "                         in the current folder, when it exists);\n" \
    "                         options and DIRs given here override it\n" \
    "  -k, --key NAME         front-matter field with the legacy URL(s)\n" \
    "                         (default: " DEFAULT_KEY "); given again, or\n" \
    "                         as NAME,NAME, every field named is read\n" \
    "                         (8 at most)\n" \
    "  -t, --target TEMPLATE  new path of a post (default:\n" \
    "                         " DEFAULT_TARGET "); {year} {month} {day}\n" \
    "                         come from publishDate, date or pubDate (the\n" \
    "                         day as written, or see --timezone), {slug}\n" \
    "                         from the front matter's slug, else the file\n" \
    "                         or folder name, {path} the post's place in\n" \
    "                         its content folder, {categories} Jekyll's\n" \
    "                         :categories, and {NAME} from any\n" \
    "                         front-matter field\n" \
    "      --path-field NAME  a post that sets NAME (Hugo's url, Jekyll's\n" \
    "                         permalink) has that as its new path\n" \
    "      --date-field NAME  the post's date is NAME alone (Hugo's\n" \
    "                         permalinks take date before publishDate)\n" \
    "      --date-prefix      a date starting any file or folder name\n" \
    "                         (2022-01-01-title, 2022-01-01_title) is not\n" \
    "                         in {slug} and dates a post without one, as\n" \
    "                         Eleventy, Docusaurus and Zola read it (by\n" \
    "                         default only in Jekyll's _posts)\n" \
    "      --slugify          file and folder names in {slug} and {path}\n" \
    "                         as Astro makes a post's slug or id: lower\n" \
    "                         case, ' ' to '-', punctuation dropped\n" \
    "                         (\"My Post 3.1.md\" is my-post-31)\n" \
    "      --timezone ZONE    take a timestamp's day in ZONE (UTC, +05:30,\n" \
    "                         Europe/Berlin), as Jekyll and Astro do,\n" \
    "                         not as written (Blogger, Hugo)\n" \
    "  -i, --ignore-case      match legacy URLs and rules without regard\n" \
    "                         to ASCII case (recorded in the map)\n" \
    "      --allow-empty      accept a result without any redirect or rule\n" \
    "                         (else an error: a wrong --key or content\n" \
    "                         folder would empty the map in service)\n"

static const char  build_help[] =
    "Usage: redirect-map build [OPTIONS] [DIR...] [-o FILE]\n"
    "\n"
    "Reads every post (*.md, *.markdown, *.mdx, *.html, *.Rmd, *.qmd,\n"
    "*.adoc and other content files starting with a '---' front matter\n"
    "block) under each DIR, and writes one map with a redirect from\n"
    "each legacy URL to the post's new path, plus the rules, redirects\n"
    "and imported lists of the configuration file.\n"
    "\n"
    COMMON_OPTIONS_HELP
    "  -o, --output FILE      the map to write (replaced atomically)\n"
    "      --no-sources       do not record where each entry was declared:\n"
    "                         1 to 8 bytes less per entry, but lookup, dump\n"
    "                         and $legacy_redirect_source cannot name it\n"
    "  -q, --quiet            no progress line, no summary line\n"
    "  -h, --help             show this help\n"
    "\n"
    "Posts with published: false or draft: true (or in a _drafts folder)\n"
    "answer 410 Gone.  A legacy URL that is the home page, or whose\n"
    "query may tell pages apart, is an error, and so is TOML, JSON or\n"
    "Pelican (Key: value) front matter that sets the key (it is not\n"
    "read).\n"
    "On a terminal, a build that takes more than a second shows how many\n"
    "files it has read.\n"
    "Exit status: 0 map written, 1 validation errors (nothing written),\n"
    "2 usage error, 3 I/O error (the previous map is left intact).\n";

static const char  check_help[] =
    "Usage: redirect-map check [OPTIONS] [DIR...]\n"
    "\n"
    "Validates everything 'build' validates (same options but -o and\n"
    "--no-sources, same configuration file, same messages) and writes\n"
    "no map.\n"
    "\n"
    COMMON_OPTIONS_HELP
    "  -s, --site DIR         the built site (e.g. dist/): every target\n"
    "                         that is a site path must exist there, as\n"
    "                         DIR/TARGET, DIR/TARGET/index.html or\n"
    "                         DIR/TARGET.html; a redirect to nowhere is\n"
    "                         an error at the place it was declared.\n"
    "                         Absolute URLs and targets with $N are not\n"
    "                         checked\n"
    "  -j, --json             print one JSON report on stdout:\n"
    "                         {\"ok\", \"errors\", \"warnings\", \"redirects\",\n"
    "                         \"rules\", \"files\", ...}; messages still go\n"
    "                         to stderr\n"
    "  -q, --quiet            no progress line, no summary line\n"
    "  -h, --help             show this help\n"
    "\n"
    "Exit status: 0 no errors, 1 validation errors (or redirects to\n"
    "nowhere), 2 usage error, 3 I/O error.\n";


/* -k given again adds its fields to the earlier ones' */
static int
add_key(build_t *b, const char *key)
{
    size_t   len;
    char    *keys;

    if (b->opt.key == NULL) {
        b->opt.key = key;
        return 0;
    }

    len = strlen(b->opt.key) + 1 + strlen(key) + 1;
    keys = malloc(len);
    if (keys == NULL) {
        return -1;
    }

    snprintf(keys, len, "%s,%s", b->opt.key, key);
    free(b->keys);
    b->keys = keys;
    b->opt.key = keys;
    return 0;
}


int
build_parse_options(build_t *b, build_mode_t mode, int argc, char **argv)
{
    static const struct option  longopts[] = {
        { "output",      required_argument, NULL, 'o' },
        { "site",        required_argument, NULL, 's' },
        { "json",        no_argument,       NULL, 'j' },
        { "key",         required_argument, NULL, 'k' },
        { "target",      required_argument, NULL, 't' },
        { "timezone",    required_argument, NULL, 'Z' },
        { "path-field",  required_argument, NULL, 'P' },
        { "date-field",  required_argument, NULL, 'D' },
        { "date-prefix", no_argument,       NULL, 'F' },
        { "slugify",     no_argument,       NULL, 'G' },
        { "config",      required_argument, NULL, 'c' },
        { "ignore-case", no_argument,       NULL, 'i' },
        { "quiet",       no_argument,       NULL, 'q' },
        { "no-sources",  no_argument,       NULL, 'S' },
        { "allow-empty", no_argument,       NULL, 'E' },
        { "help",        no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    build_options_t            *opt = &b->opt;
    const char                 *name, *help;
    int                         c;

    memset(b, 0, sizeof(*b));
    b->mode = mode;
    clock_gettime(CLOCK_MONOTONIC, &b->start);

    name = mode == BUILD_MODE_BUILD ? "build" : "check";
    help = mode == BUILD_MODE_BUILD ? build_help : check_help;

    optind = 1;
    while ((c = getopt_long(argc, argv, "o:s:jk:t:c:iqh", longopts, NULL))
           != -1)
    {
        if ((mode == BUILD_MODE_BUILD && (c == 's' || c == 'j'))
            || (mode == BUILD_MODE_CHECK && c == 'o'))
        {
            fprintf(stderr, "redirect-map %s: option %s is not one of "
                    "%s's\n", name, c == 'o' ? "-o/--output"
                    : c == 's' ? "-s/--site" : "-j/--json", name);
            c = '?';
        }

        switch (c) {
        case 'o': opt->output = optarg; break;
        case 's': opt->site = optarg; break;
        case 'j': opt->json = 1; break;
        case 'k':
            if (posts_keys_problem(optarg) != NULL) {
                fprintf(stderr, "redirect-map %s: --key '%s' has %s\n",
                        name, optarg, posts_keys_problem(optarg));
                fprintf(stderr, "Try 'redirect-map %s --help'.\n", name);
                return -1;
            }
            if (add_key(b, optarg) != 0) {
                fprintf(stderr, "redirect-map: out of memory\n");
                return -1;
            }
            break;
        case 't': opt->target = optarg; break;
        case 'Z': opt->timezone = optarg; break;
        case 'P': opt->path_field = optarg; break;
        case 'D': opt->date_field = optarg; break;
        case 'F': opt->date_prefix = 1; break;
        case 'G': opt->slugify = 1; break;
        case 'c': opt->config = optarg; break;
        case 'i': opt->ignore_case = 1; break;
        case 'q': opt->quiet = 1; break;
        case 'S':
            if (mode != BUILD_MODE_BUILD) {
                fprintf(stderr, "redirect-map %s: option --no-sources is "
                        "not one of %s's\n", name, name);
                fprintf(stderr, "Try 'redirect-map %s --help'.\n", name);
                return -1;
            }
            opt->no_sources = 1;
            break;
        case 'E': opt->allow_empty = 1; break;
        case 'h': fputs(help, stdout); exit(EXIT_OK);
        default:
            fprintf(stderr, "Try 'redirect-map %s --help'.\n", name);
            return -1;
        }
    }

    opt->dirs = argv + optind;
    opt->ndirs = (size_t) (argc - optind);

    if ((opt->path_field != NULL && opt->path_field[0] == '\0')
        || (opt->date_field != NULL && opt->date_field[0] == '\0'))
    {
        fprintf(stderr, "redirect-map %s: empty --%s\n"
                "Try 'redirect-map %s --help'.\n", name,
                opt->date_field && opt->date_field[0] == '\0'
                ? "date-field" : "path-field", name);
        return -1;
    }

    if (opt->key != NULL && posts_keys_problem(opt->key) != NULL) {
        fprintf(stderr, "redirect-map %s: --key '%s' has %s\n"
                "Try 'redirect-map %s --help'.\n", name, opt->key,
                posts_keys_problem(opt->key), name);
        return -1;
    }

    return 0;
}


/*
 * The settings after the configuration file: command-line options win,
 * DIRs replace "content".  Returns 0, or -1 (usage error, reported).
 */
static int
merge_config(build_t *b)
{
    build_options_t  *opt = &b->opt;
    const config_t   *cfg = b->have_cfg ? &b->cfg : NULL;
    const char       *name = b->mode == BUILD_MODE_BUILD ? "build" : "check";
    const char       *zone_error;
    size_t            i;

    if (cfg != NULL) {
        if (opt->output == NULL) {
            opt->output = cfg->output;
        }
        if (opt->key == NULL) {
            opt->key = cfg->key;
        }
        if (opt->target == NULL) {
            opt->target = cfg->target;
        }
        if (opt->timezone == NULL) {
            opt->timezone = cfg->timezone;
        }
        if (opt->path_field == NULL) {
            opt->path_field = cfg->path_field;
        }
        if (opt->date_field == NULL) {
            opt->date_field = cfg->date_field;
        }
        if (!opt->date_prefix && cfg->date_prefix == 1) {
            opt->date_prefix = 1;
        }
        if (!opt->slugify && cfg->slugify == 1) {
            opt->slugify = 1;
        }
        if (!opt->ignore_case && cfg->ignore_case == 1) {
            opt->ignore_case = 1;
        }

        if (opt->ndirs == 0 && cfg->ncontent > 0) {
            b->dirs = malloc(cfg->ncontent * sizeof(char *));
            if (b->dirs == NULL) {
                fprintf(stderr, "redirect-map: out of memory\n");
                return -1;
            }
            for (i = 0; i < cfg->ncontent; i++) {
                b->dirs[i] = cfg->content[i].path;
            }
            opt->dirs = b->dirs;
            opt->ndirs = cfg->ncontent;
        }
    }

    if (opt->key == NULL) {
        opt->key = DEFAULT_KEY;
    }
    if (opt->target == NULL) {
        opt->target = DEFAULT_TARGET;
    }

    /* before the threads that read posts start: it may set TZ */
    if (opt->timezone != NULL) {
        zone_error = date_zone_set(&b->zone, opt->timezone);
        if (zone_error != NULL) {
            fprintf(stderr, "redirect-map %s: --timezone '%s': %s\n", name,
                    opt->timezone, zone_error);
            return -1;
        }
    }

    if (b->mode == BUILD_MODE_BUILD && opt->output == NULL) {
        fprintf(stderr, "redirect-map build: no output file (-o FILE, or "
                "output: in " CONFIG_FILE ")\n");
        return -1;
    }

    if (opt->ndirs == 0 && cfg == NULL) {
        fprintf(stderr, "redirect-map %s: no content folder (DIR, or "
                "content: in " CONFIG_FILE ")\n", name);
        return -1;
    }

    return 0;
}


/*
 * The posts' legacy URLs become checked redirects as they are read, so
 * that no list of every post is held.  Their messages are kept until the
 * posts are all read: they come after the posts' own, as they would if
 * the posts were read first.
 */
typedef struct {
    redirect_list_t  *list;
    diag_t            diag;         /* captures */
    size_t            own_paths;    /* legacy URLs that are their page's */
    build_t          *keep;         /* check --site: keeps them, or NULL */
} post_sink_t;

/* how many legacy URLs that are their page's own path are named */
#define OWN_PATHS_NAMED  10


/* check --site looks for the page of a legacy URL left out */
static int
keep_own_path(build_t *b, const post_redirect_t *p)
{
    own_path_t  *grown, *k;
    size_t       target_len, file_len;

    if ((b->nkept & (b->nkept - 1)) == 0) {    /* 0, 1, 2, 4...: grow */
        grown = realloc(b->kept, (b->nkept ? b->nkept * 2 : 1)
                                 * sizeof(own_path_t));
        if (grown == NULL) {
            return -1;
        }
        b->kept = grown;
    }

    target_len = strlen(p->target);
    file_len = strlen(p->file);

    k = &b->kept[b->nkept];
    k->path = malloc(target_len + 1 + file_len + 1);
    if (k->path == NULL) {
        return -1;
    }

    memcpy(k->path, p->target, target_len + 1);
    memcpy(k->path + target_len + 1, p->file, file_len + 1);
    k->file = k->path + target_len + 1;
    k->line = p->line;
    k->column = p->column;
    b->nkept++;

    return 0;
}


static int
add_post_redirect(const post_redirect_t *p, void *ctx)
{
    post_sink_t  *sink = ctx;
    unsigned      status;
    char          shown[256];

    status = p->unpublished ? STATUS_GONE : STATUS_MOVED;

    if (p->target[0] != '\0' && (sink->list->norm_flags & LRM_NORM_CASELESS)
        && !redirects_is_own_path(p->legacy, p->target, 0)
        && redirects_is_own_path(p->legacy, p->target, LRM_NORM_CASELESS))
    {
        diag_error(&sink->diag, p->file, p->line, p->column, "legacy URL "
                   "\"%s\" differs from its post's new path \"%s\" in "
                   "case only: in a caseless map (-i) it would redirect to "
                   "itself", diag_printable(p->legacy, strlen(p->legacy),
                   shown, sizeof(shown)), p->target);
        return 0;
    }

    if (p->target[0] != '\0'
        && redirects_is_own_path(p->legacy, p->target, 0))
    {
        if (sink->own_paths++ < OWN_PATHS_NAMED) {
            diag_warning(&sink->diag, p->file, p->line, p->column,
                         "legacy URL \"%s\" is the post's own new path: "
                         "no redirect needed", p->legacy);
        }

        if (sink->keep != NULL && keep_own_path(sink->keep, p) != 0) {
            return -1;
        }

        return redirects_add_page(sink->list, p->target, p->file) != 0
               ? -1 : 0;
    }

    /* the entry first: the page can then share its target's copy */
    if (redirects_add(sink->list, p->legacy, p->target, status, p->file,
                      p->line, p->column, &sink->diag) < 0)
    {
        return -1;
    }

    /* an unpublished post (target "") has no live page */
    if (p->target[0] != '\0'
        && redirects_add_page(sink->list, p->target, p->file) != 0)
    {
        return -1;
    }

    return 0;
}


/* The configuration's exact redirects, imported lists and rules. */
static int
collect_config(const config_t *cfg, redirect_list_t *list,
    rule_list_t *rules, diag_t *diag)
{
    const config_redirect_t  *x;
    const config_rule_t      *r;
    size_t                    i;

    for (i = 0; i < cfg->nredirects; i++) {
        x = &cfg->redirects[i];

        if (redirects_add(list, x->from, x->to, x->status, cfg->file,
                          x->line, x->column, diag) < 0)
        {
            return -1;
        }
    }

    for (i = 0; i < cfg->nrules; i++) {
        r = &cfg->rules[i];

        if (rules_add(rules, r->from, r->from_len, r->to, r->status,
                      r->flags, cfg->file, r->line, r->column, diag) < 0)
        {
            return -1;
        }
    }

    /* rules made from imported lists come after the configuration's */

    for (i = 0; i < cfg->nimports; i++) {
        if (imports_read(cfg->imports[i].path, list, rules, diag) != 0) {
            return -1;
        }
    }

    return 0;
}


/*
 * The writer's number of a source file, added at its first use (numbers
 * holds those of the list's files, UINT32_MAX until then; idx is the
 * file's index there, or -1); with --no-sources, LRM_NO_SOURCE.  Returns
 * -1 when out of memory.
 */
static int
writer_source(lrm_writer_t *w, uint32_t *numbers, long idx,
    const char *name, const build_options_t *opt, uint32_t *source)
{
    long  n;

    if (opt->no_sources) {
        *source = LRM_NO_SOURCE;
        return 0;
    }

    if (idx >= 0 && numbers[idx] != UINT32_MAX) {
        *source = numbers[idx];
        return 0;
    }

    n = lrm_writer_add_source(w, name);
    if (n < 0) {
        return -1;
    }

    if (idx >= 0) {
        numbers[idx] = (uint32_t) n;
    }

    *source = (uint32_t) n;
    return 0;
}


/*
 * Fills the writer.  The sources are numbered first, in the order of
 * their first use (entries, then rules), as the writer copies them; the
 * list's own copies go as they are handed over, and the entries are
 * added after: a build's peak of memory is while the writer is filled,
 * and it then holds one copy of the names, not two.
 */
static int
fill_writer(lrm_writer_t *w, redirect_list_t *list,
    const rule_list_t *rules, const build_options_t *opt)
{
    const rule_t  *rule;
    char           built[32];
    time_t         now;
    size_t         i;
    long          *rule_files = NULL;
    uint32_t      *numbers, *sources = NULL, *rule_sources = NULL;
    redirect_t    *r;
    int            rc = -1, release;

    numbers = malloc((list->file_count + 1) * sizeof(uint32_t));
    sources = malloc((list->count + 1) * sizeof(uint32_t));
    rule_sources = malloc((rules->count + 1) * sizeof(uint32_t));
    rule_files = malloc((rules->count + 1) * sizeof(long));
    if (numbers == NULL || sources == NULL || rule_sources == NULL
        || rule_files == NULL)
    {
        goto done;
    }

    for (i = 0; i < list->file_count; i++) {
        numbers[i] = UINT32_MAX;
    }

    /* a rule names a file of the list's (a configuration that also has
     * redirects), or one of its own */
    for (i = 0; i < rules->count; i++) {
        rule_files[i] = redirects_file_index(list, rules->items[i].file);
    }

    release = redirects_files_plan(list) == 0;

    for (i = 0; i < list->count; i++) {
        r = &list->items[i];

        if (writer_source(w, numbers, (long) redirects_source(r), r->file,
                          opt, &sources[i]) != 0)
        {
            goto done;
        }

        if (release) {
            redirects_files_done(list, i);
        }
    }

    for (i = 0; i < rules->count; i++) {
        rule = &rules->items[i];

        if (writer_source(w, numbers, rule_files[i], rule->file, opt,
                          &rule_sources[i]) != 0)
        {
            goto done;
        }
    }

    free(numbers);
    numbers = NULL;
    redirects_drop_files(list);

    for (i = 0; i < list->count; i++) {
        r = &list->items[i];

        /* the list's items go as the writer's come (a build's peak) */
        if (i % 4096 == 0) {
            redirects_release_items(list, i);
        }

        /* a 410 carries no Location: store no target; the strings stay
         * in the list until the map is written */
        if (lrm_writer_add_ref(w, lrm_hash(r->key, r->key_len), r->key,
                               r->key_len, r->target,
                               r->status == STATUS_GONE ? 0 : r->target_len,
                               r->status, sources[i],
                               opt->no_sources ? 0 : r->line) != 0)
        {
            goto done;
        }
    }

    for (i = 0; i < rules->count; i++) {
        rule = &rules->items[i];

        if (lrm_writer_add_rule(w, rule->pattern, rule->pattern_len,
                                rule->target, rule->target_len,
                                rule->status, rule->flags, rule_sources[i],
                                opt->no_sources ? 0 : rule->line) != 0)
        {
            goto done;
        }
    }

    now = time(NULL);
    strftime(built, sizeof(built), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));

    if (lrm_writer_set_meta(w, "tool", "redirect-map " REDIRECT_MAP_VERSION)
        || lrm_writer_set_meta(w, "built", built)
        || lrm_writer_set_meta(w, "key", opt->key)
        || lrm_writer_set_meta(w, "target", opt->target)
        || (opt->timezone != NULL
            && lrm_writer_set_meta(w, "timezone", opt->timezone))
        || (opt->path_field != NULL
            && lrm_writer_set_meta(w, "path_field", opt->path_field))
        || (opt->date_field != NULL
            && lrm_writer_set_meta(w, "date_field", opt->date_field))
        || (opt->date_prefix
            && lrm_writer_set_meta(w, "date_prefix", "anywhere"))
        || (opt->slugify && lrm_writer_set_meta(w, "slugify", "true"))
        || (opt->ignore_case
            && lrm_writer_set_meta(w, "ignore_case", "true")))
    {
        goto done;
    }

    rc = 0;

done:

    free(numbers);
    free(sources);
    free(rule_sources);
    free(rule_files);
    return rc;
}


static int
write_map(redirect_list_t *list, const rule_list_t *rules,
    const build_options_t *opt)
{
    atomic_file_t   af;
    lrm_writer_t   *w;
    char            err[256];

    w = lrm_writer_new((opt->no_sources ? 0 : LRM_F_SOURCES)
                       | (list->norm_flags & LRM_NORM_CASELESS
                          ? LRM_F_CASELESS : 0));
    if (w == NULL || fill_writer(w, list, rules, opt) != 0) {
        /* the list was validated: only memory can run out here */
        fprintf(stderr, "redirect-map: out of memory (or an entry the map "
                "format cannot hold)\n");
        lrm_writer_free(w);
        return EXIT_IO;
    }

    /* the writer refers to the keys and targets, not to the items: they
     * go before it lays out the map, which needs memory of its own */
    redirects_drop_items(list);

    if (atomic_open(&af, opt->output) != 0) {
        fprintf(stderr, "redirect-map: %s: cannot create a file beside it: "
                "%s\n", opt->output, strerror(errno));
        lrm_writer_free(w);
        return EXIT_IO;
    }

    if (lrm_writer_write(w, af.fd, err, sizeof(err)) != 0) {
        fprintf(stderr, "redirect-map: %s: %s\n", opt->output, err);
        atomic_abort(&af);
        lrm_writer_free(w);
        return EXIT_IO;
    }

    lrm_writer_free(w);

    switch (atomic_commit(&af)) {

    case 0:
        return EXIT_OK;

    case ATOMIC_NOT_SYNCED:
        /* not an I/O error that left the previous map in place */
        fprintf(stderr, "redirect-map: warning: %s: written, but its folder "
                "could not be synced (%s): after a crash the previous map "
                "may be back\n", opt->output, strerror(errno));
        return EXIT_OK;

    default:
        fprintf(stderr, "redirect-map: %s: %s\n", opt->output,
                strerror(errno));
        return EXIT_IO;
    }
}


const char *
plural(size_t n)
{
    return n == 1 ? "" : "s";
}


double
build_seconds(const build_t *b)
{
    struct timespec  now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double) (now.tv_sec - b->start.tv_sec)
           + (double) (now.tv_nsec - b->start.tv_nsec) / 1e9;
}


/* Every message: clear the progress line first, then the caller's hook. */
static void
message_hook(void *ctx, const char *kind, const char *file, unsigned line,
    unsigned column, const char *message)
{
    build_t  *b = ctx;

    progress_clear(&b->progress);

    if (b->hook != NULL) {
        b->hook(b->hook_ctx, kind, file, line, column, message);
    }
}


static void
progress_hook(size_t files, void *ctx)
{
    progress_update(ctx, files);
}


/*
 * A result without any redirect or rule is an error unless asked for: a
 * misspelt --key, an empty or wrong content folder would otherwise write
 * a map that silently ends every redirect in service.
 */
static void
report_empty(build_t *b)
{
    char  own[64] = "";

    if (b->own_paths > 0) {
        snprintf(own, sizeof(own), " other than %zu that %s the post's "
                 "own path", b->own_paths, b->own_paths == 1 ? "is" : "are");
    }

    diag_error(&b->diag, NULL, 0, 0, "nothing to redirect: %zu file%s "
               "read, none with a legacy URL in \"%s\"%s%s; "
               "--allow-empty accepts an empty result", b->posts.files_read,
               b->posts.files_read == 1 ? "" : "s", b->opt.key, own,
               b->have_cfg ? ", and the configuration adds no redirect "
               "or rule" : "");
}


int
build_collect(build_t *b)
{
    posts_options_t  popt;
    post_sink_t      sink;
    diag_capture_t   later;
    const char      *cfg_path;
    int              rc;

    /*
     * A build holds a few big arrays and frees whole structures between
     * its phases.  glibc raises its mmap threshold each time a big block
     * is freed, after which the next big arrays grow inside the heap
     * (copied at each growth, their old space left behind); a fixed
     * threshold keeps them mmapped: they grow in place and go back to
     * the system when freed, which keeps the peak of memory low.
     */
    mallopt(M_MMAP_THRESHOLD, 128 << 10);

    b->diag.hook = message_hook;
    b->diag.hook_ctx = b;
    progress_init(&b->progress, b->opt.quiet);

    cfg_path = b->opt.config;
    if (cfg_path == NULL && access(CONFIG_FILE, F_OK) == 0) {
        cfg_path = CONFIG_FILE;
    }

    if (cfg_path != NULL) {
        rc = config_load(&b->cfg, cfg_path, &b->diag);
        b->have_cfg = 1;

        if (rc != 0) {
            return rc == -2 ? EXIT_IO : EXIT_INVALID;
        }

        /* a configuration that is not a mapping has no output to miss */
        if (b->diag.errors > 0 && b->cfg.output == NULL
            && b->opt.output == NULL && b->mode == BUILD_MODE_BUILD)
        {
            return EXIT_INVALID;
        }
    }

    if (merge_config(b) != 0) {
        fprintf(stderr, "Try 'redirect-map %s --help'.\n",
                b->mode == BUILD_MODE_BUILD ? "build" : "check");
        return EXIT_USAGE;
    }

    if (b->opt.ignore_case) {
        b->list.norm_flags = LRM_NORM_CASELESS;
        b->rules.caseless = 1;
    }

    memset(&popt, 0, sizeof(popt));
    popt.key = b->opt.key;
    popt.target = b->opt.target;
    popt.zone = &b->zone;
    popt.path_field = b->opt.path_field;
    popt.date_field = b->opt.date_field;
    popt.date_prefix_anywhere = b->opt.date_prefix;
    popt.slugify = b->opt.slugify;
    popt.progress = progress_hook;
    popt.progress_ctx = &b->progress;
    popt.item = add_post_redirect;
    popt.item_ctx = &sink;

    memset(&sink, 0, sizeof(sink));
    sink.list = &b->list;
    sink.keep = b->mode == BUILD_MODE_CHECK && b->opt.site != NULL ? b : NULL;
    sink.diag.capture = &later;
    memset(&later, 0, sizeof(later));

    rc = b->opt.ndirs > 0
         ? posts_collect((const char *const *) b->opt.dirs, b->opt.ndirs,
                         &popt, &b->posts, &b->diag)
         : 0;
    progress_clear(&b->progress);

    if (rc == 0) {
        diag_replay(&b->diag, &later);
    }
    diag_capture_free(&later);

    b->own_paths = sink.own_paths;
    if (sink.own_paths > OWN_PATHS_NAMED) {
        diag_warning(&b->diag, NULL, 0, 0, "%zu more legacy URL%s "
                     "post's own new path: no redirect needed",
                     sink.own_paths - OWN_PATHS_NAMED,
                     sink.own_paths - OWN_PATHS_NAMED == 1
                     ? " is its" : "s are their");
    }

    if (rc != 0
        || (b->have_cfg
            && collect_config(&b->cfg, &b->list, &b->rules, &b->diag) != 0))
    {
        fprintf(stderr, "redirect-map: out of memory\n");
        return EXIT_IO;
    }

    redirects_check(&b->list, &b->diag);

    if (redirects_warn_shared_pages(&b->list, &b->diag) != 0) {
        fprintf(stderr, "redirect-map: out of memory\n");
        return EXIT_IO;
    }

    chains_check_pages(&b->list, &b->rules, &b->diag);

    if (chains_collapse(&b->list, &b->rules, &b->diag) != 0) {
        fprintf(stderr, "redirect-map: out of memory\n");
        return EXIT_IO;
    }

    redirects_drop_pages(&b->list);         /* the checks are done */

    if (b->diag.errors == 0 && b->list.count == 0 && b->rules.count == 0
        && !b->opt.allow_empty)
    {
        report_empty(b);
    }

    return b->diag.errors > 0 ? EXIT_INVALID : EXIT_OK;
}


void
build_free(build_t *b)
{
    size_t  i;

    progress_clear(&b->progress);
    posts_free(&b->posts);
    redirects_free(&b->list);
    rules_free(&b->rules);
    config_free(&b->cfg);
    free(b->dirs);
    b->dirs = NULL;
    free(b->keys);
    b->keys = NULL;

    for (i = 0; i < b->nkept; i++) {
        free(b->kept[i].path);
    }
    free(b->kept);
    b->kept = NULL;
    b->nkept = 0;
}


int
cmd_build(int argc, char **argv)
{
    build_t  b;
    char     nrules[64] = "";
    size_t   count;
    int      rc;

    if (build_parse_options(&b, BUILD_MODE_BUILD, argc, argv) != 0) {
        free(b.keys);
        return EXIT_USAGE;
    }

    rc = build_collect(&b);

    if (rc == EXIT_INVALID) {
        fprintf(stderr, "redirect-map: %zu error%s, %s%s written\n",
                b.diag.errors, plural(b.diag.errors),
                b.opt.output != NULL ? b.opt.output : "nothing",
                b.opt.output != NULL ? " not" : "");
    }

    if (rc != EXIT_OK) {
        build_free(&b);
        return rc;
    }

    redirects_drop_index(&b.list);          /* no more lookups */
    count = b.list.count;
    rc = write_map(&b.list, &b.rules, &b.opt);

    if (rc == EXIT_OK && !b.opt.quiet) {
        if (b.rules.count > 0) {
            snprintf(nrules, sizeof(nrules), " and %zu rule%s",
                     b.rules.count, plural(b.rules.count));
        }

        fprintf(stderr, "redirect-map: %zu file%s read, %zu redirect%s%s "
                "written, %zu post%s skipped in %.2f s -> %s\n",
                b.posts.files_read, plural(b.posts.files_read), count,
                plural(count), nrules, b.posts.posts_skipped,
                plural(b.posts.posts_skipped), build_seconds(&b),
                b.opt.output);
    }

    build_free(&b);
    return rc;
}
