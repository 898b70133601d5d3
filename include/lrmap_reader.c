/*
 * lrmap_reader.c - validates a map held in memory and looks keys up in
 * it.  Nothing here trusts the file: every offset and length is checked
 * against the buffer before it is used, at open time for the header and
 * the small sections, and at each lookup for the record it touches.
 */

#include <stdio.h>
#include <string.h>

#include "lrmap.h"


static int
fail(char *err, size_t err_size, const char *reason)
{
    if (err_size > 0) {
        snprintf(err, err_size, "%s", reason);
    }

    return LRM_ERROR;
}


/* Is [off, off + len) inside [lo, hi)?  Written so nothing overflows. */
static int
in_range(uint64_t off, uint64_t len, uint64_t lo, uint64_t hi)
{
    return off >= lo && off <= hi && len <= hi - off;
}


static int
check_identity(const unsigned char *p, size_t size, char *err,
    size_t err_size)
{
    uint32_t  version;

    if (size < LRM_MAGIC_LEN || memcmp(p, LRM_MAGIC, LRM_MAGIC_LEN) != 0) {
        return fail(err, err_size, "not a legacy redirect map (bad magic)");
    }

    if (size < LRM_HEADER_SIZE + LRM_TRAILER_SIZE) {
        return fail(err, err_size, "file is truncated (shorter than the "
                    "header)");
    }

    version = lrm_get32(p + LRM_H_VERSION);

    if (version != LRM_VERSION) {
        if (err_size > 0) {
            snprintf(err, err_size, "map format version %u is not supported "
                     "(this build reads version %u)", version, LRM_VERSION);
        }

        return LRM_ERROR;
    }

    return LRM_OK;
}


static int
check_declared_size(const unsigned char *p, uint64_t size, char *err,
    size_t err_size)
{
    uint64_t  declared;

    declared = lrm_get64(p + LRM_H_FILE_SIZE);

    if (declared != size) {
        if (err_size > 0) {
            snprintf(err, err_size, "file is %llu bytes but its header says "
                     "%llu (truncated or padded)", (unsigned long long) size,
                     (unsigned long long) declared);
        }

        return LRM_ERROR;
    }

    return LRM_OK;
}


int
lrm_check_header(const void *head, size_t head_len, uint64_t file_size,
    char *err, size_t err_size)
{
    const unsigned char  *p = head;
    size_t                size;

    if (head_len < LRM_HEADER_SIZE && head_len < file_size) {
        return fail(err, err_size, "could not read the header");
    }

    /* check_identity() reads the magic and version: within the head */

    size = file_size > SIZE_MAX ? SIZE_MAX : (size_t) file_size;

    if (check_identity(p, size, err, err_size) != LRM_OK) {
        return LRM_ERROR;
    }

    return check_declared_size(p, file_size, err, err_size);
}


static int
check_checksum(const unsigned char *p, size_t size, uint64_t hash,
    lrm_map_t *map, char *err, size_t err_size)
{
    map->checksum = hash;

    if (lrm_get64(p + size - LRM_TRAILER_SIZE) != hash) {
        return fail(err, err_size, "checksum mismatch (the file is damaged)");
    }

    return LRM_OK;
}


static int
is_known_status(unsigned status)
{
    return (status >= 301 && status <= 303) || status == 307
           || status == 308 || status == 410;
}


/* Reads one rule at r, which has room bytes; returns its size or 0. */
static size_t
parse_rule(const unsigned char *r, size_t room, lrm_rule_t *rule)
{
    if (room < LRM_RULE_HEADER) {
        return 0;
    }

    rule->flags = lrm_get16(r);
    rule->status = lrm_get16(r + 2);
    rule->line = lrm_get32(r + 8);
    rule->pattern_len = lrm_get16(r + 12);
    rule->target_len = lrm_get16(r + 14);

    if (room - LRM_RULE_HEADER < rule->pattern_len + rule->target_len
        || rule->pattern_len == 0 || rule->pattern_len > LRM_MAX_PATTERN
        || rule->target_len > LRM_MAX_TARGET
        || (rule->flags & ~LRM_RULE_KNOWN)
        || !is_known_status(rule->status)
        || (rule->status == 410) != (rule->target_len == 0))
    {
        return 0;
    }

    rule->pattern = (const char *) r + LRM_RULE_HEADER;
    rule->target = rule->pattern + rule->pattern_len;

    return LRM_RULE_HEADER + rule->pattern_len + rule->target_len;
}


