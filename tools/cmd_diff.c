/*
 * cmd_diff.c - "diff OLD NEW": the redirects a new map adds, removes and
 * changes, for review before it is deployed.
 *
 *   + /key -> /target (301)
 *   - /key -> /target (301)
 *   ~ /key: /old (301) -> /new (302)
 *   + rule '^/x/(.*)$' -> /y/$1 (301)
 *   ~ rule '^/x/(.*)$': /y/$1 (301) -> /z/$1 (301)
 *   ~ rule '^/b/': moved from #2 to #4
 *   N added, M removed, K changed
 *
 * Entries are compared by key, on target and status (not on where they
 * were declared).  Rules are compared by pattern, on target, status,
 * query flags and their order (which decides which rule answers): the
 * rules out of the longest run kept in order are "moved".
 * Exit status as diff(1): 0 the same, 1 different, 2 usage, 3 a map
 * that cannot be read.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "mapfile.h"


static const char  diff_help[] =
    "Usage: redirect-map diff [--json] [-q] OLD NEW\n"
    "\n"
    "Compares two maps and prints what NEW changes, one line each:\n"
    "  + KEY -> TARGET (STATUS)              added\n"
    "  - KEY -> TARGET (STATUS)              removed\n"
    "  ~ KEY: OLDTARGET (S) -> NEWTARGET (S) changed\n"
    "rules as  + rule 'PATTERN' -> TARGET (STATUS)  and so on, then\n"
    "  N added, M removed, K changed\n"
    "Entries are matched by key, rules by pattern; a rule that moved in\n"
    "the order (\"moved from #2 to #4\") counts as changed.  A 410 has\n"
    "no target.\n"
    "\n"
    "  -j, --json             one JSON object: {\"added\", \"removed\",\n"
    "                         \"changed\", \"summary\"}\n"
    "  -q, --quiet            print nothing, only set the exit status\n"
    "  -h, --help             show this help\n"
    "\n"
    "Exit status: 0 the maps redirect the same, 1 they differ, 2 usage\n"
    "error, 3 a map cannot be read or is damaged, or output failed.\n";


typedef struct {
    int     json;
    int     quiet;
    size_t  added;
    size_t  removed;
    size_t  changed;
    int     first[3];           /* json: the first item of each array */
    FILE   *out[3];             /* json: added, removed, changed buffers */
    char   *buf[3];
    size_t  len[3];
} diff_t;

enum { ADDED, REMOVED, CHANGED };


/* A redirect for the text and JSON outputs. */
typedef struct {
    const char  *from;
    size_t       from_len;
    const char  *to;
    size_t       to_len;
    unsigned     status;
    int          rule;          /* a rule: from is its pattern */
    unsigned     flags;
    size_t       position;      /* rules: 1-based */
    int          moved;         /* rules: out of order among the common */
} item_t;


static int
bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int  c = memcmp(a, b, alen < blen ? alen : blen);

    return c ? c : (alen > blen) - (alen < blen);
}


static void
print_side(FILE *f, const item_t *x)
{
    if (x->status != 410) {
        fprintf(f, "%.*s ", (int) x->to_len, x->to);
    }
    fprintf(f, "(%u)", x->status);
}


static void
print_from(FILE *f, const item_t *x)
{
    if (x->rule) {
        fprintf(f, "rule '%.*s'", (int) x->from_len, x->from);
    } else {
        fprintf(f, "%.*s", (int) x->from_len, x->from);
    }
}


static void
json_fields(FILE *f, const item_t *x)
{
    fputs("\"to\": ", f);
    if (x->status == 410) {
        fputs("null", f);
    } else {
        json_string(f, x->to, x->to_len);
    }
    fprintf(f, ", \"status\": %u", x->status);
    if (x->rule) {
        fprintf(f, ", \"position\": %zu", x->position);
    }
}


static void
report(diff_t *d, int what, const item_t *old, const item_t *new)
{
    const item_t  *x = new != NULL ? new : old;
    FILE          *f;

    if (what == ADDED) {
        d->added++;
    } else if (what == REMOVED) {
        d->removed++;
    } else {
        d->changed++;
    }

    if (d->quiet) {
        return;
    }

    if (d->json) {
        f = d->out[what];
        fputs(d->first[what] ? "\n    {\"type\": " : ",\n    {\"type\": ", f);
        fputs(x->rule ? "\"rule\", \"from\": " : "\"exact\", \"from\": ", f);
        json_string(f, x->from, x->from_len);
        if (what == CHANGED) {
            fputs(", \"old\": {", f);
            json_fields(f, old);
            fputs("}, \"new\": {", f);
            json_fields(f, new);
            fputc('}', f);
        } else {
            fputs(", ", f);
            json_fields(f, x);
        }
        fputc('}', f);
        d->first[what] = 0;
        return;
    }

    if (what == CHANGED) {
        fputs("~ ", stdout);
        print_from(stdout, x);

        if (x->rule && new->moved && old->status == new->status
            && old->flags == new->flags
            && bytes_cmp(old->to, old->to_len, new->to, new->to_len) == 0)
        {
            printf(": moved from #%zu to #%zu\n", old->position,
                   new->position);
            return;
        }

        fputs(": ", stdout);
        print_side(stdout, old);
        if (new->moved) {
            printf(" #%zu", old->position);
        }
        fputs(" -> ", stdout);
        print_side(stdout, new);
        if (new->moved) {
            printf(" #%zu", new->position);
        }
        fputc('\n', stdout);
        return;
    }

    fputs(what == ADDED ? "+ " : "- ", stdout);
    print_from(stdout, x);
    fputs(x->status == 410 ? " " : " -> ", stdout);
    print_side(stdout, x);
    fputc('\n', stdout);
}


