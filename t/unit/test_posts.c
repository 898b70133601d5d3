/*
 * test_posts.c - tests of the content reading part of redirect-map:
 * walk, front matter, dates, template and posts_collect().
 *
 * Builds fixtures in a temporary folder, runs posts_collect() on them and
 * checks the items and the messages.  Prints "N passed, M failed" last
 * and exits non-zero when something failed.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dates.h"
#include "diag.h"
#include "posts.h"
#include "template.h"
#include "walk.h"

static unsigned  passed, failed;
static char      base[] = "/tmp/test_posts.XXXXXX";

#define CHECK(cond)  check((cond), #cond, __LINE__)

static int
check(int ok, const char *what, int line)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL line %d: %s\n", line, what);
    }
    return ok;
}

static int
check_str(const char *got, const char *want, int line)
{
    int  ok = got != NULL && strcmp(got, want) == 0;

    if (!check(ok, want, line)) {
        printf("    got  '%s'\n    want '%s'\n", got ? got : "(null)", want);
    }
    return ok;
}

#define CHECK_STR(got, want)  check_str((got), (want), __LINE__)

static int
check_contains(const char *text, const char *want, int line)
{
    int  ok = text != NULL && strstr(text, want) != NULL;

    if (!check(ok, want, line)) {
        printf("    in   '%s'\n", text ? text : "(null)");
    }
    return ok;
}

#define CHECK_CONTAINS(text, want)  check_contains((text), (want), __LINE__)

/* ---- fixtures ------------------------------------------------------- */

static char *
fixture_path(const char *rel)
{
    static char  paths[8][4096];
    static int   next;
    char        *path = paths[next++ % 8];

    snprintf(path, sizeof(paths[0]), "%s/%s", base, rel);
    return path;
}

static void
make_parents(const char *path)
{
    char   copy[4096];
    char  *slash;

    snprintf(copy, sizeof(copy), "%s", path);
    for (slash = strchr(copy + 1, '/'); slash; slash = strchr(slash + 1, '/'))
    {
        *slash = '\0';
        if (mkdir(copy, 0755) != 0 && errno != EEXIST) {
            perror(copy);
            exit(2);
        }
        *slash = '/';
    }
}

static void
write_file(const char *rel, const char *text)
{
    const char  *path = fixture_path(rel);
    FILE        *fp;

    make_parents(path);
    fp = fopen(path, "wb");
    if (fp == NULL || fputs(text, fp) == EOF || fclose(fp) != 0) {
        perror(path);
        exit(2);
    }
}

static void
remove_tree(void)
{
    char  command[4200];

    snprintf(command, sizeof(command), "chmod -R u+rwx '%s' && rm -rf '%s'",
             base, base);
    if (system(command) != 0) {
        fprintf(stderr, "could not remove %s\n", base);
    }
}

/* ---- running posts_collect() with stderr captured --------------------- */

typedef struct {
    post_list_t  list;
    diag_t       diag;
    int          rc;
    char        *messages;
} run_t;

static char *
read_all(int fd)
{
    char    *text = NULL;
    size_t   len = 0;
    ssize_t  n;
    char     chunk[4096];

    lseek(fd, 0, SEEK_SET);
    text = calloc(1, 1);
    while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
        text = realloc(text, len + (size_t) n + 1);
        memcpy(text + len, chunk, (size_t) n);
        len += (size_t) n;
        text[len] = '\0';
    }
    return text;
}

static void
collect(run_t *r, const char *const *dirs, size_t ndirs, const char *key,
    const char *target)
{
    posts_options_t  opt = { .key = key, .target = target };
    char             log[] = "/tmp/test_posts.log.XXXXXX";
    int              fd, saved;

    memset(r, 0, sizeof(run_t));

    fd = mkstemp(log);
    unlink(log);
    fflush(stderr);
    saved = dup(2);
    dup2(fd, 2);

    r->rc = posts_collect(dirs, ndirs, &opt, &r->list, &r->diag);

    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    r->messages = read_all(fd);
    close(fd);
}

static void
collect_one(run_t *r, const char *rel, const char *target)
{
    const char  *dirs[1];

    dirs[0] = fixture_path(rel);
    collect(r, dirs, 1, NULL, target);
}

static void
run_free(run_t *r)
{
    posts_free(&r->list);
    free(r->messages);
}

static const post_redirect_t *
find_legacy(const run_t *r, const char *legacy)
{
    size_t  i;

    for (i = 0; i < r->list.count; i++) {
        if (strcmp(r->list.items[i].legacy, legacy) == 0) {
            return &r->list.items[i];
        }
    }
    return NULL;
}

/* The target for a legacy URL, or "(missing)". */
static const char *
target_of(const run_t *r, const char *legacy)
{
    const post_redirect_t  *item = find_legacy(r, legacy);

    return item ? item->target : "(missing)";
}

/* ---- tests ---------------------------------------------------------- */

static void
test_real_post(void)
{
    run_t                   r;
    const post_redirect_t  *item;
    char                    file[4096];

    write_file("real/python-3120-alpha-6-released/index.md",
        "---\n"
        "title: Python 3.12.0 alpha 6 released\n"
        "publishDate: '2023-03-08'\n"
        "updatedDate: '2023-03-08'\n"
        "author: Thomas Wouters\n"
        "description: 'I''m pleased to announce ...'\n"
        "tags: []\n"
        "published: true\n"
        "legacyUrl: /2023/03/python-3120-alpha-6-released.html\n"
        "---\n"
        "body...\n");

    collect_one(&r, "real", NULL);

    CHECK(r.rc == 0);
    CHECK(r.diag.errors == 0);
    CHECK(r.list.count == 1);
    CHECK(r.list.files_read == 1);
    CHECK(r.list.posts_skipped == 0);

    item = find_legacy(&r, "/2023/03/python-3120-alpha-6-released.html");
    if (CHECK(item != NULL)) {
        CHECK_STR(item->target, "/2023/03/python-3120-alpha-6-released");
        snprintf(file, sizeof(file), "%s/real/%s", base,
                 "python-3120-alpha-6-released/index.md");
        CHECK_STR(item->file, file);
        CHECK(item->line == 9);
        CHECK(item->column == 12);
        CHECK(item->unpublished == 0);
    }

    run_free(&r);
}

