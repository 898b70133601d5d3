/*
 * lrmap_hash.c - XXH64 with seed 0, written from the public xxHash
 * specification.  It hashes keys (one-shot, lrm_hash) and checksums
 * whole map files (streaming, lrm_hash_init/update/final).
 */

#include <string.h>

#include "lrmap.h"

#define P1  UINT64_C(0x9E3779B185EBCA87)
#define P2  UINT64_C(0xC2B2AE3D27D4EB4F)
#define P3  UINT64_C(0x165667B19E3779F9)
#define P4  UINT64_C(0x85EBCA77C2B2AE63)
#define P5  UINT64_C(0x27D4EB2F165667C5)


static inline uint64_t
rotl64(uint64_t x, unsigned r)
{
    return (x << r) | (x >> (64 - r));
}


static inline uint64_t
lane_round(uint64_t acc, uint64_t input)
{
    acc += input * P2;
    acc = rotl64(acc, 31);
    return acc * P1;
}


static inline uint64_t
merge_lane(uint64_t h, uint64_t lane)
{
    h ^= lane_round(0, lane);
    return h * P1 + P4;
}


static void
lanes_init(uint64_t v[4])
{
    v[0] = P1 + P2;
    v[1] = P2;
    v[2] = 0;
    v[3] = (uint64_t) 0 - P1;
}


static void
lanes_stripe(uint64_t v[4], const unsigned char *p)
{
    v[0] = lane_round(v[0], lrm_get64(p));
    v[1] = lane_round(v[1], lrm_get64(p + 8));
    v[2] = lane_round(v[2], lrm_get64(p + 16));
    v[3] = lane_round(v[3], lrm_get64(p + 24));
}


static uint64_t
lanes_converge(const uint64_t v[4])
{
    uint64_t  h;

    h = rotl64(v[0], 1) + rotl64(v[1], 7) + rotl64(v[2], 12)
        + rotl64(v[3], 18);
    h = merge_lane(h, v[0]);
    h = merge_lane(h, v[1]);
    h = merge_lane(h, v[2]);
    return merge_lane(h, v[3]);
}


/* Mixes in the last 0..31 bytes and the length, then avalanches. */
static uint64_t
finish(uint64_t h, uint64_t total, const unsigned char *p, size_t len)
{
    h += total;

    while (len >= 8) {
        h ^= lane_round(0, lrm_get64(p));
        h = rotl64(h, 27) * P1 + P4;
        p += 8;
        len -= 8;
    }

    if (len >= 4) {
        h ^= (uint64_t) lrm_get32(p) * P1;
        h = rotl64(h, 23) * P2 + P3;
        p += 4;
        len -= 4;
    }

    while (len > 0) {
        h ^= *p * P5;
        h = rotl64(h, 11) * P1;
        p++;
        len--;
    }

    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;

    return h;
}


uint64_t
lrm_hash(const void *data, size_t len)
{
    const unsigned char  *p = data;
    uint64_t              v[4], h;
    size_t                left = len;

    if (len < 32) {
        return finish(P5, len, p, len);
    }

    lanes_init(v);

    while (left >= 32) {
        lanes_stripe(v, p);
        p += 32;
        left -= 32;
    }

    h = lanes_converge(v);

    return finish(h, len, p, left);
}


void
lrm_hash_init(lrm_hash_state_t *st)
{
    lanes_init(st->v);
    st->total = 0;
    st->buffered = 0;
}


void
lrm_hash_update(lrm_hash_state_t *st, const void *data, size_t len)
{
    const unsigned char  *p = data;
    size_t                take;

    if (len == 0) {
        return;
    }

    st->total += len;

    if (st->buffered > 0) {
        take = 32 - st->buffered;
        if (take > len) {
            take = len;
        }

        memcpy(st->buf + st->buffered, p, take);
        st->buffered += take;
        p += take;
        len -= take;

        if (st->buffered < 32) {
            return;
        }

        lanes_stripe(st->v, st->buf);
        st->buffered = 0;
    }

    while (len >= 32) {
        lanes_stripe(st->v, p);
        p += 32;
        len -= 32;
    }

    memcpy(st->buf, p, len);
    st->buffered = len;
}


uint64_t
lrm_hash_final(const lrm_hash_state_t *st)
{
    uint64_t  h;

    if (st->total < 32) {
        h = P5;

    } else {
        h = lanes_converge(st->v);
    }

    return finish(h, st->total, st->buf, st->buffered);
}
