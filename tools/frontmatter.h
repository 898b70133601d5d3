/*
 * frontmatter.h - reading the YAML front matter of a post.
 *
 * A file is a post when its first line is "---" (after an optional UTF-8
 * byte order mark; trailing blanks and a CRLF line end are allowed).
 * Front matter in TOML ("+++" lines), JSON (a first line starting with
 * '{') or Pelican's "Key: value" lines (up to a blank line) is not
 * parsed: it is found and handed back as FM_FOREIGN, so that
 * a caller can refuse one that holds a field it needed.  The
 * front matter is the text up to the next line that is "---" or "...",
 * and must be a YAML mapping, or empty / null for a post without fields.
 * Only the head of a file is read: reading stops at the closing line, and
 * a front matter may not be longer than FRONTMATTER_MAX_SIZE.
 *
 * Aliases are not expanded: the document is libyaml's node graph, and
 * callers only look at the top-level mapping's values and the items of
 * sequences among them.  A field missing from the top-level mapping is
 * looked for in what its merge key ("<<") brings in, as YAML 1.1 says
 * (merges of merges too, 64 mappings at most).
 */

#ifndef FRONTMATTER_H
#define FRONTMATTER_H

#include <stddef.h>

#include <yaml.h>

#include "diag.h"

#define FRONTMATTER_MAX_SIZE  ((size_t) 64 << 20)

/* results of frontmatter_read_at() */
#define FM_POST         1       /* a post; fm holds its front matter */
#define FM_NOT_POST     0       /* no front matter: not a post */
#define FM_ERROR       -1       /* reported through diag, go on */
#define FM_NOMEM       -2       /* out of memory (reported), stop */
#define FM_UNREADABLE  -3       /* cannot open or read (reported), go on */
#define FM_FOREIGN      2       /* TOML, JSON or Pelican's, not read */

typedef struct {
    const char       *file;     /* the path given to frontmatter_read_at() */
    yaml_document_t   doc;
    int               loaded;   /* doc holds a document to delete */
    yaml_node_t      *mapping;  /* the top-level mapping, NULL if none */

    /*
     * FM_FOREIGN: "TOML" (between "+++" lines, as Hugo writes it),
     * "JSON" (an object from the first line) or "Pelican" (its lines up
     * to a blank one); its text, which starts on the file's line 2 (1
     * for JSON and Pelican), valid until the buffer reads the next file.
     */
    const char       *foreign;
    const char       *foreign_text;
    size_t            foreign_len;
    unsigned          foreign_line;
} frontmatter_t;

/*
 * The memory a file's head is read into, kept from one file to the next
 * (one per thread): { NULL, 0 } to start, frontmatter_buf_free() at the
 * end.
 */
typedef struct {
    char    *data;
    size_t   cap;
} frontmatter_buf_t;

/*
 * Reads and parses the front matter of the file name in the folder open
 * as dirfd (or AT_FDCWD), which messages call path (fm->file is path);
 * see the FM_* results.  fm must be released with frontmatter_free()
 * whatever the result.
 */
int frontmatter_read_at(frontmatter_t *fm, int dirfd, const char *name,
    const char *path, frontmatter_buf_t *buf, diag_t *diag);

void frontmatter_buf_free(frontmatter_buf_t *buf);

void frontmatter_free(frontmatter_t *fm);

/* The value of a top-level key (or one merged in with "<<"), or NULL
 * when the post has no such key.  A key with dots that is no top-level
 * key is a path through mappings: "date.created" is the field created
 * of the mapping date. */
yaml_node_t *frontmatter_field(const frontmatter_t *fm, const char *key);

/* The n-th item of a sequence node (no bounds checks: n < its length). */
yaml_node_t *frontmatter_item(const frontmatter_t *fm,
    const yaml_node_t *sequence, size_t n);

/* Where a node starts in the file, 1-based.  Columns count characters,
 * as libyaml does.  An alias node is where its anchor was defined. */
unsigned frontmatter_line(const yaml_node_t *node);
unsigned frontmatter_column(const yaml_node_t *node);

/* Whether a node is a null scalar: ~, null, Null, NULL, an empty plain
 * scalar, or anything tagged !!null. */
int frontmatter_is_null(const yaml_node_t *node);

/*
 * The truth of a scalar written as a boolean: true or false, and the
 * YAML 1.1 words yes/no and on/off that Jekyll and older Hugo read as
 * booleans, each in lower case, capitalised or upper case, quoted or
 * not.  Returns 1 or 0, or -1 when the node is no such scalar.
 */
int frontmatter_bool(const yaml_node_t *node);

/* Scalar text (NUL terminated by libyaml) and its length. */
const char *frontmatter_text(const yaml_node_t *node, size_t *len);

/* "a mapping", "a sequence" or "a scalar", for messages. */
const char *frontmatter_kind(const yaml_node_t *node);

#endif /* FRONTMATTER_H */
