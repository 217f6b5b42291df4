/* Extension modules and shared libraries loaded from memory (Linux): each
 * object is written to a memfd and loaded from its /proc/self/fd path.
 */
#include "oxidized_importer_internal.h"

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
        const oxr_resource *lib = oxi_finder_lookup(
            self, (const char *)dep->data, dep->len);
        if (lib == NULL || lib->in_memory_shared_library.data == NULL) {
            continue; /* the system's loader finds it */
        }
        PyObject *key = oxi_str_of(dep);
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
PyObject *
oxi_create_memory_extension(OxidizedFinder *self, PyObject *name,
                            const oxr_resource *r)
{
    if (oxi_imp_module == NULL
        && (oxi_imp_module = PyImport_ImportModule("_imp")) == NULL) {
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
        : PyObject_Vectorcall(oxi_module_spec_type, args, 2, kwnames);
    Py_XDECREF(kwnames);
    Py_DECREF(path);
    if (load_spec == NULL) {
        return NULL;
    }
    PyObject *module = PyObject_CallMethod(oxi_imp_module, "create_dynamic",
                                           "O", load_spec);
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
