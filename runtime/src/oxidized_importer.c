/* The oxidized_importer built-in module: OxidizedFinder, a meta path finder
 * and loader implemented in C over parsed packed-resources indexes (see
 * oxidizer/packed_resources.h), OxidizedResourceReader, its
 * importlib.abc.ResourceReader, and OxidizedPathEntryFinder, what its
 * path_hook returns for the virtual __path__ entries of in-memory packages.
 *
 * Behaviour follows PyOxidizer 0.9's oxidized_importer (manual chapter 6):
 *  - modules with in-memory source/bytecode are loaded by the finder itself;
 *    their spec has no origin and has_location is False, so __file__ and
 *    __cached__ are not set (unless virtual_module_file: then origin and
 *    __file__ are <exe dir>/<package path>/<module>.py, cached is None);
 *    packages get __path__ == [<executable path>/<package/name>];
 *  - namespace packages get a spec with the finder as loader (origin None)
 *    and the same kind of __path__, so importlib.resources works on them;
 *  - modules and extension modules stored as paths relative to the
 *    executable's directory get the standard file loaders from
 *    _frozen_importlib_external, so they have a real __file__;
 *  - built-in and frozen modules of the interpreter (the embedded finder's
 *    interpreter_modules, or index_interpreter_*()) are answered by
 *    BuiltinImporter / FrozenImporter, whose specs name them as loaders, so
 *    sys.meta_path can be [OxidizedFinder] alone, as in PyOxidizer;
 *  - `pkg.__init__` (`from .__init__ import x`) is a second, non-package
 *    module run from the package's code, as CPython's FileFinder makes it;
 *  - unknown names return None so the importers after us handle them.
 *
 * Colder APIs are implemented in Python in the _oxidized_importer package
 * (runtime/python), imported on first use: files() Traversables,
 * find_distributions() / OxidizedDistribution, OxidizedResource, the
 * resource types, find_resources_in_path() and OxidizedResourceCollector
 * (collector.py), and the packed-resources writer (packing.py). The C side
 * only hands them raw entries (_package_entries, _distribution_entries).
 *
 * Indexes added at run time: index_bytes() and index_file_memory_mapped()
 * (the file stays mapped for the finder's life) index data before the known
 * resources, each resource merged into the known one of its name with its
 * own fields winning, as PyOxidizer does (see enum index_mode); resources of
 * one name inside a blob are merged by the parser the same way.
 * add_resource(s) serializes the
 * OxidizedResource objects with packing.py and indexes the result *before*
 * every other index, so an added resource replaces one of the same name, as
 * in PyOxidizer; all lookups (find_spec, get_code, resources, metadata,
 * iter_modules, indexed_resources) then see it like packed data.
 * index_interpreter_*() index resources flagged is_builtin_extension_module
 * / is_frozen_module after everything else and add their names to
 * interpreter_modules, which find_spec() and get_code() consult first and
 * hand to BuiltinImporter / FrozenImporter; the embedded finder starts with
 * those names (oxidized_finder_new()).
 * serialize_indexed_resources() writes indexed_resources() with packing.py.
 *
 * Speed matters: every import of the application goes through find_spec and
 * exec_module, so the callables and strings they need are looked up once and
 * kept in static variables (a single interpreter is assumed).
 */
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
#include "oxidizer/zstd_source.h"

/* ------------------------------------------------------------------------ */
/* Cached objects. Set once by PyInit_oxidized_importer() / on first use.   */

static PyObject *module_spec_type;       /* _frozen_importlib.ModuleSpec */
static PyObject *imp_module;             /* _imp, for in-memory extensions */
static PyObject *str_spec;               /* "__spec__" */
static PyObject *str_name;               /* "name" */
static PyObject *str_dunder_name;        /* "__name__" */
static PyObject *str_builtins;           /* "__builtins__" */
static PyObject *str_search_locations;   /* "submodule_search_locations" */
static PyObject *kwnames_is_package;     /* ("is_package",) */
static PyObject *kwnames_loader;         /* ("loader",) */
static PyObject *str_dot;                /* "." */
static PyObject *str_slash;              /* "/" */
static PyObject *kwnames_origin_is_package; /* ("origin", "is_package") */

/* From _frozen_importlib_external and _io; resolved lazily because the
 * external importers are only installed by the second initialization
 * phase, after our finder is already on sys.meta_path. */
static int external_ready;
static PyObject *spec_from_file_location;
static PyObject *extension_file_loader;
static PyObject *source_file_loader;
static PyObject *sourceless_file_loader;
static PyObject *decode_source;
static PyObject *io_bytes_io;
static PyObject *io_open;

