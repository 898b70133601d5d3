/*
 * lrmap_writer.c - lays out and writes a map file.  Each entry is kept as
 * a reference to its key and target (the caller's strings, or copies in
 * one growing buffer) and a (hash, entry number) pair; writing sorts the
 * pairs by hash and places each in the first free slot at or after its
 * home slot, which keeps the table sorted by hash (docs/map-format.md,
 * "Lookup"), then writes the records in the order the entries came.
 */

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lrmap.h"
#include "lrmap_writer.h"


/* buckets = entries + entries / LRM_WRITER_SPARE + 1 */
#define LRM_WRITER_SPARE  12


/* an entry's hash, and the entry's index in refs (lrm_pair_t.value) */
typedef lrm_pair_t  lrm_item_t;

/* An entry: its strings are the caller's, or copies in w->copies. */
typedef struct {
    union {
        const char  *ptr;
        size_t       off;         /* copied: offset in w->copies */
    } key;
    const char  *target;          /* copied: follows the key */
    uint16_t     key_len;
    uint16_t     target_len;
    uint16_t     status;
    uint16_t     copied;
    uint32_t     source;
    uint32_t     line;
} lrm_ref_t;

typedef struct {
    unsigned char  *data;
    size_t          len;
    size_t          cap;
} lrm_buf_t;

struct lrm_writer_s {
    uint32_t     flags;
    lrm_item_t  *items;
    lrm_ref_t   *refs;
    size_t       count;
    size_t       capacity;
    uint64_t     text_len;        /* bytes of every key and target */
    unsigned     source_bits;     /* provenance widths, set when writing */
    unsigned     line_bits;
    size_t       record_head;
    lrm_buf_t    copies;          /* keys and targets of lrm_writer_add() */
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

