/* The interpreter's table of built-in modules (PyImport_Inittab): leaving modules
 * out of a binary (extension_module_filter applied to a distribution whose libpython
 * carries its own inittab, every extension module linked in) and looking names up. */
#ifndef OXIDIZER_INITTAB_H
#define OXIDIZER_INITTAB_H

#include <stddef.h>

/* Before the interpreter starts: makes PyImport_Inittab a copy without the
 * `count` modules named in `names` (they become impossible to import, as a
 * filtered-out shared-library extension module is). Returns 0, or -1 when
 * memory runs out. */
int oxidizer_remove_builtins(const char *const *names, size_t count);

/* After the interpreter has finalized: frees the copy. */
void oxidizer_free_builtin_filter(void);

/* Whether PyImport_Inittab has the module named by the `len` bytes at `name`
 * (not NUL-terminated): what _imp.is_builtin() answers. */
int oxidizer_inittab_has(const char *name, size_t len);

#endif
