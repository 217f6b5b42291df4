/* oxidizer_run(): parses the embedded packed resources, starts CPython with
 * our OxidizedFinder at sys.meta_path[0], runs the configured code and
 * finalizes, returning an exit status with the semantics of `python`. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin_filter.h"
#include "ca_probe.h"
#include "fast_exit.h"
#include "mapped_file.h"
#include "oxidized_importer.h"
#include "oxidizer/config.h"
#include "oxidizer/packed_resources.h"
#include "start_config.h"

/* Set when the run ended with an uncaught KeyboardInterrupt: like python we
 * then die of SIGINT (or exit 130) after finalization. */
static int unhandled_keyboard_interrupt;

static void
free_indexes(oxr_index *indexes, size_t count)
{
    if (indexes == NULL) {
        return;
    }
    for (size_t i = 0; i < count; i++) {
        oxr_index_free(&indexes[i]);
    }
    free(indexes);
}

/* Prints the pending exception to C stderr; for failures before sys.stderr
 * exists (core initialization phase). */
static void
print_exception_fallback(const char *context)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    fprintf(stderr, "%s: ", context);
    if (value != NULL && PyObject_Print(value, stderr, Py_PRINT_RAW) == 0) {
        fputc('\n', stderr);
    }
    else {
        PyErr_Clear();
        fprintf(stderr, "unknown error\n");
    }
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
}

/* Creates the OxidizedFinder and makes it sys.meta_path's only entry.
 * Returns a new reference to it. */
static PyObject *
install_finder(const oxidizer_config *config, const oxr_index *indexes,
               const char *exe, const char *exe_dir)
{
    PyObject *module = PyImport_ImportModule("oxidized_importer");
    if (module == NULL) {
        return NULL;
    }
    Py_DECREF(module);
    /* Relative-path resources live in <exe dir>/<relative_path_origin>. */
    const char *sub = config->relative_path_origin;
    char origin[PATH_MAX];
    if (sub != NULL && sub[0] != '\0') {
        int n = snprintf(origin, sizeof(origin), "%s/%s", exe_dir, sub);
        if (n < 0 || (size_t)n >= sizeof(origin)) {
            PyErr_SetString(PyExc_OSError, "resources directory path too long");
            return NULL;
        }
    }
    else {
        snprintf(origin, sizeof(origin), "%s", exe_dir);
    }
    oxidized_finder_options options = {
        .virtual_module_file = config->settings.module_file,
        /* With virtual __file__s on, os & co. keep theirs: ours. */
        .packed_over_frozen = config->settings.module_file,
        .freeze_imports = config->settings.freeze_imports,
    };
    PyObject *finder = oxidized_finder_new(indexes, config->packed_blob_count,
                                           exe, origin, &options);
    if (finder == NULL) {
        return NULL;
    }
    PyObject *meta_path = PySys_GetObject("meta_path"); /* borrowed */
    if (meta_path == NULL || !PyList_Check(meta_path)) {
        PyErr_SetString(PyExc_RuntimeError, "sys.meta_path is not a list");
        Py_DECREF(finder);
        return NULL;
    }
    /* The finder answers built-in and frozen modules too: it replaces
     * BuiltinImporter and FrozenImporter, as in PyOxidizer. The main phase
     * appends PathFinder, which configure_sys() removes unless
     * filesystem_importer is set. */
    if (PyList_SetSlice(meta_path, 0, PyList_GET_SIZE(meta_path), NULL) < 0
        || PyList_Append(meta_path, finder) < 0) {
        Py_DECREF(finder);
        return NULL;
    }
    return finder;
}

/* See start_interpreter(): a placeholder `zipimport` in sys.modules. */
static int
install_zipimport_placeholder(void)
{
    PyObject *modules = PyImport_GetModuleDict(); /* borrowed */
    PyObject *placeholder = PyModule_New("zipimport");
    if (placeholder == NULL) {
        return -1;
    }
    int rc = PyDict_SetItemString(modules, "zipimport", placeholder);
    Py_DECREF(placeholder);
    return rc;
}

