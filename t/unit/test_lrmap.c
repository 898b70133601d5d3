/*
 * test_lrmap.c - unit tests of the shared core: normalisation, the
 * writer and the reader, and the reader's refusal of damaged maps.
 * Prints "N passed, M failed" last; exits 1 on any failure.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lrmap.h"
#include "lrmap_writer.h"

static int  passed, failed;

#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (cond) {                                                       \
            passed++;                                                     \
        } else {                                                          \
            failed++;                                                     \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                   \
            printf(__VA_ARGS__);                                          \
            printf("\n");                                                 \
        }                                                                 \
    } while (0)


static void
expect_norm(const char *in, const char *want, unsigned flags)
{
    char  out[LRM_MAX_KEY];
    long  n = lrm_normalize_path(in, strlen(in), out, flags);

    if (want == NULL) {
        CHECK(n < 0, "normalise \"%s\": want refusal, got \"%.*s\"", in,
              (int) (n < 0 ? 0 : n), out);
        return;
    }

    CHECK(n >= 0 && (size_t) n == strlen(want) && memcmp(out, want, n) == 0,
          "normalise \"%s\": want \"%s\", got \"%.*s\" (%ld)", in, want,
          (int) (n < 0 ? 0 : n), out, n);
}


static void
test_normalise(void)
{
    char  long_path[LRM_MAX_KEY + 10];

    expect_norm("/2023/03/x.html", "/2023/03/x.html", 0);
    expect_norm("/2023/03/x.html?m=1", "/2023/03/x.html", 0);
    expect_norm("/2023/03/x.html#c1", "/2023/03/x.html", 0);
    expect_norm("/2023/03/caf%C3%A9.html", "/2023/03/caf\xc3\xa9.html", 0);
    expect_norm("/2023/03/caf%c3%a9.html", "/2023/03/caf\xc3\xa9.html", 0);
    expect_norm("/%32%30%323/x", "/2023/x", 0);
    expect_norm("/a%2Fb", "/a%2Fb", 0);
    expect_norm("/a%2fb", "/a%2Fb", 0);
    expect_norm("/a%20b", "/a%20b", 0);
    expect_norm("/a b", "/a%20b", 0);
    expect_norm("/a%3Fb", "/a%3Fb", 0);
    expect_norm("/a%25b", "/a%25b", 0);
    expect_norm("/a%b", "/a%25b", 0);
    expect_norm("/a%", "/a%25", 0);
    expect_norm("/a%4", "/a%254", 0);
    expect_norm("/a%zz", "/a%25zz", 0);
    expect_norm("//a///b//", "/a/b/", 0);
    expect_norm("/a/./b/../c", "/a/c", 0);
    expect_norm("/a/%2e%2E/c", "/c", 0);
    expect_norm("/a/..", "/", 0);
    expect_norm("/..", NULL, 0);
    expect_norm("/a/../..", NULL, 0);
    expect_norm("/x.html/", "/x.html", 0);
    expect_norm("/x.HTML/", "/x.HTML", 0);
    expect_norm("/dir/", "/dir/", 0);
    expect_norm("/", "/", 0);
    expect_norm("", NULL, 0);
    expect_norm("a/b", NULL, 0);
    expect_norm("?x", NULL, 0);
    expect_norm("/A/B%2f.Html", "/a/b%2F.html", LRM_NORM_CASELESS);
    expect_norm("/%41", "/a", LRM_NORM_CASELESS);

    memset(long_path, 'a', sizeof(long_path));
    long_path[0] = '/';
    long_path[sizeof(long_path) - 1] = '\0';
    expect_norm(long_path, NULL, 0);

    /* the limit is exactly LRM_MAX_KEY bytes of key */
    long_path[LRM_MAX_KEY] = '\0';
    expect_norm(long_path, long_path, 0);
    long_path[LRM_MAX_KEY] = 'a';
    long_path[LRM_MAX_KEY + 1] = '\0';
    expect_norm(long_path, NULL, 0);
}


