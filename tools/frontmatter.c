/*
 * frontmatter.c - reading the YAML front matter of a post, see
 * frontmatter.h.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontmatter.h"
#include "yamlerr.h"

/* The front matter text starts on the line after the opening "---". */
#define YAML_FIRST_LINE    2

#define READ_CHUNK         ((size_t) 64 << 10)

/* A head buffer grown past this is freed after its file. */
#define KEEP_MAX           ((size_t) 1 << 20)

/* A first line longer than this cannot be "---" plus blanks worth
 * waiting for: the file is not a post. */
#define FIRST_LINE_MAX     4096

#define UTF8_BOM           "\xef\xbb\xbf"

/* TOML or JSON front matter not closed within this is taken for no
 * front matter at all (a file that starts with a '{' of its own). */
#define FOREIGN_MAX        ((size_t) 1 << 20)

/* The head of a file, read as far as needed. */
typedef struct {
    int      fd;
    char    *data;
    size_t   len;
    size_t   cap;
    int      eof;
} head_t;

/* Where the front matter text is in the head: [start, end). */
typedef struct {
    size_t   start;
    size_t   end;
} span_t;

/*
 * Reads the next piece of the file into the head, growing it up to a
 * chunk past FRONTMATTER_MAX_SIZE at most.  Returns 0, or -1 on
 * a read error (errno set) or when out of memory (errno ENOMEM).
 */
static int
head_read_more(head_t *h)
{
    size_t    cap;
    char     *grown;
    ssize_t   n;

    if (h->cap - h->len < READ_CHUNK / 2) {
        cap = h->cap ? h->cap * 2 : READ_CHUNK;
        if (cap > FRONTMATTER_MAX_SIZE + READ_CHUNK) {
            cap = FRONTMATTER_MAX_SIZE + READ_CHUNK;
        }
        grown = realloc(h->data, cap);
        if (grown == NULL) {
            errno = ENOMEM;
            return -1;
        }
        h->data = grown;
        h->cap = cap;
    }

    do {
        n = read(h->fd, h->data + h->len, h->cap - h->len);
    } while (n < 0 && errno == EINTR);

    if (n < 0) {
        return -1;
    }

    if (n == 0) {
        h->eof = 1;
    }
    h->len += (size_t) n;
    return 0;
}

/* Whether a line (without its "\n") is the marker, allowing a "\r" and
 * blanks after it. */
static int
line_is_marker(const char *line, size_t len, const char *marker)
{
    while (len > 0
           && (line[len - 1] == '\r' || line[len - 1] == ' '
               || line[len - 1] == '\t'))
    {
        len--;
    }

    return len == 3 && memcmp(line, marker, 3) == 0;
}

static int
line_closes(const char *line, size_t len)
{
    return line_is_marker(line, len, "---")
           || line_is_marker(line, len, "...");
}

/*
 * Whether a line is a "Key: value" line of Pelican's (and MultiMarkdown's)
 * metadata: a name of letters, digits, ' ', '_' and '-' from a letter,
 * then ':' and a blank or the line's end.
 */
static int
is_ascii_letter(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int
is_metadata_line(const char *line, size_t len)
{
    size_t  i;

    if (len == 0 || !is_ascii_letter(line[0])) {
        return 0;
    }

    for (i = 1; i < len && line[i] != ':'; i++) {
        if (!is_ascii_letter(line[i]) && !(line[i] >= '0' && line[i] <= '9')
            && line[i] != ' ' && line[i] != '_' && line[i] != '-')
        {
            return 0;
        }
    }

    return i < len && (i + 1 == len || line[i + 1] == ' '
                       || line[i + 1] == '\t' || line[i + 1] == '\r');
}

/* Whether a line holds nothing but blanks (and a CR). */
static int
is_blank_line(const char *line, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
            return 0;
        }
    }

    return 1;
}

/* The kind of front matter a first line opens, after an optional byte
 * order mark: '-' (YAML), '+' (TOML), '{' (JSON), 'M' (Pelican's
 * "Key: value" lines), or 0 for none. */
static int
opening_kind(const char *line, size_t len)
{
    size_t  bom = sizeof(UTF8_BOM) - 1;

    if (len >= bom && memcmp(line, UTF8_BOM, bom) == 0) {
        line += bom;
        len -= bom;
    }

    if (line_is_marker(line, len, "---")) {
        return '-';
    }
    if (line_is_marker(line, len, "+++")) {
        return '+';
    }
    if (len > 0 && line[0] == '{') {
        return '{';
    }
    return is_metadata_line(line, len) ? 'M' : 0;
}

