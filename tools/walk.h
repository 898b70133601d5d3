/*
 * walk.h - finding post files in content folders.
 *
 * Posts are regular files named *.md, *.markdown, *.mdx or *.mdoc.  The
 * walk follows symbolic links but reads each folder once (folders are
 * remembered by device and inode), so a link back to a parent folder
 * cannot make it loop and a folder reached twice is not read twice.
 * Entries whose name starts with '.' (.git, editor lock files) are
 * skipped.  Within a folder, entries are taken in bytewise order of
 * their names, so the order of the posts does not depend on the file
 * system.
 */

#ifndef WALK_H
#define WALK_H

#include <stddef.h>

#include "diag.h"

/*
 * Called for every post with its path, "ROOT/relative/path.md" (one '/'
 * between ROOT and the rest even when ROOT ends with '/').  Returns 0 to
 * go on, -1 to stop the walk.
 */
typedef int (*walk_visit_pt)(const char *path, void *ctx);

/*
 * Walks every root in turn.  A root may also name a single file, which
 * is then visited whatever its name.  Folders or files that cannot be
 * read are reported through diag and the walk goes on.  Returns 0, or
 * -1 when visit asked to stop or memory ran out (reported).
 */
int walk_posts(const char *const *roots, size_t nroots, walk_visit_pt visit,
    void *ctx, diag_t *diag);

/* Whether name ends with one of the post extensions. */
int walk_is_post_name(const char *name);

#endif /* WALK_H */
