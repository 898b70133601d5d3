/*
 * walk.c - finding post files in content folders, see walk.h.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "walk.h"

/*
 * Folders kept open at once (by the walk, and for the posts found in them
 * that the caller still holds): at most WALK_OPEN_MAX, and at most half
 * of what RLIMIT_NOFILE leaves after WALK_FD_RESERVE for the posts being
 * read, the map and stdio.  Past this, a folder's names are read and its
 * descriptor closed at once: its posts are opened by path, as a deep or
 * wide tree must not run out of descriptors.
 */
#define WALK_OPEN_MAX    256
#define WALK_FD_RESERVE  32

/* getdents64() reads this much at a time */
#define DENTS_SIZE       ((size_t) 32 << 10)

/* folders open now, and the most allowed (the walk's thread only) */
static size_t  walk_open_dirs;
static size_t  walk_open_max;

/* A folder already read, identified by device and inode. */
typedef struct {
    dev_t  dev;
    ino_t  ino;
    int    taken;
} walk_seen_t;

typedef struct {
    walk_seen_t    *seen;           /* open addressing, size a power of 2 */
    size_t          seen_size;
    size_t          seen_used;
    walk_visit_pt   visit;
    walk_data_pt    data;
    void           *ctx;
    diag_t         *diag;
    char           *dents;          /* getdents64() buffer */
    size_t          root_len;       /* of the root being walked */
} walker_t;

/* The names of a folder: NUL-terminated in one buffer, with their type. */
typedef struct {
    uint32_t       off;             /* in names.text */
    uint32_t       len;
    unsigned char  type;            /* DT_* from the folder entry */
} walk_entry_t;

typedef struct {
    char          *text;
    size_t         text_len;
    size_t         text_cap;
    walk_entry_t  *entries;
    size_t         count;
    size_t         capacity;
} walk_names_t;

/*
 * The content files of the site generators that read front matter:
 * Markdown under its many names (Jekyll's markdown_ext, Astro's MDX and
 * Markdoc), HTML (what jekyll-import writes for Blogger's posts, and
 * Hugo's HTML content), R Markdown and Quarto (blogdown, Quarto blogs),
 * AsciiDoc, reStructuredText and Textile (Hugo, Jekyll), and Eleventy's
 * Nunjucks and Liquid.  Those without a '---' first line are no posts.
 */
static const char *const post_extensions[] = {
    ".md", ".markdown", ".mdx", ".mdoc", ".mkd", ".mkdn", ".mkdown",
    ".mdown", ".html", ".htm", ".rmd", ".rmarkdown", ".qmd", ".adoc",
    ".asciidoc", ".rst", ".textile", ".njk", ".liquid"
};

static int
is_post_name(const char *name, size_t len)
{
    size_t  i, ext_len;

    for (i = 0; i < sizeof(post_extensions) / sizeof(post_extensions[0]);
         i++)
    {
        ext_len = strlen(post_extensions[i]);
        /* in any case: "POST.MD" is a post too (Hugo's view) */
        if (len > ext_len
            && strncasecmp(name + len - ext_len, post_extensions[i],
                           ext_len) == 0)
        {
            return 1;
        }
    }

    return 0;
}

/* Whether the name has an extension, and not a post's ("photo.png"):
 * the name of a file, not of a folder of posts. */
static int
is_other_file(const char *name, size_t len)
{
    const char  *dot = memrchr(name, '.', len);

    return dot != NULL && dot != name && dot + 1 < name + len
           && !is_post_name(name, len);
}

/* ---- folders and their paths ---- */

int
walk_path_in_folder(const char *path, const char *folder)
{
    const char  *p, *next;
    size_t       len = strlen(folder);

    for (p = path; (next = strchr(p, '/')) != NULL; p = next + 1) {
        if ((size_t) (next - p) == len && memcmp(p, folder, len) == 0) {
            return 1;
        }
    }

    return 0;
}

void
walk_dir_ref(walk_dir_t *dir)
{
    dir->refs++;
}

void
walk_dir_unref(walk_dir_t *dir)
{
    if (dir == NULL || --dir->refs > 0) {
        return;
    }

    if (dir->fd >= 0) {
        close(dir->fd);
        walk_open_dirs--;
    }
    free(dir);
}

static int
needs_slash(const char *folder, size_t len)
{
    return len > 0 && folder[len - 1] != '/';
}

size_t
walk_path_len(const walk_dir_t *dir, size_t name_len)
{
    return dir->len + needs_slash(dir->path, dir->len) + name_len;
}

