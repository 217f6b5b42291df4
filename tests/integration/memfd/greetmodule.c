/* greetpkg._greet: an extension module that needs libgreet.so at load time. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "greet.h"

static PyObject *
greet_hello(PyObject *module, PyObject *arg)
{
    return PyUnicode_FromFormat("%s, %U", greet_word(), arg);
}

static PyMethodDef greet_methods[] = {
    {"hello", greet_hello, METH_O, "hello(name) -> str"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef greet_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "greetpkg._greet",
    .m_size = 0,
    .m_methods = greet_methods,
};

PyMODINIT_FUNC
PyInit__greet(void)
{
    return PyModuleDef_Init(&greet_module);
}