static void
test_url_path(void)
{
    const char  *p;
    size_t       len;

    p = lrm_url_path("https://blog.example.org/2023/x.html?a", 38, &len);
    CHECK(p && len == 14 && memcmp(p, "/2023/x.html?a", 14) == 0,
          "url path of an https URL");
    p = lrm_url_path("HTTP://h", 8, &len);
    CHECK(p && len == 0, "url without a path");
    CHECK(lrm_url_path("ftp://h/x", 9, &len) == NULL, "ftp is not http");
    CHECK(lrm_url_path("https:///x", 10, &len) == NULL, "no host");
}


/* Writes a map with n entries "/k/<i>" -> "/t/<i>" into a memory file. */
static unsigned char *
make_map(size_t n, uint32_t flags, size_t *size)
{
    lrm_writer_t   *w = lrm_writer_new(flags);
    char            key[64], target[64], err[128];
    unsigned char  *buf;
    FILE           *f;
    size_t          i, added;
    long            src;

    src = lrm_writer_add_source(w, "posts/a.md");
    CHECK(src == 0, "first source index");
    CHECK(lrm_writer_add_source(w, "posts/a.md") == 0, "same source twice");

    for (i = 0, added = 0; i < n; i++) {
        snprintf(key, sizeof(key), "/k/%zu", i);
        snprintf(target, sizeof(target), "/t/%zu", i);
        added += lrm_writer_add(w, key, strlen(key), target,
                                i % 7 ? strlen(target) : 0,
                                i % 7 ? 301 : 410, (uint32_t) src,
                                (uint32_t) i + 1) == 0;
    }
    CHECK(added == n, "%zu of %zu entries added", added, n);

    lrm_writer_set_meta(w, "tool", "test");

    f = tmpfile();
    CHECK(lrm_writer_write(w, fileno(f), err, sizeof(err)) == 0,
          "write: %s", err);
    lrm_writer_free(w);

    *size = (size_t) lseek(fileno(f), 0, SEEK_END);
    buf = malloc(*size);
    lseek(fileno(f), 0, SEEK_SET);
    CHECK(read(fileno(f), buf, *size) == (ssize_t) *size, "read back");
    fclose(f);

    return buf;
}


static void
test_round_trip(size_t n, uint32_t flags)
{
    lrm_map_t       map;
    lrm_entry_t     e;
    unsigned char  *buf;
    char            key[64], target[64], err[128];
    size_t          size, i, ok = 0, missing = 0, len;
    const char     *meta;

    buf = make_map(n, flags, &size);
    CHECK(lrm_open(&map, buf, size, err, sizeof(err)) == LRM_OK,
          "open %zu entries: %s", n, err);
    CHECK(map.entries == n, "entry count");

    for (i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "/k/%zu", i);
        snprintf(target, sizeof(target), "/t/%zu", i);

        if (lrm_lookup(&map, key, strlen(key), &e) == LRM_OK
            && e.target_len == (i % 7 ? strlen(target) : 0)
            && memcmp(e.target, target, e.target_len) == 0
            && e.status == (i % 7 ? 301u : 410u)
            && (!(flags & LRM_F_SOURCES)
                || (e.line == i + 1
                    && lrm_source_name(&map, e.source, &len) != NULL
                    && len == 10)))
        {
            ok++;
        }

        snprintf(key, sizeof(key), "/k/%zu/", i);
        if (lrm_lookup(&map, key, strlen(key), &e) == LRM_NOT_FOUND) {
            missing++;
        }
    }

    CHECK(ok == n, "%zu of %zu entries found", ok, n);
    CHECK(missing == n, "%zu of %zu misses missed", missing, n);

    meta = lrm_meta(&map, "tool", &len);
    CHECK(meta && len == 4 && memcmp(meta, "test", 4) == 0, "meta tool");
    CHECK(lrm_meta(&map, "nope", &len) == NULL, "meta absent");

    free(buf);
}


/*
 * A map over 64 MiB goes out in 2 MiB writes, records straddling them:
 * every entry must still read back whole.
 */
