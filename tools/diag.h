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

typedef struct diag_s          diag_t;
typedef struct diag_capture_s  diag_capture_t;

/*
 * Called for every message before it is printed (also for a warning
 * that quiet keeps from being printed): kind is "error" or "warning",
 * file is NULL and line or column 0 when unknown, message is the text
 * after "KIND: ".  Used by "check --json" to collect the messages and by
 * the progress line to clear itself first.
 */
typedef void (*diag_hook_pt)(void *ctx, const char *kind, const char *file,
    unsigned line, unsigned column, const char *message);

struct diag_s {
    size_t         errors;
    size_t         warnings;
    int            quiet;       /* suppress warnings (errors always print) */
    diag_hook_pt   hook;        /* NULL: none */
    void          *hook_ctx;
    diag_capture_t *capture;    /* not NULL: keep messages, print nothing
                                   (but what there is no memory to keep) */
};

/*
 * Messages kept by a diag_t whose capture is set (counted in it, but
 * neither printed nor passed to a hook), to be given later to another
 * diag_t with diag_replay(): threads that read posts keep each file's
 * messages, which are then printed in the order of the files.  One that
 * cannot be kept for lack of memory is printed at once, without the hook
 * (a reading thread may not call it), and only counted by the replay.
 */
typedef struct {
    int        error;           /* else a warning */
    char      *file;
    unsigned   line;
    unsigned   column;
    char      *message;
} diag_message_t;

struct diag_capture_s {
    diag_message_t  *items;
    size_t           count;
    size_t           capacity;
    size_t           lost_errors;   /* printed at once: no memory to keep */
    size_t           lost_warnings;
};

/*
 * Reports every kept message through d, in order, and frees them; the
 * messages that could not be kept were printed already, and are only
 * counted in d.
 */
void diag_replay(diag_t *d, diag_capture_t *c);

void diag_capture_free(diag_capture_t *c);

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
