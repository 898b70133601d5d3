/*
 * keygen.h - deterministic, Blogger-like redirect entries for the
 * benchmark (bench/README.md).
 *
 * Entry i (0 <= i < 2^30) is a pure function of i:
 *
 *   key     /YYYY/MM/w0-w1-w2-filler-words.html   40..90 bytes
 *   target  /YYYY/MM/w0-w1-w2
 *
 * w0, w1, w2 are three pseudo-words that encode a bijection of i, so keys
 * are unique and "the first N entries" is the same list at every size:
 * the 1M list is a prefix of the 10M one, and entries N, N+1, ... are
 * keys of the same shape that a list of N entries does not hold (misses).
 * The filler words and the key length come from a PRNG seeded with i.
 */

#ifndef BENCH_KEYGEN_H
#define BENCH_KEYGEN_H

#include <stdint.h>
#include <string.h>

#define KG_MAX_KEY     96
#define KG_MAX_TARGET  40

/* Each syllable is consonant(s) then one vowel, so the concatenation of
 * two syllables can be split back in one way only: words are unique. */
static const char *const kg_syl[32] = {
    "ba", "ce", "di", "fo", "gu", "ha", "je", "ki", "lo", "mu", "na",
    "pe", "ri", "so", "tu", "va", "we", "zi", "bra", "cle", "dri", "fla",
    "gro", "pri", "sta", "tre", "blo", "cha", "sho", "thi", "spe", "kro"
};

static const char *const kg_filler[64] = {
    "the", "and", "of", "to", "in", "with", "for", "my", "a", "on",
    "night", "train", "vienna", "winter", "garden", "recipe", "best",
    "how", "make", "old", "new", "house", "trip", "photos", "review",
    "first", "day", "week", "summer", "city", "walk", "notes", "bees",
    "attic", "cold", "bread", "coffee", "mountain", "river", "lake",
    "sale", "spring", "autumn", "book", "reading", "list", "part", "two",
    "three", "update", "weekend", "market", "family", "story", "our",
    "little", "big", "simple", "easy", "home", "kitchen", "road", "north",
    "south"
};

static inline uint64_t
kg_mix(uint64_t x)                      /* splitmix64 finaliser */
{
    x += UINT64_C(0x9E3779B97F4A7C15);
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

static inline size_t
kg_word(char *out, unsigned j)          /* j < 1024 */
{
    size_t a = strlen(kg_syl[j & 31]), b = strlen(kg_syl[j >> 5]);

    memcpy(out, kg_syl[j & 31], a);
    memcpy(out + a, kg_syl[j >> 5], b);
    return a + b;
}

/* a bijection of [0, 2^30) */
static inline uint32_t
kg_perm(uint32_t i)
{
    uint32_t p = (uint32_t) ((i * UINT64_C(0x2545F491)) & 0x3fffffff);

    p ^= p >> 15;
    p = (uint32_t) ((p * UINT64_C(0x5851F42D)) & 0x3fffffff);
    return p ^ (p >> 13);
}

/*
 * Writes entry i's key and target (not NUL-terminated) and returns their
 * lengths; *year and *month are its date.
 */
static inline void
kg_entry(uint32_t i, char *key, size_t *key_len, char *target,
    size_t *target_len, unsigned *year, unsigned *month)
{
    char      stem[KG_MAX_KEY];
    size_t    n, len, want, w;
    uint32_t  p = kg_perm(i);
    uint64_t  r = kg_mix(i);

    *year = 2005 + (unsigned) (r % 20);
    r /= 20;
    *month = 1 + (unsigned) (r % 12);
    r /= 12;
    want = 40 + (size_t) (r % 51);      /* the key's length, 40..90 */

    n = kg_word(stem, p & 1023);
    stem[n++] = '-';
    n += kg_word(stem + n, (p >> 10) & 1023);
    stem[n++] = '-';
    n += kg_word(stem + n, (p >> 20) & 1023);

    len = 9;                            /* "/YYYY/MM/" */
    key[0] = '/';
    key[1] = (char) ('0' + *year / 1000);
    key[2] = (char) ('0' + *year / 100 % 10);
    key[3] = (char) ('0' + *year / 10 % 10);
    key[4] = (char) ('0' + *year % 10);
    key[5] = '/';
    key[6] = (char) ('0' + *month / 10);
    key[7] = (char) ('0' + *month % 10);
    key[8] = '/';

    memcpy(target, key, 9);
    memcpy(target + 9, stem, n);
    *target_len = 9 + n;

    memcpy(key + len, stem, n);
    len += n;

    /* filler words until the key (with ".html") is long enough, cut
     * there, never ending in '-' */
    while (len + 5 < want) {
        r = kg_mix(r + i);
        const char *f = kg_filler[r & 63];
        w = strlen(f);
        key[len++] = '-';
        memcpy(key + len, f, w);
        len += w;
    }
    if (len + 5 > want) {
        len = want - 5;
    }
    if (key[len - 1] == '-') {
        key[len - 1] = 's';             /* "-s" is no word: still unique */
    }
    memcpy(key + len, ".html", 5);
    *key_len = len + 5;
}

/* xorshift64*, for samples */
static inline uint64_t
kg_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(0x2545F4914F6CDD1D);
}

#endif
