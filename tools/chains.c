/*
 * chains.c - collapsing chains and finding loops, see chains.h.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chains.h"

#define STATUS_GONE  410


/* ---- rules and live pages ---- */

void
chains_check_pages(redirect_list_t *list, rule_list_t *rules, diag_t *diag)
{
    rule_hit_t     *hit;
    const page_t  **first;
    size_t         *more, i, k;
    const page_t   *p;

    if (rules->count == 0 || list->page_count == 0) {
        return;
    }

    hit = malloc(sizeof(*hit));
    first = calloc(rules->count, sizeof(*first));
    more = calloc(rules->count, sizeof(*more));

    if (hit == NULL || first == NULL || more == NULL) {
        diag_error(diag, NULL, 0, 0, "out of memory");
        goto done;
    }

    redirects_sort_pages(list);      /* equal paths are neighbours */

    for (i = 0; i < list->page_count; i++) {
        p = &list->pages[i];

        if (i > 0 && strcmp(p->path, list->pages[i - 1].path) == 0) {
            continue;
        }

        if (rules_match(rules, p->path, strlen(p->path), "", 0, hit) != 1) {
            continue;
        }

        k = (size_t) (hit->rule - rules->items);

        if (first[k] == NULL) {
            first[k] = p;
        } else {
            more[k]++;
        }
    }

    for (k = 0; k < rules->count; k++) {
        if (first[k] == NULL) {
            continue;
        }

        diag_error(diag, rules->items[k].file, rules->items[k].line,
                   rules->items[k].column, "rule '%s' matches \"%s\", the "
                   "new path of %s: it would redirect a live page%s",
                   rules->items[k].pattern, first[k]->path, first[k]->file,
                   more[k] ? " (and other pages)" : "");
    }

done:

    free(hit);
    free(first);
    free(more);
}


/* ---- chains ---- */

typedef struct {
    const redirect_t  *entry;      /* what answered this hop's key */
    const rule_t      *rule;
    char              *key;        /* the normalised key reached */
} hop_t;

#define HOP_KEY_SIZE  (LRM_MAX_KEY + 1)

typedef struct {
    redirect_list_t   *list;
    rule_list_t       *rules;
    diag_t            *diag;
    rule_hit_t        *hit;
    hop_t              hops[CHAINS_MAX_HOPS + 2];
    size_t             nhops;
    char               keys[CHAINS_MAX_HOPS + 2][HOP_KEY_SIZE];
    char               key[LRM_MAX_KEY];
    char               cur[LRM_MAX_TARGET + 1];
    int                nomem;
} chain_t;


static void
chain_reset(chain_t *c)
{
    c->nhops = 0;
}


/*
 * An error about the chain that starts at entry e (held back so that
 * they come out in the order of the keys) or at a rule (e NULL).
 */
#define chain_error(c, e, file, line, column, ...)                          \
    do {                                                                    \
        if ((e) != NULL) {                                                  \
            redirects_error((c)->list, (c)->diag, (e), file, line, column,  \
                            __VA_ARGS__);                                   \
        } else {                                                            \
            diag_error((c)->diag, file, line, column, __VA_ARGS__);         \
        }                                                                   \
    } while (0)


static int
is_site_path(const char *t)
{
    return t[0] == '/' && t[1] != '/' && t[1] != '\\';
}


/*
 * Takes one hop from c->cur: returns 1 with the hop recorded, c->cur the
 * next target and *status its status; 0 when c->cur leads nowhere.
 */
static int
step(chain_t *c, unsigned *status)
{
    const char   *q, *end;
    size_t        qlen = 0;
    long          n;
    redirect_t   *e;
    hop_t        *h;
    const rule_t *r = NULL;

    if (!is_site_path(c->cur)) {
        return 0;
    }

    n = lrm_normalize_path(c->cur, strlen(c->cur), c->key,
                           c->list->norm_flags);
    if (n < 0) {
        return 0;
    }

    q = strchr(c->cur, '?');
    if (q != NULL) {
        q++;
        end = strchr(q, '#');
        qlen = end ? (size_t) (end - q) : strlen(q);
    }

    e = redirects_find(c->list, c->key, (size_t) n);

    if (e == NULL) {
        if (rules_match(c->rules, c->key, (size_t) n, q ? q : "", qlen,
                        c->hit) != 1
            || (c->hit->rule->status != STATUS_GONE
                && c->hit->target_len < 0))
        {
            return 0;
        }

        r = c->hit->rule;
    }

    h = &c->hops[c->nhops];
    h->entry = e;
    h->rule = r;
    h->key = c->keys[c->nhops];
    memcpy(h->key, c->key, (size_t) n);
    h->key[n] = '\0';

    c->nhops++;

    if (e != NULL) {
        *status = e->status;
        snprintf(c->cur, sizeof(c->cur), "%s", e->target);

    } else {
        *status = r->status;
        snprintf(c->cur, sizeof(c->cur), "%s", c->hit->target);
    }

    return 1;
}


