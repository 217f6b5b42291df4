/* Resource objects and indexing at run time: indexed_resources(),
 * index_bytes(), index_file_memory_mapped(), add_resource(s),
 * index_interpreter_*() and serialize_indexed_resources().
 */
#include "oxidized_importer_internal.h"

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
        return oxi_str_of(b);
    }
    return oxi_bytes_of(b);
}

static PyObject *
entry_bytes(const oxr_named *e, void *unused)
{
    (void)unused;
    return optional_bytes(&e->value, 0);
}

static PyObject *
entry_str(const oxr_named *e, void *unused)
{
    (void)unused;
    return optional_bytes(&e->value, 1);
}

/* {name: bytes} or {name: relative path str}, or None when absent. */
static PyObject *
optional_named(const oxr_named_list *list, int as_str)
{
    if (list->entries == NULL) {
        Py_RETURN_NONE;
    }
    PyObject *d = PyDict_New();
    if (d != NULL
        && oxi_named_set_items(d, list, as_str ? entry_str : entry_bytes,
                               NULL)
               < 0) {
        Py_CLEAR(d);
    }
    return d;
}

/* resource_fields()'s view of the field table (OXR_PACKED_FIELDS), indexed
 * by field id: each field's kind, its flag bit or oxr_resource member, and
 * its key, the attribute of OxidizedResource. */
enum {
    RF_ABSENT,  /* no field of that id (0x00-0x02) */
    RF_NAME,
    RF_FLAG,
    RF_BYTES,
    RF_PATH,
    RF_BYTES_MAP,
    RF_PATH_MAP,
    RF_NAME_LIST,
};

typedef struct {
    int kind;
    uint32_t flag;  /* RF_FLAG */
    size_t offset;  /* of the member, other kinds */
    const char *key;
} resource_field;

#define RF_ENTRY_NAME(m, attr) {RF_NAME, 0, offsetof(oxr_resource, m), attr}
#define RF_ENTRY_FLAG(m, attr) {RF_FLAG, m, 0, attr}
#define RF_ENTRY_BYTES(m, attr) {RF_BYTES, 0, offsetof(oxr_resource, m), attr}
#define RF_ENTRY_PATH(m, attr) {RF_PATH, 0, offsetof(oxr_resource, m), attr}
#define RF_ENTRY_BYTES_MAP(m, attr) \
    {RF_BYTES_MAP, 0, offsetof(oxr_resource, m), attr}
#define RF_ENTRY_PATH_MAP(m, attr) \
    {RF_PATH_MAP, 0, offsetof(oxr_resource, m), attr}
#define RF_ENTRY_NAME_LIST(m, attr) \
    {RF_NAME_LIST, 0, offsetof(oxr_resource, m), attr}
#define RF_ENTRY(id, kind, w, v, m, attr) [id] = RF_ENTRY_##kind(m, attr),

static const resource_field RESOURCE_FIELDS[OXR_MAX_FIELD + 1] = {
    OXR_PACKED_FIELDS(RF_ENTRY)
};

#undef RF_ENTRY
#undef RF_ENTRY_NAME_LIST
#undef RF_ENTRY_PATH_MAP
#undef RF_ENTRY_BYTES_MAP
#undef RF_ENTRY_PATH
#undef RF_ENTRY_BYTES
#undef RF_ENTRY_FLAG
#undef RF_ENTRY_NAME

/* The in-memory bytecode fields, by optimization level 0-2. */
static const uint8_t BYTECODE_FIELDS[3] = {
    OXR_FIELD_IN_MEMORY_BYTECODE,
    OXR_FIELD_IN_MEMORY_BYTECODE_OPT1,
    OXR_FIELD_IN_MEMORY_BYTECODE_OPT2,
};

/* Whether field `id` is in-memory source or bytecode, plain or zstd, which
 * resource_fields() gives decompressed under the plain field's key. */
