/*
 * lrmap_writer.h - builds a map file (docs/map-format.md).  Used by the
 * redirect-map tool only; the nginx module never writes maps.
 */

#ifndef LRMAP_WRITER_H
#define LRMAP_WRITER_H

#include <stddef.h>
#include <stdint.h>

typedef struct lrm_writer_s  lrm_writer_t;

/* A hash and what it belongs to (an index): what the writer sorts. */
typedef struct {
    uint64_t  hash;
    uint64_t  value;
} lrm_pair_t;

/*
 * Sorts pairs by hash, and by value within one hash (a stable LSD radix
 * sort, 16 bits a pass; pairs given in value order stay so within a
 * hash).  Returns 0, or -1 when out of memory.
 */
int lrm_sort_pairs(lrm_pair_t *pairs, size_t n);

/*
 * Sorts keys by their bits low_bit..63 (low_bit 0, 16, 32 or 48) with
 * the same radix sort: keys equal in those bits keep their order.
 * Returns 0, or -1 when out of memory.
 */
int lrm_sort_u64(uint64_t *keys, size_t n, unsigned low_bit);

/* flags: LRM_F_CASELESS and/or LRM_F_SOURCES. NULL when out of memory. */
lrm_writer_t *lrm_writer_new(uint32_t flags);
void lrm_writer_free(lrm_writer_t *w);

/*
 * Adds a source file name and returns its index (the same index for the
 * same name added twice in a row), or -1 when out of memory.
 */
long lrm_writer_add_source(lrm_writer_t *w, const char *name);

/*
 * Adds an entry.  key must already be normalised with the flags the
 * writer was made with.  Returns 0, or -1 (out of memory, a key or target
 * longer than the format allows, a status a map cannot hold, a 410 with a
 * target or another status without one).  Duplicate keys are found by
 * lrm_writer_finish().
 */
int lrm_writer_add(lrm_writer_t *w, const char *key, size_t key_len,
    const char *target, size_t target_len, unsigned status,
    uint32_t source, uint32_t line);

/*
 * Adds an entry like lrm_writer_add(), without copying key and target:
 * they must stay valid and unchanged until the last lrm_writer_write().
 * hash is lrm_hash(key, key_len).  For millions of entries this halves
 * the memory a build needs.
 */
int lrm_writer_add_ref(lrm_writer_t *w, uint64_t hash, const char *key,
    size_t key_len, const char *target, size_t target_len, unsigned status,
    uint32_t source, uint32_t line);

/* Records name=value in the metadata section (e.g. "tool", "built"). */
int lrm_writer_set_meta(lrm_writer_t *w, const char *name,
    const char *value);

/*
 * Appends a pattern rule (rules are tried in the order they are added).
 * The pattern and target are stored as given; the caller validated them.
 * Returns 0, or -1 (out of memory, longer than the format allows, a
 * status a map cannot hold, a 410 with a target or another status
 * without one).
 */
int lrm_writer_add_rule(lrm_writer_t *w, const char *pattern,
    size_t pattern_len, const char *target, size_t target_len,
    unsigned status, unsigned flags, uint32_t source, uint32_t line);

/*
 * Lays out the hash table and writes the whole file to fd.  Returns 0,
 * or -1 with a reason in err (duplicate key, write error with errno).
 */
int lrm_writer_write(lrm_writer_t *w, int fd, char *err, size_t err_size);

/* Number of entries added so far. */
size_t lrm_writer_count(const lrm_writer_t *w);

#endif /* LRMAP_WRITER_H */
