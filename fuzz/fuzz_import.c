/*
 * fuzz_import.c - one imported redirect list (tools/imports.c), built
 * three times: IMPORT_NAME "list.json" (JSON object or array),
 * "_redirects" (Netlify lines, with splats and :placeholders becoming
 * rules) and "list.tsv" (tab-separated lines).  Then the build's checks,
 * writing and reading back (fuzz_finish()).
 */

#include "common.h"
#include "imports.h"

#ifndef IMPORT_NAME
#define IMPORT_NAME  "list.tsv"
#endif

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    redirect_list_t  list = { 0 };
    rule_list_t      rules = { 0 };
    diag_t           diag = { 0 };
    const char      *path;

    path = fuzz_file(IMPORT_NAME, data, size);

    if (imports_read(path, &list, &rules, &diag) == 0) {
        fuzz_finish(&list, &rules, &diag);
    }

    redirects_free(&list);
    rules_free(&rules);
    return 0;
}