static void
test_big_map_round_trip(void)
{
    lrm_writer_t   *w = lrm_writer_new(LRM_F_SOURCES);
    lrm_map_t       map;
    lrm_entry_t     e;
    unsigned char  *buf;
    char            key[64], target[4096], err[128];
    size_t          n = 20000, i, ok = 0, added = 0, size, tlen;
    FILE           *f;

    CHECK(lrm_writer_add_source(w, "big.tsv") == 0, "source");

    for (i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "/big/%zu", i);
        tlen = 3000 + i % 997;
        memset(target, 'a' + (int) (i % 26), tlen);
        target[0] = '/';
        snprintf(target + tlen - 12, 12, "%011zu", i);
        added += lrm_writer_add(w, key, strlen(key), target, tlen - 1, 301,
                                0, (uint32_t) i + 1) == 0;
    }

    CHECK(added == n, "%zu of %zu big entries added", added, n);

    f = tmpfile();
    CHECK(lrm_writer_write(w, fileno(f), err, sizeof(err)) == 0,
          "write: %s", err);
    lrm_writer_free(w);

    size = (size_t) lseek(fileno(f), 0, SEEK_END);
    CHECK(size > 64 * 1024 * 1024, "big map is %zu bytes", size);
    buf = malloc(size);
    CHECK(buf != NULL && pread(fileno(f), buf, size, 0) == (ssize_t) size,
          "read back");
    fclose(f);

    CHECK(lrm_open(&map, buf, size, err, sizeof(err)) == LRM_OK,
          "open big map: %s", err);

    for (i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "/big/%zu", i);
        tlen = 3000 + i % 997;
        snprintf(target, sizeof(target), "%011zu", i);

        if (lrm_lookup(&map, key, strlen(key), &e) == LRM_OK
            && e.target_len == tlen - 1
            && e.target[1] == 'a' + (int) (i % 26)
            && memcmp(e.target + tlen - 12, target, 11) == 0
            && e.line == i + 1)
        {
            ok++;
        }
    }

    CHECK(ok == n, "%zu of %zu big entries found whole", ok, n);
    free(buf);
}


static void
test_duplicate_refused(void)
{
    lrm_writer_t  *w = lrm_writer_new(0);
    char           err[128] = "";
    FILE          *f = tmpfile();

    lrm_writer_add(w, "/a", 2, "/b", 2, 301, 0, 0);
    lrm_writer_add(w, "/a", 2, "/c", 2, 301, 0, 0);
    CHECK(lrm_writer_write(w, fileno(f), err, sizeof(err)) != 0
          && strstr(err, "duplicate"), "duplicate key refused: %s", err);
    lrm_writer_free(w);
    fclose(f);
}


/* Every truncation and many bit flips must be refused, never crash. */
static void
test_damage(void)
{
    lrm_map_t       map;
    unsigned char  *buf, *copy;
    char            err[128];
    size_t          size, cut, i, accepted = 0;

    buf = make_map(50, LRM_F_SOURCES, &size);
    copy = malloc(size);

    for (cut = 0; cut < size; cut++) {
        memcpy(copy, buf, cut);
        if (lrm_open(&map, copy, cut, err, sizeof(err)) == LRM_OK) {
            accepted++;
        }
    }
    CHECK(accepted == 0, "%zu truncations accepted", accepted);

    srand(1);
    for (i = 0; i < 20000; i++) {
        size_t  pos = (size_t) rand() % size;

        memcpy(copy, buf, size);
        copy[pos] ^= (unsigned char) (1u << (rand() % 8));
        if (lrm_open(&map, copy, size, err, sizeof(err)) == LRM_OK) {
            accepted++;
        }
    }
    CHECK(accepted == 0, "%zu bit flips accepted", accepted);

    memcpy(copy, buf, size);
    copy[LRM_H_VERSION] = LRM_VERSION + 1;
    CHECK(lrm_open(&map, copy, size, err, sizeof(err)) == LRM_ERROR
          && strstr(err, "version 3"), "other version: %s", err);

    free(copy);
    free(buf);
}