static int
ensure_external(void)
{
    if (external_ready) {
        return 0;
    }
    PyObject *ext = PyImport_ImportModule("_frozen_importlib_external");
    if (ext == NULL) {
        return -1;
    }
    PyObject *io = PyImport_ImportModule("_io");
    if (io == NULL) {
        Py_DECREF(ext);
        return -1;
    }
    int rc = -1;
    if ((spec_from_file_location = PyObject_GetAttrString(
             ext, "spec_from_file_location")) == NULL
        || (extension_file_loader = PyObject_GetAttrString(
                ext, "ExtensionFileLoader")) == NULL
        || (source_file_loader = PyObject_GetAttrString(
                ext, "SourceFileLoader")) == NULL
        || (sourceless_file_loader = PyObject_GetAttrString(
                ext, "SourcelessFileLoader")) == NULL
        || (decode_source = PyObject_GetAttrString(
                ext, "decode_source")) == NULL
        || (io_bytes_io = PyObject_GetAttrString(io, "BytesIO")) == NULL
        || (io_open = PyObject_GetAttrString(io, "open")) == NULL) {
        Py_CLEAR(spec_from_file_location);
        Py_CLEAR(extension_file_loader);
        Py_CLEAR(source_file_loader);
        Py_CLEAR(sourceless_file_loader);
        Py_CLEAR(decode_source);
        Py_CLEAR(io_bytes_io);
        Py_CLEAR(io_open);
    }
    else {
        external_ready = 1;
        rc = 0;
    }
    Py_DECREF(io);
    Py_DECREF(ext);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* OxidizedFinder                                                           */

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

static PyTypeObject OxidizedFinder_Type;
static PyTypeObject OxidizedResourceReader_Type;
static PyTypeObject OxidizedPathEntryFinder_Type;

enum resource_kind {
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

static const oxr_resource *
finder_lookup(const OxidizedFinder *self, const char *name, size_t len)
{
    for (size_t i = 0; i < self->index_count; i++) {
        const oxr_resource *r = oxr_index_find(&self->indexes[i], name, len);
        if (r != NULL) {
            return r;
        }
    }
    return NULL;
}

static int
is_builtin_name(const oxr_resource *r)
{
    for (const struct _inittab *p = PyImport_Inittab; p->name != NULL; p++) {
        if (strlen(p->name) == r->name.len
            && memcmp(p->name, r->name.data, r->name.len) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The bytecode of r for optimization level `optimize` (levels above 2 are
 * 2, as in CPython's compiler), in memory or as a relative path, or NULL.
 * Never another level's: level-0 code run under -OO would keep its asserts
 * and docstrings without a word. A module without its level is compiled
 * from its source at that level, or fails naming the level
 * (missing_level_error()). */
static const oxr_bytes *
memory_bytecode(const oxr_resource *r, int optimize)
{
    const oxr_bytes *b = optimize >= 2   ? &r->in_memory_bytecode_opt2
                         : optimize == 1 ? &r->in_memory_bytecode_opt1
                                         : &r->in_memory_bytecode;
    return b->data != NULL ? b : NULL;
}

static const oxr_bytes *
relative_bytecode(const oxr_resource *r, int optimize)
{
    const oxr_bytes *b = optimize >= 2 ? &r->relative_path_module_bytecode_opt2
                         : optimize == 1
                             ? &r->relative_path_module_bytecode_opt1
                             : &r->relative_path_module_bytecode;
    return b->data != NULL ? b : NULL;
}

/* Bit (1 << level) for each level of bytecode r has in memory (or, when
 * `relative`, as files). */
static unsigned
bytecode_levels(const oxr_resource *r, int relative)
{
    unsigned levels = 0;
    for (int level = 0; level <= 2; level++) {
        if ((relative ? relative_bytecode(r, level)
                      : memory_bytecode(r, level))
            != NULL) {
            levels |= 1u << level;
        }
    }
    return levels;
}

/* ImportError: module `fullname` has bytecode, but not of the interpreter's
 * optimization level, and no source to compile at that level. Returns
 * NULL. */
static PyObject *
missing_level_error(PyObject *fullname, const oxr_resource *r, int optimize)
{
    int level = optimize > 2 ? 2 : optimize;
    unsigned have = bytecode_levels(r, 0) | bytecode_levels(r, 1);
    char levels[16] = "";
    size_t used = 0;
    for (int l = 0; l <= 2; l++) {
        if (have & (1u << l)) {
            used += (size_t)snprintf(levels + used, sizeof(levels) - used,
                                     "%s%d", used ? ", " : "", l);
        }
    }
    PyObject *msg = PyUnicode_FromFormat(
        "module %R has no bytecode for optimization level %d "
        "(sys.flags.optimize is %d) and no source to compile at that level; "
        "its bytecode levels: %s (add %d to bytecode_optimize_levels, or "
        "keep its source)",
        fullname, level, optimize, levels, level);
    if (msg != NULL) {
        PyErr_SetImportError(msg, fullname, NULL);
        Py_DECREF(msg);
    }
    return NULL;
}

/* Whether r carries its source in memory: plain (0x06) or zstd (0x21). */
static int
has_memory_source(const oxr_resource *r)
{
    return r->in_memory_source.data != NULL
           || r->in_memory_source_zstd.data != NULL;
}

/* The in-memory source of r as a new bytes object (has_memory_source(r)
 * must hold): field 0x06 copied, or field 0x21 decompressed now (sources
 * are read only by get_source, linecache, inspect and tracebacks). A frame
 * that is corrupt or declares more than field 0x06 could hold raises
 * ImportError naming the module. */
static PyObject *
memory_source(const oxr_resource *r)
{
    if (r->in_memory_source.data != NULL) {
        if (r->in_memory_source.len > PY_SSIZE_T_MAX) {
            return PyErr_NoMemory();
        }
        return PyBytes_FromStringAndSize(
            (const char *)r->in_memory_source.data,
            (Py_ssize_t)r->in_memory_source.len);
    }
    const size_t max = UINT32_MAX < PY_SSIZE_T_MAX ? UINT32_MAX
                                                   : PY_SSIZE_T_MAX;
    char err[160];
    size_t size = 0;
    PyObject *bytes = NULL;
    if (oxidizer_zstd_content_size(r->in_memory_source_zstd.data,
                                   r->in_memory_source_zstd.len, max, &size,
                                   err, sizeof(err))
        == OXZ_OK) {
        bytes = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)size);
        if (bytes == NULL) {
            return NULL;
        }
        if (oxidizer_zstd_decompress(r->in_memory_source_zstd.data,
                                     r->in_memory_source_zstd.len,
                                     (uint8_t *)PyBytes_AS_STRING(bytes),
                                     size, err, sizeof(err))
            == OXZ_OK) {
            return bytes;
        }
        Py_DECREF(bytes);
    }
    PyObject *name = PyUnicode_DecodeUTF8((const char *)r->name.data,
                                          (Py_ssize_t)r->name.len,
                                          "surrogateescape");
    if (name == NULL) {
        return NULL;
    }
    PyObject *msg = PyUnicode_FromFormat(
        "compressed source of module %R (packed resource field 0x21) is "
        "invalid: %s", name, err);
    if (msg != NULL) {
        PyErr_SetImportError(msg, name, NULL);
        Py_DECREF(msg);
    }
    Py_DECREF(name);
    return NULL;
}

/* What loads resource r. An extension module wins over source and bytecode
 * of the same name (a wheel ships both x.py and x.cpython-311-...so when
 * mypyc or Cython compiled x), as in CPython, whose FileFinder tries the
 * extension suffixes first. */
static enum resource_kind
resource_kind(const oxr_resource *r, int optimize)
{
    if (r->flags & INTERPRETER_FLAGS) {
        return KIND_NONE;
    }
    if (((r->flags & OXR_FLAG_IS_EXTENSION_MODULE)
         || r->flavor == FLAVOR_EXTENSION)
        && !is_builtin_name(r)) {
        if (r->in_memory_extension_module.data != NULL) {
            return KIND_EXTENSION_MEMORY;
        }
        if (r->relative_path_extension_module.data != NULL) {
            return KIND_EXTENSION_FILE;
        }
    }
    if ((r->flags & OXR_FLAG_IS_MODULE) || r->flavor == FLAVOR_MODULE) {
        if (has_memory_source(r) || memory_bytecode(r, optimize) != NULL) {
            return KIND_MEMORY;
        }
        if (r->relative_path_module_source.data != NULL) {
            return KIND_SOURCE_FILE;
        }
        if (relative_bytecode(r, optimize) != NULL) {
            return KIND_BYTECODE_FILE;
        }
        /* Bytecode of other levels only: found, and loading it fails
         * naming the level (missing_level_error()). */
        if (bytecode_levels(r, 0) != 0) {
            return KIND_MEMORY;
        }
        if (bytecode_levels(r, 1) != 0) {
            return KIND_BYTECODE_FILE;
        }
        if (r->flags & OXR_FLAG_IS_NAMESPACE_PACKAGE) {
            return KIND_NAMESPACE;
        }
    }
    return KIND_NONE;
}

static int
is_extension_kind(enum resource_kind kind)
{
    return kind == KIND_EXTENSION_FILE || kind == KIND_EXTENSION_MEMORY;
}

static int
resource_is_package(const oxr_resource *r)
{
    return (r->flags
            & (OXR_FLAG_IS_PACKAGE | OXR_FLAG_IS_NAMESPACE_PACKAGE)) != 0;
}

/* Returns str(<prefix>/<rel><suffix>), decoded with the filesystem
 * encoding. When dots_to_slashes, '.' in rel becomes '/' (module name to
 * path). */
static PyObject *
join_path_suffix(const char *prefix, size_t prefix_len, const uint8_t *rel,
                 size_t rel_len, int dots_to_slashes, const char *suffix)
{
    size_t suffix_len = strlen(suffix);
    if (rel_len > PY_SSIZE_T_MAX - prefix_len - 1 - suffix_len) {
        return PyErr_NoMemory();
    }
    size_t len = prefix_len + 1 + rel_len + suffix_len;
    /* NUL-terminated: before the filesystem codec is ready (core phase),
     * the decoder goes through mbstowcs() and insists on a terminator. */
    char *buf = PyMem_Malloc(len + 1);
    if (buf == NULL) {
        return PyErr_NoMemory();
    }
    memcpy(buf, prefix, prefix_len);
    buf[prefix_len] = '/';
    if (rel_len > 0) {
        memcpy(buf + prefix_len + 1, rel, rel_len);
    }
    if (dots_to_slashes) {
        for (size_t i = prefix_len + 1; i < prefix_len + 1 + rel_len; i++) {
            if (buf[i] == '.') {
                buf[i] = '/';
            }
        }
    }
    memcpy(buf + prefix_len + 1 + rel_len, suffix, suffix_len);
    buf[len] = '\0';
    PyObject *result = PyUnicode_DecodeFSDefaultAndSize(buf, (Py_ssize_t)len);
    PyMem_Free(buf);
    return result;
}

static PyObject *
join_path(const char *prefix, size_t prefix_len, const uint8_t *rel,
          size_t rel_len, int dots_to_slashes)
{
    return join_path_suffix(prefix, prefix_len, rel, rel_len, dots_to_slashes,
                            "");
}

static PyObject *str_of(const oxr_bytes *b);

/* The index holding resource r (a pointer into one of the finder's
 * indexes), or NULL. */
static const oxr_index *
index_of(const OxidizedFinder *self, const oxr_resource *r)
{
    uintptr_t p = (uintptr_t)r;
    for (size_t i = 0; i < self->index_count; i++) {
        const oxr_index *ix = &self->indexes[i];
        uintptr_t start = (uintptr_t)ix->resources;
        if (ix->count > 0 && p >= start
            && p < start + ix->count * sizeof(oxr_resource)) {
            return ix;
        }
    }
    return NULL;
}

/* Sets ImportError("<what> <name>: <detail>"). */
static void
set_resource_import_error(const oxr_resource *r, const char *what,
                          const char *detail)
{
    PyObject *name = str_of(&r->name);
    if (name == NULL) {
        return;
    }
    PyObject *msg = PyUnicode_FromFormat("%s %U: %s", what, name, detail);
    if (msg != NULL) {
        PyErr_SetImportError(msg, name, NULL);
        Py_DECREF(msg);
    }
    Py_DECREF(name);
}

/* The directory that resource r's relative paths resolve against: the
 * finder's origin, or, for a filesystem-extracted resource, the extraction
 * directory of its index, extracting the index's payload on first use (so
 * nothing is touched until such a resource is needed). Returns 0, or -1 with
 * ImportError naming the resource and the directory. */
static int
resource_root(OxidizedFinder *self, const oxr_resource *r, const char **root,
              size_t *root_len)
{
    if (!(r->flags & OXR_FLAG_FILESYSTEM_EXTRACTED)) {
        *root = self->origin;
        *root_len = self->origin_len;
        return 0;
    }
    const oxr_index *ix = index_of(self, r);
    if (ix == NULL) {
        set_resource_import_error(r, "cannot extract", "not in an index of "
                                  "this finder");
        return -1;
    }
    for (size_t i = 0; i < self->extraction_count; i++) {
        if (self->extractions[i].resources == ix->resources) {
            *root = self->extractions[i].dir;
            *root_len = self->extractions[i].dir_len;
            return 0;
        }
    }
    const oxr_resource *holder = oxr_index_find(
        ix, OXR_EXTRACTION_RESOURCE, strlen(OXR_EXTRACTION_RESOURCE));
    if (holder == NULL || holder->extraction_payload.data == NULL) {
        set_resource_import_error(r, "cannot extract",
                                  "it is filesystem-extracted, but its "
                                  "packed resources have no extraction "
                                  "payload");
        return -1;
    }
    char dir[PATH_MAX];
    char err[2 * PATH_MAX + 256];
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = oxidizer_extract(holder->extraction_payload.data,
                          holder->extraction_payload.len, dir, sizeof(dir),
                          err, sizeof(err));
    Py_END_ALLOW_THREADS
    if (rc < 0) {
        set_resource_import_error(r, "cannot extract the files of", err);
        return -1;
    }
    /* Another thread may have finished first while the GIL was released. */
    for (size_t i = 0; i < self->extraction_count; i++) {
        if (self->extractions[i].resources == ix->resources) {
            *root = self->extractions[i].dir;
            *root_len = self->extractions[i].dir_len;
            return 0;
        }
    }
    size_t len = strlen(dir);
    char *copy = PyMem_RawMalloc(len + 1);
    struct extraction *grown = copy == NULL ? NULL : PyMem_RawRealloc(
        self->extractions,
        (self->extraction_count + 1) * sizeof(struct extraction));
    if (grown == NULL) {
        PyMem_RawFree(copy);
        PyErr_NoMemory();
        return -1;
    }
    memcpy(copy, dir, len + 1);
    self->extractions = grown;
    grown[self->extraction_count].resources = ix->resources;
    grown[self->extraction_count].dir = copy;
    grown[self->extraction_count].dir_len = len;
    self->extraction_count++;
    *root = copy;
    *root_len = len;
    return 0;
}

/* str(<root of r>/<rel>): a relative path of resource r made absolute. */
static PyObject *
resource_join(OxidizedFinder *self, const oxr_resource *r,
              const oxr_bytes *rel)
{
    const char *root;
    size_t root_len;
    if (resource_root(self, r, &root, &root_len) < 0) {
        return NULL;
    }
    return join_path(root, root_len, rel->data, rel->len, 0);
}

/* Whether r is a filesystem-extracted module executed from embedded
 * bytecode, whose __file__ is its extracted source. */
static int
is_extracted_module(const oxr_resource *r)
{
    return (r->flags & OXR_FLAG_FILESYSTEM_EXTRACTED)
           && r->relative_path_module_source.data != NULL;
}

/* The virtual __file__ of an in-memory module (virtual_module_file):
 * <exe dir>/a/b/__init__.py for package a.b, <exe dir>/a/b.py for module
 * a.b. */
static PyObject *
virtual_file(const OxidizedFinder *self, const oxr_resource *r)
{
    return join_path_suffix(self->exe_path, self->exe_dir_len, r->name.data,
                            r->name.len, 1,
                            (r->flags & OXR_FLAG_IS_PACKAGE) ? "/__init__.py"
                                                             : ".py");
}

/* ModuleSpec subclass for specs with a virtual origin, made on first use:
 * ModuleSpec.cached would derive a __pycache__ path from the origin, but no
 * bytecode file exists, so `cached` is always None here (and the module
 * gets no __cached__). */
static PyObject *virtual_spec_type;

static PyObject *
return_none(PyObject *unused, PyObject *const *args, Py_ssize_t nargs)
{
    (void)unused;
    (void)args;
    (void)nargs;
    Py_RETURN_NONE;
}

static PyMethodDef return_none_def = {
    "_none", (PyCFunction)(void (*)(void))return_none, METH_FASTCALL, NULL};

static PyObject *
get_virtual_spec_type(void)
{
    if (virtual_spec_type != NULL) {
        return virtual_spec_type;
    }
    PyObject *fn = PyCFunction_New(&return_none_def, NULL);
    if (fn == NULL) {
        return NULL;
    }
    /* property(fget=None-returning, fset=ignoring): ModuleSpec.__init__ and
     * importlib may assign `cached`; the value stays None. */
    PyObject *prop = PyObject_CallFunctionObjArgs((PyObject *)&PyProperty_Type,
                                                  fn, fn, NULL);
    Py_DECREF(fn);
    if (prop == NULL) {
        return NULL;
    }
    virtual_spec_type = PyObject_CallFunction(
        (PyObject *)&PyType_Type, "s(O){sOss}", "OxidizedModuleSpec",
        module_spec_type, "cached", prop, "__module__", "oxidized_importer");
    Py_DECREF(prop);
    return virtual_spec_type;
}

/* Puts the finder's path_hook first on sys.path_hooks, once, so pkgutil can
 * resolve the virtual __path__ entries of in-memory packages. Done when the
 * first package spec is made (nothing to resolve before): starting the
 * interpreter costs one list insertion, and no Python code runs. */
static int
register_path_hook(OxidizedFinder *self)
{
    if (!self->wants_path_hook || self->path_hook_registered) {
        return 0;
    }
    PyObject *hooks = PySys_GetObject("path_hooks"); /* borrowed */
    if (hooks == NULL || !PyList_Check(hooks)) {
        return 0; /* not set up yet: retried at the next package */
    }
    PyObject *hook = PyObject_GetAttrString((PyObject *)self, "path_hook");
    if (hook == NULL) {
        return -1;
    }
    int rc = PySequence_Contains(hooks, hook);
    if (rc == 0) {
        rc = PyList_Insert(hooks, 0, hook);
    }
    Py_DECREF(hook);
    if (rc < 0) {
        return -1;
    }
    self->path_hook_registered = 1;
    return 0;
}

#define DUNDER_INIT ".__init__"
#define DUNDER_INIT_LEN (sizeof(DUNDER_INIT) - 1)

/* `pkg.__init__` names a module of its own in CPython: FileFinder finds
 * pkg/__init__.py under that name and runs it again, not as a package
 * (`from .__init__ import x`). Returns the resource of `pkg` when name is
 * `pkg.__init__` and pkg is a regular package with Python code, else NULL. */
static const oxr_resource *
dunder_init_package(OxidizedFinder *self, const char *name, size_t len)
{
    if (len <= DUNDER_INIT_LEN
        || memcmp(name + len - DUNDER_INIT_LEN, DUNDER_INIT, DUNDER_INIT_LEN)
               != 0) {
        return NULL;
    }
    const oxr_resource *r = finder_lookup(self, name, len - DUNDER_INIT_LEN);
    if (r == NULL || !(r->flags & OXR_FLAG_IS_PACKAGE)
        || (r->flags & OXR_FLAG_IS_NAMESPACE_PACKAGE)) {
        return NULL;
    }
    enum resource_kind kind = resource_kind(r, self->optimize);
    return kind == KIND_MEMORY || kind == KIND_SOURCE_FILE
                   || kind == KIND_BYTECODE_FILE
               ? r
               : NULL;
}

/* Whether fullname is `<r's name>.__init__`, the module that
 * dunder_init_package() maps to package r. */
static int
is_dunder_init_of(PyObject *fullname, const oxr_resource *r)
{
    Py_ssize_t len;
    if (PyUnicode_AsUTF8AndSize(fullname, &len) == NULL) {
        PyErr_Clear();
        return 0;
    }
    return (size_t)len == r->name.len + DUNDER_INIT_LEN;
}

/* Looks up fullname (a str); `pkg.__init__` finds package pkg (see
 * dunder_init_package()). Returns NULL without an exception when absent;
 * NULL with an exception when fullname is not a str. */
static const oxr_resource *
lookup_object(OxidizedFinder *self, PyObject *fullname)
{
    if (!PyUnicode_Check(fullname)) {
        PyErr_Format(PyExc_TypeError, "module name must be str, not %.100s",
                     Py_TYPE(fullname)->tp_name);
        return NULL;
    }
    Py_ssize_t len;
    const char *name = PyUnicode_AsUTF8AndSize(fullname, &len);
    if (name == NULL) {
        /* Lone surrogates: cannot be in the index. */
        PyErr_Clear();
        return NULL;
    }
    const oxr_resource *r = finder_lookup(self, name, (size_t)len);
    return r != NULL ? r : dunder_init_package(self, name, (size_t)len);
}

static const oxr_resource *
lookup_or_import_error(OxidizedFinder *self, PyObject *fullname)
{
    const oxr_resource *r = lookup_object(self, fullname);
    if (r == NULL && !PyErr_Occurred()) {
        PyObject *msg = PyUnicode_FromFormat("%R is not known to OxidizedFinder",
                                             fullname);
        if (msg != NULL) {
            PyErr_SetImportError(msg, fullname, NULL);
            Py_DECREF(msg);
        }
    }
    return r;
}

/* spec_from_file_location(name, path, loader=LoaderType(name, path)) */
static PyObject *
file_spec(PyObject *fullname, PyObject *path, PyObject *loader_type)
{
    PyObject *args[3] = {fullname, path, NULL};
    PyObject *loader = PyObject_Vectorcall(loader_type, args, 2, NULL);
    if (loader == NULL) {
        return NULL;
    }
    args[2] = loader;
    PyObject *spec = PyObject_Vectorcall(spec_from_file_location, args, 2,
                                         kwnames_loader);
    Py_DECREF(loader);
    return spec;
}

/* spec.submodule_search_locations = [location]; steals location, which may
 * be NULL after a failure. */
static int
set_search_location(PyObject *spec, PyObject *location)
{
    if (location == NULL) {
        return -1;
    }
    PyObject *locations = PyList_New(1);
    if (locations == NULL) {
        Py_DECREF(location);
        return -1;
    }
    PyList_SET_ITEM(locations, 0, location); /* steals location */
    int rc = PyObject_SetAttr(spec, str_search_locations, locations);
    Py_DECREF(locations);
    return rc;
}

/* The directory part of a str path ("/a/b/c.so" -> "/a/b"), new reference. */
static PyObject *
parent_directory(PyObject *path)
{
    Py_ssize_t len = PyUnicode_GET_LENGTH(path);
    Py_ssize_t slash = PyUnicode_FindChar(path, '/', 0, len, -1);
    if (slash < -1) {
        return NULL;
    }
    if (slash <= 0) {
        return PyUnicode_FromString(slash == 0 ? "/" : ".");
    }
    return PyUnicode_Substring(path, 0, slash);
}

/* An in-memory package's spec gets the virtual __path__ `<exe>/<name>`, which
 * our path hook answers (submodules, pkgutil). Steals spec (may be NULL);
 * returns it, or NULL with an exception set. */
static PyObject *
with_virtual_path(OxidizedFinder *self, PyObject *spec, const oxr_resource *r)
{
    if (spec == NULL) {
        return NULL;
    }
    if (register_path_hook(self) < 0
        || set_search_location(
               spec, join_path(self->exe_path, self->exe_path_len,
                               r->name.data, r->name.len, 1))
               < 0) {
        Py_DECREF(spec);
        return NULL;
    }
    return spec;
}

/* Builds the spec for resource r of kind `kind` (not KIND_NONE). */
static PyObject *
finder_make_spec(OxidizedFinder *self, PyObject *fullname,
                 const oxr_resource *r, enum resource_kind kind)
{
    if (kind == KIND_MEMORY || kind == KIND_NAMESPACE) {
        int is_package = (resource_is_package(r) || kind == KIND_NAMESPACE)
                         && !is_dunder_init_of(fullname, r);
        /* Namespace packages are loaded by us too (exec_module does
         * nothing): importlib's NamespaceLoader would serve
         * importlib.resources from real directories, and their __path__ is
         * virtual. origin stays None, as for any namespace package. */
        PyObject *spec;
        int extracted = kind == KIND_MEMORY && is_extracted_module(r);
        if (extracted || (kind == KIND_MEMORY && self->virtual_module_file)) {
            /* Extracted: __file__ is the extracted source (bytecode still
             * comes from memory); else the virtual file. */
            PyObject *spec_type = get_virtual_spec_type();
            const oxr_bytes *source = &r->relative_path_module_source;
            PyObject *origin = spec_type == NULL ? NULL
                               : extracted ? resource_join(self, r, source)
                                           : virtual_file(self, r);
            if (origin == NULL) {
                return NULL;
            }
            if (extracted && is_package) {
                /* A real directory: the package's files are there. */
                PyObject *args[4] = {fullname, (PyObject *)self, origin,
                                     Py_True};
                spec = PyObject_Vectorcall(spec_type, args, 2,
                                           kwnames_origin_is_package);
                if (spec != NULL
                    && (PyObject_SetAttrString(spec, "has_location", Py_True)
                            < 0
                        || set_search_location(spec,
                                               parent_directory(origin))
                               < 0)) {
                    Py_CLEAR(spec);
                }
                Py_DECREF(origin);
                return spec;
            }
            PyObject *args[4] = {fullname, (PyObject *)self, origin,
                                 is_package ? Py_True : Py_False};
            spec = PyObject_Vectorcall(spec_type, args, 2,
                                       kwnames_origin_is_package);
            Py_DECREF(origin);
            if (spec != NULL
                && PyObject_SetAttrString(spec, "has_location", Py_True)
                       < 0) {
                Py_CLEAR(spec);
            }
        }
        else {
            PyObject *args[3] = {fullname, (PyObject *)self,
                                 is_package ? Py_True : Py_False};
            spec = PyObject_Vectorcall(module_spec_type, args, 2,
                                       kwnames_is_package);
        }
        return is_package ? with_virtual_path(self, spec, r) : spec;
    }

    if (kind == KIND_EXTENSION_MEMORY) {
        /* We load it (create_module); no origin: it has no file. A compiled
         * package (pkg/__init__.<suffix>) gets the virtual __path__ of an
         * in-memory package. */
        int is_package = resource_is_package(r);
        PyObject *args[3] = {fullname, (PyObject *)self,
                             is_package ? Py_True : Py_False};
        PyObject *spec = PyObject_Vectorcall(module_spec_type, args, 2,
                                             kwnames_is_package);
        return is_package ? with_virtual_path(self, spec, r) : spec;
    }
    if (ensure_external() < 0) {
        return NULL;
    }
    const oxr_bytes *rel;
    PyObject *loader_type;
    switch (kind) {
    case KIND_SOURCE_FILE:
        rel = &r->relative_path_module_source;
        loader_type = source_file_loader;
        break;
    case KIND_BYTECODE_FILE:
        rel = relative_bytecode(r, self->optimize);
        if (rel == NULL) {
            return missing_level_error(fullname, r, self->optimize);
        }
        loader_type = sourceless_file_loader;
        break;
    case KIND_EXTENSION_FILE:
        rel = &r->relative_path_extension_module;
        loader_type = extension_file_loader;
        break;
    default:
        Py_RETURN_NONE;
    }
    PyObject *path = resource_join(self, r, rel);
    if (path == NULL) {
        return NULL;
    }
    PyObject *spec = file_spec(fullname, path, loader_type);
    if (spec != NULL && kind == KIND_EXTENSION_FILE && resource_is_package(r)
        && set_search_location(spec, parent_directory(path)) < 0) {
        /* A compiled package (pkg/__init__.<suffix>): its directory, as
         * CPython's FileFinder gives it, whatever the file is called. */
        Py_CLEAR(spec);
    }
    Py_DECREF(path);
    return spec;
}

static PyObject *find_spec_name(OxidizedFinder *self, PyObject *fullname);

/* find_spec(fullname, path, target=None) */
static PyObject *
finder_find_spec(OxidizedFinder *self, PyObject *const *args,
                 Py_ssize_t nargs, PyObject *kwnames)
{
    Py_ssize_t nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    if (nargs + nkw < 1 || nargs + nkw > 3) {
        PyErr_SetString(PyExc_TypeError,
                        "find_spec() takes from 1 to 3 arguments");
        return NULL;
    }
    PyObject *fullname = NULL;
    if (nargs >= 1) {
        fullname = args[0];
    }
    for (Py_ssize_t i = 0; i < nkw; i++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, i);
        if (PyUnicode_CompareWithASCIIString(key, "fullname") == 0
            && fullname == NULL) {
            fullname = args[nargs + i];
        }
        else if (PyUnicode_CompareWithASCIIString(key, "path") != 0
                 && PyUnicode_CompareWithASCIIString(key, "target") != 0) {
            PyErr_Format(PyExc_TypeError,
                         "find_spec() got an unexpected keyword argument %R",
                         key);
            return NULL;
        }
    }
    if (fullname == NULL) {
        PyErr_SetString(PyExc_TypeError,
                        "find_spec() missing required argument 'fullname'");
        return NULL;
    }
    return find_spec_name(self, fullname);
}

/* find_module(fullname, path=None): the loader, or None (deprecated API). */
static PyObject *
finder_find_module(OxidizedFinder *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"fullname", "path", NULL};
    PyObject *fullname;
    PyObject *path = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:find_module", kwlist,
                                     &fullname, &path)) {
        return NULL;
    }
    PyObject *spec = find_spec_name(self, fullname);
    if (spec == NULL || spec == Py_None) {
        return spec;
    }
    PyObject *loader = PyObject_GetAttrString(spec, "loader");
    Py_DECREF(spec);
    return loader;
}