static int
remove_zipimport_placeholder(void)
{
    PyObject *modules = PyImport_GetModuleDict(); /* borrowed */
    PyObject *module = PyDict_GetItemString(modules, "zipimport"); /* borrowed */
    if (module == NULL || PyObject_HasAttrString(module, "zipimporter")) {
        return 0;
    }
    return PyDict_DelItemString(modules, "zipimport");
}

/* Starts the interpreter. This is the only place that knows how the finder
 * gets in before the first import of a .py module.
 *
 * Strategy for CPython 3.8-3.13: two-phase initialization. The core phase
 * (_init_main = 0) only needs built-in and frozen modules; we then put our
 * finder first on sys.meta_path and run the main phase (_Py_InitializeMain),
 * which imports encodings, io, site, ... through it. CPython 3.14 removed
 * _Py_InitializeMain (and it was later restored); a build against a version
 * without it must replace this function, e.g. with a single-phase start where
 * encodings is served frozen and the finder is installed afterwards.
 *
 * On success *finder_out holds a new reference to the installed finder (or
 * NULL when config->settings.oxidized_importer is off). */
static PyStatus
start_interpreter(PyConfig *py_config, const oxidizer_config *config,
                  const oxr_index *indexes, const char *exe,
                  const char *exe_dir, PyObject **finder_out)
{
    *finder_out = NULL;
    py_config->_init_main = 0;
    PyStatus status = Py_InitializeFromConfig(py_config);
    if (PyStatus_Exception(status)) {
        return status;
    }
    if (config->settings.oxidized_importer) {
        *finder_out = install_finder(config, indexes, exe, exe_dir);
        if (*finder_out == NULL) {
            print_exception_fallback("installing OxidizedFinder");
            return PyStatus_Error("failed to install OxidizedFinder");
        }
    }
    /* The main phase imports zipimport only to put zipimporter on
     * sys.path_hooks, which nothing consults when the filesystem importer is
     * off. A placeholder module without `zipimporter` makes CPython skip that
     * (about 4% of start-up); it is removed right after, so `import
     * zipimport` later still gets the real (frozen) module. */
    int stub_zipimport = !config->settings.filesystem_importer;
    if (stub_zipimport && install_zipimport_placeholder() < 0) {
        Py_CLEAR(*finder_out);
        return PyStatus_Error("failed to prepare start-up");
    }
    status = _Py_InitializeMain();
    if (stub_zipimport && !PyStatus_Exception(status)
        && remove_zipimport_placeholder() < 0) {
        status = PyStatus_Error("failed to finish start-up");
    }
    if (PyStatus_Exception(status)) {
        Py_CLEAR(*finder_out);
    }
    return status;
}

/* Removes importlib's PathFinder from sys.meta_path. */
static int
remove_path_finder(void)
{
    PyObject *external = PyImport_ImportModule("_frozen_importlib_external");
    if (external == NULL) {
        return -1;
    }
    PyObject *path_finder = PyObject_GetAttrString(external, "PathFinder");
    Py_DECREF(external);
    if (path_finder == NULL) {
        return -1;
    }
    PyObject *meta_path = PySys_GetObject("meta_path"); /* borrowed */
    int rc = 0;
    if (meta_path != NULL && PyList_Check(meta_path)) {
        for (Py_ssize_t i = PyList_GET_SIZE(meta_path) - 1; i >= 0; i--) {
            if (PyList_GET_ITEM(meta_path, i) == path_finder
                && PySequence_DelItem(meta_path, i) < 0) {
                rc = -1;
                break;
            }
        }
    }
    Py_DECREF(path_finder);
    return rc;
}

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
static int
install_excepthook(PyObject *main_info)
{
    PyObject *hook = PyCFunction_New(&excepthook_def, main_info);
    if (hook == NULL) {
        return -1;
    }
    int rc = PySys_SetObject("excepthook", hook);
    Py_DECREF(hook);
    return rc;
}

static int
set_sys_argvb(int argc, char **argv)
{
    PyObject *list = PyList_New(argc);
    if (list == NULL) {
        return -1;
    }
    for (int i = 0; i < argc; i++) {
        PyObject *item = PyBytes_FromString(argv[i]);
        if (item == NULL) {
            Py_DECREF(list);
            return -1;
        }
        PyList_SET_ITEM(list, i, item); /* steals */
    }
    int rc = PySys_SetObject("argvb", list);
    Py_DECREF(list);
    return rc;
}

