/*
 * cmd_dump.c - "dump": a map's entries in the redirect formats of other
 * servers.
 *
 *   tsv             KEY<TAB>TARGET<TAB>STATUS (the default)
 *   json            [{"from", "to", "status", "source", "line", "type"}],
 *                   rules included ("type": "rule")
 *   nginx           the body of an nginx "map" block: KEY TARGET;
 *   apache          a RewriteMap txt: file: KEY TARGET
 *   haproxy         a map file: KEY TARGET
 *   netlify         _redirects lines: KEY TARGET STATUS!
 *   cloudflare-csv  Bulk Redirects CSV (needs --host)
 *
 * The formats made of one value per key (nginx, apache, haproxy) carry
 * no status: they export the 301 entries, or those of --status N (a 410
 * then has the value "410").  Formats that cannot express PCRE2 rules
 * say on stderr how many rules they leave out.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "json.h"
#include "mapfile.h"


typedef enum {
    FMT_TSV,
    FMT_JSON,
    FMT_NGINX,
    FMT_APACHE,
    FMT_HAPROXY,
    FMT_NETLIFY,
    FMT_CLOUDFLARE
} format_t;

static const struct {
    const char  *name;
    format_t     format;
} formats[] = {
    { "tsv",            FMT_TSV },
    { "json",           FMT_JSON },
    { "nginx",          FMT_NGINX },
    { "apache",         FMT_APACHE },
    { "haproxy",        FMT_HAPROXY },
    { "netlify",        FMT_NETLIFY },
    { "cloudflare-csv", FMT_CLOUDFLARE },
};

#define FORMAT_NAMES \
    "tsv, json, nginx, apache, haproxy, netlify, cloudflare-csv"

static const char  dump_help[] =
    "Usage: redirect-map dump [OPTIONS] MAP\n"
    "\n"
    "Prints the entries of MAP, sorted by key, in one of these formats:\n"
    "  tsv             KEY<TAB>TARGET<TAB>STATUS (the default)\n"
    "  json            an array of {\"type\", \"from\", \"to\", \"status\",\n"
    "                  \"source\", \"line\"}, the pattern rules included\n"
    "  nginx           the body of an nginx map block, KEY TARGET; to\n"
    "                  include in  map $uri $legacy_target { ... }\n"
    "  apache          a mod_rewrite RewriteMap txt: file, KEY TARGET\n"
    "  haproxy         an HAProxy map file, KEY TARGET\n"
    "  netlify         a Netlify _redirects file, KEY TARGET STATUS!\n"
    "  cloudflare-csv  a Cloudflare Bulk Redirects list CSV (--host)\n"
    "\n"
    "  -f, --format FORMAT    the output format (default: tsv)\n"
    "  -s, --status N         only the entries with status N; nginx,\n"
    "                         apache and haproxy carry no status and\n"
    "                         export the 301 entries unless told (a 410\n"
    "                         entry has the value 410 there)\n"
    "  -H, --host HOST        the site's host (example.org, or\n"
    "                         https://example.org) for formats that need\n"
    "                         absolute URLs (cloudflare-csv)\n"
    "  -q, --quiet            no warnings about what was not exported\n"
    "  -h, --help             show this help\n"
    "\n"
    "nginx, apache and haproxy compare the decoded path: keys are written\n"
    "decoded, and keys that decode to something else than the module\n"
    "matches (an encoded '/' or control character) are left out with a\n"
    "warning, as are keys with a space for apache and haproxy.  Every\n"
    "format but json leaves the pattern rules out, with a warning.\n"
    "\n"
    "Exit status: 0 ok, 2 usage error (an unknown format, --host missing),\n"
    "3 the map cannot be read or is damaged, or output failed.\n";


typedef struct {
    format_t          format;
    int               status;       /* 0: the format's default */
    const char       *host;         /* without scheme */
    const char       *scheme;       /* "https" unless --host said */
    int               quiet;
    const char       *path;
    const lrm_map_t  *map;          /* for the names of source files */
    size_t            exported;
    size_t            unexpressible; /* keys the server cannot compare */
    size_t            spaces;       /* keys with a space (apache, haproxy) */
    int               query_target; /* an exported target holds a '?' */
    size_t            other_status; /* left out by the status filter */
    size_t            unsupported;  /* a status the format lacks */
    size_t            duplicates;   /* same key for a caseless server */
} dump_t;