/* The rule section is small: every rule is checked once, here. */
static int
check_rules(lrm_map_t *map, const unsigned char *p, size_t len)
{
    lrm_rule_t  rule;
    size_t      off, n;
    uint32_t    i, count;

    map->rule_count = 0;

    if (len == 0) {
        return LRM_OK;
    }

    if (len < 4) {
        return LRM_ERROR;
    }

    count = lrm_get32(p);
    off = 4;

    for (i = 0; i < count; i++) {
        n = parse_rule(p + off, len - off, &rule);
        if (n == 0) {
            return LRM_ERROR;
        }

        off += n;
    }

    if (off != len) {
        return LRM_ERROR;
    }

    map->rule_count = count;

    return LRM_OK;
}


static int
check_header_fields(const unsigned char *p, size_t size, lrm_map_t *map,
    char *err, size_t err_size)
{
    uint64_t  lo, hi, off, len;

    if (lrm_get32(p + LRM_H_HEADER_SIZE) != LRM_HEADER_SIZE
        || lrm_get16(p + LRM_H_RESERVED) != 0)
    {
        return fail(err, err_size, "bad header size or reserved field");
    }

    map->flags = lrm_get32(p + LRM_H_FLAGS);

    if (map->flags & ~LRM_F_KNOWN) {
        return fail(err, err_size, "unknown flags in header");
    }

    map->source_bits = p[LRM_H_SOURCE_BITS];
    map->line_bits = p[LRM_H_LINE_BITS];

    if (map->source_bits > 32 || map->line_bits > 32
        || (!(map->flags & LRM_F_SOURCES)
            && (map->source_bits | map->line_bits) != 0))
    {
        return fail(err, err_size, "bad provenance widths in header");
    }

    map->record_head = LRM_RECORD_HEAD
                       + (map->source_bits + map->line_bits + 7) / 8;

    lo = LRM_HEADER_SIZE;
    hi = size - LRM_TRAILER_SIZE;

    map->entries = lrm_get64(p + LRM_H_ENTRIES);
    map->buckets = lrm_get64(p + LRM_H_BUCKETS);
    map->slots = lrm_get64(p + LRM_H_SLOTS);
    off = lrm_get64(p + LRM_H_SLOTS_OFF);

    if (map->slots > (hi - lo) / 8 || !in_range(off, map->slots * 8, lo, hi))
    {
        return fail(err, err_size, "hash table lies outside the file");
    }

    if (map->entries > map->slots || map->buckets > map->slots
        || map->buckets > UINT32_MAX
        || (map->entries > 0 && map->buckets == 0))
    {
        return fail(err, err_size, "inconsistent entry, bucket and slot "
                    "counts");
    }

    map->slot_base = p + off;

    off = lrm_get64(p + LRM_H_RECORDS_OFF);
    len = lrm_get64(p + LRM_H_RECORDS_SIZE);
    if (!in_range(off, len, lo, hi)) {
        return fail(err, err_size, "record section lies outside the file");
    }
    map->records_off = (size_t) off;
    map->records_end = (size_t) (off + len);

    off = lrm_get64(p + LRM_H_RULES_OFF);
    len = lrm_get64(p + LRM_H_RULES_SIZE);
    if (!in_range(off, len, lo, hi)) {
        return fail(err, err_size, "rule section lies outside the file");
    }
    map->rules_off = (size_t) off;
    map->rules_size = (size_t) len;

    if (check_rules(map, p + off, (size_t) len) != LRM_OK) {
        return fail(err, err_size, "rule section is malformed");
    }

    off = lrm_get64(p + LRM_H_SOURCES_OFF);
    len = lrm_get64(p + LRM_H_SOURCES_SIZE);
    if (!in_range(off, len, lo, hi)
        || (len > 0 && (len < 4 || (len - 4) / 4 < lrm_get32(p + off))))
    {
        return fail(err, err_size, "source section is malformed");
    }
    map->sources_off = (size_t) off;
    map->sources_size = (size_t) len;
    map->source_count = len > 0 ? lrm_get32(p + off) : 0;

    off = lrm_get64(p + LRM_H_META_OFF);
    len = lrm_get64(p + LRM_H_META_SIZE);
    if (!in_range(off, len, lo, hi) || (len > 0 && p[off + len - 1] != 0)) {
        return fail(err, err_size, "metadata section is malformed");
    }
    map->meta_off = (size_t) off;
    map->meta_size = (size_t) len;

    return LRM_OK;
}