void
walk_path(const walk_dir_t *dir, const char *name, size_t name_len,
    char *out)
{
    int  slash = needs_slash(dir->path, dir->len);

    memcpy(out, dir->path, dir->len);
    if (slash) {
        out[dir->len] = '/';
    }
    memcpy(out + dir->len + slash, name, name_len);
    out[dir->len + slash + name_len] = '\0';
}

static walk_dir_t *
dir_new(const char *path, size_t len)
{
    walk_dir_t  *dir = malloc(sizeof(walk_dir_t) + len + 1);

    if (dir != NULL) {
        dir->refs = 1;
        dir->fd = -1;
        dir->len = len;
        memcpy(dir->path, path, len);
        dir->path[len] = '\0';
    }

    return dir;
}

/* ---- folders already read ---- */

static size_t
seen_hash(dev_t dev, ino_t ino)
{
    uint64_t  h = (uint64_t) ino * UINT64_C(0x9e3779b97f4a7c15);

    h ^= (uint64_t) dev + (h >> 29);
    h *= UINT64_C(0xbf58476d1ce4e5b9);
    return (size_t) (h ^ (h >> 32));
}

static walk_seen_t *
seen_slot(walk_seen_t *table, size_t size, dev_t dev, ino_t ino)
{
    size_t  i = seen_hash(dev, ino) & (size - 1);

    while (table[i].taken && (table[i].dev != dev || table[i].ino != ino)) {
        i = (i + 1) & (size - 1);
    }

    return &table[i];
}

static int
seen_grow(walker_t *w)
{
    size_t        size = w->seen_size ? w->seen_size * 2 : 64;
    walk_seen_t  *table, *slot;
    size_t        i;

    table = calloc(size, sizeof(walk_seen_t));
    if (table == NULL) {
        return -1;
    }

    for (i = 0; i < w->seen_size; i++) {
        if (w->seen[i].taken) {
            slot = seen_slot(table, size, w->seen[i].dev, w->seen[i].ino);
            *slot = w->seen[i];
        }
    }

    free(w->seen);
    w->seen = table;
    w->seen_size = size;
    return 0;
}

/* Returns 1 when the folder is new (and now remembered), 0 when it was
 * seen before, -1 when out of memory. */
static int
seen_add(walker_t *w, const struct stat *st)
{
    walk_seen_t  *slot;

    if ((w->seen_used + 1) * 2 > w->seen_size && seen_grow(w) != 0) {
        return -1;
    }

    slot = seen_slot(w->seen, w->seen_size, st->st_dev, st->st_ino);
    if (slot->taken) {
        return 0;
    }

    slot->dev = st->st_dev;
    slot->ino = st->st_ino;
    slot->taken = 1;
    w->seen_used++;
    return 1;
}

static int
out_of_memory(walker_t *w)
{
    diag_error(w->diag, NULL, 0, 0, "out of memory");
    return -1;
}

/* ---- reading a folder ---- */

static void
names_free(walk_names_t *names)
{
    free(names->text);
    free(names->entries);
}

static int
names_add(walk_names_t *names, const char *name, unsigned char type)
{
    size_t         len = strlen(name), cap;
    walk_entry_t  *entries;
    char          *text;

    if (names->count == names->capacity) {
        cap = names->capacity ? names->capacity * 2 : 32;
        entries = realloc(names->entries, cap * sizeof(walk_entry_t));
        if (entries == NULL) {
            return -1;
        }
        names->entries = entries;
        names->capacity = cap;
    }

    if (names->text_cap - names->text_len < len + 1) {
        cap = names->text_cap ? names->text_cap : 1024;
        while (cap - names->text_len < len + 1) {
            cap *= 2;
        }
        if (cap > UINT32_MAX) {
            return -1;
        }
        text = realloc(names->text, cap);
        if (text == NULL) {
            return -1;
        }
        names->text = text;
        names->text_cap = cap;
    }

    names->entries[names->count].off = (uint32_t) names->text_len;
    names->entries[names->count].len = (uint32_t) len;
    names->entries[names->count].type = type;
    names->count++;

    memcpy(names->text + names->text_len, name, len + 1);
    names->text_len += len + 1;
    return 0;
}

static int
compare_names(const void *a, const void *b, void *text)
{
    return strcmp((const char *) text + ((const walk_entry_t *) a)->off,
                  (const char *) text + ((const walk_entry_t *) b)->off);
}

/*
 * Reads the names in the folder open as fd, sorted, leaving out ".",
 * ".." and hidden entries.  Returns 0 (also when the folder could not be
 * read to its end: reported), -1 when out of memory.
 */
