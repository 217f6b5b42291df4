/* _fastmath: a C extension module compiled by Bazel and linked into the binary
 * as a built-in (py_oxidized_binary ext_modules). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* dot(xs, ys) -> float: the dot product of two equally long float sequences. */
static PyObject *
fastmath_dot(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "dot() takes exactly 2 arguments");
        return NULL;
    }
    PyObject *xs = PySequence_Fast(args[0], "dot() needs sequences");
    if (xs == NULL) {
        return NULL;
    }
    PyObject *ys = PySequence_Fast(args[1], "dot() needs sequences");
    if (ys == NULL) {
        Py_DECREF(xs);
        return NULL;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(xs);
    if (n != PySequence_Fast_GET_SIZE(ys)) {
        PyErr_SetString(PyExc_ValueError, "dot() needs sequences of equal length");
        Py_DECREF(xs);
        Py_DECREF(ys);
        return NULL;
    }
    double total = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) {
        double x = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(xs, i));
        double y = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(ys, i));
        if ((x == -1.0 || y == -1.0) && PyErr_Occurred()) {
            Py_DECREF(xs);
            Py_DECREF(ys);
            return NULL;
        }
        total += x * y;
    }
    Py_DECREF(xs);
    Py_DECREF(ys);
    return PyFloat_FromDouble(total);
}

static PyMethodDef fastmath_methods[] = {
    {"dot", (PyCFunction)(void (*)(void))fastmath_dot, METH_FASTCALL,
     "dot(xs, ys) -> float"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef fastmath_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_fastmath",
    .m_doc = "Vector arithmetic in C.",
    .m_size = 0,
    .m_methods = fastmath_methods,
};

PyMODINIT_FUNC
PyInit__fastmath(void)
{
    return PyModuleDef_Init(&fastmath_module);
}
