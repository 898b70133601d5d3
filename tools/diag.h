/*
 * diag.h - error and warning reports of redirect-map.
 *
 * Every message names where the problem is, compiler style:
 *     FILE:LINE:COLUMN: error: MESSAGE
 * (LINE and COLUMN are left out when they are 0).  Errors are counted so
 * that a whole run can be reported before the tool decides to stop.
 */

#ifndef DIAG_H
#define DIAG_H

#include <stddef.h>

typedef struct {
    size_t  errors;
    size_t  warnings;
    int     quiet;          /* suppress warnings (errors always print) */
} diag_t;

void diag_error(diag_t *d, const char *file, unsigned line, unsigned column,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

void diag_warning(diag_t *d, const char *file, unsigned line,
    unsigned column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/*
 * s (len bytes) fit for a one-line message: control bytes become \xNN
 * and a long text is cut with "...".  Returns buf.
 */
const char *diag_printable(const char *s, size_t len, char *buf,
    size_t size);

#endif /* DIAG_H */