/* Whether a line closes YAML ('-'), TOML ('+') or Pelican's ('M', a
 * blank line) front matter. */
static int
closes_kind(int kind, const char *line, size_t len)
{
    return kind == '-' ? line_closes(line, len)
           : kind == 'M' ? is_blank_line(line, len)
           : line_is_marker(line, len, "+++");
}

/* Where a JSON front matter is in its object, from one line to the next:
 * Hugo's ends where its first '{' is closed, strings skipped. */
typedef struct {
    size_t  depth;
    int     in_string;
    int     escaped;
} json_scan_t;

/* Scans n more bytes; returns how many end the object (its '}'
 * included), or 0 when it goes on. */
static size_t
json_object_end(json_scan_t *js, const char *p, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (js->in_string) {
            if (js->escaped) {
                js->escaped = 0;
            } else if (p[i] == '\\') {
                js->escaped = 1;
            } else if (p[i] == '"') {
                js->in_string = 0;
            }

        } else if (p[i] == '"') {
            js->in_string = 1;

        } else if (p[i] == '{') {
            js->depth++;

        } else if (p[i] == '}' && js->depth > 0 && --js->depth == 0) {
            return i + 1;
        }
    }

    return 0;
}

/*
 * Finds the front matter in the file, reading only as much of it as
 * needed.  Returns FM_POST with the span set, FM_NOT_POST, or (reported)
 * FM_ERROR, FM_UNREADABLE or FM_NOMEM.
 */
static int
find_front_matter(head_t *h, const char *path, span_t *span, int *kind,
    diag_t *diag)
{
    size_t        pos = 0, end, close;
    char         *nl;
    int           first = 1;
    json_scan_t   js = { 0, 0, 0 };

    for ( ;; ) {
        nl = pos < h->len ? memchr(h->data + pos, '\n', h->len - pos)
                          : NULL;

        if (nl == NULL && !h->eof) {
            if (first && h->len > FIRST_LINE_MAX) {
                return FM_NOT_POST;
            }
            if (h->len >= FRONTMATTER_MAX_SIZE) {
                diag_error(diag, path, 1, 0, "front matter is not closed "
                           "within the first %zu MiB of the file",
                           FRONTMATTER_MAX_SIZE >> 20);
                return FM_ERROR;
            }
            if (head_read_more(h) != 0) {
                if (errno == ENOMEM) {
                    diag_error(diag, NULL, 0, 0, "out of memory");
                    return FM_NOMEM;
                }
                diag_error(diag, path, 0, 0, "cannot read: %s",
                           strerror(errno));
                return FM_UNREADABLE;
            }
            continue;
        }

        if (nl == NULL && pos == h->len) {
            break;                          /* end of file */
        }

        /* a whole line, or the last one without a "\n" */
        end = nl ? (size_t) (nl - h->data) : h->len;

        if (first) {
            *kind = opening_kind(h->data + pos, end - pos);
            if (*kind == 0) {
                return FM_NOT_POST;
            }
            first = 0;
            /* JSON and Pelican's: from the first line */
            span->start = *kind == '{' || *kind == 'M' ? pos
                          : nl ? end + 1 : end;
        }

        if (*kind == '{') {
            close = json_object_end(&js, h->data + pos, end - pos);
            if (close > 0) {
                span->end = pos + close;
                return FM_FOREIGN;
            }

        } else if (pos >= span->start
                   && closes_kind(*kind, h->data + pos, end - pos))
        {
            span->end = pos;
            return *kind == '-' ? FM_POST : FM_FOREIGN;
        }

        pos = nl ? end + 1 : end;

        if (*kind != '-' && pos - span->start > FOREIGN_MAX) {
            return FM_NOT_POST;     /* no TOML or JSON front matter */
        }
    }

    if (!first && *kind == 'M') {
        span->end = h->len;     /* Pelican's lines up to the file's end */
        return FM_FOREIGN;
    }

    if (first || *kind != '-') {
        return FM_NOT_POST;     /* an empty file, or not TOML or JSON */
    }

    diag_error(diag, path, 1, 0, "front matter is not closed");
    return FM_ERROR;
}

/* Reports a YAML error of the front matter; returns FM_ERROR or
 * FM_NOMEM. */
static int
report_yaml_error(const yaml_parser_t *parser, const char *path,
    const char *text, size_t len, diag_t *diag)
{
    return yaml_report_error(parser, path, text, len, YAML_FIRST_LINE, diag)
           != 0 ? FM_NOMEM : FM_ERROR;
}

