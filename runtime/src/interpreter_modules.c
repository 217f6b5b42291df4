/* Built-in and frozen modules of the interpreter, answered through
 * BuiltinImporter and FrozenImporter.
 */
#include "inittab.h"
#include "oxidized_importer_internal.h"

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
PyObject *
oxi_call_interpreter_importer(const oxr_resource *r, const char *method,
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
PyObject *oxi_str_find_spec;
PyObject *oxi_str_get_code;

/* _frozen_importlib.<name> (BuiltinImporter, FrozenImporter), new
 * reference. */
static PyObject *
bootstrap_importer(const char *name)
{
    if (oxi_str_find_spec == NULL
        && (oxi_str_find_spec = PyUnicode_InternFromString("find_spec"))
               == NULL) {
        return NULL;
    }
    if (oxi_str_get_code == NULL
        && (oxi_str_get_code = PyUnicode_InternFromString("get_code"))
               == NULL) {
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
            r = oxi_lookup_object(self, name);
            if (r == NULL && PyErr_Occurred()) {
                rc = -1;
            }
        }
        if (rc == 0 && (r == NULL || oxi_resource_kind(r, self->optimize)
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
int
oxi_add_interpreter_names(OxidizedFinder *self, int builtin, int builtin_names,
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
PyObject *
oxi_call_interpreter_module(OxidizedFinder *self, PyObject *method,
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
PyObject *
oxi_builtin_spec(OxidizedFinder *self, PyObject *fullname)
{
    Py_ssize_t len;
    const char *name;
    if (self->builtin_importer == NULL
        || (name = PyUnicode_AsUTF8AndSize(fullname, &len)) == NULL) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    if (oxidizer_inittab_has(name, (size_t)len)) {
        PyObject *args[2] = {self->builtin_importer, fullname};
        return PyObject_VectorcallMethod(oxi_str_find_spec, args, 2, NULL);
    }
    Py_RETURN_NONE;
}
