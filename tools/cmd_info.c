/*
 * cmd_info.c - "info": what a map file holds and how it was built.
 */

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "mapfile.h"


static const char  info_help[] =
    "Usage: redirect-map info [--json] MAP\n"
    "\n"
    "Checks MAP as nginx does (header, bounds, checksum) and prints what\n"
    "it holds, one 'name: value' line each: path, format version, size,\n"
    "entries, rules, buckets, slots, load factor, flags, source files,\n"
    "then every metadata pair recorded by the build (tool, built, key,\n"
    "target, ignore_case...), and the checksum (the XXH64 of the file,\n"
    "stored in its last 8 bytes, as 16 hex digits).\n"
    "\n"
    "  -j, --json             one JSON object instead\n"
    "  -h, --help             show this help\n"
    "\n"
    "Exit status: 0 ok, 2 usage error, 3 the map cannot be read or is\n"
    "damaged, or output failed.\n";




static uint32_t
source_count(const lrm_map_t *map)
{
    if (map->sources_size < 4) {
        return 0;
    }

    return lrm_get32(map->data + map->sources_off);
}


static void
print_text(const char *path, const mapfile_t *mf)
{
    const lrm_map_t  *map = &mf->map;
    lrm_meta_t       p;
    size_t            off = 0;

    printf("path: %s\n", path);
    printf("format: %d\n", LRM_VERSION);
    printf("size: %zu bytes\n", mf->size);
    printf("entries: %" PRIu64 "\n", map->entries);
    printf("rules: %" PRIu32 "\n", map->rule_count);
    printf("buckets: %" PRIu64 "\n", map->buckets);
    printf("slots: %" PRIu64 "\n", map->slots);
    printf("load factor: %.2f\n",
           map->slots ? (double) map->entries / (double) map->slots : 0.0);
    printf("flags:%s%s%s\n",
           map->flags & LRM_F_CASELESS ? " caseless" : "",
           map->flags & LRM_F_SOURCES ? " sources" : "",
           map->flags ? "" : " none");
    printf("source files: %" PRIu32 "\n", source_count(map));

    while (lrm_meta_next(map, &off, &p)) {
        printf("%.*s: %.*s\n", (int) p.name_len, p.name, (int) p.value_len,
               p.value);
    }

    printf("checksum: %016" PRIx64 "\n", map->checksum);
}


static void
print_json(const char *path, const mapfile_t *mf)
{
    const lrm_map_t  *map = &mf->map;
    lrm_meta_t       p;
    size_t            off = 0;
    int               first = 1;

    fputs("{\n  \"path\": ", stdout);
    json_cstring(stdout, path);
    printf(",\n  \"format\": %d,\n  \"size\": %zu,\n  \"entries\": %" PRIu64
           ",\n  \"rules\": %" PRIu32 ",\n  \"buckets\": %" PRIu64
           ",\n  \"slots\": %" PRIu64 ",\n  \"load_factor\": %.4f,\n"
           "  \"flags\": [%s%s%s],\n  \"source_files\": %" PRIu32
           ",\n  \"meta\": {",
           LRM_VERSION, mf->size, map->entries, map->rule_count,
           map->buckets, map->slots,
           map->slots ? (double) map->entries / (double) map->slots : 0.0,
           map->flags & LRM_F_CASELESS ? "\"caseless\"" : "",
           (map->flags & LRM_F_CASELESS) && (map->flags & LRM_F_SOURCES)
           ? ", " : "",
           map->flags & LRM_F_SOURCES ? "\"sources\"" : "",
           source_count(map));

    while (lrm_meta_next(map, &off, &p)) {
        fputs(first ? "\n    " : ",\n    ", stdout);
        json_string(stdout, p.name, p.name_len);
        fputs(": ", stdout);
        json_string(stdout, p.value, p.value_len);
        first = 0;
    }

    printf("%s},\n  \"checksum\": \"%016" PRIx64 "\"\n}\n",
           first ? "" : "\n  ", map->checksum);
}


int
cmd_info(int argc, char **argv)
{
    static const struct option  longopts[] = {
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    mapfile_t                   mf;
    int                         c, json = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'h': fputs(info_help, stdout); return EXIT_OK;
        default:  try_help("info"); return EXIT_USAGE;
        }
    }

    if (argc - optind != 1) {
        fprintf(stderr, "redirect-map info: %s\n", argc - optind == 0
                ? "no MAP given" : "more than one MAP given");
        try_help("info");
        return EXIT_USAGE;
    }

    if (mapfile_open(&mf, argv[optind]) != 0) {
        return EXIT_IO;
    }

    if (json) {
        print_json(argv[optind], &mf);
    } else {
        print_text(argv[optind], &mf);
    }

    mapfile_free(&mf);

    if (fflush(stdout) != 0) {
        fprintf(stderr, "redirect-map: cannot write the output\n");
        return EXIT_IO;
    }

    return EXIT_OK;
}