static void
test_dates_in_posts(void)
{
    static const char *const  posts[][2] = {
        { "plain", "publishDate: 2023-03-08\n" },
        { "quoted", "publishDate: \"2023-03-08\"\n" },
        { "midnight", "date: 2023-03-08T23:30:00-05:00\n" },
        { "month", "date: 2023-01-31T23:30:00-01:00\n" },
        { "year", "date: 2023-12-31 23:30:00 -05:00\n" },
        { "back", "date: 2024-01-01T00:30:00+05:30\n" },
        { "leap", "date: 2024-03-01T01:00+02:00\n" },
        { "noleap", "date: 2023-03-01T01:00:00+0200\n" },
        { "fraction", "date: 2023-03-08T23:59:59.999999Z\n" },
        { "nozone", "date: 2023-03-08T23:30\n" },
        { "pubdate", "pubDate: 2021-07-04\n" },
        { "emptyfirst", "publishDate: ''\ndate: ~\npubDate: 2020-02-29\n" },
        { "preferred", "pubDate: 2001-01-01\npublishDate: 2002-02-02\n" },
        { "shortzone", "date: 2023-06-30 22:00:00 -5\n" },
    };
    static const char *const  want[] = {
        "/2023/03/08/plain", "/2023/03/08/quoted", "/2023/03/08/midnight",
        "/2023/01/31/month", "/2023/12/31/year", "/2024/01/01/back",
        "/2024/03/01/leap", "/2023/03/01/noleap", "/2023/03/08/fraction",
        "/2023/03/08/nozone", "/2021/07/04/pubdate",
        "/2020/02/29/emptyfirst", "/2002/02/02/preferred",
        "/2023/06/30/shortzone",
    };
    char    rel[256], text[512], legacy[256];
    run_t   r;
    size_t  i;

    for (i = 0; i < sizeof(posts) / sizeof(posts[0]); i++) {
        snprintf(rel, sizeof(rel), "dates/%s.md", posts[i][0]);
        snprintf(text, sizeof(text), "---\n%slegacyUrl: /old/%s.html\n---\n",
                 posts[i][1], posts[i][0]);
        write_file(rel, text);
    }

    collect_one(&r, "dates", "/{year}/{month}/{day}/{slug}");
    CHECK(r.diag.errors == 0);
    CHECK_STR(r.messages, "");

    for (i = 0; i < sizeof(posts) / sizeof(posts[0]); i++) {
        snprintf(legacy, sizeof(legacy), "/old/%s.html", posts[i][0]);
        CHECK_STR(target_of(&r, legacy), want[i]);
    }

    run_free(&r);
}

static void
test_invalid_dates_in_posts(void)
{
    run_t  r;

    write_file("baddate/feb.md",
               "---\ntitle: x\ndate: 2023-02-29\nlegacyUrl: /a\n---\n");
    write_file("baddate/words.md",
               "---\npublishDate: 'next tuesday'\nlegacyUrl: /b\n---\n");
    write_file("baddate/list.md",
               "---\npublishDate: [2023-01-01]\nlegacyUrl: /c\n---\n");

    collect_one(&r, "baddate", NULL);

    CHECK(r.diag.errors == 3);
    CHECK(r.list.count == 0);
    CHECK_CONTAINS(r.messages, "baddate/feb.md:3:7: error: invalid date "
                   "'2023-02-29' in date: no such day in that month");
    CHECK_CONTAINS(r.messages, "baddate/words.md:2:14: error: invalid date "
                   "'next tuesday' in publishDate");
    CHECK_CONTAINS(r.messages, "baddate/list.md:2:14: error: publishDate "
                   "is a sequence, not a date");

    run_free(&r);

    /* the date is only looked at when the template uses it */
    collect_one(&r, "baddate", "/{slug}");
    CHECK(r.diag.errors == 0);
    CHECK(r.list.count == 3);
    run_free(&r);
}

static void
test_date_parse(void)
{
    static const char *const  bad[] = {
        "2023-02-29", "2023-13-01", "2023-00-10", "2023-04-31",
        "2023-03-08T25:00Z", "2023-03-08T23:60Z", "2023-03-08X",
        "2023-003-08", "2023-03-008", "23-03-08", "2023-03-08T", "2023-03-08T10:00+",
        "2023-03-08T10:00:00+01:0", "2023-03-08T10:00:00.Z",
        "2023-03-08T10:00:00 Z x", "", "2023-03-08T10:00+24:00",
        "Ju 8 2022", "Jul 32 2022", "Feb 29 2023", "Jul 8 22", "Julyy 8 2022",
        "8 2022", "Jul 2022", "Fri Jul", "Jul 8 2022 x", "Friday",
        "Sat, 09 Dec 2023 10:00:00 GMTX", "Sat, 09 Dec 2023 10:00:00 EST",
        "Sat, 09 Dec 2023 10:00:00 GMT+", "2023-12-09 10:00 (CET)",
        "Sat Dec 09 2023 10:00:00 GMT+0100 (CET",
    };
    static const struct {
        const char  *text;
        int          year, month, day;
    } named[] = {
        { "Jul 08 2022", 2022, 7, 8 },          /* Astro's blog template */
        { "July 8, 2022", 2022, 7, 8 },
        { "8 July 2022", 2022, 7, 8 },
        { "08 Jul. 2022", 2022, 7, 8 },
        { "Fri, Jul 8 2022", 2022, 7, 8 },
        { "Friday 8 July 2022", 2022, 7, 8 },
        { "sept 30 2021", 2021, 9, 30 },
        { "MAY 1 2020 10:30", 2020, 5, 1 },
        { "Feb 29 2024 23:30:00 -05:00", 2024, 2, 29 },
        { "Dec 31, 1999", 1999, 12, 31 },
        { "Sat, 09 Dec 2023 10:00:00 GMT", 2023, 12, 9 },   /* RFC 1123 */
        { "Sat, 09 Dec 2023 10:00:00 ut", 2023, 12, 9 },
        { "2023-12-09 10:00:00 UTC", 2023, 12, 9 },
        /* JavaScript's Date.toString() */
        { "Sat Dec 09 2023 10:00:00 GMT+0100 (Central European Standard "
          "Time)", 2023, 12, 9 },
    };
    post_date_t  d;
    size_t       i;
    long         day;
    int          ok = 1;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (!check(date_parse(bad[i], strlen(bad[i]), &d) != NULL, bad[i],
                   __LINE__))
        {
            printf("    accepted as %04d-%02d-%02d\n", d.year, d.month,
                   d.day);
        }
    }

    for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
        d.year = 0;
        check(date_parse(named[i].text, strlen(named[i].text), &d) == NULL
              && d.year == named[i].year && d.month == named[i].month
              && d.day == named[i].day, named[i].text, __LINE__);
    }

    CHECK(date_parse("2024-02-29", 10, &d) == NULL && d.day == 29);
    CHECK(date_parse("2016-5-4", 8, &d) == NULL && d.month == 5
          && d.day == 4);
    CHECK(date_parse("2016-5-4T09:31:00-07:00", 23, &d) == NULL
          && d.day == 4);
    CHECK(date_parse("2016-2-30", 9, &d) != NULL);
    CHECK(date_parse(" 2000-02-29 ", 12, &d) == NULL && d.month == 2);
    CHECK(date_parse("1900-02-29", 10, &d) != NULL);
    CHECK(date_parse("2023-03-08t23:30:00.5z", 22, &d) == NULL
          && d.day == 8);
    /* the day as written, in the timestamp's own zone */
    CHECK(date_parse("2023-03-08T20:00:00-04:00", 25, &d) == NULL
          && d.day == 8);
    CHECK(date_parse("2023-03-31T23:30:00-05:00", 25, &d) == NULL
          && d.month == 3 && d.day == 31);
    CHECK(date_parse("2023-04-01T00:30:00+02:00", 25, &d) == NULL
          && d.month == 4 && d.day == 1);
    CHECK(date_parse("9999-12-31T23:00-01:00", 22, &d) == NULL
          && d.year == 9999);
    CHECK(date_parse("2023-03-08T19:59:59-04:00", 25, &d) == NULL
          && d.day == 8);
    CHECK(date_parse("2023-03-08T23:59:60Z", 20, &d) == NULL);

    /* moved to a zone: Jekyll's and Astro's day */
    {
        date_zone_t  utc, plus14, minus12, berlin;

        CHECK(date_zone_set(&utc, "UTC") == NULL);
        CHECK(date_zone_set(&plus14, "+14:00") == NULL);
        CHECK(date_zone_set(&minus12, "-1200") == NULL);
        CHECK(date_zone_set(&utc, "+24:00") != NULL);
        CHECK(date_zone_set(&utc, "America") != NULL);      /* a folder */
        CHECK(date_zone_set(&utc, "Nowhere/Town") != NULL);
        CHECK(date_zone_set(&utc, "../../etc/passwd") != NULL);
        CHECK(date_zone_set(&utc, "UTC") == NULL);

        CHECK(date_parse("2017-09-28T22:28:00.000-07:00", 29, &d) == NULL
              && d.zoned);
        date_to_zone(&d, &utc);
        CHECK(d.year == 2017 && d.month == 9 && d.day == 29);

        CHECK(date_parse("2023-12-31T23:30:00-01:00", 25, &d) == NULL);
        date_to_zone(&d, &utc);
        CHECK(d.year == 2024 && d.month == 1 && d.day == 1);

        CHECK(date_parse("2024-01-01T00:30:00+01:00", 25, &d) == NULL);
        date_to_zone(&d, &minus12);
        CHECK(d.year == 2023 && d.month == 12 && d.day == 31);

        CHECK(date_parse("2024-02-28T20:00Z", 17, &d) == NULL);
        date_to_zone(&d, &plus14);
        CHECK(d.month == 2 && d.day == 29);

        /* GMT is UTC, and an offset after it counts */
        CHECK(date_parse("Wed, 28 Feb 2024 20:00:00 GMT", 29, &d) == NULL
              && d.zoned && d.offset == 0);
        date_to_zone(&d, &plus14);
        CHECK(d.month == 2 && d.day == 29);
        CHECK(date_parse("Thu Feb 29 2024 00:30:00 GMT+0100 (CET)", 39, &d)
              == NULL && d.zoned && d.offset == 60);
        date_to_zone(&d, &utc);
        CHECK(d.month == 2 && d.day == 28);

        /* a date alone, or a time without a zone, is a local time */
        CHECK(date_parse("2017-09-28", 10, &d) == NULL && !d.zoned);
        date_to_zone(&d, &plus14);
        CHECK(d.day == 28);
        CHECK(date_parse("2017-09-28 23:00", 16, &d) == NULL && !d.zoned);
        date_to_zone(&d, &plus14);
        CHECK(d.day == 28);

        /* a named zone follows its rules: summer time in Berlin */
        if (date_zone_set(&berlin, "Europe/Berlin") == NULL) {
            CHECK(date_parse("2023-07-31T22:30:00Z", 20, &d) == NULL);
            date_to_zone(&d, &berlin);
            CHECK(d.month == 8 && d.day == 1 && d.offset == 120);
            CHECK(date_parse("2023-01-31T22:30:00Z", 20, &d) == NULL);
            date_to_zone(&d, &berlin);
            CHECK(d.month == 1 && d.day == 31 && d.offset == 60);
        } else {
            printf("skipped the named zone test: no tz database\n");
        }
    }

    CHECK(days_from_civil(1970, 1, 1) == 0);
    CHECK(days_from_civil(2000, 3, 1) == 11017);
    CHECK(days_from_civil(1969, 12, 31) == -1);

    /* every day from 1600 to 2400 goes there and back */
    for (day = days_from_civil(1600, 1, 1);
         day <= days_from_civil(2400, 12, 31); day++)
    {
        civil_from_days(day, &d);
        if (days_from_civil(d.year, d.month, d.day) != day || d.day < 1
            || d.day > 31 || d.month < 1 || d.month > 12)
        {
            ok = 0;
            break;
        }
    }
    CHECK(ok);
}

