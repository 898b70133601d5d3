/*
 * yamlerr.h - reporting a libyaml parse error compiler style, shared by
 * the configuration file, imported JSON lists and front matter.
 */

#ifndef YAMLERR_H
#define YAMLERR_H

#include <stddef.h>

#include <yaml.h>

#include "diag.h"

/*
 * Reports the error of a parser whose yaml_parser_load() failed on text
 * (len bytes) as "path:LINE:COLUMN: error: PROBLEM (CONTEXT)".
 * first_line is the line of the file on which text starts (1 for a
 * whole file, 2 for a front matter after its opening "---").  Reader
 * errors, which libyaml gives as a byte offset, are turned into a line
 * and a column too.  Returns 0, or -1 for an out-of-memory error
 * (reported as such, without a place).
 */
int yaml_report_error(const yaml_parser_t *parser, const char *path,
    const char *text, size_t len, unsigned first_line, diag_t *diag);

/*
 * libyaml's scanner takes time quadratic in the nesting of flow
 * collections ("[[[[..."): a front matter of a few megabytes would take
 * hours.  No configuration, list or front matter needs more than a few
 * levels, so deeper text is refused before it is loaded.
 */
#define YAML_MAX_DEPTH  256

/*
 * Parses text (events only, no document) and reports, at its place, a
 * collection nested deeper than YAML_MAX_DEPTH.  Returns 0 (also on a
 * parse error, left for yaml_parser_load() to report), -1 when too deep
 * (reported), -2 when out of memory (reported).
 */
int yaml_check_depth(const char *path, const char *text, size_t len,
    unsigned first_line, diag_t *diag);

#endif /* YAMLERR_H */