/* ---- keys as the servers see them ---- */

/*
 * A key as a server that compares the decoded path sees it (nginx $uri,
 * Apache's REQUEST_URI, HAProxy's path,url_dec): the escapes the
 * normalisation keeps are decoded.  Returns the length written to out
 * (at most key_len bytes), or -1 when the key holds an encoded '/' or
 * control character: decoded, it would be another path.
 */
static long
decoded_key(const char *key, size_t key_len, char *out)
{
    size_t  i, n = 0;
    int     hi, lo, c;

    for (i = 0; i < key_len; i++) {
        if (key[i] == '%' && i + 2 < key_len
            && (hi = lrm_hex_digit((unsigned char) key[i + 1])) >= 0
            && (lo = lrm_hex_digit((unsigned char) key[i + 2])) >= 0)
        {
            c = hi << 4 | lo;
            if (c == '/' || c < 0x20 || c == 0x7f) {
                return -1;
            }
            out[n++] = (char) c;
            i += 2;
            continue;
        }

        out[n++] = key[i];
    }

    return (long) n;
}


/* key with bytes from 0x80 percent-encoded, for formats that want URLs */
static void
print_encoded(FILE *f, const char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if ((unsigned char) s[i] >= 0x80) {
            fprintf(f, "%%%02X", (unsigned char) s[i]);
        } else {
            fputc(s[i], f);
        }
    }
}


/* ---- CSV ---- */

/* Whether a CSV field holding s must be quoted (RFC 4180). */
static int
csv_needs_quotes(const char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n') {
            return 1;
        }
    }

    return 0;
}


/* s as part of a CSV field: its quotes doubled in a quoted field, bytes
 * from 0x80 percent-encoded when encode is set. */
static void
print_csv_part(const char *s, size_t len, int quoted, int encode)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (encode && (unsigned char) s[i] >= 0x80) {
            printf("%%%02X", (unsigned char) s[i]);
            continue;
        }

        if (quoted && s[i] == '"') {
            putchar('"');
        }
        putchar(s[i]);
    }
}


/*
 * A URL as one CSV field, [SCHEME://][HOST]PATH (scheme and host may be
 * NULL): quoted when it holds a comma, a quote, CR or LF, with every
 * quote in it then doubled.  With encode, the bytes of path from 0x80
 * are percent-encoded.
 */
static void
print_csv_url(const char *scheme, const char *host, const char *path,
    size_t len, int encode)
{
    int  quoted;

    quoted = csv_needs_quotes(path, len)
             || (host != NULL && csv_needs_quotes(host, strlen(host)));

    if (quoted) {
        putchar('"');
    }
    if (scheme != NULL) {
        printf("%s://", scheme);
    }
    if (host != NULL) {
        print_csv_part(host, strlen(host), quoted, 0);
    }
    print_csv_part(path, len, quoted, encode);
    if (quoted) {
        putchar('"');
    }
}


/* ---- nginx ---- */

/* An nginx configuration token: quoted when it needs to be. */
static void
print_nginx_token(const char *s, size_t len, int is_value)
{
    size_t  i;
    int     quote = 0;

    for (i = 0; i < len; i++) {
        if (strchr(" \t;{}#\"'\\", s[i]) != NULL
            || (s[i] == '$' && !is_value))
        {
            quote = 1;
        }
    }

    if (quote) {
        putchar('"');
    }

    for (i = 0; i < len; i++) {
        if (s[i] == '"' || s[i] == '\\') {
            putchar('\\');
            putchar(s[i]);

        } else if (s[i] == '$' && is_value) {
            /* a value's "$" starts a variable, and nginx has no escape
             * for it: %24 is the same URL */
            fputs("%24", stdout);

        } else {
            putchar(s[i]);
        }
    }

    if (quote) {
        putchar('"');
    }
}


typedef struct {
    const char  *key;
    size_t       index;
} ci_key_t;


static int
compare_ci(const void *a, const void *b)
{
    const ci_key_t  *x = a, *y = b;
    int              c = strcasecmp(x->key, y->key);

    return c ? c : (x->index > y->index) - (x->index < y->index);
}


/*
 * nginx's map ignores ASCII case (it lowercases its keys and the value
 * it looks up) and refuses a key given twice: sets dup[i] for each entry
 * whose decoded key equals, but for case, that of an entry before it.
 */
