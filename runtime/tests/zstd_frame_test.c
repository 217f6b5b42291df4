/* Tests of the zstd frame decompression wrapper (oxidizer/zstd_frame.h):
 * valid frames, and every way an untrusted frame can be wrong. */
#include "oxidizer/zstd_frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__,         \
                    __LINE__, #cond);                                      \
            failures++;                                                    \
        }                                                                  \
    } while (0)

/* "def f():\n    return 'hello'\n" * 8, compressed by the zstandard wheel
 * (0.25, level 19) as pack.py does: content size and checksum. */
static const uint8_t FRAME[] = {
    0x28, 0xb5, 0x2f, 0xfd, 0x24, 0xe0, 0x25, 0x01, 0x00, 0xe8, 0x64, 0x65,
    0x66, 0x20, 0x66, 0x28, 0x29, 0x3a, 0x0a, 0x20, 0x20, 0x20, 0x20, 0x72,
    0x65, 0x74, 0x75, 0x72, 0x6e, 0x20, 0x27, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
    0x27, 0x0a, 0x64, 0x01, 0x00, 0x01, 0x9f, 0x9a, 0x4e, 0xc1, 0xf2, 0x9a,
    0xa8};
/* The same without the content size in the header. */
static const uint8_t FRAME_NO_SIZE[] = {
    0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x00, 0x25, 0x01, 0x00, 0xe8, 0x64, 0x65,
    0x66, 0x20, 0x66, 0x28, 0x29, 0x3a, 0x0a, 0x20, 0x20, 0x20, 0x20, 0x72,
    0x65, 0x74, 0x75, 0x72, 0x6e, 0x20, 0x27, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
    0x27, 0x0a, 0x64, 0x01, 0x00, 0x01, 0x9f, 0x9a, 0x4e, 0xc1, 0xf2, 0x9a,
    0xa8};
/* "x = 1\n" in one raw block: single segment, 1-byte content size. */
static const uint8_t RAW[] = {0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x06, 0x31, 0x00,
                              0x00, 'x', ' ', '=', ' ', '1', '\n'};

static const char *
source(void)
{
    static char text[8 * 28 + 1];
    if (text[0] == '\0') {
        for (int i = 0; i < 8; i++) {
            strcat(text, "def f():\n    return 'hello'\n");
        }
    }
    return text;
}

/* Size, then decompression; returns the message of the first failure, or
 * NULL when both succeed (the output then checked against want). */
static const char *
run(const uint8_t *frame, size_t len, size_t max, const char *want)
{
    static char err[160];
    size_t size = 0;
    err[0] = '\0';
    if (oxidizer_zstd_content_size(frame, len, max, &size, err, sizeof(err))
        != OXZ_OK) {
        CHECK(err[0] != '\0');
        return err;
    }
    uint8_t *out = malloc(size ? size : 1);
    if (out == NULL) {
        abort();
    }
    int rc = oxidizer_zstd_decompress(frame, len, out, size, err, sizeof(err));
    if (rc == OXZ_OK && want != NULL) {
        CHECK(size == strlen(want) && memcmp(out, want, size) == 0);
    }
    free(out);
    if (rc != OXZ_OK) {
        CHECK(err[0] != '\0');
        return err;
    }
    return NULL;
}

static void
expect_error(const uint8_t *frame, size_t len, size_t max, const char *want,
             int line)
{
    const char *err = run(frame, len, max, NULL);
    if (err == NULL || strstr(err, want) == NULL) {
        fprintf(stderr, "line %d: want error containing \"%s\", got \"%s\"\n",
                line, want, err ? err : "(success)");
        failures++;
    }
}

int
main(void)
{
    CHECK(run(FRAME, sizeof(FRAME), 1 << 20, source()) == NULL);
    CHECK(run(RAW, sizeof(RAW), 1 << 20, "x = 1\n") == NULL);

    expect_error(FRAME, sizeof(FRAME), 100, "exceeds the limit", __LINE__);
    expect_error(FRAME_NO_SIZE, sizeof(FRAME_NO_SIZE), 1 << 20,
                 "without a content size", __LINE__);
    expect_error(FRAME, 0, 1 << 20, "not a zstd frame", __LINE__);
    expect_error((const uint8_t *)"pyembed\x03", 8, 1 << 20,
                 "not a zstd frame", __LINE__);

    uint8_t buf[sizeof(FRAME) + 1];
    memcpy(buf, FRAME, sizeof(FRAME));
    buf[sizeof(FRAME)] = 0;
    expect_error(buf, sizeof(FRAME) + 1, 1 << 20, "data after", __LINE__);
    /* Every truncation fails. */
    for (size_t n = 0; n < sizeof(FRAME); n++) {
        CHECK(run(FRAME, n, 1 << 20, NULL) != NULL);
    }
    /* A wrong checksum. */
    buf[sizeof(FRAME) - 1] ^= 0x01;
    expect_error(buf, sizeof(FRAME), 1 << 20, "corrupt zstd frame", __LINE__);
    buf[sizeof(FRAME) - 1] ^= 0x01;

    /* A raw block of 6 bytes declaring 200. */
    uint8_t lie[sizeof(RAW)];
    memcpy(lie, RAW, sizeof(RAW));
    lie[5] = 200;
    expect_error(lie, sizeof(lie), 1 << 20, "corrupt zstd frame", __LINE__);
    /* Declaring 1 TiB (8-byte content size): caught before allocating. */
    static const uint8_t huge[] = {0x28, 0xb5, 0x2f, 0xfd, 0xe0, 0, 0, 0, 0,
                                   0, 1, 0, 0, 0x31, 0x00, 0x00, 'x', ' ',
                                   '=', ' ', '1', '\n'};
    expect_error(huge, sizeof(huge), 1 << 20, "exceeds the limit", __LINE__);
    expect_error(huge, sizeof(huge), (size_t)-1,
                 "larger than its blocks allow", __LINE__);

    /* Every single-byte change either fails cleanly or decompresses to a
     * buffer of exactly the declared size. */
    for (size_t i = 0; i < sizeof(FRAME); i++) {
        for (int bit = 0; bit < 8; bit++) {
            buf[i] ^= (uint8_t)(1u << bit);
            (void)run(buf, sizeof(FRAME), 1 << 20, NULL);
            buf[i] ^= (uint8_t)(1u << bit);
        }
    }
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("zstd_frame_test: ok\n");
    return 0;
}
