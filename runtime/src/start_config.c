/* PyPreConfig and PyConfig from the embedded oxidizer_config: what a
 * binary's interpreter settings (oxidizer/private/interpreter_settings.bzl)
 * mean to CPython. */
#include "start_config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Returns a malloc'd copy of s with every "$ORIGIN" replaced by origin. */
char *
oxidizer_expand_origin(const char *s, const char *origin)
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

static PyStatus
append_search_path(PyConfig *py_config, const char *path, const char *exe_dir)
{
    char *expanded = oxidizer_expand_origin(path, exe_dir);
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

/* Appends the UTF-8 strings of a NULL-terminated array to a PyWideStringList. */
static PyStatus
append_strings(PyWideStringList *list, const char *const *strings)
{
    for (const char *const *p = strings; p != NULL && *p != NULL; p++) {
        wchar_t *wide = Py_DecodeLocale(*p, NULL);
        if (wide == NULL) {
            return PyStatus_Error("cannot decode an interpreter option");
        }
        PyStatus status = PyWideStringList_Append(list, wide);
        PyMem_RawFree(wide);
        if (PyStatus_Exception(status)) {
            return status;
        }
    }
    return PyStatus_Ok();
}

/* The embedded allocator values are CPython's PyMemAllocatorName. */
static int
is_setting(const char *value, const char *expected)
{
    return value != NULL && strcmp(value, expected) == 0;
}

/* The allocator setting's names (PyOxidizer's spelling) as PyMemAllocatorName;
 * PYMEM_ALLOCATOR_NOT_SET for none. */
static PyMemAllocatorName
allocator_name(const char *name)
{
    static const struct {
        const char *name;
        PyMemAllocatorName value;
    } names[] = {
        {OXIDIZER_ALLOCATOR_NOT_SET, PYMEM_ALLOCATOR_NOT_SET},
        {OXIDIZER_ALLOCATOR_DEFAULT, PYMEM_ALLOCATOR_DEFAULT},
        {OXIDIZER_ALLOCATOR_DEBUG, PYMEM_ALLOCATOR_DEBUG},
        {OXIDIZER_ALLOCATOR_MALLOC, PYMEM_ALLOCATOR_MALLOC},
        {OXIDIZER_ALLOCATOR_MALLOC_DEBUG, PYMEM_ALLOCATOR_MALLOC_DEBUG},
        {OXIDIZER_ALLOCATOR_PY_MALLOC, PYMEM_ALLOCATOR_PYMALLOC},
        {OXIDIZER_ALLOCATOR_PY_MALLOC_DEBUG, PYMEM_ALLOCATOR_PYMALLOC_DEBUG},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (is_setting(name, names[i].name)) {
            return names[i].value;
        }
    }
    return PYMEM_ALLOCATOR_NOT_SET;
}

/* PyConfig.bytes_warning from the bytes_warning setting. */
static int
bytes_warning_level(const char *name)
{
    if (is_setting(name, OXIDIZER_BYTES_WARNING_RAISE)) {
        return 2;
    }
    return is_setting(name, OXIDIZER_BYTES_WARNING_WARN) ? 1 : 0;
}

/* See start_config.h. */
PyStatus
oxidizer_build_config(PyConfig *py_config, const oxidizer_config *config,
                      int argc, char **argv, const char *exe,
                      const char *exe_dir)
{
    PyStatus status;
    PyPreConfig preconfig;
    const oxidizer_settings *settings = &config->settings;
    int python_profile = is_setting(settings->config_profile,
                                    OXIDIZER_CONFIG_PROFILE_PYTHON);
    int parse_argv = config->settings.parse_argv == 1;
    /* Locale handling like `python -I`: C locale coercion and UTF-8 mode
     * when LC_CTYPE is the legacy C locale. */
    PyPreConfig_InitPythonConfig(&preconfig);
    preconfig.parse_argv = parse_argv;
    if (!python_profile) {
        /* The isolated profile ignores PYTHON* variables. */
        preconfig.use_environment = 0;
        preconfig.isolated = settings->user_site_directory != 1;
    }
    if (allocator_name(settings->allocator) != PYMEM_ALLOCATOR_NOT_SET) {
        preconfig.allocator = allocator_name(settings->allocator);
    }
    if (config->settings.utf8_mode >= 0) {
        preconfig.utf8_mode = config->settings.utf8_mode;
    }
    if (config->settings.development_mode >= 0) {
        preconfig.dev_mode = config->settings.development_mode;
    }
    status = parse_argv ? Py_PreInitializeFromBytesArgs(&preconfig, argc, argv)
                        : Py_PreInitialize(&preconfig);
    if (PyStatus_Exception(status)) {
        return status;
    }

    if (python_profile) {
        PyConfig_InitPythonConfig(py_config);
    }
    else {
        PyConfig_InitIsolatedConfig(py_config);
        py_config->isolated = preconfig.isolated;
        py_config->use_environment = preconfig.use_environment;
        py_config->safe_path = 1;
        /* No .pyc files next to the binary unless asked for. */
        py_config->write_bytecode = 0;
    }
    py_config->parse_argv = parse_argv;
    py_config->install_signal_handlers = 1;
    py_config->configure_c_stdio = 1;
    py_config->pathconfig_warnings = 0;
    py_config->site_import = config->settings.site_import;
    py_config->optimization_level = config->settings.optimization_level;
    py_config->bytes_warning = bytes_warning_level(settings->bytes_warning);
    if (config->settings.user_site_directory >= 0) {
        py_config->user_site_directory = config->settings.user_site_directory;
    }
    if (config->settings.write_bytecode >= 0) {
        py_config->write_bytecode = config->settings.write_bytecode;
    }
    if (config->settings.buffered_stdio >= 0) {
        py_config->buffered_stdio = config->settings.buffered_stdio;
    }
    if (config->settings.development_mode >= 0) {
        py_config->dev_mode = config->settings.development_mode;
    }
    if (config->settings.inspect >= 0) {
        py_config->inspect = config->settings.inspect;
    }
    if (config->settings.interactive >= 0) {
        py_config->interactive = config->settings.interactive;
    }
    if (config->settings.quiet >= 0) {
        py_config->quiet = config->settings.quiet;
    }
    if (config->settings.verbose >= 0) {
        py_config->verbose = config->settings.verbose;
    }
    if (config->settings.fault_handler >= 0) {
        py_config->faulthandler = config->settings.fault_handler;
    }
    if (config->settings.tracemalloc >= 0) {
        py_config->tracemalloc = config->settings.tracemalloc;
    }
    if (config->settings.use_hash_seed || config->settings.hash_seed >= 0) {
        py_config->use_hash_seed = 1;
        py_config->hash_seed = config->settings.hash_seed;
    }
    const char *strings[][2] = {
        {config->settings.stdio_encoding, "stdio_encoding"},
        {config->settings.stdio_errors, "stdio_errors"},
        {config->settings.check_hash_pycs_mode, "check_hash_pycs_mode"},
    };
    wchar_t **fields[] = {&py_config->stdio_encoding, &py_config->stdio_errors,
                          &py_config->check_hash_pycs_mode};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (strings[i][0] != NULL && strings[i][0][0] != '\0') {
            status = PyConfig_SetBytesString(py_config, fields[i],
                                             strings[i][0]);
            if (PyStatus_Exception(status)) {
                return status;
            }
        }
    }
    status = append_strings(&py_config->warnoptions, config->settings.warn_options);
    if (PyStatus_Exception(status)) {
        return status;
    }
    status = append_strings(&py_config->xoptions, config->settings.x_options);
    if (PyStatus_Exception(status)) {
        return status;
    }

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
    if (config->settings.module_search_paths != NULL) {
        for (const char *const *p = config->settings.module_search_paths; *p != NULL;
             p++) {
            status = append_search_path(py_config, *p, exe_dir);
            if (PyStatus_Exception(status)) {
                return status;
            }
        }
    }
    if (parse_argv) {
        /* Parses argv now, so run() sees -c/-m/FILE of the command line. */
        status = PyConfig_Read(py_config);
        if (PyStatus_Exception(status)) {
            return status;
        }
    }
    return PyStatus_Ok();
}
