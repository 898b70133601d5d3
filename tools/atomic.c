/*
 * atomic.c - see atomic.h.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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


/* The path of what the link at path points to: target as it is when
 * absolute, else relative to the link's folder. */
static char *
link_target(const char *path, const char *target)
{
    char    *dir, *out;
    size_t   len;

    if (target[0] == '/') {
        return strdup(target);
    }

    dir = folder_of(path);
    if (dir == NULL) {
        return NULL;
    }

    len = strlen(dir) + 1 + strlen(target) + 1;
    out = malloc(len);
    if (out != NULL) {
        snprintf(out, len, "%s%s%s", dir,
                 dir[strlen(dir) - 1] == '/' ? "" : "/", target);
    }

    free(dir);
    return out;
}


/*
 * The file a write to path replaces: path, or where the symbolic links
 * that path is lead, link after link (the last one may not exist yet,
 * as cp writes through a dangling link).  Returns a new string, or NULL
 * with errno set (ELOOP past ATOMIC_LINKS_MAX links).
 */
static char *
final_path(const char *path)
{
    struct stat  st;
    char         target[PATH_MAX], *cur, *next;
    ssize_t      n;
    unsigned     links;

    cur = strdup(path);

    for (links = 0; cur != NULL; links++) {
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) {
            return cur;     /* an error is for creating or renaming to say */
        }

        if (links == ATOMIC_LINKS_MAX) {
            free(cur);
            errno = ELOOP;
            return NULL;
        }

        n = readlink(cur, target, sizeof(target));
        if (n < 0 || (size_t) n == sizeof(target)) {
            if (n >= 0) {
                errno = ENAMETOOLONG;
            }
            free(cur);
            return NULL;
        }
        target[n] = '\0';

        next = link_target(cur, target);
        free(cur);
        cur = next;
    }

    errno = ENOMEM;
    return NULL;
}


/*
 * The new file gets the old one's permissions when there is one and its
 * owner and group can be kept too (as root, or a group the user is in).
 * Else (no old file, or one owned by others) it gets what a new file
 * gets, the umask's: the old bits could shut out the group the old map
 * was shared with.
 */
static void
take_old_mode(int fd, const char *path)
{
    struct stat  old, cur;
    mode_t       mask;

    if (stat(path, &old) == 0 && S_ISREG(old.st_mode)
        && fstat(fd, &cur) == 0)
    {
        /* fchown first: it may clear mode bits */
        if (cur.st_uid != old.st_uid
            && fchown(fd, old.st_uid, old.st_gid) == 0)
        {
            cur.st_uid = old.st_uid;
            cur.st_gid = old.st_gid;
        }

        if (cur.st_gid != old.st_gid && fchown(fd, -1, old.st_gid) == 0) {
            cur.st_gid = old.st_gid;
        }

        if (cur.st_uid == old.st_uid && cur.st_gid == old.st_gid
            && fchmod(fd, old.st_mode & 0777) == 0)
        {
            return;
        }
    }

    mask = umask(0);
    umask(mask);
    (void) fchmod(fd, 0666 & ~mask);
}


int
atomic_open(atomic_file_t *af, const char *path)
{
    const char  *base;
    char        *dir;
    size_t       len;

    memset(af, 0, sizeof(*af));
    af->fd = -1;

    af->path = final_path(path);
    if (af->path == NULL) {
        return -1;
    }

    dir = folder_of(af->path);
    if (dir == NULL) {
        atomic_abort(af);
        errno = ENOMEM;
        return -1;
    }

    base = strrchr(af->path, '/');
    base = base ? base + 1 : af->path;

    len = strlen(dir) + strlen(base) + 16;
    af->tmp_path = malloc(len);

    if (af->tmp_path == NULL) {
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
    take_old_mode(af->fd, af->path);

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

    /* the new file is in place now, whatever comes next */
    saved = sync_folder(af->path) != 0 ? errno : 0;
    atomic_abort(af);

    if (saved != 0) {
        errno = saved;
        return ATOMIC_NOT_SYNCED;
    }

    return 0;
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