static int
configure_sys(const oxidizer_config *config, int argc, char **argv,
              const char *exe_dir)
{
    if (!config->settings.filesystem_importer && remove_path_finder() < 0) {
        return -1;
    }
    if (config->settings.sys_frozen && PySys_SetObject("frozen", Py_True) < 0) {
        return -1;
    }
    if (config->settings.sys_meipass) {
        PyObject *dir = PyUnicode_DecodeFSDefault(exe_dir);
        if (dir == NULL) {
            return -1;
        }
        int rc = PySys_SetObject("_MEIPASS", dir);
        Py_DECREF(dir);
        if (rc < 0) {
            return -1;
        }
    }
    if (config->settings.argvb && set_sys_argvb(argc, argv) < 0) {
        return -1;
    }
    if (install_excepthook(NULL) < 0) {
        return -1;
    }
    return PySys_SetObject("oxidized", Py_True);
}

/* Exit status for an uncaught SystemExit, like CPython's
 * _Py_HandleSystemExit(): None -> 0, int -> int, anything else is printed
 * to sys.stderr and gives 1. Clears the exception. */
static int
handle_system_exit(void)
{
    int exitcode = 0;
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    PyObject *code = value;
    Py_XINCREF(code);
    if (value != NULL && PyExceptionInstance_Check(value)) {
        PyObject *attr = PyObject_GetAttrString(value, "code");
        if (attr != NULL) {
            Py_SETREF(code, attr);
        }
        else {
            PyErr_Clear();
        }
    }
    if (code == NULL || code == Py_None) {
        exitcode = 0;
    }
    else if (PyLong_Check(code)) {
        exitcode = (int)PyLong_AsLong(code);
        if (exitcode == -1 && PyErr_Occurred()) {
            PyErr_Clear();
        }
    }
    else {
        PyObject *sys_stderr = PySys_GetObject("stderr"); /* borrowed */
        if (sys_stderr != NULL && sys_stderr != Py_None) {
            if (PyFile_WriteObject(code, sys_stderr, Py_PRINT_RAW) < 0) {
                PyErr_Clear();
            }
        }
        else {
            if (PyObject_Print(code, stderr, Py_PRINT_RAW) < 0) {
                PyErr_Clear();
            }
            fflush(stderr);
        }
        PySys_WriteStderr("\n");
        exitcode = 1;
    }
    Py_XDECREF(code);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    return exitcode;
}

/* Turns the pending exception into an exit status like python does:
 * SystemExit -> its code; anything else -> traceback via sys.excepthook
 * and 1. */
static int
exit_status_from_exception(void)
{
    if (PyErr_ExceptionMatches(PyExc_SystemExit)) {
        return handle_system_exit();
    }
    if (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) {
        unhandled_keyboard_interrupt = 1;
    }
    PyErr_Print();
    return 1;
}

/* Executes code in __main__'s namespace; loader (may be NULL) becomes
 * __main__.__loader__ and __spec__ is set to None. */
static int
exec_in_main(PyObject *code, PyObject *loader)
{
    PyObject *main_module = PyImport_AddModule("__main__"); /* borrowed */
    if (main_module == NULL) {
        return exit_status_from_exception();
    }
    PyObject *globals = PyModule_GetDict(main_module); /* borrowed */
    if (PyDict_GetItemString(globals, "__builtins__") == NULL
        && PyDict_SetItemString(globals, "__builtins__",
                                PyEval_GetBuiltins()) < 0) {
        return exit_status_from_exception();
    }
    if (loader != NULL
        && (PyDict_SetItemString(globals, "__spec__", Py_None) < 0
            || PyDict_SetItemString(globals, "__loader__", loader) < 0)) {
        return exit_status_from_exception();
    }
    PyObject *result = PyEval_EvalCode(code, globals, globals);
    if (result == NULL) {
        return exit_status_from_exception();
    }
    Py_DECREF(result);
    return 0;
}

