/* The run modes: what a binary runs once the interpreter is up (main
 * resource, module, command, file, REPL, the command lines of
 * multiprocessing's children) and how the outcome becomes an exit status,
 * with the semantics of `python`. */
#include "run_modes.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "excepthook.h"
#include "start_config.h"

/* Set when the run ended with an uncaught KeyboardInterrupt: like python we
 * then die of SIGINT (or exit 130) after finalization. */
static int unhandled_keyboard_interrupt;

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
int
oxidizer_exit_status_from_exception(void)
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
        return oxidizer_exit_status_from_exception();
    }
    PyObject *globals = PyModule_GetDict(main_module); /* borrowed */
    if (PyDict_GetItemString(globals, "__builtins__") == NULL
        && PyDict_SetItemString(globals, "__builtins__",
                                PyEval_GetBuiltins()) < 0) {
        return oxidizer_exit_status_from_exception();
    }
    if (loader != NULL
        && (PyDict_SetItemString(globals, "__spec__", Py_None) < 0
            || PyDict_SetItemString(globals, "__loader__", loader) < 0)) {
        return oxidizer_exit_status_from_exception();
    }
    PyObject *result = PyEval_EvalCode(code, globals, globals);
    if (result == NULL) {
        return oxidizer_exit_status_from_exception();
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
        return oxidizer_exit_status_from_exception();
    }
    if (!PyCode_Check(code)) {
        Py_DECREF(code);
        fprintf(stderr, "resource %s has no code to run\n", target);
        return 1;
    }
    /* Tracebacks through __main__ find its source under its real name. */
    PyObject *info = Py_BuildValue("(OsO)", ((PyCodeObject *)code)->co_filename,
                                   target, finder);
    if (info == NULL || oxidizer_install_excepthook(info) < 0) {
        Py_XDECREF(info);
        Py_DECREF(code);
        return oxidizer_exit_status_from_exception();
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
        return oxidizer_exit_status_from_exception();
    }
    PyObject *result = PyObject_CallMethod(runpy, "_run_module_as_main",
                                           "sO", target, Py_False);
    Py_DECREF(runpy);
    if (result == NULL) {
        return oxidizer_exit_status_from_exception();
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
        return oxidizer_exit_status_from_exception();
    }
    int status = exec_in_main(code, NULL);
    Py_DECREF(code);
    return status;
}

/* Like `python` with no arguments: REPL when stdin is a terminal, else
 * run stdin as a script. */
int
oxidizer_run_repl(const oxidizer_config *config)
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
                return oxidizer_exit_status_from_exception();
            }
            Py_DECREF(result);
        }
    }
    if (Py_MakePendingCalls() < 0) {
        return oxidizer_exit_status_from_exception();
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
        return oxidizer_exit_status_from_exception();
    }
    Py_DECREF(filename);
    PyCompilerFlags flags = _PyCompilerFlags_INIT;
    PyObject *result = PyRun_FileExFlags(fp, resolved, Py_file_input, globals,
                                         globals, 1, &flags); /* closes fp */
    if (result == NULL) {
        return oxidizer_exit_status_from_exception();
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

/* PyOxidizer's multiprocessing auto dispatch. multiprocessing re-executes
 * sys.executable (this binary) for spawn children (frozen:
 * `--multiprocessing-fork key=value...`), and with interpreter flags and
 * `-c 'from multiprocessing...'` for the forkserver, the resource tracker
 * and non-frozen spawn children. Runs that code instead of the entry point.
 * Returns -1 when argv is not such a command line, else an exit status. */
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
            return oxidizer_exit_status_from_exception();
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
        return oxidizer_exit_status_from_exception();
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
        return oxidizer_exit_status_from_exception();
    }
    const char *utf8 = PyUnicode_AsUTF8(str);
    int status = utf8 == NULL ? oxidizer_exit_status_from_exception()
                 : as_module  ? run_module(utf8)
                              : run_command(utf8);
    Py_DECREF(str);
    return status;
}

/* See run_modes.h. */
int
oxidizer_run_entry_point(const oxidizer_config *config, PyObject *finder,
                         const PyConfig *parsed, const char *exe_dir, int argc,
                         char **argv)
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
        return oxidizer_exit_status_from_exception();
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
        return oxidizer_run_repl(config);
    case OXIDIZER_RUN_FILE:
        return run_file(target, exe_dir, argv0);
    }
    fprintf(stderr, "unknown run mode %d\n", (int)config->run_mode);
    return 1;
}

/* See run_modes.h. */
int
oxidizer_unhandled_keyboard_interrupt(void)
{
    return unhandled_keyboard_interrupt;
}