static void
test_legacy_values(void)
{
    run_t                   r;
    const post_redirect_t  *item;

    write_file("legacy/list.md",
        "---\n"
        "date: 2022-05-06\n"
        "legacyUrl:\n"
        "  - /old/one.html\n"
        "  - ''\n"
        "  - ~\n"
        "  - '  /old/two.html  '\n"
        "---\n");
    write_file("legacy/flow.md",
        "---\ndate: 2022-05-06\nlegacyUrl: [/f/1, \"\", /f/2]\n---\n");
    write_file("legacy/absolute.md",
        "---\ndate: 2022-05-06\n"
        "legacyUrl: https://old.example.com/x.html?y=1#z\n---\n");
    write_file("legacy/missing.md", "---\ndate: 2022-05-06\n---\n");
    write_file("legacy/empty.md", "---\ndate: 2022-05-06\nlegacyUrl:\n---\n");
    write_file("legacy/tilde.md",
               "---\ndate: 2022-05-06\nlegacyUrl: ~\n---\n");
    write_file("legacy/null.md",
               "---\ndate: 2022-05-06\nlegacyUrl: null\n---\n");
    write_file("legacy/quoted-empty.md",
               "---\ndate: 2022-05-06\nlegacyUrl: ''\n---\n");
    write_file("legacy/empty-list.md",
               "---\ndate: 2022-05-06\nlegacyUrl: []\n---\n");
    write_file("legacy/blank-list.md",
               "---\ndate: 2022-05-06\nlegacyUrl: ['', ~]\n---\n");
    write_file("legacy/no-date-no-url.md", "---\ntitle: t\n---\n");
    write_file("legacy/alias.md",
        "---\ndate: 2022-05-06\nold: &urls [/al/1, /al/2]\n"
        "legacyUrl: *urls\n---\n");

    collect_one(&r, "legacy", NULL);

    CHECK(r.diag.errors == 0);
    CHECK_STR(r.messages, "");
    CHECK(r.list.count == 7);
    CHECK(r.list.posts_skipped == 8);
    CHECK(r.list.files_read == 12);

    item = find_legacy(&r, "/old/one.html");
    if (CHECK(item != NULL)) {
        CHECK_STR(item->target, "/2022/05/list");
        CHECK(item->line == 4 && item->column == 5);
    }
    item = find_legacy(&r, "/old/two.html");
    if (CHECK(item != NULL)) {
        CHECK(item->line == 7 && item->column == 5);
    }
    item = find_legacy(&r, "/f/2");
    if (CHECK(item != NULL)) {
        CHECK(item->line == 3 && item->column == 23);
    }
    CHECK_STR(target_of(&r, "/f/1"), "/2022/05/flow");
    CHECK_STR(target_of(&r, "https://old.example.com/x.html?y=1#z"),
              "/2022/05/absolute");
    CHECK_STR(target_of(&r, "/al/1"), "/2022/05/alias");
    CHECK_STR(target_of(&r, "/al/2"), "/2022/05/alias");

    run_free(&r);
}

