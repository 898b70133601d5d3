/*
 * config.c - reading redirect-map.yaml, see config.h.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dates.h"
#include "lrmap.h"
#include "posts.h"
#include "yamlerr.h"

#define MAX_CONFIG_SIZE  ((size_t) 64 << 20)


static int
nomem(diag_t *diag)
{
    diag_error(diag, NULL, 0, 0, "out of memory");
    return -2;
}


/* The whole file in memory; NULL (reported, *rc set) on failure. */
static char *
read_file(const char *path, size_t *len, int *rc, diag_t *diag)
{
    FILE    *f;
    char    *data = NULL, *grown;
    size_t   cap = 0, n;

    *len = 0;
    *rc = -1;

    f = fopen(path, "rb");
    if (f == NULL) {
        diag_error(diag, path, 0, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }

    for ( ;; ) {
        if (cap - *len < 4096) {
            cap = cap ? cap * 2 : 16384;
            grown = realloc(data, cap);
            if (grown == NULL) {
                free(data);
                fclose(f);
                *rc = nomem(diag);
                return NULL;
            }
            data = grown;
        }

        n = fread(data + *len, 1, cap - *len - 1, f);
        *len += n;

        if (n == 0) {
            break;
        }

        if (*len > MAX_CONFIG_SIZE) {
            diag_error(diag, path, 0, 0, "larger than %zu MiB",
                       MAX_CONFIG_SIZE >> 20);
            free(data);
            fclose(f);
            return NULL;
        }
    }

    if (ferror(f)) {
        diag_error(diag, path, 0, 0, "cannot read: %s", strerror(errno));
        free(data);
        fclose(f);
        return NULL;
    }

    fclose(f);
    data[*len] = '\0';
    *rc = 0;
    return data;
}


int
config_load_yaml(const char *path, yaml_document_t *doc, diag_t *diag)
{
    yaml_parser_t    parser;
    yaml_document_t  extra;
    char            *text;
    size_t           len;
    int              rc;

    text = read_file(path, &len, &rc, diag);
    if (text == NULL) {
        return rc;
    }

    if (!yaml_parser_initialize(&parser)) {
        free(text);
        return nomem(diag);
    }

    yaml_parser_set_input_string(&parser, (const unsigned char *) text, len);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

    rc = yaml_check_depth(path, text, len, 1, diag);
    if (rc != 0) {
        yaml_parser_delete(&parser);
        free(text);
        return rc;
    }

    if (!yaml_parser_load(&parser, doc)) {
        rc = yaml_report_error(&parser, path, text, len, 1, diag) != 0
             ? -2 : -1;
        yaml_parser_delete(&parser);
        free(text);
        return rc;
    }

    rc = 0;

    if (yaml_document_get_root_node(doc) != NULL) {
        if (!yaml_parser_load(&parser, &extra)) {
            rc = yaml_report_error(&parser, path, text, len, 1, diag) != 0
                 ? -2 : -1;

        } else {
            if (yaml_document_get_root_node(&extra) != NULL) {
                diag_error(diag, path, (unsigned) extra.start_mark.line + 1,
                           (unsigned) extra.start_mark.column + 1,
                           "more than one YAML document");
                rc = -1;
            }
            yaml_document_delete(&extra);
        }

        if (rc != 0) {
            yaml_document_delete(doc);
        }
    }

    yaml_parser_delete(&parser);
    free(text);
    return rc;
}


char *
config_resolve(const char *dir, const char *path)
{
    char    *out;
    size_t   dl, pl;

    if (dir == NULL || dir[0] == '\0' || path[0] == '/') {
        return strdup(path);
    }

    dl = strlen(dir);
    pl = strlen(path);
    out = malloc(dl + 1 + pl + 1);
    if (out == NULL) {
        return NULL;
    }

    memcpy(out, dir, dl);
    out[dl] = '/';
    memcpy(out + dl + 1, path, pl + 1);
    return out;
}


unsigned
config_parse_status(const char *text, size_t len)
{
    static const unsigned  known[] = { 301, 302, 303, 307, 308, 410 };
    unsigned               v = 0;
    size_t                 i;

    if (len != 3) {
        return 0;
    }

    for (i = 0; i < 3; i++) {
        if (text[i] < '0' || text[i] > '9') {
            return 0;
        }
        v = v * 10 + (unsigned) (text[i] - '0');
    }

    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (known[i] == v) {
            return v;
        }
    }

    return 0;
}


/* ---- node helpers ---- */

typedef struct {
    config_t  *cfg;
    diag_t    *diag;
    int        nomem;
} ctx_t;


