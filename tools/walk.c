/*
 * walk.c - finding post files in content folders, see walk.h.
 */

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "walk.h"

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
    void           *ctx;
    diag_t         *diag;
} walker_t;

typedef struct {
    char   **names;
    size_t   count;
    size_t   capacity;
} walk_names_t;

static const char *const post_extensions[] = {
    ".md", ".markdown", ".mdx", ".mdoc"
};

int
walk_is_post_name(const char *name)
{
    size_t  len = strlen(name);
    size_t  i, ext_len;

    for (i = 0; i < sizeof(post_extensions) / sizeof(post_extensions[0]);
         i++)
    {
        ext_len = strlen(post_extensions[i]);
        if (len > ext_len
            && strcmp(name + len - ext_len, post_extensions[i]) == 0)
        {
            return 1;
        }
    }

    return 0;
}

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

static char *
join_path(const char *folder, const char *name)
{
    size_t   folder_len = strlen(folder);
    size_t   name_len = strlen(name);
    int      slash = folder_len > 0 && folder[folder_len - 1] != '/';
    char    *path;

    path = malloc(folder_len + slash + name_len + 1);
    if (path == NULL) {
        return NULL;
    }

    memcpy(path, folder, folder_len);
    if (slash) {
        path[folder_len] = '/';
    }
    memcpy(path + folder_len + slash, name, name_len + 1);
    return path;
}

static void
names_free(walk_names_t *names)
{
    size_t  i;

    for (i = 0; i < names->count; i++) {
        free(names->names[i]);
    }
    free(names->names);
}

static int
names_add(walk_names_t *names, const char *name)
{
    char   **grown;
    size_t   capacity;

    if (names->count == names->capacity) {
        capacity = names->capacity ? names->capacity * 2 : 32;
        grown = realloc(names->names, capacity * sizeof(char *));
        if (grown == NULL) {
            return -1;
        }
        names->names = grown;
        names->capacity = capacity;
    }

    names->names[names->count] = strdup(name);
    if (names->names[names->count] == NULL) {
        return -1;
    }
    names->count++;
    return 0;
}

static int
compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * Reads the names in a folder, sorted, leaving out ".", ".." and hidden
 * entries.  The folder is closed before its entries are looked at, so a
 * deep tree does not hold one descriptor per level.  Returns 0 (also
 * when the folder could not be read: reported), -1 when out of memory.
 */
static int
read_folder_names(walker_t *w, const char *path, walk_names_t *names)
{
    DIR            *dir;
    struct dirent  *entry;

    dir = opendir(path);
    if (dir == NULL) {
        diag_error(w->diag, path, 0, 0, "cannot open folder: %s",
                   strerror(errno));
        return 0;
    }

    for ( ;; ) {
        errno = 0;
        entry = readdir(dir);
        if (entry == NULL) {
            if (errno != 0) {
                diag_error(w->diag, path, 0, 0, "cannot read folder: %s",
                           strerror(errno));
            }
            break;
        }

        if (entry->d_name[0] == '.') {
            continue;
        }

        if (names_add(names, entry->d_name) != 0) {
            closedir(dir);
            return out_of_memory(w);
        }
    }

    closedir(dir);
    if (names->count > 0) {     /* names is NULL in an empty folder */
        qsort(names->names, names->count, sizeof(char *), compare_names);
    }
    return 0;
}

static int walk_folder(walker_t *w, const char *path, const struct stat *st);

static int
walk_entry(walker_t *w, const char *folder, const char *name)
{
    struct stat   st;
    char         *path;
    int           rc = 0;

    path = join_path(folder, name);
    if (path == NULL) {
        return out_of_memory(w);
    }

    if (stat(path, &st) != 0) {
        diag_error(w->diag, path, 0, 0, "cannot read: %s", strerror(errno));

    } else if (S_ISDIR(st.st_mode)) {
        rc = walk_folder(w, path, &st);

    } else if (S_ISREG(st.st_mode) && walk_is_post_name(name)) {
        rc = w->visit(path, w->ctx);
    }

    free(path);
    return rc;
}

static int
walk_folder(walker_t *w, const char *path, const struct stat *st)
{
    walk_names_t  names = { NULL, 0, 0 };
    size_t        i;
    int           rc;

    rc = seen_add(w, st);
    if (rc == 0) {
        return 0;       /* read already: a link loop or a second way in */
    }
    if (rc < 0) {
        return out_of_memory(w);
    }

    rc = read_folder_names(w, path, &names);

    for (i = 0; rc == 0 && i < names.count; i++) {
        rc = walk_entry(w, path, names.names[i]);
    }

    names_free(&names);
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
        return walk_folder(w, root, &st);
    }

    if (S_ISREG(st.st_mode)) {
        return w->visit(root, w->ctx);
    }

    diag_error(w->diag, root, 0, 0, "not a folder or a regular file");
    return 0;
}

int
walk_posts(const char *const *roots, size_t nroots, walk_visit_pt visit,
    void *ctx, diag_t *diag)
{
    walker_t  w = { NULL, 0, 0, visit, ctx, diag };
    size_t    i;
    int       rc = 0;

    for (i = 0; rc == 0 && i < nroots; i++) {
        rc = walk_root(&w, roots[i]);
    }

    free(w.seen);
    return rc;
}
