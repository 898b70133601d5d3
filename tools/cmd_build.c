/*
 * cmd_build.c - "build": posts -> validated redirects -> map file.
 *
 * Nothing is written unless the whole content validates; the map is
 * replaced atomically, so a failed build leaves the previous map as it
 * was.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unistd.h>

#include "atomic.h"
#include "chains.h"
#include "cli.h"
#include "config.h"
#include "imports.h"
#include "lrmap_writer.h"
#include "posts.h"
#include "redirects.h"
#include "rules.h"

#define DEFAULT_KEY     "legacyUrl"
#define DEFAULT_TARGET  "/{year}/{month}/{slug}"

#define STATUS_MOVED    301
#define STATUS_GONE     410


typedef struct {
    const char   *output;
    const char   *key;
    const char   *target;
    const char   *config;        /* --config FILE, or NULL */
    int           ignore_case;
    int           quiet;
    char        **dirs;
    size_t        ndirs;
} build_options_t;


static const char  build_help[] =
    "Usage: redirect-map build [OPTIONS] [DIR...] [-o FILE]\n"
    "\n"
    "Reads every post (*.md, *.markdown, *.mdx, *.mdoc starting with a\n"
    "'---' front matter block) under each DIR, and writes one map with a\n"
    "redirect from each legacy URL to the post's new path, plus the\n"
    "rules, redirects and imported lists of the configuration file.\n"
    "\n"
    "  -c, --config FILE      the configuration (default: " CONFIG_FILE "\n"
    "                         in the current folder, when it exists);\n"
    "                         options and DIRs given here override it\n"
    "  -o, --output FILE      the map to write (replaced atomically)\n"
    "  -k, --key NAME         front-matter field with the legacy URL(s)\n"
    "                         (default: " DEFAULT_KEY ")\n"
    "  -t, --target TEMPLATE  new path of a post (default:\n"
    "                         " DEFAULT_TARGET "); {year} {month} {day}\n"
    "                         come from publishDate, date or pubDate,\n"
    "                         {slug} from the file or folder name, and\n"
    "                         {NAME} from any front-matter field\n"
    "  -i, --ignore-case      match legacy URLs and rules without regard\n"
    "                         to ASCII case (recorded in the map)\n"
    "  -q, --quiet            no summary line\n"
    "  -h, --help             show this help\n"
    "\n"
    "Posts with published: false or draft: true answer 410 Gone.\n"
    "Exit status: 0 map written, 1 validation errors (nothing written),\n"
    "2 usage error, 3 I/O error (the previous map is left intact).\n";