    if (more > SIZE_MAX / 2 - b->len) {
        return -1;                        /* would overflow size_t */
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
    free(w->refs);
    free(w->copies.data);
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


static int
add_entry(lrm_writer_t *w, uint64_t hash, const char *key, size_t key_len,
    const char *target, size_t target_len, unsigned status,
    uint32_t source, uint32_t line, lrm_ref_t **ref)
{
    lrm_item_t  *items;
    lrm_ref_t   *refs;
    size_t       cap;

    /* a 410 has no target, and every other status has one */

    if (key_len > LRM_MAX_KEY || target_len > LRM_MAX_TARGET
        || lrm_status_code(status) < 0
        || (status == 410) != (target_len == 0))
    {
        return -1;
    }

    if (w->count == w->capacity) {
        cap = w->capacity ? w->capacity * 2 : 1024;

        if (cap > SIZE_MAX / sizeof(lrm_item_t)) {
            return -1;
        }

        items = realloc(w->items, cap * sizeof(lrm_item_t));
        if (items == NULL) {
            return -1;
        }
        w->items = items;

        refs = realloc(w->refs, cap * sizeof(lrm_ref_t));
        if (refs == NULL) {
            return -1;
        }
        w->refs = refs;

        w->capacity = cap;
    }

    w->items[w->count].hash = hash;
    w->items[w->count].value = w->count;

    *ref = &w->refs[w->count];
    (*ref)->key.ptr = key;
    (*ref)->target = target;
    (*ref)->key_len = (uint16_t) key_len;
    (*ref)->target_len = (uint16_t) target_len;
    (*ref)->status = (uint16_t) status;
    (*ref)->copied = 0;
    (*ref)->source = source;
    (*ref)->line = line;

    w->text_len += key_len + target_len;
    w->count++;

    return 0;
}


/* How many bits a value needs: 0 for 0, 1 for 1, 2 for 2 and 3, ... */
static unsigned
bits_for(uint32_t v)
{
    unsigned  n;

    for (n = 0; v != 0; v >>= 1) {
        n++;
    }

    return n;
}


/*
 * The widths of the provenance fields: enough for the largest line and
 * source index stored, where "no source" is stored as the source count.
 */
static void
provenance_widths(const lrm_writer_t *w, unsigned *source_bits,
    unsigned *line_bits)
{
    uint32_t  max_source, max_line, source;
    size_t    i;

    *source_bits = 0;
    *line_bits = 0;

    if (!(w->flags & LRM_F_SOURCES)) {
        return;
    }

    max_source = 0;
    max_line = 0;

    for (i = 0; i < w->count; i++) {
        source = w->refs[i].source < w->sources ? w->refs[i].source
                                                : w->sources;
        if (source > max_source) {
            max_source = source;
        }

        if (w->refs[i].line > max_line) {
            max_line = w->refs[i].line;
        }
    }

    *source_bits = bits_for(max_source);
    *line_bits = bits_for(max_line);
}


int
lrm_writer_add(lrm_writer_t *w, const char *key, size_t key_len,
    const char *target, size_t target_len, unsigned status,
    uint32_t source, uint32_t line)
{
    lrm_ref_t  *ref;
    size_t      off = w->copies.len;

    if (buf_reserve(&w->copies, key_len + target_len) != 0
        || add_entry(w, lrm_hash(key, key_len), key, key_len, target,
                     target_len, status, source, line, &ref) != 0)
    {
        return -1;
    }

    buf_put(&w->copies, key, key_len);
    buf_put(&w->copies, target, target_len);

    ref->key.off = off;
    ref->target = NULL;
    ref->copied = 1;

    return 0;
}


int
lrm_writer_add_ref(lrm_writer_t *w, uint64_t hash, const char *key,
    size_t key_len, const char *target, size_t target_len, unsigned status,
    uint32_t source, uint32_t line)
{
    lrm_ref_t  *ref;

    return add_entry(w, hash, key, key_len, target, target_len, status,
                     source, line, &ref);
}


static const char *
ref_key(const lrm_writer_t *w, const lrm_ref_t *ref)
{
    return ref->copied ? (const char *) w->copies.data + ref->key.off
                       : ref->key.ptr;
}


static const char *
ref_target(const lrm_writer_t *w, const lrm_ref_t *ref)
{
    return ref->copied ? ref_key(w, ref) + ref->key_len : ref->target;
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
        || target_len > LRM_MAX_TARGET || w->rule_count == UINT32_MAX
        || lrm_status_code(status) < 0
        || (status == 410) != (target_len == 0))
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
compare_pairs(const void *a, const void *b)
{
    const lrm_pair_t  *x = a, *y = b;

    if (x->hash != y->hash) {
        return x->hash < y->hash ? -1 : 1;
    }

    return x->value < y->value ? -1 : (x->value > y->value);
}


/*
 * A stable LSD radix sort of n elements of `words` u64 each by the bits
 * [low_bit, 64) of their first u64 (low_bit a multiple of 16).  Elements
 * equal in those bits keep their order.  A pass sorts by 16 bits, or by 8
 * below 65,536 elements, whose counts would otherwise be most of the
 * memory the sort takes.
 */
static int
radix_sort(uint64_t *a, size_t n, size_t words, unsigned low_bit)
{
    uint64_t  *tmp, *from, *to, *swap;
    size_t    *count, i, w, at, sum, c, digits, mask;
    unsigned   shift, bits, passes;

    bits = n < 65536 ? 8 : 16;
    digits = (size_t) 1 << bits;
    mask = digits - 1;

    tmp = malloc((n ? n : 1) * words * sizeof(uint64_t));
    count = malloc(digits * sizeof(size_t));
    if (tmp == NULL || count == NULL) {
        free(tmp);
        free(count);
        return -1;
    }

    from = a;
    to = tmp;
    passes = 0;

    for (shift = low_bit; shift < 64; shift += bits) {
        memset(count, 0, digits * sizeof(size_t));

        for (i = 0; i < n; i++) {
            count[(from[i * words] >> shift) & mask]++;
        }

        for (sum = 0, i = 0; i < digits; i++) {
            c = count[i];
            count[i] = sum;
            sum += c;
        }

        for (i = 0; i < n; i++) {
            at = count[(from[i * words] >> shift) & mask]++ * words;

            for (w = 0; w < words; w++) {
                to[at + w] = from[i * words + w];
            }
        }

        swap = from;
        from = to;
        to = swap;
        passes++;
    }

    if (passes % 2) {
        memcpy(a, from, n * words * sizeof(uint64_t));
    }

    free(tmp);
    free(count);
    return 0;
}


/* radix_sort() takes a pair as two u64, the hash first */
_Static_assert(sizeof(lrm_pair_t) == 2 * sizeof(uint64_t)
               && offsetof(lrm_pair_t, hash) == 0,
               "lrm_pair_t is a hash and a value, in this order");


int
lrm_sort_pairs(lrm_pair_t *pairs, size_t n)
{
    size_t  i;

    if (n < 4096) {
        if (n > 0) {
            qsort(pairs, n, sizeof(lrm_pair_t), compare_pairs);
        }
        return 0;
    }

    for (i = 1; i < n && compare_pairs(&pairs[i - 1], &pairs[i]) < 0; i++) {
        /* already sorted? */
    }

    if (i == n) {
        return 0;
    }

    return radix_sort(&pairs[0].hash, n, 2, 0);
}


int
lrm_sort_u64(uint64_t *keys, size_t n, unsigned low_bit)
{
    return radix_sort(keys, n, 1, low_bit);
}


/* After sorting, equal keys sit next to each other in runs of one hash. */
static int
find_duplicate(const lrm_writer_t *w, char *err, size_t err_size)
{
    const lrm_ref_t  *a, *b;
    const char       *key;
    size_t            i, j;

    for (i = 0; i + 1 < w->count; i++) {
        for (j = i + 1; j < w->count && w->items[j].hash == w->items[i].hash;
             j++)
        {
            a = &w->refs[w->items[i].value];
            b = &w->refs[w->items[j].value];
            key = ref_key(w, a);

            if (a->key_len == b->key_len
                && memcmp(key, ref_key(w, b), a->key_len) == 0)
            {
                snprintf(err, err_size, "duplicate key \"%.*s\"",
                         (int) (a->key_len > 200 ? 200 : a->key_len), key);
                return -1;
            }
        }
    }

    return 0;
}


/*
 * Places the sorted items: each goes to the first free slot at or after
 * its home slot.  Returns the slot array and its length; a slot holds
 * the displacement, the fingerprint and the record's offset from the
 * start of the record section, plus 1, and 0 when the slot is empty (the
 * caller turns that into the record's file offset once it knows where
 * the record section starts).  Sets *crowded, and returns NULL, when a
 * key lands further than LRM_MAX_DISPLACEMENT from its home.
 */
static uint64_t *
place_items(const lrm_writer_t *w, uint64_t buckets, uint64_t *nslots,
    int *crowded)
{
    uint64_t  *slots, *record, pos, next, home, i, cap, off, hash;

    *crowded = 0;

    /* where each entry's record starts: the records follow entry order */
    record = malloc((w->count ? w->count : 1) * sizeof(uint64_t));
    if (record == NULL) {
        return NULL;
    }

    for (off = 0, i = 0; i < w->count; i++) {
        record[i] = off;
        off += w->record_head + w->refs[i].key_len + w->refs[i].target_len;
    }

    cap = buckets + LRM_MAX_DISPLACEMENT + 1;
    slots = calloc(cap, sizeof(uint64_t));
    if (slots == NULL) {
        free(record);
        return NULL;
    }

    next = 0;

    for (i = 0; i < w->count; i++) {
        hash = w->items[i].hash;
        home = lrm_home(hash, buckets);
        pos = home > next ? home : next;

        if (pos - home > LRM_MAX_DISPLACEMENT) {
            free(slots);
            free(record);
            *crowded = 1;
            return NULL;
        }

        slots[pos] = (pos - home) << LRM_SLOT_DISP_SHIFT
                     | lrm_fingerprint(hash) << LRM_SLOT_OFFSET_BITS
                     | (record[w->items[i].value] + 1);
        next = pos + 1;
    }

    free(record);
    *nslots = next > buckets ? next : buckets;
    return slots;
}


/*
 * The file goes out in whole buffers, so every write starts on a multiple
 * of the buffer size, and all but the last two (the rest of the buffer,
 * then the trailer) also end on one.  A big map is written in
 * 2 MiB pieces: where the file system caches a file in pieces as large
 * as its writes (ext4 and XFS on recent kernels), nginx then reads the
 * map back in about half the time (bench/README.md).  A small map keeps
 * a small buffer, which is most of the tool's memory at that size.
 */
#define LRM_OUT_SMALL  (64 * 1024)
#define LRM_OUT_BIG    (2 * 1024 * 1024)

typedef struct {
    int               fd;
    lrm_hash_state_t  hash;
    unsigned char    *buf;
    size_t            cap;
    size_t            len;
    int               error;      /* errno of the first failed write */
} lrm_out_t;


/* Writes the buffer out; everything but the trailer is also hashed. */
static void
out_write(lrm_out_t *o, int hash)
{
    size_t   done = 0;
    ssize_t  n;

    if (hash) {
        lrm_hash_update(&o->hash, o->buf, o->len);
    }

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
out_flush(lrm_out_t *o)
{
    out_write(o, 1);
}


static void
out_put(lrm_out_t *o, const void *data, size_t len)
{
    const unsigned char  *p = data;
    size_t                take;

    while (len > 0) {
        take = o->cap - o->len;
        if (take > len) {
            take = len;
        }

        memcpy(o->buf + o->len, p, take);
        o->len += take;
        p += take;
        len -= take;

        if (o->len == o->cap) {
            out_flush(o);
        }
    }
}


static void
out_slots(lrm_out_t *o, const uint64_t *slots, uint64_t n)
{
    uint64_t  i;

    for (i = 0; i < n; i++) {
        if (o->cap - o->len < 8) {
            out_flush(o);
        }

        put64(o->buf + o->len, slots[i]);
        o->len += 8;
    }
}


/* Writes the low n bytes of v, little-endian. */
static unsigned char *
put_bytes(unsigned char *p, uint64_t v, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        p[i] = (unsigned char) (v >> (8 * i));
    }

    return p + n;
}


static void
out_records(lrm_out_t *o, const lrm_writer_t *w)
{
    const lrm_ref_t  *ref;
    unsigned char     head[LRM_RECORD_HEAD + 8], *p;
    uint64_t          source;
    size_t            i;

    for (i = 0; i < w->count; i++) {
        ref = &w->refs[i];

        put32(head, (uint32_t) ref->key_len
                    | (uint32_t) ref->target_len << LRM_REC_LEN_BITS
                    | (uint32_t) lrm_status_code(ref->status)
                      << LRM_REC_STATUS_SHIFT);
        p = head + LRM_RECORD_HEAD;

        if (w->flags & LRM_F_SOURCES) {
            source = ref->source < w->sources ? ref->source : w->sources;
            p = put_bytes(p, source << w->line_bits | ref->line,
                          w->record_head - LRM_RECORD_HEAD);
        }

        /* a record may straddle two writes: the buffer is always filled */
        out_put(o, head, (size_t) (p - head));
        out_put(o, ref_key(w, ref), ref->key_len);
        out_put(o, ref_target(w, ref), ref->target_len);
    }
}


static int
write_file(const lrm_writer_t *w, int fd, const unsigned char *header,
    uint64_t file_size, const uint64_t *slots, uint64_t nslots,
    const lrm_buf_t *sources_head, char *err, size_t err_size)
{
    lrm_out_t        *o;
    unsigned char     trailer[8];

    o = malloc(sizeof(*o));
    if (o == NULL) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }

    memset(o, 0, sizeof(*o));
    o->cap = file_size >= 32 * (uint64_t) LRM_OUT_BIG ? LRM_OUT_BIG
                                                      : LRM_OUT_SMALL;
    o->buf = malloc(o->cap);
    if (o->buf == NULL) {
        free(o);
        snprintf(err, err_size, "out of memory");
        return -1;
    }

    o->fd = fd;
    lrm_hash_init(&o->hash);

    out_put(o, header, LRM_HEADER_SIZE);
    out_slots(o, slots, nslots);
    out_records(o, w);
    out_put(o, w->rules.data, w->rules.len);
    out_put(o, sources_head->data, sources_head->len);
    out_put(o, w->source_offsets.data, w->source_offsets.len);
    out_put(o, w->source_names.data, w->source_names.len);
    out_put(o, w->meta.data, w->meta.len);

    out_flush(o);
    put64(trailer, lrm_hash_final(&o->hash));
    memcpy(o->buf, trailer, 8);
    o->len = 8;
    out_write(o, 0);

    if (o->error != 0) {
        snprintf(err, err_size, "%s", strerror(o->error));
        free(o->buf);
        free(o);
        return -1;
    }

    free(o->buf);
    free(o);
    return 0;
}


int
lrm_writer_write(lrm_writer_t *w, int fd, char *err, size_t err_size)
{
    unsigned char   header[LRM_HEADER_SIZE];
    unsigned char   count[4];
    uint64_t        buckets, most, nslots, off, records_off, records_len;
    uint64_t        size;
    uint64_t       *slots;
    int             crowded;
    lrm_buf_t       sources_head = { 0 };
    uint32_t        i;
    int             rc;

    if (lrm_sort_pairs(w->items, w->count) != 0) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }

    if (find_duplicate(w, err, err_size) != 0) {
        return -1;
    }

    provenance_widths(w, &w->source_bits, &w->line_bits);
    w->record_head = LRM_RECORD_HEAD + (w->source_bits + w->line_bits + 7) / 8;
    records_len = w->count * (uint64_t) w->record_head + w->text_len;

    /*
     * About 92% full: a probe reads a cache line or two, and a miss
     * stops at the first key of a later home.  A crowded table (a key
     * too far from its home for its displacement byte) gets more room.
     */
    buckets = w->count ? w->count + w->count / LRM_WRITER_SPARE + 1 : 0;
    most = buckets * 4 < UINT32_MAX ? buckets * 4 : UINT32_MAX;

    if (buckets > most) {
        snprintf(err, err_size, "too many entries for one map");
        return -1;
    }

    for ( ;; ) {
        slots = place_items(w, buckets, &nslots, &crowded);
        if (slots != NULL || !crowded) {
            break;
        }

        if (buckets == most) {
            /* no table size helps keys whose hashes share their top bits */
            snprintf(err, err_size, "more than %d keys share one home slot "
                     "at any table size (colliding hashes)",
                     LRM_MAX_DISPLACEMENT);
            return -1;
        }

        buckets += buckets / 8 + 1;
        if (buckets > most) {
            buckets = most;
        }
    }

