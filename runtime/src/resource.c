/* What a resource holds, for every unit: lookup across the indexes, its
 * kind (what loads it), its bytecode of a level, its source, and the paths
 * its relative fields resolve to (extraction included).
 */
#include "inittab.h"
#include "oxidized_importer_internal.h"

const oxr_resource *
oxi_finder_lookup(const OxidizedFinder *self, const char *name, size_t len)
{
    for (size_t i = 0; i < self->index_count; i++) {
        const oxr_resource *r = oxr_index_find(&self->indexes[i], name, len);
        if (r != NULL) {
            return r;
        }
    }
    return NULL;
}


/* The bytecode of r for optimization level `optimize` (levels above 2 are
 * 2, as in CPython's compiler), in memory or as a relative path, or NULL.
 * Never another level's: level-0 code run under -OO would keep its asserts
 * and docstrings without a word. A module without its level is compiled
 * from its source at that level, or fails naming the level
 * (oxi_missing_level_error()). oxi_memory_bytecode() is the plain field
 * (0x07-0x09), oxi_memory_bytecode_zstd() the compressed one (0x22-0x24);
 * a resource has at most one of the two per level. */
const oxr_bytes *
oxi_memory_bytecode(const oxr_resource *r, int optimize)
{
    const oxr_bytes *b = optimize >= 2   ? &r->in_memory_bytecode_opt2
                         : optimize == 1 ? &r->in_memory_bytecode_opt1
                                         : &r->in_memory_bytecode;
    return b->data != NULL ? b : NULL;
}

const oxr_bytes *
oxi_memory_bytecode_zstd(const oxr_resource *r, int optimize)
{
    const oxr_bytes *b = optimize >= 2   ? &r->in_memory_bytecode_opt2_zstd
                         : optimize == 1 ? &r->in_memory_bytecode_opt1_zstd
                                         : &r->in_memory_bytecode_zstd;
    return b->data != NULL ? b : NULL;
}

/* Whether r has in-memory bytecode of level `optimize`, plain or zstd. */
int
oxi_has_memory_bytecode(const oxr_resource *r, int optimize)
{
    return oxi_memory_bytecode(r, optimize) != NULL
           || oxi_memory_bytecode_zstd(r, optimize) != NULL;
}

const oxr_bytes *
oxi_relative_bytecode(const oxr_resource *r, int optimize)
{
    const oxr_bytes *b = optimize >= 2 ? &r->relative_path_module_bytecode_opt2
                         : optimize == 1
                             ? &r->relative_path_module_bytecode_opt1
                             : &r->relative_path_module_bytecode;
    return b->data != NULL ? b : NULL;
}

/* Bit (1 << level) for each level of bytecode r has in memory (or, when
 * `relative`, as files). */
unsigned
oxi_bytecode_levels(const oxr_resource *r, int relative)
{
    unsigned levels = 0;
    for (int level = 0; level <= 2; level++) {
        if (relative ? oxi_relative_bytecode(r, level) != NULL
                     : oxi_has_memory_bytecode(r, level)) {
            levels |= 1u << level;
        }
    }
    return levels;
}

/* ImportError: module `fullname` has bytecode, but not of the interpreter's
 * optimization level, and no source to compile at that level. Returns
 * NULL. */