/* BuiltinImporter or FrozenImporter (new reference) for a resource added by
 * index_interpreter_*(); NULL without an exception for other resources. */
static PyObject *
interpreter_importer(const oxr_resource *r)
{
    const char *attr;
    if (r->flags & OXR_FLAG_IS_BUILTIN_EXTENSION) {
        attr = "BuiltinImporter";
    }
    else if (r->flags & OXR_FLAG_IS_FROZEN_MODULE) {
        attr = "FrozenImporter";
    }
    else {
        return NULL;
    }
    PyObject *bootstrap = PyImport_ImportModule("_frozen_importlib");
    if (bootstrap == NULL) {
        return NULL;
    }
    PyObject *importer = PyObject_GetAttrString(bootstrap, attr);
    Py_DECREF(bootstrap);
    return importer;
}

/* importer.<method>(fullname) for an interpreter built-in or frozen
 * resource; NULL without an exception for other resources. */
static PyObject *
call_interpreter_importer(const oxr_resource *r, const char *method,
                          PyObject *fullname)
{
    PyObject *importer = interpreter_importer(r);
    if (importer == NULL) {
        return NULL;
    }
    PyObject *result = PyObject_CallMethod(importer, method, "O", fullname);
    Py_DECREF(importer);
    return result;
}

/* ------------------------------------------------------------------------ */
/* Built-in and frozen modules of the interpreter                           */

/* "find_spec" and "get_code", interned on first use. */
static PyObject *str_find_spec;
static PyObject *str_get_code;

/* _frozen_importlib.<name> (BuiltinImporter, FrozenImporter), new
 * reference. */
static PyObject *
bootstrap_importer(const char *name)
{
    if (str_find_spec == NULL
        && (str_find_spec = PyUnicode_InternFromString("find_spec")) == NULL) {
        return NULL;
    }
    if (str_get_code == NULL
        && (str_get_code = PyUnicode_InternFromString("get_code")) == NULL) {
        return NULL;
    }
    PyObject *bootstrap = PyImport_ImportModule("_frozen_importlib");
    if (bootstrap == NULL) {
        return NULL;
    }
    PyObject *importer = PyObject_GetAttrString(bootstrap, name);
    Py_DECREF(bootstrap);
    return importer;
}

/* Adds {name: _frozen_importlib.<importer>} to self->interpreter_modules
 * (made on first use) for each str of the iterable `names`. When
 * `unless_indexed`, a name the indexes hold as a module keeps being served
 * from them (module_file: our packed copy, with its virtual __file__). */
static int
add_interpreter_modules(OxidizedFinder *self, PyObject *names,
                        const char *importer_name, int unless_indexed)
{
    PyObject *importer = bootstrap_importer(importer_name);
    if (importer == NULL) {
        return -1;
    }
    if (self->interpreter_modules == NULL
        && (self->interpreter_modules = PyDict_New()) == NULL) {
        Py_DECREF(importer);
        return -1;
    }
    PyObject *iter = PyObject_GetIter(names);
    if (iter == NULL) {
        Py_DECREF(importer);
        return -1;
    }
    PyObject *name;
    int rc = 0;
    while (rc == 0 && (name = PyIter_Next(iter)) != NULL) {
        const oxr_resource *r = NULL;
        if (unless_indexed) {
            r = lookup_object(self, name);
            if (r == NULL && PyErr_Occurred()) {
                rc = -1;
            }
        }
        if (rc == 0 && (r == NULL || resource_kind(r, self->optimize)
                                         == KIND_NONE)) {
            rc = PyDict_SetItem(self->interpreter_modules, name, importer);
        }
        Py_DECREF(name);
    }
    Py_DECREF(iter);
    Py_DECREF(importer);
    return rc < 0 || PyErr_Occurred() ? -1 : 0;
}

/* Answers the interpreter's built-in modules (sys.builtin_module_names)
 * and/or frozen modules (_imp._frozen_module_names(), which follows
 * -X frozen_modules) through BuiltinImporter / FrozenImporter. Built-in
 * names are listed in interpreter_modules when `builtin_names`, else
 * checked against PyImport_Inittab when no index serves them (start-up
 * builds no dict of some 130 names for the few a program imports later). */
static int
add_interpreter_names(OxidizedFinder *self, int builtin, int builtin_names,
                      int frozen, int unless_indexed)
{
    if (builtin && builtin_names) {
        PyObject *names = PySys_GetObject("builtin_module_names"); /* borrowed */
        if (names == NULL) {
            PyErr_SetString(PyExc_RuntimeError,
                            "sys.builtin_module_names is not set");
            return -1;
        }
        if (add_interpreter_modules(self, names, "BuiltinImporter", 0) < 0) {
            return -1;
        }
    }
    else if (builtin && self->builtin_importer == NULL
             && (self->builtin_importer = bootstrap_importer(
                     "BuiltinImporter"))
                    == NULL) {
        return -1;
    }
    if (frozen) {
        PyObject *imp = PyImport_ImportModule("_imp");
        PyObject *names = imp != NULL ? PyObject_CallMethod(
                              imp, "_frozen_module_names", NULL)
                                      : NULL;
        Py_XDECREF(imp);
        if (names == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_AttributeError)) {
                return -1;
            }
            PyErr_Clear(); /* before 3.11: no list of frozen modules */
            return 0;
        }
        int rc = add_interpreter_modules(self, names, "FrozenImporter",
                                         unless_indexed);
        Py_DECREF(names);
        return rc;
    }
    return 0;
}

/* importer.<method>(fullname) when fullname is one of the interpreter's
 * modules listed in interpreter_modules; NULL without an exception for
 * other names. */
static PyObject *
call_interpreter_module(OxidizedFinder *self, PyObject *method,
                        PyObject *fullname)
{
    if (self->interpreter_modules == NULL || !PyUnicode_Check(fullname)) {
        return NULL;
    }
    PyObject *importer = PyDict_GetItemWithError(self->interpreter_modules,
                                                 fullname); /* borrowed */
    if (importer == NULL) {
        return NULL;
    }
    PyObject *args[2] = {importer, fullname};
    return PyObject_VectorcallMethod(method, args, 2, NULL);
}

/* BuiltinImporter.find_spec(fullname) when the finder answers built-in
 * modules and fullname is in PyImport_Inittab (what _imp.is_builtin()
 * reads); None otherwise. */
static PyObject *
builtin_spec(OxidizedFinder *self, PyObject *fullname)
{
    Py_ssize_t len;
    const char *name;
    if (self->builtin_importer == NULL
        || (name = PyUnicode_AsUTF8AndSize(fullname, &len)) == NULL) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    for (const struct _inittab *p = PyImport_Inittab; p->name != NULL; p++) {
        if (p->name[0] == name[0] && strncmp(p->name, name, (size_t)len) == 0
            && p->name[len] == '\0') {
            PyObject *args[2] = {self->builtin_importer, fullname};
            return PyObject_VectorcallMethod(str_find_spec, args, 2, NULL);
        }
    }
    Py_RETURN_NONE;
}

static PyObject *
find_spec_name(OxidizedFinder *self, PyObject *fullname)
{
    PyObject *interpreter_spec = call_interpreter_module(self, str_find_spec,
                                                         fullname);
    if (interpreter_spec != NULL || PyErr_Occurred()) {
        return interpreter_spec;
    }
    const oxr_resource *r = lookup_object(self, fullname);
    if (r == NULL) {
        if (PyErr_Occurred()) {
            return NULL;
        }
        return builtin_spec(self, fullname);
    }
    if (r->flags & INTERPRETER_FLAGS) {
        /* Indexed by index_interpreter_*(): served by the interpreter's own
         * importers, so a finder alone on sys.meta_path imports them too. */
        return call_interpreter_importer(r, "find_spec", fullname);
    }
    enum resource_kind kind = resource_kind(r, self->optimize);
    if (kind == KIND_NONE) {
        return builtin_spec(self, fullname);
    }
    return finder_make_spec(self, fullname, r, kind);
}

/* Returns a new reference to the code object of an in-memory module, or
 * Py_None when it has none (namespace packages, file-backed resources). */
static PyObject *
resource_code(OxidizedFinder *self, PyObject *fullname, const oxr_resource *r)
{
    if (is_extension_kind(resource_kind(r, self->optimize))) {
        /* Compiled: no code object, like ExtensionFileLoader.get_code(). */
        Py_RETURN_NONE;
    }
    const oxr_bytes *bc = memory_bytecode(r, self->optimize);
    if (bc != NULL) {
        if (bc->len > PY_SSIZE_T_MAX) {
            return PyErr_NoMemory();
        }
        PyObject *code = PyMarshal_ReadObjectFromString(
            (const char *)bc->data, (Py_ssize_t)bc->len);
        if (code == NULL) {
            return NULL;
        }
        if (!PyCode_Check(code)) {
            Py_DECREF(code);
            PyObject *msg = PyUnicode_FromFormat(
                "bytecode of %R is not a code object", fullname);
            if (msg != NULL) {
                PyErr_SetImportError(msg, fullname, NULL);
                Py_DECREF(msg);
            }
            return NULL;
        }
        return code;
    }
    if (has_memory_source(r)) {
        /* Like importlib's source_to_code(): compile the bytes so the
         * tokenizer honours a PEP 263 coding cookie and BOM. The copy gives
         * the tokenizer its NUL terminator. */
        PyObject *source = memory_source(r);
        if (source == NULL) {
            return NULL;
        }
        if (memchr(PyBytes_AS_STRING(source), '\0',
                   (size_t)PyBytes_GET_SIZE(source)) != NULL) {
            Py_DECREF(source);
            PyErr_SetString(PyExc_SyntaxError,
                            "source code string cannot contain null bytes");
            return NULL;
        }
        PyCompilerFlags flags = _PyCompilerFlags_INIT;
        PyObject *code = Py_CompileStringObject(
            PyBytes_AS_STRING(source), fullname, Py_file_input, &flags,
            self->optimize);
        Py_DECREF(source);
        return code;
    }
    /* A module installed next to the executable: its file loader reads,
     * validates and compiles it exactly as for the import itself. */
    const oxr_bytes *rel = relative_bytecode(r, self->optimize);
    if (rel == NULL && r->relative_path_module_source.data != NULL) {
        rel = &r->relative_path_module_source;
    }
    if (rel != NULL) {
        if (ensure_external() < 0) {
            return NULL;
        }
        /* Looked up only now: the classes are cached by ensure_external(). */
        PyObject *loader_type = rel == &r->relative_path_module_source
                                    ? source_file_loader
                                    : sourceless_file_loader;
        PyObject *path = resource_join(self, r, rel);
        if (path == NULL) {
            return NULL;
        }
        PyObject *loader = PyObject_CallFunctionObjArgs(loader_type, fullname,
                                                        path, NULL);
        Py_DECREF(path);
        if (loader == NULL) {
            return NULL;
        }
        PyObject *code = PyObject_CallMethod(loader, "get_code", "O",
                                             fullname);
        Py_DECREF(loader);
        return code;
    }
    if (bytecode_levels(r, 0) | bytecode_levels(r, 1)) {
        return missing_level_error(fullname, r, self->optimize);
    }
    Py_RETURN_NONE;
}

static PyObject *call_support(const char *module, const char *function,
                              const char *format, ...);

