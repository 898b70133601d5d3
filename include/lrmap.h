/*
 * lrmap.h - the legacy redirect map: file format, reader and URL
 * normalisation shared by the redirect-map tool and the nginx module.
 *
 * The format is specified in docs/map-format.md; the constants below are
 * the only definition of it in code.  Everything here is plain C11 with
 * no dependency on nginx headers or on any library.
 */

#ifndef LRMAP_H
#define LRMAP_H

#include <stddef.h>
#include <stdint.h>

#define LRM_MAGIC            "\x89LRMAP\r\n"
#define LRM_MAGIC_LEN        8
#define LRM_VERSION          2

#define LRM_HEADER_SIZE      128
#define LRM_TRAILER_SIZE     8          /* XXH64 of every byte before it */

/* header flags */
#define LRM_F_CASELESS       0x0001u    /* keys were ASCII-lowercased */
#define LRM_F_SOURCES        0x0002u    /* records say where they came from */
#define LRM_F_KNOWN          (LRM_F_CASELESS | LRM_F_SOURCES)

/*
 * A record starts with a u32: key_len (13 bits), target_len (13 bits) and
 * a status code (3 bits, lrm_status_code()); then, in a map with sources,
 * the provenance: (source_bits + line_bits) bits in whole bytes.
 */
#define LRM_RECORD_HEAD      4
#define LRM_REC_LEN_BITS     13
#define LRM_REC_LEN_MASK     0x1fffu
#define LRM_REC_STATUS_SHIFT 26
#define LRM_REC_RESERVED     0xe0000000u

/* A slot: displacement (8 bits), fingerprint (16), record offset (40). */
#define LRM_SLOT_OFFSET_BITS 40
#define LRM_SLOT_OFFSET_MASK ((UINT64_C(1) << LRM_SLOT_OFFSET_BITS) - 1)
#define LRM_SLOT_FP_MASK     0xffffu
#define LRM_SLOT_DISP_SHIFT  56
#define LRM_MAX_DISPLACEMENT 255

#define LRM_MAX_KEY          4096       /* longest key, after normalising */
#define LRM_MAX_TARGET       4096       /* longest target */
#define LRM_NO_SOURCE        0xffffffffu

/* byte offsets of the header fields (all integers are little-endian) */
#define LRM_H_MAGIC          0
#define LRM_H_VERSION        8          /* u32 */
#define LRM_H_HEADER_SIZE    12         /* u32 */
#define LRM_H_FLAGS          16         /* u32 */
#define LRM_H_SOURCE_BITS    20         /* u8, provenance: source index */
#define LRM_H_LINE_BITS      21         /* u8, provenance: line */
#define LRM_H_RESERVED       22         /* u16, zero */
#define LRM_H_FILE_SIZE      24         /* u64 */
#define LRM_H_ENTRIES        32         /* u64 */
#define LRM_H_BUCKETS        40         /* u64 */
#define LRM_H_SLOTS          48         /* u64 */
#define LRM_H_SLOTS_OFF      56         /* u64 */
#define LRM_H_RECORDS_OFF    64         /* u64 */
#define LRM_H_RECORDS_SIZE   72         /* u64 */
#define LRM_H_RULES_OFF      80         /* u64 */
#define LRM_H_RULES_SIZE     88         /* u64 */
#define LRM_H_SOURCES_OFF    96         /* u64 */
#define LRM_H_SOURCES_SIZE   104        /* u64 */
#define LRM_H_META_OFF       112        /* u64 */
#define LRM_H_META_SIZE      120        /* u64 */


typedef struct {
    const unsigned char  *data;
    size_t                size;
    uint32_t              flags;
    uint64_t              entries;
    uint64_t              buckets;
    uint64_t              slots;
    const unsigned char  *slot_base;
    unsigned              source_bits;   /* provenance of each record */
    unsigned              line_bits;
    size_t                record_head;   /* LRM_RECORD_HEAD + provenance */
    size_t                records_off;
    size_t                records_end;
    size_t                rules_off;
    size_t                rules_size;
    uint32_t              rule_count;
    size_t                sources_off;
    size_t                sources_size;
    uint32_t              source_count;
    size_t                meta_off;
    size_t                meta_size;
    uint64_t              checksum;
} lrm_map_t;


typedef struct {
    const char  *key;
    size_t       key_len;
    const char  *target;
    size_t       target_len;
    unsigned     status;
    uint32_t     source;           /* index of the file the entry came
                                      from (lrm_source_name()), or
                                      LRM_NO_SOURCE */
    uint32_t     line;             /* line in that file, 0 if unknown */
} lrm_entry_t;


/* A pattern rule (docs/map-format.md, "Rules"). */
#define LRM_RULE_QUERY_KEEP   0x0001u   /* pass the query on, whatever the
                                           server says */
#define LRM_RULE_QUERY_DROP   0x0002u   /* never pass the query on */
#define LRM_RULE_MATCH_QUERY  0x0004u   /* match "path?query", not "path" */
#define LRM_RULE_KNOWN        0x0007u

