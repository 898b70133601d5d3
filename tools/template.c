/*
 * template.c - expanding the target template, see template.h.
 */

#include <limits.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>
#include <wctype.h>

#include "dates.h"
#include "lrmap.h"
#include "template.h"
#include "walk.h"

#define EXPAND_OK       0
#define EXPAND_ERROR   -1
#define EXPAND_NOMEM   -2

typedef struct {
    char    *data;
    size_t   len;
    size_t   cap;
} strbuf_t;

/* What a substituted value is, for messages and error positions. */
typedef struct {
    const char  *placeholder;       /* "year", "slug", a field name */
    unsigned     line;
    unsigned     column;
} value_origin_t;

static int
out_of_memory(diag_t *diag)
{
    diag_error(diag, NULL, 0, 0, "out of memory");
    return EXPAND_NOMEM;
}

/* ---- compiling ------------------------------------------------------ */

static int
is_name_start(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static int
is_name_char(char ch)
{
    return is_name_start(ch) || (ch >= '0' && ch <= '9') || ch == '-';
}

static int
is_valid_name(const char *name, size_t len)
{
    size_t  i;

    if (len == 0 || !is_name_start(name[0])) {
        return 0;
    }
    for (i = 1; i < len; i++) {
        if (!is_name_char(name[i])) {
            return 0;
        }
    }
    return 1;
}

static template_part_kind_t
placeholder_kind(const char *name, size_t len)
{
    static const struct {
        const char            *name;
        template_part_kind_t   kind;
    } builtins[] = {
        { "year", TEMPLATE_YEAR },
        { "month", TEMPLATE_MONTH },
        { "day", TEMPLATE_DAY },
        { "slug", TEMPLATE_SLUG },
        { "path", TEMPLATE_PATH },
        { "categories", TEMPLATE_CATEGORIES },
    };
    size_t  i;

    for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
        if (strlen(builtins[i].name) == len
            && memcmp(builtins[i].name, name, len) == 0)
        {
            return builtins[i].kind;
        }
    }
    return TEMPLATE_FIELD;
}

static int
add_part(template_t *t, template_part_kind_t kind, const char *text,
    size_t len)
{
    template_part_t  *grown, *part;

    grown = realloc(t->parts, (t->count + 1) * sizeof(template_part_t));
    if (grown == NULL) {
        return -1;
    }
    t->parts = grown;

    part = &t->parts[t->count];
    part->kind = kind;
    part->len = len;
    part->text = strndup(text, len);
    if (part->text == NULL) {
        return -1;
    }
    t->count++;

    if ((kind == TEMPLATE_YEAR || kind == TEMPLATE_MONTH
         || kind == TEMPLATE_DAY) && !t->needs_date)
    {
        t->needs_date = 1;
        t->first_date = kind == TEMPLATE_YEAR ? "year"
                        : kind == TEMPLATE_MONTH ? "month" : "day";
    }
    return 0;
}

/* Parses "{name}" at p (which points at '{'); returns its length
 * (with the braces), or 0 when it is not a valid placeholder. */
static size_t
read_placeholder(const char *text, const char *p, diag_t *diag)
{
    const char  *close = strchr(p + 1, '}');
    const char  *brace = strchr(p + 1, '{');

    if (close == NULL || (brace != NULL && brace < close)) {
        diag_error(diag, NULL, 0, 0, "target template '%s': '{' at "
                   "offset %zu has no matching '}'", text,
                   (size_t) (p - text));
        return 0;
    }

    if (!is_valid_name(p + 1, (size_t) (close - p - 1))) {
        diag_error(diag, NULL, 0, 0, "target template '%s': invalid "
                   "placeholder '%.*s' (expected {year}, {month}, {day}, "
                   "{slug} or {field} with a front matter field name)",
                   text, (int) (close - p + 1), p);
        return 0;
    }

    return (size_t) (close - p + 1);
}

/*
 * What in the template's own text no page's path has: an empty segment
 * ("//", after the scheme of an absolute template) or a dot segment.
 * NULL when there is none.
 */
static const char *
bad_template_text(const char *text)
{
    size_t  len = strcspn(text, "?#");

    /* another site's paths (an absolute template) are its own business */
    if (text[0] != '/') {
        return NULL;
    }

    if (memmem(text, len, "//", 2) != NULL) {
        return "an empty segment (\"//\")";
    }

    if (memmem(text, len, "/./", 3) != NULL
        || memmem(text, len, "/../", 4) != NULL
        || (len >= 2 && memcmp(text + len - 2, "/.", 2) == 0)
        || (len >= 3 && memcmp(text + len - 3, "/..", 3) == 0))
    {
        return "a dot segment";
    }

    return NULL;
}