static int
nginx_duplicates(const mapfile_entries_t *list, char **decoded, char *dup)
{
    ci_key_t  *sorted;
    size_t     i, n = 0;

    sorted = malloc((list->count ? list->count : 1) * sizeof(ci_key_t));
    if (sorted == NULL) {
        return -1;
    }

    for (i = 0; i < list->count; i++) {
        if (decoded[i] != NULL) {
            sorted[n].key = decoded[i];
            sorted[n++].index = i;
        }
    }

    qsort(sorted, n, sizeof(ci_key_t), compare_ci);

    for (i = 1; i < n; i++) {
        if (strcasecmp(sorted[i].key, sorted[i - 1].key) == 0) {
            dup[sorted[i].index] = 1;
        }
    }

    free(sorted);
    return 0;
}


/* ---- the formats ---- */

static int
wanted(dump_t *d, const lrm_entry_t *e)
{
    int  status = d->status;

    if (status == 0
        && (d->format == FMT_NGINX || d->format == FMT_APACHE
            || d->format == FMT_HAPROXY))
    {
        status = 301;
    }

    if (status != 0 && (int) e->status != status) {
        d->other_status++;
        return 0;
    }

    return 1;
}


static void
print_header(const dump_t *d, const mapfile_entries_t *list, size_t longest)
{
    int     status = d->status ? d->status : 301;
    size_t  bucket = 32, max = 2048;

    switch (d->format) {

    case FMT_NGINX:
        while (bucket < ((longest + 2 + 8 + 7) & ~(size_t) 7) + 8) {
            bucket *= 2;
        }
        while (max < list->count) {
            max *= 2;
        }
        printf("# redirect-map dump --format nginx: the %d entries of %s\n"
               "# as the body of an nginx map on $uri (decoded, slashes "
               "merged).  In http {}:\n"
               "#   map_hash_bucket_size %zu;   # the longest key is "
               "%zu bytes\n"
               "#   map_hash_max_size %zu;\n"
               "#   map $uri $legacy_%d { include THIS_FILE; }\n",
               status, d->path, bucket, longest, max, status);
        if (status == 410) {
            printf("# and in server {}:\n"
                   "#   if ($legacy_410) { return 410; }\n");
        } else if (d->query_target) {
            /* the request's query after '&' where the target has one */
            printf("#   map $is_args$legacy_%d $legacy_%d_q "
                   "{ \"~^\\?.*\\?\" \"&\"; \"~^\\?\" \"?\"; }\n"
                   "# and in server {}:\n"
                   "#   if ($legacy_%d) { return %d "
                   "$legacy_%d$legacy_%d_q$args; }\n"
                   "# (some targets hold a query: the request's goes after it "
                   "with \"&\")\n", status, status, status, status, status,
                   status);
        } else {
            printf("# and in server {}:\n"
                   "#   if ($legacy_%d) { return %d $legacy_%d$is_args$args; }"
                   "\n", status, status, status);
        }
        printf("# Other statuses: --status N, one map each.\n");
        break;

    case FMT_APACHE:
        printf("# redirect-map dump --format apache: the %d entries of %s\n"
               "# as a RewriteMap txt: file.  In the server config:\n"
               "#   RewriteEngine on\n"
               "#   RewriteMap legacy%d \"txt:/path/to/THIS_FILE\"\n"
               "#   RewriteCond ${legacy%d:%%{REQUEST_URI}} ^(.+)$\n",
               status, d->path, status, status);
        if (status == 410) {
            printf("#   RewriteRule ^ - [G,L]\n");
        } else if (d->query_target) {
            printf("#   RewriteRule ^ %%1 [R=%d,L,NE,QSA,UnsafeAllow3F]\n"
                   "# (some targets hold a query: QSA puts the request's "
                   "after it, and Apache\n"
                   "# 2.4.60 and later refuse a '?' from a map without "
                   "UnsafeAllow3F)\n", status);
        } else {
            printf("#   RewriteRule ^ %%1 [R=%d,L,NE]\n", status);
        }
        printf("# Other statuses: --status N, one map each.\n");
        break;

    case FMT_HAPROXY:
        printf("# redirect-map dump --format haproxy: the %d entries of %s\n"
               "# as an HAProxy map file.  In a frontend:\n", status,
               d->path);
        if (status == 410) {
            printf("#   http-request return status 410 if "
                   "{ path,url_dec,map(/path/to/THIS_FILE) -m found }\n");
        } else {
            /* the request's query after the target, as the module does:
             * after '&' where the target has one, else after '?' */
            printf("#   http-request set-var(txn.legacy%d) "
                   "path,url_dec,map(/path/to/THIS_FILE)\n", status);
            if (d->query_target) {
                printf("#   http-request redirect code %d location "
                       "%%[var(txn.legacy%d)]&%%[query] if "
                       "{ var(txn.legacy%d) -m found } { query -m reg . } "
                       "{ var(txn.legacy%d) -m sub ? }\n",
                       status, status, status, status);
            }
            printf("#   http-request redirect code %d location "
                   "%%[var(txn.legacy%d)]?%%[query] if "
                   "{ var(txn.legacy%d) -m found } { query -m reg . }\n"
                   "#   http-request redirect code %d location "
                   "%%[var(txn.legacy%d)] if { var(txn.legacy%d) -m found }\n",
                   status, status, status, status, status, status);
        }
        printf("# Other statuses: --status N, one map each.\n");
        break;

    case FMT_NETLIFY:
        printf("# redirect-map dump --format netlify: %s as Netlify "
               "_redirects (forced: \"!\")\n", d->path);
        break;

    default:
        break;
    }
}