static void
entry_item(const lrm_entry_t *e, item_t *x)
{
    memset(x, 0, sizeof(*x));
    x->from = e->key;
    x->from_len = e->key_len;
    x->to = e->target;
    x->to_len = e->target_len;
    x->status = e->status;
}


static void
rule_item(const lrm_rule_t *r, size_t position, item_t *x)
{
    memset(x, 0, sizeof(*x));
    x->from = r->pattern;
    x->from_len = r->pattern_len;
    x->to = r->target;
    x->to_len = r->target_len;
    x->status = r->status;
    x->flags = r->flags;
    x->rule = 1;
    x->position = position;
}


static int
same(const item_t *a, const item_t *b)
{
    return a->status == b->status && a->flags == b->flags
           && !a->moved && !b->moved
           && bytes_cmp(a->to, a->to_len, b->to, b->to_len) == 0;
}


static void
diff_entries(diff_t *d, const mapfile_entries_t *a,
    const mapfile_entries_t *b)
{
    item_t  x, y;
    size_t  i = 0, j = 0;
    int     c;

    while (i < a->count || j < b->count) {
        if (i == a->count) {
            c = 1;
        } else if (j == b->count) {
            c = -1;
        } else {
            c = bytes_cmp(a->items[i].key, a->items[i].key_len,
                          b->items[j].key, b->items[j].key_len);
        }

        if (c < 0) {
            entry_item(&a->items[i++], &x);
            report(d, REMOVED, &x, NULL);

        } else if (c > 0) {
            entry_item(&b->items[j++], &y);
            report(d, ADDED, NULL, &y);

        } else {
            entry_item(&a->items[i++], &x);
            entry_item(&b->items[j++], &y);
            if (!same(&x, &y)) {
                report(d, CHANGED, &x, &y);
            }
        }
    }
}


/* The first rule of rules[0..n) with this pattern, not yet used, or -1. */
static long
find_rule(const lrm_rule_t *rules, size_t n, const char *used,
    const lrm_rule_t *r)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (!used[i]
            && bytes_cmp(rules[i].pattern, rules[i].pattern_len, r->pattern,
                         r->pattern_len) == 0)
        {
            return (long) i;
        }
    }

    return -1;
}


/*
 * Marks which of the rules both maps have changed their order: r[i] is
 * the position in NEW of the i-th common rule of OLD; the longest
 * increasing run of r stays in order (on a tie, the later rules stay),
 * the others moved.  Sets moved[i].  Returns 0, or -1 (out of memory).
 */
static int
find_moved(const size_t *r, size_t m, char *moved)
{
    size_t  *len, *prev, i, j, best = 0;

    len = calloc(m + 1, sizeof(size_t));
    prev = calloc(m + 1, sizeof(size_t));
    if (len == NULL || prev == NULL) {
        free(len);
        free(prev);
        return -1;
    }

    for (i = 0; i < m; i++) {
        len[i] = 1;
        prev[i] = (size_t) -1;
        for (j = 0; j < i; j++) {
            if (r[j] < r[i] && len[j] + 1 >= len[i]) {
                len[i] = len[j] + 1;
                prev[i] = j;
            }
        }
        if (len[i] >= len[best]) {
            best = i;
        }
        moved[i] = 1;
    }

    for (i = best; m > 0 && i != (size_t) -1; i = prev[i]) {
        moved[i] = 0;
    }

    free(len);
    free(prev);
    return 0;
}


/*
 * Rules are matched by pattern.  A rule in both maps has changed when its
 * target, status or flags differ, or when it moved among the rules the
 * two maps share (an added or removed rule alone moves nothing).
 */
