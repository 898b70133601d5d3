/*
 * imports.c - reading redirect lists, see imports.h.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "imports.h"

#define STATUS_MOVED  301
#define STATUS_GONE   410


static int
ends_with(const char *s, const char *suffix)
{
    size_t  n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}


static const char *
base_name(const char *path)
{
    const char  *slash = strrchr(path, '/');

    return slash ? slash + 1 : path;
}


/* ---- JSON ---- */

typedef struct {
    const char       *path;
    yaml_document_t  *doc;
    redirect_list_t  *list;
    diag_t           *diag;
} json_t;


static yaml_node_t *
jnode(json_t *j, yaml_node_item_t id)
{
    return yaml_document_get_node(j->doc, id);
}


static const char *
jstring(json_t *j, yaml_node_t *n, const char *what)
{
    if (n->type != YAML_SCALAR_NODE
        || strlen((const char *) n->data.scalar.value)
           != n->data.scalar.length)
    {
        diag_error(j->diag, j->path, NODE_LINE(n), NODE_COLUMN(n),
                   "%s must be a string", what);
        return NULL;
    }

    return (const char *) n->data.scalar.value;
}


/*
 * Reads {"to": ..., "status": ...} (and "from" when from is NULL).
 * Returns 0 and sets the fields, 1 when reported.
 */
static int
json_object(json_t *j, yaml_node_t *n, const char **from, const char **to,
    unsigned *status, yaml_node_t **from_node)
{
    yaml_node_pair_t  *p;
    yaml_node_t       *k, *v;
    const char        *name;
    int                bad = 0;

    *to = NULL;
    *status = STATUS_MOVED;

    for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
    {
        k = jnode(j, p->key);
        v = jnode(j, p->value);
        name = k->type == YAML_SCALAR_NODE
               ? (const char *) k->data.scalar.value : "";

        if (strcmp(name, "to") == 0) {
            *to = jstring(j, v, "\"to\"");
            bad |= *to == NULL;

        } else if (strcmp(name, "status") == 0) {
            *status = v->type == YAML_SCALAR_NODE
                      ? config_parse_status((const char *) v->data.scalar.value,
                                            v->data.scalar.length)
                      : 0;
            if (*status == 0) {
                diag_error(j->diag, j->path, NODE_LINE(v), NODE_COLUMN(v),
                           "status %s is not one of 301, 302, 303, 307, "
                           "308, 410", v->type == YAML_SCALAR_NODE
                           ? (const char *) v->data.scalar.value : "");
                bad = 1;
            }

        } else if (from != NULL && strcmp(name, "from") == 0) {
            *from = jstring(j, v, "\"from\"");
            *from_node = v;
            bad |= *from == NULL;

        } else {
            diag_error(j->diag, j->path, NODE_LINE(k), NODE_COLUMN(k),
                       "unknown field \"%s\" (known: %sto, status)", name,
                       from ? "from, " : "");
            bad = 1;
        }
    }

    if (bad) {
        return 1;
    }

    if (from != NULL && *from == NULL) {
        diag_error(j->diag, j->path, NODE_LINE(n), NODE_COLUMN(n),
                   "an entry needs \"from\"");
        return 1;
    }

    if (*to == NULL || (*to)[0] == '\0') {
        if (*status != STATUS_GONE) {
            diag_error(j->diag, j->path, NODE_LINE(n), NODE_COLUMN(n),
                       "an entry needs \"to\" (only a 410 goes without)");
            return 1;
        }
        *to = "";
    }

    return 0;
}


static int
json_add(json_t *j, const char *from, const char *to, unsigned status,
    yaml_node_t *at)
{
    return redirects_add(j->list, from, to, status, j->path, NODE_LINE(at),
                         NODE_COLUMN(at), j->diag) < 0 ? -1 : 0;
}


