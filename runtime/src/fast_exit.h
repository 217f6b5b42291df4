/* The fast exit (setting fast_exit): ends the process after the entry point
 * without Py_FinalizeEx(), keeping the guarantees a program can observe. */
#ifndef OXIDIZER_FAST_EXIT_H
#define OXIDIZER_FAST_EXIT_H

/* With the GIL held, after the entry point returned `exitcode`:
 *
 *  1. threading._shutdown() (joins non-daemon threads), when threading was
 *     imported;
 *  2. the atexit callbacks (atexit._run_exitfuncs());
 *  3. __main__'s dict is cleared (values set to None, the most recently
 *     bound name first, __builtins__ kept), so the __del__ of objects only
 *     __main__ holds run (NamedTemporaryFile deletes its file);
 *  4. sys.stdout and sys.stderr are flushed; when that of stdout fails the
 *     error is reported as "Exception ignored in: ..." and the status is 120,
 *     as Py_FinalizeEx() makes it;
 *  5. every other live io.TextIOWrapper, io.BufferedWriter and
 *     io.BufferedRandom not closed is flushed (a walk of the GC lists);
 *  6. C stdio is flushed;
 *  7. after an uncaught KeyboardInterrupt the process dies of SIGINT (130 when
 *     SIGINT is ignored or blocked); else _exit(status).
 *
 * Never returns. */
_Noreturn void oxidizer_fast_exit(int exitcode, int keyboard_interrupt);

/* Like python after an uncaught KeyboardInterrupt: dies of SIGINT so a
 * calling shell sees it; returns 128 + SIGINT when the signal is blocked. */
int oxidizer_exit_sigint(void);

#endif /* OXIDIZER_FAST_EXIT_H */