int
template_compile(template_t *t, const char *text, diag_t *diag)
{
    const char  *p = text, *start = text, *bad;
    size_t       len;

    memset(t, 0, sizeof(template_t));

    bad = bad_template_text(text);
    if (bad != NULL) {
        diag_error(diag, NULL, 0, 0, "target template '%s' has %s", text,
                   bad);
        return -1;
    }

    while (*p != '\0') {
        if (*p == '}') {
            diag_error(diag, NULL, 0, 0, "target template '%s': '}' at "
                       "offset %zu has no matching '{'", text,
                       (size_t) (p - text));
            template_free(t);
            return -1;
        }

        if (*p != '{') {
            p++;
            continue;
        }

        len = read_placeholder(text, p, diag);
        if (len == 0) {
            template_free(t);
            return -1;
        }

        if ((p > start
             && add_part(t, TEMPLATE_TEXT, start, (size_t) (p - start)) != 0)
            || add_part(t, placeholder_kind(p + 1, len - 2), p + 1, len - 2)
               != 0)
        {
            template_free(t);
            return out_of_memory(diag);
        }

        p += len;
        start = p;
    }

    if (p > start
        && add_part(t, TEMPLATE_TEXT, start, (size_t) (p - start)) != 0)
    {
        template_free(t);
        return out_of_memory(diag);
    }

    return 0;
}

void
template_free(template_t *t)
{
    size_t  i;

    for (i = 0; i < t->count; i++) {
        free(t->parts[i].text);
    }
    free(t->parts);
    memset(t, 0, sizeof(template_t));
}

/* ---- expanding ------------------------------------------------------ */