#define LRM_RULE_HEADER       16        /* bytes before pattern and target */
#define LRM_MAX_PATTERN       4096
#define LRM_MAX_CAPTURES      10        /* $0 .. $9 */

typedef struct {
    const char  *pattern;          /* PCRE2 source */
    size_t       pattern_len;
    const char  *target;           /* with $0 .. $9 */
    size_t       target_len;
    unsigned     status;
    unsigned     flags;            /* LRM_RULE_* */
    const char  *source;
    size_t       source_len;
    uint32_t     line;
} lrm_rule_t;


/* results of lrm_open() and lrm_lookup() */
#define LRM_OK          0
#define LRM_NOT_FOUND   1
#define LRM_ERROR      -1


/*
 * Validates a whole map held in memory and fills *map.  Every offset and
 * length in the header is checked against size, and the checksum of the
 * whole buffer is verified.  On failure returns LRM_ERROR and writes a
 * one-line reason (no trailing newline) into err.  The buffer must stay
 * valid and unchanged for as long as *map is used.
 */
int lrm_open(lrm_map_t *map, const void *data, size_t size,
    char *err, size_t err_size);

/*
 * lrm_open() for a caller that computed the checksum itself, hash being
 * XXH64 of the first size - LRM_TRAILER_SIZE bytes: while it read the
 * file, say, so that the bytes are hashed while they are still in the
 * CPU's cache.
 */
int lrm_open_hashed(lrm_map_t *map, const void *data, size_t size,
    uint64_t hash, char *err, size_t err_size);

/*
 * The checks of lrm_open() that need only the first LRM_HEADER_SIZE
 * bytes (head) and the file's size: magic, format version, size.  For a
 * quick look at a map without reading it all.
 */
int lrm_check_header(const void *head, size_t head_len, uint64_t file_size,
    char *err, size_t err_size);

/*
 * Looks up a key that is already normalised (see lrm_normalize_path()).
 * Returns LRM_OK and fills *entry, LRM_NOT_FOUND, or LRM_ERROR when the
 * record the table points at is out of bounds (a damaged map).
 */
int lrm_lookup(const lrm_map_t *map, const char *key, size_t key_len,
    lrm_entry_t *entry);

/*
 * Calls fn for every entry in table order; stops and returns fn's value
 * when it is not zero.  Returns LRM_ERROR on a damaged record.
 */
int lrm_foreach(const lrm_map_t *map,
    int (*fn)(const lrm_entry_t *entry, void *ctx), void *ctx);

/* Number of pattern rules. */
uint32_t lrm_rule_count(const lrm_map_t *map);

/*
 * Reads the rule at *offset (0 for the first) and advances *offset.
 * Returns LRM_OK, or LRM_NOT_FOUND after the last rule.  (Every rule was
 * bounds-checked by lrm_open().)
 */
int lrm_rule_next(const lrm_map_t *map, size_t *offset, lrm_rule_t *rule);

/* Name of source file number idx, or NULL. */
const char *lrm_source_name(const lrm_map_t *map, unsigned idx,
    size_t *len);

/* One name=value pair of the metadata section. */
typedef struct {
    const char  *name;
    size_t       name_len;
    const char  *value;
    size_t       value_len;
} lrm_meta_t;

/*
 * Reads the metadata pair at *offset (0 for the first) and advances
 * *offset.  Returns 1, or 0 after the last pair.
 */
int lrm_meta_next(const lrm_map_t *map, size_t *offset, lrm_meta_t *pair);

/*
 * Value of a metadata key ("tool", "built", "key", "target", ...), or
 * NULL when the map does not record it.
 */
const char *lrm_meta(const lrm_map_t *map, const char *name, size_t *len);


/* Normalisation flags */
#define LRM_NORM_CASELESS   0x0001u

/*
 * Turns the path part of a request target or of a legacy URL into the
 * form used as a key.  in may be a path ("/a/b.html?x=1") or, when
 * allow_absolute is set, an absolute http(s) URL whose path is used.
 * Writes at most LRM_MAX_KEY bytes to out (not in_len: a literal space
 * or control byte becomes a 3-byte escape).  Returns
 * the length written, or -1 when the input is not a usable path (does not
 * start with '/', climbs above the root, or is longer than LRM_MAX_KEY).
 * The rules are listed in docs/normalisation.md.
 */
long lrm_normalize_path(const char *in, size_t in_len, char *out,
    unsigned flags);

/* The value of a hex digit, or -1: what a percent-escape is made of. */
int lrm_hex_digit(int c);

/*
 * Finds the path of an absolute http(s) URL: returns a pointer into url
 * at the first '/' after the authority (or at the end when there is no
 * path) and sets *path_len, or NULL when url is not of that form.
 */
const char *lrm_url_path(const char *url, size_t url_len, size_t *path_len);


/*
 * Removes Blogger's mobile switch (the parameters "m=0" and "m=1") from a
 * query string (without its '?').  Writes at most len bytes to out and
 * returns the new length.
 */