static void
expect_strip(const char *in, const char *want)
{
    char    out[256];
    size_t  n = lrm_query_strip_mobile(in, strlen(in), out);

    CHECK(n == strlen(want) && memcmp(out, want, n) == 0,
          "strip \"%s\": want \"%s\", got \"%.*s\"", in, want, (int) n, out);
}


/* Expands target against subject matched as: whole, then one group. */
static void
expect_expand(const char *target, const char *subject, int g_start,
    int g_end, const char *want)
{
    char  out[LRM_MAX_TARGET];
    int   caps[4] = { 0, (int) strlen(subject), g_start, g_end };
    long  n = lrm_expand_target(target, strlen(target), subject, caps, 2,
                                out);

    if (want == NULL) {
        CHECK(n < 0, "expand %s with \"%s\": want refusal, got \"%.*s\"",
              target, subject, (int) (n < 0 ? 0 : n), out);
        return;
    }

    CHECK(n >= 0 && (size_t) n == strlen(want) && memcmp(out, want, n) == 0,
          "expand %s with \"%s\": want \"%s\", got \"%.*s\"", target,
          subject, want, (int) (n < 0 ? 0 : n), out);
}


static void
expect_is_key(const char *target, const char *key, unsigned flags, int want)
{
    CHECK(lrm_target_is_key(target, strlen(target), key, strlen(key), flags)
          == want, "target %s %s key %s (flags %u)", target,
          want ? "leads back to" : "does not lead back to", key, flags);
}


static void
expect_same_query(const char *target, const char *query, int kept,
    int want)
{
    CHECK(lrm_target_same_query(target, strlen(target), query,
                                strlen(query), kept) == want,
          "target %s after \"%s\" (%s): want %s query", target, query,
          kept ? "passed on" : "dropped", want ? "the same" : "another");
}


