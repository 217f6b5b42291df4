/* The two relative path rules, defined once for C.
 *
 * A safe relative path stays inside the tree it is relative to: not empty, no
 * NUL, not absolute, no ".." component (the packed resources format's rule).
 * A normalized relative path is a safe one written one way only: '/'-separated
 * components none of which is empty, "." or ".." (extraction payloads).
 * The same rules in Python: runtime/python/_oxidized_importer/paths.py; the
 * cases all versions are tested with: tests/analysis/path_cases.bzl. */
#ifndef OXIDIZER_RELATIVE_PATH_H
#define OXIDIZER_RELATIVE_PATH_H

#include <stddef.h>
#include <stdint.h>

/* Why path[0..len) is not a safe relative path ("is empty", "contains a NUL
 * byte", "is absolute", "contains '..'"), or NULL if it is. */
const char *oxr_relative_path_problem(const uint8_t *path, size_t len);

/* Whether path[0..len) is a normalized relative path. */
int oxr_is_normalized_relative(const uint8_t *path, size_t len);

#endif
