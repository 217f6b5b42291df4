/* Finding the host's CA certificates (no CPython dependency).
 *
 * OpenSSL looks for trusted certificates in the directory compiled into it
 * (OPENSSLDIR, /usr/lib/ssl for Debian's builds) unless SSL_CERT_FILE or
 * SSL_CERT_DIR say otherwise. A binary that links OpenSSL statically and
 * runs on another distribution (Fedora/RHEL, Alpine, SUSE) finds nothing
 * there, so ssl.create_default_context() would trust no one.
 *
 * When neither variable is set, the runtime probes the well-known locations
 * (the lists of Go's crypto/x509 root_linux.go) before Python starts and
 * sets SSL_CERT_FILE to the first readable regular file and SSL_CERT_DIR to
 * the first searchable directory. Processes started by the program inherit
 * them, like any environment variable.
 */
#ifndef OXIDIZER_CA_PROBE_H
#define OXIDIZER_CA_PROBE_H

#include <stddef.h>

/* NULL-terminated lists of the probed paths, in order of preference. */
extern const char *const oxidizer_ca_files[];
extern const char *const oxidizer_ca_dirs[];

/* Probes the locations under `root` ("" for the real root; a test passes a
 * directory holding a fake layout). Writes root + the first existing
 * bundle file into file (or "" when none) and root + the first existing
 * directory into dir (or ""). Paths that do not fit are skipped. Returns
 * nonzero when something was found. */
int oxidizer_ca_probe(const char *root, char *file, size_t file_size,
                      char *dir, size_t dir_size);

/* When neither SSL_CERT_FILE nor SSL_CERT_DIR is set, probes under `root`
 * and sets the variables for what it found. Returns 0, or -1 with errno set
 * when setenv() failed. */
int oxidizer_ca_probe_apply(const char *root);

#endif /* OXIDIZER_CA_PROBE_H */
