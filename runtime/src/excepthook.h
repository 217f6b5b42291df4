/* The sys.excepthook of binaries, which prints tracebacks with source lines
 * taken from the packed resources (through the modules' loaders). */
#ifndef OXIDIZER_EXCEPTHOOK_H
#define OXIDIZER_EXCEPTHOOK_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Installs the hook as sys.excepthook. main_info is NULL, or a tuple
 * (filename, module name, loader) of the main resource, which runs as
 * __main__ under a name the finder does not know. Returns 0, or -1 with an
 * exception set. */
int oxidizer_install_excepthook(PyObject *main_info);

#endif /* OXIDIZER_EXCEPTHOOK_H */