/*
 * Whether text could hold collections nested deeper than YAML_MAX_DEPTH,
 * which yaml_check_depth() refuses, at the cost of a whole parse of its
 * own.  Each collection starts at an indicator of its own: '[' or '{'
 * (flow), '-' (block sequence), ':' or '?' (block mapping, or a single
 * pair in a flow sequence).  So text with no more of these bytes than
 * YAML_MAX_DEPTH cannot nest deeper (they are ASCII: no UTF-8 sequence
 * holds one), and a post's few lines skip the check.
 */
static const unsigned char  opens_collection[256] = {
    ['['] = 1, ['{'] = 1, ['-'] = 1, [':'] = 1, ['?'] = 1
};

static int
may_nest_deep(const char *text, size_t len)
{
    const unsigned char  *p = (const unsigned char *) text;
    size_t                i, piece, n = 0;

    /* without branches; a long text is counted by pieces, to stop early */
    while (len > 0) {
        piece = len < 4096 ? len : 4096;

        for (i = 0; i < piece; i++) {
            n += opens_collection[p[i]];
        }

        if (n > YAML_MAX_DEPTH) {
            return 1;
        }

        p += piece;
        len -= piece;
    }

    return 0;
}

/*
 * Parses the front matter text into fm->doc.  A second document in the
 * text ("--- x" is a document start for YAML, not a closing line for us)
 * is an error rather than something silently left out.
 */
static int
parse_yaml(frontmatter_t *fm, const char *text, size_t len, diag_t *diag)
{
    yaml_parser_t    parser;
    yaml_document_t  extra;
    yaml_node_t     *root;
    int              rc = FM_POST;

    if (!yaml_parser_initialize(&parser)) {
        diag_error(diag, NULL, 0, 0, "out of memory");
        return FM_NOMEM;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *) text, len);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

    switch (may_nest_deep(text, len)
            ? yaml_check_depth(fm->file, text, len, YAML_FIRST_LINE, diag)
            : 0)
    {
    case 0:
        break;
    case -1:
        yaml_parser_delete(&parser);
        return FM_ERROR;
    default:
        yaml_parser_delete(&parser);
        return FM_NOMEM;
    }

    if (!yaml_parser_load(&parser, &fm->doc)) {
        rc = report_yaml_error(&parser, fm->file, text, len, diag);
        yaml_parser_delete(&parser);
        return rc;
    }
    fm->loaded = 1;

    root = yaml_document_get_root_node(&fm->doc);
    if (root != NULL) {
        if (!yaml_parser_load(&parser, &extra)) {
            rc = report_yaml_error(&parser, fm->file, text, len, diag);

        } else {
            if (yaml_document_get_root_node(&extra) != NULL) {
                diag_error(diag, fm->file,
                           (unsigned) extra.start_mark.line
                           + YAML_FIRST_LINE,
                           (unsigned) extra.start_mark.column + 1,
                           "front matter holds more than one YAML "
                           "document");
                rc = FM_ERROR;
            }
            yaml_document_delete(&extra);
        }
    }

    yaml_parser_delete(&parser);
    return rc;
}

static int
check_root(frontmatter_t *fm, diag_t *diag)
{
    yaml_node_t  *root = yaml_document_get_root_node(&fm->doc);

    if (root == NULL || frontmatter_is_null(root)) {
        return FM_POST;                     /* a post without fields */
    }

    if (root->type != YAML_MAPPING_NODE) {
        diag_error(diag, fm->file, frontmatter_line(root),
                   frontmatter_column(root),
                   "front matter is %s, not a mapping",
                   frontmatter_kind(root));
        return FM_ERROR;
    }

    fm->mapping = root;
    return FM_POST;
}

static int
compare_key_nodes(const void *a, const void *b)
{
    const yaml_node_t  *x = *(yaml_node_t *const *) a;
    const yaml_node_t  *y = *(yaml_node_t *const *) b;
    size_t              n;
    int                 c;

    n = x->data.scalar.length < y->data.scalar.length
        ? x->data.scalar.length : y->data.scalar.length;
    c = memcmp(x->data.scalar.value, y->data.scalar.value, n);
    if (c != 0) {
        return c;
    }
    if (x->data.scalar.length != y->data.scalar.length) {
        return x->data.scalar.length < y->data.scalar.length ? -1 : 1;
    }

    /* equal keys: keep them in the order they are written */
    return x->start_mark.index < y->start_mark.index ? -1
           : x->start_mark.index > y->start_mark.index;
}

/*
 * YAML requires the keys of a mapping to be unique, and the usual site
 * generators refuse a front matter with a key written twice; so do we,
 * rather than silently picking one of the values.  Keys are sorted to
 * find twins, so a huge mapping does not cost quadratic time.
 */
