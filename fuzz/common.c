/*
 * common.c - helpers shared by the fuzz targets.
 */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "chains.h"
#include "common.h"
#include "lrmap.h"
#include "lrmap_writer.h"

#define STATUS_GONE  410

static char  dir[256];
static char  path[512];


/* the sanitizers' report channel, which -close_fd_mask leaves open */
void __sanitizer_report_error_summary(const char *error_summary);

void
fuzz_fail(const char *what, const char *file, int line)
{
    char  msg[512];

    snprintf(msg, sizeof(msg), "fuzz: %s:%d: check failed: %s", file, line,
             what);
    __sanitizer_report_error_summary(msg);
    abort();
}


static void
remove_dir(void)
{
    char  cmd[300];

    if (dir[0] != '\0') {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0) {
            /* nothing more to do */
        }
    }
}


const char *
fuzz_dir(void)
{
    const char  *tmp;

    if (dir[0] == '\0') {
        tmp = getenv("TMPDIR");
        snprintf(dir, sizeof(dir), "%s/lrmap-fuzz-XXXXXX",
                 tmp && *tmp ? tmp : "/tmp");
        if (mkdtemp(dir) == NULL) {
            perror("mkdtemp");
            abort();
        }
        atexit(remove_dir);
    }

    return dir;
}


const char *
fuzz_file(const char *name, const uint8_t *data, size_t size)
{
    FILE  *f;

    snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), name);
    f = fopen(path, "wb");
    if (f == NULL || (size && fwrite(data, 1, size, f) != size)
        || fclose(f) != 0)
    {
        perror(path);
        abort();
    }

    return path;
}


/* what the build writes, then what the reader gives back */
static void
roundtrip(const redirect_list_t *list, const rule_list_t *rules)
{
    lrm_writer_t   *w;
    lrm_map_t       map;
    lrm_entry_t     e;
    const char     *source;
    size_t          source_len;
    lrm_rule_t      lr;
    const rule_t   *r;
    redirect_t     *x;
    unsigned char  *buf;
    char            err[256];
    size_t          i, off;
    off_t           size;
    long            src;
    int             fd;

    w = lrm_writer_new(LRM_F_SOURCES | (list->norm_flags & LRM_NORM_CASELESS
                                        ? LRM_F_CASELESS : 0));
    FUZZ_ASSERT(w != NULL);

    for (i = 0; i < list->count; i++) {
        x = &list->items[i];
        src = lrm_writer_add_source(w, x->file);
        FUZZ_ASSERT(src >= 0);
        FUZZ_ASSERT(lrm_writer_add(w, x->key, x->key_len, x->target,
                                   x->status == STATUS_GONE
                                   ? 0 : strlen(x->target),
                                   x->status, (uint32_t) src, x->line) == 0);
    }

    for (i = 0; i < rules->count; i++) {
        r = &rules->items[i];
        src = lrm_writer_add_source(w, r->file);
        FUZZ_ASSERT(src >= 0);
        FUZZ_ASSERT(lrm_writer_add_rule(w, r->pattern, r->pattern_len,
                                        r->target, r->target_len, r->status,
                                        r->flags, (uint32_t) src, r->line)
                    == 0);
    }

    FUZZ_ASSERT(lrm_writer_set_meta(w, "tool", "fuzz") == 0);

    fd = memfd_create("lrmap-fuzz", MFD_CLOEXEC);
    FUZZ_ASSERT(fd >= 0);

    if (lrm_writer_write(w, fd, err, sizeof(err)) != 0) {
        fprintf(stderr, "fuzz: writer: %s\n", err);
        FUZZ_ASSERT(!"the writer refused a list the checks accepted");
    }
    lrm_writer_free(w);

    size = lseek(fd, 0, SEEK_END);
    FUZZ_ASSERT(size > 0);
    buf = malloc((size_t) size);
    FUZZ_ASSERT(buf != NULL);
    FUZZ_ASSERT(pread(fd, buf, (size_t) size, 0) == size);
    close(fd);

    if (lrm_open(&map, buf, (size_t) size, err, sizeof(err)) != LRM_OK) {
        fprintf(stderr, "fuzz: reader: %s\n", err);
        FUZZ_ASSERT(!"the reader refused a map the writer wrote");
    }

    FUZZ_ASSERT(map.entries == list->count);

    for (i = 0; i < list->count; i++) {
        x = &list->items[i];
        FUZZ_ASSERT(lrm_lookup(&map, x->key, x->key_len, &e) == LRM_OK);
        FUZZ_ASSERT(e.status == x->status);
        if (x->status == STATUS_GONE) {
            FUZZ_ASSERT(e.target_len == 0);
        } else {
            FUZZ_ASSERT(e.target_len == strlen(x->target)
                        && memcmp(e.target, x->target, e.target_len) == 0);
        }
        source = lrm_source_name(&map, e.source, &source_len);
        FUZZ_ASSERT(source != NULL && source_len == strlen(x->file)
                    && memcmp(source, x->file, source_len) == 0);
    }

    FUZZ_ASSERT(lrm_rule_count(&map) == rules->count);
    off = 0;
    for (i = 0; i < rules->count; i++) {
        r = &rules->items[i];
        FUZZ_ASSERT(lrm_rule_next(&map, &off, &lr) == LRM_OK);
        FUZZ_ASSERT(lr.pattern_len == r->pattern_len
                    && memcmp(lr.pattern, r->pattern, r->pattern_len) == 0);
        FUZZ_ASSERT(lr.target_len == r->target_len
                    && memcmp(lr.target, r->target, r->target_len) == 0);
        FUZZ_ASSERT(lr.status == r->status && lr.flags == r->flags);
    }
    FUZZ_ASSERT(lrm_rule_next(&map, &off, &lr) == LRM_NOT_FOUND);

    free(buf);
}


void
fuzz_finish(redirect_list_t *list, rule_list_t *rules, diag_t *diag)
{
    redirects_check(list, diag);
    chains_check_pages(list, rules, diag);
    FUZZ_ASSERT(chains_collapse(list, rules, diag) == 0);

    if (diag->errors == 0) {
        roundtrip(list, rules);
    }
}
