/*
 * main.c - the redirect-map command line: subcommand dispatch, options
 * and exit codes.
 *
 * Exit codes (documented in redirect-map.1 and README.md):
 *   0  success
 *   1  validation errors (build, check), a URL not found (lookup), or
 *      maps that differ (diff)
 *   2  usage error
 *   3  I/O error, or a map that cannot be read
 */

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"


static void
usage(FILE *out)
{
    fprintf(out,
        "Usage: redirect-map COMMAND [OPTIONS] ...\n"
        "\n"
        "Compiles the legacy URLs in blog posts' front matter into a map\n"
        "that ngx_http_legacy_redirect_module serves as redirects.\n"
        "\n"
        "Commands:\n"
        "  build [DIR...] [-o FILE]\n"
        "                         read posts under DIR and redirect-map.yaml's\n"
        "                         rules and lists, and write the map\n"
        "  check [DIR...] [--site DIR] [--json]\n"
        "                         validate as build does, write nothing;\n"
        "                         --site: every target exists in the site\n"
        "  info MAP               format, counts, settings, checksum\n"
        "  lookup MAP [URL...]    show where URLs redirect to (or stdin)\n"
        "  dump MAP [--format F]  export: tsv json nginx apache haproxy\n"
        "                         netlify cloudflare-csv\n"
        "  diff OLD NEW           redirects added, removed and changed\n"
        "\n"
        "Options:\n"
        "  -h, --help             show this help (or COMMAND --help)\n"
        "  -V, --version          show the version\n"
        "\n"
        "Exit status: 0 ok, 1 validation errors, URL not found or maps\n"
        "differ, 2 usage error, 3 I/O error or unreadable map.\n"
        "See redirect-map(1) for the details.\n");
}


int
main(int argc, char **argv)
{
    const char  *cmd;
    static char  prog[32];

    /* past a file size limit (ulimit -f), write() fails with EFBIG and
     * the build reports it and removes its temporary file, instead of
     * being killed half-way */
    signal(SIGXFSZ, SIG_IGN);

    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }

    cmd = argv[1];

    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0
        || strcmp(cmd, "help") == 0)
    {
        usage(stdout);
        return EXIT_OK;
    }

    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("redirect-map %s (map format %d)\n", REDIRECT_MAP_VERSION,
               LRM_VERSION);
        return EXIT_OK;
    }

    /* getopt's messages then begin "redirect-map CMD:", as ours do */
    snprintf(prog, sizeof(prog), "redirect-map %.16s", cmd);
    argv[1] = prog;

    if (strcmp(cmd, "build") == 0) {
        return cmd_build(argc - 1, argv + 1);
    }

    if (strcmp(cmd, "check") == 0) {
        return cmd_check(argc - 1, argv + 1);
    }

    if (strcmp(cmd, "info") == 0) {
        return cmd_info(argc - 1, argv + 1);
    }

    if (strcmp(cmd, "lookup") == 0) {
        return cmd_lookup(argc - 1, argv + 1);
    }

    if (strcmp(cmd, "dump") == 0) {
        return cmd_dump(argc - 1, argv + 1);
    }

    if (strcmp(cmd, "diff") == 0) {
        return cmd_diff(argc - 1, argv + 1);
    }

    fprintf(stderr, "redirect-map: unknown command \"%s\"\n"
            "Try 'redirect-map --help'.\n", cmd);
    return EXIT_USAGE;
}