/* "KEY (FILE:LINE) -> KEY (rule FILE:LINE) -> ... -> KEY" */
static char *
describe(const chain_t *c, size_t from, size_t to)
{
    size_t   i, len = 1;
    char    *s, *o;
    const hop_t *h;

    for (i = from; i <= to; i++) {
        h = &c->hops[i];
        len += strlen(h->key) + 32
               + strlen(h->entry ? h->entry->file
                        : h->rule ? h->rule->file : "");
    }

    s = malloc(len);
    if (s == NULL) {
        return NULL;
    }

    o = s;
    for (i = from; i <= to; i++) {
        h = &c->hops[i];

        if (i == to) {
            o += sprintf(o, "%s", h->key);
        } else if (h->entry != NULL) {
            o += sprintf(o, "%s (%s:%u) -> ", h->key, h->entry->file,
                         h->entry->line);
        } else {
            o += sprintf(o, "%s (rule %s:%u) -> ", h->key, h->rule->file,
                         h->rule->line);
        }
    }

    return s;
}


#define FOLLOW_END    0        /* c->cur is the end of the chain */
#define FOLLOW_LOOP   1        /* a loop back to the start (reported) */
#define FOLLOW_STUCK  2        /* leads into a loop, or too long */

/*
 * Follows the chain that starts at entry e or at rule r (one of them)
 * whose target is in c->cur.  *gone is set when a hop is a 410.
 */
static int
follow(chain_t *c, const redirect_t *e, const rule_t *r, int *gone)
{
    size_t     t, s, i;
    unsigned   status;
    char      *path;
    int        min;
    hop_t     *h;

    chain_reset(c);
    *gone = 0;

    /* hop 0: the start itself */
    c->hops[0].entry = e;
    c->hops[0].rule = r;
    c->hops[0].key = c->keys[0];
    if (e != NULL) {
        memcpy(c->keys[0], e->key, e->key_len);
        c->keys[0][e->key_len] = '\0';
    } else {
        c->keys[0][0] = '\0';
    }
    c->nhops = 1;

    for (t = 1; ; t++) {
        if (t > CHAINS_MAX_HOPS) {
            chain_error(c, e, e ? e->file : r->file, e ? e->line : r->line,
                        e ? e->column : r->column, "the redirect chain from "
                        "\"%s\" is longer than %d hops", e ? e->key
                        : r->pattern, CHAINS_MAX_HOPS);
            return FOLLOW_STUCK;
        }

        if (!step(c, &status)) {
            return c->nomem ? FOLLOW_STUCK : FOLLOW_END;
        }

        h = &c->hops[t];

        /* back to the start? */

        s = (size_t) -1;

        if (e != NULL) {
            for (i = 0; i < t; i++) {
                if (strcmp(c->hops[i].key, h->key) == 0) {
                    s = i;
                    break;
                }
            }

        } else if (h->rule == r) {
            s = 0;

        } else {
            for (i = 1; i < t; i++) {
                if (strcmp(c->hops[i].key, h->key) == 0) {
                    s = i;
                    break;
                }
            }
        }

        if (s == (size_t) -1) {
            if (status == STATUS_GONE) {
                *gone = 1;
                return FOLLOW_END;
            }
            continue;
        }

        if (s != 0) {
            return FOLLOW_STUCK;        /* the loop is reported by its own */
        }

        /* a loop through the start: reported once, by its first member
         * (entries first, then rules) */

        min = 1;
        for (i = 1; i < t; i++) {
            if (e != NULL && c->hops[i].entry != NULL
                && redirects_key_cmp(c->hops[i].entry, e) < 0)
            {
                min = 0;
            }
            if (e == NULL && (c->hops[i].entry != NULL
                              || (c->hops[i].rule != NULL
                                  && c->hops[i].rule < r)))
            {
                min = 0;
            }
        }

        if (e != NULL && t == 1) {
            return FOLLOW_LOOP;         /* "redirects to itself", reported */
        }

        if (!min) {
            return FOLLOW_LOOP;
        }

        if (e != NULL) {
            path = describe(c, 0, t);
            chain_error(c, e, e->file, e->line, e->column,
                        "redirect loop: %s", path ? path : e->key);

        } else if (t == 1) {
            diag_error(c->diag, r->file, r->line, r->column, "rule '%s' "
                       "redirects to \"%s\", which the rule matches again: "
                       "a redirect loop", r->pattern, r->target);
            return FOLLOW_LOOP;

        } else {
            path = describe(c, 1, t);
            diag_error(c->diag, r->file, r->line, r->column, "redirect loop: "
                       "rule '%s' (%s:%u) -> %s", r->pattern, r->file,
                       r->line, path ? path : "");
        }

        free(path);
        return FOLLOW_LOOP;
    }
}


