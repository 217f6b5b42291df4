/* Private interface between interpreter.c and the oxidized_importer module
 * (oxidized_importer.c; oxidized_finder_new() is in finder.c). */
#ifndef OXIDIZER_OXIDIZED_IMPORTER_H
#define OXIDIZER_OXIDIZED_IMPORTER_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "oxidizer/packed_resources.h"

/* Module init function: a row of the binary's generated inittab, or registered with
 * PyImport_AppendInittab() (src/interpreter.c). */
PyMODINIT_FUNC PyInit_oxidized_importer(void);

/* How the embedded finder behaves; filled by interpreter.c from the
 * embedded config. */
typedef struct {
    /* The bytecode level is sys.flags.optimize, read when the finder is
     * made: the binary's optimization_level unless -O or PYTHONOPTIMIZE
     * (python profile) changed it. */
    int virtual_module_file; /* in-memory modules get a virtual __file__ */
    /* The finder answers the interpreter's built-in modules and the modules
     * of _imp._frozen_module_names() through BuiltinImporter and
     * FrozenImporter (libpython's deep-frozen code, no unmarshalling).
     * When set, a frozen name the packed resources hold is served from
     * them instead (module_file: our copy, with its virtual __file__). */
    int packed_over_frozen;
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