PyObject *
oxi_missing_level_error(PyObject *fullname, const oxr_resource *r,
                        int optimize)
{
    int level = optimize > 2 ? 2 : optimize;
    unsigned have = oxi_bytecode_levels(r, 0) | oxi_bytecode_levels(r, 1);
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
int
oxi_has_memory_source(const oxr_resource *r)
{
    return r->in_memory_source.data != NULL
           || r->in_memory_source_zstd.data != NULL;
}

/* One value of r stored plain or as a zstd frame (field `zstd_id`), as a
 * new bytes object: `plain` copied, or `zstd` decompressed now (either may
 * be NULL, or absent). A frame that
 * is corrupt or declares more than a plain field (u32 length) could hold
 * raises ImportError naming the module and `what` ("source", "bytecode"). */
static PyObject *
plain_or_unpacked(const oxr_resource *r, const oxr_bytes *plain,
                  const oxr_bytes *zstd, int zstd_id, const char *what)
{
    if (plain != NULL && plain->data != NULL) {
        if (plain->len > PY_SSIZE_T_MAX) {
            return PyErr_NoMemory();
        }
        return PyBytes_FromStringAndSize((const char *)plain->data,
                                         (Py_ssize_t)plain->len);
    }
    const size_t max = UINT32_MAX < PY_SSIZE_T_MAX ? UINT32_MAX
                                                   : PY_SSIZE_T_MAX;
    const uint8_t *frame = zstd != NULL ? zstd->data : NULL;
    size_t frame_len = zstd != NULL ? zstd->len : 0;
    char err[160];
    size_t size = 0;
    PyObject *bytes = NULL;
    if (oxidizer_zstd_content_size(frame, frame_len, max, &size, err,
                                   sizeof(err))
        == OXZ_OK) {
        bytes = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)size);
        if (bytes == NULL) {
            return NULL;
        }
        if (oxidizer_zstd_decompress(frame, frame_len,
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
        "compressed %s of module %R (packed resource field 0x%02x) is "
        "invalid: %s", what, name, zstd_id, err);
    if (msg != NULL) {
        PyErr_SetImportError(msg, name, NULL);
        Py_DECREF(msg);
    }
    Py_DECREF(name);
    return NULL;
}

/* The in-memory source of r as a new bytes object (oxi_has_memory_source(r)
 * must hold): field 0x06 copied, or field 0x21 decompressed now (sources
 * are read only by get_source, linecache, inspect and tracebacks). */
PyObject *
oxi_memory_source(const oxr_resource *r)
{
    return plain_or_unpacked(r, &r->in_memory_source,
                             &r->in_memory_source_zstd, 0x21, "source");
}

/* The in-memory bytecode of r for level `optimize` as a new bytes object
 * (oxi_has_memory_bytecode(r, optimize) must hold): field 0x07-0x09 copied,
 * or field 0x22-0x24 decompressed now (when the module is imported, or its
 * OxidizedResource is made). */
PyObject *
oxi_memory_bytecode_bytes(const oxr_resource *r, int optimize)
{
    int level = optimize > 2 ? 2 : optimize;
    return plain_or_unpacked(r, oxi_memory_bytecode(r, level),
                             oxi_memory_bytecode_zstd(r, level), 0x22 + level,
                             "bytecode");
}

/* What loads resource r. An extension module wins over source and bytecode
 * of the same name (a wheel ships both x.py and x.cpython-311-...so when
 * mypyc or Cython compiled x), as in CPython, whose FileFinder tries the
 * extension suffixes first. */
enum oxi_resource_kind
oxi_resource_kind(const oxr_resource *r, int optimize)
{
    if (r->flags & INTERPRETER_FLAGS) {
        return KIND_NONE;
    }
    if (((r->flags & OXR_FLAG_IS_EXTENSION_MODULE)
         || r->flavor == FLAVOR_EXTENSION)
        && !oxidizer_inittab_has((const char *)r->name.data, r->name.len)) {
        if (r->in_memory_extension_module.data != NULL) {
            return KIND_EXTENSION_MEMORY;
        }
        if (r->relative_path_extension_module.data != NULL) {
            return KIND_EXTENSION_FILE;
        }
    }
    if ((r->flags & OXR_FLAG_IS_MODULE) || r->flavor == FLAVOR_MODULE) {
        if (oxi_has_memory_source(r)
            || oxi_has_memory_bytecode(r, optimize)) {
            return KIND_MEMORY;
        }
        if (r->relative_path_module_source.data != NULL) {
            return KIND_SOURCE_FILE;
        }
        if (oxi_relative_bytecode(r, optimize) != NULL) {
            return KIND_BYTECODE_FILE;
        }
        /* Bytecode of other levels only: found, and loading it fails
         * naming the level (oxi_missing_level_error()). */
        if (oxi_bytecode_levels(r, 0) != 0) {
            return KIND_MEMORY;
        }
        if (oxi_bytecode_levels(r, 1) != 0) {
            return KIND_BYTECODE_FILE;
        }
        if (r->flags & OXR_FLAG_IS_NAMESPACE_PACKAGE) {
            return KIND_NAMESPACE;
        }
    }
    return KIND_NONE;
}

int
oxi_is_extension_kind(enum oxi_resource_kind kind)
{
    return kind == KIND_EXTENSION_FILE || kind == KIND_EXTENSION_MEMORY;
}

int
oxi_resource_is_package(const oxr_resource *r)
{
    return (r->flags
            & (OXR_FLAG_IS_PACKAGE | OXR_FLAG_IS_NAMESPACE_PACKAGE)) != 0;
}

/* Returns str(<prefix>/<rel><suffix>), decoded with the filesystem
 * encoding. When dots_to_slashes, '.' in rel becomes '/' (module name to
 * path). */
PyObject *
oxi_join_path_suffix(const char *prefix, size_t prefix_len, const uint8_t *rel,
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

PyObject *
oxi_join_path(const char *prefix, size_t prefix_len, const uint8_t *rel,
              size_t rel_len, int dots_to_slashes)
{
    return oxi_join_path_suffix(prefix, prefix_len, rel, rel_len,
                                dots_to_slashes, "");
}


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
    PyObject *name = oxi_str_of(&r->name);
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
PyObject *
oxi_resource_join(OxidizedFinder *self, const oxr_resource *r,
                  const oxr_bytes *rel)
{
    const char *root;
    size_t root_len;
    if (resource_root(self, r, &root, &root_len) < 0) {
        return NULL;
    }
    return oxi_join_path(root, root_len, rel->data, rel->len, 0);
}

/* Whether r is a filesystem-extracted module executed from embedded
 * bytecode, whose __file__ is its extracted source. */
int
oxi_is_extracted_module(const oxr_resource *r)
{
    return (r->flags & OXR_FLAG_FILESYSTEM_EXTRACTED)
           && r->relative_path_module_source.data != NULL;
}