static void
test_rules_helpers(void)
{
    expect_strip("m=1", "");
    expect_strip("m=0&utm=a", "utm=a");
    expect_strip("a=1&m=1&b=2&m=0", "a=1&b=2");
    expect_strip("mm=1&m=10&m=1x", "mm=1&m=10&m=1x");
    expect_strip("&&a=1&", "a=1");

    expect_expand("/tags/$1", "/search/label/Python", 14, 20, "/tags/Python");
    expect_expand("/x/$1/$2/$9", "/a/b", 3, 4, "/x/b//");
    expect_expand("/t/$1", "/a\x80\"<", 1, 5, "/t/a%80%22%3C");
    expect_expand("/t/$1", "/a b\r\n", 1, 6, "/t/a%20b%0D%0A");
    expect_expand("/$1", "//evil.com", 1, 10, NULL);
    expect_expand("/$1", "/\\evil.com", 1, 10, "/%5Cevil.com");
    expect_expand("$1", "/https://evil", 1, 13, NULL);
    expect_expand("$1", "//evil", 0, 6, NULL);
    expect_expand("$1", "/x/ok", 2, 5, "/ok");
    expect_expand("https://new.example/$1", "/x//y", 1, 5,
                  "https://new.example/x//y");
    expect_expand("/$1", "/x", -1, -1, "/");
    expect_expand("/s?q=$1", "/b&c=1", 1, 6, "/s?q=b%26c=1");
    expect_expand("/p/$1", "/b&c", 1, 4, "/p/b&c");
    expect_expand("/p/$1", "/a?x#y", 1, 6, "/p/a%3Fx%23y");

    CHECK(lrm_check_rule_target("/tags/$1", 8, 1) == NULL, "good target");
    CHECK(lrm_check_rule_target("/tags/$2", 8, 1) != NULL, "$2 of 1 group");
    CHECK(lrm_check_rule_target("/a$b", 4, 1) != NULL, "bare $");
    CHECK(lrm_check_rule_target("//evil", 6, 0) != NULL, "//host");
    CHECK(lrm_check_rule_target("https://$1/x", 12, 1) != NULL,
          "capture in host");
    CHECK(lrm_check_rule_target("https://x.example/$1", 20, 1) == NULL,
          "capture in path of absolute URL");
    CHECK(lrm_check_rule_target("/a b", 4, 0) != NULL, "space");
    CHECK(lrm_check_rule_target("/a\r\n", 4, 0) != NULL, "CR LF");
    CHECK(lrm_check_rule_target("ftp://x/", 8, 0) != NULL, "ftp");
    CHECK(lrm_check_rule_target("$1", 2, 1) == NULL, "capture first");

    expect_is_key("/blog/x//", "/blog/x/", 0, 1);
    expect_is_key("/same/%79", "/same/y", 0, 1);
    expect_is_key("/tag/x?from=feed", "/tag/x", 0, 1);
    expect_is_key("/a/b.html/#top", "/a/b.html", 0, 1);
    expect_is_key("/old/x", "/old/x", LRM_NORM_CASELESS, 1);
    expect_is_key("/Old/x", "/old/x", LRM_NORM_CASELESS, 1);
    expect_is_key("/Old/x", "/old/x", 0, 0);
    expect_is_key("/blog/x/", "/blog/x", 0, 0);
    expect_is_key("/a%2Fb", "/a/b", 0, 0);
    expect_is_key("https://example.org/x", "/x", 0, 0);
    expect_is_key("//x", "/x", 0, 0);
    expect_is_key("/../x", "/x", 0, 0);

    /* the next request's query, passed on or not, against this one's */
    expect_same_query("/s", "", 1, 1);
    expect_same_query("/s", "", 0, 1);
    expect_same_query("/s", "q=a", 1, 1);
    expect_same_query("/s", "q=a", 0, 0);
    expect_same_query("/s?m=1", "q=a", 1, 1);
    expect_same_query("/s?q=a", "q=a", 0, 1);
    expect_same_query("/s?m=0&q=a#top", "q=a", 0, 1);
    expect_same_query("/s?q=a", "q=a", 1, 0);
    expect_same_query("/s?q=a", "", 1, 0);
    expect_same_query("/s?q=b", "q=a", 0, 0);
    expect_same_query("/s#a?q=a", "q=a", 0, 0);

    {
        size_t       qlen = 99;
        const char  *q = lrm_target_query("/a?x=1#f?y", 10, &qlen);

        CHECK(q != NULL && qlen == 3 && memcmp(q, "x=1", 3) == 0,
              "the target's query ends at '#'");
        CHECK(lrm_target_query("/a#f?y", 6, &qlen) == NULL,
              "a '?' after '#' is no query");
    }

    /* a match_query rule needs the same query; a rule on the path alone
     * loops anyway, unless an earlier match_query rule may answer */
    CHECK(lrm_rule_answers_again("/s", 2, "q=a", 3, LRM_RULE_MATCH_QUERY,
                                 1, 0) == 1, "match_query, query kept");
    CHECK(lrm_rule_answers_again("/s", 2, "q=a", 3, LRM_RULE_MATCH_QUERY,
                                 0, 0) == 0, "match_query, query dropped");
    CHECK(lrm_rule_answers_again("/t?f=b", 6, "", 0, 0, 1, 0) == 1,
          "path rule adding a query");
    CHECK(lrm_rule_answers_again("/t?f=b", 6, "", 0, 0, 1, 1) == 0,
          "path rule adding a query, a match_query rule before it");
    CHECK(lrm_rule_answers_again("/t", 2, "", 0, 0, 1, 1) == 1,
          "path rule, same query, a match_query rule before it");
}


