/*
 * lrmap_writer.c - lays out and writes a map file.  Entries are kept as
 * finished records in one growing buffer (the future record section) and
 * a (hash, record offset) pair each; writing sorts the pairs by hash and
 * places each in the first free slot at or after its home slot, which
 * keeps the table sorted by hash (docs/map-format.md, "Lookup").
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lrmap.h"
#include "lrmap_writer.h"


typedef struct {
    uint64_t  hash;
    uint64_t  record;             /* offset in the record buffer */
} lrm_item_t;

typedef struct {
    unsigned char  *data;
    size_t          len;
    size_t          cap;
} lrm_buf_t;

struct lrm_writer_s {
    uint32_t     flags;
    lrm_item_t  *items;
    size_t       count;
    size_t       capacity;
    lrm_buf_t    records;
    lrm_buf_t    source_names;    /* u16 length + bytes, one per source */
    lrm_buf_t    source_offsets;  /* u32 offset into source_names each */
    uint32_t     sources;
    lrm_buf_t    meta;
    lrm_buf_t    rules;           /* u32 count, then the rules */
    uint32_t     rule_count;
};


static int
buf_reserve(lrm_buf_t *b, size_t more)
{
    size_t          cap;
    unsigned char  *p;

    if (b->cap - b->len >= more) {
        return 0;
    }

    cap = b->cap ? b->cap : 4096;
    while (cap - b->len < more) {
        cap *= 2;
    }

    p = realloc(b->data, cap);
    if (p == NULL) {
        return -1;
    }

    b->data = p;
    b->cap = cap;
    return 0;
}


static int
buf_put(lrm_buf_t *b, const void *data, size_t len)
{
    if (buf_reserve(b, len) != 0) {
        return -1;
    }

    if (len > 0) {
        memcpy(b->data + b->len, data, len);
    }

    b->len += len;
    return 0;
}


static void
put16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char) v;
    p[1] = (unsigned char) (v >> 8);
}


static void
put32(unsigned char *p, uint32_t v)
{
    put16(p, (uint16_t) v);
    put16(p + 2, (uint16_t) (v >> 16));
}


static void
put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t) v);
    put32(p + 4, (uint32_t) (v >> 32));
}


lrm_writer_t *
lrm_writer_new(uint32_t flags)
{
    lrm_writer_t  *w;

    w = calloc(1, sizeof(*w));
    if (w != NULL) {
        w->flags = flags & LRM_F_KNOWN;
    }

    return w;
}


void
lrm_writer_free(lrm_writer_t *w)
{
    if (w == NULL) {
        return;
    }

    free(w->items);
    free(w->records.data);
    free(w->source_names.data);
    free(w->source_offsets.data);
    free(w->meta.data);
    free(w->rules.data);
    free(w);
}


size_t
lrm_writer_count(const lrm_writer_t *w)
{
    return w->count;
}


long
lrm_writer_add_source(lrm_writer_t *w, const char *name)
{
    unsigned char  head[4];
    size_t         len, last;

    len = strlen(name);
    if (len > UINT16_MAX) {
        len = UINT16_MAX;
    }

    if (w->sources > 0) {
        last = lrm_get32(w->source_offsets.data + (w->sources - 1) * 4);

        if (lrm_get16(w->source_names.data + last) == len
            && memcmp(w->source_names.data + last + 2, name, len) == 0)
        {
            return (long) w->sources - 1;
        }
    }

    if (w->sources == UINT32_MAX - 1) {
        return -1;
    }

    put32(head, (uint32_t) w->source_names.len);
    if (buf_put(&w->source_offsets, head, 4) != 0) {
        return -1;
    }

    put16(head, (uint16_t) len);
    if (buf_put(&w->source_names, head, 2) != 0
        || buf_put(&w->source_names, name, len) != 0)
    {
        return -1;
    }

    return (long) w->sources++;
}