static yaml_node_t *
node(ctx_t *c, yaml_node_item_t id)
{
    return yaml_document_get_node(&c->cfg->doc, id);
}


static int
is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE) {
        return 0;
    }

    if (n->tag && strcmp((const char *) n->tag, YAML_NULL_TAG) == 0) {
        return 1;
    }

    return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
           && (n->data.scalar.length == 0
               || strcmp((const char *) n->data.scalar.value, "~") == 0
               || strcmp((const char *) n->data.scalar.value, "null") == 0);
}


static const char *
kind(const yaml_node_t *n)
{
    return n->type == YAML_MAPPING_NODE ? "a mapping"
           : n->type == YAML_SEQUENCE_NODE ? "a sequence" : "a scalar";
}


static void
error_at(ctx_t *c, const yaml_node_t *n, const char *fmt, const char *a,
    const char *b)
{
    diag_error(c->diag, c->cfg->file, NODE_LINE(n), NODE_COLUMN(n), fmt, a,
               b);
}


/* A string scalar (not null, no NUL byte), or NULL (reported). */
static const char *
string_of(ctx_t *c, const yaml_node_t *n, const char *what)
{
    if (n->type != YAML_SCALAR_NODE || is_null(n)) {
        error_at(c, n, "%s must be a string, not %s", what,
                 is_null(n) ? "null" : kind(n));
        return NULL;
    }

    if (strlen((const char *) n->data.scalar.value) != n->data.scalar.length)
    {
        error_at(c, n, "%s contains a NUL character%s", what, "");
        return NULL;
    }

    return (const char *) n->data.scalar.value;
}


/*
 * key: one field name, several separated by commas, or a list of them.
 * Returns 0 (also when reported), -1 when out of memory.
 */
static int
read_key(ctx_t *c, const yaml_node_t *v)
{
    const yaml_node_t  *item;
    const char         *name, *problem;
    yaml_node_item_t   *i;
    size_t              len = 0;
    char               *keys;

    if (v->type == YAML_SEQUENCE_NODE) {
        if (v->data.sequence.items.start == v->data.sequence.items.top) {
            error_at(c, v, "key is an empty list%s%s", "", "");
            return 0;
        }

        for (i = v->data.sequence.items.start;
             i < v->data.sequence.items.top; i++)
        {
            item = node(c, *i);
            name = string_of(c, item, "an item of key");
            if (name == NULL) {
                return 0;
            }
            len += strlen(name) + 1;
        }

        keys = calloc(1, len + 1);
        if (keys == NULL) {
            return -1;
        }

        for (i = v->data.sequence.items.start;
             i < v->data.sequence.items.top; i++)
        {
            item = node(c, *i);
            if (keys[0] != '\0') {
                strcat(keys, ",");
            }
            strcat(keys, (const char *) item->data.scalar.value);
        }

        free(c->cfg->key_text);
        c->cfg->key_text = keys;
        c->cfg->key = keys;

    } else {
        c->cfg->key = string_of(c, v, "key");
    }

    if (c->cfg->key != NULL) {
        problem = posts_keys_problem(c->cfg->key);
        if (problem != NULL) {
            error_at(c, v, "key '%s' has %s", c->cfg->key, problem);
            c->cfg->key = NULL;
        }
    }

    return 0;
}


/* A front-matter field's name: a string, not empty (reported).  */
static const char *
field_name_of(ctx_t *c, const yaml_node_t *v, const char *what)
{
    const char  *name = string_of(c, v, what);

    if (name != NULL && name[0] == '\0') {
        error_at(c, v, "%s is empty%s", what, "");
        return NULL;
    }

    return name;
}


/* timezone: where a timestamp's day is taken (dates.h) */
static void
read_timezone(ctx_t *c, const yaml_node_t *v)
{
    date_zone_t  zone;
    const char  *error;

    c->cfg->timezone = string_of(c, v, "timezone");
    if (c->cfg->timezone == NULL) {
        return;
    }

    error = date_zone_check(&zone, c->cfg->timezone);
    if (error != NULL) {
        error_at(c, v, "timezone '%s': %s", c->cfg->timezone, error);
        c->cfg->timezone = NULL;
    }
}


