/* Unit test of runtime/src/mapped_file.c (no CPython): a valid packed
 * resources file, and every refusal of oxidizer_map_packed_file() with the
 * one line it prints (run under ASan/UBSan by Bazel). */
#define _GNU_SOURCE

#include "mapped_file.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char dir[4096];
static const uint8_t digest[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

static void
put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static void
put_u64(uint8_t *p, uint64_t v)
{
    put_u32(p, (uint32_t)v);
    put_u32(p + 4, (uint32_t)(v >> 32));
}

static void
write_file(const char *name, const uint8_t *data, size_t size)
{
    char path[8192];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
        exit(2);
    }
}

/* A file of two blobs, "first" = "abc" and "second" = "defgh"; returns its
 * size. */
static size_t
make_valid(uint8_t *buf)
{
    memset(buf, 0, 256);
    memcpy(buf, "OXPACKS1", 8);
    memcpy(buf + 8, digest, 32);
    put_u32(buf + 40, 2);
    size_t pos = 48;
    const char *names[2] = {"first", "second"};
    const char *datas[2] = {"abc", "defgh"};
    size_t data_pos = 160;
    for (int i = 0; i < 2; i++) {
        size_t len = strlen(datas[i]);
        put_u64(buf + pos, data_pos);
        put_u64(buf + pos + 8, len);
        put_u32(buf + pos + 16, (uint32_t)strlen(names[i]));
        pos += 20;
        memcpy(buf + pos, names[i], strlen(names[i]));
        pos += strlen(names[i]);
        memcpy(buf + data_pos, datas[i], len);
        data_pos += len;
    }
    return data_pos;
}

/* Maps dir/name; returns the result and leaves what was printed to stderr
 * in err. */
static int
map(const char *name, oxidizer_packed_blob **blobs, size_t *count, char *err,
    size_t err_size)
{
    oxidizer_config config;
    memset(&config, 0, sizeof(config));
    config.packed_load_mode = OXIDIZER_LOAD_MAPPED;
    config.packed_file = name;
    memcpy(config.packed_file_digest, digest, sizeof(digest));
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *capture = tmpfile();
    if (saved < 0 || capture == NULL
        || dup2(fileno(capture), STDERR_FILENO) < 0) {
        fprintf(stderr, "cannot capture stderr\n");
        exit(2);
    }
    int rc = oxidizer_map_packed_file(&config, dir, "prog", blobs, count);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(capture);
    size_t n = fread(err, 1, err_size - 1, capture);
    err[n] = '\0';
    fclose(capture);
    return rc;
}

/* Expects a refusal whose line ends with `problem`. */
static void
check_refused(const char *name, const char *problem)
{
    oxidizer_packed_blob *blobs = NULL;
    size_t count = 0;
    char err[8192];
    int rc = map(name, &blobs, &count, err, sizeof(err));
    CHECK(rc == -1, "%s: mapped (%d)", name, rc);
    CHECK(blobs == NULL, "%s: blobs set on failure", name);
    char expected[8192];
    snprintf(expected, sizeof(expected), "%s/%s: %s\n", dir, name, problem);
    size_t len = strlen(err), elen = strlen(expected);
    CHECK(strncmp(err, "prog: ", 6) == 0 && len >= elen
              && strcmp(err + len - elen, expected) == 0
              && strchr(err, '\n') == err + len - 1,
          "%s: stderr is \"%s\", expected one line ending \"%s\"", name, err,
          expected);
}

int
main(void)
{
    const char *tmp = getenv("TEST_TMPDIR");
    snprintf(dir, sizeof(dir), "%s/mapped_XXXXXX", tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    uint8_t buf[256];
    size_t size = make_valid(buf);
    write_file("valid", buf, size);

    /* The valid file: its blobs point into the mapping. */
    oxidizer_packed_blob *blobs = NULL;
    size_t count = 0;
    char err[8192];
    CHECK(map("valid", &blobs, &count, err, sizeof(err)) == 0, "valid: %s",
          err);
    CHECK(err[0] == '\0', "valid: printed \"%s\"", err);
    CHECK(count == 2, "valid: %zu blobs", count);
    if (count == 2) {
        CHECK(strcmp(blobs[0].name, "first") == 0
                  && blobs[0].end - blobs[0].start == 3
                  && memcmp(blobs[0].start, "abc", 3) == 0,
              "valid: blob 0");
        CHECK(strcmp(blobs[1].name, "second") == 0
                  && blobs[1].end - blobs[1].start == 5
                  && memcmp(blobs[1].start, "defgh", 5) == 0,
              "valid: blob 1");
    }
    for (size_t i = 0; i < count; i++) {
        free((void *)blobs[i].name);
    }
    free(blobs);

    /* Not there, or not a regular file (a FIFO must not block). */
    char path[8192];
    check_refused("missing", "No such file or directory");
    snprintf(path, sizeof(path), "%s/adir", dir);
    CHECK(mkdir(path, 0755) == 0, "mkdir");
    check_refused("adir", "it is a directory");
    snprintf(path, sizeof(path), "%s/fifo", dir);
    CHECK(mkfifo(path, 0600) == 0, "mkfifo");
    check_refused("fifo", "it is a FIFO");

    /* Corrupt contents. */
    write_file("short", buf, 47);
    check_refused("short", "too short");
    uint8_t bad[256];
    memcpy(bad, buf, size);
    bad[0] = 'X';
    write_file("magic", bad, size);
    check_refused("magic", "not a packed resources file (bad magic)");
    memcpy(bad, buf, size);
    bad[8] ^= 0xff;
    write_file("digest", bad, size);
    check_refused("digest",
                  "its content differs from what this binary was built with");
    memcpy(bad, buf, size);
    put_u32(bad + 40, 1000);
    write_file("count", bad, size);
    check_refused("count", "truncated header");
    memcpy(bad, buf, size);
    put_u64(bad + 48 + 20 + 5 + 8, 1000); /* second blob's length */
    write_file("length", bad, size);
    check_refused("length", "entry out of bounds");
    memcpy(bad, buf, size);
    put_u32(bad + 48 + 16, 0xffffffffu); /* first name's length */
    write_file("name", bad, size);
    check_refused("name", "entry out of bounds");

    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("mapped_file_test: all checks passed\n");
    return 0;
}
