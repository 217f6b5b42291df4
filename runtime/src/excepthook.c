/* sys.excepthook for binaries: tracebacks with source lines from the packed
 * resources. */
#include "excepthook.h"

/* sys.excepthook: prints like CPython's default hook but through the
 * traceback module, whose linecache asks the modules' loaders (our finder's
 * get_source) for source lines that no file on disk holds. `traceback` is
 * imported only when an exception is printed. self is None or a tuple
 * (filename, module name, loader) registered with linecache.lazycache()
 * first: the main resource runs as __main__, whose name the finder does not
 * know. Falls back to CPython's display when anything fails. */
static PyObject *
oxidizer_excepthook(PyObject *self, PyObject *args)
{
    PyObject *type, *value, *tb;
    if (!PyArg_UnpackTuple(args, "excepthook", 3, 3, &type, &value, &tb)) {
        return NULL;
    }
    PyObject *file = PySys_GetObject("stderr"); /* borrowed */
    if (file == NULL || file == Py_None) {
        Py_RETURN_NONE;
    }
    Py_INCREF(file);
    PyObject *result = NULL;
    if (self != NULL && PyTuple_Check(self) && PyTuple_GET_SIZE(self) == 3) {
        PyObject *linecache = PyImport_ImportModule("linecache");
        PyObject *globals = PyDict_New();
        if (linecache != NULL && globals != NULL
            && PyDict_SetItemString(globals, "__name__",
                                    PyTuple_GET_ITEM(self, 1)) == 0
            && PyDict_SetItemString(globals, "__loader__",
                                    PyTuple_GET_ITEM(self, 2)) == 0) {
            result = PyObject_CallMethod(linecache, "lazycache", "OO",
                                         PyTuple_GET_ITEM(self, 0), globals);
        }
        Py_XDECREF(result);
        Py_XDECREF(globals);
        Py_XDECREF(linecache);
        PyErr_Clear();
        result = NULL;
    }
    PyObject *traceback = PyImport_ImportModule("traceback");
    PyObject *print = NULL, *call_args = NULL, *kwargs = NULL;
    if (traceback != NULL) {
        print = PyObject_GetAttrString(traceback, "print_exception");
    }
    if (print != NULL) {
        call_args = PyTuple_Pack(3, type, value, tb);
        kwargs = PyDict_New();
    }
    if (call_args != NULL && kwargs != NULL
        && PyDict_SetItemString(kwargs, "file", file) == 0) {
        result = PyObject_Call(print, call_args, kwargs);
    }
    Py_XDECREF(kwargs);
    Py_XDECREF(call_args);
    Py_XDECREF(print);
    Py_XDECREF(traceback);
    Py_DECREF(file);
    if (result == NULL) {
        /* e.g. traceback cannot be imported: CPython's own display. */
        PyErr_Clear();
        PyErr_Display(type, value, tb);
    }
    Py_XDECREF(result);
    Py_RETURN_NONE;
}

static PyMethodDef excepthook_def = {
    "excepthook", oxidizer_excepthook, METH_VARARGS,
    "Prints an exception with source lines from the packed resources.",
};

/* Installs oxidizer_excepthook as sys.excepthook; main_info is NULL or the
 * (filename, name, loader) tuple described there. */
int
oxidizer_install_excepthook(PyObject *main_info)
{
    PyObject *hook = PyCFunction_New(&excepthook_def, main_info);
    if (hook == NULL) {
        return -1;
    }
    int rc = PySys_SetObject("excepthook", hook);
    Py_DECREF(hook);
    return rc;
}
