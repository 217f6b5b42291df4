/* Internal interface between the units of the oxidized_importer module:
 * oxidized_importer.c (the module definition and the cached objects it
 * initializes), finder.c (OxidizedFinder: find_spec, exec_module,
 * get_code/get_source, module creation), resource.c (what a resource holds:
 * lookup, kind, bytecode of a level, source, paths), interpreter_modules.c
 * (built-in and frozen modules), memory_load.c (extension modules
 * and shared libraries loaded from memory), path_entry_finder.c
 * (OxidizedPathEntryFinder, path_hook), distributions.c (distributions and
 * metadata), resource_reader.c (OxidizedResourceReader, importlib.resources
 * entries) and resource_index.c (indexing at run time, add_resource(s),
 * indexed_resources(), serialization). Names shared between units carry the
 * oxi_ prefix; the runtime links statically with libpython and every
 * built-in extension module, so no generic name leaves a unit.
 */
#ifndef OXIDIZER_OXIDIZED_IMPORTER_INTERNAL_H
#define OXIDIZER_OXIDIZED_IMPORTER_INTERNAL_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <marshal.h>
#include <structmember.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract.h"
#include "memory_library.h"
#include "oxidized_importer.h"
#include "oxidizer/zstd_frame.h"

/* ------------------------------------------------------------------------ */
/* Shared types                                                             */

/* A file mapped by index_file_memory_mapped(). */
struct file_map {
    void *addr;
    size_t len;
};

/* The extraction directory of one index's filesystem-extracted resources
 * (keyed by the index's resource array, which never moves). */
struct extraction {
    const oxr_resource *resources;
    char *dir;
    size_t dir_len;
};

typedef struct {
    PyObject_HEAD
    const oxr_index *indexes;   /* borrowed, &owned_index, or grown */
    size_t index_count;
    int optimize;               /* bytecode optimization level */
    int virtual_module_file;    /* in-memory modules get a virtual __file__ */
    char *exe_path;             /* filesystem bytes, NUL-terminated */
    size_t exe_path_len;
    size_t exe_dir_len;         /* dirname(exe_path) is exe_path[0..len) */
    char *origin;               /* directory for relative paths */
    size_t origin_len;
    /* The embedded finder puts its path_hook on sys.path_hooks when it
     * creates the first package spec (see register_path_hook()). */
    int wants_path_hook;
    int path_hook_registered;
    /* Only for instances created from Python with resources_data: */
    oxr_index owned_index;
    int has_owned_index;
    Py_buffer owned_buffer;
    int has_buffer;
    /* Indexes added after creation (index_bytes(), add_resource(s),
     * index_file_memory_mapped(), index_interpreter_*()). `grown` is the
     * search order (struct copies of every index, borrowed ones included;
     * indexes == grown once it exists); `added` holds the added_count
     * indexes we parsed and must free. Their bytes are kept alive by
     * extra_data (a list of bytes objects) or by the `maps` file mappings,
     * unmapped at deallocation. Parsed indexes are never freed before the
     * finder, so resource pointers (readers) stay valid. */
    oxr_index *grown;
    oxr_index *added;
    size_t added_count;
    PyObject *extra_data;
    struct file_map *maps;
    size_t map_count;
    /* Extraction directories, made on first use (see resource_root()). */
    struct extraction *extractions;
    size_t extraction_count;
    /* {name: BuiltinImporter or FrozenImporter}: the interpreter's frozen
     * modules (and built-in ones after index_interpreter_*()) that
     * find_spec() and get_code() hand to those importers before any index
     * is searched, or NULL (see add_interpreter_names()). */
    PyObject *interpreter_modules;
    /* BuiltinImporter when every name of PyImport_Inittab that no index
     * serves is answered through it (the embedded finder), or NULL. */
    PyObject *builtin_importer;
    /* gc.freeze when the outermost exec_module() returns, or NULL. */
    PyObject *gc_freeze;
    int exec_depth;
} OxidizedFinder;

typedef struct {
    PyObject_HEAD
    OxidizedFinder *finder;     /* strong reference keeps `resource` alive */
    const oxr_resource *resource;
} OxidizedResourceReader;

typedef struct {
    PyObject_HEAD
    OxidizedFinder *finder;
    PyObject *package;          /* str, or None for the top level */
    PyObject *path;             /* the sys.path-like entry it was made for */
} OxidizedPathEntryFinder;


