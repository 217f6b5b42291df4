/* PyImport_Inittab: a filtered copy of it, and lookups in it. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdlib.h>
#include <string.h>

#include "inittab.h"

/* The copy this file installed (NULL: none). PyImport_AppendInittab later
 * makes its own copy of the table, so this one is only freed at exit. */
static struct _inittab *filtered_inittab = NULL;

static int
is_named(const char *name, const char *const *names, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(name, names[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

int
oxidizer_remove_builtins(const char *const *names, size_t count)
{
    if (count == 0) {
        return 0;
    }
    size_t total = 0;
    while (PyImport_Inittab[total].name != NULL) {
        total++;
    }
    struct _inittab *copy = calloc(total + 1, sizeof(*copy));
    if (copy == NULL) {
        return -1;
    }
    size_t kept = 0;
    for (size_t i = 0; i < total; i++) {
        if (!is_named(PyImport_Inittab[i].name, names, count)) {
            copy[kept++] = PyImport_Inittab[i];
        }
    }
    /* copy[kept] is the zeroed terminator. */
    PyImport_Inittab = copy;
    free(filtered_inittab);
    filtered_inittab = copy;
    return 0;
}

void
oxidizer_free_builtin_filter(void)
{
    free(filtered_inittab);
    filtered_inittab = NULL;
}

int
oxidizer_inittab_has(const char *name, size_t len)
{
    for (const struct _inittab *p = PyImport_Inittab; p->name != NULL; p++) {
        /* Not strncmp: `name` may hold a NUL (a str from Python code), and a
         * match up to it must not read past the shorter table name. */
        if (strlen(p->name) == len && memcmp(p->name, name, len) == 0) {
            return 1;
        }
    }
    return 0;
}
