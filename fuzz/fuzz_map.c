/*
 * fuzz_map.c - the map reader on arbitrary bytes: lrm_open(), then every
 * reader call on what it accepted (lookups, the walk of all entries, the
 * rules, source names, metadata), and the tool's compilation and
 * matching of the map's rules, as "redirect-map lookup" does.
 *
 * Each input is tried as it is, and again with its file_size and
 * checksum fixed up, so that the fuzzer gets past the checksum and
 * reaches the checks behind it (a crafted file passes the checksum).
 */

#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "lrmap.h"
#include "rules.h"

typedef struct {
    const lrm_map_t  *map;
    size_t            n;
} walk_t;

static int
visit(const lrm_entry_t *e, void *ctx)
{
    walk_t       *w = ctx;
    lrm_entry_t   again;
    const char   *source;
    size_t        source_len;
    int           rc;

    FUZZ_ASSERT(e->key_len <= w->map->size && e->target_len <= w->map->size);

    /* looking up what the walk shows finds it, a twin of the same key,
     * or (in a crafted file, where a record may sit in a slot its hash
     * does not lead to) nothing; never another key */
    rc = lrm_lookup(w->map, e->key, e->key_len, &again);
    FUZZ_ASSERT(rc == LRM_OK || rc == LRM_NOT_FOUND || rc == LRM_ERROR);
    if (rc == LRM_OK) {
        FUZZ_ASSERT(again.key_len == e->key_len
                    && memcmp(again.key, e->key, e->key_len) == 0);
    }

    source = lrm_source_name(w->map, e->source, &source_len);
    if (source != NULL) {
        FUZZ_ASSERT(source >= (const char *) w->map->data
                    && source + source_len
                       <= (const char *) w->map->data + w->map->size);
    }

    return ++w->n > 4096;
}


static void
try_rules(const lrm_map_t *map, const char *subject, size_t len)
{
    rule_list_t   rules = { 0 };
    rule_hit_t   *hit;
    lrm_rule_t    r;
    size_t        off = 0, n = 0;
    char          err[256];

    rules.caseless = (map->flags & LRM_F_CASELESS) != 0;

    while (n < 16 && lrm_rule_next(map, &off, &r) == LRM_OK) {
        FUZZ_ASSERT(r.pattern + r.pattern_len
                    <= (const char *) map->data + map->size);
        FUZZ_ASSERT(r.target + r.target_len
                    <= (const char *) map->data + map->size);
        n++;
        (void) rules_add_compiled(&rules, &r, err, sizeof(err));
    }

    if (rules.count > 0) {
        hit = malloc(sizeof(*hit));
        FUZZ_ASSERT(hit != NULL);
        if (rules_match(&rules, subject, len, "a=1&m=1", 7, hit) == 1
            && hit->target_len >= 0)
        {
            FUZZ_ASSERT(hit->target_len <= LRM_MAX_TARGET);
        }
        free(hit);
    }

    rules_free(&rules);
}


static void
exercise(const unsigned char *data, size_t size)
{
    static const char  *names[] = { "tool", "built", "key", "target",
                                    "ignore_case", "", "nope" };
    static const char  *keys[] = { "/", "/2023/03/wintering-bees-in-cold-"
                                   "attic.html", "/x.html", "/a" };
    lrm_map_t     map;
    lrm_entry_t   e;
    walk_t        w;
    char          err[256];
    size_t        len, i;
    const char   *s;

    if (lrm_open(&map, data, size, err, sizeof(err)) != LRM_OK) {
        FUZZ_ASSERT(strlen(err) > 0 && strlen(err) < sizeof(err));
        return;
    }

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        (void) lrm_lookup(&map, keys[i], strlen(keys[i]), &e);
    }

    w.map = &map;
    w.n = 0;
    (void) lrm_foreach(&map, visit, &w);

    for (i = 0; i < 8; i++) {
        s = lrm_source_name(&map, (unsigned) i, &len);
        if (s != NULL) {
            FUZZ_ASSERT(s >= (const char *) data
                        && s + len <= (const char *) data + size);
        }
    }
    (void) lrm_source_name(&map, LRM_NO_SOURCE, &len);

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        s = lrm_meta(&map, names[i], &len);
        if (s != NULL) {
            FUZZ_ASSERT(s >= (const char *) data
                        && s + len <= (const char *) data + size);
        }
    }

    try_rules(&map, keys[1], strlen(keys[1]));
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char  *copy;
    uint64_t        sum;
    size_t          i;

    /* exactly size bytes on the heap: ASan sees any read past the end */
    copy = malloc(size ? size : 1);
    FUZZ_ASSERT(copy != NULL);
    if (size) {
        memcpy(copy, data, size);
    }
    exercise(copy, size);

    if (size >= LRM_HEADER_SIZE + LRM_TRAILER_SIZE) {
        for (i = 0; i < 8; i++) {
            copy[LRM_H_FILE_SIZE + i] = (unsigned char) ((uint64_t) size
                                                         >> (8 * i));
        }
        sum = lrm_hash(copy, size - LRM_TRAILER_SIZE);
        for (i = 0; i < 8; i++) {
            copy[size - LRM_TRAILER_SIZE + i] = (unsigned char) (sum >> (8 * i));
        }
        exercise(copy, size);
    }

    free(copy);
    return 0;
}