int
lrm_open(lrm_map_t *map, const void *data, size_t size, char *err,
    size_t err_size)
{
    const unsigned char  *p = data;

    if (check_identity(p, size, err, err_size) != LRM_OK
        || check_declared_size(p, size, err, err_size) != LRM_OK)
    {
        memset(map, 0, sizeof(*map));
        return LRM_ERROR;
    }

    return lrm_open_hashed(map, data, size,
                           lrm_hash(p, size - LRM_TRAILER_SIZE), err,
                           err_size);
}


int
lrm_open_hashed(lrm_map_t *map, const void *data, size_t size,
    uint64_t hash, char *err, size_t err_size)
{
    const unsigned char  *p = data;

    memset(map, 0, sizeof(*map));

    if (check_identity(p, size, err, err_size) != LRM_OK
        || check_declared_size(p, size, err, err_size) != LRM_OK
        || check_checksum(p, size, hash, map, err, err_size) != LRM_OK
        || check_header_fields(p, size, map, err, err_size) != LRM_OK)
    {
        memset(map, 0, sizeof(*map));
        return LRM_ERROR;
    }

    map->data = p;
    map->size = size;

    return LRM_OK;
}


/*
 * The provenance of a record: a little-endian integer of whole bytes.  The
 * name of the source is not looked up here: that would be one more read
 * from another part of the map on every lookup, for a name seldom used.
 */
static void
read_provenance(const lrm_map_t *map, const unsigned char *r,
    lrm_entry_t *e)
{
    uint64_t  v;
    size_t    i, n;

    n = map->record_head - LRM_RECORD_HEAD;

    for (v = 0, i = 0; i < n; i++) {
        v |= (uint64_t) r[LRM_RECORD_HEAD + i] << (8 * i);
    }

    e->line = (uint32_t) (v & ((UINT64_C(1) << map->line_bits) - 1));
    v >>= map->line_bits;
    e->source = v < map->source_count ? (uint32_t) v : LRM_NO_SOURCE;
}


/*
 * Decodes the record at off.  Returns LRM_ERROR if any part of it falls
 * outside the record section or it is not a record a writer makes.
 */
static int
read_record(const lrm_map_t *map, uint64_t off, lrm_entry_t *e)
{
    const unsigned char  *r;
    size_t                i;
    uint32_t              head;

    if (!in_range(off, map->record_head, map->records_off,
                  map->records_end))
    {
        return LRM_ERROR;
    }

    r = map->data + off;
    head = lrm_get32(r);
    e->key_len = head & LRM_REC_LEN_MASK;
    e->target_len = (head >> LRM_REC_LEN_BITS) & LRM_REC_LEN_MASK;
    e->status = lrm_code_status(head >> LRM_REC_STATUS_SHIFT);

    if (!in_range(off + map->record_head, e->key_len + e->target_len,
                  map->records_off, map->records_end))
    {
        return LRM_ERROR;
    }

    if (e->status == 0 || (head & LRM_REC_RESERVED)
        || e->key_len > LRM_MAX_KEY || e->target_len > LRM_MAX_TARGET
        || (e->status == 410) != (e->target_len == 0))
    {
        return LRM_ERROR;
    }

    e->key = (const char *) r + map->record_head;
    e->target = e->key + e->key_len;

    /* a target goes into a Location header: never trust it blindly */

    for (i = 0; i < e->target_len; i++) {
        if ((unsigned char) e->target[i] <= 0x20
            || (unsigned char) e->target[i] >= 0x7f)
        {
            return LRM_ERROR;
        }
    }

    e->source = LRM_NO_SOURCE;
    e->line = 0;

    if (map->flags & LRM_F_SOURCES) {
        read_provenance(map, r, e);
    }

    return LRM_OK;
}