/* exec_module(module) */
static PyObject *
finder_exec_module(OxidizedFinder *self, PyObject *module)
{
    PyObject *name;
    PyObject *spec = PyObject_GetAttr(module, str_spec);
    if (spec == NULL) {
        return NULL;
    }
    if (spec != Py_None) {
        name = PyObject_GetAttr(spec, str_name);
    }
    else {
        name = PyObject_GetAttr(module, str_dunder_name);
    }
    Py_DECREF(spec);
    if (name == NULL) {
        return NULL;
    }
    const oxr_resource *r = lookup_or_import_error(self, name);
    if (r == NULL) {
        Py_DECREF(name);
        return NULL;
    }
    if (resource_kind(r, self->optimize) == KIND_EXTENSION_MEMORY) {
        Py_DECREF(name);
        /* create_module() loaded it; run its multi-phase exec slots. */
        return PyObject_CallMethod(imp_module, "exec_dynamic", "O", module);
    }
    PyObject *code = resource_code(self, name, r);
    /* PyOxidizer registers itself with setuptools' pkg_resources when it
     * executes that module (_oxidized_importer/pkg_resources.py). */
    int is_pkg_resources =
        PyUnicode_CompareWithASCIIString(name, "pkg_resources") == 0;
    Py_DECREF(name);
    if (code == NULL) {
        return NULL;
    }
    if (code == Py_None) {
        /* Namespace package: nothing to execute. */
        return code;
    }
    PyObject *dict;
    if (PyModule_Check(module)) {
        dict = PyModule_GetDict(module); /* borrowed */
        Py_INCREF(dict);
    }
    else {
        dict = PyObject_GetAttrString(module, "__dict__");
        if (dict == NULL) {
            Py_DECREF(code);
            return NULL;
        }
    }
    /* Like exec(): the module namespace must carry __builtins__, code that
     * later runs with these globals (e.g. PyImport_Import()) looks it up. */
    if (PyDict_Check(dict)
        && PyDict_SetDefault(dict, str_builtins, PyEval_GetBuiltins())
               == NULL) {
        Py_DECREF(dict);
        Py_DECREF(code);
        return NULL;
    }
    self->exec_depth++;
    PyObject *result = PyEval_EvalCode(code, dict, dict);
    self->exec_depth--;
    Py_DECREF(dict);
    Py_DECREF(code);
    if (result == NULL) {
        return NULL;
    }
    Py_DECREF(result);
    if (is_pkg_resources) {
        result = call_support("_oxidized_importer.pkg_resources",
                              "register_pkg_resources_with_module", "(O)",
                              module);
        if (result == NULL) {
            return NULL;
        }
        Py_DECREF(result);
    }
    if (self->gc_freeze != NULL && self->exec_depth == 0) {
        /* freeze_imports: what the import created moves to the permanent
         * generation, so later collections do not traverse it again. */
        result = PyObject_CallNoArgs(self->gc_freeze);
        if (result == NULL) {
            return NULL;
        }
        Py_DECREF(result);
    }
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------------ */
/* Extension modules and shared libraries loaded from memory (Linux).        */

static PyObject *memory_libraries;       /* set of shared library names loaded */

/* A NUL-terminated copy of a resource name, for memfd_create(). */
static void
copy_name(const oxr_bytes *name, char *out, size_t size)
{
    size_t n = name->len < size - 1 ? name->len : size - 1;
    memcpy(out, name->data, n);
    out[n] = '\0';
}

/* Writes `data` to a memfd and returns its /proc/self/fd path as str. The
 * descriptor stays open on purpose: glibc recognises loaded objects by path,
 * and a reused descriptor number would make a later dlopen() of another
 * library return this one. */
static PyObject *
memory_object_path(const oxr_bytes *name, const oxr_bytes *data)
{
    char name_buf[200];
    char path[64];
    copy_name(name, name_buf, sizeof(name_buf));
    if (oxidizer_memfd_open(name_buf, data->data, data->len, path,
                            sizeof(path)) < 0) {
        PyErr_Format(PyExc_ImportError,
                     "cannot load %s from memory: %s", name_buf,
                     strerror(errno));
        return NULL;
    }
    return PyUnicode_DecodeFSDefault(path);
}

/* A resource name or path as str. Names are valid UTF-8 (the parser checks);
 * surrogateescape keeps any other bytes round-trippable. */
static PyObject *
str_of(const oxr_bytes *b)
{
    return PyUnicode_DecodeUTF8((const char *)b->data, (Py_ssize_t)b->len,
                                "surrogateescape");
}

/* Loads, from memory, every shared library of this finder that r names in
 * its dependencies (depth-first), so that dlopen() of r finds them already
 * loaded by soname when it resolves DT_NEEDED. */
static int
load_memory_dependencies(OxidizedFinder *self, const oxr_resource *r,
                         int depth)
{
    if (depth > 64) {
        PyErr_SetString(PyExc_ImportError,
                        "shared library dependencies nest too deeply");
        return -1;
    }
    if (memory_libraries == NULL
        && (memory_libraries = PySet_New(NULL)) == NULL) {
        return -1;
    }
    for (size_t i = 0; i < r->shared_library_dependency_count; i++) {
        const oxr_bytes *dep = &r->shared_library_dependencies[i];
        const oxr_resource *lib = finder_lookup(self, (const char *)dep->data,
                                                dep->len);
        if (lib == NULL || lib->in_memory_shared_library.data == NULL) {
            continue; /* the system's loader finds it */
        }
        PyObject *key = str_of(dep);
        if (key == NULL) {
            return -1;
        }
        int seen = PySet_Contains(memory_libraries, key);
        if (seen != 0) {
            Py_DECREF(key);
            if (seen < 0) {
                return -1;
            }
            continue;
        }
        if (load_memory_dependencies(self, lib, depth + 1) < 0) {
            Py_DECREF(key);
            return -1;
        }
        PyObject *path = memory_object_path(&lib->name,
                                            &lib->in_memory_shared_library);
        if (path == NULL) {
            Py_DECREF(key);
            return -1;
        }
        char err[512];
        void *handle = oxidizer_dlopen(PyUnicode_AsUTF8(path), err,
                                       sizeof(err));
        Py_DECREF(path);
        if (handle == NULL) {
            PyErr_Format(PyExc_ImportError,
                         "cannot load shared library %U from memory: %s",
                         key, err);
            Py_DECREF(key);
            return -1;
        }
        int rc = PySet_Add(memory_libraries, key);
        Py_DECREF(key);
        if (rc < 0) {
            return -1;
        }
    }
    return 0;
}

/* create_module() of an in-memory extension module: its libraries first,
 * then the module through _imp.create_dynamic() on a memfd path. */
static PyObject *
create_memory_extension(OxidizedFinder *self, PyObject *name,
                        const oxr_resource *r)
{
    if (imp_module == NULL
        && (imp_module = PyImport_ImportModule("_imp")) == NULL) {
        return NULL;
    }
    if (load_memory_dependencies(self, r, 0) < 0) {
        return NULL;
    }
    PyObject *path = memory_object_path(&r->name,
                                        &r->in_memory_extension_module);
    if (path == NULL) {
        return NULL;
    }
    PyObject *args[3] = {name, Py_None, path};
    PyObject *kwnames = Py_BuildValue("(s)", "origin");
    PyObject *load_spec = kwnames == NULL
        ? NULL
        : PyObject_Vectorcall(module_spec_type, args, 2, kwnames);
    Py_XDECREF(kwnames);
    Py_DECREF(path);
    if (load_spec == NULL) {
        return NULL;
    }
    PyObject *module = PyObject_CallMethod(imp_module, "create_dynamic", "O",
                                           load_spec);
    Py_DECREF(load_spec);
    if (module == NULL) {
        return NULL;
    }
    /* Single-phase modules get __file__ = the memfd path from CPython; an
     * in-memory module has no file. */
    if (PyModule_Check(module)
        && PyObject_HasAttrString(module, "__file__")
        && PyObject_DelAttrString(module, "__file__") < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}

static PyObject *
finder_create_module(OxidizedFinder *self, PyObject *spec)
{
    PyObject *name = PyObject_GetAttr(spec, str_name);
    if (name == NULL) {
        return NULL;
    }
    const oxr_resource *r = lookup_object(self, name);
    PyObject *result = NULL;
    if (r != NULL && resource_kind(r, self->optimize) == KIND_EXTENSION_MEMORY) {
        result = create_memory_extension(self, name, r);
    }
    else if (!PyErr_Occurred()) {
        result = Py_NewRef(Py_None);
    }
    Py_DECREF(name);
    return result;
}

/* get_code(fullname): None for names the finder does not know, as
 * PyOxidizer's (and importlib's InspectLoader) does. */
static PyObject *
finder_get_code(OxidizedFinder *self, PyObject *fullname)
{
    PyObject *interpreter_code = call_interpreter_module(self, str_get_code,
                                                         fullname);
    if (interpreter_code != NULL || PyErr_Occurred()) {
        return interpreter_code;
    }
    const oxr_resource *r = lookup_object(self, fullname);
    if (r == NULL) {
        return PyErr_Occurred() ? NULL : Py_NewRef(Py_None);
    }
    if (r->flags & INTERPRETER_FLAGS) {
        return call_interpreter_importer(r, "get_code", fullname);
    }
    return resource_code(self, fullname, r);
}

static PyObject *read_file_bytes(PyObject *path);

/* get_source(fullname): None for names the finder does not know. */
static PyObject *
finder_get_source(OxidizedFinder *self, PyObject *fullname)
{
    const oxr_resource *r = lookup_object(self, fullname);
    if (r == NULL) {
        return PyErr_Occurred() ? NULL : Py_NewRef(Py_None);
    }
    enum resource_kind kind = resource_kind(r, self->optimize);
    int extracted = kind == KIND_MEMORY && is_extracted_module(r);
    if ((!has_memory_source(r) && !extracted) || is_extension_kind(kind)) {
        Py_RETURN_NONE;
    }
    if (ensure_external() < 0) {
        return NULL;
    }
    PyObject *source;
    if (has_memory_source(r)) {
        source = memory_source(r);
    }
    else {
        /* An extracted module: its source is the extracted file. */
        PyObject *path = resource_join(self, r,
                                       &r->relative_path_module_source);
        source = path == NULL ? NULL : read_file_bytes(path);
        Py_XDECREF(path);
    }
    if (source == NULL) {
        return NULL;
    }
    PyObject *text = PyObject_CallOneArg(decode_source, source);
    Py_DECREF(source);
    return text;
}

static PyObject *
finder_is_package(OxidizedFinder *self, PyObject *fullname)
{
    const oxr_resource *r = lookup_or_import_error(self, fullname);
    if (r == NULL) {
        return NULL;
    }
    return PyBool_FromLong(resource_is_package(r)
                           && !is_dunder_init_of(fullname, r));
}

static PyObject *
finder_get_filename(OxidizedFinder *self, PyObject *fullname)
{
    const oxr_resource *r = lookup_or_import_error(self, fullname);
    if (r == NULL) {
        return NULL;
    }
    const oxr_bytes *rel = NULL;
    switch (resource_kind(r, self->optimize)) {
    case KIND_SOURCE_FILE:
        rel = &r->relative_path_module_source;
        break;
    case KIND_BYTECODE_FILE:
        rel = relative_bytecode(r, self->optimize);
        break;
    case KIND_EXTENSION_FILE:
        rel = &r->relative_path_extension_module;
        break;
    default:
        break;
    }
    if (rel == NULL && resource_kind(r, self->optimize) == KIND_MEMORY
        && is_extracted_module(r)) {
        rel = &r->relative_path_module_source;
    }
    else if (rel == NULL && self->virtual_module_file
             && resource_kind(r, self->optimize) == KIND_MEMORY) {
        return virtual_file(self, r);
    }
    if (rel == NULL) {
        PyObject *msg = PyUnicode_FromFormat(
            "%R is loaded from memory and has no filename", fullname);
        if (msg != NULL) {
            PyErr_SetImportError(msg, fullname, NULL);
            Py_DECREF(msg);
        }
        return NULL;
    }
    return resource_join(self, r, rel);
}

static PyObject *
finder_get_resource_reader(OxidizedFinder *self, PyObject *fullname)
{
    const oxr_resource *r = lookup_object(self, fullname);
    if (r == NULL) {
        if (PyErr_Occurred()) {
            return NULL;
        }
        Py_RETURN_NONE;
    }
    if (!resource_is_package(r)) {
        Py_RETURN_NONE;
    }
    OxidizedResourceReader *reader = PyObject_New(
        OxidizedResourceReader, &OxidizedResourceReader_Type);
    if (reader == NULL) {
        return NULL;
    }
    Py_INCREF(self);
    reader->finder = self;
    reader->resource = r;
    return (PyObject *)reader;
}

/* The entry called `name`; the last one when the name repeats (later data
 * wins, as in a dict built from the entries). */
static const oxr_named *
find_named(const oxr_named_list *list, const char *name, size_t len)
{
    for (size_t i = list->count; i-- > 0;) {
        const oxr_named *e = &list->entries[i];
        if (e->name.len == len && memcmp(e->name.data, name, len) == 0) {
            return e;
        }
    }
    return NULL;
}

static void
set_not_found(PyObject *filename)
{
    PyObject *exc = PyObject_CallFunction(PyExc_FileNotFoundError, "isO",
                                          ENOENT, "resource not found",
                                          filename);
    if (exc != NULL) {
        PyErr_SetObject(PyExc_FileNotFoundError, exc);
        Py_DECREF(exc);
    }
}

static PyObject *
read_file_bytes(PyObject *path)
{
    if (ensure_external() < 0) {
        return NULL;
    }
    PyObject *f = PyObject_CallFunction(io_open, "Os", path, "rb");
    if (f == NULL) {
        return NULL;
    }
    PyObject *data = PyObject_CallMethod(f, "read", NULL);
    PyObject *closed = PyObject_CallMethod(f, "close", NULL);
    Py_DECREF(f);
    if (closed == NULL) {
        Py_XDECREF(data);
        return NULL;
    }
    Py_DECREF(closed);
    return data;
}

/* In-memory source of the module whose virtual __file__ is
 * <exe dir>/<rest> (rest NUL-terminated), or NULL without an exception (with
 * one when its compressed source is invalid). */
static PyObject *
virtual_file_source(OxidizedFinder *self, const char *rest, size_t rest_len)
{
    static const char init_suffix[] = "/__init__.py";
    size_t name_len;
    if (rest_len > sizeof(init_suffix) - 1
        && strcmp(rest + rest_len - (sizeof(init_suffix) - 1), init_suffix)
               == 0) {
        name_len = rest_len - (sizeof(init_suffix) - 1);
    }
    else if (rest_len > 3 && strcmp(rest + rest_len - 3, ".py") == 0) {
        name_len = rest_len - 3;
    }
    else {
        return NULL;
    }
    char *name = PyMem_Malloc(name_len + 1);
    if (name == NULL) {
        return PyErr_NoMemory();
    }
    for (size_t i = 0; i < name_len; i++) {
        /* A '.' in the path is not part of a module path. */
        name[i] = rest[i] == '/' ? '.' : rest[i] == '.' ? '/' : rest[i];
    }
    const oxr_resource *r = finder_lookup(self, name, name_len);
    PyMem_Free(name);
    if (r == NULL || !has_memory_source(r)
        || ((r->flags & OXR_FLAG_IS_PACKAGE) != 0)
               != (name_len == rest_len - (sizeof(init_suffix) - 1))) {
        return NULL;
    }
    return memory_source(r);
}

/* get_data(path): ResourceLoader, see manual section 6.7.3. path is
 * <exe>/<pkg/path>/<resource> for in-memory resources and
 * <origin>/<pkg/path>/<resource> for filesystem-relative ones. Beyond the
 * manual, <exe dir>/<pkg/path>/<resource> also names in-memory resources
 * (and <exe dir>/<module path>.py the module's source): that is where the
 * virtual __file__ of in-memory modules points, so code that joins
 * dirname(__file__) with a resource name (pkgutil.get_data()) works. */
static PyObject *
finder_get_data(OxidizedFinder *self, PyObject *path)
{
    PyObject *encoded = NULL;
    if (!PyUnicode_FSConverter(path, &encoded)) {
        return NULL;
    }
    const char *p = PyBytes_AS_STRING(encoded);
    size_t plen = (size_t)PyBytes_GET_SIZE(encoded);
    /* A file in an extraction directory (where the __file__ of
     * filesystem-extracted modules points) is a real file. */
    for (size_t i = 0; i < self->extraction_count; i++) {
        const struct extraction *x = &self->extractions[i];
        if (plen > x->dir_len + 1 && memcmp(p, x->dir, x->dir_len) == 0
            && p[x->dir_len] == '/') {
            Py_DECREF(encoded);
            return read_file_bytes(path);
        }
    }
    int in_memory;
    const char *rest;
    if (plen > self->exe_path_len + 1
        && memcmp(p, self->exe_path, self->exe_path_len) == 0
        && p[self->exe_path_len] == '/') {
        in_memory = 1;
        rest = p + self->exe_path_len + 1;
    }
    else if (plen > self->origin_len + 1
             && memcmp(p, self->origin, self->origin_len) == 0
             && p[self->origin_len] == '/') {
        in_memory = 0;
        rest = p + self->origin_len + 1;
    }
    else if (plen > self->exe_dir_len + 1
             && memcmp(p, self->exe_path, self->exe_dir_len) == 0
             && p[self->exe_dir_len] == '/') {
        in_memory = 1;
        rest = p + self->exe_dir_len + 1;
        PyObject *source = virtual_file_source(
            self, rest, plen - self->exe_dir_len - 1);
        if (source != NULL || PyErr_Occurred()) {
            Py_DECREF(encoded);
            return source;
        }
    }
    else {
        Py_DECREF(encoded);
        set_not_found(path);
        return NULL;
    }
    size_t rest_len = plen - (size_t)(rest - p);
    char *name = PyMem_Malloc(rest_len + 1);
    if (name == NULL) {
        Py_DECREF(encoded);
        return PyErr_NoMemory();
    }
    memcpy(name, rest, rest_len);
    name[rest_len] = '\0';
    /* Candidate packages, deepest first: "a/b/c.txt" -> a.b, then a. */
    PyObject *result = NULL;
    size_t slash = rest_len;
    while (slash > 0) {
        while (slash > 0 && rest[slash - 1] != '/') {
            slash--;
        }
        if (slash == 0) {
            break;
        }
        size_t pkg_len = slash - 1;
        for (size_t i = 0; i < pkg_len; i++) {
            name[i] = rest[i] == '/' ? '.' : rest[i];
        }
        const oxr_resource *r = finder_lookup(self, name, pkg_len);
        if (r != NULL && (r->flags & OXR_FLAG_IS_PACKAGE)) {
            const char *res = rest + slash;
            size_t res_len = rest_len - slash;
            const oxr_named *e = find_named(
                in_memory ? &r->in_memory_package_resources
                          : &r->relative_path_package_resources,
                res, res_len);
            if (e == NULL) {
                break;
            }
            if (in_memory) {
                result = PyBytes_FromStringAndSize(
                    (const char *)e->value.data, (Py_ssize_t)e->value.len);
            }
            else {
                PyObject *fspath = resource_join(self, r, &e->value);
                if (fspath != NULL) {
                    result = read_file_bytes(fspath);
                    Py_DECREF(fspath);
                }
            }
            PyMem_Free(name);
            Py_DECREF(encoded);
            return result;
        }
        slash--;
    }
    PyMem_Free(name);
    Py_DECREF(encoded);
    set_not_found(path);
    return NULL;
}

static PyObject *
finder_invalidate_caches(OxidizedFinder *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    Py_RETURN_NONE;
}

/* List of (prefix + child, ispkg), sorted, for the modules the finder can
 * load directly below `parent` (parent_len bytes; top-level modules when
 * parent is NULL). The first index holding a name wins, as for imports. */
static PyObject *
iter_children(OxidizedFinder *self, const char *parent, size_t parent_len,
              PyObject *prefix)
{
    size_t skip = parent == NULL ? 0 : parent_len + 1;
    PyObject *seen = PyDict_New();
    if (seen == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < self->index_count; i++) {
        const oxr_index *ix = &self->indexes[i];
        for (size_t j = 0; j < ix->count; j++) {
            const oxr_resource *r = &ix->resources[j];
            if (r->name.len <= skip
                || (parent != NULL
                    && (memcmp(r->name.data, parent, parent_len) != 0
                        || r->name.data[parent_len] != '.'))
                || memchr(r->name.data + skip, '.', r->name.len - skip)
                       != NULL) {
                continue;
            }
            PyObject *name = PyUnicode_DecodeUTF8(
                (const char *)r->name.data + skip,
                (Py_ssize_t)(r->name.len - skip), NULL);
            if (name == NULL) {
                Py_DECREF(seen);
                return NULL;
            }
            /* Shadowed entries still claim the name (a shadowing module
             * that cannot be loaded hides the later one, as for imports). */
            PyObject *value = resource_kind(r, self->optimize) == KIND_NONE
                                  ? Py_None
                                  : resource_is_package(r) ? Py_True
                                                           : Py_False;
            int rc = PyDict_SetDefault(seen, name, value) == NULL ? -1 : 0;
            Py_DECREF(name);
            if (rc < 0) {
                Py_DECREF(seen);
                return NULL;
            }
        }
    }
    PyObject *result = PyList_New(0);
    if (result == NULL) {
        Py_DECREF(seen);
        return NULL;
    }
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(seen, &pos, &key, &value)) {
        if (value == Py_None) {
            continue;
        }
        PyObject *full = prefix != NULL ? PyUnicode_Concat(prefix, key)
                                        : Py_NewRef(key);
        PyObject *item = full == NULL ? NULL : PyTuple_Pack(2, full, value);
        Py_XDECREF(full);
        if (item == NULL || PyList_Append(result, item) < 0) {
            Py_XDECREF(item);
            Py_DECREF(result);
            Py_DECREF(seen);
            return NULL;
        }
        Py_DECREF(item);
    }
    Py_DECREF(seen);
    if (PyList_Sort(result) < 0) {
        Py_DECREF(result);
        return NULL;
    }
    return result;
}

/* iter_modules(prefix="") -> list of (prefix + name, ispkg) for the
 * top-level modules the finder can load (used by pkgutil.iter_modules()). */
static PyObject *
finder_iter_modules(OxidizedFinder *self, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"prefix", NULL};
    PyObject *prefix = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|U:iter_modules", kwlist,
                                     &prefix)) {
        return NULL;
    }
    return iter_children(self, NULL, 0, prefix);
}

