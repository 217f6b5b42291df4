/* See memory_library.h. */
#define _GNU_SOURCE
#include "memory_library.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifdef __linux__
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/sendfile.h>

/* Where a range of the executable's own loaded image sits in its file. */
struct image_range {
    uintptr_t start;
    size_t len;
    off_t offset;
    int found;
};

static int
find_in_main_program(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct image_range *range = arg;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD) {
            continue;
        }
        uintptr_t seg = (uintptr_t)info->dlpi_addr + (uintptr_t)ph->p_vaddr;
        if (range->start >= seg && range->start - seg <= ph->p_filesz
            && range->len <= ph->p_filesz - (range->start - seg)) {
            range->offset = (off_t)(ph->p_offset + (range->start - seg));
            range->found = 1;
        }
    }
    /* The main program comes first: stop after it. */
    return 1;
}

/* Copies len bytes of the executable's image at data into fd without
 * touching them: sendfile() from /proc/self/exe copies page cache to the
 * memfd inside the kernel, where write() would fault every source page in
 * first (a third of a numpy-sized binary's start-up). Returns the number of
 * bytes copied (0 when data is not in the executable's file, e.g. in a
 * memory-mapped packed-resources file); the caller writes the rest. */
static size_t
copy_from_executable(int fd, const uint8_t *data, size_t len)
{
    struct image_range range = {(uintptr_t)data, len, 0, 0};
    dl_iterate_phdr(find_in_main_program, &range);
    if (!range.found) {
        return 0;
    }
    int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (exe < 0) {
        return 0;
    }
    off_t offset = range.offset;
    size_t done = 0;
    while (done < len) {
        ssize_t n = sendfile(fd, exe, &offset, len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        done += (size_t)n;
    }
    close(exe);
    return done;
}
#endif

int
oxidizer_memfd_open(const char *name, const uint8_t *data, size_t len,
                    char *path, size_t path_size)
{
#ifdef __linux__
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    size_t done = copy_from_executable(fd, data, len);
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
        done += (size_t)n;
    }
    int written = snprintf(path, path_size, "/proc/self/fd/%d", fd);
    if (written < 0 || (size_t)written >= path_size) {
        close(fd);
        errno = ENAMETOOLONG;
        return -1;
    }
    return fd;
#else
    (void)name;
    (void)data;
    (void)len;
    (void)path;
    (void)path_size;
    errno = ENOSYS;
    return -1;
#endif
}

void *
oxidizer_dlopen(const char *path, char *err, size_t err_size)
{
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL && err_size > 0) {
        const char *message = dlerror();
        snprintf(err, err_size, "%s", message != NULL ? message : "dlopen failed");
    }
    return handle;
}