    if (slots == NULL) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }

    records_off = LRM_HEADER_SIZE + nslots * 8;

    if (records_off + records_len > LRM_SLOT_OFFSET_MASK) {
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

        if (buf_put(&sources_head, count, 4) != 0) {
            free(slots);
            snprintf(err, err_size, "out of memory");
            return -1;
        }

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
    header[LRM_H_SOURCE_BITS] = (unsigned char) w->source_bits;
    header[LRM_H_LINE_BITS] = (unsigned char) w->line_bits;
    put64(header + LRM_H_ENTRIES, w->count);
    put64(header + LRM_H_BUCKETS, buckets);
    put64(header + LRM_H_SLOTS, nslots);
    put64(header + LRM_H_SLOTS_OFF, LRM_HEADER_SIZE);

    off = records_off;
    put64(header + LRM_H_RECORDS_OFF, off);
    put64(header + LRM_H_RECORDS_SIZE, records_len);
    off += records_len;

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

    rc = write_file(w, fd, header, off + LRM_TRAILER_SIZE, slots, nslots,
                    &sources_head, err, err_size);

    /* undo the offset shift so that a second write gives the same file */
    for (i = 0; i < w->sources; i++) {
        uint32_t  abs = lrm_get32(w->source_offsets.data + i * 4);

        put32(w->source_offsets.data + i * 4, abs - 4 - w->sources * 4);
    }

    free(sources_head.data);
    free(slots);

    return rc;
}
