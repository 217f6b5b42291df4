/* See memory_library.h. */
#define _GNU_SOURCE
#include "memory_library.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/mman.h>
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
    size_t done = 0;
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