static int
strbuf_add(strbuf_t *b, const char *text, size_t len)
{
    size_t   cap;
    char    *grown;

    if (b->len + len + 1 > b->cap) {
        cap = b->cap ? b->cap : 64;
        while (cap < b->len + len + 1) {
            cap *= 2;
        }
        grown = realloc(b->data, cap);
        if (grown == NULL) {
            return -1;
        }
        b->data = grown;
        b->cap = cap;
    }

    memcpy(b->data + b->len, text, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

static int
is_hex(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')
           || (ch >= 'A' && ch <= 'F');
}

/*
 * Whether byte i of the value must be percent-encoded in a URL path; a
 * whole URL keeps its '?' and '#'.
 */
static int
needs_escape(const char *value, size_t len, size_t i, int whole)
{
    unsigned char  ch = (unsigned char) value[i];

    if (ch == '%') {
        return !(i + 2 < len && is_hex(value[i + 1])
                 && is_hex(value[i + 2]));
    }

    return ch == ' ' || ch >= 0x80 || strchr("\"<>\\^`{|}", ch) != NULL
           || (!whole && (ch == '#' || ch == '?'));
}

static int
add_value(strbuf_t *b, const char *value, size_t len, int whole,
    const value_origin_t *origin, const char *path, diag_t *diag)
{
    static const char  hex[] = "0123456789ABCDEF";
    unsigned char      ch;
    char               escape[3];
    size_t             i;

    for (i = 0; i < len; i++) {
        ch = (unsigned char) value[i];
        if (ch < 0x20 || ch == 0x7f) {
            diag_error(diag, path, origin->line, origin->column,
                       whole ? "%s contains a control character (0x%02x)"
                       : "the value for {%s} contains a control character "
                       "(0x%02x)", origin->placeholder, ch);
            return EXPAND_ERROR;
        }
    }

    for (i = 0; i < len; i++) {
        if (needs_escape(value, len, i, whole)) {
            ch = (unsigned char) value[i];
            escape[0] = '%';
            escape[1] = hex[ch >> 4];
            escape[2] = hex[ch & 0x0f];
            if (strbuf_add(b, escape, 3) != 0) {
                return out_of_memory(diag);
            }
        } else if (strbuf_add(b, value + i, 1) != 0) {
            return out_of_memory(diag);
        }
    }

    return EXPAND_OK;
}

/*
 * Whether a file's name, up to its extension, names a page bundle's page:
 * "index" or Hugo's section page "_index", alone or with a language
 * ("index.en", "_index.pt-br").
 */
static int
is_bundle_stem(const char *stem, size_t len)
{
    const char  *dot = memchr(stem, '.', len);
    size_t       base = dot != NULL ? (size_t) (dot - stem) : len;

    if (dot != NULL && (dot + 1 == stem + len
                        || memchr(dot + 1, '.', len - base - 1) != NULL))
    {
        return 0;
    }

    return (base == 5 && memcmp(stem, "index", 5) == 0)
           || (base == 6 && memcmp(stem, "_index", 6) == 0);
}

/* Reads 1 to max digits at p (up to end); returns how many, 0 if none. */
static size_t
read_digits(const char *p, const char *end, size_t max, int *value)
{
    size_t  n;

    *value = 0;
    for (n = 0; n < max && p + n < end && p[n] >= '0' && p[n] <= '9'; n++)
    {
        *value = *value * 10 + (p[n] - '0');
    }

    return n;
}

/*
 * A date at the start of a name: Jekyll names a post "YYYY-M-D-title.md"
 * (month and day of one or two digits), Eleventy, Docusaurus and Zola
 * "YYYY-MM-DD-title" or "YYYY-MM-DD_title", files and folders alike.
 * Returns the length of the date and its separator when the name starts
 * so and has a title after it, else 0; sets the date's numbers.
 */
static size_t
name_date_prefix(const char *name, size_t len, int any_separator,
    int *year, int *month, int *day)
{
    const char  *p = name, *end = name + len;
    size_t       n;
    char         sep;

    n = read_digits(p, end, 4, year);
    if (n != 4 || p + n >= end || p[n] != '-') {
        return 0;
    }
    p += n + 1;

    n = read_digits(p, end, 2, month);
    if (n == 0 || p + n >= end || p[n] != '-') {
        return 0;
    }
    p += n + 1;

    n = read_digits(p, end, 2, day);
    sep = p + n < end ? p[n] : '\0';
    if (n == 0 || p + n + 1 >= end
        || !(sep == '-' || (any_separator && sep == '_')))
    {
        return 0;
    }

    return (size_t) (p + n + 1 - name);
}

/*
 * A post's path in parts: its file name (returned), the length of that
 * name without its extension, and the folder it is in (*folder_len 0 at
 * the top of path).
 */
static const char *
split_path(const char *path, size_t *stem_len, const char **folder,
    size_t *folder_len)
{
    const char  *name, *dot;

    name = strrchr(path, '/');
    name = name ? name + 1 : path;

    dot = strrchr(name, '.');
    *stem_len = dot && dot != name ? (size_t) (dot - name) : strlen(name);

    *folder = name;
    if (name > path) {
        for (*folder = name - 1; *folder > path && (*folder)[-1] != '/';
             (*folder)--)
        {
            /* void */
        }
    }
    *folder_len = name > path ? (size_t) (name - 1 - *folder) : 0;

    return name;
}

/*
 * The name a post's slug and file date come from: the folder's of a page
 * bundle ("<name>/index.md"), else the file's without its extension.
 * Returns it and sets *len, or NULL for a bundle without a usable folder
 * name; *bundle says which.
 */
static const char *
post_name(const char *path, size_t *len, int *bundle)
{
    const char  *name, *folder;
    size_t       stem_len;

    name = split_path(path, &stem_len, &folder, len);
    *bundle = 0;

    /* "<slug>/index.md": the slug is the folder's name */
    if (is_bundle_stem(name, stem_len) && *len > 0
        && !(*len == 1 && folder[0] == '.')
        && !(*len == 2 && folder[0] == '.' && folder[1] == '.'))
    {
        *bundle = 1;
        return folder;
    }

    *len = stem_len;
    return name;
}

/* The date at the start of the post's name, where it is one: Jekyll's
 * files in _posts, or any file or bundle folder (date_prefix_anywhere). */
static size_t
post_date_prefix(const char *path, const char *name, size_t len, int bundle,
    int anywhere, int *year, int *month, int *day)
{
    if (!anywhere && (bundle || !walk_path_in_folder(path, "_posts"))) {
        return 0;
    }

    return name_date_prefix(name, len, anywhere, year, month, day);
}

const char *
template_slug(const char *path, size_t *len, int anywhere)
{
    const char  *name;
    size_t       skip;
    int          year, month, day, bundle;

    name = post_name(path, len, &bundle);

    /* Jekyll (and the others) take the title after the date */
    skip = post_date_prefix(path, name, *len, bundle, anywhere, &year,
                            &month, &day);

    *len -= skip;
    return name + skip;
}

/*
 * A post's path without its extension, page or not: {path} as Astro
 * takes it for an id with --slugify ("b/b.md" is b/b there, and
 * "b/index.en.md" b/indexen).
 */
static const char *
path_stem(const char *rel, size_t *len)
{
    const char  *name, *folder;
    size_t       stem_len, folder_len;

    name = split_path(rel, &stem_len, &folder, &folder_len);
    *len = (size_t) (name - rel) + stem_len;
    return rel;
}

const char *
template_path(const char *rel, size_t *len)
{
    const char  *name, *folder;
    size_t       stem_len, folder_len;

    name = split_path(rel, &stem_len, &folder, &folder_len);
    *len = (size_t) (name - rel) + stem_len;

    if (name == rel) {
        return rel;
    }

    /* "a/b/index.md" and Eleventy's "a/b/b.md" are the folder's page */
    if (is_bundle_stem(name, stem_len)
        || (folder_len == stem_len && memcmp(folder, name, stem_len) == 0))
    {
        *len = (size_t) (name - 1 - rel);
    }

    return rel;
}

int
template_file_date(const char *path, post_date_t *date, char *shown,
    size_t shown_size, int anywhere)
{
    const char  *name;
    size_t       len, n;
    int          bundle;
    char         text[16];

    name = post_name(path, &len, &bundle);

    n = post_date_prefix(path, name, len, bundle, anywhere, &date->year,
                         &date->month, &date->day);
    if (n == 0) {
        return 0;
    }

    /* the date without its separator, then as date_parse() reads it */
    snprintf(shown, shown_size, "%.*s", (int) (n - 1), name);
    snprintf(text, sizeof(text), "%04d-%02d-%02d", date->year, date->month,
             date->day);

    return date_parse(text, strlen(text), date) == NULL ? 1 : -1;
}

/*
 * {slug}: the front matter's own "slug" when it has one (Hugo, Jekyll and
 * Astro build the page's path from it), else the slug of the file name.
 */
static int
slug_value(const template_t *t, const frontmatter_t *fm, const char *path,
    const char **value, size_t *len, int *from_name, value_origin_t *origin,
    diag_t *diag)
{
    yaml_node_t  *node = frontmatter_field(fm, "slug");

    *from_name = 0;

    if (node != NULL && !frontmatter_is_null(node)) {
        origin->line = frontmatter_line(node);
        origin->column = frontmatter_column(node);

        if (node->type != YAML_SCALAR_NODE) {
            diag_error(diag, fm->file, origin->line, origin->column,
                       "template needs {slug} but slug is %s, not a "
                       "scalar", frontmatter_kind(node));
            return EXPAND_ERROR;
        }

        *value = frontmatter_text(node, len);
        if (*len > 0) {
            return EXPAND_OK;
        }
    }

    *value = template_slug(path, len, t->date_prefix_anywhere);
    *from_name = 1;
    return EXPAND_OK;
}

/* The text of a front matter field for {name}. */
static int
field_value(const frontmatter_t *fm, const template_part_t *part,
    const char **value, size_t *len, value_origin_t *origin, diag_t *diag)
{
    yaml_node_t  *node = frontmatter_field(fm, part->text);

    if (node == NULL) {
        diag_error(diag, fm->file, 1, 0, "template needs {%s} but the post "
                   "has no %s", part->text, part->text);
        return EXPAND_ERROR;
    }

    origin->line = frontmatter_line(node);
    origin->column = frontmatter_column(node);

    if (node->type != YAML_SCALAR_NODE) {
        diag_error(diag, fm->file, origin->line, origin->column,
                   "template needs {%s} but %s is %s, not a scalar",
                   part->text, part->text, frontmatter_kind(node));
        return EXPAND_ERROR;
    }

    *value = frontmatter_text(node, len);

    if (frontmatter_is_null(node) || *len == 0) {
        diag_error(diag, fm->file, origin->line, origin->column,
                   "template needs {%s} but %s is %s", part->text,
                   part->text, frontmatter_is_null(node) ? "null" : "empty");
        return EXPAND_ERROR;
    }

    return EXPAND_OK;
}

/* ---- lowercased and slugified names ----------------------------------- */

/*
 * C.UTF-8, for lowercasing characters other than ASCII as Ruby's
 * downcase and JavaScript's toLowerCase() do; (locale_t) 0 when the
 * system has none (then only ASCII letters are lowered).
 */
static locale_t        utf8_locale = (locale_t) 0;
static pthread_once_t  utf8_once = PTHREAD_ONCE_INIT;

/* C.UTF-8's class of Unicode's marks (glibc has it), 0 when none */
static wctype_t        utf8_marks = 0;

static void
open_utf8_locale(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t) 0);
    if (utf8_locale != (locale_t) 0) {
        utf8_marks = wctype_l("combining", utf8_locale);
    }
}

