/*
 * fresh_memory - seconds to get SIZE bytes of new anonymous memory and
 * write to every page of it, as the module does with a map it loads
 * (mmap, MADV_HUGEPAGE, then every page written once).
 *
 *   fresh_memory SIZE [IDLE [hugetlb]]
 *
 * Prints "touch_s X" for memory taken after IDLE seconds of sleep
 * (default 0), then "again_s Y" for the same amount taken again right
 * after the first was unmapped.  On a bare machine both are the kernel's
 * cost of zeroing pages.  On a virtual machine whose guest hands free
 * memory back to the host (free page reporting), the first can be many
 * times the second: every page is then faulted in by the host again.
 *
 * With "hugetlb", the memory comes from the kernel's pool of huge pages
 * (vm.nr_hugepages; SIZE a multiple of the huge page size), as the module
 * takes it with "legacy_redirect_huge_pages".  Pages the pool got back
 * stay with the guest, so only their very first use is slow.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>


static double
now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}


static int  hugetlb;


static double
touch(size_t size)
{
    unsigned char  *p;
    size_t          i;
    double          t0;

    t0 = now();

    p = mmap(NULL, size, PROT_READ | PROT_WRITE,
             hugetlb ? MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB
                     : MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("fresh_memory: mmap");
        exit(1);
    }

#ifdef MADV_HUGEPAGE
    (void) madvise(p, size, MADV_HUGEPAGE);
#endif

    for (i = 0; i < size; i += 4096) {
        p[i] = 1;
    }

    t0 = now() - t0;
    munmap(p, size);
    return t0;
}


int
main(int argc, char **argv)
{
    size_t  size;
    double  idle;

    if (argc < 2) {
        fprintf(stderr, "usage: fresh_memory SIZE [IDLE [hugetlb]]\n");
        return 2;
    }

    size = (size_t) strtoull(argv[1], NULL, 10);
    idle = argc > 2 ? atof(argv[2]) : 0;
    hugetlb = argc > 3 && strcmp(argv[3], "hugetlb") == 0;

    if (size == 0) {
        fprintf(stderr, "fresh_memory: bad SIZE\n");
        return 2;
    }

    if (idle > 0) {
        usleep((useconds_t) (idle * 1e6));
    }

    printf("touch_s %.4f\n", touch(size));
    printf("again_s %.4f\n", touch(size));
    return 0;
}