static void
test_bad_legacy_values(void)
{
    run_t  r;

    write_file("badlegacy/map.md",
               "---\ndate: 2022-05-06\nlegacyUrl: {a: b}\n---\n");
    write_file("badlegacy/nested.md",
        "---\ndate: 2022-05-06\nlegacyUrl:\n  - /ok\n  - [/x]\n---\n");
    write_file("badlegacy/nul.md",
               "---\ndate: 2022-05-06\nlegacyUrl: \"/a\\0b\"\n---\n");

    collect_one(&r, "badlegacy", NULL);

    CHECK(r.diag.errors == 3);
    CHECK(r.list.count == 0);
    CHECK_CONTAINS(r.messages, "badlegacy/map.md:3:12: error: legacyUrl is "
                   "a mapping, not a URL or a list of URLs");
    CHECK_CONTAINS(r.messages, "badlegacy/nested.md:5:5: error: item 2 of "
                   "legacyUrl is a sequence, not a URL");
    CHECK_CONTAINS(r.messages, "badlegacy/nul.md:3:12: error: legacyUrl "
                   "contains a NUL character");

    run_free(&r);
}

static void
test_file_kinds(void)
{
    run_t  r;

    write_file("kinds/crlf.md", "---\r\ntitle: CRLF\r\ndate: 2020-01-02\r\n"
               "legacyUrl: /crlf.html\r\n---\r\nbody\r\n");
    write_file("kinds/bom.md", "\xef\xbb\xbf---\ntitle: BOM\n"
               "date: 2020-01-02\nlegacyUrl: /bom.html\n---\n");
    write_file("kinds/blanks.md", "---  \ndate: 2020-01-02\n"
               "legacyUrl: /blanks.html\n...\t\n");
    write_file("kinds/noeol.md", "---\ndate: 2020-01-02\n"
               "legacyUrl: /noeol.html\n---");
    write_file("kinds/x.mdx", "---\ndate: 2020-01-02\nlegacyUrl: /mdx\n---\n");
    write_file("kinds/y.mdoc",
               "---\ndate: 2020-01-02\nlegacyUrl: /mdoc\n---\n");
    write_file("kinds/z.markdown",
               "---\ndate: 2020-01-02\nlegacyUrl: /markdown\n---\n");
    write_file("kinds/note.txt",
               "---\ndate: 2020-01-02\nlegacyUrl: /txt\n---\n");
    write_file("kinds/.hidden.md",
               "---\ndate: 2020-01-02\nlegacyUrl: /hidden\n---\n");
    write_file("kinds/plain.md", "# Just markdown\n\n---\nlegacyUrl: /no\n");
    write_file("kinds/late.md", "\n---\nlegacyUrl: /late\n---\n");
    write_file("kinds/empty.md", "");
    write_file("kinds/dashes.md", "----\nlegacyUrl: /dashes\n----\n");
    write_file("kinds/fm-empty.md", "---\n---\nbody\n");
    write_file("kinds/fm-null.md", "---\nnull\n---\n");
    write_file("kinds/fm-comment.md", "---\n# nothing here\n---\n");
    write_file("kinds/index.md", "---\ndate: 2020-01-02\n"
               "legacyUrl: /kinds-index\n---\n");

    collect_one(&r, "kinds", "/{slug}");

    CHECK(r.diag.errors == 0);
    CHECK_STR(r.messages, "");
    CHECK_STR(target_of(&r, "/crlf.html"), "/crlf");
    CHECK_STR(target_of(&r, "/bom.html"), "/bom");
    CHECK_STR(target_of(&r, "/blanks.html"), "/blanks");
    CHECK_STR(target_of(&r, "/noeol.html"), "/noeol");
    CHECK_STR(target_of(&r, "/mdx"), "/x");
    CHECK_STR(target_of(&r, "/mdoc"), "/y");
    CHECK_STR(target_of(&r, "/markdown"), "/z");
    CHECK_STR(target_of(&r, "/kinds-index"), "/kinds");
    CHECK(find_legacy(&r, "/txt") == NULL);
    CHECK(find_legacy(&r, "/hidden") == NULL);
    CHECK(find_legacy(&r, "/no") == NULL);
    CHECK(find_legacy(&r, "/late") == NULL);
    CHECK(find_legacy(&r, "/dashes") == NULL);
    CHECK(r.list.count == 8);
    /* 15 post-named files (not .txt, not hidden), 4 without front matter,
     * 3 posts without fields */
    CHECK(r.list.files_read == 15);
    CHECK(r.list.files_ignored == 4);
    CHECK(r.list.posts_skipped == 3);

    run_free(&r);
}