/* How add_mapped() maps a name: lowercased, or slugified too. */
typedef enum {
    MAP_LOWERCASE,          /* bytes that are no UTF-8 stay */
    MAP_SLUG                /* github-slugger's slug(); '/' stays */
} char_map_t;

/*
 * Whether a character other than ASCII stays in a slug: a letter or a
 * digit, a mark (github-slugger keeps them all: a virama, a Thai tone
 * mark, a decomposed accent; C.UTF-8 counts some only as letters), or
 * a connector like '_'.  Without the class of marks, those of the
 * blocks of combining marks.
 */
static int
slug_keeps(wchar_t wc)
{
    if (iswalnum((wint_t) wc)
        || (utf8_marks != 0 && iswctype((wint_t) wc, utf8_marks)))
    {
        return 1;
    }

    return (wc >= 0x0300 && wc <= 0x036f) || (wc >= 0x1ab0 && wc <= 0x1aff)
           || (wc >= 0x1dc0 && wc <= 0x1dff) || (wc >= 0x20d0 && wc <= 0x20ff)
           || (wc >= 0xfe20 && wc <= 0xfe2f)
           || wc == 0x203f || wc == 0x2040 || wc == 0x2054 || wc == 0xfe33
           || wc == 0xfe34 || (wc >= 0xfe4d && wc <= 0xfe4f) || wc == 0xff3f;
}

/* An ASCII character mapped, or 0 when a slug drops it. */
static char
map_ascii(char ch, char_map_t map)
{
    if (ch >= 'A' && ch <= 'Z') {
        return (char) (ch + 32);
    }
    if (map == MAP_LOWERCASE || (ch >= 'a' && ch <= 'z')
        || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '/')
    {
        return ch;
    }
    return ch == ' ' ? '-' : 0;
}

/*
 * Appends name mapped.  MAP_LOWERCASE lowers ASCII letters, and other
 * characters through C.UTF-8's tables when there are some (uselocale()
 * is the thread's own).  MAP_SLUG is github-slugger's slug(), as Astro
 * makes a post's slug and id: lowercased, each ' ' made '-', other ASCII
 * but letters, digits, '_', '-' (and '/', joining names) dropped; other
 * characters kept, lowercased, when slug_keeps() them; bytes that are no
 * UTF-8 dropped.
 */
