/*
 * progress.h - the progress line of long builds.
 *
 * When stderr is a terminal (and not -q), a build that has run for more
 * than PROGRESS_DELAY seconds shows, on one line rewritten with '\r' at
 * most 10 times a second:
 *     redirect-map: read 12000 files (8500 files/s)...
 * The line is cleared before any other message and at the end, so it
 * never stays on screen and never reaches a file or a pipe.
 */

#ifndef PROGRESS_H
#define PROGRESS_H

#include <stddef.h>
#include <time.h>

#define PROGRESS_DELAY     1.0      /* seconds before the first update */
#define PROGRESS_INTERVAL  0.1      /* seconds between updates */

typedef struct {
    double           delay;         /* PROGRESS_DELAY, or the environment's
                                       REDIRECT_MAP_PROGRESS_DELAY */
    int              enabled;
    int              shown;         /* a line is on the screen */
    size_t           width;         /* its length, to clear it */
    struct timespec  start;
    struct timespec  last;
} progress_t;

/* Enabled when stderr is a terminal and quiet is 0. */
void progress_init(progress_t *p, int quiet);

/* files files read so far; prints when it is time to. */
void progress_update(progress_t *p, size_t files);

/* Clears the line if one is shown (before a message, and at the end). */
void progress_clear(progress_t *p);

#endif /* PROGRESS_H */