static void
test_slugs(void)
{
    size_t       len;
    const char  *slug;

    slug = template_slug("posts/hello-world/index.md", &len, 0);
    CHECK(len == 11 && memcmp(slug, "hello-world", len) == 0);
    slug = template_slug("posts/hello-world/index.mdx", &len, 0);
    CHECK(len == 11 && memcmp(slug, "hello-world", len) == 0);
    slug = template_slug("posts/hello.world.md", &len, 0);
    CHECK(len == 11 && memcmp(slug, "hello.world", len) == 0);
    slug = template_slug("posts/indexes.md", &len, 0);
    CHECK(len == 7 && memcmp(slug, "indexes", len) == 0);
    slug = template_slug("index.md", &len, 0);
    CHECK(len == 5 && memcmp(slug, "index", len) == 0);
    slug = template_slug("./index.md", &len, 0);
    CHECK(len == 5 && memcmp(slug, "index", len) == 0);
    slug = template_slug("/index.md", &len, 0);
    CHECK(len == 5 && memcmp(slug, "index", len) == 0);
    slug = template_slug("a/.md", &len, 0);
    CHECK(len == 3 && memcmp(slug, ".md", len) == 0);

    /* Hugo: a section's page, and bundles in several languages */
    slug = template_slug("content/travel/_index.md", &len, 0);
    CHECK(len == 6 && memcmp(slug, "travel", len) == 0);
    slug = template_slug("posts/trip/index.en.md", &len, 0);
    CHECK(len == 4 && memcmp(slug, "trip", len) == 0);
    slug = template_slug("posts/trip/_index.pt-br.md", &len, 0);
    CHECK(len == 4 && memcmp(slug, "trip", len) == 0);
    slug = template_slug("posts/trip/index.en.draft.md", &len, 0);
    CHECK(len == 14 && memcmp(slug, "index.en.draft", len) == 0);
    slug = template_slug("posts/trip/index..md", &len, 0);
    CHECK(len == 6 && memcmp(slug, "index.", len) == 0);
    slug = template_slug("posts/trip/indexen.md", &len, 0);
    CHECK(len == 7 && memcmp(slug, "indexen", len) == 0);

    /* Jekyll: the title after the date, in a _posts folder only */
    slug = template_slug("site/_posts/2023-03-07-a-title.md", &len, 0);
    CHECK(len == 7 && memcmp(slug, "a-title", len) == 0);
    slug = template_slug("_posts/2023/2023-03-07-b.markdown", &len, 0);
    CHECK(len == 1 && memcmp(slug, "b", len) == 0);
    slug = template_slug("blog/2023-03-07-c.md", &len, 0);
    CHECK(len == 12 && memcmp(slug, "2023-03-07-c", len) == 0);
    slug = template_slug("my_posts/2023-03-07-d.md", &len, 0);
    CHECK(len == 12 && memcmp(slug, "2023-03-07-d", len) == 0);
    slug = template_slug("_posts/2023-03-07-.md", &len, 0);
    CHECK(len == 11 && memcmp(slug, "2023-03-07-", len) == 0);
    slug = template_slug("_posts/2023-3-7-e.md", &len, 0);
    CHECK(len == 1 && memcmp(slug, "e", len) == 0);
    slug = template_slug("_posts/23-03-07-f.md", &len, 0);
    CHECK(len == 10 && memcmp(slug, "23-03-07-f", len) == 0);
    slug = template_slug("_posts/2023-003-07-g.md", &len, 0);
    CHECK(len == 13 && memcmp(slug, "2023-003-07-g", len) == 0);
    slug = template_slug("_posts/2023-03-07_h.md", &len, 0);
    CHECK(len == 12 && memcmp(slug, "2023-03-07_h", len) == 0);
    slug = template_slug("_posts/2023-03-07-i/index.md", &len, 0);
    CHECK(len == 12 && memcmp(slug, "2023-03-07-i", len) == 0);

    /* {path}: the post's place in its content folder */
    slug = template_path("notes/x.md", &len);
    CHECK(len == 7 && memcmp(slug, "notes/x", len) == 0);
    slug = template_path("a/b/index.md", &len);
    CHECK(len == 3 && memcmp(slug, "a/b", len) == 0);
    slug = template_path("a/b/index.en.md", &len);
    CHECK(len == 3 && memcmp(slug, "a/b", len) == 0);
    slug = template_path("a/b/b.md", &len);
    CHECK(len == 3 && memcmp(slug, "a/b", len) == 0);
    slug = template_path("a/b/bb.md", &len);
    CHECK(len == 6 && memcmp(slug, "a/b/bb", len) == 0);
    slug = template_path("x.md", &len);
    CHECK(len == 1 && memcmp(slug, "x", len) == 0);
    slug = template_path("2020/2020-01-01-y.md", &len);
    CHECK(len == 17 && memcmp(slug, "2020/2020-01-01-y", len) == 0);

    /* --date-prefix: in any folder, of bundles too, '_' as Zola has it */
    slug = template_slug("blog/2023-03-07-c.md", &len, 1);
    CHECK(len == 1 && memcmp(slug, "c", len) == 0);
    slug = template_slug("blog/2022-01-01-second/index.md", &len, 1);
    CHECK(len == 6 && memcmp(slug, "second", len) == 0);
    slug = template_slug("content/2018-10-10_hello.md", &len, 1);
    CHECK(len == 5 && memcmp(slug, "hello", len) == 0);
    slug = template_slug("blog/2023-03-07.md", &len, 1);
    CHECK(len == 10 && memcmp(slug, "2023-03-07", len) == 0);
    slug = template_slug("blog/20230307-x.md", &len, 1);
    CHECK(len == 10 && memcmp(slug, "20230307-x", len) == 0);
}

static void
test_jekyll_file_dates(void)
{
    post_date_t  d;
    char         shown[16];

    CHECK(template_file_date("x/_posts/2023-03-07-a.md", &d, shown, 16, 0)
          == 1 && d.year == 2023 && d.month == 3 && d.day == 7);
    CHECK(template_file_date("_posts/2023-3-8-b.md", &d, shown, 16, 0) == 1
          && d.month == 3 && d.day == 8);
    CHECK(template_file_date("x/posts/2023-03-07-a.md", &d, shown, 16, 0)
          == 0);
    CHECK(template_file_date("_posts/2023-02-30-a.md", &d, shown, 16, 0)
          == -1);
    CHECK_STR(shown, "2023-02-30");
    CHECK(template_file_date("_posts/2023-13-45-a.md", &d, shown, 16, 0)
          == -1);
    CHECK_STR(shown, "2023-13-45");
    CHECK(template_file_date("_posts/a.md", &d, shown, 16, 0) == 0);

    /* --date-prefix */
    CHECK(template_file_date("x/posts/2023-03-07-a.md", &d, shown, 16, 1)
          == 1 && d.year == 2023 && d.month == 3 && d.day == 7);
    CHECK(template_file_date("blog/2022-01-01_b/index.md", &d, shown, 16,
                             1) == 1 && d.year == 2022 && d.day == 1);
    CHECK(template_file_date("blog/2022-02-30-b/index.md", &d, shown, 16,
                             1) == -1);
    CHECK_STR(shown, "2022-02-30");
    CHECK(template_file_date("blog/2022-01-01-b/index.md", &d, shown, 16, 0)
          == 0);
}

static void
test_slug_field(void)
{
    run_t  r;

    write_file("slugs/a.md", "---\nslug: custom-slug\nlegacyUrl: /a\n---\n");
    write_file("slugs/b/index.md", "---\nslug: Café Olé\n"
               "legacyUrl: /b\n---\n");
    write_file("slugs/c.md", "---\nslug: ''\nlegacyUrl: /c\n---\n");
    write_file("slugs/d.md", "---\nslug: ~\nlegacyUrl: /d\n---\n");
    write_file("slugs/e.md", "---\nslug: [x]\nlegacyUrl: /e\n---\n");

    collect_one(&r, "slugs", "/blog/{slug}/");

    CHECK(r.diag.errors == 1);
    CHECK(strstr(r.messages, "slugs/e.md:2:7: error: template needs "
                 "{slug} but slug is a sequence") != NULL);
    CHECK_STR(target_of(&r, "/a"), "/blog/custom-slug/");
    CHECK_STR(target_of(&r, "/b"), "/blog/Caf%C3%A9%20Ol%C3%A9/");
    CHECK_STR(target_of(&r, "/c"), "/blog/c/");
    CHECK_STR(target_of(&r, "/d"), "/blog/d/");

    run_free(&r);
}

static void
test_fields_in_template(void)
{
    run_t  r;

    write_file("fields/a.md", "---\ncategory: Python News\n"
               "legacyUrl: /a\n---\n");
    write_file("fields/b.md", "---\ncategory: café/ünï\n"
               "legacyUrl: /b\n---\n");
    write_file("fields/c.md", "---\ncategory: '100%25 ok %zz?#<>\"{|}^`\\'\n"
               "legacyUrl: /c\n---\n");
    write_file("fields/d.md", "---\ncategory: 42\nlegacyUrl: /d\n---\n");
    write_file("fields/e.md", "---\ncategory: true\nlegacyUrl: /e\n---\n");
    write_file("fields/my post.md", "---\ncategory: x\n"
               "legacyUrl: /f\n---\n");

    collect_one(&r, "fields", "/blog/{category}/{slug}/");

    CHECK(r.diag.errors == 0);
    CHECK_STR(r.messages, "");
    CHECK_STR(target_of(&r, "/a"), "/blog/Python%20News/a/");
    CHECK_STR(target_of(&r, "/b"), "/blog/caf%C3%A9/%C3%BCn%C3%AF/b/");
    CHECK_STR(target_of(&r, "/c"),
              "/blog/100%25%20ok%20%25zz%3F%23%3C%3E%22%7B%7C%7D%5E%60%5C/c/");
    CHECK_STR(target_of(&r, "/d"), "/blog/42/d/");
    CHECK_STR(target_of(&r, "/e"), "/blog/true/e/");
    CHECK_STR(target_of(&r, "/f"), "/blog/x/my%20post/");

    run_free(&r);
}