int
lrm_writer_add(lrm_writer_t *w, const char *key, size_t key_len,
    const char *target, size_t target_len, unsigned status,
    uint32_t source, uint32_t line)
{
    unsigned char  head[LRM_RECORD_SOURCED];
    size_t         head_len;
    lrm_item_t    *items;

    if (key_len > LRM_MAX_KEY || target_len > LRM_MAX_TARGET
        || status > UINT16_MAX)
    {
        return -1;
    }

    if (w->count == w->capacity) {
        w->capacity = w->capacity ? w->capacity * 2 : 1024;
        items = realloc(w->items, w->capacity * sizeof(lrm_item_t));
        if (items == NULL) {
            return -1;
        }
        w->items = items;
    }

    put16(head, (uint16_t) key_len);
    put16(head + 2, (uint16_t) target_len);
    put16(head + 4, (uint16_t) status);
    head_len = LRM_RECORD_BASE;

    if (w->flags & LRM_F_SOURCES) {
        put32(head + 6, source);
        put32(head + 10, line);
        head_len = LRM_RECORD_SOURCED;
    }

    w->items[w->count].hash = lrm_hash(key, key_len);
    w->items[w->count].record = w->records.len;

    if (buf_reserve(&w->records, head_len + key_len + target_len) != 0) {
        return -1;
    }

    buf_put(&w->records, head, head_len);
    buf_put(&w->records, key, key_len);
    buf_put(&w->records, target, target_len);
    w->count++;

    return 0;
}


int
lrm_writer_set_meta(lrm_writer_t *w, const char *name, const char *value)
{
    if (buf_put(&w->meta, name, strlen(name) + 1) != 0
        || buf_put(&w->meta, value, strlen(value) + 1) != 0)
    {
        return -1;
    }

    return 0;
}


int
lrm_writer_add_rule(lrm_writer_t *w, const char *pattern, size_t pattern_len,
    const char *target, size_t target_len, unsigned status, unsigned flags,
    uint32_t source, uint32_t line)
{
    unsigned char  head[LRM_RULE_HEADER];

    if (pattern_len == 0 || pattern_len > LRM_MAX_PATTERN
        || target_len > LRM_MAX_TARGET || w->rule_count == UINT32_MAX)
    {
        return -1;
    }

    if (w->rules.len == 0 && buf_put(&w->rules, "\0\0\0\0", 4) != 0) {
        return -1;
    }

    put16(head, (uint16_t) flags);
    put16(head + 2, (uint16_t) status);
    put32(head + 4, source);
    put32(head + 8, line);
    put16(head + 12, (uint16_t) pattern_len);
    put16(head + 14, (uint16_t) target_len);

    if (buf_put(&w->rules, head, sizeof(head)) != 0
        || buf_put(&w->rules, pattern, pattern_len) != 0
        || buf_put(&w->rules, target, target_len) != 0)
    {
        return -1;
    }

    put32(w->rules.data, ++w->rule_count);

    return 0;
}


static int
compare_items(const void *a, const void *b)
{
    const lrm_item_t  *x = a, *y = b;

    if (x->hash != y->hash) {
        return x->hash < y->hash ? -1 : 1;
    }

    return x->record < y->record ? -1 : (x->record > y->record);
}


static const unsigned char *
record_key(const lrm_writer_t *w, const lrm_item_t *item, size_t *len)
{
    const unsigned char  *r = w->records.data + item->record;
    size_t                head;

    head = (w->flags & LRM_F_SOURCES) ? LRM_RECORD_SOURCED : LRM_RECORD_BASE;
    *len = lrm_get16(r);
    return r + head;
}


/* After sorting, equal keys sit next to each other in runs of one hash. */
static int
find_duplicate(const lrm_writer_t *w, char *err, size_t err_size)
{
    const unsigned char  *a, *b;
    size_t                i, j, alen, blen;

    for (i = 0; i + 1 < w->count; i++) {
        for (j = i + 1; j < w->count && w->items[j].hash == w->items[i].hash;
             j++)
        {
            a = record_key(w, &w->items[i], &alen);
            b = record_key(w, &w->items[j], &blen);

            if (alen == blen && memcmp(a, b, alen) == 0) {
                snprintf(err, err_size, "duplicate key \"%.*s\"",
                         (int) (alen > 200 ? 200 : alen), (const char *) a);
                return -1;
            }
        }
    }

    return 0;
}