/* Prints one exact entry; returns 1 when printed. */
static int
print_entry(dump_t *d, const lrm_entry_t *e, const char *dkey, long dlen,
    int *first)
{
    const char  *source;
    size_t       source_len;

    switch (d->format) {

    case FMT_TSV:
        printf("%.*s\t%.*s\t%u\n", (int) e->key_len, e->key,
               (int) e->target_len, e->target, e->status);
        return 1;

    case FMT_JSON:
        fputs(*first ? "[\n  {\"type\": \"exact\", \"from\": "
                     : ",\n  {\"type\": \"exact\", \"from\": ", stdout);
        json_string(stdout, e->key, e->key_len);
        fputs(", \"to\": ", stdout);
        if (e->status == 410) {
            fputs("null", stdout);
        } else {
            json_string(stdout, e->target, e->target_len);
        }
        printf(", \"status\": %u, \"source\": ", e->status);
        source = lrm_source_name(d->map, e->source, &source_len);
        if (source != NULL) {
            json_string(stdout, source, source_len);
            printf(", \"line\": %u}", e->line);
        } else {
            fputs("null, \"line\": null}", stdout);
        }
        *first = 0;
        return 1;

    case FMT_NGINX:
    case FMT_APACHE:
    case FMT_HAPROXY:
        if (dlen < 0) {
            d->unexpressible++;
            return 0;
        }
        if (d->format != FMT_NGINX && memchr(dkey, ' ', (size_t) dlen)) {
            d->spaces++;
            return 0;
        }
        if (d->format == FMT_NGINX) {
            print_nginx_token(dkey, (size_t) dlen, 0);
            putchar(' ');
            if (e->status == 410) {
                fputs("410", stdout);
            } else {
                print_nginx_token(e->target, e->target_len, 1);
            }
            fputs(";\n", stdout);
        } else {
            printf("%.*s %.*s\n", (int) dlen, dkey,
                   e->status == 410 ? 3 : (int) e->target_len,
                   e->status == 410 ? "410" : e->target);
        }
        return 1;

    case FMT_NETLIFY:
        if (e->status == 410) {
            d->unsupported++;           /* Netlify wants a page to show */
            return 0;
        }
        print_encoded(stdout, e->key, e->key_len);
        printf(" %.*s %u!\n", (int) e->target_len, e->target, e->status);
        return 1;

    case FMT_CLOUDFLARE:
        if (e->status == 303 || e->status == 410) {
            d->unsupported++;           /* 301, 302, 307, 308 only */
            return 0;
        }
        /* no header row: HOST/KEY,[SCHEME://HOST]TARGET,STATUS,... */
        print_csv_url(NULL, d->host, e->key, e->key_len, 1);
        putchar(',');
        if (e->target[0] == '/') {
            print_csv_url(d->scheme, d->host, e->target, e->target_len, 0);
        } else {
            print_csv_url(NULL, NULL, e->target, e->target_len, 0);
        }
        printf(",%u,TRUE,FALSE,FALSE,FALSE\n", e->status);
        return 1;
    }

    return 0;
}


