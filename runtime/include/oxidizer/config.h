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
} oxidizer_run_mode;

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
