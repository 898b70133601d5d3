/*
 * atomic.c - see atomic.h.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"


static char *
folder_of(const char *path)
{
    const char  *slash = strrchr(path, '/');
    char        *dir;

    if (slash == NULL) {
        return strdup(".");
    }

    if (slash == path) {
        return strdup("/");
    }

    dir = strndup(path, (size_t) (slash - path));
    return dir;
}


int
atomic_open(atomic_file_t *af, const char *path)
{
    const char  *base;
    char        *dir;
    size_t       len;
    mode_t       mask;

    memset(af, 0, sizeof(*af));
    af->fd = -1;

    dir = folder_of(path);
    if (dir == NULL) {
        return -1;
    }

    base = strrchr(path, '/');
    base = base ? base + 1 : path;

    len = strlen(dir) + strlen(base) + 16;
    af->tmp_path = malloc(len);
    af->path = strdup(path);

    if (af->tmp_path == NULL || af->path == NULL) {
        free(dir);
        atomic_abort(af);
        errno = ENOMEM;
        return -1;
    }

    snprintf(af->tmp_path, len, "%s/.%s.XXXXXX", dir, base);
    free(dir);

    af->fd = mkstemp(af->tmp_path);
    if (af->fd < 0) {
        int  saved = errno;

        free(af->tmp_path);
        af->tmp_path = NULL;
        atomic_abort(af);
        errno = saved;
        return -1;
    }

    /* mkstemp makes 0600; a map is read by nginx's user, like any file */
    mask = umask(0);
    umask(mask);
    (void) fchmod(af->fd, 0666 & ~mask);

    return 0;
}


static int
sync_folder(const char *path)
{
    char  *dir;
    int    fd, rc;

    dir = folder_of(path);
    if (dir == NULL) {
        return -1;
    }

    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);

    if (fd < 0) {
        return -1;
    }

    rc = fsync(fd);
    close(fd);

    return rc;
}


int
atomic_commit(atomic_file_t *af)
{
    int  saved;

    if (fsync(af->fd) != 0 || close(af->fd) != 0) {
        saved = errno;
        af->fd = -1;
        atomic_abort(af);
        errno = saved;
        return -1;
    }

    af->fd = -1;

    if (rename(af->tmp_path, af->path) != 0) {
        saved = errno;
        atomic_abort(af);
        errno = saved;
        return -1;
    }

    free(af->tmp_path);
    af->tmp_path = NULL;

    saved = sync_folder(af->path);
    atomic_abort(af);

    return saved;
}


void
atomic_abort(atomic_file_t *af)
{
    if (af->fd >= 0) {
        close(af->fd);
        af->fd = -1;
    }

    if (af->tmp_path != NULL) {
        unlink(af->tmp_path);
        free(af->tmp_path);
        af->tmp_path = NULL;
    }

    free(af->path);
    af->path = NULL;
}
