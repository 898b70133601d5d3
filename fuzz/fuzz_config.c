/*
 * fuzz_config.c - redirect-map.yaml as the build reads it: YAML parsing,
 * every key of docs/config.md, the rules (PCRE2 compilation, target
 * checks) and exact redirects, then the build's checks, writing and
 * reading back (fuzz_finish()).  Imported lists are left out (they have
 * their own targets, and a fuzzed path could name any file).
 */

#include <string.h>

#include "common.h"
#include "config.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    config_t                  cfg;
    redirect_list_t           list = { 0 };
    rule_list_t               rules = { 0 };
    diag_t                    diag = { 0 };
    const config_redirect_t  *x;
    const config_rule_t      *r;
    const char               *path;
    size_t                    i;

    memset(&cfg, 0, sizeof(cfg));
    path = fuzz_file("redirect-map.yaml", data, size);

    if (config_load(&cfg, path, &diag) != 0) {
        goto done;
    }

    if (cfg.ignore_case == 1) {
        list.norm_flags = LRM_NORM_CASELESS;
        rules.caseless = 1;
    }

    for (i = 0; i < cfg.nredirects; i++) {
        x = &cfg.redirects[i];
        FUZZ_ASSERT(redirects_add(&list, x->from, x->to, x->status, cfg.file,
                                  x->line, x->column, &diag) >= 0);
    }

    for (i = 0; i < cfg.nrules; i++) {
        r = &cfg.rules[i];
        FUZZ_ASSERT(rules_add(&rules, r->from, r->from_len, r->to, r->status,
                              r->flags, cfg.file, r->line, r->column, &diag)
                    >= 0);
    }

    fuzz_finish(&list, &rules, &diag);

done:
    redirects_free(&list);
    rules_free(&rules);
    config_free(&cfg);
    return 0;
}