/* Like `python main.py` for the in-memory resource `target`. */
static int
run_main_resource(PyObject *finder, const char *target)
{
    if (finder == NULL) {
        fprintf(stderr, "cannot run resource %s: oxidized_importer is "
                        "disabled\n", target);
        return 1;
    }
    PyObject *code = PyObject_CallMethod(finder, "get_code", "s", target);
    if (code == NULL) {
        return exit_status_from_exception();
    }
    if (!PyCode_Check(code)) {
        Py_DECREF(code);
        fprintf(stderr, "resource %s has no code to run\n", target);
        return 1;
    }
    /* Tracebacks through __main__ find its source under its real name. */
    PyObject *info = Py_BuildValue("(OsO)", ((PyCodeObject *)code)->co_filename,
                                   target, finder);
    if (info == NULL || install_excepthook(info) < 0) {
        Py_XDECREF(info);
        Py_DECREF(code);
        return exit_status_from_exception();
    }
    Py_DECREF(info);
    int status = exec_in_main(code, finder);
    Py_DECREF(code);
    return status;
}

/* Like `python -m target` (without rewriting sys.argv[0]). */
static int
run_module(const char *target)
{
    PyObject *runpy = PyImport_ImportModule("runpy");
    if (runpy == NULL) {
        return exit_status_from_exception();
    }
    PyObject *result = PyObject_CallMethod(runpy, "_run_module_as_main",
                                           "sO", target, Py_False);
    Py_DECREF(runpy);
    if (result == NULL) {
        return exit_status_from_exception();
    }
    Py_DECREF(result);
    return 0;
}

/* Like `python -c target`. */
static int
run_command(const char *target)
{
    PyCompilerFlags flags = _PyCompilerFlags_INIT;
    flags.cf_flags |= PyCF_IGNORE_COOKIE;
    PyObject *code = Py_CompileStringExFlags(target, "<string>",
                                             Py_file_input, &flags, -1);
    if (code == NULL) {
        return exit_status_from_exception();
    }
    int status = exec_in_main(code, NULL);
    Py_DECREF(code);
    return status;
}

/* Like `python` with no arguments: REPL when stdin is a terminal, else
 * run stdin as a script. */
static int
run_repl(const oxidizer_config *config)
{
    int interactive = isatty(fileno(stdin));
    if (interactive && config->settings.quiet != 1) {
        fprintf(stderr, "Python %s on %s\n", Py_GetVersion(),
                Py_GetPlatform());
        if (config->settings.site_import) {
            fprintf(stderr, "Type \"help\", \"copyright\", \"credits\" or "
                            "\"license\" for more information.\n");
        }
    }
    if (interactive) {
        PyObject *readline = PyImport_ImportModule("readline");
        if (readline == NULL) {
            PyErr_Clear();
        }
        Py_XDECREF(readline);
        PyObject *hook = PySys_GetObject("__interactivehook__");
        if (hook != NULL) {
            PyObject *result = PyObject_CallNoArgs(hook);
            if (result == NULL) {
                return exit_status_from_exception();
            }
            Py_DECREF(result);
        }
    }
    if (Py_MakePendingCalls() < 0) {
        return exit_status_from_exception();
    }
    PyCompilerFlags flags = _PyCompilerFlags_INIT;
    return PyRun_AnyFileExFlags(stdin, "<stdin>", 0, &flags) != 0;
}

/* Like `python path`: path is relative to the executable's directory unless
 * absolute; "$ORIGIN" is expanded. __file__ is the resolved path. */
