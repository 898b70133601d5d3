/*
 * atomic.h - replacing a file so that readers see the old one or the new
 * one, never a mix: write a temporary file in the same folder, fsync it,
 * rename it over the target, fsync the folder.
 */

#ifndef ATOMIC_H
#define ATOMIC_H

#include <stddef.h>

typedef struct {
    char  *path;          /* the file to replace */
    char  *tmp_path;      /* the temporary file beside it */
    int    fd;
} atomic_file_t;

/* Creates the temporary file.  Returns 0, or -1 with errno set. */
int atomic_open(atomic_file_t *af, const char *path);

/* fsync, close, rename, fsync the folder.  Returns 0, or -1 (errno). */
int atomic_commit(atomic_file_t *af);

/* Closes and removes the temporary file, leaving path untouched. */
void atomic_abort(atomic_file_t *af);

#endif /* ATOMIC_H */
