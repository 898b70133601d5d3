/*
 * atomic.h - replacing a file so that readers see the old one or the new
 * one, never a mix: write a temporary file in the same folder, fsync it,
 * rename it over the target, fsync the folder.
 *
 * When the path is a symbolic link (or a chain of them), the file
 * replaced is the one the links lead to, in its own folder: the links
 * stay links.  A link to nothing is written through, as cp does, when
 * the folder of its target exists.  The new file takes the permissions,
 * and as far as the user may give them (as root) the owner and group,
 * of the file it replaces; a file that is new gets the umask's.
 */

#ifndef ATOMIC_H
#define ATOMIC_H

#include <stddef.h>

/* the most links followed from the path given to the file replaced */
#define ATOMIC_LINKS_MAX   40

/* atomic_commit(): the file is replaced, but its folder was not synced */
#define ATOMIC_NOT_SYNCED  1

typedef struct {
    char  *path;          /* the file to replace, links followed */
    char  *tmp_path;      /* the temporary file beside it */
    int    fd;
} atomic_file_t;

/* Creates the temporary file.  Returns 0, or -1 with errno set. */
int atomic_open(atomic_file_t *af, const char *path);

/*
 * fsync, close, rename, fsync the folder.  Returns 0; -1 (errno) when
 * the file was not replaced; or ATOMIC_NOT_SYNCED (errno) when it was,
 * but the folder could not be synced: readers see the new file, but
 * after a crash the old one may be back.
 */
int atomic_commit(atomic_file_t *af);

/* Closes and removes the temporary file, leaving path untouched. */
void atomic_abort(atomic_file_t *af);

#endif /* ATOMIC_H */