static int
run_file(const char *path, const char *exe_dir, const char *argv0)
{
    /* exe_dir NULL: relative to the current directory (command line). */
    if (exe_dir == NULL) {
        exe_dir = ".";
    }
    char *expanded = oxidizer_expand_origin(path, exe_dir);
    if (expanded == NULL) {
        fprintf(stderr, "%s: out of memory\n", argv0);
        return 1;
    }
    char resolved[PATH_MAX];
    int n = expanded[0] == '/' || strcmp(exe_dir, ".") == 0
                ? snprintf(resolved, sizeof(resolved), "%s", expanded)
                : snprintf(resolved, sizeof(resolved), "%s/%s", exe_dir,
                           expanded);
    free(expanded);
    if (n < 0 || (size_t)n >= sizeof(resolved)) {
        fprintf(stderr, "%s: run_file path too long\n", argv0);
        return 1;
    }
    FILE *fp = fopen(resolved, "rb");
    if (fp == NULL) {
        /* Same message and status as python. */
        fprintf(stderr, "%s: can't open file '%s': [Errno %d] %s\n", argv0,
                resolved, errno, strerror(errno));
        return 2;
    }
    PyObject *main_module = PyImport_AddModule("__main__"); /* borrowed */
    PyObject *globals = main_module ? PyModule_GetDict(main_module) : NULL;
    PyObject *filename = PyUnicode_DecodeFSDefault(resolved);
    if (globals == NULL || filename == NULL
        || PyDict_SetItemString(globals, "__file__", filename) < 0
        || PyDict_SetItemString(globals, "__cached__", Py_None) < 0
        || (PyDict_GetItemString(globals, "__builtins__") == NULL
            && PyDict_SetItemString(globals, "__builtins__",
                                    PyEval_GetBuiltins()) < 0)) {
        Py_XDECREF(filename);
        fclose(fp);
        return exit_status_from_exception();
    }
    Py_DECREF(filename);
    PyCompilerFlags flags = _PyCompilerFlags_INIT;
    PyObject *result = PyRun_FileExFlags(fp, resolved, Py_file_input, globals,
                                         globals, 1, &flags); /* closes fp */
    if (result == NULL) {
        return exit_status_from_exception();
    }
    Py_DECREF(result);
    return 0;
}

/* Sets sys.argv to [first] + argv[from:]. */
static int
set_sys_argv(const char *first, int from, int argc, char **argv)
{
    PyObject *list = PyList_New(0);
    if (list == NULL) {
        return -1;
    }
    for (int i = from - 1; i < argc; i++) {
        PyObject *item = PyUnicode_DecodeFSDefault(i == from - 1 ? first
                                                                 : argv[i]);
        if (item == NULL || PyList_Append(list, item) < 0) {
            Py_XDECREF(item);
            Py_DECREF(list);
            return -1;
        }
        Py_DECREF(item);
    }
    int rc = PySys_SetObject("argv", list);
    Py_DECREF(list);
    return rc;
}

/* PyOxidizer's multiprocessing auto dispatch. multiprocessing re-executes
 * sys.executable (this binary) for spawn children (frozen:
 * `--multiprocessing-fork key=value...`), and with interpreter flags and
 * `-c 'from multiprocessing...'` for the forkserver, the resource tracker
 * and non-frozen spawn children. Runs that code instead of the entry point.
 * Returns -1 when argv is not such a command line, else an exit status. */
/* A spawn child re-imports the parent's __main__ to unpickle what it
 * defines (multiprocessing's _fixup_main_from_name/_path). A main resource
 * has neither __spec__ nor __file__ (as `python main.py` has no spec), so the
 * child does it here: run the main resource as __mp_main__ (its
 * `if __name__ == "__main__":` block stays off) and alias it as __main__. */
static int
prepare_spawn_main(PyObject *finder, const char *target)
{
    static const char script[] =
        "import sys, types\n"
        "_m = types.ModuleType('__mp_main__')\n"
        "_m.__loader__ = _finder\n"
        "_m.__spec__ = None\n"
        "_m.__builtins__ = __builtins__\n"
        "sys.modules['__mp_main__'] = sys.modules['__main__'] = _m\n"
        "exec(_finder.get_code(_target), _m.__dict__)\n";
    PyObject *globals = PyDict_New();
    if (globals == NULL) {
        return -1;
    }
    PyObject *name = PyUnicode_FromString(target);
    int rc = -1;
    if (name != NULL
        && PyDict_SetItemString(globals, "__builtins__",
                                PyEval_GetBuiltins()) == 0
        && PyDict_SetItemString(globals, "_finder", finder) == 0
        && PyDict_SetItemString(globals, "_target", name) == 0) {
        PyObject *result = PyRun_String(script, Py_file_input, globals,
                                        globals);
        if (result != NULL) {
            Py_DECREF(result);
            rc = 0;
        }
    }
    Py_XDECREF(name);
    Py_DECREF(globals);
    return rc;
}

