/* OxidizedResourceReader (importlib.abc.ResourceReader) and the raw
 * package entries behind files() Traversables (_package_entries).
 */
#include "oxidized_importer_internal.h"

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

PyObject *
oxi_bytes_of(const oxr_bytes *b)
{
    return PyBytes_FromStringAndSize((const char *)b->data,
                                     (Py_ssize_t)b->len);
}

/* Where append_memory_entry() and append_relative_entry() append. */
struct entries_arg {
    OxidizedFinder *self;
    const oxr_resource *r;
    PyObject *list;
    PyObject *dir;
};

static int
append_memory_entry(const oxr_named *e, void *arg)
{
    struct entries_arg *a = arg;
    return append_entry(a->list, a->dir, e->name.data, e->name.len,
                        oxi_bytes_of(&e->value));
}

static int
append_relative_entry(const oxr_named *e, void *arg)
{
    struct entries_arg *a = arg;
    return append_entry(a->list, a->dir, e->name.data, e->name.len,
                        oxi_resource_join(a->self, a->r, &e->value));
}

/* The entries of one resource for _package_entries(); dir is its path
 * relative to the package ("" for the package itself). */
static int
append_resource_entries(OxidizedFinder *self, PyObject *list,
                        const oxr_resource *r, PyObject *dir, int is_root)
{
    enum oxi_resource_kind kind = oxi_resource_kind(r, self->optimize);
    int is_package = oxi_resource_is_package(r) && kind != KIND_NONE;
    if (is_package && !is_root) {
        PyObject *item = PyTuple_Pack(2, dir, Py_None);
        if (item == NULL || PyList_Append(list, item) < 0) {
            Py_XDECREF(item);
            return -1;
        }
        Py_DECREF(item);
    }
    struct entries_arg a = {self, r, list, dir};
    if (oxi_named_each(&r->in_memory_package_resources, append_memory_entry,
                       &a)
            < 0
        || oxi_named_each(&r->relative_path_package_resources,
                          append_relative_entry, &a)
               < 0) {
        return -1;
    }
    /* Module sources, so the tree looks like the package directory. */
    PyObject *source = NULL;
    if (kind == KIND_MEMORY && oxi_has_memory_source(r)) {
        source = oxi_memory_source(r);
    }
    else if (kind == KIND_SOURCE_FILE
             || (kind == KIND_MEMORY && oxi_is_extracted_module(r))) {
        source = oxi_resource_join(self, r, &r->relative_path_module_source);
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
PyObject *
oxi_finder_package_entries(OxidizedFinder *self, PyObject *package)
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
            PyObject *full = oxi_str_of(&r->name);
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
                    Py_SETREF(dir, PyUnicode_Replace(dir, oxi_str_dot,
                                                     oxi_str_slash, -1));
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
    if (oxi_ensure_external() < 0) {
        return NULL;
    }
    const oxr_resource *r = self->resource;
    const oxr_named *e = oxi_find_named(&r->in_memory_package_resources, name,
                                        (size_t)len);
    if (e != NULL) {
        PyObject *data = PyBytes_FromStringAndSize(
            (const char *)e->value.data, (Py_ssize_t)e->value.len);
        if (data == NULL) {
            return NULL;
        }
        PyObject *stream = PyObject_CallOneArg(oxi_io_bytes_io, data);
        Py_DECREF(data);
        return stream;
    }
    e = oxi_find_named(&r->relative_path_package_resources, name, (size_t)len);
    if (e != NULL) {
        PyObject *path = oxi_resource_join(self->finder, r, &e->value);
        if (path == NULL) {
            return NULL;
        }
        PyObject *stream = PyObject_CallFunction(oxi_io_open, "Os", path,
                                                 "rb");
        Py_DECREF(path);
        return stream;
    }
    oxi_set_not_found(resource);
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
    const oxr_named *e = oxi_find_named(
        &self->resource->relative_path_package_resources, name, (size_t)len);
    if (e != NULL) {
        return oxi_resource_join(self->finder, self->resource, &e->value);
    }
    /* In-memory resources have no filesystem path. */
    oxi_set_not_found(resource);
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
        oxi_find_named(&r->in_memory_package_resources, name, (size_t)len)
            != NULL
        || oxi_find_named(&r->relative_path_package_resources, name,
                          (size_t)len)
               != NULL);
}

static int
append_name(const oxr_named *e, void *list)
{
    PyObject *name = oxi_str_of(&e->name);
    if (name == NULL) {
        return -1;
    }
    int rc = PyList_Append(list, name);
    Py_DECREF(name);
    return rc;
}

static int
append_names(PyObject *list, const oxr_named_list *names)
{
    return oxi_named_each(names, append_name, list);
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
    PyObject *package = oxi_str_of(&r->name);
    if (package == NULL) {
        return NULL;
    }
    PyObject *location = oxi_join_path(f->exe_path, f->exe_path_len,
                                       r->name.data, r->name.len, 1);
    if (location == NULL) {
        Py_DECREF(package);
        return NULL;
    }
    PyObject *files = oxi_call_support("_oxidized_importer.resources",
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

PyTypeObject OxidizedResourceReader_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "oxidized_importer.OxidizedResourceReader",
    .tp_basicsize = sizeof(OxidizedResourceReader),
    .tp_dealloc = (destructor)reader_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "importlib.abc.ResourceReader for one package.",
    .tp_methods = reader_methods,
};

