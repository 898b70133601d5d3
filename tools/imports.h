/*
 * imports.h - redirect lists kept outside the posts, named under
 * "import:" in redirect-map.yaml:
 *
 *   *.json   {"old": "new", "old2": {"to": "new", "status": 302}}
 *                           or [{"from": "old", "to": "new", "status": 302}]
 *   _redirects, *.redirects Netlify lines: old new [status[!]]; "*" and
 *                           ":name" in old become a pattern rule
 *   anything else (*.tsv)   lines old<TAB>new[<TAB>status]
 *
 * "#" starts a comment line in the line formats; blank lines are ignored.
 * Every entry keeps the file and line it came from.
 */

#ifndef IMPORTS_H
#define IMPORTS_H

#include "diag.h"
#include "redirects.h"
#include "rules.h"

/*
 * Reads one list into exact entries and rules.  Problems are reported
 * with file:line.  Returns 0 (maybe with errors reported), -1 when out of
 * memory.
 */
int imports_read(const char *path, redirect_list_t *list, rule_list_t *rules,
    diag_t *diag);

#endif /* IMPORTS_H */