static int
add_mapped(strbuf_t *b, const char *name, size_t len, char_map_t map)
{
    mbstate_t  in, out;
    locale_t   old = (locale_t) 0;
    wchar_t    wc;
    size_t     i, n;
    char       ch[MB_LEN_MAX];
    int        rc = 0;

    pthread_once(&utf8_once, open_utf8_locale);

    if (utf8_locale != (locale_t) 0) {
        old = uselocale(utf8_locale);
    }

    memset(&in, 0, sizeof(in));

    for (i = 0; rc == 0 && i < len; i += n) {
        n = (unsigned char) name[i] < 0x80 || utf8_locale == (locale_t) 0
            ? (size_t) -1 : mbrtowc(&wc, name + i, len - i, &in);

        if (n == 0 || n > len - i) {
            /* ASCII, or no UTF-8 character: the byte alone */
            memset(&in, 0, sizeof(in));
            n = 1;
            ch[0] = (unsigned char) name[i] < 0x80
                    ? map_ascii(name[i], map)
                    : map == MAP_LOWERCASE ? name[i] : 0;
            rc = ch[0] != 0 || map == MAP_LOWERCASE
                 ? strbuf_add(b, ch, 1) : 0;
            continue;
        }

        if (map == MAP_LOWERCASE || slug_keeps(wc)) {
            memset(&out, 0, sizeof(out));
            rc = strbuf_add(b, ch, wcrtomb(ch, (wchar_t) towlower((wint_t) wc),
                                           &out));
        }
    }

    if (utf8_locale != (locale_t) 0) {
        uselocale(old);
    }

    return rc;
}

/* ---- {categories} ---------------------------------------------------- */

/*
 * Adds a category to names (each ended by '\0'), lowercased, unless it
 * is there already or empty.
 */
static int
add_category(strbuf_t *names, const char *name, size_t len)
{
    strbuf_t     low = { NULL, 0, 0 };
    const char  *p, *end;
    int          rc = 0;

    if (len == 0) {
        return 0;
    }
    if (add_mapped(&low, name, len, MAP_LOWERCASE) != 0) {
        free(low.data);
        return -1;
    }

    /* no names yet: data is NULL, and NULL + 0 undefined */
    end = names->data != NULL ? names->data + names->len : NULL;
    for (p = names->data; p != NULL && p < end; p += strlen(p) + 1) {
        if (strcmp(p, low.data) == 0) {
            free(low.data);
            return 0;
        }
    }

    rc = strbuf_add(names, low.data, low.len + 1);
    free(low.data);
    return rc;
}

/*
 * A scalar's text for add_category(), NULL (reported) when it holds a
 * NUL: names end at one, so "a\0b" would pass as the two categories "a"
 * and "b", where add_value() refuses any other control character.
 */
static const char *
category_text(const frontmatter_t *fm, const yaml_node_t *node, size_t *len,
    diag_t *diag)
{
    const char  *text = frontmatter_text(node, len);

    if (memchr(text, '\0', *len) != NULL) {
        diag_error(diag, fm->file, frontmatter_line(node),
                   frontmatter_column(node), "the value for {categories} "
                   "contains a control character (0x00)");
        return NULL;
    }

    return text;
}

/*
 * Adds the categories a front matter field gives, as Jekyll reads them:
 * a list's items, a string split at blanks (categories: "a b") or
 * taken whole (category: "A b").  Returns EXPAND_*.
 */
static int
add_category_field(const frontmatter_t *fm, const char *field, int split,
    strbuf_t *names, value_origin_t *origin, diag_t *diag)
{
    yaml_node_t  *node = frontmatter_field(fm, field), *item;
    const char   *text;
    size_t        len, i, n;

    if (node == NULL || frontmatter_is_null(node)) {
        return EXPAND_OK;
    }

    origin->line = frontmatter_line(node);
    origin->column = frontmatter_column(node);

    if (node->type == YAML_SCALAR_NODE) {
        text = category_text(fm, node, &len, diag);
        if (text == NULL) {
            return EXPAND_ERROR;
        }
        for (i = 0; i < len; i += n) {
            n = split ? strcspn(text + i, " \t\n\v\f\r") : len;
            n = n < len - i ? n : len - i;
            if (add_category(names, text + i, n) != 0) {
                return out_of_memory(diag);
            }
            n += n < len - i;
        }
        return EXPAND_OK;
    }

    if (node->type != YAML_SEQUENCE_NODE) {
        diag_error(diag, fm->file, origin->line, origin->column,
                   "template needs {categories} but %s is %s, not a list "
                   "or a scalar", field, frontmatter_kind(node));
        return EXPAND_ERROR;
    }

    n = (size_t) (node->data.sequence.items.top
                  - node->data.sequence.items.start);
    for (i = 0; i < n; i++) {
        item = frontmatter_item(fm, node, i);
        if (frontmatter_is_null(item)) {
            continue;
        }
        if (item->type != YAML_SCALAR_NODE) {
            diag_error(diag, fm->file, frontmatter_line(item),
                       frontmatter_column(item), "template needs "
                       "{categories} but an item of %s is %s, not a "
                       "scalar", field, frontmatter_kind(item));
            return EXPAND_ERROR;
        }
        text = category_text(fm, item, &len, diag);
        if (text == NULL) {
            return EXPAND_ERROR;
        }
        if (add_category(names, text, len) != 0) {
            return out_of_memory(diag);
        }
    }
    return EXPAND_OK;
}

