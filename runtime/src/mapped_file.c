/* The memory-mapped packed resources file (binary-relative-memory-mapped):
 * map_packed_file() and the SIGBUS handler that guards the mapping. Runs
 * before Python starts and does not use it. */
#define _GNU_SOURCE /* O_CLOEXEC, sigaction, siginfo_t */
#include "mapped_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint32_t
read_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16
           | (uint32_t)p[3] << 24;
}

static uint64_t
read_u64(const uint8_t *p)
{
    return (uint64_t)read_u32(p) | (uint64_t)read_u32(p + 4) << 32;
}

/* The mapped packed resources file, for the SIGBUS handler: a page of the
 * mapping that the file no longer backs (it was truncated in place while the
 * program ran) raises SIGBUS when touched. The handler turns that into one
 * line on stderr and exit status 1; any other SIGBUS gets the default action.
 * Written once before the handler is installed, read only by the handler. */
static const uint8_t *mapped_file_start;
static size_t mapped_file_size;
static char mapped_file_message[PATH_MAX + 256];
static size_t mapped_file_message_len;

static void
mapped_file_sigbus(int sig, siginfo_t *info, void *context)
{
    (void)context;
    const uint8_t *addr = info != NULL ? (const uint8_t *)info->si_addr : NULL;
    if (addr != NULL && addr >= mapped_file_start
        && (size_t)(addr - mapped_file_start) < mapped_file_size) {
        /* Only async-signal-safe calls: write(2) and _exit(2). */
        ssize_t unused = write(STDERR_FILENO, mapped_file_message,
                               mapped_file_message_len);
        (void)unused;
        _exit(1);
    }
    /* Not ours: the default action runs when the faulting access repeats. */
    signal(sig, SIG_DFL);
}

static void
guard_mapped_file(const char *argv0, const char *path, const uint8_t *data,
                  size_t size)
{
    int n = snprintf(mapped_file_message, sizeof(mapped_file_message),
                     "%s: packed resources file %s was truncated while the "
                     "program ran (replace it with rename(), never in place)\n",
                     argv0, path);
    if (n < 0) {
        return;
    }
    mapped_file_message_len = (size_t)n < sizeof(mapped_file_message)
                                  ? (size_t)n
                                  : sizeof(mapped_file_message) - 1;
    mapped_file_start = data;
    mapped_file_size = size;
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_sigaction = mapped_file_sigbus;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    /* Without the handler a truncation still stops the process (SIGBUS). */
    (void)sigaction(SIGBUS, &action, NULL);
}

static const char *
file_type_name(mode_t mode)
{
    if (S_ISDIR(mode)) {
        return "a directory";
    }
    if (S_ISFIFO(mode)) {
        return "a FIFO";
    }
    if (S_ISCHR(mode)) {
        return "a character device";
    }
    if (S_ISBLK(mode)) {
        return "a block device";
    }
    if (S_ISSOCK(mode)) {
        return "a socket";
    }
    return "not a regular file";
}

/* Memory-maps config->packed_file (binary-relative-memory-mapped) and fills
 * a malloc'd blob array from its header (format, and the checks below:
 * docs/architecture.md, "Formats between actions"; written by
 * tools/oxidizer_tools/embed.py). The mapping and the names live until exit.
 * Only a regular file is read: it is opened with O_NONBLOCK, so a FIFO in its
 * place cannot block, and refused after fstat() like a device or a directory.
 * The digest in the file's header must be the one the binary was built with
 * (it names the build); the payload itself is not hashed at start-up (see the
 * user guide, "Memory-mapped packed resources"). Returns 0, or -1 after
 * printing one line to stderr. */
int
oxidizer_map_packed_file(const oxidizer_config *config, const char *exe_dir,
                         const char *argv0, oxidizer_packed_blob **blobs_out,
                         size_t *count_out)
{
    static const uint8_t magic[8] = "OXPACKS1";
    char path[PATH_MAX];
    int n = snprintf(path, sizeof(path), "%s/%s", exe_dir,
                     config->packed_file ? config->packed_file : "");
    if (n < 0 || (size_t)n >= sizeof(path)) {
        fprintf(stderr, "%s: packed resources file path too long\n", argv0);
        return -1;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        fprintf(stderr, "%s: cannot open packed resources file %s: %s\n",
                argv0, path, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        fprintf(stderr,
                "%s: cannot use packed resources file %s: it is %s\n",
                argv0, path, file_type_name(st.st_mode));
        close(fd);
        return -1;
    }
    const char *problem = NULL;
    size_t size = (size_t)st.st_size;
    const uint8_t *data = NULL;
    if (st.st_size < 48) {
        problem = "too short";
    }
    else {
        void *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            problem = strerror(errno);
        }
        else {
            data = m;
            guard_mapped_file(argv0, path, data, size);
        }
    }
    close(fd);
    if (problem == NULL && memcmp(data, magic, sizeof(magic)) != 0) {
        problem = "not a packed resources file (bad magic)";
    }
    if (problem == NULL
        && memcmp(data + 8, config->packed_file_digest, 32) != 0) {
        problem = "its content differs from what this binary was built with";
    }
    uint32_t count = problem == NULL ? read_u32(data + 40) : 0;
    /* Each entry takes at least 20 bytes of the header. */
    if (problem == NULL && count > (size - 48) / 20) {
        problem = "truncated header";
    }
    oxidizer_packed_blob *blobs = NULL;
    if (problem == NULL) {
        blobs = calloc(count ? count : 1, sizeof(*blobs));
        if (blobs == NULL) {
            problem = "out of memory";
        }
    }
    size_t pos = 48;
    uint32_t filled = 0;
    for (uint32_t i = 0; problem == NULL && i < count; i++) {
        if (size - pos < 20) {
            problem = "truncated header";
            break;
        }
        uint64_t offset = read_u64(data + pos);
        uint64_t length = read_u64(data + pos + 8);
        uint32_t name_len = read_u32(data + pos + 16);
        pos += 20;
        if (size - pos < name_len || offset > size || length > size - offset) {
            problem = "entry out of bounds";
            break;
        }
        char *name = malloc((size_t)name_len + 1);
        if (name == NULL) {
            problem = "out of memory";
            break;
        }
        memcpy(name, data + pos, name_len);
        name[name_len] = '\0';
        pos += name_len;
        blobs[i].start = data + offset;
        blobs[i].end = data + offset + length;
        blobs[i].name = name;
        filled = i + 1;
    }
    if (problem != NULL) {
        fprintf(stderr, "%s: corrupt packed resources file %s: %s\n", argv0,
                path, problem);
        for (uint32_t i = 0; blobs != NULL && i < filled; i++) {
            free((void *)blobs[i].name);
        }
        free(blobs);
        /* The process exits: the mapping is not reclaimed. */
        return -1;
    }
    *blobs_out = blobs;
    *count_out = count;
    return 0;
}
