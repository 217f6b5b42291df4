/* The interpreter's configuration: PyPreConfig and PyConfig built from the
 * binary's embedded oxidizer_config (its generated oxidizer_settings). */
#ifndef OXIDIZER_START_CONFIG_H
#define OXIDIZER_START_CONFIG_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "oxidizer/config.h"

/* Returns a malloc'd copy of s with every "$ORIGIN" replaced by origin, or
 * NULL when memory runs out. */
char *oxidizer_expand_origin(const char *s, const char *origin);

/* Pre-initializes CPython (allocator, UTF-8 mode, locale) and fills
 * py_config from config's settings (profile, flags, stdio, warnings and -X
 * options, argv, program name and executable exe, home exe_dir and the
 * module search paths with "$ORIGIN" expanded to exe_dir). With parse_argv
 * the command line is parsed here (PyConfig_Read), so py_config tells the
 * run modes about -c, -m or a file. The caller clears py_config. */
PyStatus oxidizer_build_config(PyConfig *py_config,
                               const oxidizer_config *config, int argc,
                               char **argv, const char *exe,
                               const char *exe_dir);

#endif /* OXIDIZER_START_CONFIG_H */
