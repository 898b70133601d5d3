/*
 * main.c - the redirect-map command line: subcommand dispatch, options
 * and exit codes.
 *
 * Exit codes (documented in redirect-map.1 and README.md):
 *   0  success
 *   1  validation errors (build), or a URL not found (lookup)
 *   2  usage error
 *   3  I/O error, or a map that cannot be read
 */

#include <getopt.h>
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
        "  lookup MAP URL...      show where a URL or path redirects to\n"
        "  dump MAP               print every entry as sorted TSV\n"
        "\n"
        "Options:\n"
        "  -h, --help             show this help (or COMMAND --help)\n"
        "  -V, --version          show the version\n"
        "\n"
        "Exit status: 0 ok, 1 validation errors or URL not found,\n"
        "2 usage error, 3 I/O error or unreadable map.\n");
}


int
main(int argc, char **argv)
{
    const char  *cmd;

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

    if (strcmp(cmd, "build") == 0) {
        return cmd_build(argc - 1, argv + 1);
    }

    if (strcmp(cmd, "lookup") == 0) {
        return cmd_lookup(argc - 1, argv + 1);
    }

    if (strcmp(cmd, "dump") == 0) {
        return cmd_dump(argc - 1, argv + 1);
    }

    fprintf(stderr, "redirect-map: unknown command \"%s\"\n"
            "Try 'redirect-map --help'.\n", cmd);
    return EXIT_USAGE;
}
