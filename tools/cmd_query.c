/*
 * cmd_query.c - "lookup" and "dump": reading a map with the same reader
 * as the nginx module.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mapfile.h"
#include "rules.h"


static int
load_or_report(mapfile_t *mf, const char *path)
{
    char  err[256];

    if (mapfile_load(mf, path, err, sizeof(err)) != 0) {
        fprintf(stderr, "redirect-map: %s: %s\n", path, err);
        return -1;
    }

    return 0;
}


/* Only --help is known; returns the index of the first operand or -1. */
static int
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

        fputs(help, stderr);
        return -1;
    }

    return optind;
}


/* The normalised key of a path or absolute URL, or -1. */
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

        if (len == 0) {
            path = "/";
            len = 1;
        }
    }

    flags = (map->flags & LRM_F_CASELESS) ? LRM_NORM_CASELESS : 0;
    return lrm_normalize_path(path, len, key, flags);
}


static const char  lookup_help[] =
    "Usage: redirect-map lookup MAP URL...\n"
    "\n"
    "Looks each URL (a path or an absolute http(s) URL) up in MAP the way\n"
    "the nginx module does: exact entries first, then the pattern rules in\n"
    "order (a rule with match_query sees the URL's query string).  Prints,\n"
    "per URL, one tab-separated line:\n"
    "  TARGET  STATUS  SOURCE:LINE  exact|rule\n"
    "(a 410 has an empty TARGET).  A URL that is not in the map prints\n"
    "\"URL: not found\" on stderr.\n"
    "\n"
    "Exit status: 0 all found, 1 some not found, 2 usage error,\n"
    "3 the map cannot be read or is damaged.\n";


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


int
cmd_lookup(int argc, char **argv)
{
    char          key[LRM_MAX_KEY];
    mapfile_t     mf;
    lrm_entry_t   e;
    rule_list_t   rules = { 0 };
    rule_hit_t   *hit = NULL;
    const char   *query;
    size_t        qlen;
    int           first, i, rc, missed, result = EXIT_OK;
    long          n;

    first = parse_help_only(argc, argv, lookup_help);
    if (first < 0 || argc - first < 2) {
        if (first >= 0) {
            fputs(lookup_help, stderr);
        }
        return EXIT_USAGE;
    }

    if (load_or_report(&mf, argv[first]) != 0) {
        return EXIT_IO;
    }

    hit = malloc(sizeof(*hit));
    if (hit == NULL || load_rules(&mf, argv[first], &rules) != 0) {
        result = EXIT_IO;
        goto done;
    }

    missed = 0;

    for (i = first + 1; i < argc; i++) {
        n = key_of(&mf.map, argv[i], key);
        rc = n < 0 ? LRM_NOT_FOUND : lrm_lookup(&mf.map, key, (size_t) n, &e);

        if (rc == LRM_ERROR) {
            fprintf(stderr, "redirect-map: %s: damaged record\n",
                    argv[first]);
            result = EXIT_IO;
            goto done;
        }

        if (rc == LRM_OK) {
            printf("%.*s\t%u\t", (int) e.target_len, e.target, e.status);
            if (e.source != NULL) {
                printf("%.*s:%u", (int) e.source_len, e.source, e.line);
            }
            printf("\texact\n");
            continue;
        }

        if (n >= 0) {
            query = query_of(argv[i], &qlen);
            rc = rules_match(&rules, key, (size_t) n, query, qlen, hit);

            if (rc < 0) {
                fprintf(stderr, "%s: matching failed\n", argv[i]);
                missed = 1;
                continue;
            }

            if (rc == 1 && hit->target_len < 0) {
                fprintf(stderr, "%s: not found (rule %s:%u matches but "
                        "gives an unsafe target)\n", argv[i],
                        hit->rule->file, hit->rule->line);
                missed = 1;
                continue;
            }

            if (rc == 1) {
                printf("%s\t%u\t%s:%u\trule\n", hit->target,
                       hit->rule->status, hit->rule->file, hit->rule->line);
                continue;
            }
        }

        fprintf(stderr, "%s: not found\n", argv[i]);
        missed = 1;
    }

    result = missed ? EXIT_INVALID : EXIT_OK;

done:

    free(hit);
    rules_free(&rules);
    mapfile_free(&mf);
    return result;
}


typedef struct {
    lrm_entry_t  *items;
    size_t        count;
    size_t        capacity;
} entry_list_t;


static int
collect_entry(const lrm_entry_t *e, void *ctx)
{
    entry_list_t  *list = ctx;
    lrm_entry_t   *grown;

    if (list->count == list->capacity) {
        list->capacity = list->capacity ? list->capacity * 2 : 1024;
        grown = realloc(list->items, list->capacity * sizeof(*grown));
        if (grown == NULL) {
            return -1;
        }
        list->items = grown;
    }

    list->items[list->count++] = *e;
    return 0;
}


static int
compare_entry_keys(const void *a, const void *b)
{
    const lrm_entry_t  *x = a, *y = b;
    size_t              n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int                 c = memcmp(x->key, y->key, n);

    return c ? c : (x->key_len > y->key_len) - (x->key_len < y->key_len);
}


static const char  dump_help[] =
    "Usage: redirect-map dump MAP\n"
    "\n"
    "Prints every entry of MAP, sorted by key, as tab-separated lines:\n"
    "  KEY  TARGET  STATUS\n"
    "\n"
    "Exit status: 0 ok, 2 usage error, 3 the map cannot be read.\n";


int
cmd_dump(int argc, char **argv)
{
    mapfile_t     mf;
    entry_list_t  list = { 0 };
    size_t        i;
    int           first;

    first = parse_help_only(argc, argv, dump_help);
    if (first < 0 || argc - first != 1) {
        if (first >= 0) {
            fputs(dump_help, stderr);
        }
        return EXIT_USAGE;
    }

    if (load_or_report(&mf, argv[first]) != 0) {
        return EXIT_IO;
    }

    if (lrm_foreach(&mf.map, collect_entry, &list) != 0) {
        fprintf(stderr, "redirect-map: %s: damaged record or out of "
                "memory\n", argv[first]);
        free(list.items);
        mapfile_free(&mf);
        return EXIT_IO;
    }

    qsort(list.items, list.count, sizeof(lrm_entry_t), compare_entry_keys);

    for (i = 0; i < list.count; i++) {
        printf("%.*s\t%.*s\t%u\n", (int) list.items[i].key_len,
               list.items[i].key, (int) list.items[i].target_len,
               list.items[i].target, list.items[i].status);
    }

    free(list.items);
    mapfile_free(&mf);

    if (fflush(stdout) != 0) {
        return EXIT_IO;
    }

    return EXIT_OK;
}
