/*
 * cmd_query.c - "lookup": reading a map with the same reader, the same
 * normalisation and the same rule matching as the nginx module.
 */

#include <getopt.h>
#include <sys/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mapfile.h"
#include "rules.h"


void
try_help(const char *cmd)
{
    fprintf(stderr, "Try 'redirect-map %s --help'.\n", cmd);
}


/* Only --help is known; returns the index of the first operand or -1
 * (getopt has reported the option). */
int
parse_help_only(int argc, char **argv, const char *help)
{
    static const struct option  longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int                         c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        if (c == 'h') {
            fputs(help, stdout);
            exit(EXIT_OK);
        }

        return -1;
    }

    return optind;
}


/* The normalised key of a path or absolute URL, or -1.  A URL with no
 * path ("https://host", "https://host?q") is "/", as the build takes it. */
static long
key_of(const lrm_map_t *map, const char *url, char *key)
{
    const char  *path = url;
    size_t       len = strlen(url);
    unsigned     flags;

    if (url[0] != '/') {
        path = lrm_url_path(url, len, &len);
        if (path == NULL) {
            return -1;
        }

        if (len == 0 || path[0] != '/') {
            path = "/";
            len = 1;
        }
    }

    flags = (map->flags & LRM_F_CASELESS) ? LRM_NORM_CASELESS : 0;
    return lrm_normalize_path(path, len, key, flags);
}


static const char  lookup_help[] =
    "Usage: redirect-map lookup MAP [URL...]\n"
    "\n"
    "Looks each URL (a path or an absolute http(s) URL) up in MAP the way\n"
    "the nginx module does: exact entries first, then the pattern rules in\n"
    "order (a rule with match_query sees the URL's query string).  Prints,\n"
    "per URL, one tab-separated line:\n"
    "  TARGET  STATUS  SOURCE:LINE  exact|rule\n"
    "(a 410 has an empty TARGET; the module would also append the\n"
    "request's query to TARGET, lookup does not).  A URL that is not in\n"
    "the map prints \"URL: not found\" on stderr.  Without URL\n"
    "arguments, the URLs are read from stdin, one per line (blank lines\n"
    "are skipped).\n"
    "\n"
    "Exit status: 0 all found, 1 some not found, 2 usage error,\n"
    "3 the map cannot be read or is damaged, or output failed.\n";


/* The rules of the map, compiled once.  Returns 0, or -1 (reported). */
static int
load_rules(const mapfile_t *mf, const char *path, rule_list_t *rules)
{
    lrm_rule_t  r;
    size_t      off = 0;
    uint32_t    i, n;
    char        err[256];

    rules->caseless = (mf->map.flags & LRM_F_CASELESS) != 0;
    n = lrm_rule_count(&mf->map);

    for (i = 0; i < n; i++) {
        if (lrm_rule_next(&mf->map, &off, &r) != LRM_OK) {
            fprintf(stderr, "redirect-map: %s: rule %u is damaged\n", path,
                    i + 1);
            return -1;
        }

        if (rules_add_compiled(rules, &r, err, sizeof(err)) != 0) {
            fprintf(stderr, "redirect-map: %s: rule %u (%.*s:%u): %s\n",
                    path, i + 1, (int) r.source_len,
                    r.source ? r.source : "", r.line, err);
            return -1;
        }
    }

    return 0;
}


/* The query string of a URL: after the first '?', before any '#'. */
static const char *
query_of(const char *url, size_t *len)
{
    const char  *q = strchr(url, '?'), *hash = strchr(url, '#');

    if (q == NULL || (hash != NULL && hash < q)) {
        *len = 0;
        return "";
    }

    q++;
    *len = hash ? (size_t) (hash - q) : strlen(q);
    return q;
}


typedef struct {
    const char    *path;
    mapfile_t      mf;
    rule_list_t    rules;
    rule_hit_t    *hit;
    int            missed;
} lookup_t;


/* The rule that answered: "FILE:LINE", or its number in the map when the
 * map names no file for it (--no-sources). */
static void
print_rule_place(const lookup_t *lk, FILE *out)
{
    const rule_t  *r = lk->hit->rule;

    if (r->file[0] != '\0') {
        fprintf(out, "%s:%u", r->file, r->line);

    } else {
        fprintf(out, "%u", (unsigned) (r - lk->rules.items) + 1);
    }
}


