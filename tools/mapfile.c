/*
 * mapfile.c - loads a whole map file and validates it.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mapfile.h"


static int
read_all(int fd, void *buf, size_t size)
{
    size_t   done = 0;
    ssize_t  n;

    while (done < size) {
        n = read(fd, (char *) buf + done, size - done);

        if (n < 0 && errno == EINTR) {
            continue;
        }

        if (n <= 0) {
            return n < 0 ? -1 : 0;
        }

        done += (size_t) n;
    }

    return 1;
}


int
mapfile_load(mapfile_t *mf, const char *path, char *err, size_t err_size)
{
    struct stat  st;
    int          fd, rc;

    memset(mf, 0, sizeof(*mf));

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, err_size, "%s", strerror(errno));
        return -1;
    }

    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, err_size, "%s", S_ISDIR(st.st_mode)
                 ? "is a directory" : "not a regular file");
        close(fd);
        return -1;
    }

    mf->size = (size_t) st.st_size;
    mf->data = malloc(mf->size ? mf->size : 1);

    if (mf->data == NULL) {
        snprintf(err, err_size, "out of memory");
        close(fd);
        return -1;
    }

    rc = read_all(fd, mf->data, mf->size);
    if (rc <= 0) {
        snprintf(err, err_size, "%s", rc < 0 ? strerror(errno)
                 : "file shrank while it was read");
        close(fd);
        mapfile_free(mf);
        return -1;
    }

    close(fd);

    if (lrm_open(&mf->map, mf->data, mf->size, err, err_size) != LRM_OK) {
        mapfile_free(mf);
        return -1;
    }

    return 0;
}


void
mapfile_free(mapfile_t *mf)
{
    free(mf->data);
    memset(mf, 0, sizeof(*mf));
}


int
mapfile_open(mapfile_t *mf, const char *path)
{
    char  err[256];

    if (mapfile_load(mf, path, err, sizeof(err)) != 0) {
        fprintf(stderr, "redirect-map: %s: %s\n", path, err);
        return -1;
    }

    return 0;
}


static int
collect_entry(const lrm_entry_t *e, void *ctx)
{
    mapfile_entries_t  *list = ctx;
    lrm_entry_t        *grown;

    if (list->count == list->capacity) {
        list->capacity = list->capacity ? list->capacity * 2 : 1024;
        grown = realloc(list->items, list->capacity * sizeof(*grown));
        if (grown == NULL) {
            return -1;
        }
        list->items = grown;
    }

    list->items[list->count++] = *e;
    return 0;
}


static int
compare_entry_keys(const void *a, const void *b)
{
    const lrm_entry_t  *x = a, *y = b;
    size_t              n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int                 c = memcmp(x->key, y->key, n);

    return c ? c : (x->key_len > y->key_len) - (x->key_len < y->key_len);
}


int
mapfile_entries(const mapfile_t *mf, const char *path, mapfile_entries_t *out)
{
    memset(out, 0, sizeof(*out));

    if (lrm_foreach(&mf->map, collect_entry, out) != 0) {
        fprintf(stderr, "redirect-map: %s: damaged record or out of "
                "memory\n", path);
        free(out->items);
        memset(out, 0, sizeof(*out));
        return -1;
    }

    if (out->count > 0) {
        qsort(out->items, out->count, sizeof(lrm_entry_t),
              compare_entry_keys);
    }

    return 0;
}


int
mapfile_rules(const mapfile_t *mf, const char *path, lrm_rule_t **rules,
    size_t *count)
{
    uint32_t  i, n = lrm_rule_count(&mf->map);
    size_t    off = 0;

    *rules = NULL;
    *count = 0;

    if (n == 0) {
        return 0;
    }

    *rules = calloc(n, sizeof(lrm_rule_t));
    if (*rules == NULL) {
        fprintf(stderr, "redirect-map: out of memory\n");
        return -1;
    }

    for (i = 0; i < n; i++) {
        if (lrm_rule_next(&mf->map, &off, &(*rules)[i]) != LRM_OK) {
            fprintf(stderr, "redirect-map: %s: rule %u is damaged\n", path,
                    i + 1);
            free(*rules);
            *rules = NULL;
            return -1;
        }
    }

    *count = n;
    return 0;
}
