/*
 * lookup_bench - ns per lookup in a compiled map (include/lrmap_reader.c)
 * and in a tinycdb file holding the same entries (keygen.h).
 *
 *   lookup_bench MAP CDB N [COUNT [REPS]]
 *
 * MAP is a map of entries 0..N-1 (redirect-map build from `gen tsv N`).
 * CDB is made from the same entries when it does not exist.  COUNT random
 * hits (entries < N) and COUNT misses (entries >= N, same shape) are
 * looked up REPS times, alternating map and cdb; the medians are printed
 * as "name value" lines.  The map is held as the module holds it (an
 * anonymous mapping with MADV_HUGEPAGE); the cdb is mapped from the file,
 * as tinycdb does, with every page touched first.  Both return the
 * target's address and length; "norm+lookup" adds the URL
 * normalisation the module does for each request.  "random_read" is one
 * byte read at a random place of the map's memory, each place depending
 * on the byte before: the cost of one cache miss there, of which a hit
 * takes two (the slot, then its record) and a miss one.
 */

#include <cdb.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lrmap.h"
#include "keygen.h"

typedef struct {
    char      *buf;
    uint32_t  *off;
    uint16_t  *len;
    size_t     n;
} keys_t;

static void
die(const char *what)
{
    fprintf(stderr, "lookup_bench: %s: %s\n", what, strerror(errno));
    exit(1);
}

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
make_keys(keys_t *k, size_t count, uint32_t n, int miss, uint64_t seed)
{
    char      key[KG_MAX_KEY], target[KG_MAX_TARGET];
    size_t    kl, tl, used = 0, j;
    unsigned  y, m;
    uint32_t  i;
    uint64_t  s = kg_mix(seed) | 1;

    k->buf = malloc(count * KG_MAX_KEY);
    k->off = malloc(count * sizeof(uint32_t));
    k->len = malloc(count * sizeof(uint16_t));
    if (!k->buf || !k->off || !k->len) {
        die("malloc");
    }
    for (j = 0; j < count; j++) {
        i = (uint32_t) (kg_next(&s) % n) + (miss ? n : 0);
        kg_entry(i, key, &kl, target, &tl, &y, &m);
        memcpy(k->buf + used, key, kl);
        k->off[j] = (uint32_t) used;
        k->len[j] = (uint16_t) kl;
        used += kl;
    }
    k->n = count;
}

static void
make_cdb(const char *path, uint32_t n)
{
    char             key[KG_MAX_KEY], target[KG_MAX_TARGET], tmp[4096];
    size_t           kl, tl;
    unsigned         y, m;
    uint32_t         i;
    int              fd;
    struct cdb_make  cm;

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd == -1 || cdb_make_start(&cm, fd) != 0) {
        die(tmp);
    }
    for (i = 0; i < n; i++) {
        kg_entry(i, key, &kl, target, &tl, &y, &m);
        if (cdb_make_add(&cm, key, (unsigned) kl, target, (unsigned) tl)
            != 0)
        {
            die("cdb_make_add");
        }
    }
    if (cdb_make_finish(&cm) != 0 || fsync(fd) != 0 || close(fd) != 0
        || rename(tmp, path) != 0)
    {
        die(path);
    }
}

static volatile size_t  sink;

static double
run_lrm(const lrm_map_t *map, const keys_t *k, int want, int norm)
{
    char         nk[LRM_MAX_KEY];
    size_t       j, found = 0, bytes = 0;
    long         nl;
    lrm_entry_t  e;
    double       t0 = now();

    for (j = 0; j < k->n; j++) {
        const char *key = k->buf + k->off[j];
        size_t      kl = k->len[j];

        if (norm) {
            nl = lrm_normalize_path(key, kl, nk, 0);
            if (nl < 0) {
                continue;
            }
            key = nk;
            kl = (size_t) nl;
        }
        if (lrm_lookup(map, key, kl, &e) == LRM_OK) {
            found++;
            bytes += e.target_len + (size_t) e.target[0];
        }
    }
    t0 = now() - t0;
    if (found != (want ? k->n : 0)) {
        fprintf(stderr, "lookup_bench: map: %zu of %zu found\n", found,
                k->n);
        exit(1);
    }
    sink += bytes;
    return t0 * 1e9 / (double) k->n;
}

static double
run_cdb(struct cdb *c, const keys_t *k, int want)
{
    size_t       j, found = 0, bytes = 0;
    const char  *v;
    double       t0 = now();

    for (j = 0; j < k->n; j++) {
        if (cdb_find(c, k->buf + k->off[j], k->len[j]) > 0) {
            v = cdb_getdata(c);
            found++;
            bytes += cdb_datalen(c) + (size_t) v[0];
        }
    }
    t0 = now() - t0;
    if (found != (want ? k->n : 0)) {
        fprintf(stderr, "lookup_bench: cdb: %zu of %zu found\n", found,
                k->n);
        exit(1);
    }
    sink += bytes;
    return t0 * 1e9 / (double) k->n;
}

