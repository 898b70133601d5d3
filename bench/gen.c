/*
 * gen - writes the benchmark's synthetic data (entries from keygen.h).
 *
 *   gen tsv N                  old<TAB>new lines, entries 0..N-1
 *   gen nginx N                "old new;" lines, for map { include }
 *   gen haproxy N              "old new" lines, for map_str
 *   gen posts N DIR            DIR/YYYY/MM/SLUG.md, one post per entry,
 *                              front matter only (the default template
 *                              /{year}/{month}/{slug} gives the target)
 *   gen hits N COUNT SEED      COUNT keys drawn from entries 0..N-1
 *   gen misses N COUNT SEED    COUNT keys of entries N.. (not in the list)
 *   gen sizes N                "keys_bytes targets_bytes" of entries 0..N-1
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "keygen.h"

static void
die(const char *what)
{
    perror(what);
    exit(1);
}

static void
mkdirs(const char *path)
{
    char   buf[4096];
    size_t i, n = strlen(path);

    if (n >= sizeof(buf)) {
        die("path too long");
    }
    memcpy(buf, path, n + 1);
    for (i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0755) == -1 && errno != EEXIST) {
                die(buf);
            }
            buf[i] = c;
        }
    }
}

static void
posts(uint32_t n, const char *dir)
{
    char      key[KG_MAX_KEY], target[KG_MAX_TARGET], path[4096];
    size_t    kl, tl;
    unsigned  y, m, ym;
    uint32_t  i;
    FILE     *f;

    for (ym = 0; ym < 20 * 12; ym++) {
        snprintf(path, sizeof(path), "%s/%u/%02u", dir, 2005 + ym / 12,
                 1 + ym % 12);
        mkdirs(path);
    }

    for (i = 0; i < n; i++) {
        kg_entry(i, key, &kl, target, &tl, &y, &m);
        /* the slug is the target's last segment */
        snprintf(path, sizeof(path), "%s/%u/%02u/%.*s.md", dir, y, m,
                 (int) (tl - 9), target + 9);
        f = fopen(path, "w");
        if (f == NULL) {
            die(path);
        }
        fprintf(f, "---\n"
                   "title: \"%.*s\"\n"
                   "publishDate: %u-%02u-%02uT%02u:%02u:00+02:00\n"
                   "tags:\n  - blog\n  - %.*s\n"
                   "draft: false\n"
                   "legacyUrl: %.*s\n"
                   "---\n\nPost %u.\n",
                   (int) (kl - 14), key + 9, y, m, 1 + i % 28, i % 24,
                   i % 60, (int) (tl > 13 ? 4 : tl - 9), target + 9,
                   (int) kl, key, i);
        if (fclose(f) != 0) {
            die(path);
        }
    }
}

int
main(int argc, char **argv)
{
    char      key[KG_MAX_KEY], target[KG_MAX_TARGET];
    size_t    kl, tl;
    unsigned  y, m;
    uint32_t  i, n, count;
    uint64_t  s, kb = 0, tb = 0;
    const char *cmd;

    if (argc < 3) {
        fprintf(stderr, "usage: gen tsv|nginx|haproxy|sizes N | posts N DIR"
                        " | hits|misses N COUNT SEED\n");
        return 2;
    }
    cmd = argv[1];
    n = (uint32_t) strtoul(argv[2], NULL, 10);
    if (n > (1u << 29)) {
        fprintf(stderr, "gen: N too large\n");
        return 2;
    }

    if (strcmp(cmd, "posts") == 0 && argc == 4) {
        posts(n, argv[3]);
        return 0;
    }

    if ((strcmp(cmd, "hits") == 0 || strcmp(cmd, "misses") == 0)
        && argc == 5)
    {
        count = (uint32_t) strtoul(argv[3], NULL, 10);
        s = kg_mix(strtoull(argv[4], NULL, 10)) | 1;
        for (; count; count--) {
            i = (uint32_t) (kg_next(&s) % n);
            if (cmd[0] == 'm') {
                i += n;
            }
            kg_entry(i, key, &kl, target, &tl, &y, &m);
            printf("%.*s\n", (int) kl, key);
        }
        return fflush(stdout) == 0 ? 0 : 1;
    }

    for (i = 0; i < n; i++) {
        kg_entry(i, key, &kl, target, &tl, &y, &m);
        if (strcmp(cmd, "tsv") == 0) {
            printf("%.*s\t%.*s\n", (int) kl, key, (int) tl, target);
        } else if (strcmp(cmd, "nginx") == 0) {
            printf("%.*s %.*s;\n", (int) kl, key, (int) tl, target);
        } else if (strcmp(cmd, "haproxy") == 0) {
            printf("%.*s %.*s\n", (int) kl, key, (int) tl, target);
        } else if (strcmp(cmd, "sizes") == 0) {
            kb += kl;
            tb += tl;
        } else {
            fprintf(stderr, "gen: unknown command %s\n", cmd);
            return 2;
        }
    }
    if (strcmp(cmd, "sizes") == 0) {
        printf("%llu %llu\n", (unsigned long long) kb,
               (unsigned long long) tb);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
