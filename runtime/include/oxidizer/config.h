/* The interpreter configuration embedded in every py_oxidized_binary.
 *
 * A build action generates one C file that defines oxidizer_embedded_config
 * (and embeds the packed-resources blobs with .incbin); runtime/src/main.c
 * passes it to oxidizer_run(). Keep this struct append-only in spirit: the
 * generator (tools/oxidizer_tools/embed.py) writes designated initializers.
 */
#ifndef OXIDIZER_CONFIG_H
#define OXIDIZER_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    /* Execute the bytecode of resource `run_target` (a module name) as
     * __main__, like `python main.py` (__spec__ is None). */
    OXIDIZER_RUN_MAIN_RESOURCE = 1,
    /* runpy._run_module_as_main(run_target), like `python -m`. */
    OXIDIZER_RUN_MODULE = 2,
    /* Execute run_target as source text in __main__, like `python -c`. */
    OXIDIZER_RUN_COMMAND = 3,
    /* Interactive interpreter. */
    OXIDIZER_RUN_REPL = 4,
    /* Run the file run_target (relative paths and "$ORIGIN/..." resolved
     * against the executable's directory), like `python FILE`. */
    OXIDIZER_RUN_FILE = 5,
} oxidizer_run_mode;

typedef enum {
    OXIDIZER_PROFILE_ISOLATED = 0, /* PyConfig_InitIsolatedConfig */
    OXIDIZER_PROFILE_PYTHON = 1,   /* PyConfig_InitPythonConfig */
} oxidizer_config_profile;

typedef enum {
    OXIDIZER_LOAD_EMBEDDED = 0, /* packed_blobs are in the executable */
    OXIDIZER_LOAD_MAPPED = 1,   /* packed_file is memory-mapped */
    OXIDIZER_LOAD_NONE = 2,     /* no packed resources */
} oxidizer_load_mode;

/* An extension module linked into the executable (py_oxidized_binary
 * ext_modules) and registered as a built-in before start-up. `struct _object`
 * is PyObject; this header stays free of Python.h. */
typedef struct {
    const char *name;                  /* top-level module name */
    struct _object *(*init)(void);     /* its PyInit_<name> */
} oxidizer_builtin_extension;

/* One packed-resources blob embedded in the executable. */
typedef struct {
    const uint8_t *start;
    const uint8_t *end;
    const char *name; /* for error messages, e.g. "stdlib" or "//app:bin" */
} oxidizer_packed_blob;

typedef struct {
    oxidizer_run_mode run_mode;
    const char *run_target;          /* UTF-8 */
    int sys_frozen;                  /* set sys.frozen = True */
    int site_import;                 /* import site at start-up */
    int filesystem_importer;         /* keep PathFinder on sys.meta_path */
    int oxidized_importer;           /* install OxidizedFinder */
    int optimization_level;          /* 0, 1 or 2; picks bytecode 0x07/08/09 */
    /* Tri-state settings: -1 keeps the profile's default, 0 off, 1 on. */
    int write_bytecode;
    int buffered_stdio;
    int user_site_directory;
    int ignore_environment;          /* isolated: PYTHON* variables ignored */
    const char *const *module_search_paths; /* "$ORIGIN" expanded; NULL-terminated */
    /* Directory, relative to the executable's directory, against which the
     * relative paths of filesystem-relative resources are resolved ("" = the
     * executable's directory). Each py_oxidized_binary uses "<name>_lib" so
     * two binaries in one Bazel package never install to the same place. */
    const char *relative_path_origin;
    /* Give in-memory modules a virtual __file__ under the executable's
     * directory (<exe dir>/<package path>/<module>.py); off = PyOxidizer's
     * default of no __file__. */
    int virtual_module_file;
    const oxidizer_packed_blob *packed_blobs; /* searched in order */
    size_t packed_blob_count;
    /* Everything below: zero is the default (fields added for issue 3). */
    oxidizer_config_profile config_profile;
    int sys_meipass;                 /* sys._MEIPASS = executable's directory */
    int argvb;                       /* sys.argvb = argv as bytes */
    int bytes_warning;               /* 0 none, 1 warn, 2 raise */
    int utf8_mode;                   /* tri-state */
    int development_mode;            /* tri-state */
    int inspect;                     /* tri-state */
    int interactive;                 /* tri-state */
    int quiet;                       /* tri-state */
    int verbose;                     /* -1 or level */
    int parse_argv;                  /* tri-state */
    int fault_handler;               /* tri-state */
    int tracemalloc;                 /* -1 or frames */
    int use_hash_seed;
    unsigned long hash_seed;
    const char *stdio_encoding;      /* NULL: default */
    const char *stdio_errors;        /* NULL: default */
    const char *const *warn_options; /* NULL-terminated, may be NULL */
    const char *const *x_options;    /* NULL-terminated, may be NULL */
    const char *check_hash_pycs_mode; /* "default", "always", "never" */
    /* Name of an environment variable; when set at run time, the names in
     * sys.modules are written to a file in that directory at exit. */
    const char *write_modules_directory_env;
    const char *terminfo_dirs;       /* set TERMINFO_DIRS unless set */
    int allocator;                   /* -1 default, else PyMemAllocatorName */
    int multiprocessing_auto_dispatch;
    const char *multiprocessing_start_method; /* NULL: Python's default */
    oxidizer_load_mode packed_load_mode;
    /* OXIDIZER_LOAD_MAPPED: file relative to the executable's directory and
     * the SHA-256 its header must carry. */
    const char *packed_file;
    uint8_t packed_file_digest[32];
    /* Extension modules linked in from Bazel cc_library targets. */
    const oxidizer_builtin_extension *builtin_extensions;
    size_t builtin_extension_count;
    /* 1: do not look for the host's CA certificates at start-up (by
     * default SSL_CERT_FILE/SSL_CERT_DIR are set when both are unset; see
     * runtime/src/ca_probe.h). */
    int no_ca_probe;
    /* Built-in modules left out (the standard library group's
     * extension_module_filter on a distribution that builds them in). */
    const char *const *excluded_builtins;
    size_t excluded_builtin_count;
} oxidizer_config;

/* Defined by the generated file of each binary. */
extern const oxidizer_config oxidizer_embedded_config;

/* Parses the embedded resources, initializes CPython, runs the configured
 * code and finalizes. Returns the process exit status. */
int oxidizer_run(const oxidizer_config *config, int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif /* OXIDIZER_CONFIG_H */