/* A target with CR/LF in a map from elsewhere: the record is refused. */
static void
test_unsafe_target_refused(void)
{
    lrm_writer_t   *w = lrm_writer_new(0);
    lrm_map_t       map;
    lrm_entry_t     e;
    unsigned char   buf[4096];
    char            err[128];
    size_t          size;
    FILE           *f = tmpfile();

    lrm_writer_add(w, "/a", 2, "/b\r\nX: y", 9, 301, 0, 0);
    lrm_writer_add(w, "/ok", 3, "/fine", 5, 301, 0, 0);
    CHECK(lrm_writer_write(w, fileno(f), err, sizeof(err)) == 0, "write");
    lrm_writer_free(w);

    size = (size_t) lseek(fileno(f), 0, SEEK_END);
    lseek(fileno(f), 0, SEEK_SET);
    CHECK(read(fileno(f), buf, size) == (ssize_t) size, "read");
    fclose(f);

    CHECK(lrm_open(&map, buf, size, err, sizeof(err)) == LRM_OK, "open");
    CHECK(lrm_lookup(&map, "/a", 2, &e) == LRM_ERROR,
          "a target with CR/LF is a damaged record");
    CHECK(lrm_lookup(&map, "/ok", 3, &e) == LRM_OK, "others still answer");
}


/* Rewrites a map's checksum after a test changed its bytes. */
static void
reseal(unsigned char *buf, size_t size)
{
    uint64_t  h = lrm_hash(buf, size - LRM_TRAILER_SIZE);
    size_t    i;

    for (i = 0; i < 8; i++) {
        buf[size - LRM_TRAILER_SIZE + i] = (unsigned char) (h >> (8 * i));
    }
}


/*
 * A 410 has no target and every other status has one: the writer refuses
 * anything else, and the reader takes a record or rule that breaks the
 * rule (with a valid checksum) as damaged.
 */
static void
test_gone_has_no_target(void)
{
    lrm_writer_t   *w = lrm_writer_new(0);
    lrm_map_t       map;
    lrm_entry_t     e;
    unsigned char   buf[4096];
    char            err[128];
    size_t          size, i;
    FILE           *f = tmpfile();

    CHECK(lrm_writer_add(w, "/g", 2, "/t", 2, 410, 0, 0) == -1,
          "writer: a 410 entry with a target is refused");
    CHECK(lrm_writer_add(w, "/m", 2, "", 0, 301, 0, 0) == -1,
          "writer: a 301 entry without a target is refused");
    CHECK(lrm_writer_add_rule(w, "^/g", 3, "/t", 2, 410, 0, 0, 0) == -1,
          "writer: a 410 rule with a target is refused");
    CHECK(lrm_writer_add_rule(w, "^/m", 3, "", 0, 302, 0, 0, 0) == -1,
          "writer: a 302 rule without a target is refused");
    CHECK(lrm_writer_add_rule(w, "^/x", 3, "/y", 2, 404, 0, 0, 0) == -1,
          "writer: a rule status a map cannot hold is refused");

    CHECK(lrm_writer_add(w, "/a", 2, "/b", 2, 301, 0, 0) == 0, "add /a");
    CHECK(lrm_writer_add_rule(w, "^/r", 3, "/s", 2, 302, 0, 0, 0) == 0,
          "add rule");
    CHECK(lrm_writer_write(w, fileno(f), err, sizeof(err)) == 0, "write");
    lrm_writer_free(w);

    size = (size_t) lseek(fileno(f), 0, SEEK_END);
    CHECK(size < sizeof(buf) && pread(fileno(f), buf, size, 0)
          == (ssize_t) size, "read");
    fclose(f);

    CHECK(lrm_open(&map, buf, size, err, sizeof(err)) == LRM_OK
          && lrm_lookup(&map, "/a", 2, &e) == LRM_OK && e.status == 301,
          "open: %s", err);

    /* the record of /a says 410 (status code 5) but keeps its target */
    i = (size_t) (e.key - (const char *) buf) - map.record_head;
    buf[i + 3] = (unsigned char) ((buf[i + 3] & 0x03) | 5 << 2);
    reseal(buf, size);
    CHECK(lrm_open(&map, buf, size, err, sizeof(err)) == LRM_OK
          && lrm_lookup(&map, "/a", 2, &e) == LRM_ERROR,
          "reader: a 410 record with a target is damaged");

    /* the rule says 410 but keeps its target */
    buf[i + 3] = (unsigned char) (buf[i + 3] & 0x03);
    i = map.rules_off + 4;
    CHECK(lrm_get16(buf + i + 2) == 302, "rule status where expected");
    buf[i + 2] = 410 & 0xff;
    buf[i + 3] = 410 >> 8;
    reseal(buf, size);
    CHECK(lrm_open(&map, buf, size, err, sizeof(err)) == LRM_ERROR,
          "reader: a 410 rule with a target is refused: %s", err);
}


