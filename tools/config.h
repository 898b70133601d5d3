/*
 * config.h - redirect-map.yaml, the build's configuration file (see
 * docs/config.md).
 *
 *   content: posts            # a folder or a list of folders
 *   key: legacyUrl
 *   target: /{year}/{month}/{slug}
 *   output: redirects.map
 *   ignore_case: false
 *   rules:                    # tried in order after the exact entries
 *     - from: '^/search/label/([^/?]+)$'
 *       to: '/tags/$1'
 *       status: 301           # 301 302 303 307 308 410
 *       query: drop           # keep | drop; absent: the server decides
 *       match_query: false    # match "path?query" instead of "path"
 *   redirects:                # exact pairs
 *     /p/about.html: /about/
 *     /p/old.html: { to: /new/, status: 302 }
 *   import: [redirects.json, moved.tsv, _redirects]
 *
 * Relative paths are relative to the folder of the configuration file.
 * Unknown keys are errors.
 */

#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>

#include <yaml.h>

#include "diag.h"

#define CONFIG_FILE  "redirect-map.yaml"

typedef struct {
    const char  *from;           /* pattern (points into the document) */
    size_t       from_len;
    const char  *to;             /* NULL when absent */
    unsigned     status;
    unsigned     flags;          /* LRM_RULE_* */
    unsigned     line;           /* of the "from" value */
    unsigned     column;
} config_rule_t;

typedef struct {
    const char  *from;
    const char  *to;             /* "" for a 410 without one */
    unsigned     status;
    unsigned     line;           /* of the key */
    unsigned     column;
} config_redirect_t;

typedef struct {
    char        *path;           /* resolved against the config's folder */
    unsigned     line;
    unsigned     column;
} config_path_t;

typedef struct {
    char               *file;        /* the config file, as given */
    char               *dir;         /* its folder, "" for the current one */
    yaml_document_t     doc;
    int                 loaded;

    config_path_t      *content;
    size_t              ncontent;
    int                 has_content;
    const char         *key;         /* NULL: not set; names, with ',' */
    char               *key_text;    /* a list of key names, joined */
    const char         *target;
    const char         *timezone;    /* NULL: not set (dates.h) */
    const char         *path_field;  /* NULL: not set */
    const char         *date_field;  /* NULL: not set */
    int                 date_prefix; /* -1: not set */
    int                 slugify;     /* -1: not set */
    char               *output;      /* resolved, NULL: not set */
    int                 ignore_case; /* -1: not set */

    config_rule_t      *rules;
    size_t              nrules;
    config_redirect_t  *redirects;
    size_t              nredirects;
    config_path_t      *imports;
    size_t              nimports;
} config_t;

/*
 * Reads the configuration file.  Every problem is reported through diag;
 * what could be read is kept.  Returns 0 (maybe with errors reported),
 * -1 when the file cannot be read or is not YAML (reported), -2 when out
 * of memory.
 */
int config_load(config_t *cfg, const char *path, diag_t *diag);

void config_free(config_t *cfg);

/* path joined to dir ("" or ending without '/'), malloc'ed. */
char *config_resolve(const char *dir, const char *path);

/*
 * Loads a whole YAML (or JSON) file into doc.  Returns 0, or -1 when it
 * cannot be read or parsed (reported with file:line:column), -2 when out
 * of memory.
 */
int config_load_yaml(const char *path, yaml_document_t *doc, diag_t *diag);

/* Lines and columns of nodes, 1-based. */
#define NODE_LINE(n)    ((unsigned) (n)->start_mark.line + 1)
#define NODE_COLUMN(n)  ((unsigned) (n)->start_mark.column + 1)

/*
 * A status written in a configuration or a list: "301", "302", "303",
 * "307", "308" or "410" (len bytes).  Returns it, or 0.
 */
unsigned config_parse_status(const char *text, size_t len);

#endif /* CONFIG_H */
