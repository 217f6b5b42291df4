/* Leaving built-in modules out of a binary (extension_module_filter applied to a
 * source-built CPython, whose extension modules are all linked in). */
#ifndef OXIDIZER_BUILTIN_FILTER_H
#define OXIDIZER_BUILTIN_FILTER_H

#include <stddef.h>

/* Before the interpreter starts: makes PyImport_Inittab a copy without the
 * `count` modules named in `names` (they become impossible to import, as a
 * filtered-out shared-library extension module is). Returns 0, or -1 when
 * memory runs out. */
int oxidizer_remove_builtins(const char *const *names, size_t count);

/* After the interpreter has finalized: frees the copy. */
void oxidizer_free_builtin_filter(void);

#endif
