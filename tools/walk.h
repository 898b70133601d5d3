/*
 * walk.h - finding post files in content folders.
 *
 * Posts are regular files named like the content files of the site
 * generators (*.md, *.markdown, *.mdx, *.html, *.Rmd, *.qmd, *.adoc...:
 * post_extensions in walk.c), in any case.  The
 * walk follows symbolic links but reads each folder once (folders are
 * remembered by device and inode), so a link back to a parent folder
 * cannot make it loop and a folder reached twice is not read twice.
 * Entries whose name starts with '.' (.git, editor lock files) are
 * skipped.  A link that leads nowhere (or round a loop of links) is
 * ignored when its name has an extension that is not a post's, as such
 * files are, and reported otherwise (a post, or a folder of posts whose
 * posts would be lost).  Within a folder, entries are taken in
 * bytewise order of their names, so the order of the posts does not
 * depend on the file system.
 *
 * The walk works relative to each folder's descriptor (openat, fstatat)
 * and trusts the entry type readdir gives: a regular file costs no
 * system call of its own, and a post can be opened without looking its
 * whole path up again.  The folder a post was found in is handed to the
 * caller with a reference count, so that the post can be opened later
 * (by another thread) relative to it.
 */

#ifndef WALK_H
#define WALK_H

#include <stddef.h>

#include "diag.h"

/*
 * A folder of the walk.  fd is -1 when it was not kept open (too many
 * folders open at once): its posts are then opened by path.  path is the
 * folder as the messages name it ("ROOT/relative/folder").  References
 * are taken and dropped by the walk's thread only; other threads may use
 * fd while the walk's thread holds a reference for them.
 */
typedef struct {
    unsigned      refs;
    int           fd;
    size_t        len;
    size_t        root_len;     /* the root's part of path */
    char          path[];
} walk_dir_t;

/*
 * Called for every post.  dir is the folder it is in and name its name
 * in that folder (name_len bytes, NUL terminated); dir is NULL for a root
 * that names a file, and name is then that root.  The post's path,
 * "ROOT/relative/path.md" (one '/' between ROOT and the rest even when
 * ROOT ends with '/'), is walk_path().  dir and name are valid during the
 * call only: walk_dir_ref() keeps dir.  Returns 0 to go on, -1 to stop.
 */
typedef int (*walk_visit_pt)(walk_dir_t *dir, const char *name,
    size_t name_len, void *ctx);

/*
 * Called, when set, for each data file a folder has for all its posts
 * (Eleventy's directory data files: "posts/posts.11tydata.json",
 * ".11tydata.js", ".11tydata.cjs", ".11tydata.mjs" and "posts/posts.json"
 * in a folder named "posts"), before the folder's own entries are
 * visited.  The names are looked for in the folder's list: no system
 * call of its own.  Arguments and return as walk_visit_pt.
 */
typedef walk_visit_pt  walk_data_pt;

/*
 * Walks every root in turn.  A root may also name a single file, which
 * is then visited whatever its name; data may be NULL.  Folders or
 * files that cannot be read are reported through diag and the walk goes
 * on.  Returns 0, or -1 when visit (or data) asked to stop or memory ran
 * out (reported).
 */
int walk_posts(const char *const *roots, size_t nroots, walk_visit_pt visit,
    walk_data_pt data, void *ctx, diag_t *diag);

/* Takes and drops a reference to a folder (the last one closes it);
 * from the walk's thread only. */
void walk_dir_ref(walk_dir_t *dir);
void walk_dir_unref(walk_dir_t *dir);

/* The length of the path of name in dir (without the NUL). */
size_t walk_path_len(const walk_dir_t *dir, size_t name_len);

/* Writes the path of name in dir to out (walk_path_len() + 1 bytes). */
void walk_path(const walk_dir_t *dir, const char *name, size_t name_len,
    char *out);

/*
 * Whether a folder of path is named folder, at any depth ("_posts" in
 * "site/_posts/2023/a.md"): the path's last part, its file, is not one.
 */
int walk_path_in_folder(const char *path, const char *folder);


#endif /* WALK_H */
