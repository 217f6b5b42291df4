/* Decompression of module sources and bytecode packed as one zstd frame
 * (resource fields 0x21-0x24, docs/packed-format-notes.md).
 *
 * No CPython dependency. //runtime:zstd_frame pre-links this wrapper with
 * Debian's static libzstd and keeps only the oxidizer_zstd_* symbols global,
 * so an extension module bringing its own zstd never binds to ours. Every
 * input is untrusted: a truncated, corrupt or oversized frame is an error
 * with a one-line message, never a crash or an unbounded allocation.
 */
#ifndef OXIDIZER_ZSTD_FRAME_H
#define OXIDIZER_ZSTD_FRAME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OXZ_OK 0
#define OXZ_ERROR (-1)

/* The decompressed size of frame[0..len), which must be exactly one zstd
 * frame declaring its content size, no larger than max and no larger than
 * the frame can possibly produce. On failure returns OXZ_ERROR and writes a
 * NUL-terminated message into err (when errlen > 0). */
int oxidizer_zstd_content_size(const uint8_t *frame, size_t len, size_t max,
                               size_t *size, char *err, size_t errlen);

/* Decompresses frame[0..len) into dst[0..size), size as given by
 * oxidizer_zstd_content_size(). Fails unless the frame yields exactly size
 * bytes and its checksum, when present, matches. */
int oxidizer_zstd_decompress(const uint8_t *frame, size_t len, uint8_t *dst,
                             size_t size, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* OXIDIZER_ZSTD_FRAME_H */