/* 1 true, 0 false, -1 neither (reported). */
static int
bool_of(ctx_t *c, const yaml_node_t *n, const char *what)
{
    static const char  *yes[] = { "true", "True", "TRUE" };
    static const char  *no[] = { "false", "False", "FALSE" };
    size_t              i;

    if (n->type == YAML_SCALAR_NODE
        && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
    {
        for (i = 0; i < 3; i++) {
            if (strcmp((const char *) n->data.scalar.value, yes[i]) == 0) {
                return 1;
            }
            if (strcmp((const char *) n->data.scalar.value, no[i]) == 0) {
                return 0;
            }
        }
    }

    error_at(c, n, "%s must be true or false%s", what, "");
    return -1;
}


static unsigned
status_of(ctx_t *c, const yaml_node_t *n)
{
    unsigned  s = 0;

    if (n->type == YAML_SCALAR_NODE) {
        s = config_parse_status((const char *) n->data.scalar.value,
                                n->data.scalar.length);
    }

    if (s == 0) {
        error_at(c, n, "status %s%s is not one of 301, 302, 303, 307, 308, "
                 "410", n->type == YAML_SCALAR_NODE
                        ? (const char *) n->data.scalar.value : "",
                 n->type == YAML_SCALAR_NODE ? "" : kind(n));
    }

    return s;
}


static int
grow(void **items, size_t count, size_t size)
{
    void  *p;

    /* capacity: powers of two from 8 */
    if (count >= 8 && (count & (count - 1)) != 0) {
        return 0;
    }

    p = realloc(*items, (count < 8 ? 8 : count * 2) * size);
    if (p == NULL) {
        return -1;
    }

    *items = p;
    return 0;
}


static int
add_path(ctx_t *c, config_path_t **list, size_t *count, yaml_node_t *n,
    const char *what)
{
    const char  *s = string_of(c, n, what);
    char        *path;

    if (s == NULL) {
        return 0;
    }

    if (s[0] == '\0') {
        error_at(c, n, "%s is empty%s", what, "");
        return 0;
    }

    path = config_resolve(c->cfg->dir, s);
    if (path == NULL || grow((void **) list, *count, sizeof(**list)) != 0) {
        free(path);
        return -1;
    }

    (*list)[*count].path = path;
    (*list)[*count].line = NODE_LINE(n);
    (*list)[*count].column = NODE_COLUMN(n);
    (*count)++;
    return 0;
}


/* a path or a list of paths */
static int
read_paths(ctx_t *c, yaml_node_t *n, config_path_t **list, size_t *count,
    const char *what)
{
    yaml_node_item_t  *it;

    if (is_null(n)) {
        return 0;
    }

    if (n->type == YAML_SCALAR_NODE) {
        return add_path(c, list, count, n, what);
    }

    if (n->type != YAML_SEQUENCE_NODE) {
        error_at(c, n, "%s must be a path or a list of paths, not %s", what,
                 kind(n));
        return 0;
    }

    for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++)
    {
        if (add_path(c, list, count, node(c, *it), what) != 0) {
            return -1;
        }
    }

    return 0;
}


static int
read_rule(ctx_t *c, yaml_node_t *n)
{
    static const char  *fields[] = { "from", "to", "status", "query",
                                     "match_query", NULL };
    yaml_node_pair_t   *p;
    yaml_node_t        *k, *v, *from = NULL;
    config_rule_t       r;
    const char         *s, *name;
    unsigned            seen = 0, bit;
    int                 i, b, bad = 0;

    if (n->type != YAML_MAPPING_NODE) {
        error_at(c, n, "a rule must be a mapping (from:, to:, status:, "
                 "query:, match_query:), not %s%s", kind(n), "");
        return 0;
    }

    memset(&r, 0, sizeof(r));
    r.status = 301;

    for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
    {
        k = node(c, p->key);
        v = node(c, p->value);
        name = k->type == YAML_SCALAR_NODE
               ? (const char *) k->data.scalar.value : "";

        for (i = 0; fields[i] && strcmp(fields[i], name) != 0; i++) {
            /* void */
        }

        if (fields[i] == NULL) {
            error_at(c, k, "unknown rule field '%s' (known: from, to, "
                     "status, query, match_query)%s", name, "");
            bad = 1;
            continue;
        }

        bit = 1u << i;
        if (seen & bit) {
            error_at(c, k, "rule field '%s' is given twice%s", name, "");
            bad = 1;
            continue;
        }
        seen |= bit;

        switch (i) {
        case 0:
            from = v;
            s = string_of(c, v, "from");
            if (s == NULL) {
                bad = 1;
            }
            r.from = s;
            r.from_len = s ? v->data.scalar.length : 0;
            break;

        case 1:
            if (is_null(v)) {
                break;
            }
            s = string_of(c, v, "to");
            if (s == NULL) {
                bad = 1;
            }
            r.to = s;
            break;

        case 2:
            r.status = status_of(c, v);
            if (r.status == 0) {
                bad = 1;
            }
            break;

        case 3:
            s = string_of(c, v, "query");
            if (s != NULL && strcmp(s, "keep") == 0) {
                r.flags |= LRM_RULE_QUERY_KEEP;
            } else if (s != NULL && strcmp(s, "drop") == 0) {
                r.flags |= LRM_RULE_QUERY_DROP;
            } else {
                if (s != NULL) {
                    error_at(c, v, "query must be keep or drop, not '%s'%s",
                             s, "");
                }
                bad = 1;
            }
            break;

        default:
            b = bool_of(c, v, "match_query");
            if (b < 0) {
                bad = 1;
            } else if (b) {
                r.flags |= LRM_RULE_MATCH_QUERY;
            }
            break;
        }
    }

    if (from == NULL) {
        error_at(c, n, "a rule needs a pattern (from:)%s%s", "", "");
        return 0;
    }

    if (bad) {
        return 0;
    }

    r.line = NODE_LINE(from);
    r.column = NODE_COLUMN(from);

    if (grow((void **) &c->cfg->rules, c->cfg->nrules, sizeof(r)) != 0) {
        return -1;
    }

    c->cfg->rules[c->cfg->nrules++] = r;
    return 0;
}


