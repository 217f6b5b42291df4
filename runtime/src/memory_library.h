/* Loading shared objects (extension modules and the libraries they need)
 * straight from memory: Linux memfd_create() + dlopen("/proc/self/fd/N").
 * Private to runtime/src. */
#ifndef OXIDIZER_MEMORY_LIBRARY_H
#define OXIDIZER_MEMORY_LIBRARY_H

#include <stddef.h>
#include <stdint.h>

/* Copies data[0..len) into a new anonymous in-memory file named `name` and
 * writes its openable path ("/proc/self/fd/N") into path. Returns the file
 * descriptor (close it once the object is loaded: the mapping stays), or -1
 * with errno set. Not supported off Linux: -1 with ENOSYS. */
int oxidizer_memfd_open(const char *name, const uint8_t *data, size_t len,
                        char *path, size_t path_size);

/* dlopen()s `path` with RTLD_NOW | RTLD_LOCAL. Returns the handle (never
 * closed: like CPython, loaded code stays) or NULL; on failure writes
 * dlerror()'s message into err. */
void *oxidizer_dlopen(const char *path, char *err, size_t err_size);

#endif /* OXIDIZER_MEMORY_LIBRARY_H */
