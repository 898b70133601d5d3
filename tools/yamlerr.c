/*
 * yamlerr.c - libyaml parse errors as diagnostics, see yamlerr.h.
 */

#include <string.h>

#include "yamlerr.h"


/*
 * The length of the line break at p, as libyaml counts lines: CR LF,
 * CR, LF, NEL, LS or PS; 0 when there is none.
 */
static size_t
line_break(const char *p, size_t left)
{
    const unsigned char  *u = (const unsigned char *) p;

    if (u[0] == '\r') {
        return left > 1 && u[1] == '\n' ? 2 : 1;
    }
    if (u[0] == '\n') {
        return 1;
    }
    if (left > 1 && u[0] == 0xc2 && u[1] == 0x85) {
        return 2;
    }
    if (left > 2 && u[0] == 0xe2 && u[1] == 0x80
        && (u[2] == 0xa8 || u[2] == 0xa9))
    {
        return 3;
    }
    return 0;
}

/*
 * Whether the character at a scanner's mark (line and column from the
 * start of text, columns counting characters) is a tab: libyaml says
 * only "found character that cannot start any token" of a line that a
 * tab indents.
 */
static int
is_tab_at(const char *text, size_t len, const yaml_mark_t *mark)
{
    size_t  i = 0, n, line = 0, column = 0;

    while (i < len && line < mark->line) {
        n = line_break(text + i, len - i);
        line += n > 0;
        i += n > 0 ? n : 1;
    }
    for ( ; i < len && line_break(text + i, len - i) == 0; i++) {
        if (column == mark->column) {
            return text[i] == '\t';
        }
        /* a UTF-8 continuation byte is no new character */
        column += ((unsigned char) text[i] & 0xc0) != 0x80;
    }
    return 0;
}

/*
 * Whether libyaml's problem can be a tab that indents: its own words for
 * one, or what it says of a line that starts with one.  Not, say, a tab
 * that ends an empty anchor name ("&\tx").
 */
static int
is_tab_problem(const char *problem)
{
    return strcmp(problem, "found character that cannot start any token")
               == 0
           || strstr(problem, "tab character") != NULL;
}


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

    if (parser->error == YAML_SCANNER_ERROR
        && is_tab_problem(problem)
        && is_tab_at(text, len, &parser->problem_mark))
    {
        diag_error(diag, path, line, column, "a tab, which YAML does not "
                   "take for indentation or as the start of a value: "
                   "indent with spaces");

    } else if (parser->context != NULL) {
        diag_error(diag, path, line, column, "%s (%s)", problem,
                   parser->context);
    } else {
        diag_error(diag, path, line, column, "%s", problem);
    }

    return 0;
}


int
yaml_check_depth(const char *path, const char *text, size_t len,
    unsigned first_line, diag_t *diag)
{
    yaml_parser_t  parser;
    yaml_event_t   event;
    unsigned       depth = 0;
    int            rc = 0, done = 0;

    if (!yaml_parser_initialize(&parser)) {
        diag_error(diag, NULL, 0, 0, "out of memory");
        return -2;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *) text, len);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

    /* a parse error is left for yaml_parser_load() to report */

    while (!done && yaml_parser_parse(&parser, &event)) {
        switch (event.type) {
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (++depth > YAML_MAX_DEPTH) {
                diag_error(diag, path,
                           (unsigned) event.start_mark.line + first_line,
                           (unsigned) event.start_mark.column + 1,
                           "YAML nested deeper than %d levels",
                           YAML_MAX_DEPTH);
                rc = -1;
                done = 1;
            }
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        default:
            break;
        }
        yaml_event_delete(&event);
    }

    yaml_parser_delete(&parser);
    return rc;
}