/*
 * Places the sorted items: each goes to the first free slot at or after
 * its home slot.  Returns the slot array and its length; a slot holds
 * the tag and 1 + the record's offset in the record buffer, and 0 when
 * the slot is empty (the caller turns that into the record's file
 * offset once it knows where the record section starts).
 */
static uint64_t *
place_items(const lrm_writer_t *w, uint64_t buckets, uint64_t *nslots)
{
    uint64_t  *slots, pos, next, home, i, cap;

    cap = buckets + 64;
    slots = calloc(cap, sizeof(uint64_t));
    if (slots == NULL) {
        return NULL;
    }

    next = 0;

    for (i = 0; i < w->count; i++) {
        home = lrm_home(w->items[i].hash, buckets);
        pos = home > next ? home : next;

        if (pos >= cap) {
            uint64_t  *grown;

            grown = realloc(slots, (cap * 2) * sizeof(uint64_t));
            if (grown == NULL) {
                free(slots);
                return NULL;
            }

            memset(grown + cap, 0, cap * sizeof(uint64_t));
            slots = grown;
            cap *= 2;
        }

        slots[pos] = (w->items[i].hash >> LRM_SLOT_OFFSET_BITS)
                         << LRM_SLOT_OFFSET_BITS
                     | (w->items[i].record + 1);
        next = pos + 1;
    }

    *nslots = next > buckets ? next : buckets;
    return slots;
}


typedef struct {
    int               fd;
    lrm_hash_state_t  hash;
    unsigned char     buf[1 << 16];
    size_t            len;
    int               error;      /* errno of the first failed write */
} lrm_out_t;


static void
out_flush(lrm_out_t *o)
{
    size_t   done = 0;
    ssize_t  n;

    while (done < o->len && o->error == 0) {
        n = write(o->fd, o->buf + done, o->len - done);

        if (n < 0) {
            if (errno != EINTR) {
                o->error = errno;
            }
            continue;
        }

        done += (size_t) n;
    }

    o->len = 0;
}


static void
out_put(lrm_out_t *o, const void *data, size_t len)
{
    const unsigned char  *p = data;
    size_t                take;

    lrm_hash_update(&o->hash, data, len);

    while (len > 0) {
        take = sizeof(o->buf) - o->len;
        if (take > len) {
            take = len;
        }

        memcpy(o->buf + o->len, p, take);
        o->len += take;
        p += take;
        len -= take;

        if (o->len == sizeof(o->buf)) {
            out_flush(o);
        }
    }
}


static void
out_slots(lrm_out_t *o, const uint64_t *slots, uint64_t n)
{
    unsigned char  le[8];
    uint64_t       i;

    for (i = 0; i < n; i++) {
        put64(le, slots[i]);
        out_put(o, le, 8);
    }
}


static int
write_file(const lrm_writer_t *w, int fd, const unsigned char *header,
    const uint64_t *slots, uint64_t nslots, const lrm_buf_t *sources_head,
    char *err, size_t err_size)
{
    lrm_out_t        *o;
    unsigned char     trailer[8];

    o = malloc(sizeof(*o));
    if (o == NULL) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }

    memset(o, 0, sizeof(*o));
    o->fd = fd;
    lrm_hash_init(&o->hash);

    out_put(o, header, LRM_HEADER_SIZE);
    out_slots(o, slots, nslots);
    out_put(o, w->records.data, w->records.len);
    out_put(o, w->rules.data, w->rules.len);
    out_put(o, sources_head->data, sources_head->len);
    out_put(o, w->source_offsets.data, w->source_offsets.len);
    out_put(o, w->source_names.data, w->source_names.len);
    out_put(o, w->meta.data, w->meta.len);

    put64(trailer, lrm_hash_final(&o->hash));
    out_put(o, trailer, 8);
    out_flush(o);

    if (o->error != 0) {
        snprintf(err, err_size, "%s", strerror(o->error));
        free(o);
        return -1;
    }

    free(o);
    return 0;
}


