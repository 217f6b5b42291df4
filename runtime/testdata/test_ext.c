/* A minimal extension module for the runtime behaviour test, compiled once per module
 * name: -DTEST_EXT_NAME=<last name component> -DTEST_EXT_FULLNAME=<dotted>.
 * The module has VALUE = "ext <fullname>", so a test can tell it from
 * Python source of the same name. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define STR2(a) #a
#define STR(a) STR2(a)

static struct PyModuleDef test_ext_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = STR(TEST_EXT_FULLNAME),
    .m_size = -1,
};

PyMODINIT_FUNC
CAT(PyInit_, TEST_EXT_NAME)(void)
{
    PyObject *m = PyModule_Create(&test_ext_module);
    if (m == NULL) {
        return NULL;
    }
    if (PyModule_AddStringConstant(m, "VALUE",
                                   "ext " STR(TEST_EXT_FULLNAME))
        < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