static int
read_json(const char *path, redirect_list_t *list, diag_t *diag)
{
    yaml_document_t    doc;
    yaml_node_t       *root, *k, *v, *from_node;
    yaml_node_pair_t  *p;
    yaml_node_item_t  *it;
    json_t             j = { path, &doc, list, diag };
    const char        *from, *to;
    unsigned           status;
    int                rc;

    rc = config_load_yaml(path, &doc, diag);
    if (rc != 0) {
        return rc == -2 ? -1 : 0;
    }

    root = yaml_document_get_root_node(&doc);
    rc = 0;

    if (root == NULL) {
        /* an empty file: nothing to import */

    } else if (root->type == YAML_MAPPING_NODE) {
        for (p = root->data.mapping.pairs.start;
             rc == 0 && p < root->data.mapping.pairs.top; p++)
        {
            k = jnode(&j, p->key);
            v = jnode(&j, p->value);
            from = jstring(&j, k, "an old URL");
            if (from == NULL) {
                continue;
            }

            if (v->type == YAML_MAPPING_NODE) {
                if (json_object(&j, v, NULL, &to, &status, NULL) == 0) {
                    rc = json_add(&j, from, to, status, k);
                }

            } else if ((to = jstring(&j, v, "a new URL")) != NULL) {
                rc = json_add(&j, from, to, STATUS_MOVED, k);
            }
        }

    } else if (root->type == YAML_SEQUENCE_NODE) {
        for (it = root->data.sequence.items.start;
             rc == 0 && it < root->data.sequence.items.top; it++)
        {
            v = jnode(&j, *it);
            if (v->type != YAML_MAPPING_NODE) {
                diag_error(diag, path, NODE_LINE(v), NODE_COLUMN(v),
                           "an entry must be an object "
                           "{\"from\": ..., \"to\": ...}");
                continue;
            }

            from = NULL;
            from_node = NULL;
            if (json_object(&j, v, &from, &to, &status, &from_node) == 0) {
                rc = json_add(&j, from, to, status, from_node);
            }
        }

    } else {
        diag_error(diag, path, NODE_LINE(root), NODE_COLUMN(root),
                   "expected an object {\"old\": \"new\", ...} or a list of "
                   "{\"from\": ..., \"to\": ...}");
    }

    yaml_document_delete(&doc);
    return rc;
}


/* ---- line formats ---- */

typedef struct {
    const char       *path;
    unsigned          line;
    redirect_list_t  *list;
    rule_list_t      *rules;
    diag_t           *diag;
} lines_t;


/* Splits at any run of the separator bytes; returns the field count. */
static size_t
split(char *s, const char *seps, int runs, char **fields, size_t max)
{
    size_t  n = 0;
    char   *p = s;

    if (runs) {
        while (*p && strchr(seps, *p)) {
            p++;
        }
        if (*p == '\0') {
            return 0;
        }
    }

    for ( ;; ) {
        if (n < max) {
            fields[n] = p;
        }
        n++;

        p += strcspn(p, seps);
        if (*p == '\0') {
            break;
        }

        *p++ = '\0';

        if (runs) {
            while (*p && strchr(seps, *p)) {
                p++;
            }
            if (*p == '\0') {
                break;
            }
        }
    }

    return n;
}


static int
tsv_line(lines_t *l, char *s)
{
    char      *f[4];
    size_t     n;
    unsigned   status = STATUS_MOVED;

    n = split(s, "\t", 0, f, 4);

    if (n < 2 || n > 3) {
        diag_error(l->diag, l->path, l->line, 0, "expected "
                   "old<TAB>new[<TAB>status], found %zu field%s", n,
                   n == 1 ? "" : "s");
        return 0;
    }

    if (n == 3) {
        status = config_parse_status(f[2], strlen(f[2]));
        if (status == 0) {
            diag_error(l->diag, l->path, l->line, 0, "status \"%s\" is not "
                       "one of 301, 302, 303, 307, 308, 410", f[2]);
            return 0;
        }
    }

    if (f[0][0] == '\0' || (f[1][0] == '\0' && status != STATUS_GONE)) {
        diag_error(l->diag, l->path, l->line, 0, "empty %s URL",
                   f[0][0] == '\0' ? "old" : "new");
        return 0;
    }

    return redirects_add(l->list, f[0], f[1], status, l->path, l->line, 0,
                         l->diag) < 0 ? -1 : 0;
}


static int
is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}


static int
is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}


/* Whether a Netlify "from" has a splat or a placeholder. */
static int
is_pattern(const char *from)
{
    const char  *p;

    if (strchr(from, '*') != NULL) {
        return 1;
    }

    for (p = strchr(from, ':'); p; p = strchr(p + 1, ':')) {
        if (p > from && p[-1] == '/' && is_name_start(p[1])) {
            return 1;
        }
    }

    return 0;
}


#define MAX_NAMES  9

typedef struct {
    char    *names[MAX_NAMES];       /* "splat" for "*" */
    size_t   lens[MAX_NAMES];
    int      count;
} names_t;