static int
read_folder_names(walker_t *w, int fd, const char *path,
    walk_names_t *names)
{
    struct dirent64  *entry;
    ssize_t           n, pos;

    for ( ;; ) {
        n = getdents64(fd, w->dents, DENTS_SIZE);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            diag_error(w->diag, path, 0, 0, "cannot read folder: %s",
                       strerror(errno));
            break;
        }
        if (n == 0) {
            break;
        }

        for (pos = 0; pos < n; pos += entry->d_reclen) {
            entry = (struct dirent64 *) (w->dents + pos);

            if (entry->d_name[0] == '.') {
                continue;
            }

            if (names_add(names, entry->d_name, entry->d_type) != 0) {
                return out_of_memory(w);
            }
        }
    }

    if (names->count > 0) {
        qsort_r(names->entries, names->count, sizeof(walk_entry_t),
                compare_names, names->text);
    }
    return 0;
}

static int walk_folder(walker_t *w, const walk_dir_t *parent,
    const char *name, const char *path, size_t path_len,
    const struct stat *st);

/* Whether stat() failed because a link leads nowhere: to a name that
 * does not exist, or round a loop of links. */
static int
is_dangling(int err)
{
    return err == ENOENT || err == ELOOP;
}

/* An entry whose type the folder does not tell (or a link): stat it. */
static int
walk_other(walker_t *w, walk_dir_t *dir, const walk_entry_t *e,
    const char *name)
{
    struct stat   st;
    size_t        len = walk_path_len(dir, e->len);
    char         *path;
    int           rc = 0, failed;

    path = malloc(len + 1);
    if (path == NULL) {
        return out_of_memory(w);
    }
    walk_path(dir, name, e->len, path);

    failed = dir->fd >= 0 ? fstatat(dir->fd, name, &st, 0)
                          : stat(path, &st);

    if (failed != 0 && is_dangling(errno) && is_other_file(name, e->len)) {
        /* a link to nothing (or a loop of links) named like a file that
         * is not a post (image.png): ignored like such a file; one that
         * could be a folder of posts is still an error */

    } else if (failed != 0) {
        diag_error(w->diag, path, 0, 0, "cannot read: %s", strerror(errno));

    } else if (S_ISDIR(st.st_mode)) {
        rc = walk_folder(w, dir, name, path, len, &st);

    } else if (S_ISREG(st.st_mode) && is_post_name(name, e->len)) {
        rc = w->visit(dir, name, e->len, w->ctx);
    }

    free(path);
    return rc;
}

/* Whether the sorted names of a folder include name. */
static int
names_have(const walk_names_t *names, const char *name)
{
    size_t  lo = 0, hi = names->count, mid;
    int     c;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        c = strcmp(name, names->text + names->entries[mid].off);
        if (c == 0) {
            return 1;
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }

    return 0;
}

/*
 * Whether a post file is what blogdown renders beside its source, with
 * the same front matter: "x.html" from "x.Rmd", "x.markdown" from
 * "x.Rmarkdown".  The source is the post; the copy would claim its
 * legacy URLs a second time.
 */
static int
is_rendered_copy(const walk_names_t *names, const char *name, size_t len)
{
    static const char *const  rendered[][3] = {
        { ".html", ".Rmd", ".rmd" },
        { ".markdown", ".Rmarkdown", ".rmarkdown" },
    };
    char                      source[NAME_MAX + 16];
    size_t                    i, j, ext_len;

    for (i = 0; i < sizeof(rendered) / sizeof(rendered[0]); i++) {
        ext_len = strlen(rendered[i][0]);
        if (len <= ext_len || len - ext_len > NAME_MAX
            || strcmp(name + len - ext_len, rendered[i][0]) != 0)
        {
            continue;
        }

        for (j = 1; j < 3; j++) {
            snprintf(source, sizeof(source), "%.*s%s",
                     (int) (len - ext_len), name, rendered[i][j]);
            if (names_have(names, source)) {
                return 1;
            }
        }
    }

    return 0;
}

/*
 * Hands the folder's data files (walk_data_pt) to w->data.  path is the
 * folder's; its last part, without trailing '/', names the files.
 * Returns 0, or -1 to stop.
 */