static int
multiprocessing_dispatch(const oxidizer_config *config, PyObject *finder,
                         int argc, char **argv)
{
    if (argc < 2) {
        return -1;
    }
    if (strcmp(argv[1], "--multiprocessing-fork") == 0) {
        if (config->run_mode == OXIDIZER_RUN_MAIN_RESOURCE && finder != NULL
            && config->run_target != NULL
            && prepare_spawn_main(finder, config->run_target) < 0) {
            return exit_status_from_exception();
        }
        /* Parses sys.argv[2:] and calls spawn_main(); exits via SystemExit. */
        return run_command("from multiprocessing.spawn import freeze_support\n"
                           "freeze_support()\n");
    }
    /* Flags of subprocess._args_from_interpreter_flags(), then -c CODE. */
    int i = 1;
    while (i < argc && argv[i][0] == '-' && argv[i][1] != '\0'
           && strcmp(argv[i], "-c") != 0 && strcmp(argv[i], "-m") != 0
           && strcmp(argv[i], "--") != 0) {
        if (strcmp(argv[i], "-W") == 0 || strcmp(argv[i], "-X") == 0) {
            i++;
        }
        i++;
    }
    static const char prefix[] = "from multiprocessing.";
    if (i + 1 >= argc || strcmp(argv[i], "-c") != 0
        || strncmp(argv[i + 1], prefix, sizeof(prefix) - 1) != 0) {
        return -1;
    }
    if (set_sys_argv("-c", i + 2, argc, argv) < 0) {
        return exit_status_from_exception();
    }
    return run_command(argv[i + 1]);
}

static int
set_start_method(const char *method)
{
    PyObject *mp = PyImport_ImportModule("multiprocessing");
    if (mp == NULL) {
        return -1;
    }
    PyObject *kwargs = Py_BuildValue("{sO}", "force", Py_True);
    PyObject *args = Py_BuildValue("(s)", method);
    PyObject *set = PyObject_GetAttrString(mp, "set_start_method");
    PyObject *result = NULL;
    if (kwargs != NULL && args != NULL && set != NULL) {
        result = PyObject_Call(set, args, kwargs);
    }
    Py_XDECREF(set);
    Py_XDECREF(args);
    Py_XDECREF(kwargs);
    Py_DECREF(mp);
    if (result == NULL) {
        return -1;
    }
    Py_DECREF(result);
    return 0;
}

/* Runs a wide string (from PyConfig) as a command or module. */
static int
run_wide(const wchar_t *text, int as_module)
{
    PyObject *str = PyUnicode_FromWideChar(text, -1);
    if (str == NULL) {
        return exit_status_from_exception();
    }
    const char *utf8 = PyUnicode_AsUTF8(str);
    int status = utf8 == NULL ? exit_status_from_exception()
                 : as_module  ? run_module(utf8)
                              : run_command(utf8);
    Py_DECREF(str);
    return status;
}

