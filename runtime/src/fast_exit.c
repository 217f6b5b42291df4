/* The fast exit: what Py_FinalizeEx() does that a program can observe, then
 * _exit(). See fast_exit.h for the steps and docs/user-guide.md for the
 * guarantees.
 *
 * The walk over the live objects reads the interpreter's GC lists, which are
 * internal: this file alone is compiled with Py_BUILD_CORE, against the
 * headers of the libpython it is linked with (the layout used,
 * interp->gc.generations[] and permanent_generation, is the same in 3.11 to
 * 3.13 without free threading). */
#define PY_SSIZE_T_CLEAN
#ifndef Py_BUILD_CORE
#define Py_BUILD_CORE 1
#endif
#include <Python.h>
#include "internal/pycore_gc.h"
#include "internal/pycore_interp.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fast_exit.h"

#ifdef Py_GIL_DISABLED
#error "fast_exit.c walks the GC lists of the default (GIL) build"
#endif

int
oxidizer_exit_sigint(void)
{
    if (signal(SIGINT, SIG_DFL) != SIG_ERR) {
        kill(getpid(), SIGINT);
    }
    return 128 + SIGINT;
}

/* Calls module.name() if module `module_name` is in sys.modules (import
 * it when `import_it`); errors are reported like CPython's finalization. */
static void
call_module_function(const char *module_name, const char *name, int import_it)
{
    PyObject *module;
    if (import_it) {
        module = PyImport_ImportModule(module_name);
    }
    else {
        PyObject *key = PyUnicode_FromString(module_name);
        module = key != NULL ? PyImport_GetModule(key) : NULL;
        Py_XDECREF(key);
    }
    if (module == NULL) {
        if (PyErr_Occurred()) {
            PyErr_WriteUnraisable(NULL);
        }
        return;
    }
    PyObject *result = PyObject_CallMethod(module, name, NULL);
    if (result == NULL) {
        PyErr_WriteUnraisable(module);
    }
    Py_XDECREF(result);
    Py_DECREF(module);
}

/* Sets every value of d but __builtins__ to None, the most recently bound
 * name first, so a __del__ run by it still finds the modules and functions
 * bound before its object (usually the imports at the top). Iterates over a
 * snapshot of the keys, so __del__ methods may change the dict. */
static void
clear_module_dict(PyObject *d)
{
    PyObject *keys = PyDict_Keys(d);
    if (keys == NULL) {
        PyErr_WriteUnraisable(NULL);
        return;
    }
    for (Py_ssize_t i = PyList_GET_SIZE(keys) - 1; i >= 0; i--) {
        PyObject *key = PyList_GET_ITEM(keys, i); /* borrowed */
        if (PyUnicode_Check(key)
            && PyUnicode_CompareWithASCIIString(key, "__builtins__") == 0) {
            continue;
        }
        int has = PyDict_Contains(d, key);
        if (has < 0 || (has == 1 && PyDict_SetItem(d, key, Py_None) < 0)) {
            PyErr_WriteUnraisable(NULL);
        }
    }
    Py_DECREF(keys);
}

static void
clear_main(void)
{
    PyObject *name = PyUnicode_FromString("__main__");
    PyObject *main_module = name != NULL ? PyImport_GetModule(name) : NULL;
    Py_XDECREF(name);
    if (main_module == NULL) {
        PyErr_Clear();
        return;
    }
    if (PyModule_Check(main_module)) {
        PyObject *d = PyModule_GetDict(main_module); /* borrowed */
        if (d != NULL) {
            clear_module_dict(d);
        }
    }
    Py_DECREF(main_module);
}

/* 1 when f.closed is true; an error counts as open (CPython's
 * file_is_closed()). */
static int
file_is_closed(PyObject *f)
{
    PyObject *closed = PyObject_GetAttrString(f, "closed");
    if (closed == NULL) {
        PyErr_Clear();
        return 0;
    }
    int r = PyObject_IsTrue(closed);
    Py_DECREF(closed);
    if (r < 0) {
        PyErr_Clear();
        return 0;
    }
    return r;
}

/* Flushes sys.<name>; returns -1 when that fails (reported when `report`,
 * for stdout, with the message of CPython's finalization). */
static int
flush_std_file(const char *name, int report)
{
    PyObject *f = PySys_GetObject(name); /* borrowed */
    if (f == NULL || f == Py_None) {
        return 0;
    }
    Py_INCREF(f);
    int rc = 0;
    if (!file_is_closed(f)) {
        PyObject *result = PyObject_CallMethod(f, "flush", NULL);
        if (result == NULL) {
            if (report) {
                /* The message of this version's Py_FinalizeEx(). */
#if PY_VERSION_HEX >= 0x030D0000
                PyErr_FormatUnraisable("Exception ignored on flushing sys.%s",
                                       name);
#else
                PyErr_WriteUnraisable(f);
#endif
            }
            else {
                PyErr_Clear();
            }
            rc = -1;
        }
        Py_XDECREF(result);
    }
    Py_DECREF(f);
    return rc;
}