static int
parse_options(int argc, char **argv, build_options_t *opt)
{
    static const struct option  longopts[] = {
        { "output",      required_argument, NULL, 'o' },
        { "key",         required_argument, NULL, 'k' },
        { "target",      required_argument, NULL, 't' },
        { "config",      required_argument, NULL, 'c' },
        { "ignore-case", no_argument,       NULL, 'i' },
        { "quiet",       no_argument,       NULL, 'q' },
        { "help",        no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int                         c;

    memset(opt, 0, sizeof(*opt));

    optind = 1;
    while ((c = getopt_long(argc, argv, "o:k:t:c:iqh", longopts, NULL))
           != -1)
    {
        switch (c) {
        case 'o': opt->output = optarg; break;
        case 'k': opt->key = optarg; break;
        case 't': opt->target = optarg; break;
        case 'c': opt->config = optarg; break;
        case 'i': opt->ignore_case = 1; break;
        case 'q': opt->quiet = 1; break;
        case 'h': fputs(build_help, stdout); exit(EXIT_OK);
        default:  return -1;
        }
    }

    opt->dirs = argv + optind;
    opt->ndirs = (size_t) (argc - optind);

    if (opt->key != NULL && opt->key[0] == '\0') {
        fprintf(stderr, "redirect-map build: empty --key\n");
        return -1;
    }

    return 0;
}


/*
 * The settings after the configuration file: command-line options win,
 * DIRs replace "content".  Returns 0, or -1 (usage error, reported).
 */
static int
merge_config(build_options_t *opt, const config_t *cfg, char ***dirs_copy)
{
    size_t  i;

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
        if (!opt->ignore_case && cfg->ignore_case == 1) {
            opt->ignore_case = 1;
        }

        if (opt->ndirs == 0 && cfg->ncontent > 0) {
            *dirs_copy = malloc(cfg->ncontent * sizeof(char *));
            if (*dirs_copy == NULL) {
                fprintf(stderr, "redirect-map: out of memory\n");
                return -1;
            }
            for (i = 0; i < cfg->ncontent; i++) {
                (*dirs_copy)[i] = cfg->content[i].path;
            }
            opt->dirs = *dirs_copy;
            opt->ndirs = cfg->ncontent;
        }
    }

    if (opt->key == NULL) {
        opt->key = DEFAULT_KEY;
    }
    if (opt->target == NULL) {
        opt->target = DEFAULT_TARGET;
    }

    if (opt->output == NULL || (opt->ndirs == 0 && cfg == NULL)) {
        fprintf(stderr, "redirect-map build: %s\n", opt->output == NULL
                ? "no output file (-o FILE, or output: in "
                  CONFIG_FILE ")"
                : "no content folder (DIR, or content: in "
                  CONFIG_FILE ")");
        return -1;
    }

    return 0;
}


/* Turns the posts' legacy URLs into checked redirects. */
static int
collect_redirects(const post_list_t *posts, redirect_list_t *list,
    diag_t *diag)
{
    const post_redirect_t  *p;
    size_t                  i;
    unsigned                status;

    for (i = 0; i < posts->count; i++) {
        p = &posts->items[i];

        if (redirects_add_page(list, p->target, p->file) != 0) {
            return -1;
        }

        status = p->unpublished ? STATUS_GONE : STATUS_MOVED;

        if (redirects_add(list, p->legacy, p->target, status, p->file,
                          p->line, p->column, diag) < 0)
        {
            return -1;
        }
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


static int
fill_writer(lrm_writer_t *w, const redirect_list_t *list,
    const rule_list_t *rules, const build_options_t *opt)
{
    const rule_t  *rule;
    char          built[32];
    time_t        now;
    size_t        i;
    long          source;
    redirect_t   *r;

    for (i = 0; i < list->count; i++) {
        r = &list->items[i];

        source = lrm_writer_add_source(w, r->file);
        if (source < 0) {
            return -1;
        }

        /* a 410 carries no Location: store no target */
        if (lrm_writer_add(w, r->key, r->key_len, r->target,
                           r->status == STATUS_GONE ? 0 : strlen(r->target),
                           r->status, (uint32_t) source, r->line) != 0)
        {
            return -1;
        }
    }

    for (i = 0; i < rules->count; i++) {
        rule = &rules->items[i];

        source = lrm_writer_add_source(w, rule->file);
        if (source < 0
            || lrm_writer_add_rule(w, rule->pattern, rule->pattern_len,
                                   rule->target, rule->target_len,
                                   rule->status, rule->flags,
                                   (uint32_t) source, rule->line) != 0)
        {
            return -1;
        }
    }

    now = time(NULL);
    strftime(built, sizeof(built), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));

    if (lrm_writer_set_meta(w, "tool", "redirect-map " REDIRECT_MAP_VERSION)
        || lrm_writer_set_meta(w, "built", built)
        || lrm_writer_set_meta(w, "key", opt->key)
        || lrm_writer_set_meta(w, "target", opt->target)
        || (opt->ignore_case
            && lrm_writer_set_meta(w, "ignore_case", "true")))
    {
        return -1;
    }

    return 0;
}


static int
write_map(const redirect_list_t *list, const rule_list_t *rules,
    const build_options_t *opt)
{
    atomic_file_t   af;
    lrm_writer_t   *w;
    char            err[256];

    w = lrm_writer_new(LRM_F_SOURCES | (list->norm_flags & LRM_NORM_CASELESS
                                        ? LRM_F_CASELESS : 0));
    if (w == NULL || fill_writer(w, list, rules, opt) != 0) {
        fprintf(stderr, "redirect-map: out of memory\n");
        lrm_writer_free(w);
        return EXIT_IO;
    }

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

    if (atomic_commit(&af) != 0) {
        fprintf(stderr, "redirect-map: %s: %s\n", opt->output,
                strerror(errno));
        return EXIT_IO;
    }

    return EXIT_OK;
}


static double
seconds_since(const struct timespec *start)
{
    struct timespec  now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double) (now.tv_sec - start->tv_sec)
           + (double) (now.tv_nsec - start->tv_nsec) / 1e9;
}


int
cmd_build(int argc, char **argv)
{
    build_options_t  opt;
    posts_options_t  popt;
    post_list_t      posts = { 0 };
    redirect_list_t  list = { 0 };
    rule_list_t      rules = { 0 };
    config_t         cfg;
    diag_t           diag = { 0 };
    struct timespec  start;
    const char      *cfg_path;
    char           **dirs = NULL;
    int              rc, have_cfg = 0;

    memset(&cfg, 0, sizeof(cfg));

    if (parse_options(argc, argv, &opt) != 0) {
        fprintf(stderr, "Try 'redirect-map build --help'.\n");
        return EXIT_USAGE;
    }

    clock_gettime(CLOCK_MONOTONIC, &start);

    cfg_path = opt.config;
    if (cfg_path == NULL && access(CONFIG_FILE, F_OK) == 0) {
        cfg_path = CONFIG_FILE;
    }

    if (cfg_path != NULL) {
        rc = config_load(&cfg, cfg_path, &diag);
        have_cfg = 1;

        if (rc != 0) {
            rc = rc == -2 ? EXIT_IO : EXIT_INVALID;
            if (rc == EXIT_INVALID) {
                fprintf(stderr, "redirect-map: %zu error%s, nothing "
                        "written\n", diag.errors, diag.errors == 1 ? ""
                        : "s");
            }
            goto done;
        }
    }

    if (merge_config(&opt, have_cfg ? &cfg : NULL, &dirs) != 0) {
        fprintf(stderr, "Try 'redirect-map build --help'.\n");
        rc = EXIT_USAGE;
        goto done;
    }

    if (opt.ignore_case) {
        list.norm_flags = LRM_NORM_CASELESS;
        rules.caseless = 1;
    }

    popt.key = opt.key;
    popt.target = opt.target;

    if ((opt.ndirs > 0
         && posts_collect((const char *const *) opt.dirs, opt.ndirs, &popt,
                          &posts, &diag) != 0)
        || collect_redirects(&posts, &list, &diag) != 0
        || (have_cfg && collect_config(&cfg, &list, &rules, &diag) != 0))
    {
        fprintf(stderr, "redirect-map: out of memory\n");
        rc = EXIT_IO;
        goto done;
    }

    redirects_check(&list, &diag);
    chains_check_pages(&list, &rules, &diag);

    if (chains_collapse(&list, &rules, &diag) != 0) {
        fprintf(stderr, "redirect-map: out of memory\n");
        rc = EXIT_IO;
        goto done;
    }

    if (diag.errors > 0) {
        fprintf(stderr, "redirect-map: %zu error%s, %s not written\n",
                diag.errors, diag.errors == 1 ? "" : "s", opt.output);
        rc = EXIT_INVALID;
        goto done;
    }

    rc = write_map(&list, &rules, &opt);

    if (rc == EXIT_OK && !opt.quiet) {
        char  nrules[64] = "";

        if (rules.count > 0) {
            snprintf(nrules, sizeof(nrules), " and %zu rule%s", rules.count,
                     rules.count == 1 ? "" : "s");
        }

        fprintf(stderr, "redirect-map: %zu files read, %zu redirects%s "
                "written, %zu posts skipped in %.2f s -> %s\n",
                posts.files_read, list.count, nrules, posts.posts_skipped,
                seconds_since(&start), opt.output);
    }

done:

    posts_free(&posts);
    redirects_free(&list);
    rules_free(&rules);
    config_free(&cfg);
    free(dirs);
    return rc;
}