enum oxi_resource_kind {
    KIND_NONE = 0,
    KIND_MEMORY,         /* in-memory source and/or bytecode */
    KIND_NAMESPACE,      /* namespace package */
    KIND_SOURCE_FILE,    /* relative_path_module_source */
    KIND_BYTECODE_FILE,  /* relative_path_module_bytecode* */
    KIND_EXTENSION_FILE, /* relative_path_extension_module */
    KIND_EXTENSION_MEMORY, /* in_memory_extension_module: memfd + dlopen */
};

/* Built-in extension and frozen modules of the interpreter (from
 * index_interpreter_*()): served by BuiltinImporter / FrozenImporter. */
#define INTERPRETER_FLAGS \
    (OXR_FLAG_IS_BUILTIN_EXTENSION | OXR_FLAG_IS_FROZEN_MODULE)

/* v1 resource flavors (field 0x02). */
#define FLAVOR_MODULE 0x01
#define FLAVOR_EXTENSION 0x04

/* ------------------------------------------------------------------------ */
/* Shared objects and functions, by the unit defining them                  */

/* Hidden: binaries export their symbols (-rdynamic) for extension modules,
 * which must never bind to these. */
#pragma GCC visibility push(hidden)

/* oxidized_importer.c: cached objects, set once by
 * PyInit_oxidized_importer() (init_statics()) or, for those from
 * _frozen_importlib_external and _io, by oxi_ensure_external(). */
extern PyObject *oxi_module_spec_type;   /* _frozen_importlib.ModuleSpec */
extern PyObject *oxi_imp_module;         /* _imp, for in-memory extensions */
extern PyObject *oxi_str_spec;           /* "__spec__" */
extern PyObject *oxi_str_name;           /* "name" */
extern PyObject *oxi_str_dunder_name;    /* "__name__" */
extern PyObject *oxi_str_builtins;       /* "__builtins__" */
extern PyObject *oxi_str_search_locations; /* "submodule_search_locations" */
extern PyObject *oxi_kwnames_is_package; /* ("is_package",) */
extern PyObject *oxi_kwnames_loader;     /* ("loader",) */
extern PyObject *oxi_str_dot;            /* "." */
extern PyObject *oxi_str_slash;          /* "/" */
extern PyObject *oxi_kwnames_origin_is_package; /* ("origin", "is_package") */
extern PyObject *oxi_spec_from_file_location;
extern PyObject *oxi_extension_file_loader;
extern PyObject *oxi_source_file_loader;
extern PyObject *oxi_sourceless_file_loader;
extern PyObject *oxi_decode_source;
extern PyObject *oxi_io_bytes_io;
extern PyObject *oxi_io_open;
int oxi_ensure_external(void);

/* finder.c */
extern PyTypeObject OxidizedFinder_Type;
const oxr_resource *oxi_lookup_object(OxidizedFinder *self,
                                      PyObject *fullname);
const oxr_named *oxi_find_named(const oxr_named_list *list, const char *name,
                                size_t len);
/* A visitor of oxi_named_each(): 0, or -1 with an exception set. */
typedef int (*oxi_named_visit)(const oxr_named *entry, void *arg);
int oxi_named_each(const oxr_named_list *list, oxi_named_visit visit,
                   void *arg);
/* The value oxi_named_set_items() stores for an entry: a new reference, or
 * NULL with an exception set. */
typedef PyObject *(*oxi_named_value)(const oxr_named *entry, void *arg);
int oxi_named_set_items(PyObject *dict, const oxr_named_list *list,
                        oxi_named_value value, void *arg);
void oxi_set_not_found(PyObject *filename);
PyObject *oxi_iter_children(OxidizedFinder *self, const char *parent,
                            size_t parent_len, PyObject *prefix);
PyObject *oxi_call_support(const char *module, const char *function,
                           const char *format, ...);
PyObject *oxi_str_of(const oxr_bytes *b);
/* Which resources oxi_first_resources_each() visits (NULL: all). */
typedef int (*oxi_resource_wanted)(const oxr_resource *r);
/* A visitor of oxi_first_resources_each(): 0, or -1 with an exception set.
 * `name` is r's name (borrowed). */
typedef int (*oxi_resource_visit)(const oxr_resource *r, PyObject *name,
                                  void *arg);
int oxi_first_resources_each(OxidizedFinder *self, oxi_resource_wanted wanted,
                             oxi_resource_visit visit, void *arg);

