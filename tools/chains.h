/*
 * chains.h - the checks that need both the exact entries and the rules,
 * done once everything is collected and redirects_check() has run:
 *
 *   - a rule that matches a live post's new path is an error (it would
 *     redirect a live page);
 *   - chains collapse: an entry A -> B whose B is itself an exact key or
 *     matches a rule goes straight to the end of the chain (one hop for
 *     the client).  Its status stays A's own, unless a later hop is a
 *     410, which makes A a 410 too.  A rule whose target has no "$" is
 *     collapsed the same way;
 *   - loops (A -> B -> ... -> A, through entries and rules) are errors
 *     naming every place in the loop.
 */

#ifndef CHAINS_H
#define CHAINS_H

#include "diag.h"
#include "redirects.h"
#include "rules.h"

#define CHAINS_MAX_HOPS  64

void chains_check_pages(redirect_list_t *list, rule_list_t *rules,
    diag_t *diag);

/* Returns 0, or -1 when out of memory. */
int chains_collapse(redirect_list_t *list, rule_list_t *rules, diag_t *diag);

#endif /* CHAINS_H */
