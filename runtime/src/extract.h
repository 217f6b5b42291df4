/* Extraction of filesystem-extracted resources (no CPython dependency).
 *
 * A packed-resources blob whose resources use the location
 * `filesystem-extracted` carries their files in one extraction payload
 * (field 0x20 of the resource named OXR_EXTRACTION_RESOURCE), written by
 * tools/oxidizer_tools/extraction.py:
 *
 *   "OXEX" u8 version (1) | sha256 (32 bytes) of the body | body
 *   body = u32 count | count x (u16 path_len | u8 mode | u64 data_len |
 *                               path | data)
 *
 * Integers are little-endian; paths are normalized relative POSIX paths,
 * sorted, unique; mode is 0 (file 0644) or 1 (executable, 0755).
 *
 * oxidizer_extract() makes the files available under
 *   $XDG_CACHE_HOME/rules_oxidizer/<sha256 hex>/   (XDG_CACHE_HOME absolute)
 *   $HOME/.cache/rules_oxidizer/<sha256 hex>/      (else, HOME absolute)
 *   ${TMPDIR:-/tmp}/rules_oxidizer-<uid>/<sha256 hex>/  (fallback: neither is
 *     set or usable; the per-user directory is created 0700 and must be
 *     ours, a real directory and not group/world writable)
 * reusing a complete directory left by an earlier run. Otherwise it checks
 * the payload against its hash, writes the files into a fresh temporary
 * directory beside the target, adds the completion marker and renames the
 * directory into place; a process that loses that race (the target exists)
 * removes its copy and uses the winner's.
 */
#ifndef OXIDIZER_EXTRACT_H
#define OXIDIZER_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

/* Name of the completion marker inside an extraction directory; it holds
 * the directory's name (the hex digest) and a newline. */
#define OXIDIZER_EXTRACT_MARKER ".rules_oxidizer-complete"

/* Extracts `payload` (see above) if needed. On success returns 0 and writes
 * the extraction directory (absolute, NUL-terminated) into dir. On failure
 * returns -1 and writes a one-line message naming the directory or the
 * payload problem into err. Never touches the filesystem outside the
 * candidate directories. Thread-safe: no global state. */
int oxidizer_extract(const uint8_t *payload, size_t len, char *dir,
                     size_t dir_size, char *err, size_t errlen);

/* SHA-256 of data[0..len) into out[32]. */
void oxidizer_sha256(const uint8_t *data, size_t len, uint8_t out[32]);

#endif /* OXIDIZER_EXTRACT_H */