/* resource.c */
const oxr_resource *oxi_finder_lookup(const OxidizedFinder *self,
                                      const char *name, size_t len);
const oxr_bytes *oxi_memory_bytecode(const oxr_resource *r, int optimize);
const oxr_bytes *oxi_memory_bytecode_zstd(const oxr_resource *r,
                                          int optimize);
int oxi_has_memory_bytecode(const oxr_resource *r, int optimize);
PyObject *oxi_memory_bytecode_bytes(const oxr_resource *r, int optimize);
const oxr_bytes *oxi_relative_bytecode(const oxr_resource *r, int optimize);
unsigned oxi_bytecode_levels(const oxr_resource *r, int relative);
PyObject *oxi_missing_level_error(PyObject *fullname, const oxr_resource *r,
                                  int optimize);
int oxi_is_extension_kind(enum oxi_resource_kind kind);
PyObject *oxi_join_path_suffix(const char *prefix, size_t prefix_len,
                               const uint8_t *rel, size_t rel_len,
                               int dots_to_slashes, const char *suffix);
int oxi_has_memory_source(const oxr_resource *r);
PyObject *oxi_memory_source(const oxr_resource *r);
enum oxi_resource_kind oxi_resource_kind(const oxr_resource *r,
                                         int optimize);
int oxi_resource_is_package(const oxr_resource *r);
PyObject *oxi_join_path(const char *prefix, size_t prefix_len,
                        const uint8_t *rel, size_t rel_len,
                        int dots_to_slashes);
PyObject *oxi_resource_join(OxidizedFinder *self, const oxr_resource *r,
                            const oxr_bytes *rel);
int oxi_is_extracted_module(const oxr_resource *r);

/* interpreter_modules.c */
extern PyObject *oxi_str_find_spec;
extern PyObject *oxi_str_get_code;
PyObject *oxi_call_interpreter_importer(const oxr_resource *r,
                                        const char *method,
                                        PyObject *fullname);
PyObject *oxi_call_interpreter_module(OxidizedFinder *self, PyObject *method,
                                      PyObject *fullname);
PyObject *oxi_builtin_spec(OxidizedFinder *self, PyObject *fullname);
int oxi_add_interpreter_names(OxidizedFinder *self, int builtin,
                              int builtin_names, int frozen,
                              int unless_indexed);

/* memory_load.c */
PyObject *oxi_create_memory_extension(OxidizedFinder *self, PyObject *name,
                                      const oxr_resource *r);

/* path_entry_finder.c */
extern PyTypeObject OxidizedPathEntryFinder_Type;
PyObject *oxi_finder_path_hook(OxidizedFinder *self, PyObject *path);

/* distributions.c */
PyObject *oxi_finder_distribution_entries(OxidizedFinder *self,
                                          PyObject *unused);
PyObject *oxi_finder_find_distributions(OxidizedFinder *self, PyObject *args,
                                        PyObject *kwargs);

/* resource_reader.c */
extern PyTypeObject OxidizedResourceReader_Type;
PyObject *oxi_bytes_of(const oxr_bytes *b);
PyObject *oxi_finder_package_entries(OxidizedFinder *self, PyObject *package);

/* resource_index.c: OxidizedFinder methods indexing and listing resources. */
PyObject *oxi_finder_indexed_resources(OxidizedFinder *self,
                                       PyObject *unused);
PyObject *oxi_finder_index_bytes(OxidizedFinder *self, PyObject *data);
int oxi_finder_index_file(OxidizedFinder *self, const char *path,
                          PyObject *path_obj);
PyObject *oxi_finder_index_file_memory_mapped(OxidizedFinder *self,
                                              PyObject *path);
PyObject *oxi_finder_add_resource(OxidizedFinder *self, PyObject *resource);
PyObject *oxi_finder_add_resources(OxidizedFinder *self,
                                   PyObject *resources);
PyObject *oxi_finder_index_builtin_extension_modules(OxidizedFinder *self,
                                                     PyObject *unused);
PyObject *oxi_finder_index_frozen_modules(OxidizedFinder *self,
                                          PyObject *unused);
PyObject *oxi_finder_index_interpreter_builtins(OxidizedFinder *self,
                                                PyObject *unused);
PyObject *oxi_finder_serialize_indexed_resources(OxidizedFinder *self,
                                                 PyObject *args,
                                                 PyObject *kwargs);

#pragma GCC visibility pop

#endif /* OXIDIZER_OXIDIZED_IMPORTER_INTERNAL_H */
