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

#endif /* MAPFILE_H */