/* Raises ImportError("error running OxidizedFinder.path_hook") caused by
 * `cause_type`(message), as PyOxidizer's path_hook does: sys.path_hooks moves
 * on to the next hook, and the cause says why. */
static void
set_path_hook_error(PyObject *cause_type, PyObject *path, const char *message)
{
    PyObject *cause = PyObject_CallFunction(cause_type, "s", message);
    if (cause == NULL) {
        return;
    }
    PyObject *msg = PyUnicode_FromString("error running OxidizedFinder.path_hook");
    if (msg == NULL) {
        Py_DECREF(cause);
        return;
    }
    PyErr_SetImportError(msg, NULL, path);
    Py_DECREF(msg);
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value == NULL) {
        Py_DECREF(cause);
    }
    else {
        /* Steals cause and sets __suppress_context__. */
        PyException_SetCause(value, cause);
    }
    PyErr_Restore(type, value, tb);
}

/* path_hook(path) -> OxidizedPathEntryFinder for path_hook_base_str (the
 * executable's path: the top level) or path_hook_base_str + "/a/b" where a.b
 * is a package the finder loads (the __path__ entries of in-memory
 * packages). Anything else raises ImportError, so sys.path_hooks moves on to
 * the next hook; its __cause__ is a TypeError when path is not a str (bytes
 * and os.PathLike included, as in PyOxidizer) and a ValueError otherwise. */
static PyObject *
finder_path_hook(OxidizedFinder *self, PyObject *path)
{
    if (!PyUnicode_Check(path)) {
        PyObject *msg = PyUnicode_FromFormat(
            "path must be a str, not %.100s", Py_TYPE(path)->tp_name);
        const char *text = msg == NULL ? NULL : PyUnicode_AsUTF8(msg);
        if (text != NULL) {
            set_path_hook_error(PyExc_TypeError, path, text);
        }
        Py_XDECREF(msg);
        return NULL;
    }
    PyObject *encoded = PyUnicode_EncodeFSDefault(path);
    if (encoded == NULL) {
        return NULL;
    }
    const char *p = PyBytes_AS_STRING(encoded);
    size_t plen = (size_t)PyBytes_GET_SIZE(encoded);
    PyObject *package = NULL;
    if (plen == self->exe_path_len
        && memcmp(p, self->exe_path, plen) == 0) {
        package = Py_NewRef(Py_None);
    }
    else if (plen > self->exe_path_len + 1
             && memcmp(p, self->exe_path, self->exe_path_len) == 0
             && p[self->exe_path_len] == '/') {
        const char *rest = p + self->exe_path_len + 1;
        size_t rest_len = plen - self->exe_path_len - 1;
        char *name = PyMem_Malloc(rest_len);
        if (name == NULL) {
            Py_DECREF(encoded);
            return PyErr_NoMemory();
        }
        for (size_t i = 0; i < rest_len; i++) {
            /* "a.b/c" is no package path: make it unfindable. */
            name[i] = rest[i] == '/' ? '.' : rest[i] == '.' ? '/' : rest[i];
        }
        const oxr_resource *r = finder_lookup(self, name, rest_len);
        if (r != NULL && resource_is_package(r)
            && resource_kind(r, self->optimize) != KIND_NONE) {
            package = PyUnicode_DecodeUTF8(name, (Py_ssize_t)rest_len, NULL);
        }
        PyMem_Free(name);
    }
    Py_DECREF(encoded);
    if (package == NULL) {
        if (!PyErr_Occurred()) {
            PyObject *msg = PyUnicode_FromFormat(
                "%R is neither the executable's path nor the path of a "
                "package of OxidizedFinder", path);
            const char *text = msg == NULL ? NULL : PyUnicode_AsUTF8(msg);
            if (text != NULL) {
                set_path_hook_error(PyExc_ValueError, path, text);
            }
            Py_XDECREF(msg);
        }
        return NULL;
    }
    OxidizedPathEntryFinder *entry = PyObject_GC_New(
        OxidizedPathEntryFinder, &OxidizedPathEntryFinder_Type);
    if (entry == NULL) {
        Py_DECREF(package);
        return NULL;
    }
    entry->finder = (OxidizedFinder *)Py_NewRef(self);
    entry->package = package;
    entry->path = Py_NewRef(path);
    PyObject_GC_Track(entry);
    return (PyObject *)entry;
}

/* Appends (relative name, value) to list; value is stolen (may be NULL on
 * a previous failure). The name is <dir>/<leaf> or <leaf>. */
static int
append_entry(PyObject *list, PyObject *dir, const uint8_t *leaf,
             size_t leaf_len, PyObject *value)
{
    if (value == NULL) {
        return -1;
    }
    PyObject *leaf_str = PyUnicode_DecodeUTF8(
        (const char *)leaf, (Py_ssize_t)leaf_len, "surrogateescape");
    PyObject *name = NULL;
    if (leaf_str != NULL) {
        name = PyUnicode_GET_LENGTH(dir) == 0
                   ? Py_NewRef(leaf_str)
                   : PyUnicode_FromFormat("%U/%U", dir, leaf_str);
        Py_DECREF(leaf_str);
    }
    PyObject *item = name == NULL ? NULL : PyTuple_Pack(2, name, value);
    Py_XDECREF(name);
    Py_DECREF(value);
    if (item == NULL) {
        return -1;
    }
    int rc = PyList_Append(list, item);
    Py_DECREF(item);
    return rc;
}

static PyObject *
bytes_of(const oxr_bytes *b)
{
    return PyBytes_FromStringAndSize((const char *)b->data,
                                     (Py_ssize_t)b->len);
}

/* The entries of one resource for _package_entries(); dir is its path
 * relative to the package ("" for the package itself). */
static int
append_resource_entries(OxidizedFinder *self, PyObject *list,
                        const oxr_resource *r, PyObject *dir, int is_root)
{
    enum resource_kind kind = resource_kind(r, self->optimize);
    int is_package = resource_is_package(r) && kind != KIND_NONE;
    if (is_package && !is_root) {
        PyObject *item = PyTuple_Pack(2, dir, Py_None);
        if (item == NULL || PyList_Append(list, item) < 0) {
            Py_XDECREF(item);
            return -1;
        }
        Py_DECREF(item);
    }
    const oxr_named_list *mem = &r->in_memory_package_resources;
    for (size_t i = 0; i < mem->count; i++) {
        const oxr_named *e = &mem->entries[i];
        if (append_entry(list, dir, e->name.data, e->name.len,
                         bytes_of(&e->value)) < 0) {
            return -1;
        }
    }
    const oxr_named_list *rel = &r->relative_path_package_resources;
    for (size_t i = 0; i < rel->count; i++) {
        const oxr_named *e = &rel->entries[i];
        if (append_entry(list, dir, e->name.data, e->name.len,
                         resource_join(self, r, &e->value)) < 0) {
            return -1;
        }
    }
    /* Module sources, so the tree looks like the package directory. */
    PyObject *source = NULL;
    if (kind == KIND_MEMORY && has_memory_source(r)) {
        source = memory_source(r);
    }
    else if (kind == KIND_SOURCE_FILE
             || (kind == KIND_MEMORY && is_extracted_module(r))) {
        source = resource_join(self, r, &r->relative_path_module_source);
    }
    else {
        return 0;
    }
    if (source == NULL) {
        return -1;
    }
    if (r->flags & OXR_FLAG_IS_PACKAGE) {
        static const char init[] = "__init__.py";
        return append_entry(list, dir, (const uint8_t *)init,
                            sizeof(init) - 1, source);
    }
    /* A module: dir is "a/b" for <package>.a.b, the file is "a/b.py". */
    PyObject *name = PyUnicode_FromFormat("%U.py", dir);
    PyObject *item = name == NULL ? NULL : PyTuple_Pack(2, name, source);
    Py_XDECREF(name);
    Py_DECREF(source);
    if (item == NULL || PyList_Append(list, item) < 0) {
        Py_XDECREF(item);
        return -1;
    }
    Py_DECREF(item);
    return 0;
}

/* _package_entries(package) -> [(relative name, bytes | path | None)]: the
 * package resources, module sources and subpackage directories (None) of a
 * package and all its subpackages, relative to the package's directory.
 * In-memory files are bytes, filesystem-relative ones absolute paths.
 * Used by _oxidized_importer.resources to build files() trees. */
static PyObject *
finder_package_entries(OxidizedFinder *self, PyObject *package)
{
    if (!PyUnicode_Check(package)) {
        PyErr_Format(PyExc_TypeError, "package name must be str, not %.100s",
                     Py_TYPE(package)->tp_name);
        return NULL;
    }
    Py_ssize_t plen;
    const char *pkg = PyUnicode_AsUTF8AndSize(package, &plen);
    if (pkg == NULL) {
        return NULL;
    }
    PyObject *list = PyList_New(0);
    PyObject *seen = PySet_New(NULL);
    if (list == NULL || seen == NULL) {
        Py_XDECREF(list);
        Py_XDECREF(seen);
        return NULL;
    }
    for (size_t i = 0; i < self->index_count; i++) {
        const oxr_index *ix = &self->indexes[i];
        for (size_t j = 0; j < ix->count; j++) {
            const oxr_resource *r = &ix->resources[j];
            int is_root = r->name.len == (size_t)plen;
            if (r->name.len < (size_t)plen
                || memcmp(r->name.data, pkg, (size_t)plen) != 0
                || (!is_root && r->name.data[plen] != '.')) {
                continue;
            }
            PyObject *full = str_of(&r->name);
            if (full == NULL) {
                goto error;
            }
            int found = PySet_Contains(seen, full);
            if (found == 0) {
                found = PySet_Add(seen, full) < 0 ? -1 : 0;
            }
            Py_DECREF(full);
            if (found < 0) {
                goto error;
            }
            if (found) {
                continue; /* shadowed by an earlier index */
            }
            PyObject *dir;
            if (is_root) {
                dir = PyUnicode_FromStringAndSize("", 0);
            }
            else {
                dir = PyUnicode_DecodeUTF8(
                    (const char *)r->name.data + plen + 1,
                    (Py_ssize_t)(r->name.len - (size_t)plen - 1), NULL);
                if (dir != NULL) {
                    Py_SETREF(dir, PyUnicode_Replace(dir, str_dot, str_slash,
                                                     -1));
                }
            }
            if (dir == NULL) {
                goto error;
            }
            int rc = append_resource_entries(self, list, r, dir, is_root);
            Py_DECREF(dir);
            if (rc < 0) {
                goto error;
            }
        }
    }
    Py_DECREF(seen);
    return list;
error:
    Py_DECREF(seen);
    Py_DECREF(list);
    return NULL;
}

/* Builds {name: bytes} or {name: absolute path} from a named list. */
static int
add_named(OxidizedFinder *self, const oxr_resource *r, PyObject *dict,
          const oxr_named_list *list, int in_memory)
{
    for (size_t i = 0; i < list->count; i++) {
        const oxr_named *e = &list->entries[i];
        PyObject *key = str_of(&e->name);
        PyObject *value = in_memory ? bytes_of(&e->value)
                                    : resource_join(self, r, &e->value);
        int rc = key == NULL || value == NULL
                     ? -1
                     : PyDict_SetItem(dict, key, value);
        Py_XDECREF(key);
        Py_XDECREF(value);
        if (rc < 0) {
            return -1;
        }
    }
    return 0;
}

/* _distribution_entries() -> [(record name, {path in .dist-info: bytes |
 * absolute path})], first index wins. Used by _oxidized_importer.metadata. */
static PyObject *
finder_distribution_entries(OxidizedFinder *self, PyObject *unused)
{
    (void)unused;
    PyObject *list = PyList_New(0);
    PyObject *seen = PySet_New(NULL);
    if (list == NULL || seen == NULL) {
        goto error;
    }
    for (size_t i = 0; i < self->index_count; i++) {
        const oxr_index *ix = &self->indexes[i];
        for (size_t j = 0; j < ix->count; j++) {
            const oxr_resource *r = &ix->resources[j];
            if (r->in_memory_distribution_resources.count == 0
                && r->relative_path_distribution_resources.count == 0) {
                continue;
            }
            PyObject *name = str_of(&r->name);
            if (name == NULL) {
                goto error;
            }
            int found = PySet_Contains(seen, name);
            PyObject *files = NULL;
            PyObject *item = NULL;
            if (found == 0 && PySet_Add(seen, name) == 0
                && (files = PyDict_New()) != NULL
                && add_named(self, r, files,
                             &r->in_memory_distribution_resources, 1) == 0
                && add_named(self, r, files,
                             &r->relative_path_distribution_resources, 0)
                       == 0
                && (item = PyTuple_Pack(2, name, files)) != NULL
                && PyList_Append(list, item) == 0) {
                found = 0;
            }
            else if (found == 0) {
                found = -1;
            }
            Py_XDECREF(item);
            Py_XDECREF(files);
            Py_DECREF(name);
            if (found < 0) {
                goto error;
            }
        }
    }
    Py_DECREF(seen);
    return list;
error:
    Py_XDECREF(seen);
    Py_XDECREF(list);
    return NULL;
}

/* Calls _oxidized_importer.<module>.<function>(*args): the Python half of
 * the colder APIs, imported on first use only. */
static PyObject *
call_support(const char *module, const char *function, const char *format,
             ...)
{
    PyObject *mod = PyImport_ImportModule(module);
    if (mod == NULL) {
        return NULL;
    }
    PyObject *fn = PyObject_GetAttrString(mod, function);
    Py_DECREF(mod);
    if (fn == NULL) {
        return NULL;
    }
    va_list va;
    va_start(va, format);
    PyObject *args = Py_VaBuildValue(format, va);
    va_end(va);
    PyObject *result = args == NULL ? NULL : PyObject_CallObject(fn, args);
    Py_XDECREF(args);
    Py_DECREF(fn);
    return result;
}