/*
 * ns per read of one byte at a random place in the map's memory, each
 * place depending on the byte read before (as a slot's offset decides
 * where its record is): what one cache and TLB miss costs there.
 */
static double
run_random_reads(const unsigned char *buf, size_t size, size_t count)
{
    uint64_t  x = 1;
    size_t    j;
    unsigned  v = 0;
    double    t0;

    /* the top 32 bits of x scaled to the whole map, as a home slot is */

    t0 = now();
    for (j = 0; j < count; j++) {
        x = x * 6364136223846793005u + 1442695040888963407u + v;
        v = buf[((x >> 32) * (uint64_t) size) >> 32];
    }
    t0 = now() - t0;

    sink += v;
    return t0 * 1e9 / (double) count;
}

static int
cmp(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;

    return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
    qsort(v, (size_t) n, sizeof(double), cmp);
    return v[n / 2];
}

int
main(int argc, char **argv)
{
    char           err[256];
    int            fd, reps, r, t;
    size_t         size, done, count;
    ssize_t        got;
    uint32_t       n;
    unsigned char *buf;
    struct stat    st;
    lrm_map_t      map;
    struct cdb     c;
    keys_t         hits, misses;
    double         t0, open_s, res[7][64];
    static const char *name[7] = {
        "map_hit_ns", "cdb_hit_ns", "map_miss_ns", "cdb_miss_ns",
        "map_norm_hit_ns", "map_norm_miss_ns", "map_random_read_ns"
    };

    if (argc < 4) {
        fprintf(stderr, "usage: lookup_bench MAP CDB N [COUNT [REPS]]\n");
        return 2;
    }
    n = (uint32_t) strtoul(argv[3], NULL, 10);
    count = argc > 4 ? strtoul(argv[4], NULL, 10) : 1000000;
    reps = argc > 5 ? atoi(argv[5]) : 5;
    if (n == 0 || reps < 1 || reps > 64) {
        fprintf(stderr, "lookup_bench: bad N or REPS\n");
        return 2;
    }

    /* the map, loaded as the module loads it */
    fd = open(argv[1], O_RDONLY);
    if (fd == -1 || fstat(fd, &st) == -1) {
        die(argv[1]);
    }
    size = (size_t) st.st_size;
    t0 = now();
    buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) {
        die("mmap");
    }
#ifdef MADV_HUGEPAGE
    (void) madvise(buf, size, MADV_HUGEPAGE);
#endif
    for (done = 0; done < size; done += (size_t) got) {
        got = read(fd, buf + done, size - done);
        if (got <= 0) {
            die(argv[1]);
        }
    }
    close(fd);
    if (lrm_open(&map, buf, size, err, sizeof(err)) != LRM_OK) {
        fprintf(stderr, "lookup_bench: %s: %s\n", argv[1], err);
        return 1;
    }
    open_s = now() - t0;

    if (access(argv[2], R_OK) != 0) {
        t0 = now();
        make_cdb(argv[2], n);
        printf("cdb_make_s %.3f\n", now() - t0);
    }
    fd = open(argv[2], O_RDONLY);
    if (fd == -1 || cdb_init(&c, fd) != 0) {
        die(argv[2]);
    }
    for (done = 0; done < (size_t) c.cdb_fsize; done += 4096) {
        sink += ((const unsigned char *) c.cdb_mem)[done];
    }

    make_keys(&hits, count, n, 0, 1);
    make_keys(&misses, count, n, 1, 2);

    for (r = 0; r < reps; r++) {
        res[0][r] = run_lrm(&map, &hits, 1, 0);
        res[1][r] = run_cdb(&c, &hits, 1);
        res[2][r] = run_lrm(&map, &misses, 0, 0);
        res[3][r] = run_cdb(&c, &misses, 0);
        res[4][r] = run_lrm(&map, &hits, 1, 1);
        res[5][r] = run_lrm(&map, &misses, 0, 1);
        res[6][r] = run_random_reads(buf, size, count);
    }

    printf("entries %u\nlookups %zu\nreps %d\nmap_bytes %zu\n"
           "cdb_bytes %zu\nmap_open_s %.4f\n", n, count, reps, size,
           (size_t) c.cdb_fsize, open_s);
    for (t = 0; t < 7; t++) {
        printf("%s %.1f\n", name[t], median(res[t], reps));
    }
    return 0;
}
