/*
 * build.h - what "build" and "check" share: their options, and reading
 * and validating everything a map is made of (posts, the configuration,
 * its rules, redirects and imported lists, chains and loops).  "build"
 * then writes the map; "check" checks the targets against a built site
 * instead, and writes nothing.
 */

#ifndef BUILD_H
#define BUILD_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "diag.h"
#include "posts.h"
#include "progress.h"
#include "redirects.h"
#include "rules.h"

#define DEFAULT_KEY     "legacyUrl"
#define DEFAULT_TARGET  "/{year}/{month}/{slug}"

#define STATUS_MOVED    301
#define STATUS_GONE     410

typedef enum {
    BUILD_MODE_BUILD,           /* -o FILE, writes the map */
    BUILD_MODE_CHECK            /* --site DIR, --json, writes nothing */
} build_mode_t;

typedef struct {
    const char   *output;       /* build */
    const char   *site;         /* check: the built site, or NULL */
    int           json;         /* check: a JSON report on stdout */
    const char   *key;
    const char   *target;
    const char   *timezone;     /* --timezone ZONE, or NULL: as written */
    const char   *path_field;   /* --path-field NAME, or NULL */
    const char   *date_field;   /* --date-field NAME, or NULL */
    int           date_prefix;  /* --date-prefix */
    int           slugify;      /* --slugify */
    const char   *config;       /* --config FILE, or NULL */
    int           ignore_case;
    int           quiet;
    int           no_sources;   /* build: a map without source refs */
    int           allow_empty;  /* no redirect and no rule is fine */
    char        **dirs;
    size_t        ndirs;
} build_options_t;

/* A legacy URL left out as its post's own path, for check --site. */
typedef struct {
    char            *path;      /* the path, then the file, one block */
    const char      *file;
    unsigned         line;
    unsigned         column;
} own_path_t;

typedef struct {
    build_mode_t     mode;
    build_options_t  opt;
    config_t         cfg;
    int              have_cfg;
    post_list_t      posts;
    size_t           own_paths;   /* legacy URLs already their post's path */
    own_path_t      *kept;        /* check --site: those URLs, to look for */
    size_t           nkept;
    date_zone_t      zone;        /* from opt.timezone */
    redirect_list_t  list;
    rule_list_t      rules;
    diag_t           diag;
    progress_t       progress;
    struct timespec  start;
    char           **dirs;      /* the configuration's content, copied */
    char            *keys;      /* -k given more than once, joined */
    diag_hook_pt     hook;      /* more to do with each message, or NULL */
    void            *hook_ctx;
} build_t;

/*
 * Parses the options of "build" or "check" (argv[0] is the command).
 * --help prints the command's help and exits.  Returns 0, or -1 for a
 * usage error (reported).
 */
int build_parse_options(build_t *b, build_mode_t mode, int argc,
    char **argv);

/*
 * Reads the configuration, the posts and the lists, and validates them
 * as a whole (duplicates, loops, chains collapsed).  Returns EXIT_OK,
 * EXIT_INVALID (errors reported, counted in b->diag), EXIT_USAGE
 * (reported) or EXIT_IO.
 */
int build_collect(build_t *b);

/* "s" after a count other than 1, for the summary lines */
const char *plural(size_t n);

/* Seconds since build_parse_options(). */
double build_seconds(const build_t *b);

void build_free(build_t *b);

#endif /* BUILD_H */