static int
is_memory_code_field(int id)
{
    switch (id) {
    case OXR_FIELD_IN_MEMORY_SOURCE:
    case OXR_FIELD_IN_MEMORY_BYTECODE:
    case OXR_FIELD_IN_MEMORY_BYTECODE_OPT1:
    case OXR_FIELD_IN_MEMORY_BYTECODE_OPT2:
    case OXR_FIELD_IN_MEMORY_SOURCE_ZSTD:
    case OXR_FIELD_IN_MEMORY_BYTECODE_ZSTD:
    case OXR_FIELD_IN_MEMORY_BYTECODE_OPT1_ZSTD:
    case OXR_FIELD_IN_MEMORY_BYTECODE_OPT2_ZSTD:
        return 1;
    default:
        return 0;
    }
}

static const void *
field_member(const oxr_resource *r, int id)
{
    return (const char *)r + RESOURCE_FIELDS[id].offset;
}

/* The fields of a resource as a dict named like OxidizedResource's
 * attributes (relative paths as str; Python makes them pathlib.Path): the
 * name, the flags, the source and bytecode, the other values, the maps and
 * the dependency names, each group in field id order. */
static PyObject *
resource_fields(const oxr_resource *r)
{
    PyObject *d = PyDict_New();
    if (d == NULL
        || set_item(d, RESOURCE_FIELDS[OXR_FIELD_NAME].key,
                    oxi_str_of(&r->name))
               < 0) {
        goto error;
    }
    for (int id = 0; id <= OXR_MAX_FIELD; id++) {
        const resource_field *f = &RESOURCE_FIELDS[id];
        if (f->kind == RF_FLAG
            && set_item(d, f->key, PyBool_FromLong((r->flags & f->flag) != 0))
                   < 0) {
            goto error;
        }
    }
    /* A compressed source (0x21) is given decompressed, as PyOxidizer's
     * in_memory_source: serialize_indexed_resources() writes it back as
     * plain 0x06. */
    if (set_item(d, RESOURCE_FIELDS[OXR_FIELD_IN_MEMORY_SOURCE].key,
                 oxi_has_memory_source(r) ? oxi_memory_source(r)
                                      : Py_NewRef(Py_None))
        < 0) {
        goto error;
    }
    /* So is compressed bytecode (0x22-0x24), written back as 0x07-0x09. */
    for (int level = 0; level <= 2; level++) {
        if (set_item(d, RESOURCE_FIELDS[BYTECODE_FIELDS[level]].key,
                     oxi_has_memory_bytecode(r, level)
                         ? oxi_memory_bytecode_bytes(r, level)
                         : Py_NewRef(Py_None))
            < 0) {
            goto error;
        }
    }
    for (int id = 0; id <= OXR_MAX_FIELD; id++) {
        const resource_field *f = &RESOURCE_FIELDS[id];
        if ((f->kind == RF_BYTES || f->kind == RF_PATH)
            && !is_memory_code_field(id)
            && set_item(d, f->key,
                        optional_bytes(field_member(r, id),
                                       f->kind == RF_PATH))
                   < 0) {
            goto error;
        }
    }
    for (int id = 0; id <= OXR_MAX_FIELD; id++) {
        const resource_field *f = &RESOURCE_FIELDS[id];
        if ((f->kind == RF_BYTES_MAP || f->kind == RF_PATH_MAP)
            && set_item(d, f->key,
                        optional_named(field_member(r, id),
                                       f->kind == RF_PATH_MAP))
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
    int deps_id = OXR_FIELD_SHARED_LIBRARY_DEPENDENCY_NAMES;
    if (set_item(d, RESOURCE_FIELDS[deps_id].key, deps) < 0) {
        goto error;
    }
    return d;
error:
    Py_XDECREF(d);
    return NULL;
}

static int
append_fields(const oxr_resource *r, PyObject *name, void *list)
{
    (void)name;
    PyObject *fields = resource_fields(r);
    if (fields == NULL) {
        return -1;
    }
    int rc = PyList_Append(list, fields);
    Py_DECREF(fields);
    return rc;
}

/* indexed_resources() -> [OxidizedResource], one per name (first index
 * wins, as for imports). */
PyObject *
oxi_finder_indexed_resources(OxidizedFinder *self, PyObject *unused)
{
    (void)unused;
    PyObject *list = PyList_New(0);
    if (list == NULL
        || oxi_first_resources_each(self, NULL, append_fields, list) < 0) {
        Py_XDECREF(list);
        return NULL;
    }
    PyObject *result = oxi_call_support("_oxidized_importer.resource",
                                        "from_fields", "(O)", list);
    Py_DECREF(list);
    return result;
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
            const oxr_resource *known = oxi_finder_lookup(
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
PyObject *
oxi_finder_index_bytes(OxidizedFinder *self, PyObject *data)
{
    if (finder_index_data(self, data, INDEX_MERGE) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* Maps the file `path` (filesystem bytes; path_obj for messages) read-only,
 * parses it and merges it in (INDEX_MERGE). The mapping lives as long as the
 * finder. */
int
oxi_finder_index_file(OxidizedFinder *self, const char *path,
                      PyObject *path_obj)
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
PyObject *
oxi_finder_index_file_memory_mapped(OxidizedFinder *self, PyObject *path)
{
    PyObject *fs_path = NULL;
    if (!PyUnicode_FSConverter(path, &fs_path)) {
        return NULL;
    }
    int rc = oxi_finder_index_file(self, PyBytes_AS_STRING(fs_path), path);
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
PyObject *
oxi_finder_add_resource(OxidizedFinder *self, PyObject *resource)
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
PyObject *
oxi_finder_add_resources(OxidizedFinder *self, PyObject *resources)
{
    PyObject *args = PyTuple_Pack(1, resources);
    if (args == NULL) {
        return NULL;
    }
    PyObject *result = index_packed(self, 1, "pack_added", args);
    Py_DECREF(args);
    return result;
}

/* Indexes the support code's packed resources of one interpreter group
 * (`packer`: a function of _oxidized_importer.packing), then marks those
 * names as the interpreter's (the flags of oxi_add_interpreter_names). */
static PyObject *
index_interpreter_group(OxidizedFinder *self, const char *packer,
                        int builtin, int builtin_names, int frozen)
{
    PyObject *args = PyTuple_New(0);
    if (args == NULL) {
        return NULL;
    }
    PyObject *result = index_packed(self, 0, packer, args);
    Py_DECREF(args);
    if (result != NULL
        && oxi_add_interpreter_names(self, builtin, builtin_names, frozen, 0)
               < 0) {
        Py_CLEAR(result);
    }
    return result;
}

/* index_interpreter_builtin_extension_modules(): resources flagged
 * is_builtin_extension_module for sys.builtin_module_names, indexed last
 * (indexed_resources(), serialization); find_spec() and get_code() hand
 * those names to BuiltinImporter before any index is searched, as
 * PyOxidizer's flags win over the packed data of the same name. */
PyObject *
oxi_finder_index_builtin_extension_modules(OxidizedFinder *self,
                                           PyObject *unused)
{
    (void)unused;
    return index_interpreter_group(self, "builtin_extension_modules", 1, 1,
                                   0);
}

/* index_interpreter_frozen_modules(): resources flagged is_frozen_module for
 * the interpreter's frozen modules, indexed last; find_spec() and get_code()
 * hand them to FrozenImporter first, as above. */
PyObject *
oxi_finder_index_frozen_modules(OxidizedFinder *self, PyObject *unused)
{
    (void)unused;
    return index_interpreter_group(self, "frozen_modules", 0, 0, 1);
}

/* index_interpreter_builtins(): both of the above. */
PyObject *
oxi_finder_index_interpreter_builtins(OxidizedFinder *self, PyObject *unused)
{
    PyObject *result = oxi_finder_index_builtin_extension_modules(self,
                                                                  unused);
    if (result == NULL) {
        return NULL;
    }
    Py_DECREF(result);
    return oxi_finder_index_frozen_modules(self, unused);
}

/* serialize_indexed_resources(ignore_builtin=True, ignore_frozen=True) ->
 * bytes: packed resources data of indexed_resources(). */
PyObject *
oxi_finder_serialize_indexed_resources(OxidizedFinder *self, PyObject *args,
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
    return oxi_call_support("_oxidized_importer.packing", "serialize_indexed",
                            "(OOO)", (PyObject *)self,
                            ignore_builtin ? Py_True : Py_False,
                            ignore_frozen ? Py_True : Py_False);
}