/*
 * "/old/:year/<star>" -> "^/old/([^/]+)/(.*)$" and the placeholder names.
 * Returns the pattern (malloc'ed), or NULL with a reason in *why.
 */
static char *
netlify_pattern(const char *from, names_t *names, const char **why)
{
    char        *out, *o;
    const char  *p;

    out = malloc(strlen(from) * 2 + 64);
    if (out == NULL) {
        *why = NULL;
        return NULL;
    }

    o = out;
    *o++ = '^';

    for (p = from; *p; p++) {
        if (*p == '*' || (*p == ':' && p > from && p[-1] == '/'
                          && is_name_start(p[1])))
        {
            if (names->count == MAX_NAMES) {
                *why = "more than 9 placeholders";
                free(out);
                return NULL;
            }

            if (*p == '*') {
                names->names[names->count] = (char *) "splat";
                names->lens[names->count] = 5;
                memcpy(o, "(.*)", 4);
                o += 4;

            } else {
                names->names[names->count] = (char *) p + 1;
                for (p++; is_name_char(p[1]); p++) {
                    /* void */
                }
                names->lens[names->count] =
                    (size_t) (p - names->names[names->count] + 1);
                memcpy(o, "([^/]+)", 7);
                o += 7;
            }

            names->count++;
            continue;
        }

        if (strchr("\\^$.|?*+()[]{}", *p) != NULL) {
            *o++ = '\\';
        }
        *o++ = *p;
    }

    *o++ = '$';
    *o = '\0';
    return out;
}


/* ":splat" and ":name" in to -> "$N".  NULL with *why, or malloc'ed. */
static char *
netlify_target(const char *to, const names_t *names, const char **why,
    char **bad_name)
{
    char        *out, *o;
    const char  *p, *q;
    int          i;

    out = malloc(strlen(to) + 1);
    if (out == NULL) {
        *why = NULL;
        return NULL;
    }

    for (o = out, p = to; *p; p++) {
        if (*p != ':' || !is_name_start(p[1])) {
            *o++ = *p;
            continue;
        }

        for (q = p + 1; is_name_char(*q); q++) {
            /* void */
        }

        for (i = 0; i < names->count; i++) {
            if (names->lens[i] == (size_t) (q - p - 1)
                && memcmp(names->names[i], p + 1, names->lens[i]) == 0)
            {
                break;
            }
        }

        if (i == names->count) {
            *why = "placeholder is not in the old path";
            *bad_name = strndup(p, (size_t) (q - p));
            free(out);
            return NULL;
        }

        *o++ = '$';
        *o++ = (char) ('1' + i);
        p = q - 1;
    }

    *o = '\0';
    return out;
}


static int
is_status_word(const char *s)
{
    size_t  n = strspn(s, "0123456789");

    return n > 0 && (s[n] == '\0' || (s[n] == '!' && s[n + 1] == '\0'));
}


/* "key=value" where a target would be: a query or other condition */
static int
is_condition(const char *s)
{
    return s[0] != '/' && strstr(s, "://") == NULL && strchr(s, '=') != NULL;
}


