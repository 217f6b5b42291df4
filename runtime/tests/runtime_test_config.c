/* Hand-written stand-in for the generated config of a py_oxidized_binary,
 * used by the runtime behaviour test (runtime/tests/runtime_test.bzl). Knobs:
 *
 *   RUNTIME_TEST_BLOB0 / RUNTIME_TEST_BLOB1  paths of packed blobs (string
 *                                            literals; BLOB1 optional)
 *   RUNTIME_TEST_RUN_MODE    OXIDIZER_RUN_* (default MAIN_RESOURCE)
 *   RUNTIME_TEST_RUN_TARGET  run_target string (default "runtime_test_main")
 *   RUNTIME_TEST_FS_IMPORTER filesystem_importer (default 0)
 *   RUNTIME_TEST_SITE        site_import (default 0)
 *   RUNTIME_TEST_OPTIMIZE    optimization_level (default 0)
 *
 * The blobs are embedded the way the real generator does it.
 */
#include <stdint.h>

#include "oxidizer/config.h"

#ifndef RUNTIME_TEST_RUN_MODE
#define RUNTIME_TEST_RUN_MODE OXIDIZER_RUN_MAIN_RESOURCE
#endif
#ifndef RUNTIME_TEST_RUN_TARGET
#define RUNTIME_TEST_RUN_TARGET "runtime_test_main"
#endif
#ifndef RUNTIME_TEST_FS_IMPORTER
#define RUNTIME_TEST_FS_IMPORTER 0
#endif
#ifndef RUNTIME_TEST_SITE
#define RUNTIME_TEST_SITE 0
#endif
#ifndef RUNTIME_TEST_OPTIMIZE
#define RUNTIME_TEST_OPTIMIZE 0
#endif

__asm__(".section .rodata\n"
        ".balign 16\n"
        "oxidizer_blob_0:\n"
        ".incbin \"" RUNTIME_TEST_BLOB0 "\"\n"
        "oxidizer_blob_0_end:\n"
        ".previous\n");
extern const uint8_t oxidizer_blob_0[] __attribute__((visibility("hidden")));
extern const uint8_t oxidizer_blob_0_end[]
    __attribute__((visibility("hidden")));

#ifdef RUNTIME_TEST_BLOB1
__asm__(".section .rodata\n"
        ".balign 16\n"
        "oxidizer_blob_1:\n"
        ".incbin \"" RUNTIME_TEST_BLOB1 "\"\n"
        "oxidizer_blob_1_end:\n"
        ".previous\n");
extern const uint8_t oxidizer_blob_1[] __attribute__((visibility("hidden")));
extern const uint8_t oxidizer_blob_1_end[]
    __attribute__((visibility("hidden")));
#endif

static const oxidizer_packed_blob blobs[] = {
    {oxidizer_blob_0, oxidizer_blob_0_end, "app"},
#ifdef RUNTIME_TEST_BLOB1
    {oxidizer_blob_1, oxidizer_blob_1_end, "stdlib"},
#endif
};

static const char *const search_paths[] = {"$ORIGIN/lib", NULL};
static const char *const no_strings[] = {NULL};

const oxidizer_config oxidizer_embedded_config = {
    .run_mode = RUNTIME_TEST_RUN_MODE,
    .run_target = RUNTIME_TEST_RUN_TARGET,
    .packed_blobs = blobs,
    .packed_blob_count = sizeof(blobs) / sizeof(blobs[0]),
    .settings = {
        .config_profile = OXIDIZER_CONFIG_PROFILE_ISOLATED,
        .sys_frozen = 1,
        .site_import = RUNTIME_TEST_SITE,
        .filesystem_importer = RUNTIME_TEST_FS_IMPORTER,
        .oxidized_importer = 1,
        .optimization_level = RUNTIME_TEST_OPTIMIZE,
        .write_bytecode = 0,
        .buffered_stdio = 1,
        .user_site_directory = 0,
        .module_search_paths = search_paths,
        .warn_options = no_strings,
        .x_options = no_strings,
        .verbose = -1,
        .tracemalloc = -1,
        .hash_seed = -1,
        .tls_ca_probe = 1,
    },
};