static int
diff_rules(diff_t *d, const lrm_rule_t *a, size_t na, const lrm_rule_t *b,
    size_t nb)
{
    item_t   x, y;
    char    *used, *moved;
    long    *match, k;
    size_t  *order, i, m = 0;
    int      rc = -1;

    used = calloc(nb + 1, 1);
    moved = calloc(na + 1, 1);
    match = calloc(na + 1, sizeof(long));
    order = calloc(na + 1, sizeof(size_t));

    if (used == NULL || moved == NULL || match == NULL || order == NULL) {
        goto done;
    }

    for (i = 0; i < na; i++) {
        match[i] = find_rule(b, nb, used, &a[i]);
        if (match[i] >= 0) {
            used[match[i]] = 1;
            order[m++] = (size_t) match[i];
        }
    }

    if (find_moved(order, m, moved) != 0) {
        goto done;
    }

    for (i = 0, m = 0; i < na; i++) {
        rule_item(&a[i], i + 1, &x);
        k = match[i];

        if (k < 0) {
            report(d, REMOVED, &x, NULL);
            continue;
        }

        rule_item(&b[k], (size_t) k + 1, &y);
        y.moved = moved[m++];

        if (!same(&x, &y)) {
            report(d, CHANGED, &x, &y);
        }
    }

    for (i = 0; i < nb; i++) {
        if (!used[i]) {
            rule_item(&b[i], i + 1, &y);
            report(d, ADDED, NULL, &y);
        }
    }

    rc = 0;

done:

    free(used);
    free(moved);
    free(match);
    free(order);
    return rc;
}


typedef struct {
    mapfile_t           mf;
    mapfile_entries_t   entries;
    lrm_rule_t         *rules;
    size_t              nrules;
} side_t;


static int
load_side(side_t *s, const char *path)
{
    memset(s, 0, sizeof(*s));

    if (mapfile_open(&s->mf, path) != 0) {
        return -1;
    }

    return mapfile_entries(&s->mf, path, &s->entries) != 0
           || mapfile_rules(&s->mf, path, &s->rules, &s->nrules) != 0
           ? -1 : 0;
}


static void
free_side(side_t *s)
{
    free(s->entries.items);
    free(s->rules);
    mapfile_free(&s->mf);
}


int
cmd_diff(int argc, char **argv)
{
    static const struct option  longopts[] = {
        { "json",  no_argument, NULL, 'j' },
        { "quiet", no_argument, NULL, 'q' },
        { "help",  no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    diff_t                      d;
    side_t                      a, b;
    int                         c, k, rc = EXIT_IO;

    memset(&d, 0, sizeof(d));

    optind = 1;
    while ((c = getopt_long(argc, argv, "jqh", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': d.json = 1; break;
        case 'q': d.quiet = 1; break;
        case 'h': fputs(diff_help, stdout); return EXIT_OK;
        default:  try_help("diff"); return EXIT_USAGE;
        }
    }

    if (argc - optind != 2) {
        fprintf(stderr, "redirect-map diff: two maps needed, OLD and NEW\n");
        try_help("diff");
        return EXIT_USAGE;
    }

    if (load_side(&a, argv[optind]) != 0) {
        free_side(&a);
        return EXIT_IO;
    }

    if (load_side(&b, argv[optind + 1]) != 0) {
        free_side(&a);
        free_side(&b);
        return EXIT_IO;
    }

    for (k = 0; k < 3 && d.json && !d.quiet; k++) {
        d.first[k] = 1;
        d.out[k] = open_memstream(&d.buf[k], &d.len[k]);
        if (d.out[k] == NULL) {
            fprintf(stderr, "redirect-map: out of memory\n");
            goto done;
        }
    }

    if ((a.mf.map.flags & LRM_F_CASELESS) != (b.mf.map.flags & LRM_F_CASELESS)
        && !d.quiet && !d.json)
    {
        printf("~ map: %s -> %s\n",
               a.mf.map.flags & LRM_F_CASELESS ? "caseless" : "case-sensitive",
               b.mf.map.flags & LRM_F_CASELESS ? "caseless" : "case-sensitive");
    }
    if ((a.mf.map.flags & LRM_F_CASELESS) != (b.mf.map.flags & LRM_F_CASELESS))
    {
        d.changed++;
    }

    diff_entries(&d, &a.entries, &b.entries);

    if (diff_rules(&d, a.rules, a.nrules, b.rules, b.nrules) != 0) {
        fprintf(stderr, "redirect-map: out of memory\n");
        goto done;
    }

    if (d.json && !d.quiet) {
        for (k = 0; k < 3; k++) {
            fclose(d.out[k]);
            d.out[k] = NULL;
        }
        printf("{\n  \"added\": [%s%s],\n  \"removed\": [%s%s],\n"
               "  \"changed\": [%s%s],\n  \"summary\": {\"added\": %zu, "
               "\"removed\": %zu, \"changed\": %zu}\n}\n",
               d.buf[ADDED], d.first[ADDED] ? "" : "\n  ",
               d.buf[REMOVED], d.first[REMOVED] ? "" : "\n  ",
               d.buf[CHANGED], d.first[CHANGED] ? "" : "\n  ",
               d.added, d.removed, d.changed);

    } else if (!d.quiet) {
        printf("%zu added, %zu removed, %zu changed\n", d.added, d.removed,
               d.changed);
    }

    rc = d.added + d.removed + d.changed > 0 ? EXIT_INVALID : EXIT_OK;

    if (fflush(stdout) != 0) {
        fprintf(stderr, "redirect-map: cannot write the output\n");
        rc = EXIT_IO;
    }

done:

    for (k = 0; k < 3; k++) {
        if (d.out[k] != NULL) {
            fclose(d.out[k]);
        }
        free(d.buf[k]);
    }
    free_side(&a);
    free_side(&b);
    return rc;
}