static int
netlify_line(lines_t *l, char *s)
{
    char        *f[16], *pattern, *target, *bad_name = NULL;
    const char  *from, *to, *why = NULL;
    size_t       n, i, plen;
    unsigned     status = STATUS_MOVED;
    names_t      names;
    int          rc;

    n = split(s, " \t", 1, f, 16);
    if (n == 0) {
        return 0;
    }

    if (n == 1) {
        diag_error(l->diag, l->path, l->line, 0, "expected \"old new "
                   "[status]\", found one field");
        return 0;
    }

    if (n > 16) {
        n = 16;
    }

    if (is_condition(f[1])) {
        diag_error(l->diag, l->path, l->line, 0, "query-parameter "
                   "conditions (\"%s\") are not supported", f[1]);
        return 0;
    }

    from = f[0];
    i = 1;

    if (is_status_word(f[1])) {
        to = "";                        /* "old 410" */
    } else {
        to = f[i++];
    }

    if (i < n && is_status_word(f[i])) {
        f[i][strspn(f[i], "0123456789")] = '\0';      /* "301!": forced */
        status = config_parse_status(f[i], strlen(f[i]));

        if (status == 0) {
            diag_error(l->diag, l->path, l->line, 0, "status %s is not "
                       "supported%s", f[i],
                       strcmp(f[i], "200") == 0 ? " (a rewrite, not a "
                       "redirect)" : strcmp(f[i], "404") == 0 ? " (a custom "
                       "404 page, not a redirect)" : "; use 301, 302, 303, "
                       "307, 308 or 410");
            return 0;
        }

        i++;
    }

    if (i < n) {
        diag_error(l->diag, l->path, l->line, 0, "conditions (\"%s\") are "
                   "not supported", f[i]);
        return 0;
    }

    if (to[0] == '\0' && status != STATUS_GONE) {
        diag_error(l->diag, l->path, l->line, 0, "no new URL");
        return 0;
    }

    if (status == STATUS_GONE) {
        to = "";
    }

    if (!is_pattern(from)) {
        return redirects_add(l->list, from, to, status, l->path, l->line, 0,
                             l->diag) < 0 ? -1 : 0;
    }

    if (from[0] != '/') {
        const char  *path = lrm_url_path(from, strlen(from), &plen);

        if (path == NULL) {
            diag_error(l->diag, l->path, l->line, 0, "old URL \"%s\" is "
                       "neither a path starting with \"/\" nor an http(s) "
                       "URL", from);
            return 0;
        }

        from = plen ? path : "/";
    }

    memset(&names, 0, sizeof(names));

    pattern = netlify_pattern(from, &names, &why);
    if (pattern == NULL) {
        if (why == NULL) {
            return -1;
        }
        diag_error(l->diag, l->path, l->line, 0, "old URL \"%s\": %s", from,
                   why);
        return 0;
    }

    target = netlify_target(to, &names, &why, &bad_name);
    if (target == NULL) {
        free(pattern);
        if (why == NULL) {
            return -1;
        }
        diag_error(l->diag, l->path, l->line, 0, "new URL \"%s\": %s %s",
                   to, bad_name ? bad_name : "", why);
        free(bad_name);
        return 0;
    }

    rc = rules_add(l->rules, pattern, strlen(pattern), target, status, 0,
                   l->path, l->line, 0, l->diag);

    free(pattern);
    free(target);
    return rc < 0 ? -1 : 0;
}


static int
read_lines(const char *path, int netlify, redirect_list_t *list,
    rule_list_t *rules, diag_t *diag)
{
    FILE     *f;
    char     *buf = NULL, *s, *line;
    size_t    cap = 0, len;
    ssize_t   n;
    lines_t   l = { path, 0, list, rules, diag };
    int       rc = 0;

    f = fopen(path, "r");
    if (f == NULL) {
        diag_error(diag, path, 0, 0, "cannot open: %s", strerror(errno));
        return 0;
    }

    while (rc == 0 && (n = getline(&buf, &cap, f)) >= 0) {
        l.line++;
        len = (size_t) n;

        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) {
            len--;
        }
        buf[len] = '\0';

        if (strlen(buf) != len) {
            diag_error(diag, path, l.line, 0, "the line contains a NUL "
                       "byte");
            continue;
        }

        /* a byte order mark, as spreadsheets write one, is no text */
        s = buf;
        if (l.line == 1 && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
            s += 3;
        }
        line = s;

        for ( ; *s == ' ' || *s == '\t'; s++) {
            /* void */
        }

        if (*s == '\0' || *s == '#') {
            continue;
        }

        rc = netlify ? netlify_line(&l, s) : tsv_line(&l, line);
    }

    if (ferror(f)) {
        diag_error(diag, path, 0, 0, "cannot read: %s", strerror(errno));
    }

    free(buf);
    fclose(f);
    return rc;
}


int
imports_read(const char *path, redirect_list_t *list, rule_list_t *rules,
    diag_t *diag)
{
    if (ends_with(path, ".json")) {
        return read_json(path, list, diag);
    }

    /* netlify.toml's [[redirects]] tables would otherwise be read as
     * tab-separated lines, one error a line */
    if (ends_with(path, ".toml")) {
        diag_error(diag, path, 0, 0, "TOML is not an import format: "
                   "netlify.toml's [[redirects]] are not read; write them "
                   "in a _redirects file, \"from to status\" a line");
        return 0;
    }

    if (strcmp(base_name(path), "_redirects") == 0
        || ends_with(path, ".redirects"))
    {
        return read_lines(path, 1, list, rules, diag);
    }

    return read_lines(path, 0, list, rules, diag);
}