/* Sets d[key] = value and drops the reference; value NULL means failure. */
static int
set_item(PyObject *d, const char *key, PyObject *value)
{
    if (value == NULL) {
        return -1;
    }
    int rc = PyDict_SetItemString(d, key, value);
    Py_DECREF(value);
    return rc;
}

static PyObject *
optional_bytes(const oxr_bytes *b, int as_str)
{
    if (b->data == NULL) {
        Py_RETURN_NONE;
    }
    if (as_str) {
        return str_of(b);
    }
    return bytes_of(b);
}

/* {name: bytes} or {name: relative path str}, or None when absent. */
static PyObject *
optional_named(const oxr_named_list *list, int as_str)
{
    if (list->entries == NULL) {
        Py_RETURN_NONE;
    }
    PyObject *d = PyDict_New();
    if (d == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < list->count; i++) {
        const oxr_named *e = &list->entries[i];
        PyObject *key = str_of(&e->name);
        PyObject *value = optional_bytes(&e->value, as_str);
        int rc = key == NULL || value == NULL
                     ? -1
                     : PyDict_SetItem(d, key, value);
        Py_XDECREF(key);
        Py_XDECREF(value);
        if (rc < 0) {
            Py_DECREF(d);
            return NULL;
        }
    }
    return d;
}

/* The fields of a resource as a dict named like OxidizedResource's
 * attributes (relative paths as str; Python makes them pathlib.Path). */
static PyObject *
resource_fields(const oxr_resource *r)
{
    static const struct {
        const char *key;
        uint32_t flag;
    } flags[] = {
        {"is_package", OXR_FLAG_IS_PACKAGE},
        {"is_namespace_package", OXR_FLAG_IS_NAMESPACE_PACKAGE},
        {"is_module", OXR_FLAG_IS_MODULE},
        {"is_builtin_extension_module", OXR_FLAG_IS_BUILTIN_EXTENSION},
        {"is_frozen_module", OXR_FLAG_IS_FROZEN_MODULE},
        {"is_extension_module", OXR_FLAG_IS_EXTENSION_MODULE},
        {"is_shared_library", OXR_FLAG_IS_SHARED_LIBRARY},
        {"is_utf8_filename", OXR_FLAG_IS_UTF8_FILENAME},
        {"file_executable", OXR_FLAG_FILE_EXECUTABLE},
        {"is_filesystem_extracted", OXR_FLAG_FILESYSTEM_EXTRACTED},
    };
    const struct {
        const char *key;
        const oxr_bytes *value;
        int as_str;
    } fields[] = {
        {"in_memory_bytecode", &r->in_memory_bytecode, 0},
        {"in_memory_bytecode_opt1", &r->in_memory_bytecode_opt1, 0},
        {"in_memory_bytecode_opt2", &r->in_memory_bytecode_opt2, 0},
        {"in_memory_extension_module_shared_library",
         &r->in_memory_extension_module, 0},
        {"in_memory_shared_library", &r->in_memory_shared_library, 0},
        {"relative_path_module_source", &r->relative_path_module_source, 1},
        {"relative_path_module_bytecode", &r->relative_path_module_bytecode,
         1},
        {"relative_path_module_bytecode_opt1",
         &r->relative_path_module_bytecode_opt1, 1},
        {"relative_path_module_bytecode_opt2",
         &r->relative_path_module_bytecode_opt2, 1},
        {"relative_path_extension_module_shared_library",
         &r->relative_path_extension_module, 1},
        {"file_data_embedded", &r->file_data_embedded, 0},
        {"file_data_utf8_relative_path", &r->file_data_utf8_relative_path, 1},
        {"extraction_payload", &r->extraction_payload, 0},
    };
    const struct {
        const char *key;
        const oxr_named_list *value;
        int as_str;
    } named[] = {
        {"in_memory_package_resources", &r->in_memory_package_resources, 0},
        {"in_memory_distribution_resources",
         &r->in_memory_distribution_resources, 0},
        {"relative_path_package_resources",
         &r->relative_path_package_resources, 1},
        {"relative_path_distribution_resources",
         &r->relative_path_distribution_resources, 1},
    };
    PyObject *d = PyDict_New();
    if (d == NULL
        || set_item(d, "name",
                    str_of(&r->name))
               < 0) {
        goto error;
    }
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        if (set_item(d, flags[i].key,
                     PyBool_FromLong((r->flags & flags[i].flag) != 0))
            < 0) {
            goto error;
        }
    }
    /* A compressed source (0x21) is given decompressed, as PyOxidizer's
     * in_memory_source: serialize_indexed_resources() writes it back as
     * plain 0x06. */
    if (set_item(d, "in_memory_source",
                 has_memory_source(r) ? memory_source(r)
                                      : Py_NewRef(Py_None))
        < 0) {
        goto error;
    }
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (set_item(d, fields[i].key,
                     optional_bytes(fields[i].value, fields[i].as_str))
            < 0) {
            goto error;
        }
    }
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
        if (set_item(d, named[i].key,
                     optional_named(named[i].value, named[i].as_str))
            < 0) {
            goto error;
        }
    }
    PyObject *deps = Py_NewRef(Py_None);
    if (r->shared_library_dependencies != NULL) {
        Py_SETREF(deps, PyList_New(0));
        for (size_t i = 0; deps != NULL && i < r->shared_library_dependency_count;
             i++) {
            PyObject *dep = optional_bytes(&r->shared_library_dependencies[i],
                                           1);
            if (dep == NULL || PyList_Append(deps, dep) < 0) {
                Py_CLEAR(deps);
            }
            Py_XDECREF(dep);
        }
    }
    if (set_item(d, "shared_library_dependency_names", deps) < 0) {
        goto error;
    }
    return d;
error:
    Py_XDECREF(d);
    return NULL;
}

/* indexed_resources() -> [OxidizedResource], one per name (first index
 * wins, as for imports). */
static PyObject *
finder_indexed_resources(OxidizedFinder *self, PyObject *unused)
{
    (void)unused;
    PyObject *list = PyList_New(0);
    PyObject *seen = PySet_New(NULL);
    if (list == NULL || seen == NULL) {
        goto error;
    }
    for (size_t i = 0; i < self->index_count; i++) {
        const oxr_index *ix = &self->indexes[i];
        for (size_t j = 0; j < ix->count; j++) {
            const oxr_resource *r = &ix->resources[j];
            PyObject *fields = resource_fields(r);
            if (fields == NULL) {
                goto error;
            }
            PyObject *name = PyDict_GetItemString(fields, "name"); /* borrowed */
            int found = PySet_Contains(seen, name);
            if (found == 0) {
                found = PySet_Add(seen, name) < 0 || PyList_Append(list, fields) < 0
                            ? -1
                            : 0;
            }
            Py_DECREF(fields);
            if (found < 0) {
                goto error;
            }
        }
    }
    Py_DECREF(seen);
    PyObject *result = call_support("_oxidized_importer.resource",
                                    "from_fields", "(O)", list);
    Py_DECREF(list);
    return result;
error:
    Py_XDECREF(seen);
    Py_XDECREF(list);
    return NULL;
}

/* find_distributions(context=DistributionFinder.Context()) */
static PyObject *
finder_find_distributions(OxidizedFinder *self, PyObject *args,
                          PyObject *kwargs)
{
    static char *kwlist[] = {"context", NULL};
    PyObject *context = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:find_distributions",
                                     kwlist, &context)) {
        return NULL;
    }
    return call_support("_oxidized_importer.metadata", "find_distributions",
                        "(OO)", (PyObject *)self, context);
}

static PyObject *
finder_get_origin(OxidizedFinder *self, void *closure)
{
    (void)closure;
    if (self->origin_len == 0) {
        return PyUnicode_FromString("/");
    }
    return PyUnicode_DecodeFSDefaultAndSize(self->origin,
                                            (Py_ssize_t)self->origin_len);
}

static PyObject *
finder_get_executable(OxidizedFinder *self, void *closure)
{
    (void)closure;
    return PyUnicode_DecodeFSDefaultAndSize(self->exe_path,
                                            (Py_ssize_t)self->exe_path_len);
}

