/*
 * common.h - helpers shared by the fuzz targets (see fuzz/README.md).
 */

#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "redirects.h"
#include "rules.h"

/* Writes data to NAME inside a private temporary folder; returns its
 * path (static storage, valid until the next call). */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);

/* The private temporary folder. */
const char *fuzz_dir(void);

/*
 * The build's last steps on what a parser produced: redirects_check(),
 * chains_check_pages(), chains_collapse() and, when no error was
 * reported, a map written with the shared writer and read back with the
 * shared reader: every entry and rule must come back as it went in
 * (abort() otherwise).
 */
void fuzz_finish(redirect_list_t *list, rule_list_t *rules, diag_t *diag);

#define FUZZ_ASSERT(c)  do { if (!(c)) fuzz_fail(#c, __FILE__, __LINE__); } \
                        while (0)

void fuzz_fail(const char *what, const char *file, int line)
    __attribute__((noreturn));

#endif