static int
read_rules(ctx_t *c, yaml_node_t *n)
{
    yaml_node_item_t  *it;

    if (is_null(n)) {
        return 0;
    }

    if (n->type != YAML_SEQUENCE_NODE) {
        error_at(c, n, "rules must be a list of rules, not %s%s", kind(n),
                 "");
        return 0;
    }

    for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++)
    {
        if (read_rule(c, node(c, *it)) != 0) {
            return -1;
        }
    }

    return 0;
}


/* new is "target" or { to: target, status: N } */
static int
read_redirect(ctx_t *c, yaml_node_t *k, yaml_node_t *v)
{
    config_redirect_t   r;
    yaml_node_pair_t   *p;
    yaml_node_t        *pk, *pv;
    const char         *name;
    int                 bad = 0;

    memset(&r, 0, sizeof(r));
    r.status = 301;
    r.from = string_of(c, k, "a redirect's old URL");
    r.line = NODE_LINE(k);
    r.column = NODE_COLUMN(k);

    if (v->type == YAML_MAPPING_NODE) {
        for (p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
             p++)
        {
            pk = node(c, p->key);
            pv = node(c, p->value);
            name = pk->type == YAML_SCALAR_NODE
                   ? (const char *) pk->data.scalar.value : "";

            if (strcmp(name, "to") == 0) {
                r.to = is_null(pv) ? "" : string_of(c, pv, "to");
                bad |= r.to == NULL;

            } else if (strcmp(name, "status") == 0) {
                r.status = status_of(c, pv);
                bad |= r.status == 0;

            } else {
                error_at(c, pk, "unknown redirect field '%s' (known: to, "
                         "status)%s", name, "");
                bad = 1;
            }
        }

        if (r.to == NULL && !bad) {
            if (r.status != 410) {
                error_at(c, v, "redirect of '%s' has no target (to:)%s",
                         r.from ? r.from : "", "");
                bad = 1;
            } else {
                r.to = "";
            }
        }

    } else if (is_null(v)) {
        error_at(c, v, "redirect of '%s' has no target%s",
                 r.from ? r.from : "", "");
        bad = 1;

    } else {
        r.to = string_of(c, v, "a redirect's target");
        bad |= r.to == NULL;
    }

    if (bad || r.from == NULL) {
        return 0;
    }

    if (grow((void **) &c->cfg->redirects, c->cfg->nredirects, sizeof(r))
        != 0)
    {
        return -1;
    }

    c->cfg->redirects[c->cfg->nredirects++] = r;
    return 0;
}


static int
read_redirects(ctx_t *c, yaml_node_t *n)
{
    yaml_node_pair_t  *p;

    if (is_null(n)) {
        return 0;
    }

    if (n->type != YAML_MAPPING_NODE) {
        error_at(c, n, "redirects must be a mapping of old URL: new URL, "
                 "not %s%s", kind(n), "");
        return 0;
    }

    for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
    {
        if (read_redirect(c, node(c, p->key), node(c, p->value)) != 0) {
            return -1;
        }
    }

    return 0;
}


static const char  *top_keys[] = {
    "content", "key", "target", "output", "ignore_case", "rules",
    "redirects", "import", "timezone", "path_field", "date_field",
    "date_prefix", "slugify", NULL
};


