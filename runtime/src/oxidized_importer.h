/* Private interface between interpreter.c and oxidized_importer.c. */
#ifndef OXIDIZER_OXIDIZED_IMPORTER_H
#define OXIDIZER_OXIDIZED_IMPORTER_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "oxidizer/packed_resources.h"

/* Module init function registered with PyImport_AppendInittab(). */
PyMODINIT_FUNC PyInit_oxidized_importer(void);

/* How the embedded finder behaves; filled by interpreter.c from the
 * embedded config. */
typedef struct {
    int optimization_level;  /* picks bytecode 0x07/0x08/0x09 */
    int virtual_module_file; /* in-memory modules get a virtual __file__ */
    /* Leave the modules of _imp._frozen_module_names() to CPython's
     * FrozenImporter (libpython's deep-frozen code, no unmarshalling). */
    int decline_frozen;
    /* gc.freeze() after each outermost exec_module(). */
    int freeze_imports;
} oxidized_finder_options;

/* Returns a new OxidizedFinder over `count` parsed indexes (searched in
 * order). The indexes and the buffers they point into are borrowed and must
 * outlive the interpreter. exe_path is the absolute path of the running
 * executable and origin the directory relative-path resources are resolved
 * against (both filesystem-encoded bytes). The oxidized_importer module must
 * have been imported. Returns NULL with an exception set on failure. */
PyObject *oxidized_finder_new(const oxr_index *indexes, size_t count,
                              const char *exe_path, const char *origin,
                              const oxidized_finder_options *options);

#endif /* OXIDIZER_OXIDIZED_IMPORTER_H */