static void
print_rules_json(const lrm_rule_t *rules, size_t n, int *first)
{
    const lrm_rule_t  *r;
    size_t             i;

    for (i = 0; i < n; i++) {
        r = &rules[i];

        fputs(*first ? "[\n  {\"type\": \"rule\", \"from\": "
                     : ",\n  {\"type\": \"rule\", \"from\": ", stdout);
        json_string(stdout, r->pattern, r->pattern_len);
        fputs(", \"to\": ", stdout);
        if (r->status == 410) {
            fputs("null", stdout);
        } else {
            json_string(stdout, r->target, r->target_len);
        }
        printf(", \"status\": %u, \"source\": ", r->status);
        if (r->source != NULL) {
            json_string(stdout, r->source, r->source_len);
            printf(", \"line\": %u", r->line);
        } else {
            fputs("null, \"line\": null", stdout);
        }
        printf(", \"match_query\": %s, \"query\": %s}",
               r->flags & LRM_RULE_MATCH_QUERY ? "true" : "false",
               r->flags & LRM_RULE_QUERY_KEEP ? "\"keep\""
               : r->flags & LRM_RULE_QUERY_DROP ? "\"drop\"" : "null");
        *first = 0;
    }
}


static int
parse_status(const char *s)
{
    static const int  ok[] = { 301, 302, 303, 307, 308, 410 };
    char             *end;
    long              v = strtol(s, &end, 10);
    size_t            i;

    for (i = 0; *end == '\0' && i < sizeof(ok) / sizeof(ok[0]); i++) {
        if (v == ok[i]) {
            return (int) v;
        }
    }

    return -1;
}


static void
warn(const dump_t *d, size_t n, const char *what)
{
    if (n > 0 && !d->quiet) {
        fprintf(stderr, "redirect-map: warning: %zu %s not exported: %s\n",
                n, n == 1 ? "entry" : "entries", what);
    }
}


