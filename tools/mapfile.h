/*
 * mapfile.h - reading a map file from disk into memory and opening it
 * with the shared reader (include/lrmap.h), as the nginx module does.
 */

#ifndef MAPFILE_H
#define MAPFILE_H

#include "lrmap.h"

typedef struct {
    void       *data;
    size_t      size;
    lrm_map_t   map;
} mapfile_t;

/* Returns 0, or -1 with "reason" in err (the caller names the file). */
int mapfile_load(mapfile_t *mf, const char *path, char *err, size_t size);
void mapfile_free(mapfile_t *mf);

/* mapfile_load() that reports "redirect-map: PATH: REASON" on stderr. */
int mapfile_open(mapfile_t *mf, const char *path);

typedef struct {
    lrm_entry_t  *items;
    size_t        count;
    size_t        capacity;
} mapfile_entries_t;

/*
 * Every exact entry of the map, sorted by key (bytewise).  Returns 0, or
 * -1 on a damaged record or out of memory (reported, naming path).  Free
 * out->items.
 */
int mapfile_entries(const mapfile_t *mf, const char *path,
    mapfile_entries_t *out);

/*
 * Every pattern rule, in order, in *rules (malloc'ed, NULL when there are
 * none).  Returns 0, or -1 (reported).
 */
int mapfile_rules(const mapfile_t *mf, const char *path, lrm_rule_t **rules,
    size_t *count);

#endif /* MAPFILE_H */