static void
test_missing_fields(void)
{
    run_t  r;

    write_file("missing/nodate.md", "---\ntitle: t\nlegacyUrl: /n\n---\n");
    write_file("missing/nocat.md",
               "---\ndate: 2020-01-01\nlegacyUrl: /c\n---\n");
    write_file("missing/mapcat.md",
               "---\ndate: 2020-01-01\ncategory: {a: 1}\nlegacyUrl: /m\n---\n");
    write_file("missing/nullcat.md",
               "---\ndate: 2020-01-01\ncategory:\nlegacyUrl: /u\n---\n");
    write_file("missing/emptycat.md",
               "---\ndate: 2020-01-01\ncategory: \"\"\nlegacyUrl: /e\n---\n");
    write_file("missing/tabcat.md",
               "---\ndate: 2020-01-01\ncategory: \"a\\tb\"\nlegacyUrl: /t\n"
               "---\n");
    write_file("missing/nourl.md", "---\ntitle: no url, no problem\n---\n");

    collect_one(&r, "missing", "/{category}/{year}/{slug}");

    CHECK(r.list.count == 0);
    CHECK(r.diag.errors == 6);
    CHECK_CONTAINS(r.messages, "missing/nodate.md:1: error: template needs "
                   "{year} but the post has no publishDate, date or "
                   "pubDate\n");
    CHECK_CONTAINS(r.messages, "missing/nocat.md:1: error: template needs "
                   "{category} but the post has no category\n");
    CHECK_CONTAINS(r.messages, "missing/mapcat.md:3:11: error: template "
                   "needs {category} but category is a mapping");
    CHECK_CONTAINS(r.messages, "missing/nullcat.md:3:10: error: template "
                   "needs {category} but category is null");
    CHECK_CONTAINS(r.messages, "missing/emptycat.md:3:11: error: template "
                   "needs {category} but category is empty");
    CHECK_CONTAINS(r.messages, "missing/tabcat.md:3:11: error: the value "
                   "for {category} contains a control character (0x09)");

    run_free(&r);
}

static void
test_bad_templates(void)
{
    static const char *const  templates[][2] = {
        { "/{year/{slug}", "'{' at offset 1 has no matching '}'" },
        { "/{slug", "'{' at offset 1 has no matching '}'" },
        { "/slug}", "'}' at offset 5 has no matching '{'" },
        { "/{}/x", "invalid placeholder '{}'" },
        { "/{a b}/x", "invalid placeholder '{a b}'" },
        { "/{9lives}", "invalid placeholder '{9lives}'" },
        { "/blog//{slug}", "has an empty segment (\"//\")" },
        { "/blog//{slug}?from=x", "has an empty segment" },
        { "/blog/../{slug}", "has a dot segment" },
        { "/{slug}/.", "has a dot segment" },
    };
    run_t   r;
    size_t  i;

    write_file("tpl/a.md", "---\ndate: 2020-01-01\nlegacyUrl: /a\n---\n");
    write_file("tpl/b.md", "---\ndate: 2020-01-01\nlegacyUrl: /b\n---\n");

    for (i = 0; i < sizeof(templates) / sizeof(templates[0]); i++) {
        collect_one(&r, "tpl", templates[i][0]);
        CHECK(r.diag.errors == 1);
        CHECK(r.list.count == 0);
        CHECK(strncmp(r.messages, "redirect-map: error: target template '",
                      38) == 0);
        CHECK_CONTAINS(r.messages, templates[i][1]);
        run_free(&r);
    }
}

static void
test_yaml_errors(void)
{
    run_t  r;

    write_file("yaml/syntax.md",
        "---\n"
        "title: ok\n"
        "bad: a: b\n"
        "legacyUrl: /x\n"
        "---\n");
    write_file("yaml/flow.md",
        "---\r\n"
        "title: ok\r\n"
        "tags: [a, b\r\n"
        "legacyUrl: /y\r\n"
        "---\r\n");
    write_file("yaml/unclosed.md", "---\ntitle: x\nlegacyUrl: /z\n");
    write_file("yaml/list.md", "---\n- a\n- b\n---\n");
    write_file("yaml/scalar.md", "---\njust text\n---\n");
    write_file("yaml/dup.md",
               "---\nlegacyUrl: /d1\ntitle: t\nlegacyUrl: /d2\n---\n");
    write_file("yaml/alias.md", "---\nlegacyUrl: *nowhere\n---\n");
    write_file("yaml/utf8.md", "---\ntitle: ok\ntitle2: \xff\n---\n");
    write_file("yaml/twodocs.md", "---\na: 1\n--- b\n---\n");

    collect_one(&r, "yaml", NULL);

    CHECK(r.list.count == 0);
    CHECK(r.diag.errors == 9);
    CHECK(r.list.files_read == 9);
    CHECK_CONTAINS(r.messages, "yaml/syntax.md:3:7: error: mapping values "
                   "are not allowed in this context\n");
    CHECK_CONTAINS(r.messages, "yaml/flow.md:4:10: error: did not find "
                   "expected ',' or ']' (while parsing a flow sequence)\n");
    CHECK_CONTAINS(r.messages, "yaml/unclosed.md:1: error: front matter is "
                   "not closed\n");
    CHECK_CONTAINS(r.messages, "yaml/list.md:2:1: error: front matter is a "
                   "sequence, not a mapping\n");
    CHECK_CONTAINS(r.messages, "yaml/scalar.md:2:1: error: front matter is "
                   "a scalar, not a mapping\n");
    CHECK_CONTAINS(r.messages, "yaml/dup.md:4:1: error: duplicate key "
                   "'legacyUrl' (first at line 2)\n");
    CHECK_CONTAINS(r.messages, "yaml/alias.md:2:12: error: found undefined "
                   "alias");
    CHECK_CONTAINS(r.messages, "yaml/utf8.md:3:9: error: invalid leading "
                   "UTF-8 octet");
    CHECK_CONTAINS(r.messages, "yaml/twodocs.md:3:1: error: front matter "
                   "holds more than one YAML document\n");

    run_free(&r);
}

