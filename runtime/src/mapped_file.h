/* The packed resources file of packed_resources_load_mode =
 * "binary-relative-memory-mapped:FILE": mapped read-only at start-up, its
 * header checked and turned into blobs, and a SIGBUS handler for a FILE
 * truncated while the program runs (no CPython dependency). */
#ifndef OXIDIZER_MAPPED_FILE_H
#define OXIDIZER_MAPPED_FILE_H

#include <stddef.h>

#include "oxidizer/config.h"

/* Maps <exe_dir>/<config->packed_file> and stores a malloc'd array of
 * *count_out blobs pointing into the mapping in *blobs_out (the mapping and
 * the blob names live until exit). Returns 0, or -1 after printing one line,
 * prefixed with argv0, to stderr. Details at the definition. */
int oxidizer_map_packed_file(const oxidizer_config *config,
                             const char *exe_dir, const char *argv0,
                             oxidizer_packed_blob **blobs_out,
                             size_t *count_out);

#endif /* OXIDIZER_MAPPED_FILE_H */