int
lrm_lookup(const lrm_map_t *map, const char *key, size_t key_len,
    lrm_entry_t *entry)
{
    uint64_t              hash, home, fp, slot, disp, i;
    const unsigned char  *r;

    if (map->entries == 0) {
        return LRM_NOT_FOUND;
    }

    hash = lrm_hash(key, key_len);
    home = lrm_home(hash, map->buckets);
    fp = lrm_fingerprint(hash);

    /*
     * The keys of one home slot follow each other, and homes only grow
     * along the table: the probe ends at an empty slot or at the first
     * key whose home (its slot minus its displacement) is after ours.
     */
    for (i = home; i < map->slots; i++) {
        slot = lrm_get64(map->slot_base + i * 8);

        if (slot == 0) {
            return LRM_NOT_FOUND;
        }

        disp = slot >> LRM_SLOT_DISP_SHIFT;

        if (disp < i - home) {
            return LRM_NOT_FOUND;
        }

        if (disp != i - home
            || ((slot >> LRM_SLOT_OFFSET_BITS) & LRM_SLOT_FP_MASK) != fp)
        {
            continue;
        }

        slot &= LRM_SLOT_OFFSET_MASK;

        if (!in_range(slot, LRM_RECORD_HEAD, map->records_off,
                      map->records_end))
        {
            return LRM_ERROR;
        }

        r = map->data + slot;

        if ((lrm_get32(r) & LRM_REC_LEN_MASK) != key_len) {
            continue;
        }

        if (read_record(map, slot, entry) != LRM_OK) {
            return LRM_ERROR;
        }

        if (memcmp(entry->key, key, key_len) == 0) {
            return LRM_OK;
        }
    }

    return LRM_NOT_FOUND;
}


int
lrm_foreach(const lrm_map_t *map,
    int (*fn)(const lrm_entry_t *entry, void *ctx), void *ctx)
{
    lrm_entry_t  e;
    uint64_t     i, slot;
    int          rc;

    for (i = 0; i < map->slots; i++) {
        slot = lrm_get64(map->slot_base + i * 8) & LRM_SLOT_OFFSET_MASK;

        if (slot == 0) {
            continue;
        }

        if (read_record(map, slot, &e) != LRM_OK) {
            return LRM_ERROR;
        }

        rc = fn(&e, ctx);
        if (rc != 0) {
            return rc;
        }
    }

    return LRM_OK;
}


const char *
lrm_source_name(const lrm_map_t *map, unsigned idx, size_t *len)
{
    const unsigned char  *s;
    uint64_t              off, end;

    if (map->sources_size == 0) {
        return NULL;
    }

    s = map->data + map->sources_off;

    if (idx >= lrm_get32(s)) {
        return NULL;
    }

    off = lrm_get32(s + 4 + (size_t) idx * 4);
    end = map->sources_size;

    if (!in_range(off, 2, 0, end)
        || !in_range(off + 2, lrm_get16(s + off), 0, end))
    {
        return NULL;
    }

    *len = lrm_get16(s + off);
    return (const char *) s + off + 2;
}


/* the NUL-terminated string at *offset of the metadata section */
static int
meta_string(const lrm_map_t *map, size_t *offset, const char **s,
    size_t *len)
{
    const char  *base = (const char *) map->data + map->meta_off;
    const char  *nul;

    if (*offset >= map->meta_size) {
        return 0;
    }

    nul = memchr(base + *offset, '\0', map->meta_size - *offset);
    if (nul == NULL) {
        return 0;
    }

    *s = base + *offset;
    *len = (size_t) (nul - *s);
    *offset += *len + 1;

    return 1;
}


int
lrm_meta_next(const lrm_map_t *map, size_t *offset, lrm_meta_t *pair)
{
    return meta_string(map, offset, &pair->name, &pair->name_len)
           && meta_string(map, offset, &pair->value, &pair->value_len);
}


const char *
lrm_meta(const lrm_map_t *map, const char *name, size_t *len)
{
    lrm_meta_t  pair;
    size_t      off, name_len;

    name_len = strlen(name);

    for (off = 0; lrm_meta_next(map, &off, &pair); /* void */) {
        if (pair.name_len == name_len
            && memcmp(pair.name, name, name_len) == 0)
        {
            *len = pair.value_len;
            return pair.value;
        }
    }

    return NULL;
}


uint32_t
lrm_rule_count(const lrm_map_t *map)
{
    return map->rule_count;
}


int
lrm_rule_next(const lrm_map_t *map, size_t *offset, lrm_rule_t *rule)
{
    const unsigned char  *base = map->data + map->rules_off;
    size_t                n;

    if (map->rule_count == 0) {
        return LRM_NOT_FOUND;
    }

    if (*offset == 0) {
        *offset = 4;
    }

    if (*offset >= map->rules_size) {
        return LRM_NOT_FOUND;
    }

    n = parse_rule(base + *offset, map->rules_size - *offset, rule);
    if (n == 0) {
        return LRM_ERROR;
    }

    rule->source = NULL;
    rule->source_len = 0;

    if (lrm_get32(base + *offset + 4) != LRM_NO_SOURCE) {
        rule->source = lrm_source_name(map, lrm_get32(base + *offset + 4),
                                       &rule->source_len);
    }

    *offset += n;

    return LRM_OK;
}