static void
test_unpublished(void)
{
    static const char *const  posts[][3] = {
        { "pub-true", "published: true\n", "0" },
        { "pub-false", "published: false\n", "1" },
        { "pub-False", "published: False\n", "1" },
        { "pub-quoted", "published: 'false'\n", "1" },
        { "pub-no", "published: no\n", "1" },
        { "pub-Off", "published: Off\n", "1" },
        { "pub-YES", "published: YES\n", "0" },
        { "pub-null", "published: ~\n", "0" },
        { "draft-yes", "draft: yes\n", "1" },
        { "draft-On", "draft: On\n", "1" },
        { "draft-empty", "draft:\n", "0" },
        { "draft-true", "draft: true\n", "1" },
        { "draft-TRUE", "draft: TRUE\n", "1" },
        { "draft-false", "draft: false\n", "0" },
        { "both", "published: true\ndraft: true\n", "1" },
        { "neither", "title: x\n", "0" },
    };
    char                    rel[256], text[512], legacy[256];
    const post_redirect_t  *item;
    run_t                   r;
    size_t                  i;

    for (i = 0; i < sizeof(posts) / sizeof(posts[0]); i++) {
        snprintf(rel, sizeof(rel), "unpub/%s.md", posts[i][0]);
        snprintf(text, sizeof(text), "---\n%slegacyUrl: [/u/%s, /v/%s]\n"
                 "date: 2020-01-01\n---\n", posts[i][1], posts[i][0],
                 posts[i][0]);
        write_file(rel, text);
    }

    collect_one(&r, "unpub", NULL);
    CHECK(r.diag.errors == 0);

    for (i = 0; i < sizeof(posts) / sizeof(posts[0]); i++) {
        snprintf(legacy, sizeof(legacy), "/v/%s", posts[i][0]);
        item = find_legacy(&r, legacy);
        if (check(item != NULL, legacy, __LINE__)) {
            check(item->unpublished == (posts[i][2][0] == '1'), posts[i][0],
                  __LINE__);
        }
    }

    run_free(&r);
}

static void
test_unpublished_without_date(void)
{
    const post_redirect_t  *item;
    run_t                   r;

    /* a draft needs no target, so no date: it answers 410 */
    write_file("nodate/wip.md", "---\ndraft: true\nlegacyUrl: /w\n---\n");
    write_file("nodate/bad.md", "---\npublished: maybe\ndate: 2020-01-01\n"
               "legacyUrl: /m\n---\n");
    write_file("nodate/list.md", "---\ndraft: [1]\ndate: 2020-01-01\n"
               "legacyUrl: /l\n---\n");

    collect_one(&r, "nodate", NULL);

    CHECK(r.diag.errors == 2);
    CHECK(strstr(r.messages, "nodate/bad.md:2:12: error: published is "
                 "\"maybe\", not true or false") != NULL);
    CHECK(strstr(r.messages, "nodate/list.md:2:8: error: draft is a "
                 "sequence, not true or false") != NULL);
    item = find_legacy(&r, "/w");
    CHECK(item != NULL && item->unpublished && item->target[0] == '\0');
    CHECK(find_legacy(&r, "/m") == NULL && find_legacy(&r, "/l") == NULL);

    run_free(&r);
}

static void
test_walk_order_and_paths(void)
{
    const char  *dirs[2];
    char         want[4096];
    run_t        r;
    size_t       i;
    static const char *const  order[] = {
        "B.md", "a.md", "b/c.md", "b/d/e.md", "b.md", "c.md",
    };

    for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        snprintf(want, sizeof(want), "order/%s", order[5 - i]);
        write_file(want, "---\nlegacyUrl: /x\n---\n");
    }

    snprintf(want, sizeof(want), "%s/order/", base);
    dirs[0] = want;
    collect(&r, dirs, 1, NULL, "/{slug}");

    CHECK(r.list.count == 6);
    for (i = 0; i < r.list.count && i < 6; i++) {
        snprintf(want, sizeof(want), "%s/order/%s", base, order[i]);
        CHECK_STR(r.list.items[i].file, want);
    }
    run_free(&r);

    /* a single file as a folder argument, and a missing folder */
    snprintf(want, sizeof(want), "%s/nowhere", base);
    dirs[0] = fixture_path("order/b/d/e.md");
    dirs[1] = want;
    collect(&r, dirs, 2, NULL, "/{slug}");
    CHECK(r.list.count == 1);
    CHECK(r.diag.errors == 1);
    CHECK_CONTAINS(r.messages, "/nowhere: error: cannot read content folder: "
                   "No such file or directory\n");
    run_free(&r);

    collect(&r, dirs, 0, NULL, NULL);
    CHECK(r.diag.errors == 1);
    run_free(&r);
}

static void
test_symlinks(void)
{
    run_t  r;

    write_file("links/top.md", "---\nlegacyUrl: /top\n---\n");
    write_file("links/sub/inner.md", "---\nlegacyUrl: /inner\n---\n");
    write_file("other/outside.md", "---\nlegacyUrl: /outside\n---\n");

    CHECK(symlink("..", fixture_path("links/sub/up")) == 0);
    CHECK(symlink(".", fixture_path("links/sub/self")) == 0);
    CHECK(symlink("../../other", fixture_path("links/sub/away")) == 0);
    CHECK(symlink("../top.md", fixture_path("links/sub/linked.md")) == 0);

    collect_one(&r, "links", "/{slug}");

    CHECK(r.diag.errors == 0);
    CHECK_STR(r.messages, "");
    CHECK_STR(target_of(&r, "/inner"), "/inner");
    CHECK_STR(target_of(&r, "/outside"), "/outside");
    /* links/top.md once as itself and once through sub/linked.md; "sub"
     * sorts before "top.md" */
    if (CHECK(r.list.count == 4)) {
        CHECK_STR(r.list.items[0].legacy, "/outside");
        CHECK_CONTAINS(r.list.items[0].file, "/links/sub/away/outside.md");
        CHECK_STR(r.list.items[1].legacy, "/inner");
        CHECK_STR(r.list.items[2].legacy, "/top");
        CHECK_STR(r.list.items[2].target, "/linked");
        CHECK_STR(r.list.items[3].legacy, "/top");
        CHECK_STR(r.list.items[3].target, "/top");
    }
    run_free(&r);

    /* a dangling link is reported, the rest is read */
    CHECK(symlink("nothing-here", fixture_path("links/sub/dangling.md"))
          == 0);
    collect_one(&r, "links", "/{slug}");
    CHECK(r.diag.errors == 1);
    CHECK(r.list.count == 4);
    CHECK_CONTAINS(r.messages, "links/sub/dangling.md: error: cannot read: "
                   "No such file or directory");
    run_free(&r);
}

static void
test_unreadable(void)
{
    run_t  r;

    write_file("locked/ok.md", "---\nlegacyUrl: /ok\n---\n");
    write_file("locked/secret/hidden.md", "---\nlegacyUrl: /secret\n---\n");
    write_file("locked/closed.md", "---\nlegacyUrl: /closed\n---\n");

    if (geteuid() == 0) {
        printf("skipped the unreadable files test: running as root\n");
        return;
    }

    chmod(fixture_path("locked/secret"), 0);
    chmod(fixture_path("locked/closed.md"), 0);

    collect_one(&r, "locked", "/{slug}");
    CHECK(r.diag.errors == 2);
    CHECK(r.list.count == 1);
    CHECK(r.list.files_read == 1);
    CHECK_CONTAINS(r.messages, "locked/secret: error: cannot open folder: "
                   "Permission denied\n");
    CHECK_CONTAINS(r.messages, "locked/closed.md: error: cannot open: "
                   "Permission denied\n");
    run_free(&r);

    chmod(fixture_path("locked/secret"), 0755);
    chmod(fixture_path("locked/closed.md"), 0644);
}

/* Writes a file of size bytes starting with head; the rest is a hole or
 * lines of 'x'. */