static int
read_top(ctx_t *c, yaml_node_t *root)
{
    yaml_node_pair_t  *p;
    yaml_node_t       *k, *v;
    const char        *name, *s;
    unsigned           seen = 0;
    int                i, rc = 0;
    char              *out;

    for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++)
    {
        k = node(c, p->key);
        v = node(c, p->value);
        name = k->type == YAML_SCALAR_NODE
               ? (const char *) k->data.scalar.value : "";

        for (i = 0; top_keys[i] && strcmp(top_keys[i], name) != 0; i++) {
            /* void */
        }

        if (top_keys[i] == NULL) {
            error_at(c, k, "unknown key '%s' (known: content, key, target, "
                     "path_field, date_field, date_prefix, slugify, "
                     "timezone, output, ignore_case, rules, redirects, "
                     "import)%s", name, "");
            continue;
        }

        if (seen & (1u << i)) {
            error_at(c, k, "key '%s' is given twice%s", name, "");
            continue;
        }
        seen |= 1u << i;

        switch (i) {
        case 0:
            c->cfg->has_content = 1;
            rc = read_paths(c, v, &c->cfg->content, &c->cfg->ncontent,
                            "content");
            break;

        case 1:
            rc = read_key(c, v);
            break;

        case 2:
            c->cfg->target = string_of(c, v, "target");
            break;

        case 3:
            s = string_of(c, v, "output");
            if (s != NULL && s[0] == '\0') {
                error_at(c, v, "output is empty%s%s", "", "");
            } else if (s != NULL) {
                out = config_resolve(c->cfg->dir, s);
                if (out == NULL) {
                    return -1;
                }
                c->cfg->output = out;
            }
            break;

        case 4:
            c->cfg->ignore_case = bool_of(c, v, "ignore_case");
            break;

        case 5:
            rc = read_rules(c, v);
            break;

        case 6:
            rc = read_redirects(c, v);
            break;

        case 7:
            rc = read_paths(c, v, &c->cfg->imports, &c->cfg->nimports,
                            "import");
            break;

        case 8:
            read_timezone(c, v);
            break;

        case 9:
            c->cfg->path_field = field_name_of(c, v, "path_field");
            break;

        case 10:
            c->cfg->date_field = field_name_of(c, v, "date_field");
            break;

        case 11:
            c->cfg->date_prefix = bool_of(c, v, "date_prefix");
            break;

        default:
            c->cfg->slugify = bool_of(c, v, "slugify");
            break;
        }

        if (rc != 0) {
            return -1;
        }
    }

    return 0;
}


int
config_load(config_t *cfg, const char *path, diag_t *diag)
{
    ctx_t         c;
    yaml_node_t  *root;
    const char   *slash;
    int           rc;

    memset(cfg, 0, sizeof(*cfg));
    cfg->ignore_case = -1;
    cfg->date_prefix = -1;
    cfg->slugify = -1;
    cfg->file = strdup(path);
    slash = strrchr(path, '/');
    cfg->dir = slash ? strndup(path, (size_t) (slash - path) + (slash == path))
                     : strdup("");

    if (cfg->file == NULL || cfg->dir == NULL) {
        return nomem(diag);
    }

    rc = config_load_yaml(path, &cfg->doc, diag);
    if (rc != 0) {
        return rc;
    }

    cfg->loaded = 1;
    c.cfg = cfg;
    c.diag = diag;
    c.nomem = 0;

    root = yaml_document_get_root_node(&cfg->doc);
    if (root == NULL || is_null(root)) {
        return 0;
    }

    if (root->type != YAML_MAPPING_NODE) {
        error_at(&c, root, "the configuration is %s, not a mapping%s",
                 kind(root), "");
        return 0;
    }

    if (read_top(&c, root) != 0) {
        return nomem(diag);
    }

    return 0;
}


void
config_free(config_t *cfg)
{
    size_t  i;

    for (i = 0; i < cfg->ncontent; i++) {
        free(cfg->content[i].path);
    }

    for (i = 0; i < cfg->nimports; i++) {
        free(cfg->imports[i].path);
    }

    free(cfg->key_text);
    free(cfg->content);
    free(cfg->imports);
    free(cfg->rules);
    free(cfg->redirects);
    free(cfg->output);
    free(cfg->file);
    free(cfg->dir);

    if (cfg->loaded) {
        yaml_document_delete(&cfg->doc);
    }

    memset(cfg, 0, sizeof(*cfg));
}
