/*
 * diag.c - error and warning reports of redirect-map, compiler style.
 */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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


/* Keeps a message of a capturing diag_t; returns 0, -1 out of memory. */
static int
capture(diag_t *d, int error, const char *file, unsigned line,
    unsigned column, const char *fmt, va_list ap)
{
    diag_capture_t  *c = d->capture;
    diag_message_t  *grown, *m;
    size_t           cap;

    if (c->count == c->capacity) {
        if (c->capacity > SIZE_MAX / 2 / sizeof(diag_message_t)) {
            return -1;
        }

        cap = c->capacity ? c->capacity * 2 : 4;
        grown = realloc(c->items, cap * sizeof(diag_message_t));
        if (grown == NULL) {
            return -1;
        }
        c->items = grown;
        c->capacity = cap;
    }

    m = &c->items[c->count];
    m->error = error;
    m->line = line;
    m->column = column;
    m->file = NULL;

    if ((file != NULL && (m->file = strdup(file)) == NULL)
        || vasprintf(&m->message, fmt, ap) < 0)
    {
        free(m->file);
        return -1;
    }

    c->count++;
    return 0;
}


void
diag_replay(diag_t *d, diag_capture_t *c)
{
    diag_message_t  *m;
    size_t           i;

    for (i = 0; i < c->count; i++) {
        m = &c->items[i];

        if (m->error) {
            diag_error(d, m->file, m->line, m->column, "%s", m->message);
        } else {
            diag_warning(d, m->file, m->line, m->column, "%s", m->message);
        }
    }

    /* printed when they came: counted now, with the messages around them */
    d->errors += c->lost_errors;
    d->warnings += c->lost_warnings;

    diag_capture_free(c);
}


void
diag_capture_free(diag_capture_t *c)
{
    size_t  i;

    for (i = 0; i < c->count; i++) {
        free(c->items[i].file);
        free(c->items[i].message);
    }

    free(c->items);
    memset(c, 0, sizeof(*c));
}


void
diag_error(diag_t *d, const char *file, unsigned line, unsigned column,
    const char *fmt, ...)
{
    va_list  ap;

    d->errors++;

    if (d->capture != NULL) {
        va_start(ap, fmt);
        if (capture(d, 1, file, line, column, fmt, ap) != 0) {
            /* out of memory: print it now, and count it when replayed */
            d->capture->lost_errors++;
            va_end(ap);
            va_start(ap, fmt);
            diag_print("error", file, line, column, fmt, ap);
        }
        va_end(ap);
        return;
    }

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

    if (d->capture != NULL) {
        va_start(ap, fmt);
        if (capture(d, 0, file, line, column, fmt, ap) != 0) {
            d->capture->lost_warnings++;

            if (!d->quiet) {
                va_end(ap);
                va_start(ap, fmt);
                diag_print("warning", file, line, column, fmt, ap);
            }
        }
        va_end(ap);
        return;
    }

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
