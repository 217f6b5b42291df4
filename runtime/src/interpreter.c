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

#include "inittab.h"
#include "ca_probe.h"
#include "excepthook.h"
#include "fast_exit.h"
#include "mapped_file.h"
#include "oxidized_importer.h"
#include "oxidizer/config.h"
#include "oxidizer/packed_resources.h"
#include "run_modes.h"
#include "start_config.h"

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
    if (oxidizer_install_excepthook(NULL) < 0) {
        return -1;
    }
    return PySys_SetObject("oxidized", Py_True);
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
    /* A binary that generates its own inittab lists oxidized_importer (and its
     * ext_modules) there; one built on a libpython with its own inittab appends
     * them, which copies the table. */
    static const char importer[] = "oxidized_importer";
    if (!oxidizer_inittab_has(importer, sizeof(importer) - 1)
        && PyImport_AppendInittab(importer, PyInit_oxidized_importer) < 0) {
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
        exitcode = oxidizer_exit_status_from_exception();
    }
    else {
        exitcode = oxidizer_run_entry_point(config, finder, &py_config,
                                            exe_dir, argc, argv);
        if (py_config.inspect && !oxidizer_unhandled_keyboard_interrupt()) {
            /* python -i: the REPL after the entry point. */
            exitcode = oxidizer_run_repl(config);
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
        oxidizer_fast_exit(exitcode, oxidizer_unhandled_keyboard_interrupt());
    }
    if (Py_FinalizeEx() < 0) {
        /* e.g. flushing sys.stdout failed; same value as python. */
        exitcode = 120;
    }
    oxidizer_free_builtin_filter();
    free_indexes(indexes, count);
    if (oxidizer_unhandled_keyboard_interrupt()) {
        exitcode = oxidizer_exit_sigint();
    }
    return exitcode;
}
