/* The run modes: what a binary runs once the interpreter has started, and
 * the exit status it gives, like `python`. */
#ifndef OXIDIZER_RUN_MODES_H
#define OXIDIZER_RUN_MODES_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "oxidizer/config.h"

/* Runs the entry point: a multiprocessing child's command line when
 * multiprocessing_auto_dispatch is set, else -c, -m or a file of the command
 * line (parse_argv, as parsed into `parsed`), else config's run mode.
 * finder is the installed OxidizedFinder or NULL; exe_dir the executable's
 * directory. Returns the exit status. */
int oxidizer_run_entry_point(const oxidizer_config *config, PyObject *finder,
                             const PyConfig *parsed, const char *exe_dir,
                             int argc, char **argv);

/* Like `python` with no arguments: REPL when stdin is a terminal, else
 * runs stdin as a script. Returns the exit status. */
int oxidizer_run_repl(const oxidizer_config *config);

/* Turns the pending exception into an exit status like python does:
 * SystemExit -> its code; anything else -> traceback via sys.excepthook
 * and 1. */
int oxidizer_exit_status_from_exception(void);

/* Nonzero when a run ended with an uncaught KeyboardInterrupt: like python,
 * the process then dies of SIGINT (or exits 130) after finalization. */
int oxidizer_unhandled_keyboard_interrupt(void);

#endif /* OXIDIZER_RUN_MODES_H */