/*
 * {categories}: Jekyll's ":categories", the folders above a "_posts"
 * folder ("es/_posts/x.md"), then the front matter's categories and
 * category, each lowercased, once, joined with '/'.  Sets *out
 * (malloc'ed, or NULL when there are none).
 */
static int
categories_value(const frontmatter_t *fm, const char *rel, strbuf_t *out,
    value_origin_t *origin, diag_t *diag)
{
    strbuf_t     names = { NULL, 0, 0 };
    const char  *seg, *slash, *p;
    size_t       len;
    int          rc;

    for (seg = rel; (slash = strchr(seg, '/')) != NULL; seg = slash + 1) {
        len = (size_t) (slash - seg);
        if (len == 6 && memcmp(seg, "_posts", 6) == 0) {
            break;
        }
    }
    if (slash != NULL) {
        for (p = rel; p < seg; p = slash + 1) {
            slash = strchr(p, '/');
            if (add_category(&names, p, (size_t) (slash - p)) != 0) {
                free(names.data);
                return out_of_memory(diag);
            }
        }
    }

    rc = add_category_field(fm, "categories", 1, &names, origin, diag);
    if (rc == EXPAND_OK) {
        rc = add_category_field(fm, "category", 0, &names, origin, diag);
    }

    for (p = names.data; rc == EXPAND_OK && p != NULL
         && p < names.data + names.len; p += strlen(p) + 1)
    {
        if ((out->len > 0 && strbuf_add(out, "/", 1) != 0)
            || strbuf_add(out, p, strlen(p)) != 0)
        {
            rc = out_of_memory(diag);
        }
    }

    free(names.data);
    return rc;
}

/*
 * Adds {categories}; without any, the slash before it goes when text
 * with its own slash follows ("/{categories}/{year}" is "/2023"), as
 * Jekyll squeezes the "//" it gets.
 */
static int
expand_categories(const template_t *t, const template_part_t *part,
    const frontmatter_t *fm, const char *path, const char *rel,
    strbuf_t *b, value_origin_t *origin, diag_t *diag)
{
    strbuf_t                value = { NULL, 0, 0 };
    const template_part_t  *next = part + 1;
    int                     rc;

    rc = categories_value(fm, rel, &value, origin, diag);

    if (rc == EXPAND_OK && value.len > 0) {
        rc = add_value(b, value.data, value.len, 0, origin, path, diag);

    } else if (rc == EXPAND_OK && b->len > 0 && b->data[b->len - 1] == '/'
               && next < t->parts + t->count && next->kind == TEMPLATE_TEXT
               && next->text[0] == '/')
    {
        b->data[--b->len] = '\0';
    }

    free(value.data);
    return rc;
}

/*
 * A name for {slug} or {path}, slugified (--slugify), escaped.  For
 * {path} (drop_index), a last "/index" is dropped after, as Astro drops
 * it from an id: "b/Index.md" is b.
 */
static int
add_slugified_value(strbuf_t *b, const char *value, size_t len,
    int drop_index, const value_origin_t *origin, const char *path,
    diag_t *diag)
{
    strbuf_t  slug = { NULL, 0, 0 };
    int       rc;

    if (add_mapped(&slug, value, len, MAP_SLUG) != 0) {
        free(slug.data);
        return out_of_memory(diag);
    }

    if (drop_index && slug.len >= 6
        && memcmp(slug.data + slug.len - 6, "/index", 6) == 0)
    {
        slug.len -= 6;
    }

    rc = add_value(b, slug.data ? slug.data : "", slug.len, 0, origin, path,
                   diag);
    free(slug.data);
    return rc;
}