/*
 * Follows the chain that starts at entry e or rule r (the other is NULL),
 * whose target and status are target and *status.  Returns 1 when the
 * chain has more than one hop: then c->cur is where it ends, or *status
 * is 410 when a hop on the way is a 410.  Returns 0 otherwise.
 */
static int
collapse_target(chain_t *c, const redirect_t *e, const rule_t *r,
    const char *target, unsigned *status)
{
    int  gone;

    if (*status == STATUS_GONE || !is_site_path(target)) {
        return 0;
    }

    snprintf(c->cur, sizeof(c->cur), "%s", target);

    if (follow(c, e, r, &gone) != FOLLOW_END || c->nhops < 2) {
        return 0;
    }

    if (gone) {
        *status = STATUS_GONE;
        c->cur[0] = '\0';
    }

    return 1;
}


static int
compare_found(const void *a, const void *b)
{
    return redirects_key_cmp(*(redirect_t *const *) a,
                             *(redirect_t *const *) b);
}


int
chains_collapse(redirect_list_t *list, rule_list_t *rules, diag_t *diag)
{
    chain_t     *c;
    redirect_t  *e;
    rule_t      *r;
    redirect_t **found = NULL;
    size_t       i, nfound = 0, cfound = 0;
    unsigned     status;
    char        *t;
    int          rc;

    c = calloc(1, sizeof(*c));
    if (c == NULL || (c->hit = malloc(sizeof(rule_hit_t))) == NULL) {
        free(c);
        return -1;
    }

    c->list = list;
    c->rules = rules;
    c->diag = diag;

    /*
     * Most entries lead nowhere (their target is neither a key nor
     * matched by a rule): one step finds those, in any order.  The rest
     * are collapsed in the order of their keys, because collapsing one
     * entry shortens the chains that pass through it (and whether a chain
     * is "longer than 64 hops" depends on that order).
     */
    for (i = 0; i < list->count && !c->nomem; i++) {
        e = &list->items[i];

        if (e->status == STATUS_GONE || !is_site_path(e->target)) {
            continue;
        }

        /* redirects_check() found the targets that are keys */
        if (!(e->flags & REDIRECT_TO_KEY)) {
            if (rules->count == 0) {
                continue;
            }

            snprintf(c->cur, sizeof(c->cur), "%s", e->target);
            chain_reset(c);

            if (!step(c, &status)) {
                continue;
            }
        }

        if (nfound == cfound) {
            size_t        cap = cfound ? cfound * 2 : 64;
            redirect_t  **grown = realloc(found, cap * sizeof(*found));

            if (grown == NULL) {
                c->nomem = 1;
                break;
            }
            found = grown;
            cfound = cap;
        }

        found[nfound++] = e;
    }

    chain_reset(c);

    if (nfound > 0) {
        qsort(found, nfound, sizeof(*found), compare_found);
    }

    for (i = 0; i < nfound && !c->nomem; i++) {
        e = found[i];
        status = e->status;

        if (collapse_target(c, e, NULL, e->target, &status)) {
            e->status = (uint16_t) status;
            if (redirects_set_target(list, e, c->cur) != 0) {
                c->nomem = 1;
            }
        }
    }

    free(found);
    redirects_flush(list, diag);

    /* a rule's target with captures is not known until a match */

    for (i = 0; i < rules->count && !c->nomem; i++) {
        r = &rules->items[i];

        status = r->status;

        if (rules_target_is_literal(r)
            && collapse_target(c, NULL, r, r->target, &status))
        {
            t = strdup(c->cur);
            if (t == NULL) {
                c->nomem = 1;
                break;
            }

            free(r->target);
            r->target = t;
            r->target_len = strlen(t);
            r->status = status;
        }
    }

    chain_reset(c);
    rc = c->nomem ? -1 : 0;
    free(c->hit);
    free(c);
    return rc;
}