static void
test_rules_round_trip(void)
{
    lrm_writer_t   *w = lrm_writer_new(LRM_F_SOURCES);
    lrm_map_t       map;
    lrm_rule_t      rule;
    unsigned char   buf[4096];
    char            err[128];
    size_t          off = 0, size;
    FILE           *f = tmpfile();
    long            src = lrm_writer_add_source(w, "redirect-map.yaml");

    CHECK(lrm_writer_add_rule(w, "^/a$", 4, "/b", 2, 302,
                              LRM_RULE_QUERY_DROP, (uint32_t) src, 7) == 0,
          "add rule");
    CHECK(lrm_writer_add_rule(w, "^/gone", 6, "", 0, 410, 0,
                              (uint32_t) src, 9) == 0, "add 410 rule");
    CHECK(lrm_writer_write(w, fileno(f), err, sizeof(err)) == 0, "write");
    lrm_writer_free(w);

    size = (size_t) lseek(fileno(f), 0, SEEK_END);
    lseek(fileno(f), 0, SEEK_SET);
    CHECK(size < sizeof(buf) && read(fileno(f), buf, size) == (ssize_t) size,
          "read");
    fclose(f);

    CHECK(lrm_open(&map, buf, size, err, sizeof(err)) == LRM_OK, "open: %s",
          err);
    CHECK(lrm_rule_count(&map) == 2, "two rules");
    CHECK(lrm_rule_next(&map, &off, &rule) == LRM_OK && rule.status == 302
          && rule.flags == LRM_RULE_QUERY_DROP && rule.line == 7
          && rule.pattern_len == 4 && memcmp(rule.pattern, "^/a$", 4) == 0
          && rule.target_len == 2 && rule.source_len == 17, "first rule");
    CHECK(lrm_rule_next(&map, &off, &rule) == LRM_OK && rule.status == 410
          && rule.target_len == 0, "second rule");
    CHECK(lrm_rule_next(&map, &off, &rule) == LRM_NOT_FOUND, "end");
}


/*
 * Provenance of every width: several sources, entries with no source,
 * line numbers up to 2^32 - 1, and every status a record can hold.
 */
static void
test_provenance(void)
{
    static const unsigned  statuses[] = { 301, 302, 303, 307, 308, 410 };
    static const uint32_t  lines[] = { 0, 1, 2, 255, 65536, 4294967295u };
    lrm_writer_t          *w = lrm_writer_new(LRM_F_SOURCES);
    lrm_map_t              map;
    lrm_entry_t            e;
    unsigned char         *buf;
    char                   key[64], name[64], err[128];
    FILE                  *f;
    const char            *source;
    size_t                 size, i, ok = 0, len;
    uint32_t               src;

    for (i = 0; i < 300; i++) {
        snprintf(name, sizeof(name), "posts/%zu.md", i % 100);
        src = i % 5 == 4 ? LRM_NO_SOURCE
                         : (uint32_t) lrm_writer_add_source(w, name);
        snprintf(key, sizeof(key), "/p/%zu", i);
        CHECK(lrm_writer_add(w, key, strlen(key), "/n", i % 6 == 5 ? 0 : 2,
                             statuses[i % 6], src, lines[i % 6]) == 0,
              "add %zu", i);
    }

    CHECK(lrm_writer_add(w, "/x", 2, "/y", 2, 404, 0, 1) == -1,
          "a status a record cannot hold is refused");

    f = tmpfile();
    CHECK(lrm_writer_write(w, fileno(f), err, sizeof(err)) == 0,
          "write: %s", err);
    lrm_writer_free(w);

    size = (size_t) lseek(fileno(f), 0, SEEK_END);
    buf = malloc(size);
    lseek(fileno(f), 0, SEEK_SET);
    CHECK(read(fileno(f), buf, size) == (ssize_t) size, "read back");
    fclose(f);

    CHECK(lrm_open(&map, buf, size, err, sizeof(err)) == LRM_OK,
          "open: %s", err);
    CHECK(map.line_bits == 32, "line bits %u", map.line_bits);

    for (i = 0; i < 300; i++) {
        snprintf(key, sizeof(key), "/p/%zu", i);
        snprintf(name, sizeof(name), "posts/%zu.md", i % 100);

        if (lrm_lookup(&map, key, strlen(key), &e) == LRM_OK
            && e.status == statuses[i % 6] && e.line == lines[i % 6]
            && (i % 5 == 4 ? e.source == LRM_NO_SOURCE
                             && lrm_source_name(&map, e.source, &len) == NULL
                           : (source = lrm_source_name(&map, e.source, &len))
                             != NULL
                             && len == strlen(name)
                             && memcmp(source, name, len) == 0))
        {
            ok++;
        }
    }

    CHECK(ok == 300, "%zu of 300 entries kept their provenance", ok);

    free(buf);
}