static int
expand_part(const template_t *t, const template_part_t *part,
    const post_date_t *date, const frontmatter_t *fm, const char *path,
    const char *rel, strbuf_t *b, value_origin_t *origin, diag_t *diag)
{
    const char      *value = NULL;
    size_t           len = 0;
    char             number[8];
    int              rc, from_name = 0;

    origin->placeholder = part->text;
    origin->line = 1;
    origin->column = 0;

    switch (part->kind) {
    case TEMPLATE_TEXT:
        return strbuf_add(b, part->text, part->len) == 0
               ? EXPAND_OK : out_of_memory(diag);

    case TEMPLATE_YEAR:
        len = (size_t) snprintf(number, sizeof(number), "%04d", date->year);
        value = number;
        break;

    case TEMPLATE_MONTH:
        len = (size_t) snprintf(number, sizeof(number), "%02d", date->month);
        value = number;
        break;

    case TEMPLATE_DAY:
        len = (size_t) snprintf(number, sizeof(number), "%02d", date->day);
        value = number;
        break;

    case TEMPLATE_SLUG:
        rc = slug_value(t, fm, path, &value, &len, &from_name, origin,
                        diag);
        if (rc != EXPAND_OK) {
            return rc;
        }
        break;

    case TEMPLATE_PATH:
        value = t->slugify ? path_stem(rel, &len) : template_path(rel, &len);
        from_name = 1;
        break;

    case TEMPLATE_FIELD:
        rc = field_value(fm, part, &value, &len, origin, diag);
        if (rc != EXPAND_OK) {
            return rc;
        }
        break;

    case TEMPLATE_CATEGORIES:
        return expand_categories(t, part, fm, path, rel, b, origin, diag);
    }

    if (from_name && t->slugify) {
        return add_slugified_value(b, value, len,
                                   part->kind == TEMPLATE_PATH, origin, path,
                                   diag);
    }

    return add_value(b, value, len, 0, origin, path, diag);
}

/*
 * Whether a path segment is "." or ".." (also spelt with "%2e", as
 * browsers read it): a browser drops it, or the segment before it,
 * before it asks for the page.
 */
static int
is_dot_segment(const char *s, size_t len)
{
    size_t  dots = 0;

    while (len > 0) {
        if (s[0] == '.') {
            s++;
            len--;

        } else if (len >= 3 && s[0] == '%' && s[1] == '2'
                   && (s[2] == 'e' || s[2] == 'E'))
        {
            s += 3;
            len -= 3;

        } else {
            return 0;
        }

        dots++;
    }

    return dots == 1 || dots == 2;
}

/*
 * Finds the first segment of a new site path (not of an absolute URL)
 * that is no page's segment: an empty one between two slashes, or a dot
 * segment.  Returns 1 with *at and *len set to it (without its
 * slashes), else 0.
 */
static int
find_bad_segment(const char *url, size_t *at, size_t *len)
{
    const char  *p, *end, *slash;

    /* another site's paths (an absolute target) are its own business */
    if (url[0] != '/') {
        return 0;
    }

    end = url + strcspn(url, "?#");

    for (p = url + 1; p <= end; p = slash + 1) {
        slash = memchr(p, '/', (size_t) (end - p));

        *at = (size_t) (p - url);
        *len = (size_t) ((slash != NULL ? slash : end) - p);

        if ((slash != NULL && *len == 0) || is_dot_segment(p, *len)) {
            return 1;
        }

        if (slash == NULL) {
            break;
        }
    }

    return 0;
}

/*
 * Reports a new path with an empty or dot segment at the value that made
 * it, found by expanding the template again part by part; at the post
 * when the template's own text made it.
 */
static int
report_bad_segment(const template_t *t, const post_date_t *date,
    const frontmatter_t *fm, const char *path, const char *rel,
    const char *url, size_t at, size_t len, diag_t *diag)
{
    strbuf_t        b = { NULL, 0, 0 };
    value_origin_t  origin, found = { NULL, 0, 0 };
    size_t          i, start;
    char            shown[256], seg[40];
    int             rc = EXPAND_OK;

    for (i = 0; i < t->count && found.placeholder == NULL; i++) {
        start = b.len;
        rc = expand_part(t, &t->parts[i], date, fm, path, rel, &b, &origin,
                         diag);
        if (rc != EXPAND_OK) {
            break;
        }

        /* the segment and the slashes around it */
        if (t->parts[i].kind != TEMPLATE_TEXT && b.len > start
            && start <= at + len && b.len > at - 1)
        {
            found = origin;
        }
    }

    free(b.data);
    if (rc != EXPAND_OK) {
        return rc;
    }

    diag_printable(url, strlen(url), shown, sizeof(shown));

    if (len == 0) {
        snprintf(seg, sizeof(seg), "an empty segment (\"//\")");
    } else {
        snprintf(seg, sizeof(seg), "the dot segment \"%.*s\"", (int) len,
                 url + at);
    }

    if (found.placeholder != NULL) {
        diag_error(diag, path, found.line, found.column, "the value for "
                   "{%s} gives the new path \"%s\", which has %s",
                   found.placeholder, shown, seg);
    } else {
        diag_error(diag, path, 0, 0, "the template gives the new path "
                   "\"%s\", which has %s", shown, seg);
    }

    return EXPAND_ERROR;
}

/* Whether a path is a pattern of its generator: Jekyll's ":title",
 * Liquid's or Nunjucks' "{{ }}" and "{% %}". */
static int
is_path_pattern(const char *value, size_t len)
{
    size_t  i;

    for (i = 0; i + 1 < len; i++) {
        if ((value[i] == '{' && (value[i + 1] == '{' || value[i + 1] == '%'))
            || ((i == 0 || value[i - 1] == '/') && value[i] == ':'
                && ((value[i + 1] >= 'a' && value[i + 1] <= 'z')
                    || (value[i + 1] >= 'A' && value[i + 1] <= 'Z'))))
        {
            return 1;
        }
    }

    return 0;
}

