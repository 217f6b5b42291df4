/* See oxidizer/zstd_frame.h. */
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_BLOCKSIZE_MAX */
#include "oxidizer/zstd_frame.h"

#include <stdio.h>
#include <string.h>
#include <zstd.h>

static int
fail(char *err, size_t errlen, const char *what, const char *detail)
{
    if (errlen > 0) {
        snprintf(err, errlen, "%s%s%s", what, detail ? ": " : "",
                 detail ? detail : "");
    }
    return OXZ_ERROR;
}

int
oxidizer_zstd_content_size(const uint8_t *frame, size_t len, size_t max,
                           size_t *size, char *err, size_t errlen)
{
    static const uint8_t magic[4] = {0x28, 0xb5, 0x2f, 0xfd};
    if (frame == NULL || len < sizeof(magic)
        || memcmp(frame, magic, sizeof(magic)) != 0) {
        return fail(err, errlen, "not a zstd frame", NULL);
    }
    size_t frame_len = ZSTD_findFrameCompressedSize(frame, len);
    if (ZSTD_isError(frame_len)) {
        return fail(err, errlen, "corrupt zstd frame",
                    ZSTD_getErrorName(frame_len));
    }
    if (frame_len != len) {
        return fail(err, errlen, "data after the zstd frame", NULL);
    }
    unsigned long long declared = ZSTD_getFrameContentSize(frame, len);
    if (declared == ZSTD_CONTENTSIZE_UNKNOWN) {
        return fail(err, errlen, "zstd frame without a content size", NULL);
    }
    if (declared == ZSTD_CONTENTSIZE_ERROR) {
        return fail(err, errlen, "corrupt zstd frame header", NULL);
    }
    if (declared > max) {
        return fail(err, errlen, "zstd frame content size exceeds the limit",
                    NULL);
    }
    /* A block yields at most ZSTD_BLOCKSIZE_MAX bytes and takes at least 4
     * (3-byte header, 1 RLE byte): a larger declared size is a lie, caught
     * here before anything is allocated. */
    unsigned long long bound =
        ((unsigned long long)len / 4 + 1) * ZSTD_BLOCKSIZE_MAX;
    if (declared > bound) {
        return fail(err, errlen,
                    "zstd frame content size larger than its blocks allow",
                    NULL);
    }
    *size = (size_t)declared;
    return OXZ_OK;
}

int
oxidizer_zstd_decompress(const uint8_t *frame, size_t len, uint8_t *dst,
                         size_t size, char *err, size_t errlen)
{
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    if (dctx == NULL) {
        return fail(err, errlen, "out of memory for the zstd context", NULL);
    }
    /* One shot into dst: the output buffer is the window, nothing else
     * sized by the frame header is allocated. */
    size_t got = ZSTD_decompressDCtx(dctx, dst, size, frame, len);
    ZSTD_freeDCtx(dctx);
    if (ZSTD_isError(got)) {
        return fail(err, errlen, "corrupt zstd frame", ZSTD_getErrorName(got));
    }
    if (got != size) {
        return fail(err, errlen,
                    "zstd frame decompressed to fewer bytes than it declares",
                    NULL);
    }
    return OXZ_OK;
}
