/*
 * spawn_probe: run one command and print "<wall_ns> <wait_status> <maxrss_kib>".
 *
 * Built by bench/run.py with the system C compiler. Why not time from Python
 * directly: on Linux a child's ru_maxrss starts at the high-water RSS of the
 * process it was forked/vforked from (exec records the old mm's peak), so any
 * child of the ~15 MB Python driver would report at least ~15 MB. Spawning from
 * this tiny process puts that floor at ~1 MB, measured and shown in the report.
 *
 * The command's stdin/stdout/stderr go to /dev/null. Wall time is
 * CLOCK_MONOTONIC from just before posix_spawn to just after wait4 returns.
 * ru_maxrss from wait4 covers the child and the children it waited for (the
 * maximum, not the sum), e.g. both processes of a PyInstaller one-file binary.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s PROGRAM [ARGS...]\n", argv[0]);
    return 2;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);

  pid_t pid;
  long long t0 = now_ns();
  int err = posix_spawn(&pid, argv[1], &fa, NULL, &argv[1], environ);
  if (err != 0) {
    fprintf(stderr, "spawn_probe: cannot run %s: %s\n", argv[1], strerror(err));
    return 127;
  }
  int status = 0;
  struct rusage ru;
  memset(&ru, 0, sizeof ru);
  if (wait4(pid, &status, 0, &ru) < 0) {
    perror("spawn_probe: wait4");
    return 127;
  }
  long long t1 = now_ns();
  printf("%lld %d %ld\n", t1 - t0, status, ru.ru_maxrss);
  return 0;
}