static int
run(const oxidizer_config *config, PyObject *finder, const PyConfig *parsed,
    const char *exe_dir, int argc, char **argv)
{
    const char *argv0 = argc > 0 && argv[0] != NULL ? argv[0] : "oxidizer";
    if (config->settings.multiprocessing_auto_dispatch) {
        int status = multiprocessing_dispatch(config, finder, argc, argv);
        if (status >= 0) {
            return status;
        }
    }
    if (config->settings.multiprocessing_start_method != NULL
        && set_start_method(config->settings.multiprocessing_start_method) < 0) {
        return exit_status_from_exception();
    }
    /* parse_argv: -c, -m or a file on the command line wins, like python. */
    if (parsed != NULL && parsed->parse_argv) {
        if (parsed->run_command != NULL) {
            return run_wide(parsed->run_command, 0);
        }
        if (parsed->run_module != NULL) {
            return run_wide(parsed->run_module, 1);
        }
        if (parsed->run_filename != NULL) {
            char *path = Py_EncodeLocale(parsed->run_filename, NULL);
            if (path == NULL) {
                fprintf(stderr, "%s: cannot encode the file name\n", argv0);
                return 1;
            }
            int status = run_file(path, path[0] == '/' ? exe_dir : NULL,
                                  argv0);
            PyMem_Free(path);
            return status;
        }
    }
    const char *target = config->run_target ? config->run_target : "";
    switch (config->run_mode) {
    case OXIDIZER_RUN_MAIN_RESOURCE:
        return run_main_resource(finder, target);
    case OXIDIZER_RUN_MODULE:
        return run_module(target);
    case OXIDIZER_RUN_COMMAND:
        return run_command(target);
    case OXIDIZER_RUN_REPL:
        return run_repl(config);
    case OXIDIZER_RUN_FILE:
        return run_file(target, exe_dir, argv0);
    }
    fprintf(stderr, "unknown run mode %d\n", (int)config->run_mode);
    return 1;
}

/* write_modules_directory_env: writes the names in sys.modules to
 * $ENV/modules-<pid>-<random>, creating the directory. Failures are
 * reported on stderr and do not change the exit status. */
static void
write_modules(const char *directory)
{
    static const char code[] =
        "import os, sys\n"
        "os.makedirs(_dir, exist_ok=True)\n"
        "_path = os.path.join(_dir, 'modules-%d-%s' % (os.getpid(), os.urandom(8).hex()))\n"
        "with open(_path, 'w', encoding='utf-8') as _f:\n"
        "    _f.write(''.join(name + '\\n' for name in sorted(sys.modules)))\n";
    PyObject *globals = PyDict_New();
    PyObject *dir = PyUnicode_DecodeFSDefault(directory);
    PyObject *result = NULL;
    if (globals != NULL && dir != NULL
        && PyDict_SetItemString(globals, "__builtins__",
                                PyEval_GetBuiltins()) == 0
        && PyDict_SetItemString(globals, "_dir", dir) == 0) {
        result = PyRun_String(code, Py_file_input, globals, globals);
    }
    if (result == NULL) {
        print_exception_fallback("write_modules_directory_env");
    }
    Py_XDECREF(result);
    Py_XDECREF(dir);
    Py_XDECREF(globals);
}