static void
write_big_file(const char *rel, const char *head, off_t size, int lines)
{
    const char  *path = fixture_path(rel);
    char         line[1024];
    off_t        done;
    int          fd;

    make_parents(path);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, head, strlen(head)) != (ssize_t) strlen(head)) {
        perror(path);
        exit(2);
    }

    if (lines) {
        memset(line, 'x', sizeof(line) - 1);
        line[sizeof(line) - 1] = '\n';
        for (done = (off_t) strlen(head); done < size;
             done += (off_t) sizeof(line))
        {
            if (write(fd, line, sizeof(line)) != (ssize_t) sizeof(line)) {
                perror(path);
                exit(2);
            }
        }
    } else if (ftruncate(fd, size) != 0) {
        perror(path);
        exit(2);
    }

    close(fd);
}

static void
test_big_files(void)
{
    run_t  r;

    /* 100 MB with the front matter at the start: only the head is read */
    write_big_file("big/huge.md", "---\nlegacyUrl: /huge\n---\n",
                   (off_t) 100 << 20, 0);
    collect_one(&r, "big", "/{slug}");
    CHECK(r.diag.errors == 0);
    CHECK_STR(target_of(&r, "/huge"), "/huge");
    run_free(&r);

    /* an opening line and no closing one in the first 64 MiB */
    write_big_file("big2/endless.md", "---\nlegacyUrl: /endless\n",
                   ((off_t) 64 << 20) + 4096, 1);
    /* a first line too long to be "---" */
    write_big_file("big2/oneline.md", "", (off_t) 1 << 20, 0);
    collect_one(&r, "big2", "/{slug}");
    CHECK(r.diag.errors == 1);
    CHECK(r.list.files_ignored == 1);
    CHECK_CONTAINS(r.messages, "big2/endless.md:1: error: front matter is "
                   "not closed within the first 64 MiB of the file\n");
    run_free(&r);
}

/* Aliases are not expanded: a "billion laughs" front matter is cheap. */
static void
test_alias_bomb(void)
{
    char    text[8192], *p = text;
    run_t   r;
    int     level, i;

    p += sprintf(p, "---\nl0: &l0 [/lol]\n");
    for (level = 1; level < 10; level++) {
        p += sprintf(p, "l%d: &l%d [", level, level);
        for (i = 0; i < 10; i++) {
            p += sprintf(p, "%s*l%d", i ? ", " : "", level - 1);
        }
        p += sprintf(p, "]\n");
    }
    sprintf(p, "legacyUrl: *l9\n---\n");
    write_file("bomb/lol.md", text);

    collect_one(&r, "bomb", "/{slug}");
    CHECK(r.list.count == 0);
    CHECK(r.diag.errors == 10);
    CHECK_CONTAINS(r.messages, "bomb/lol.md:10:5: error: item 1 of "
                   "legacyUrl is a sequence, not a URL\n");
    run_free(&r);
}

static void
test_custom_key(void)
{
    const char  *dirs[1];
    run_t        r;

    write_file("key/a.md", "---\nlegacyUrl: /not-this\n"
               "aliases: [/old-a, /older-a]\n---\n");

    dirs[0] = fixture_path("key");
    collect(&r, dirs, 1, "aliases", "/{slug}");
    CHECK(r.diag.errors == 0);
    CHECK(r.list.count == 2);
    CHECK_STR(target_of(&r, "/old-a"), "/a");
    CHECK_STR(target_of(&r, "/older-a"), "/a");
    CHECK(find_legacy(&r, "/not-this") == NULL);
    run_free(&r);
}

/* stderr goes to a temporary file until stderr_restore() reads it back */
static int
stderr_capture(int *saved)
{
    char  log[] = "/tmp/test_posts.log.XXXXXX";
    int   fd;

    fd = mkstemp(log);
    unlink(log);
    fflush(stderr);
    *saved = dup(2);
    dup2(fd, 2);
    return fd;
}

static char *
stderr_restore(int fd, int saved)
{
    char  *text;

    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    text = read_all(fd);
    close(fd);
    return text;
}

static void
test_diag(void)
{
    diag_t  d = { .quiet = 1 };
    run_t   r;
    int     fd, saved;

    fd = stderr_capture(&saved);

    diag_error(&d, "f.md", 3, 4, "e%d", 1);
    diag_error(&d, "f.md", 3, 0, "e%d", 2);
    diag_error(&d, "f.md", 0, 0, "e%d", 3);
    diag_error(&d, NULL, 5, 6, "e%d", 4);
    diag_warning(&d, "f.md", 1, 1, "quiet");
    d.quiet = 0;
    diag_warning(&d, "f.md", 1, 2, "loud");

    memset(&r, 0, sizeof(r));
    r.messages = stderr_restore(fd, saved);

    CHECK(d.errors == 4 && d.warnings == 2);
    CHECK_STR(r.messages, "f.md:3:4: error: e1\nf.md:3: error: e2\n"
              "f.md: error: e3\nredirect-map: error: e4\n"
              "f.md:1:2: warning: loud\n");
    free(r.messages);
}


/*
 * A thread's messages are kept and replayed in file order.  One that
 * cannot be kept (no memory: here, a capture already as big as it can
 * grow) is printed at once and still counted when the rest is replayed,
 * so that a build with an error never writes its map.
 */
static void
test_diag_capture(void)
{
    diag_t          main_d = { .quiet = 1 }, thread_d = { .quiet = 0 };
    diag_capture_t  kept, *c = &kept;
    run_t           r;
    int             fd, saved;

    memset(&kept, 0, sizeof(kept));
    thread_d.capture = c;

    fd = stderr_capture(&saved);

    diag_error(&thread_d, "a.md", 1, 0, "kept");
    diag_warning(&thread_d, "a.md", 2, 0, "kept too");

    /* pretend the capture is full and cannot grow */
    c->capacity = c->count = SIZE_MAX / sizeof(diag_message_t);
    diag_error(&thread_d, "b.md", 3, 0, "no room");
    diag_warning(&thread_d, "b.md", 4, 0, "no room either");
    c->capacity = c->count = 2;

    fflush(stderr);
    CHECK(main_d.errors == 0);
    diag_replay(&main_d, c);

    memset(&r, 0, sizeof(r));
    r.messages = stderr_restore(fd, saved);

    CHECK(main_d.errors == 2 && main_d.warnings == 2);
    CHECK(c->count == 0 && c->lost_errors == 0 && c->items == NULL);
    CHECK_STR(r.messages, "b.md:3: error: no room\n"
              "b.md:4: warning: no room either\n"
              "a.md:1: error: kept\n");
    free(r.messages);
}

int
main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);

    if (mkdtemp(base) == NULL) {
        perror("mkdtemp");
        return 2;
    }

    test_diag();
    test_diag_capture();
    test_real_post();
    test_dates_in_posts();
    test_invalid_dates_in_posts();
    test_date_parse();
    test_legacy_values();
    test_bad_legacy_values();
    test_file_kinds();
    test_slugs();
    test_slug_field();
    test_jekyll_file_dates();
    test_fields_in_template();
    test_missing_fields();
    test_bad_templates();
    test_yaml_errors();
    test_unpublished();
    test_unpublished_without_date();
    test_walk_order_and_paths();
    test_symlinks();
    test_unreadable();
    test_big_files();
    test_alias_bomb();
    test_custom_key();

    remove_tree();

    printf("%u passed, %u failed\n", passed, failed);
    return failed ? 1 : 0;
}