static int
visit_data_files(walker_t *w, walk_dir_t *dir, const walk_names_t *names,
    const char *path, size_t path_len)
{
    static const char *const  suffixes[] = {
        ".11tydata.js", ".11tydata.cjs", ".11tydata.mjs", ".11tydata.json",
        ".json",
    };
    char                      file[NAME_MAX + 1];
    const char               *base;
    size_t                    i, len;
    int                       rc;

    while (path_len > 1 && path[path_len - 1] == '/') {
        path_len--;
    }
    for (base = path + path_len; base > path && base[-1] != '/'; base--) {
        /* the last part of the path */
    }
    len = (size_t) (path + path_len - base);
    if (w->data == NULL || len == 0 || len > NAME_MAX - 16
        || (base[0] == '.' && (len == 1 || (len == 2 && base[1] == '.'))))
    {
        return 0;
    }

    for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        snprintf(file, sizeof(file), "%.*s%s", (int) len, base, suffixes[i]);
        if (names_have(names, file)) {
            rc = w->data(dir, file, strlen(file), w->ctx);
            if (rc != 0) {
                return rc;
            }
        }
    }

    return 0;
}

static int
walk_folder(walker_t *w, const walk_dir_t *parent, const char *name,
    const char *path, size_t path_len, const struct stat *st)
{
    walk_names_t   names;
    walk_entry_t  *e;
    walk_dir_t    *dir;
    const char    *entry_name;
    size_t         i;
    int            rc, fd;

    rc = seen_add(w, st);
    if (rc == 0) {
        return 0;       /* read already: a link loop or a second way in */
    }
    if (rc < 0) {
        return out_of_memory(w);
    }

    fd = parent != NULL && parent->fd >= 0
         ? openat(parent->fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
         : open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0) {
        diag_error(w->diag, path, 0, 0, "cannot open folder: %s",
                   strerror(errno));
        return 0;
    }

    dir = dir_new(path, path_len);
    if (dir == NULL) {
        close(fd);
        return out_of_memory(w);
    }
    dir->root_len = w->root_len;

    memset(&names, 0, sizeof(names));
    rc = read_folder_names(w, fd, path, &names);

    if (walk_open_dirs < walk_open_max) {
        walk_open_dirs++;
        dir->fd = fd;
    } else {
        close(fd);
    }

    if (rc == 0) {
        rc = visit_data_files(w, dir, &names, path, path_len);
    }

    for (i = 0; rc == 0 && i < names.count; i++) {
        e = &names.entries[i];
        entry_name = names.text + e->off;

        if (e->type == DT_REG) {
            if (is_post_name(entry_name, e->len)
                && !is_rendered_copy(&names, entry_name, e->len))
            {
                rc = w->visit(dir, entry_name, e->len, w->ctx);
            }

        } else if (e->type == DT_DIR || e->type == DT_LNK
                   || e->type == DT_UNKNOWN)
        {
            rc = walk_other(w, dir, e, entry_name);
        }

        /* fifos, sockets and devices are neither folders nor posts */
    }

    names_free(&names);
    walk_dir_unref(dir);
    return rc;
}

static int
walk_root(walker_t *w, const char *root)
{
    struct stat  st;

    if (stat(root, &st) != 0) {
        diag_error(w->diag, root, 0, 0, "cannot read content folder: %s",
                   strerror(errno));
        return 0;
    }

    if (S_ISDIR(st.st_mode)) {
        w->root_len = strlen(root);
        return walk_folder(w, NULL, root, root, strlen(root), &st);
    }

    if (S_ISREG(st.st_mode)) {
        return w->visit(NULL, root, strlen(root), w->ctx);
    }

    diag_error(w->diag, root, 0, 0, "not a folder or a regular file");
    return 0;
}

/* How many folders may stay open, from the descriptor limit. */
static size_t
open_dirs_allowed(void)
{
    struct rlimit  rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY
        || rl.rlim_cur >= 2 * WALK_OPEN_MAX + WALK_FD_RESERVE)
    {
        return WALK_OPEN_MAX;
    }

    return rl.rlim_cur > WALK_FD_RESERVE
           ? (size_t) (rl.rlim_cur - WALK_FD_RESERVE) / 2 : 0;
}


int
walk_posts(const char *const *roots, size_t nroots, walk_visit_pt visit,
    walk_data_pt data, void *ctx, diag_t *diag)
{
    walker_t  w = { NULL, 0, 0, visit, data, ctx, diag, NULL, 0 };
    size_t    i;
    int       rc = 0;

    walk_open_max = open_dirs_allowed();

    w.dents = malloc(DENTS_SIZE);
    if (w.dents == NULL) {
        return out_of_memory(&w);
    }

    for (i = 0; rc == 0 && i < nroots; i++) {
        rc = walk_root(&w, roots[i]);
    }

    free(w.dents);
    free(w.seen);
    return rc;
}