int
oxidizer_run(const oxidizer_config *config, int argc, char **argv)
{
    const char *argv0 = argc > 0 && argv[0] != NULL ? argv[0] : "oxidizer";

    char exe[PATH_MAX];
    if (realpath("/proc/self/exe", exe) == NULL
        && realpath(argv0, exe) == NULL) {
        fprintf(stderr, "%s: cannot resolve the executable path\n", argv0);
        return 1;
    }
    char exe_dir[PATH_MAX];
    strcpy(exe_dir, exe);
    char *slash = strrchr(exe_dir, '/');
    if (slash == exe_dir) {
        slash[1] = '\0';
    }
    else if (slash != NULL) {
        *slash = '\0';
    }

    const oxidizer_packed_blob *packed = config->packed_blobs;
    size_t count = config->packed_blob_count;
    oxidizer_packed_blob *mapped = NULL;
    if (config->packed_load_mode == OXIDIZER_LOAD_MAPPED) {
        if (oxidizer_map_packed_file(config, exe_dir, argv0, &mapped,
                                     &count) < 0) {
            return 1;
        }
        packed = mapped;
    }
    else if (config->packed_load_mode == OXIDIZER_LOAD_NONE) {
        count = 0;
    }

    /* Parse every blob before touching Python, so corrupt data is a clean
     * error and not a crash half-way through initialization. */
    oxr_index *indexes = calloc(count ? count : 1, sizeof(oxr_index));
    if (indexes == NULL) {
        fprintf(stderr, "%s: out of memory\n", argv0);
        return 1;
    }
    for (size_t i = 0; i < count; i++) {
        const oxidizer_packed_blob *blob = &packed[i];
        char err[256] = "";
        if (blob->end < blob->start
            || oxr_index_parse(blob->start, (size_t)(blob->end - blob->start),
                               &indexes[i], err, sizeof(err)) != OXR_OK) {
            fprintf(stderr, "%s: corrupt packed resources \"%s\": %s\n",
                    argv0, blob->name ? blob->name : "?",
                    err[0] ? err : "invalid blob bounds");
            free_indexes(indexes, i);
            return 1;
        }
    }

    /* terminfo_resolution = static:DIRS (never overrides the user's). */
    const char *terminfo = config->settings.terminfo_resolution;
    if (terminfo != NULL && strncmp(terminfo, "static:", 7) == 0
        && getenv("TERMINFO_DIRS") == NULL
        && setenv("TERMINFO_DIRS", terminfo + 7, 0) < 0) {
        fprintf(stderr, "%s: cannot set TERMINFO_DIRS\n", argv0);
        free_indexes(indexes, count);
        return 1;
    }

    /* TLS trust store: where this host keeps it, unless the user said. */
    if (config->settings.tls_ca_probe && oxidizer_ca_probe_apply("") < 0) {
        fprintf(stderr, "%s: cannot set SSL_CERT_FILE/SSL_CERT_DIR: %s\n",
                argv0, strerror(errno));
        free_indexes(indexes, count);
        return 1;
    }

    if (oxidizer_remove_builtins(config->excluded_builtins,
                                 config->excluded_builtin_count) < 0) {
        fprintf(stderr, "%s: out of memory\n", argv0);
        free_indexes(indexes, count);
        return 1;
    }
    if (PyImport_AppendInittab("oxidized_importer",
                               PyInit_oxidized_importer) < 0) {
        fprintf(stderr, "%s: cannot register oxidized_importer\n", argv0);
        oxidizer_free_builtin_filter();
        free_indexes(indexes, count);
        return 1;
    }
    for (size_t i = 0; i < config->builtin_extension_count; i++) {
        const oxidizer_builtin_extension *ext = &config->builtin_extensions[i];
        if (PyImport_AppendInittab(ext->name, ext->init) < 0) {
            fprintf(stderr, "%s: cannot register built-in extension %s\n",
                    argv0, ext->name);
            oxidizer_free_builtin_filter();
            free_indexes(indexes, count);
            return 1;
        }
    }

    /* The finder reads the blob count from the config it is given. */
    oxidizer_config effective = *config;
    effective.packed_blob_count = count;
    config = &effective;

    PyConfig py_config;
    PyObject *finder = NULL;
    PyStatus status = oxidizer_build_config(&py_config, config, argc, argv,
                                            exe, exe_dir);
    if (!PyStatus_Exception(status)) {
        status = start_interpreter(&py_config, config, indexes, exe, exe_dir,
                                   &finder);
    }
    if (PyStatus_Exception(status)) {
        PyConfig_Clear(&py_config);
        /* The indexes are not freed: Python may still reference them and
         * Py_ExitStatusException() exits the process. */
        Py_ExitStatusException(status);
    }

    int exitcode;
    if (configure_sys(config, argc, argv, exe_dir) < 0) {
        exitcode = exit_status_from_exception();
    }
    else {
        exitcode = run(config, finder, &py_config, exe_dir, argc, argv);
        if (py_config.inspect && !unhandled_keyboard_interrupt) {
            /* python -i: the REPL after the entry point. */
            exitcode = run_repl(config);
        }
    }
    PyConfig_Clear(&py_config);
    if (config->settings.write_modules_directory_env != NULL) {
        const char *directory = getenv(config->settings.write_modules_directory_env);
        if (directory != NULL && directory[0] != '\0') {
            write_modules(directory);
        }
    }
    Py_XDECREF(finder);
    if (config->settings.fast_exit) {
        oxidizer_fast_exit(exitcode, unhandled_keyboard_interrupt);
    }
    if (Py_FinalizeEx() < 0) {
        /* e.g. flushing sys.stdout failed; same value as python. */
        exitcode = 120;
    }
    oxidizer_free_builtin_filter();
    free_indexes(indexes, count);
    if (unhandled_keyboard_interrupt) {
        exitcode = oxidizer_exit_sigint();
    }
    return exitcode;
}
