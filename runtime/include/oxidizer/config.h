/* The interpreter configuration embedded in every py_oxidized_binary.
 *
 * A build action generates one C file that defines oxidizer_embedded_config
 * (and embeds the packed-resources blobs with .incbin); runtime/src/main.c
 * passes it to oxidizer_run(). The generator (tools/oxidizer_tools/embed.py)
 * writes designated initializers; zero is each field's "nothing" value.
 */
#ifndef OXIDIZER_CONFIG_H
#define OXIDIZER_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "oxidizer/settings.h"

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
    OXIDIZER_LOAD_EMBEDDED = 0, /* packed_blobs are in the executable */
    OXIDIZER_LOAD_MAPPED = 1,   /* packed_file is memory-mapped */
    OXIDIZER_LOAD_NONE = 2,     /* no packed resources */
} oxidizer_load_mode;

/* An extension module linked into the executable (py_oxidized_binary
 * ext_modules) and registered as a built-in before start-up, when libpython
 * carries its own inittab (a binary that generates `_PyImport_Inittab` lists
 * them there and passes none). `struct _object` is PyObject; this header
 * stays free of Python.h. */
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

/* A binary's configuration: what the build computed (entry point, packed
 * resources, linked-in extensions) plus the user's interpreter settings, whose
 * struct is generated from oxidizer/private/interpreter_settings.bzl. */
typedef struct {
    oxidizer_run_mode run_mode;
    const char *run_target;          /* UTF-8 */
    /* Directory, relative to the executable's directory, against which the
     * relative paths of filesystem-relative resources are resolved ("" = the
     * executable's directory). Each py_oxidized_binary uses "<name>_lib" so
     * two binaries in one Bazel package never install to the same place. */
    const char *relative_path_origin;
    const oxidizer_packed_blob *packed_blobs; /* searched in order */
    size_t packed_blob_count;
    oxidizer_load_mode packed_load_mode;
    /* OXIDIZER_LOAD_MAPPED: file relative to the executable's directory and
     * the SHA-256 its header must carry. */
    const char *packed_file;
    uint8_t packed_file_digest[32];
    /* Extension modules linked in from Bazel cc_library targets, appended to
     * libpython's inittab (none when the binary generates its own). */
    const oxidizer_builtin_extension *builtin_extensions;
    size_t builtin_extension_count;
    /* Built-in modules left out (the standard library group's
     * extension_module_filter on a distribution that builds them in). */
    const char *const *excluded_builtins;
    size_t excluded_builtin_count;
    oxidizer_settings settings;
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
