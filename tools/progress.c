/*
 * progress.c - the progress line of long builds, see progress.h.
 */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "progress.h"


static double
seconds_between(const struct timespec *a, const struct timespec *b)
{
    return (double) (b->tv_sec - a->tv_sec)
           + (double) (b->tv_nsec - a->tv_nsec) / 1e9;
}


void
progress_init(progress_t *p, int quiet)
{
    const char  *env = getenv("REDIRECT_MAP_PROGRESS_DELAY");
    char        *end;

    p->delay = PROGRESS_DELAY;

    if (env != NULL && *env != '\0') {
        p->delay = strtod(env, &end);
        if (*end != '\0' || p->delay < 0) {
            p->delay = PROGRESS_DELAY;
        }
    }

    p->enabled = !quiet && isatty(STDERR_FILENO);
    p->shown = 0;
    p->width = 0;
    clock_gettime(CLOCK_MONOTONIC, &p->start);
    p->last = p->start;
}


void
progress_update(progress_t *p, size_t files)
{
    struct timespec  now;
    double           elapsed;
    int              n;

    if (!p->enabled) {
        return;
    }

    clock_gettime(CLOCK_MONOTONIC, &now);
    elapsed = seconds_between(&p->start, &now);

    if (elapsed < p->delay
        || (p->shown && seconds_between(&p->last, &now) < PROGRESS_INTERVAL))
    {
        return;
    }

    p->last = now;

    n = fprintf(stderr, "\rredirect-map: read %zu files (%.0f files/s)...",
                files, (double) files / elapsed);
    fflush(stderr);

    if (n > 1 && (size_t) n - 1 > p->width) {
        p->width = (size_t) n - 1;
    }
    p->shown = 1;
}


void
progress_clear(progress_t *p)
{
    if (!p->shown) {
        return;
    }

    fprintf(stderr, "\r%*s\r", (int) p->width, "");
    fflush(stderr);
    p->shown = 0;
}