int
cmd_dump(int argc, char **argv)
{
    static const struct option  longopts[] = {
        { "format", required_argument, NULL, 'f' },
        { "status", required_argument, NULL, 's' },
        { "host",   required_argument, NULL, 'H' },
        { "quiet",  no_argument,       NULL, 'q' },
        { "help",   no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    dump_t              d;
    mapfile_t           mf;
    mapfile_entries_t   list = { 0 };
    lrm_rule_t         *rules = NULL;
    size_t              nrules = 0, i, longest = 0, qlen;
    char              **decoded = NULL, *dup = NULL;
    const char         *fmt = "tsv";
    int                 c, first = 1, rc = EXIT_IO;
    long                n;

    memset(&d, 0, sizeof(d));
    d.scheme = "https";

    optind = 1;
    while ((c = getopt_long(argc, argv, "f:s:H:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'H': d.host = optarg; break;
        case 'q': d.quiet = 1; break;
        case 'h': fputs(dump_help, stdout); return EXIT_OK;
        case 's':
            d.status = parse_status(optarg);
            if (d.status < 0) {
                fprintf(stderr, "redirect-map dump: --status %s: not one of "
                        "301, 302, 303, 307, 308, 410\n", optarg);
                try_help("dump");
                return EXIT_USAGE;
            }
            break;
        default:
            try_help("dump");
            return EXIT_USAGE;
        }
    }

    for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        if (strcmp(fmt, formats[i].name) == 0) {
            break;
        }
    }

    if (i == sizeof(formats) / sizeof(formats[0])) {
        fprintf(stderr, "redirect-map dump: unknown format \"%s\" (formats: "
                FORMAT_NAMES ")\n", fmt);
        try_help("dump");
        return EXIT_USAGE;
    }
    d.format = formats[i].format;

    if (argc - optind != 1) {
        fprintf(stderr, "redirect-map dump: %s\n", argc - optind == 0
                ? "no MAP given" : "more than one MAP given");
        try_help("dump");
        return EXIT_USAGE;
    }
    d.path = argv[optind];

    if (d.host != NULL) {
        if (strncmp(d.host, "https://", 8) == 0) {
            d.host += 8;
        } else if (strncmp(d.host, "http://", 7) == 0) {
            d.scheme = "http";
            d.host += 7;
        }
        if (d.host[0] == '\0' || strpbrk(d.host, "/ ,\"") != NULL) {
            fprintf(stderr, "redirect-map dump: --host %s: not a host name\n",
                    d.host);
            try_help("dump");
            return EXIT_USAGE;
        }
    }

    if (d.format == FMT_CLOUDFLARE && d.host == NULL) {
        fprintf(stderr, "redirect-map dump: --format cloudflare-csv needs "
                "--host HOST (Cloudflare wants absolute URLs)\n");
        try_help("dump");
        return EXIT_USAGE;
    }

    d.map = &mf.map;

    if (mapfile_open(&mf, d.path) != 0) {
        return EXIT_IO;
    }

    if (mapfile_entries(&mf, d.path, &list) != 0
        || mapfile_rules(&mf, d.path, &rules, &nrules) != 0)
    {
        goto done;
    }

    /* the keys as nginx, Apache and HAProxy compare them */

    if (d.format == FMT_NGINX || d.format == FMT_APACHE
        || d.format == FMT_HAPROXY)
    {
        decoded = calloc(list.count + 1, sizeof(char *));
        dup = calloc(list.count + 1, 1);
        if (decoded == NULL || dup == NULL) {
            fprintf(stderr, "redirect-map: out of memory\n");
            goto done;
        }

        for (i = 0; i < list.count; i++) {
            if (!wanted(&d, &list.items[i])) {
                continue;
            }
            decoded[i] = malloc(list.items[i].key_len + 1);
            if (decoded[i] == NULL) {
                fprintf(stderr, "redirect-map: out of memory\n");
                goto done;
            }
            n = decoded_key(list.items[i].key, list.items[i].key_len,
                            decoded[i]);
            if (n < 0) {
                free(decoded[i]);
                decoded[i] = NULL;
                d.unexpressible++;
                continue;
            }
            decoded[i][n] = '\0';
            if ((size_t) n > longest) {
                longest = (size_t) n;
            }
            if (lrm_target_query(list.items[i].target,
                                 list.items[i].target_len, &qlen) != NULL)
            {
                d.query_target = 1;
            }
        }

        d.other_status = 0;     /* counted again below */

        if (d.format == FMT_NGINX) {
            if (nginx_duplicates(&list, decoded, dup) != 0) {
                fprintf(stderr, "redirect-map: out of memory\n");
                goto done;
            }
        }
    }

    print_header(&d, &list, longest);

    d.unexpressible = 0;

    for (i = 0; i < list.count; i++) {
        if (!wanted(&d, &list.items[i])) {
            continue;
        }

        if (decoded != NULL && decoded[i] == NULL) {
            d.unexpressible++;
            continue;
        }

        if (dup != NULL && dup[i]) {
            d.duplicates++;
            continue;
        }

        d.exported += print_entry(&d, &list.items[i],
                                  decoded ? decoded[i] : NULL,
                                  decoded ? (long) strlen(decoded[i]) : 0,
                                  &first);
    }

    if (d.format == FMT_JSON) {
        if (d.status == 0) {
            print_rules_json(rules, nrules, &first);
        }
        fputs(first ? "[]\n" : "\n]\n", stdout);
    }

    rc = EXIT_OK;

    if (d.format != FMT_JSON && nrules > 0 && !d.quiet) {
        fprintf(stderr, "redirect-map: warning: %zu pattern rule%s not "
                "exported: %s cannot express PCRE2 rules (see --format "
                "json)\n", nrules, nrules == 1 ? "" : "s", fmt);
    }

    warn(&d, d.other_status, "another status (see --status)");
    warn(&d, d.unexpressible, "the key holds an encoded '/' or control "
         "character, which the server would decode into another path");
    warn(&d, d.spaces, "the key holds a space, which the format cannot "
         "write");
    warn(&d, d.unsupported, "a status the format does not support");
    warn(&d, d.duplicates, "the key differs from another only by case, "
         "which nginx's map ignores");

done:

    if (fflush(stdout) != 0 && rc == EXIT_OK) {
        fprintf(stderr, "redirect-map: cannot write the output\n");
        rc = EXIT_IO;
    }

    if (decoded != NULL) {
        for (i = 0; i < list.count; i++) {
            free(decoded[i]);
        }
    }
    free(decoded);
    free(dup);
    free(rules);
    free(list.items);
    mapfile_free(&mf);
    return rc;
}