size_t lrm_query_strip_mobile(const char *args, size_t len, char *out);

/*
 * Expands a rule's target: "$0" .. "$9" become the captures of subject
 * (caps holds start and end offsets, -1 for a group that did not take
 * part), with bytes that cannot stand in a Location percent-encoded.
 * Writes at most LRM_MAX_TARGET bytes to out.  Returns the length, or -1
 * when the result is too long or unsafe: a target written as a path must
 * stay a path on this site (never "//host" or "/\host"), and a target
 * that does not start with a literal "http://" or "https://" must not
 * become an absolute URL through a capture.
 */
long lrm_expand_target(const char *target, size_t target_len,
    const char *subject, const int *caps, int ncaps, char *out);

/*
 * Whether an expanded target would send the client back to the path it
 * asked for: target is a site path ("/...") whose path part, up to any
 * '?' or '#', normalised with flags (LRM_NORM_*), is key.  A rule that
 * matches the path alone then matches again: a redirect loop.  (For a
 * rule that also matches the query, it is one only when the query comes
 * back unchanged; the caller knows.)
 */
int lrm_target_is_key(const char *target, size_t target_len,
    const char *key, size_t key_len, unsigned flags);

/*
 * Whether the request that follows a redirect to target carries the same
 * query as this one, once Blogger's m=0/m=1 are removed from both: query
 * is this request's, already without them (lrm_query_strip_mobile()), and
 * passed says whether it is appended to the target (after '&' when the
 * target has a query of its own).
 */
int lrm_target_same_query(const char *target, size_t target_len,
    const char *query, size_t query_len, int passed);

/*
 * For a rule's target that leads back to the request's path
 * (lrm_target_is_key()), whether the rule answers the next request the
 * same way: a redirect loop, which the module does not send and lookup
 * reports.  No exact entry answers that path, so the rule matches again:
 * a match_query rule when the query is the same (lrm_target_same_query()),
 * a rule on the path alone whatever the query, unless the query changes
 * and a match_query rule comes before it (earlier_match_query), which
 * might then answer first: that is not judged.  rule_flags are the rule's
 * LRM_RULE_*; query and passed as for lrm_target_same_query().
 */
int lrm_rule_answers_again(const char *target, size_t target_len,
    const char *query, size_t query_len, unsigned rule_flags, int passed,
    int earlier_match_query);

/*
 * The query of a target (after its '?' and before any '#'), or NULL when
 * it has none; sets *query_len.
 */
const char *lrm_target_query(const char *target, size_t target_len,
    size_t *query_len);

/*
 * Checks a rule's target template before it is stored: it is a site
 * path, an absolute http(s) URL whose scheme and host hold no "$", or
 * begins with a capture; it has no spaces or control characters; every
 * "$" is followed by a digit no greater than max_group.  Returns NULL,
 * or a reason.
 */
const char *lrm_check_rule_target(const char *target, size_t len,
    int max_group);


/* XXH64 (seed 0), the hash of keys and the checksum of map files. */
uint64_t lrm_hash(const void *data, size_t len);

typedef struct {
    uint64_t       v[4];
    uint64_t       total;
    unsigned char  buf[32];
    size_t         buffered;
} lrm_hash_state_t;

void lrm_hash_init(lrm_hash_state_t *st);
void lrm_hash_update(lrm_hash_state_t *st, const void *data, size_t len);
uint64_t lrm_hash_final(const lrm_hash_state_t *st);


/* Little-endian helpers used by the reader and the writer. */
static inline uint16_t
lrm_get16(const unsigned char *p)
{
    return (uint16_t) (p[0] | (p[1] << 8));
}

static inline uint32_t
lrm_get32(const unsigned char *p)
{
    return (uint32_t) p[0] | ((uint32_t) p[1] << 8)
           | ((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
}

static inline uint64_t
lrm_get64(const unsigned char *p)
{
    return (uint64_t) lrm_get32(p) | ((uint64_t) lrm_get32(p + 4) << 32);
}

/* The 3-bit code of a status in a record, or -1 for any other status. */
static inline int
lrm_status_code(unsigned status)
{
    switch (status) {
    case 301: return 0;
    case 302: return 1;
    case 303: return 2;
    case 307: return 3;
    case 308: return 4;
    case 410: return 5;
    default:  return -1;
    }
}

/* The status a record's code stands for, or 0 for an unused code. */
static inline unsigned
lrm_code_status(unsigned code)
{
    static const unsigned short  statuses[8] = {
        301, 302, 303, 307, 308, 410, 0, 0
    };

    return statuses[code & 7];
}

/* The fingerprint of a hash kept in its slot: bits the home does not use */
static inline uint64_t
lrm_fingerprint(uint64_t hash)
{
    return hash & LRM_SLOT_FP_MASK;
}

/* Home slot of a hash: the top 32 bits scaled to [0, buckets). */
static inline uint64_t
lrm_home(uint64_t hash, uint64_t buckets)
{
    return ((hash >> 32) * buckets) >> 32;
}

#endif /* LRMAP_H */
