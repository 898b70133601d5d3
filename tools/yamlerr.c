/*
 * yamlerr.c - libyaml parse errors as diagnostics, see yamlerr.h.
 */

#include "yamlerr.h"


int
yaml_report_error(const yaml_parser_t *parser, const char *path,
    const char *text, size_t len, unsigned first_line, diag_t *diag)
{
    const char  *problem;
    unsigned     line, column;
    size_t       i, end, line_start = 0;

    if (parser->error == YAML_MEMORY_ERROR) {
        diag_error(diag, NULL, 0, 0, "out of memory");
        return -1;
    }

    if (parser->error == YAML_READER_ERROR) {
        /* a byte offset: count the lines before it */
        end = parser->problem_offset < len ? parser->problem_offset : len;
        line = first_line;

        for (i = 0; i < end; i++) {
            if (text[i] == '\n') {
                line++;
                line_start = i + 1;
            }
        }
        column = (unsigned) (parser->problem_offset - line_start) + 1;

    } else {
        line = (unsigned) parser->problem_mark.line + first_line;
        column = (unsigned) parser->problem_mark.column + 1;
    }

    problem = parser->problem ? parser->problem : "invalid YAML";

    if (parser->context != NULL) {
        diag_error(diag, path, line, column, "%s (%s)", problem,
                   parser->context);
    } else {
        diag_error(diag, path, line, column, "%s", problem);
    }

    return 0;
}
