/* The failure counter and CHECK() of the runtime's C unit tests that need
 * no CPython (ca_probe, extract, mapped_file): a failed check prints its
 * file, line and printf-style message to stderr and the test goes on; main
 * reports `failures` at the end. One translation unit per test program. */
#ifndef OXIDIZER_TESTS_CHECK_H
#define OXIDIZER_TESTS_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond, ...) \
    do { \
        if (!(cond)) { \
            failures++; \
            fprintf(stderr, "%s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__); \
            fputc('\n', stderr); \
        } \
    } while (0)

#endif /* OXIDIZER_TESTS_CHECK_H */