static int
check_duplicate_keys(frontmatter_t *fm, diag_t *diag)
{
    yaml_node_pair_t   *pair;
    yaml_node_t       **keys, *key;
    size_t              n = 0, i;
    int                 rc = FM_POST;

    if (fm->mapping == NULL) {
        return FM_POST;
    }

    pair = fm->mapping->data.mapping.pairs.start;
    keys = malloc(sizeof(yaml_node_t *)
                  * (size_t) (fm->mapping->data.mapping.pairs.top - pair)
                  + 1);
    if (keys == NULL) {
        diag_error(diag, NULL, 0, 0, "out of memory");
        return FM_NOMEM;
    }

    for ( ; pair < fm->mapping->data.mapping.pairs.top; pair++) {
        key = yaml_document_get_node(&fm->doc, pair->key);
        if (key != NULL && key->type == YAML_SCALAR_NODE) {
            keys[n++] = key;
        }
    }

    qsort(keys, n, sizeof(yaml_node_t *), compare_key_nodes);

    for (i = 1; i < n; i++) {
        if (keys[i]->data.scalar.length == keys[i - 1]->data.scalar.length
            && memcmp(keys[i]->data.scalar.value,
                      keys[i - 1]->data.scalar.value,
                      keys[i]->data.scalar.length) == 0)
        {
            diag_error(diag, fm->file, frontmatter_line(keys[i]),
                       frontmatter_column(keys[i]),
                       "duplicate key '%s' (first at line %u)",
                       (const char *) keys[i]->data.scalar.value,
                       frontmatter_line(keys[i - 1]));
            rc = FM_ERROR;
        }
    }

    free(keys);
    return rc;
}

int
frontmatter_read_at(frontmatter_t *fm, int dirfd, const char *name,
    const char *path, frontmatter_buf_t *buf, diag_t *diag)
{
    head_t  h = { -1, buf->data, 0, buf->cap, 0 };
    span_t  span = { 0, 0 };
    int     rc, kind = 0;

    memset(fm, 0, sizeof(frontmatter_t));
    fm->file = path;

    h.fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (h.fd < 0) {
        diag_error(diag, path, 0, 0, "cannot open: %s", strerror(errno));
        return FM_UNREADABLE;
    }

    rc = find_front_matter(&h, path, &span, &kind, diag);
    close(h.fd);

    if (rc == FM_FOREIGN) {
        fm->foreign = kind == '+' ? "TOML" : kind == 'M' ? "Pelican"
                      : "JSON";
        fm->foreign_text = h.data + span.start;
        fm->foreign_len = span.end - span.start;
        fm->foreign_line = kind == '+' ? 2 : 1;
    }

    if (rc == FM_POST) {
        rc = parse_yaml(fm, h.data + span.start, span.end - span.start,
                        diag);
    }

    /* the buffer serves the next file; one grown for a huge front
     * matter is let go (after the next file, when it holds the text of
     * a foreign one) */
    if (h.cap > KEEP_MAX && rc != FM_FOREIGN) {
        free(h.data);
        h.data = NULL;
        h.cap = 0;
    }
    buf->data = h.data;
    buf->cap = h.cap;

    if (rc == FM_POST) {
        rc = check_root(fm, diag);
    }
    if (rc == FM_POST) {
        rc = check_duplicate_keys(fm, diag);
    }

    return rc;
}

void
frontmatter_buf_free(frontmatter_buf_t *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->cap = 0;
}

void
frontmatter_free(frontmatter_t *fm)
{
    if (fm->loaded) {
        yaml_document_delete(&fm->doc);
        fm->loaded = 0;
    }
    fm->mapping = NULL;
}

/* How many mappings a field is looked for in, merges of merges included:
 * enough for any front matter, and a bound for a crafted one whose
 * aliases merge each other in loops (a mapping can be its own merge). */
#define MERGE_VISITS_MAX  64

/*
 * The value of key in a mapping node, its own or merged in with YAML's
 * "<<" (a mapping, usually an alias, or a sequence of them, the first
 * one winning, merges of merges included, MERGE_VISITS_MAX mappings at
 * most); NULL if none.
 */
