/*
 * mapfile.c - loads a whole map file and validates it.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mapfile.h"


static int
read_all(int fd, void *buf, size_t size)
{
    size_t   done = 0;
    ssize_t  n;

    while (done < size) {
        n = read(fd, (char *) buf + done, size - done);

        if (n < 0 && errno == EINTR) {
            continue;
        }

        if (n <= 0) {
            return n < 0 ? -1 : 0;
        }

        done += (size_t) n;
    }

    return 1;
}


int
mapfile_load(mapfile_t *mf, const char *path, char *err, size_t err_size)
{
    struct stat  st;
    int          fd, rc;

    memset(mf, 0, sizeof(*mf));

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, err_size, "%s", strerror(errno));
        return -1;
    }

    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, err_size, "%s", S_ISDIR(st.st_mode)
                 ? "is a directory" : "not a regular file");
        close(fd);
        return -1;
    }

    mf->size = (size_t) st.st_size;
    mf->data = malloc(mf->size ? mf->size : 1);

    if (mf->data == NULL) {
        snprintf(err, err_size, "out of memory");
        close(fd);
        return -1;
    }

    rc = read_all(fd, mf->data, mf->size);
    if (rc <= 0) {
        snprintf(err, err_size, "%s", rc < 0 ? strerror(errno)
                 : "file shrank while it was read");
        close(fd);
        mapfile_free(mf);
        return -1;
    }

    close(fd);

    if (lrm_open(&mf->map, mf->data, mf->size, err, err_size) != LRM_OK) {
        mapfile_free(mf);
        return -1;
    }

    return 0;
}


void
mapfile_free(mapfile_t *mf)
{
    free(mf->data);
    memset(mf, 0, sizeof(*mf));
}