static PyGetSetDef finder_getset[] = {
    {"origin", (getter)finder_get_origin, NULL,
     "Directory that relative-path resources are resolved against.", NULL},
    {"_executable", (getter)finder_get_executable, NULL,
     "Path of the executable; prefix of in-memory virtual paths.", NULL},
    {"path_hook_base_str", (getter)finder_get_executable, NULL,
     "The str path_hook() answers for (the top level), and the prefix of "
     "the package paths it accepts: the executable's path.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static char *
dup_bytes(const char *s, size_t len)
{
    char *copy = PyMem_RawMalloc(len + 1);
    if (copy != NULL) {
        memcpy(copy, s, len);
        copy[len] = '\0';
    }
    return copy;
}

/* Fills exe_path/origin; origin NULL means dirname(exe_path). */
static int
finder_set_paths(OxidizedFinder *self, const char *exe_path,
                 const char *origin)
{
    size_t exe_len = strlen(exe_path);
    self->exe_path = dup_bytes(exe_path, exe_len);
    if (self->exe_path == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    self->exe_path_len = exe_len;
    const char *exe_slash = strrchr(exe_path, '/');
    self->exe_dir_len = exe_slash == NULL ? 0 : (size_t)(exe_slash - exe_path);
    size_t origin_len;
    if (origin != NULL) {
        origin_len = strlen(origin);
    }
    else {
        const char *slash = strrchr(exe_path, '/');
        origin = exe_path;
        origin_len = slash == NULL ? 0 : (size_t)(slash - exe_path);
        if (origin_len == 0 && slash != NULL) {
            origin = "/";
            origin_len = 1;
        }
        else if (slash == NULL) {
            origin = ".";
            origin_len = 1;
        }
    }
    /* "/" + "/" + rel would give "//rel"; keep the root as "". */
    if (origin_len == 1 && origin[0] == '/') {
        origin_len = 0;
    }
    self->origin = dup_bytes(origin, origin_len);
    if (self->origin == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    self->origin_len = origin_len;
    return 0;
}

/* The interpreter's optimization level, sys.flags.optimize (-O,
 * PYTHONOPTIMIZE under the python profile, or the binary's setting): the
 * level of the bytecode the finder runs. 0 when sys.flags is not set. */
static int
interpreter_optimize(int *optimize)
{
    PyObject *flags = PySys_GetObject("flags"); /* borrowed */
    PyObject *value = flags ? PyObject_GetAttrString(flags, "optimize")
                            : NULL;
    if (value == NULL) {
        PyErr_Clear();
        *optimize = 0;
        return 0;
    }
    long level = PyLong_AsLong(value);
    Py_DECREF(value);
    if (level == -1 && PyErr_Occurred()) {
        return -1;
    }
    *optimize = level < 0 ? 0 : level > INT_MAX ? INT_MAX : (int)level;
    return 0;
}

PyObject *
oxidized_finder_new(const oxr_index *indexes, size_t count,
                    const char *exe_path, const char *origin,
                    const oxidized_finder_options *options)
{
    if (module_spec_type == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "oxidized_importer has not been imported");
        return NULL;
    }
    OxidizedFinder *self = (OxidizedFinder *)OxidizedFinder_Type.tp_alloc(
        &OxidizedFinder_Type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->indexes = indexes;
    self->index_count = count;
    if (interpreter_optimize(&self->optimize) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    self->virtual_module_file = options->virtual_module_file;
    self->wants_path_hook = 1;
    if (finder_set_paths(self, exe_path, origin) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    /* The interpreter's built-in and frozen modules are answered through
     * BuiltinImporter / FrozenImporter (libpython's deep-frozen code, no
     * unmarshalling), so sys.meta_path needs no other finder. */
    if (add_interpreter_names(self, 1, 0, 1, options->packed_over_frozen)
        < 0) {
        Py_DECREF(self);
        return NULL;
    }
    if (options->freeze_imports) {
        PyObject *gc = PyImport_ImportModule("gc");
        self->gc_freeze = gc != NULL ? PyObject_GetAttrString(gc, "freeze")
                                     : NULL;
        Py_XDECREF(gc);
        if (self->gc_freeze == NULL) {
            Py_DECREF(self);
            return NULL;
        }
    }
    return (PyObject *)self;
}

static int finder_index_file(OxidizedFinder *self, const char *path,
                             PyObject *path_obj);

/* OxidizedFinder(resources_data=None, relative_path_origin=None,
 *                resources_file=None) */
static PyObject *
finder_tp_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"resources_data", "relative_path_origin",
                             "resources_file", NULL};
    PyObject *data = Py_None;
    PyObject *origin_obj = Py_None;
    PyObject *file_obj = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|OOO:OxidizedFinder",
                                     kwlist, &data, &origin_obj, &file_obj)) {
        return NULL;
    }
    OxidizedFinder *self = (OxidizedFinder *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    PyObject *origin_bytes = NULL;
    if (origin_obj != Py_None
        && !PyUnicode_FSConverter(origin_obj, &origin_bytes)) {
        Py_DECREF(self);
        return NULL;
    }
    char exe[PATH_MAX];
    if (realpath("/proc/self/exe", exe) == NULL) {
        PyErr_SetFromErrnoWithFilename(PyExc_OSError, "/proc/self/exe");
        Py_XDECREF(origin_bytes);
        Py_DECREF(self);
        return NULL;
    }
    int rc = finder_set_paths(
        self, exe, origin_bytes ? PyBytes_AS_STRING(origin_bytes) : NULL);
    Py_XDECREF(origin_bytes);
    if (rc < 0) {
        Py_DECREF(self);
        return NULL;
    }
    if (interpreter_optimize(&self->optimize) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    if (data != Py_None) {
        if (PyObject_GetBuffer(data, &self->owned_buffer, PyBUF_SIMPLE) < 0) {
            Py_DECREF(self);
            return NULL;
        }
        self->has_buffer = 1;
        char err[256];
        if (oxr_index_parse(self->owned_buffer.buf,
                            (size_t)self->owned_buffer.len,
                            &self->owned_index, err, sizeof(err))
            != OXR_OK) {
            PyErr_Format(PyExc_ValueError,
                         "error parsing packed resources: %s", err);
            Py_DECREF(self);
            return NULL;
        }
        self->has_owned_index = 1;
        self->indexes = &self->owned_index;
        self->index_count = 1;
    }
    if (file_obj != Py_None) {
        PyObject *fs_path = NULL;
        if (!PyUnicode_FSConverter(file_obj, &fs_path)) {
            Py_DECREF(self);
            return NULL;
        }
        int rc = finder_index_file(self, PyBytes_AS_STRING(fs_path), file_obj);
        Py_DECREF(fs_path);
        if (rc < 0) {
            Py_DECREF(self);
            return NULL;
        }
    }
    return (PyObject *)self;
}

/* Where finder_add_index() puts an index. */
enum index_mode {
    /* After every other index: known resources keep priority
     * (index_interpreter_*()). */
    INDEX_LAST = 0,
    /* Before every other index: its resources replace known ones of the
     * same name (add_resource(s), as PyOxidizer's add_resource()). */
    INDEX_FIRST = 1,
    /* Before every other index, each of its resources merged into the known
     * one of the same name first, its fields winning (index_bytes() and
     * index_file_memory_mapped(), as PyOxidizer's index_data()). */
    INDEX_MERGE = 2,
};

/* Clears the relative paths of a filesystem-extracted resource: they are
 * relative to the extraction directory of the index holding it, so they
 * cannot move into a merged resource of another index. */
static void
drop_extracted_paths(oxr_resource *r)
{
    if (!(r->flags & OXR_FLAG_FILESYSTEM_EXTRACTED)) {
        return;
    }
    static const oxr_bytes none;
    static const oxr_named_list no_list;
    r->flags &= ~(uint32_t)OXR_FLAG_FILESYSTEM_EXTRACTED;
    r->relative_path_module_source = none;
    r->relative_path_module_bytecode = none;
    r->relative_path_module_bytecode_opt1 = none;
    r->relative_path_module_bytecode_opt2 = none;
    r->relative_path_extension_module = none;
    r->relative_path_package_resources = no_list;
    r->relative_path_distribution_resources = no_list;
    r->file_data_utf8_relative_path = none;
}

/* Indexes *parsed (its bytes kept alive by the caller's arrangements) as
 * `mode` says. Takes ownership of *parsed, also on failure. */
static int
finder_add_index(OxidizedFinder *self, oxr_index *parsed,
                 enum index_mode mode)
{
    int first = mode != INDEX_LAST;
    if (mode == INDEX_MERGE) {
        /* The merged resources live in the new index's own array, so lookups
         * and iteration (first index wins) see them; the older ones stay in
         * place for readers that hold pointers to them. */
        for (size_t i = 0; i < parsed->count; i++) {
            oxr_resource *r = &parsed->resources[i];
            const oxr_resource *known = finder_lookup(
                self, (const char *)r->name.data, r->name.len);
            if (known != NULL) {
                oxr_resource merged = *known;
                drop_extracted_paths(&merged);
                oxr_resource_merge(&merged, r);
                merged.name = r->name;
                *r = merged;
            }
        }
    }
    if (self->index_count >= PY_SSIZE_T_MAX / sizeof(oxr_index) - 1) {
        oxr_index_free(parsed);
        PyErr_NoMemory();
        return -1;
    }
    oxr_index *added = PyMem_RawRealloc(
        self->added, (self->added_count + 1) * sizeof(oxr_index));
    if (added == NULL) {
        oxr_index_free(parsed);
        PyErr_NoMemory();
        return -1;
    }
    self->added = added;
    oxr_index *grown = PyMem_RawMalloc((self->index_count + 1)
                                       * sizeof(oxr_index));
    if (grown == NULL) {
        oxr_index_free(parsed);
        PyErr_NoMemory();
        return -1;
    }
    if (self->index_count > 0) {
        /* Struct copies: the resources they point to do not move, so
         * readers holding resource pointers stay valid. */
        memcpy(grown + (first ? 1 : 0), self->indexes,
               self->index_count * sizeof(oxr_index));
    }
    grown[first ? 0 : self->index_count] = *parsed;
    self->added[self->added_count++] = *parsed;
    PyMem_RawFree(self->grown);
    self->grown = grown;
    self->indexes = grown;
    self->index_count++;
    return 0;
}

/* Parses `data` (any bytes-like object; copied unless it is bytes) and
 * indexes it first or last. */
static int
finder_index_data(OxidizedFinder *self, PyObject *data, enum index_mode mode)
{
    PyObject *copy = PyBytes_FromObject(data);
    if (copy == NULL) {
        return -1;
    }
    if (self->extra_data == NULL
        && (self->extra_data = PyList_New(0)) == NULL) {
        Py_DECREF(copy);
        return -1;
    }
    oxr_index parsed;
    char err[256];
    if (oxr_index_parse((const uint8_t *)PyBytes_AS_STRING(copy),
                        (size_t)PyBytes_GET_SIZE(copy), &parsed, err,
                        sizeof(err))
        != OXR_OK) {
        PyErr_Format(PyExc_ValueError, "error parsing packed resources: %s",
                     err);
        Py_DECREF(copy);
        return -1;
    }
    if (PyList_Append(self->extra_data, copy) < 0) {
        oxr_index_free(&parsed);
        Py_DECREF(copy);
        return -1;
    }
    Py_DECREF(copy); /* kept alive by extra_data */
    return finder_add_index(self, &parsed, mode);
}

/* index_bytes(data): parses packed resources data and merges it into what
 * the finder knows, its data winning (INDEX_MERGE). The data is copied. */
static PyObject *
finder_index_bytes(OxidizedFinder *self, PyObject *data)
{
    if (finder_index_data(self, data, INDEX_MERGE) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* Maps the file `path` (filesystem bytes; path_obj for messages) read-only,
 * parses it and merges it in (INDEX_MERGE). The mapping lives as long as the
 * finder. */
static int
finder_index_file(OxidizedFinder *self, const char *path, PyObject *path_obj)
{
    int fd;
    Py_BEGIN_ALLOW_THREADS
    fd = open(path, O_RDONLY | O_CLOEXEC);
    Py_END_ALLOW_THREADS
    if (fd < 0) {
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path_obj);
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path_obj);
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode) || st.st_size <= 0
        || (uintmax_t)st.st_size > (uintmax_t)PY_SSIZE_T_MAX) {
        PyErr_Format(PyExc_ValueError,
                     "error parsing packed resources in %R: %s", path_obj,
                     S_ISREG(st.st_mode) ? "the file is empty or too large"
                                         : "not a regular file");
        close(fd);
        return -1;
    }
    size_t len = (size_t)st.st_size;
    void *addr = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    int saved_errno = errno;
    close(fd);
    if (addr == MAP_FAILED) {
        errno = saved_errno;
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path_obj);
        return -1;
    }
    struct file_map *maps = PyMem_RawRealloc(
        self->maps, (self->map_count + 1) * sizeof(struct file_map));
    if (maps == NULL) {
        munmap(addr, len);
        PyErr_NoMemory();
        return -1;
    }
    self->maps = maps;
    oxr_index parsed;
    char err[256];
    if (oxr_index_parse((const uint8_t *)addr, len, &parsed, err, sizeof(err))
        != OXR_OK) {
        munmap(addr, len);
        PyErr_Format(PyExc_ValueError,
                     "error parsing packed resources in %R: %s", path_obj,
                     err);
        return -1;
    }
    if (finder_add_index(self, &parsed, INDEX_MERGE) < 0) {
        munmap(addr, len);
        return -1;
    }
    self->maps[self->map_count].addr = addr;
    self->maps[self->map_count].len = len;
    self->map_count++;
    return 0;
}

/* index_file_memory_mapped(path): memory-maps a file of packed resources
 * data and merges it into what the finder knows, its data winning. */
static PyObject *
finder_index_file_memory_mapped(OxidizedFinder *self, PyObject *path)
{
    PyObject *fs_path = NULL;
    if (!PyUnicode_FSConverter(path, &fs_path)) {
        return NULL;
    }
    int rc = finder_index_file(self, PyBytes_AS_STRING(fs_path), path);
    Py_DECREF(fs_path);
    if (rc < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* Calls _oxidized_importer.packing.<function>(*args), which returns packed
 * resources data, and indexes it first or last. */
static PyObject *
index_packed(OxidizedFinder *self, int first, const char *function,
             PyObject *args)
{
    PyObject *mod = PyImport_ImportModule("_oxidized_importer.packing");
    if (mod == NULL) {
        return NULL;
    }
    PyObject *fn = PyObject_GetAttrString(mod, function);
    Py_DECREF(mod);
    if (fn == NULL) {
        return NULL;
    }
    PyObject *data = PyObject_CallObject(fn, args);
    Py_DECREF(fn);
    if (data == NULL) {
        return NULL;
    }
    int rc = finder_index_data(self, data,
                               first ? INDEX_FIRST : INDEX_LAST);
    Py_DECREF(data);
    if (rc < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* add_resource(resource): the resource is serialized (its data copied) and
 * indexed before everything known, so it replaces a resource of the same
 * name, as in PyOxidizer. */
static PyObject *
finder_add_resource(OxidizedFinder *self, PyObject *resource)
{
    PyObject *list = PyList_New(1);
    if (list == NULL) {
        return NULL;
    }
    PyList_SET_ITEM(list, 0, Py_NewRef(resource));
    PyObject *args = PyTuple_Pack(1, list);
    Py_DECREF(list);
    if (args == NULL) {
        return NULL;
    }
    PyObject *result = index_packed(self, 1, "pack_added", args);
    Py_DECREF(args);
    return result;
}

/* add_resources(resources): add_resource() for each, as one index. */
static PyObject *
finder_add_resources(OxidizedFinder *self, PyObject *resources)
{
    PyObject *args = PyTuple_Pack(1, resources);
    if (args == NULL) {
        return NULL;
    }
    PyObject *result = index_packed(self, 1, "pack_added", args);
    Py_DECREF(args);
    return result;
}

/* index_interpreter_builtin_extension_modules(): resources flagged
 * is_builtin_extension_module for sys.builtin_module_names, indexed last
 * (indexed_resources(), serialization); find_spec() and get_code() hand
 * those names to BuiltinImporter before any index is searched, as
 * PyOxidizer's flags win over the packed data of the same name. */
static PyObject *
finder_index_builtin_extension_modules(OxidizedFinder *self,
                                       PyObject *unused)
{
    (void)unused;
    PyObject *args = PyTuple_New(0);
    if (args == NULL) {
        return NULL;
    }
    PyObject *result = index_packed(self, 0, "builtin_extension_modules",
                                    args);
    Py_DECREF(args);
    if (result != NULL && add_interpreter_names(self, 1, 1, 0, 0) < 0) {
        Py_CLEAR(result);
    }
    return result;
}

/* index_interpreter_frozen_modules(): resources flagged is_frozen_module for
 * the interpreter's frozen modules, indexed last; find_spec() and get_code()
 * hand them to FrozenImporter first, as above. */
static PyObject *
finder_index_frozen_modules(OxidizedFinder *self, PyObject *unused)
{
    (void)unused;
    PyObject *args = PyTuple_New(0);
    if (args == NULL) {
        return NULL;
    }
    PyObject *result = index_packed(self, 0, "frozen_modules", args);
    Py_DECREF(args);
    if (result != NULL && add_interpreter_names(self, 0, 0, 1, 0) < 0) {
        Py_CLEAR(result);
    }
    return result;
}

/* index_interpreter_builtins(): both of the above. */
static PyObject *
finder_index_interpreter_builtins(OxidizedFinder *self, PyObject *unused)
{
    PyObject *result = finder_index_builtin_extension_modules(self, unused);
    if (result == NULL) {
        return NULL;
    }
    Py_DECREF(result);
    return finder_index_frozen_modules(self, unused);
}

/* serialize_indexed_resources(ignore_builtin=True, ignore_frozen=True) ->
 * bytes: packed resources data of indexed_resources(). */
static PyObject *
finder_serialize_indexed_resources(OxidizedFinder *self, PyObject *args,
                                   PyObject *kwargs)
{
    static char *kwlist[] = {"ignore_builtin", "ignore_frozen", NULL};
    int ignore_builtin = 1;
    int ignore_frozen = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs,
                                     "|pp:serialize_indexed_resources",
                                     kwlist, &ignore_builtin,
                                     &ignore_frozen)) {
        return NULL;
    }
    return call_support("_oxidized_importer.packing", "serialize_indexed",
                        "(OOO)", (PyObject *)self,
                        ignore_builtin ? Py_True : Py_False,
                        ignore_frozen ? Py_True : Py_False);
}

static void
finder_dealloc(OxidizedFinder *self)
{
    for (size_t i = 0; i < self->added_count; i++) {
        oxr_index_free(&self->added[i]);
    }
    PyMem_RawFree(self->added);
    PyMem_RawFree(self->grown);
    if (self->has_owned_index) {
        oxr_index_free(&self->owned_index);
    }
    for (size_t i = 0; i < self->map_count; i++) {
        munmap(self->maps[i].addr, self->maps[i].len);
    }
    PyMem_RawFree(self->maps);
    Py_XDECREF(self->extra_data);
    Py_XDECREF(self->interpreter_modules);
    Py_XDECREF(self->builtin_importer);
    Py_XDECREF(self->gc_freeze);
    if (self->has_buffer) {
        PyBuffer_Release(&self->owned_buffer);
    }
    for (size_t i = 0; i < self->extraction_count; i++) {
        PyMem_RawFree(self->extractions[i].dir);
    }
    PyMem_RawFree(self->extractions);
    PyMem_RawFree(self->exe_path);
    PyMem_RawFree(self->origin);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef finder_methods[] = {
    {"find_spec", (PyCFunction)(void (*)(void))finder_find_spec,
     METH_FASTCALL | METH_KEYWORDS,
     "find_spec(fullname, path=None, target=None)"},
    {"create_module", (PyCFunction)finder_create_module, METH_O,
     "Use the default module creation semantics."},
    {"exec_module", (PyCFunction)finder_exec_module, METH_O,
     "Execute the module's code in its namespace."},
    {"get_code", (PyCFunction)finder_get_code, METH_O, NULL},
    {"get_source", (PyCFunction)finder_get_source, METH_O, NULL},
    {"is_package", (PyCFunction)finder_is_package, METH_O, NULL},
    {"get_filename", (PyCFunction)finder_get_filename, METH_O, NULL},
    {"get_resource_reader", (PyCFunction)finder_get_resource_reader, METH_O,
     NULL},
    {"get_data", (PyCFunction)finder_get_data, METH_O, NULL},
    {"invalidate_caches", (PyCFunction)finder_invalidate_caches, METH_NOARGS,
     NULL},
    {"iter_modules", (PyCFunction)(void (*)(void))finder_iter_modules,
     METH_VARARGS | METH_KEYWORDS, NULL},
    {"find_module", (PyCFunction)(void (*)(void))finder_find_module,
     METH_VARARGS | METH_KEYWORDS,
     "find_module(fullname, path=None) -> loader or None (deprecated)"},
    {"find_distributions",
     (PyCFunction)(void (*)(void))finder_find_distributions,
     METH_VARARGS | METH_KEYWORDS,
     "find_distributions(context=None) -> [OxidizedDistribution]"},
    {"path_hook", (PyCFunction)finder_path_hook, METH_O,
     "path_hook(path) -> OxidizedPathEntryFinder; for sys.path_hooks"},
    {"indexed_resources", (PyCFunction)finder_indexed_resources, METH_NOARGS,
     "indexed_resources() -> [OxidizedResource]"},
    {"index_bytes", (PyCFunction)finder_index_bytes, METH_O,
     "index_bytes(data): index packed resources data after the known ones"},
    {"index_file_memory_mapped",
     (PyCFunction)finder_index_file_memory_mapped, METH_O,
     "index_file_memory_mapped(path): memory-map a packed resources file and "
     "index it after the known resources"},
    {"add_resource", (PyCFunction)finder_add_resource, METH_O,
     "add_resource(resource): index an OxidizedResource (replaces one of the "
     "same name)"},
    {"add_resources", (PyCFunction)finder_add_resources, METH_O,
     "add_resources(resources): add_resource() for each"},
    {"serialize_indexed_resources",
     (PyCFunction)(void (*)(void))finder_serialize_indexed_resources,
     METH_VARARGS | METH_KEYWORDS,
     "serialize_indexed_resources(ignore_builtin=True, ignore_frozen=True) "
     "-> bytes"},
    {"index_interpreter_builtins",
     (PyCFunction)finder_index_interpreter_builtins, METH_NOARGS,
     "index the interpreter's built-in extension and frozen modules"},
    {"index_interpreter_builtin_extension_modules",
     (PyCFunction)finder_index_builtin_extension_modules, METH_NOARGS,
     "index sys.builtin_module_names"},
    {"index_interpreter_frozen_modules",
     (PyCFunction)finder_index_frozen_modules, METH_NOARGS,
     "index the interpreter's frozen modules"},
    {"_package_entries", (PyCFunction)finder_package_entries, METH_O, NULL},
    {"_distribution_entries", (PyCFunction)finder_distribution_entries,
     METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject OxidizedFinder_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "oxidized_importer.OxidizedFinder",
    .tp_basicsize = sizeof(OxidizedFinder),
    .tp_dealloc = (destructor)finder_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Meta path finder and loader over packed resources data.",
    .tp_methods = finder_methods,
    .tp_getset = finder_getset,
    .tp_new = finder_tp_new,
};

/* ------------------------------------------------------------------------ */
/* OxidizedResourceReader                                                   */

static const char *
reader_name(PyObject *name, Py_ssize_t *len)
{
    if (!PyUnicode_Check(name)) {
        PyErr_Format(PyExc_TypeError, "resource name must be str, not %.100s",
                     Py_TYPE(name)->tp_name);
        return NULL;
    }
    return PyUnicode_AsUTF8AndSize(name, len);
}

static PyObject *
reader_open_resource(OxidizedResourceReader *self, PyObject *resource)
{
    Py_ssize_t len;
    const char *name = reader_name(resource, &len);
    if (name == NULL) {
        return NULL;
    }
    if (ensure_external() < 0) {
        return NULL;
    }
    const oxr_resource *r = self->resource;
    const oxr_named *e = find_named(&r->in_memory_package_resources, name,
                                    (size_t)len);
    if (e != NULL) {
        PyObject *data = PyBytes_FromStringAndSize(
            (const char *)e->value.data, (Py_ssize_t)e->value.len);
        if (data == NULL) {
            return NULL;
        }
        PyObject *stream = PyObject_CallOneArg(io_bytes_io, data);
        Py_DECREF(data);
        return stream;
    }
    e = find_named(&r->relative_path_package_resources, name, (size_t)len);
    if (e != NULL) {
        PyObject *path = resource_join(self->finder, r, &e->value);
        if (path == NULL) {
            return NULL;
        }
        PyObject *stream = PyObject_CallFunction(io_open, "Os", path, "rb");
        Py_DECREF(path);
        return stream;
    }
    set_not_found(resource);
    return NULL;
}

static PyObject *
reader_resource_path(OxidizedResourceReader *self, PyObject *resource)
{
    Py_ssize_t len;
    const char *name = reader_name(resource, &len);
    if (name == NULL) {
        return NULL;
    }
    const oxr_named *e = find_named(
        &self->resource->relative_path_package_resources, name, (size_t)len);
    if (e != NULL) {
        return resource_join(self->finder, self->resource, &e->value);
    }
    /* In-memory resources have no filesystem path. */
    set_not_found(resource);
    return NULL;
}

static PyObject *
reader_is_resource(OxidizedResourceReader *self, PyObject *resource)
{
    Py_ssize_t len;
    const char *name = reader_name(resource, &len);
    if (name == NULL) {
        return NULL;
    }
    const oxr_resource *r = self->resource;
    return PyBool_FromLong(
        find_named(&r->in_memory_package_resources, name, (size_t)len) != NULL
        || find_named(&r->relative_path_package_resources, name, (size_t)len)
               != NULL);
}

static int
append_names(PyObject *list, const oxr_named_list *names)
{
    for (size_t i = 0; i < names->count; i++) {
        PyObject *name = str_of(&names->entries[i].name);
        if (name == NULL) {
            return -1;
        }
        int rc = PyList_Append(list, name);
        Py_DECREF(name);
        if (rc < 0) {
            return -1;
        }
    }
    return 0;
}

static PyObject *
reader_contents(OxidizedResourceReader *self, PyObject *unused)
{
    (void)unused;
    PyObject *list = PyList_New(0);
    if (list == NULL) {
        return NULL;
    }
    if (append_names(list, &self->resource->in_memory_package_resources) < 0
        || append_names(list,
                        &self->resource->relative_path_package_resources)
               < 0) {
        Py_DECREF(list);
        return NULL;
    }
    return list;
}

/* files(): importlib.resources' Traversable API (Python 3.9+), built by
 * _oxidized_importer.resources over _package_entries(). */
static PyObject *
reader_files(OxidizedResourceReader *self, PyObject *unused)
{
    (void)unused;
    const oxr_resource *r = self->resource;
    OxidizedFinder *f = self->finder;
    PyObject *package = str_of(&r->name);
    if (package == NULL) {
        return NULL;
    }
    PyObject *location = join_path(f->exe_path, f->exe_path_len,
                                   r->name.data, r->name.len, 1);
    if (location == NULL) {
        Py_DECREF(package);
        return NULL;
    }
    PyObject *files = call_support("_oxidized_importer.resources",
                                   "package_files", "(OOO)", (PyObject *)f,
                                   package, location);
    Py_DECREF(location);
    Py_DECREF(package);
    return files;
}

static void
reader_dealloc(OxidizedResourceReader *self)
{
    Py_XDECREF(self->finder);
    PyObject_Free(self);
}

static PyMethodDef reader_methods[] = {
    {"open_resource", (PyCFunction)reader_open_resource, METH_O, NULL},
    {"resource_path", (PyCFunction)reader_resource_path, METH_O, NULL},
    {"is_resource", (PyCFunction)reader_is_resource, METH_O, NULL},
    {"contents", (PyCFunction)reader_contents, METH_NOARGS, NULL},
    {"files", (PyCFunction)reader_files, METH_NOARGS,
     "files() -> Traversable over the package's resources and subpackages"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject OxidizedResourceReader_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "oxidized_importer.OxidizedResourceReader",
    .tp_basicsize = sizeof(OxidizedResourceReader),
    .tp_dealloc = (destructor)reader_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "importlib.abc.ResourceReader for one package.",
    .tp_methods = reader_methods,
};

/* ------------------------------------------------------------------------ */
/* OxidizedPathEntryFinder: what OxidizedFinder.path_hook returns.          */

/* find_spec(fullname, target=None): for modules directly below the
 * package, the finder's find_spec(fullname, [path], target), as in
 * PyOxidizer; None for any other name. */
static PyObject *
entry_find_spec(OxidizedPathEntryFinder *self, PyObject *args,
                PyObject *kwargs)
{
    static char *kwlist[] = {"fullname", "target", NULL};
    PyObject *fullname;
    PyObject *target = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "U|O:find_spec", kwlist,
                                     &fullname, &target)) {
        return NULL;
    }
    if (target != Py_None && !PyModule_Check(target)) {
        PyErr_Format(PyExc_TypeError,
                     "find_spec() target must be a module or None, not %.100s",
                     Py_TYPE(target)->tp_name);
        return NULL;
    }
    Py_ssize_t len;
    const char *name = PyUnicode_AsUTF8AndSize(fullname, &len);
    if (name == NULL) {
        PyErr_Clear(); /* lone surrogates: not ours */
        Py_RETURN_NONE;
    }
    const char *dot = memrchr(name, '.', (size_t)len);
    int ours;
    if (self->package == Py_None) {
        ours = dot == NULL;
    }
    else {
        Py_ssize_t plen;
        const char *pkg = PyUnicode_AsUTF8AndSize(self->package, &plen);
        if (pkg == NULL) {
            return NULL;
        }
        ours = dot != NULL && dot - name == plen
               && memcmp(name, pkg, (size_t)plen) == 0;
    }
    if (!ours) {
        Py_RETURN_NONE;
    }
    PyObject *path = PyList_New(1);
    if (path == NULL) {
        return NULL;
    }
    PyList_SET_ITEM(path, 0, Py_NewRef(self->path));
    PyObject *spec = PyObject_CallMethod((PyObject *)self->finder, "find_spec",
                                         "OOO", fullname, path, target);
    Py_DECREF(path);
    return spec;
}

static PyObject *
entry_iter_modules(OxidizedPathEntryFinder *self, PyObject *args,
                   PyObject *kwargs)
{
    static char *kwlist[] = {"prefix", NULL};
    PyObject *prefix = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|U:iter_modules", kwlist,
                                     &prefix)) {
        return NULL;
    }
    if (self->package == Py_None) {
        return iter_children(self->finder, NULL, 0, prefix);
    }
    Py_ssize_t plen;
    const char *pkg = PyUnicode_AsUTF8AndSize(self->package, &plen);
    if (pkg == NULL) {
        return NULL;
    }
    return iter_children(self->finder, pkg, (size_t)plen, prefix);
}

static PyObject *
entry_invalidate_caches(OxidizedPathEntryFinder *self, PyObject *unused)
{
    (void)unused;
    return PyObject_CallMethod((PyObject *)self->finder, "invalidate_caches",
                               NULL);
}

static PyObject *
entry_repr(OxidizedPathEntryFinder *self)
{
    return PyUnicode_FromFormat("<OxidizedPathEntryFinder %R>", self->path);
}

static int
entry_traverse(OxidizedPathEntryFinder *self, visitproc visit, void *arg)
{
    Py_VISIT(self->finder);
    return 0;
}

static void
entry_dealloc(OxidizedPathEntryFinder *self)
{
    PyObject_GC_UnTrack(self);
    Py_XDECREF(self->finder);
    Py_XDECREF(self->package);
    Py_XDECREF(self->path);
    PyObject_GC_Del(self);
}

static PyMethodDef entry_methods[] = {
    {"find_spec", (PyCFunction)(void (*)(void))entry_find_spec,
     METH_VARARGS | METH_KEYWORDS, "find_spec(fullname, target=None)"},
    {"iter_modules", (PyCFunction)(void (*)(void))entry_iter_modules,
     METH_VARARGS | METH_KEYWORDS,
     "iter_modules(prefix='') -> [(prefix + name, ispkg)] of the path entry"},
    {"invalidate_caches", (PyCFunction)entry_invalidate_caches, METH_NOARGS,
     NULL},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef entry_members[] = {
    {"_package", T_OBJECT, offsetof(OxidizedPathEntryFinder, package),
     READONLY, "Package whose modules it finds; None for the top level."},
    {NULL, 0, 0, 0, NULL},
};

static PyTypeObject OxidizedPathEntryFinder_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "oxidized_importer.OxidizedPathEntryFinder",
    .tp_basicsize = sizeof(OxidizedPathEntryFinder),
    .tp_dealloc = (destructor)entry_dealloc,
    .tp_repr = (reprfunc)entry_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_traverse = (traverseproc)entry_traverse,
    .tp_doc = "importlib.abc.PathEntryFinder for one __path__ entry of "
              "an OxidizedFinder.",
    .tp_methods = entry_methods,
    .tp_members = entry_members,
};

/* ------------------------------------------------------------------------ */
/* Module                                                                   */

/* The public names implemented in Python, imported on first access so
 * start-up never loads them, and the support module defining each. With the
 * types defined in C below, they are the module's public names: __all__,
 * dir() and `from oxidized_importer import *` list them, as PyOxidizer's
 * module does. */
static const struct {
    const char *attr;
    const char *module;
} lazy_names[] = {
    {"OxidizedDistribution", "_oxidized_importer.metadata"},
    {"OxidizedResource", "_oxidized_importer.resource"},
    {"OxidizedResourceCollector", "_oxidized_importer.collector"},
    {"find_resources_in_path", "_oxidized_importer.collector"},
    {"PythonModuleSource", "_oxidized_importer.collector"},
    {"PythonModuleBytecode", "_oxidized_importer.collector"},
    {"PythonExtensionModule", "_oxidized_importer.collector"},
    {"PythonPackageResource", "_oxidized_importer.collector"},
    {"PythonPackageDistributionResource", "_oxidized_importer.collector"},
    {"decode_source", "_oxidized_importer.source"},
    {"OxidizedZipFinder", "_oxidized_importer.zip_finder"},
    {"OxidizedPkgResourcesProvider", "_oxidized_importer.pkg_resources"},
    {"register_pkg_resources", "_oxidized_importer.pkg_resources"},
    {"pkg_resources_find_distributions", "_oxidized_importer.pkg_resources"},
};
#define LAZY_NAME_COUNT (sizeof(lazy_names) / sizeof(lazy_names[0]))

/* The module's type: a subclass of ModuleType whose attribute lookup falls
 * back to lazy_names (the value is then stored in the module's dict), and
 * whose __dir__ lists them. A PEP 562 __getattr__/__dir__ in the module's
 * dict would show as attributes PyOxidizer's module does not have. */
static PyObject *
module_type_getattro(PyObject *module, PyObject *name)
{
    PyObject *value = PyModule_Type.tp_getattro(module, name);
    if (value != NULL || !PyErr_ExceptionMatches(PyExc_AttributeError)
        || !PyUnicode_Check(name)) {
        return value;
    }
    for (size_t i = 0; i < LAZY_NAME_COUNT; i++) {
        if (PyUnicode_CompareWithASCIIString(name, lazy_names[i].attr) == 0) {
            PyErr_Clear();
            PyObject *mod = PyImport_ImportModule(lazy_names[i].module);
            if (mod == NULL) {
                return NULL;
            }
            value = PyObject_GetAttr(mod, name);
            Py_DECREF(mod);
            if (value != NULL
                && PyObject_GenericSetAttr(module, name, value) < 0) {
                Py_CLEAR(value);
            }
            return value;
        }
    }
    return NULL;
}

static PyObject *
module_type_dir(PyObject *module, PyObject *unused)
{
    (void)unused;
    PyObject *dict = PyModule_GetDict(module); /* borrowed */
    PyObject *names = dict == NULL ? NULL : PyDict_Keys(dict);
    if (names == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < LAZY_NAME_COUNT; i++) {
        PyObject *name = PyUnicode_FromString(lazy_names[i].attr);
        int has = name == NULL ? -1 : PyDict_Contains(dict, name);
        if (has < 0 || (has == 0 && PyList_Append(names, name) < 0)) {
            Py_XDECREF(name);
            Py_DECREF(names);
            return NULL;
        }
        Py_DECREF(name);
    }
    if (PyList_Sort(names) < 0) {
        Py_CLEAR(names);
    }
    return names;
}

static PyMethodDef module_type_methods[] = {
    {"__dir__", (PyCFunction)module_type_dir, METH_NOARGS,
     "The module's attributes, the lazily imported ones included."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject OxidizedImporterModule_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "oxidized_importer.OxidizedImporterModule",
    .tp_getattro = module_type_getattro,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The oxidized_importer module (lazily imported attributes).",
    .tp_methods = module_type_methods,
};

/* __all__: the names defined in C, then lazy_names. */
static PyObject *
module_all(void)
{
    static const char *c_names[] = {
        "OxidizedFinder",
        "OxidizedPathEntryFinder",
        "OxidizedResourceReader",
    };
    PyObject *all = PyList_New(0);
    if (all == NULL) {
        return NULL;
    }
    size_t total = sizeof(c_names) / sizeof(c_names[0]) + LAZY_NAME_COUNT;
    for (size_t i = 0; i < total; i++) {
        const char *text = i < sizeof(c_names) / sizeof(c_names[0])
                               ? c_names[i]
                               : lazy_names[i - sizeof(c_names)
                                                    / sizeof(c_names[0])]
                                     .attr;
        PyObject *name = PyUnicode_FromString(text);
        if (name == NULL || PyList_Append(all, name) < 0) {
            Py_XDECREF(name);
            Py_DECREF(all);
            return NULL;
        }
        Py_DECREF(name);
    }
    return all;
}

static struct PyModuleDef oxidized_importer_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "oxidized_importer",
    .m_doc = "In-memory module importer over packed resources data.",
    .m_size = -1,
};

static int
init_statics(void)
{
    if (module_spec_type != NULL) {
        return 0;
    }
    PyObject *bootstrap = PyImport_ImportModule("_frozen_importlib");
    if (bootstrap == NULL) {
        return -1;
    }
    PyObject *spec_type = PyObject_GetAttrString(bootstrap, "ModuleSpec");
    Py_DECREF(bootstrap);
    if (spec_type == NULL) {
        return -1;
    }
    if ((str_spec = PyUnicode_InternFromString("__spec__")) == NULL
        || (str_name = PyUnicode_InternFromString("name")) == NULL
        || (str_dunder_name = PyUnicode_InternFromString("__name__")) == NULL
        || (str_builtins = PyUnicode_InternFromString("__builtins__")) == NULL
        || (str_search_locations = PyUnicode_InternFromString(
                "submodule_search_locations")) == NULL
        || (kwnames_is_package = Py_BuildValue("(s)", "is_package")) == NULL
        || (kwnames_loader = Py_BuildValue("(s)", "loader")) == NULL
        || (str_dot = PyUnicode_InternFromString(".")) == NULL
        || (str_slash = PyUnicode_InternFromString("/")) == NULL
        || (kwnames_origin_is_package = Py_BuildValue("(ss)", "origin",
                                                      "is_package"))
               == NULL) {
        Py_CLEAR(str_spec);
        Py_CLEAR(str_name);
        Py_CLEAR(str_dunder_name);
        Py_CLEAR(str_builtins);
        Py_CLEAR(str_search_locations);
        Py_CLEAR(kwnames_is_package);
        Py_CLEAR(kwnames_loader);
        Py_CLEAR(kwnames_origin_is_package);
        Py_CLEAR(str_dot);
        Py_CLEAR(str_slash);
        Py_DECREF(spec_type);
        return -1;
    }
    module_spec_type = spec_type;
    return 0;
}

PyMODINIT_FUNC
PyInit_oxidized_importer(void)
{
    if (init_statics() < 0) {
        return NULL;
    }
    OxidizedImporterModule_Type.tp_base = &PyModule_Type;
    if (PyType_Ready(&OxidizedFinder_Type) < 0
        || PyType_Ready(&OxidizedResourceReader_Type) < 0
        || PyType_Ready(&OxidizedPathEntryFinder_Type) < 0
        || PyType_Ready(&OxidizedImporterModule_Type) < 0) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&oxidized_importer_module);
    if (m == NULL) {
        return NULL;
    }
    /* Same layout as ModuleType (tp_basicsize is inherited); the type is
     * static, so it needs no reference from its instances. */
    Py_SET_TYPE(m, &OxidizedImporterModule_Type);
    PyObject *all = module_all();
    if (all == NULL || PyModule_AddObject(m, "__all__", all) < 0) {
        Py_XDECREF(all);
        Py_DECREF(m);
        return NULL;
    }
    if (PyModule_AddObjectRef(m, "OxidizedFinder",
                              (PyObject *)&OxidizedFinder_Type) < 0
        || PyModule_AddObjectRef(m, "OxidizedResourceReader",
                                 (PyObject *)&OxidizedResourceReader_Type)
               < 0
        || PyModule_AddObjectRef(m, "OxidizedPathEntryFinder",
                                 (PyObject *)&OxidizedPathEntryFinder_Type)
               < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