static yaml_node_t *
mapping_value(const frontmatter_t *fm, const yaml_node_t *mapping,
    const char *key, size_t len, unsigned *visits)
{
    yaml_document_t   *doc = (yaml_document_t *) &fm->doc;
    yaml_node_pair_t  *pair;
    yaml_node_item_t  *i;
    yaml_node_t       *k, *from = NULL, *item, *value;

    for (pair = mapping->data.mapping.pairs.start;
         pair < mapping->data.mapping.pairs.top;
         pair++)
    {
        k = yaml_document_get_node(doc, pair->key);
        if (k == NULL || k->type != YAML_SCALAR_NODE) {
            continue;
        }

        if (k->data.scalar.length == len
            && memcmp(k->data.scalar.value, key, len) == 0)
        {
            return yaml_document_get_node(doc, pair->value);
        }

        if (from == NULL && k->data.scalar.length == 2
            && memcmp(k->data.scalar.value, "<<", 2) == 0)
        {
            from = yaml_document_get_node(doc, pair->value);
        }
    }

    if (from == NULL || *visits == MERGE_VISITS_MAX) {
        return NULL;
    }

    if (from->type == YAML_MAPPING_NODE) {
        ++*visits;
        return mapping_value(fm, from, key, len, visits);
    }

    if (from->type != YAML_SEQUENCE_NODE) {
        return NULL;
    }

    for (i = from->data.sequence.items.start;
         i < from->data.sequence.items.top;
         i++)
    {
        item = yaml_document_get_node(doc, *i);
        if (item != NULL && item->type == YAML_MAPPING_NODE) {
            if (*visits == MERGE_VISITS_MAX) {
                return NULL;
            }
            ++*visits;
            value = mapping_value(fm, item, key, len, visits);
            if (value != NULL) {
                return value;
            }
        }
    }

    return NULL;
}

yaml_node_t *
frontmatter_field(const frontmatter_t *fm, const char *key)
{
    const yaml_node_t  *node;
    const char         *p, *dot;
    yaml_node_t        *value;
    unsigned            visits = 0;

    if (fm->mapping == NULL) {
        return NULL;
    }

    value = mapping_value(fm, fm->mapping, key, strlen(key), &visits);
    if (value != NULL || strchr(key, '.') == NULL) {
        return value;
    }

    /* "date.created": the field of a mapping (MkDocs' blog posts) */
    node = fm->mapping;
    for (p = key; (dot = strchr(p, '.')) != NULL; p = dot + 1) {
        visits = 0;
        node = mapping_value(fm, node, p, (size_t) (dot - p), &visits);
        if (node == NULL || node->type != YAML_MAPPING_NODE) {
            return NULL;
        }
    }

    visits = 0;
    return mapping_value(fm, node, p, strlen(p), &visits);
}

yaml_node_t *
frontmatter_item(const frontmatter_t *fm, const yaml_node_t *sequence,
    size_t n)
{
    return yaml_document_get_node((yaml_document_t *) &fm->doc,
                                  sequence->data.sequence.items.start[n]);
}

unsigned
frontmatter_line(const yaml_node_t *node)
{
    return (unsigned) node->start_mark.line + YAML_FIRST_LINE;
}

unsigned
frontmatter_column(const yaml_node_t *node)
{
    return (unsigned) node->start_mark.column + 1;
}

static int
scalar_is(const yaml_node_t *node, const char *text)
{
    size_t  len = strlen(text);

    return node->data.scalar.length == len
           && memcmp(node->data.scalar.value, text, len) == 0;
}

int
frontmatter_is_null(const yaml_node_t *node)
{
    if (node->type != YAML_SCALAR_NODE) {
        return 0;
    }

    if (node->tag != NULL
        && strcmp((const char *) node->tag, YAML_NULL_TAG) == 0)
    {
        return 1;
    }

    return node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
           && (node->data.scalar.length == 0 || scalar_is(node, "~")
               || scalar_is(node, "null") || scalar_is(node, "Null")
               || scalar_is(node, "NULL"));
}

int
frontmatter_bool(const yaml_node_t *node)
{
    static const char *const  words[][3] = {
        { "true", "True", "TRUE" }, { "yes", "Yes", "YES" },
        { "on", "On", "ON" },
        { "false", "False", "FALSE" }, { "no", "No", "NO" },
        { "off", "Off", "OFF" },
    };
    size_t                    i, j;

    if (node->type != YAML_SCALAR_NODE) {
        return -1;
    }

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        for (j = 0; j < 3; j++) {
            if (scalar_is(node, words[i][j])) {
                return i < 3;
            }
        }
    }

    return -1;
}

const char *
frontmatter_text(const yaml_node_t *node, size_t *len)
{
    *len = node->data.scalar.length;
    return (const char *) node->data.scalar.value;
}

const char *
frontmatter_kind(const yaml_node_t *node)
{
    switch (node->type) {
    case YAML_MAPPING_NODE:
        return "a mapping";
    case YAML_SEQUENCE_NODE:
        return "a sequence";
    default:
        return "a scalar";
    }
}
