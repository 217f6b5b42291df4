/* oxidizer_run(): parses the embedded packed resources, starts CPython with
 * our OxidizedFinder at sys.meta_path[0], runs the configured code and
 * finalizes, returning an exit status with the semantics of `python`. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oxidized_importer.h"
#include "oxidizer/config.h"
#include "oxidizer/packed_resources.h"

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

/* Returns a malloc'd copy of s with every "$ORIGIN" replaced by origin. */
static char *
expand_origin(const char *s, const char *origin)
{
    static const char token[] = "$ORIGIN";
    const size_t token_len = sizeof(token) - 1;
    size_t origin_len = strlen(origin);
    size_t count = 0;
    for (const char *p = strstr(s, token); p != NULL;
         p = strstr(p + token_len, token)) {
        count++;
    }
    size_t len = strlen(s);
    if (count > 0 && origin_len > (SIZE_MAX - len - 1) / count) {
        return NULL;
    }
    /* len - count * token_len cannot underflow: the tokens are in s. */
    char *out = malloc(len - count * token_len + count * origin_len + 1);
    if (out == NULL) {
        return NULL;
    }
    char *o = out;
    const char *p = s;
    for (const char *q = strstr(p, token); q != NULL;
         q = strstr(p, token)) {
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        memcpy(o, origin, origin_len);
        o += origin_len;
        p = q + token_len;
    }
    strcpy(o, p);
    return out;
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

/* Creates the OxidizedFinder and inserts it at sys.meta_path[0]. Returns a
 * new reference to it. */
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
        .optimization_level = config->optimization_level,
        .virtual_module_file = config->virtual_module_file,
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
    if (PyList_Insert(meta_path, 0, finder) < 0) {
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
 * NULL when config->oxidized_importer is off). */
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
    if (config->oxidized_importer) {
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
    int stub_zipimport = !config->filesystem_importer;
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

static PyStatus
append_search_path(PyConfig *py_config, const char *path, const char *exe_dir)
{
    char *expanded = expand_origin(path, exe_dir);
    if (expanded == NULL) {
        return PyStatus_NoMemory();
    }
    wchar_t *wide = Py_DecodeLocale(expanded, NULL);
    free(expanded);
    if (wide == NULL) {
        return PyStatus_Error("cannot decode module search path");
    }
    PyStatus status = PyWideStringList_Append(&py_config->module_search_paths,
                                              wide);
    PyMem_RawFree(wide);
    return status;
}

static PyStatus
build_config(PyConfig *py_config, const oxidizer_config *config, int argc,
             char **argv, const char *exe, const char *exe_dir)
{
    PyStatus status;
    PyPreConfig preconfig;
    /* Locale handling like `python -I`: C locale coercion and UTF-8 mode
     * when LC_CTYPE is the legacy C locale. */
    PyPreConfig_InitPythonConfig(&preconfig);
    preconfig.parse_argv = 0;
    preconfig.use_environment = !config->ignore_environment;
    preconfig.isolated = config->ignore_environment
                         && !config->user_site_directory;
    status = Py_PreInitialize(&preconfig);
    if (PyStatus_Exception(status)) {
        return status;
    }

    PyConfig_InitIsolatedConfig(py_config);
    py_config->isolated = preconfig.isolated;
    py_config->use_environment = preconfig.use_environment;
    py_config->parse_argv = 0;
    py_config->install_signal_handlers = 1;
    py_config->configure_c_stdio = 1;
    py_config->safe_path = 1;
    py_config->pathconfig_warnings = 0;
    py_config->site_import = config->site_import;
    py_config->user_site_directory = config->user_site_directory;
    py_config->write_bytecode = config->write_bytecode;
    py_config->buffered_stdio = config->buffered_stdio;
    py_config->optimization_level = config->optimization_level;

    status = PyConfig_SetBytesArgv(py_config, argc, argv);
    if (PyStatus_Exception(status)) {
        return status;
    }
    status = PyConfig_SetBytesString(py_config, &py_config->program_name,
                                     exe);
    if (PyStatus_Exception(status)) {
        return status;
    }
    status = PyConfig_SetBytesString(py_config, &py_config->executable, exe);
    if (PyStatus_Exception(status)) {
        return status;
    }
    /* home + explicit module search paths: getpath does not go looking for
     * a stdlib on disk. */
    status = PyConfig_SetBytesString(py_config, &py_config->home, exe_dir);
    if (PyStatus_Exception(status)) {
        return status;
    }
    py_config->module_search_paths_set = 1;
    if (config->module_search_paths != NULL) {
        for (const char *const *p = config->module_search_paths; *p != NULL;
             p++) {
            status = append_search_path(py_config, *p, exe_dir);
            if (PyStatus_Exception(status)) {
                return status;
            }
        }
    }
    return PyStatus_Ok();
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

static int
configure_sys(const oxidizer_config *config)
{
    if (!config->filesystem_importer && remove_path_finder() < 0) {
        return -1;
    }
    if (config->sys_frozen && PySys_SetObject("frozen", Py_True) < 0) {
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
    if (interactive) {
        fprintf(stderr, "Python %s on %s\n", Py_GetVersion(),
                Py_GetPlatform());
        if (config->site_import) {
            fprintf(stderr, "Type \"help\", \"copyright\", \"credits\" or "
                            "\"license\" for more information.\n");
        }
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

static int
run(const oxidizer_config *config, PyObject *finder)
{
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
    }
    fprintf(stderr, "unknown run mode %d\n", (int)config->run_mode);
    return 1;
}

static int
exit_sigint(void)
{
    /* Die of SIGINT so a calling shell sees it, like python. */
    if (signal(SIGINT, SIG_DFL) != SIG_ERR) {
        kill(getpid(), SIGINT);
    }
    return 128 + SIGINT;
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

    /* Parse every blob before touching Python, so corrupt data is a clean
     * error and not a crash half-way through initialization. */
    size_t count = config->packed_blob_count;
    oxr_index *indexes = calloc(count ? count : 1, sizeof(oxr_index));
    if (indexes == NULL) {
        fprintf(stderr, "%s: out of memory\n", argv0);
        return 1;
    }
    for (size_t i = 0; i < count; i++) {
        const oxidizer_packed_blob *blob = &config->packed_blobs[i];
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

    if (PyImport_AppendInittab("oxidized_importer",
                               PyInit_oxidized_importer) < 0) {
        fprintf(stderr, "%s: cannot register oxidized_importer\n", argv0);
        free_indexes(indexes, count);
        return 1;
    }

    PyConfig py_config;
    PyObject *finder = NULL;
    PyStatus status = build_config(&py_config, config, argc, argv, exe,
                                   exe_dir);
    if (!PyStatus_Exception(status)) {
        status = start_interpreter(&py_config, config, indexes, exe, exe_dir,
                                   &finder);
    }
    PyConfig_Clear(&py_config);
    if (PyStatus_Exception(status)) {
        /* The indexes are not freed: Python may still reference them and
         * Py_ExitStatusException() exits the process. */
        Py_ExitStatusException(status);
    }

    int exitcode;
    if (configure_sys(config) < 0) {
        exitcode = exit_status_from_exception();
    }
    else {
        exitcode = run(config, finder);
    }
    Py_XDECREF(finder);
    if (Py_FinalizeEx() < 0) {
        /* e.g. flushing sys.stdout failed; same value as python. */
        exitcode = 120;
    }
    free_indexes(indexes, count);
    if (unhandled_keyboard_interrupt) {
        exitcode = exit_sigint();
    }
    return exitcode;
}
