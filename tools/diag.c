/*
 * diag.c - error and warning reports of redirect-map, compiler style.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"

/*
 * Prints "FILE:LINE:COLUMN: KIND: MESSAGE".  A zero line drops both the
 * line and the column (a column means nothing without its line); a zero
 * column drops the column only.  Without a file the message is about the
 * run itself and is prefixed with the program name.
 */
static void
diag_print(const char *kind, const char *file, unsigned line,
    unsigned column, const char *fmt, va_list ap)
{
    if (file == NULL) {
        fprintf(stderr, "redirect-map: ");
    } else if (line == 0) {
        fprintf(stderr, "%s: ", file);
    } else if (column == 0) {
        fprintf(stderr, "%s:%u: ", file, line);
    } else {
        fprintf(stderr, "%s:%u:%u: ", file, line, column);
    }

    fprintf(stderr, "%s: ", kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

static void
call_hook(diag_t *d, const char *kind, const char *file, unsigned line,
    unsigned column, const char *fmt, va_list ap)
{
    char  msg[8192];

    if (d->hook == NULL) {
        return;
    }

    vsnprintf(msg, sizeof(msg), fmt, ap);
    d->hook(d->hook_ctx, kind, file, file != NULL ? line : 0,
            file != NULL && line != 0 ? column : 0, msg);
}


void
diag_error(diag_t *d, const char *file, unsigned line, unsigned column,
    const char *fmt, ...)
{
    va_list  ap;

    d->errors++;

    va_start(ap, fmt);
    call_hook(d, "error", file, line, column, fmt, ap);
    va_end(ap);

    va_start(ap, fmt);
    diag_print("error", file, line, column, fmt, ap);
    va_end(ap);
}

void
diag_warning(diag_t *d, const char *file, unsigned line, unsigned column,
    const char *fmt, ...)
{
    va_list  ap;

    d->warnings++;          /* counted even when not shown */

    va_start(ap, fmt);
    call_hook(d, "warning", file, line, column, fmt, ap);
    va_end(ap);

    if (d->quiet) {
        return;
    }

    va_start(ap, fmt);
    diag_print("warning", file, line, column, fmt, ap);
    va_end(ap);
}


const char *
diag_printable(const char *s, size_t len, char *buf, size_t size)
{
    static const char  hex[] = "0123456789abcdef";
    size_t             i, o = 0;
    unsigned char      c;

    for (i = 0; i < len && o + 5 < size; i++) {
        c = (unsigned char) s[i];

        if (c < 0x20 || c == 0x7f) {
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = hex[c >> 4];
            buf[o++] = hex[c & 0x0f];

        } else {
            buf[o++] = (char) c;
        }
    }

    if (i < len && o + 4 <= size) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }

    buf[o] = '\0';
    return buf;
}