/*
 * The post's own new path, when the template has a path field and the
 * post sets it.  Returns EXPAND_OK with *out set, 1 when the post does
 * not set it, or an error (reported).
 */
static int
own_path(const template_t *t, const frontmatter_t *fm, const char *path,
    char **out, diag_t *diag)
{
    yaml_node_t     *node;
    value_origin_t   origin;
    strbuf_t         b = { NULL, 0, 0 };
    const char      *value;
    size_t           len, at, seg;
    char             shown[256];
    int              rc;

    node = t->path_field ? frontmatter_field(fm, t->path_field) : NULL;
    if (node == NULL || frontmatter_is_null(node)) {
        return 1;
    }

    origin.placeholder = t->path_field;
    origin.line = frontmatter_line(node);
    origin.column = frontmatter_column(node);

    if (node->type != YAML_SCALAR_NODE) {
        diag_error(diag, fm->file, origin.line, origin.column, "%s is %s, "
                   "not a path", t->path_field, frontmatter_kind(node));
        return EXPAND_ERROR;
    }

    value = frontmatter_text(node, &len);
    if (len == 0) {
        return 1;
    }

    diag_printable(value, len, shown, sizeof(shown));

    /* Eleventy's "permalink: false", not a quoted "false" */
    if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
        && frontmatter_bool(node) == 0)
    {
        diag_error(diag, fm->file, origin.line, origin.column, "%s is "
                   "false: the post has no page to redirect to (mark it "
                   "draft: true for a 410)", t->path_field);
        return EXPAND_ERROR;
    }

    if (is_path_pattern(value, len)) {
        diag_error(diag, fm->file, origin.line, origin.column, "%s \"%s\" "
                   "is a pattern of its site generator, which redirect-map "
                   "does not expand: give the path, or leave it to the "
                   "template", t->path_field, shown);
        return EXPAND_ERROR;
    }

    /* Hugo's url may leave out the first slash */
    if (value[0] != '/' && lrm_url_path(value, len, &seg) == NULL
        && strbuf_add(&b, "/", 1) != 0)
    {
        return out_of_memory(diag);
    }

    rc = add_value(&b, value, len, 1, &origin, path, diag);
    if (rc == EXPAND_OK && find_bad_segment(b.data, &at, &seg)) {
        diag_error(diag, fm->file, origin.line, origin.column, "%s \"%s\" "
                   "has %s", t->path_field, shown, seg == 0
                   ? "an empty segment (\"//\")" : "a dot segment");
        rc = EXPAND_ERROR;
    }

    if (rc != EXPAND_OK) {
        free(b.data);
        return rc;
    }

    *out = b.data;
    return EXPAND_OK;
}

int
template_expand(const template_t *t, const frontmatter_t *fm,
    const char *path, const char *rel, char **out, diag_t *diag)
{
    post_date_t     date = { 0, 0, 0, 0, 0, 0 };
    strbuf_t        b = { NULL, 0, 0 };
    value_origin_t  origin;
    size_t          i, at, len;
    int             rc;
    char            shown[16];

    *out = NULL;

    rc = own_path(t, fm, path, out, diag);
    if (rc != 1) {
        return rc;
    }

    if (t->needs_date) {
        rc = post_date(fm, t->date_field, &date, diag);
        if (rc < 0) {
            return EXPAND_ERROR;
        }
        if (rc > 0) {
            date_to_zone(&date, t->zone);

            if (date.year < 0 || date.year > 9999) {
                diag_error(diag, path, 0, 0, "template needs {%s} but the "
                           "post's date, in the zone of --timezone, is in "
                           "the year %d, not 0 to 9999", t->first_date,
                           date.year);
                return EXPAND_ERROR;
            }
        }
        if (rc == 0) {
            rc = template_file_date(path, &date, shown, sizeof(shown),
                                    t->date_prefix_anywhere);
        }
        if (rc == 0) {
            diag_error(diag, path, 1, 0, "template needs {%s} but the post "
                       "has no %s", t->first_date,
                       t->date_field ? t->date_field : POST_DATE_KEYS_TEXT);
            return EXPAND_ERROR;
        }
        if (rc < 0) {
            diag_error(diag, path, 0, 0, "template needs {%s} but the "
                       "post has no %s, and the date %s of its file name is "
                       "no date", t->first_date,
                       t->date_field ? t->date_field : POST_DATE_KEYS_TEXT,
                       shown);
            return EXPAND_ERROR;
        }
    }

    if (strbuf_add(&b, "", 0) != 0) {
        return out_of_memory(diag);
    }

    for (i = 0; i < t->count; i++) {
        rc = expand_part(t, &t->parts[i], &date, fm, path, rel, &b, &origin,
                         diag);
        if (rc != EXPAND_OK) {
            free(b.data);
            return rc;
        }
    }

    if (find_bad_segment(b.data, &at, &len)) {
        rc = report_bad_segment(t, &date, fm, path, rel, b.data, at, len,
                                diag);
        free(b.data);
        return rc;
    }

    *out = b.data;
    return EXPAND_OK;
}
