/*
 * rules.h - pattern rules: PCRE2 patterns tried, in order, on a path that
 * is not an exact key.  The build checks and stores them; "lookup" and
 * the chain collapsing of the build match them exactly as the nginx
 * module does:
 *
 *   - the subject is the normalised path, or, for a rule with
 *     LRM_RULE_MATCH_QUERY, "path?query" with the query's m=0/m=1 removed
 *     (just the path when nothing is left of the query);
 *   - patterns are compiled with no options, or PCRE2_CASELESS in a
 *     caseless map (never PCRE2_UTF: paths are bytes);
 *   - the first rule that matches answers; if its target expands to
 *     something unsafe (lrm_expand_target() < 0) there is no answer.
 */

#ifndef RULES_H
#define RULES_H

#include <stddef.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "diag.h"
#include "lrmap.h"

typedef struct {
    char               *pattern;
    size_t              pattern_len;
    char               *target;       /* "" for a 410 */
    size_t              target_len;
    unsigned            status;
    unsigned            flags;        /* LRM_RULE_* */
    char               *file;
    unsigned            line;
    unsigned            column;
    int                 groups;       /* capture groups of the pattern */
    pcre2_code         *code;
} rule_t;

typedef struct {
    rule_t             *items;
    size_t              count;
    size_t              capacity;
    int                 caseless;
    pcre2_match_data   *md;
} rule_list_t;

/* What rules_match() found. */
typedef struct {
    const rule_t  *rule;             /* NULL: no rule matched */
    long           target_len;       /* -1: unsafe, no answer */
    int            loops;            /* 1: it leads back here (see
                                        rules_match()), no answer */
    char           target[LRM_MAX_TARGET + 1];   /* NUL-terminated */
} rule_hit_t;

/*
 * Checks and adds a rule written in file:line:column.  target may be
 * NULL or "" for a 410.  Non-ASCII bytes of the target are
 * percent-encoded before it is checked.  Returns 0, 1 when an error was
 * reported, -1 when out of memory.
 */
int rules_add(rule_list_t *list, const char *pattern, size_t pattern_len,
    const char *target, unsigned status, unsigned flags, const char *file,
    unsigned line, unsigned column, diag_t *diag);

/*
 * Adds a rule read back from a map (already checked when it was built).
 * Returns 0, or -1 with a reason in err.
 */
int rules_add_compiled(rule_list_t *list, const lrm_rule_t *r, char *err,
    size_t err_size);

/*
 * Tries the rules on a normalised path and a query string (without its
 * '?', may be empty).  Returns 1 and fills *hit when a rule matched
 * (hit->target_len -1 when its target is unsafe), 0 when none did, -1 on
 * a matching error (out of memory, match limit).  hit->loops is 1 when
 * the target would bring the client straight back to the same rule, as
 * the module judges it with "legacy_redirect_query keep", the default
 * (lrm_target_is_key(), lrm_rule_answers_again()): the module then
 * answers nothing.
 */
int rules_match(rule_list_t *list, const char *path, size_t path_len,
    const char *query, size_t query_len, rule_hit_t *hit);

/* Whether a rule's target has "$" (captures): not known until a match. */
int rules_target_is_literal(const rule_t *rule);

void rules_free(rule_list_t *list);

#endif /* RULES_H */