/*
 * More keys than a displacement byte can hold whose hashes share their top
 * 32 bits: no table size separates them, and the writer says so instead
 * of growing the table until memory runs out.
 */
static void
test_colliding_homes(void)
{
    lrm_writer_t  *w = lrm_writer_new(0);
    static char    keys[300][16];
    char           err[128];
    FILE          *f;
    size_t         i;
    int            added = 0;

    for (i = 0; i < 300; i++) {
        snprintf(keys[i], sizeof(keys[i]), "/c/%zu", i);
        added += lrm_writer_add_ref(w, UINT64_C(0x1234567800000000) + i,
                                    keys[i], strlen(keys[i]), "/t", 2, 301,
                                    LRM_NO_SOURCE, 0) == 0;
    }
    CHECK(added == 300, "%d of 300 added", added);

    f = tmpfile();
    CHECK(lrm_writer_write(w, fileno(f), err, sizeof(err)) == -1
          && strstr(err, "share one home slot"), "refused: %s", err);
    fclose(f);
    lrm_writer_free(w);
}


/* The radix sort: by the bits asked for, keeping the order of equals. */
static void
check_sort_u64(size_t n)
{
    uint64_t  *a = malloc(n * sizeof(uint64_t));
    size_t     i, bad = 0;

    srand(7);
    for (i = 0; i < n; i++) {
        a[i] = ((uint64_t) (rand() % 97) << 32 | (uint64_t) rand() << 48) | i;
    }

    CHECK(lrm_sort_u64(a, n, 32) == 0, "%zu sorted", n);
    for (i = 1; i < n; i++) {
        bad += (a[i - 1] >> 32) > (a[i] >> 32)
               || ((a[i - 1] >> 32) == (a[i] >> 32)
                   && (uint32_t) a[i - 1] > (uint32_t) a[i]);
    }
    CHECK(bad == 0, "%zu of %zu out of order", bad, n);
    free(a);
}


static void
test_sort_u64(void)
{
    uint64_t  one = 5;

    check_sort_u64(20000);          /* 8 bits a pass */
    check_sort_u64(70000);          /* 16 bits a pass */

    CHECK(lrm_sort_u64(&one, 0, 0) == 0, "nothing to sort");
}


int
main(void)
{
    test_normalise();
    test_url_path();
    test_round_trip(0, 0);
    test_round_trip(1, 0);
    test_round_trip(1000, LRM_F_SOURCES);
    test_round_trip(100000, 0);
    test_big_map_round_trip();
    test_gone_has_no_target();
    test_duplicate_refused();
    test_provenance();
    test_colliding_homes();
    test_sort_u64();
    test_damage();
    test_rules_helpers();
    test_rules_round_trip();
    test_unsafe_target_refused();

    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
