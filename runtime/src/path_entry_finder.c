/* OxidizedFinder.path_hook and OxidizedPathEntryFinder, what it returns
 * for the virtual __path__ entries of in-memory packages.
 */
#include "oxidized_importer_internal.h"

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
PyObject *
oxi_finder_path_hook(OxidizedFinder *self, PyObject *path)
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
        const oxr_resource *r = oxi_finder_lookup(self, name, rest_len);
        if (r != NULL && oxi_resource_is_package(r)
            && oxi_resource_kind(r, self->optimize) != KIND_NONE) {
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
        return oxi_iter_children(self->finder, NULL, 0, prefix);
    }
    Py_ssize_t plen;
    const char *pkg = PyUnicode_AsUTF8AndSize(self->package, &plen);
    if (pkg == NULL) {
        return NULL;
    }
    return oxi_iter_children(self->finder, pkg, (size_t)plen, prefix);
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

PyTypeObject OxidizedPathEntryFinder_Type = {
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