typedef struct {
    PyObject **items; /* strong references */
    size_t count;
    size_t capacity;
} object_array;

static int
object_array_push(object_array *a, PyObject *o)
{
    if (a->count == a->capacity) {
        size_t capacity = a->capacity ? a->capacity * 2 : 16;
        PyObject **items = PyMem_RawRealloc(a->items,
                                            capacity * sizeof(PyObject *));
        if (items == NULL) {
            return -1;
        }
        a->items = items;
        a->capacity = capacity;
    }
    Py_INCREF(o);
    a->items[a->count++] = o;
    return 0;
}

/* Types known not to be one of the searched ones, direct-mapped by address:
 * most live objects share a few types (functions, dicts, tuples, code), so
 * the subtype check (a walk of the type's MRO for each searched type) runs
 * once per type instead of once per object: 0.35 M instructions of a hello's
 * exit before, under 0.1 M after. */
enum { MISS_CACHE_SIZE = 64 };

static void
collect_generation(PyGC_Head *head, PyTypeObject *const *types,
                   size_t type_count, PyTypeObject **misses,
                   object_array *found)
{
    for (PyGC_Head *g = _PyGCHead_NEXT(head); g != head;
         g = _PyGCHead_NEXT(g)) {
        PyObject *op = (PyObject *)(g + 1);
        PyTypeObject *tp = Py_TYPE(op);
        size_t slot = ((uintptr_t)tp >> 4) % MISS_CACHE_SIZE;
        if (misses[slot] == tp) {
            continue;
        }
        size_t t = 0;
        while (t < type_count && !PyType_IsSubtype(tp, types[t])) {
            t++;
        }
        if (t == type_count) {
            misses[slot] = tp;
        }
        else if (object_array_push(found, op) < 0) {
            return;
        }
    }
}

/* Flushes every live io.TextIOWrapper, then every io.BufferedWriter and
 * io.BufferedRandom, that is not closed. The objects are gathered first
 * without running any Python code (so the lists do not change under the
 * walk), then flushed; errors are ignored, as when CPython closes a file
 * object it deallocates. */
static void
flush_live_files(void)
{
    PyObject *io = PyImport_ImportModule("_io");
    if (io == NULL) {
        PyErr_Clear();
        return;
    }
    static const char *const names[] = {"TextIOWrapper", "BufferedWriter",
                                        "BufferedRandom"};
    enum { TYPE_COUNT = sizeof(names) / sizeof(names[0]) };
    PyTypeObject *types[TYPE_COUNT];
    size_t type_count = 0;
    for (size_t i = 0; i < TYPE_COUNT; i++) {
        PyObject *type = PyObject_GetAttrString(io, names[i]);
        if (type == NULL || !PyType_Check(type)) {
            Py_XDECREF(type);
            PyErr_Clear();
            continue;
        }
        types[type_count++] = (PyTypeObject *)type;
    }
    Py_DECREF(io);

    object_array found = {NULL, 0, 0};
    PyTypeObject *misses[MISS_CACHE_SIZE] = {NULL};
    PyInterpreterState *interp = PyInterpreterState_Get();
    for (int i = 0; i < NUM_GENERATIONS; i++) {
        collect_generation(&interp->gc.generations[i].head, types, type_count,
                           misses, &found);
    }
    collect_generation(&interp->gc.permanent_generation.head, types,
                       type_count, misses, &found);

    /* Text first: its pending text goes to its buffer, then buffers. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < found.count; i++) {
            PyObject *f = found.items[i];
            int is_text = type_count > 0 && PyObject_TypeCheck(f, types[0]);
            if (is_text != (pass == 0) || file_is_closed(f)) {
                continue;
            }
            PyObject *result = PyObject_CallMethod(f, "flush", NULL);
            if (result == NULL) {
                PyErr_Clear();
            }
            Py_XDECREF(result);
        }
    }
    for (size_t i = 0; i < found.count; i++) {
        Py_DECREF(found.items[i]);
    }
    PyMem_RawFree(found.items);
    for (size_t i = 0; i < type_count; i++) {
        Py_DECREF(types[i]);
    }
}

void
oxidizer_fast_exit(int exitcode, int keyboard_interrupt)
{
    call_module_function("threading", "_shutdown", 0);
    call_module_function("atexit", "_run_exitfuncs", 1);
    clear_main();
    if (flush_std_file("stdout", 1) < 0) {
        exitcode = 120;
    }
    if (flush_std_file("stderr", 0) < 0) {
        exitcode = 120;
    }
    flush_live_files();
    fflush(NULL);
    if (keyboard_interrupt) {
        exitcode = oxidizer_exit_sigint();
    }
    _exit(exitcode);
}
