/* The two relative path rules; see relative_path.h. */
#include "relative_path.h"

#include <string.h>

/* Calls of `check` on each '/'-separated component; stops at the first
 * nonzero result and returns it. */
static int
any_component(const uint8_t *path, size_t len,
              int (*check)(const uint8_t *c, size_t n))
{
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || path[i] == '/') {
            int r = check(path + start, i - start);
            if (r) {
                return r;
            }
            start = i + 1;
        }
    }
    return 0;
}

static int
is_dotdot(const uint8_t *c, size_t n)
{
    return n == 2 && c[0] == '.' && c[1] == '.';
}

static int
is_empty_dot_or_dotdot(const uint8_t *c, size_t n)
{
    return n == 0 || (n == 1 && c[0] == '.') || is_dotdot(c, n);
}

const char *
oxr_relative_path_problem(const uint8_t *path, size_t len)
{
    if (len == 0) {
        return "is empty";
    }
    if (memchr(path, 0, len) != NULL) {
        return "contains a NUL byte";
    }
    if (path[0] == '/') {
        return "is absolute";
    }
    if (any_component(path, len, is_dotdot)) {
        return "contains '..'";
    }
    return NULL;
}

int
oxr_is_normalized_relative(const uint8_t *path, size_t len)
{
    return memchr(path, 0, len) == NULL
           && !any_component(path, len, is_empty_dot_or_dotdot);
}
