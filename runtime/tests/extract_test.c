/* Unit test of runtime/src/extract.c (no CPython): SHA-256 vectors, an
 * extraction and its reuse, and every truncation and byte flip of a payload
 * (an error or a success, never a crash: run under ASan/UBSan by Bazel). */
#define _GNU_SOURCE

#include "extract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static void
hex(const uint8_t *d, char out[65])
{
    for (int i = 0; i < 32; i++) {
        snprintf(out + 2 * i, 3, "%02x", d[i]);
    }
}

static void
test_sha256(void)
{
    static const struct {
        size_t len;
        const char *want;
    } cases[] = {
        {0,
         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {3,
         "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {1000,
         "4e4c294b331f7a2099a379bec34b9f9fc03dc46ab465d998f4d683da53487e6d"},
    };
    uint8_t data[1000];
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)(i % 251);
    }
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const uint8_t *in = cases[c].len == 3 ? (const uint8_t *)"abc" : data;
        uint8_t d[32];
        char got[65];
        oxidizer_sha256(in, cases[c].len, d);
        hex(d, got);
        CHECK(strcmp(got, cases[c].want) == 0, "sha256 of %zu bytes: %s",
              cases[c].len, got);
    }
}

/* Appends little-endian n bytes of v. */
static size_t
put(uint8_t *p, size_t at, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) {
        p[at + (size_t)i] = (uint8_t)(v >> (8 * i));
    }
    return at + (size_t)n;
}

static size_t
entry(uint8_t *p, size_t at, const char *path, int mode, const char *data)
{
    at = put(p, at, strlen(path), 2);
    at = put(p, at, (uint64_t)mode, 1);
    at = put(p, at, strlen(data), 8);
    memcpy(p + at, path, strlen(path));
    at += strlen(path);
    memcpy(p + at, data, strlen(data));
    return at + strlen(data);
}

static size_t
make_payload(uint8_t *p)
{
    memcpy(p, "OXEX\x01", 5);
    size_t at = 5 + 32;
    at = put(p, at, 2, 4);
    at = entry(p, at, "pkg/sub/data.txt", 0, "hello\n");
    at = entry(p, at, "tool", 1, "#!/bin/sh\n");
    oxidizer_sha256(p + 37, at - 37, p + 5);
    return at;
}

static char *
read_all(const char *path)
{
    static char buf[256];
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

int
main(void)
{
    test_sha256();

    const char *base = getenv("TEST_TMPDIR");
    char cache[4096];
    snprintf(cache, sizeof(cache), "%s/extract_test.XXXXXX",
             base != NULL ? base : "/tmp");
    if (mkdtemp(cache) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    setenv("XDG_CACHE_HOME", cache, 1);

    uint8_t payload[512];
    size_t len = make_payload(payload);
    char dir[4096], err[8192], path[8300];
    int rc = oxidizer_extract(payload, len, dir, sizeof(dir), err,
                              sizeof(err));
    CHECK(rc == 0, "extract: %s", err);
    if (rc == 0) {
        char d[65];
        hex(payload + 5, d);
        char want[4200];
        snprintf(want, sizeof(want), "%s/rules_oxidizer/%s", cache, d);
        CHECK(strcmp(dir, want) == 0, "dir %s, want %s", dir, want);
        snprintf(path, sizeof(path), "%s/pkg/sub/data.txt", dir);
        const char *text = read_all(path);
        CHECK(text != NULL && strcmp(text, "hello\n") == 0, "data.txt");
        struct stat st;
        snprintf(path, sizeof(path), "%s/tool", dir);
        CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0755,
              "tool mode");
        snprintf(path, sizeof(path), "%s/.rules_oxidizer-complete", dir);
        text = read_all(path);
        CHECK(text != NULL && strncmp(text, d, 64) == 0, "marker");
        /* Reused: a second call returns the same directory. */
        char again[4096];
        CHECK(oxidizer_extract(payload, len, again, sizeof(again), err,
                               sizeof(err)) == 0
                  && strcmp(again, dir) == 0,
              "reuse: %s", err);
    }

    /* Truncations never succeed; flips never crash. */
    for (size_t n = 0; n < len; n++) {
        CHECK(oxidizer_extract(payload, n, dir, sizeof(dir), err,
                               sizeof(err)) < 0,
              "truncated to %zu bytes succeeded", n);
    }
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            payload[i] ^= (uint8_t)(1u << bit);
            (void)oxidizer_extract(payload, len, dir, sizeof(dir), err,
                                   sizeof(err));
            payload[i] ^= (uint8_t)(1u << bit);
        }
    }
    /* A data flip with an unchanged digest is caught by the hash check
     * (with a fresh cache: nothing to reuse). */
    snprintf(path, sizeof(path), "%s/fresh", cache);
    setenv("XDG_CACHE_HOME", path, 1);
    payload[len - 1] ^= 1;
    CHECK(oxidizer_extract(payload, len, dir, sizeof(dir), err, sizeof(err))
                  < 0
              && strstr(err, "corrupted extraction payload: its SHA-256")
                     != NULL,
          "flipped data: %s", err);
    payload[len - 1] ^= 1;
    /* A path escaping the directory is refused before anything is written. */
    memcpy(payload + 37 + 4 + 11, "../sub/data.txt!", 16);
    oxidizer_sha256(payload + 37, len - 37, payload + 5);
    CHECK(oxidizer_extract(payload, len, dir, sizeof(dir), err, sizeof(err))
                  < 0
              && strstr(err, "invalid path") != NULL,
          "escaping path: %s", err);

    char cmd[4200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cache);
    if (system(cmd) != 0) {
        fprintf(stderr, "cannot remove %s\n", cache);
    }
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