/* Looks one URL up and prints the answer.  Returns 0, or -1 when the map
 * is damaged (reported). */
static int
lookup_one(lookup_t *lk, const char *url)
{
    char          key[LRM_MAX_KEY];
    lrm_entry_t   e;
    const char   *query, *source;
    size_t        qlen, source_len;
    long          n;
    int           rc;

    n = key_of(&lk->mf.map, url, key);
    rc = n < 0 ? LRM_NOT_FOUND : lrm_lookup(&lk->mf.map, key, (size_t) n, &e);

    if (rc == LRM_ERROR) {
        fprintf(stderr, "redirect-map: %s: damaged record\n", lk->path);
        return -1;
    }

    if (rc == LRM_OK) {
        printf("%.*s\t%u\t", (int) e.target_len, e.target, e.status);
        source = lrm_source_name(&lk->mf.map, e.source, &source_len);
        if (source != NULL) {
            printf("%.*s:%u", (int) source_len, source, e.line);
        }
        printf("\texact\n");
        return 0;
    }

    if (n >= 0) {
        query = query_of(url, &qlen);
        rc = rules_match(&lk->rules, key, (size_t) n, query, qlen, lk->hit);

        if (rc < 0) {
            fprintf(stderr, "%s: matching failed\n", url);
            lk->missed = 1;
            return 0;
        }

        if (rc == 1 && (lk->hit->target_len < 0 || lk->hit->loops)) {
            fprintf(stderr, "%s: not found (rule ", url);
            print_rule_place(lk, stderr);
            fprintf(stderr, " matches but %s)\n", lk->hit->target_len < 0
                    ? "gives an unsafe target" : "redirects to itself");
            lk->missed = 1;
            return 0;
        }

        if (rc == 1) {
            printf("%s\t%u\t", lk->hit->target, lk->hit->rule->status);
            if (lk->hit->rule->file[0] != '\0') {      /* --no-sources */
                printf("%s:%u", lk->hit->rule->file, lk->hit->rule->line);
            }
            printf("\trule\n");
            return 0;
        }
    }

    fprintf(stderr, "%s: not found\n", url);
    lk->missed = 1;
    return 0;
}


/* URLs one per line from stdin.  Returns 0, or -1 (damaged map). */
static int
lookup_stdin(lookup_t *lk)
{
    char     *line = NULL;
    size_t    cap = 0;
    ssize_t   len;
    int       rc = 0;

    while ((len = getline(&line, &cap, stdin)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'
                           || line[len - 1] == ' ' || line[len - 1] == '\t'))
        {
            line[--len] = '\0';
        }

        if (len == 0) {
            continue;
        }

        if (lookup_one(lk, line) != 0) {
            rc = -1;
            break;
        }
    }

    free(line);
    return rc;
}


int
cmd_lookup(int argc, char **argv)
{
    lookup_t  lk;
    int       first, i, result = EXIT_OK;

    first = parse_help_only(argc, argv, lookup_help);
    if (first < 0) {
        try_help("lookup");
        return EXIT_USAGE;
    }

    if (argc - first < 1) {
        fprintf(stderr, "redirect-map lookup: no MAP given\n");
        try_help("lookup");
        return EXIT_USAGE;
    }

    memset(&lk, 0, sizeof(lk));
    lk.path = argv[first];

    if (mapfile_open(&lk.mf, lk.path) != 0) {
        return EXIT_IO;
    }

    lk.hit = malloc(sizeof(*lk.hit));
    if (lk.hit == NULL || load_rules(&lk.mf, lk.path, &lk.rules) != 0) {
        result = EXIT_IO;
        goto done;
    }

    if (argc - first == 1) {
        if (lookup_stdin(&lk) != 0) {
            result = EXIT_IO;
            goto done;
        }

    } else {
        for (i = first + 1; i < argc; i++) {
            if (lookup_one(&lk, argv[i]) != 0) {
                result = EXIT_IO;
                goto done;
            }
        }
    }

    result = lk.missed ? EXIT_INVALID : EXIT_OK;

done:

    if (fflush(stdout) != 0 && result != EXIT_IO) {
        fprintf(stderr, "redirect-map: cannot write the output\n");
        result = EXIT_IO;
    }

    free(lk.hit);
    rules_free(&lk.rules);
    mapfile_free(&lk.mf);
    return result;
}