int
lrm_writer_write(lrm_writer_t *w, int fd, char *err, size_t err_size)
{
    unsigned char   header[LRM_HEADER_SIZE];
    unsigned char   count[4];
    uint64_t        buckets, nslots, off, records_off, size;
    uint64_t       *slots;
    lrm_buf_t       sources_head = { 0 };
    uint32_t        i;
    int             rc;

    if (w->count > 0) {
        qsort(w->items, w->count, sizeof(lrm_item_t), compare_items);
    }

    if (find_duplicate(w, err, err_size) != 0) {
        return -1;
    }

    /* about 89% full: short probes, and a miss stops early anyway */
    buckets = w->count ? w->count + w->count / 8 + 1 : 0;
    slots = place_items(w, buckets, &nslots);
    if (slots == NULL) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }

    records_off = LRM_HEADER_SIZE + nslots * 8;

    if (records_off + w->records.len > LRM_SLOT_OFFSET_MASK) {
        free(slots);
        snprintf(err, err_size, "too much data for one map");
        return -1;
    }

    for (off = 0; off < nslots; off++) {
        if (slots[off] != 0) {
            slots[off] += records_off - 1;
        }
    }

    /* sources: u32 count, u32 offset each (from the section start), names */
    if (w->sources > 0) {
        put32(count, w->sources);
        buf_put(&sources_head, count, 4);

        for (i = 0; i < w->sources; i++) {
            uint32_t  rel = lrm_get32(w->source_offsets.data + i * 4);

            put32(w->source_offsets.data + i * 4,
                  rel + 4 + w->sources * 4);
        }
    }

    memset(header, 0, sizeof(header));
    memcpy(header + LRM_H_MAGIC, LRM_MAGIC, LRM_MAGIC_LEN);
    put32(header + LRM_H_VERSION, LRM_VERSION);
    put32(header + LRM_H_HEADER_SIZE, LRM_HEADER_SIZE);
    put32(header + LRM_H_FLAGS, w->flags);
    put64(header + LRM_H_ENTRIES, w->count);
    put64(header + LRM_H_BUCKETS, buckets);
    put64(header + LRM_H_SLOTS, nslots);
    put64(header + LRM_H_SLOTS_OFF, LRM_HEADER_SIZE);

    off = records_off;
    put64(header + LRM_H_RECORDS_OFF, off);
    put64(header + LRM_H_RECORDS_SIZE, w->records.len);
    off += w->records.len;

    put64(header + LRM_H_RULES_OFF, off);
    put64(header + LRM_H_RULES_SIZE, w->rules.len);
    off += w->rules.len;

    size = sources_head.len + w->source_offsets.len + w->source_names.len;
    put64(header + LRM_H_SOURCES_OFF, off);
    put64(header + LRM_H_SOURCES_SIZE, size);
    off += size;

    put64(header + LRM_H_META_OFF, off);
    put64(header + LRM_H_META_SIZE, w->meta.len);
    off += w->meta.len;

    put64(header + LRM_H_FILE_SIZE, off + LRM_TRAILER_SIZE);

    rc = write_file(w, fd, header, slots, nslots, &sources_head, err,
                    err_size);

    /* undo the offset shift so that a second write gives the same file */
    for (i = 0; i < w->sources; i++) {
        uint32_t  abs = lrm_get32(w->source_offsets.data + i * 4);

        put32(w->source_offsets.data + i * 4, abs - 4 - w->sources * 4);
    }

    free(sources_head.data);
    free(slots);

    return rc;
}
