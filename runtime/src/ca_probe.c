/* Probing the host's CA certificate store: see ca_probe.h. */
#define _POSIX_C_SOURCE 200809L
#include "ca_probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* crypto/x509/root_linux.go, certFiles. */
const char *const oxidizer_ca_files[] = {
    "/etc/ssl/certs/ca-certificates.crt",     /* Debian/Ubuntu/Gentoo etc. */
    "/etc/pki/tls/certs/ca-bundle.crt",       /* Fedora/RHEL 6 */
    "/etc/ssl/ca-bundle.pem",                 /* OpenSUSE */
    "/etc/pki/tls/cacert.pem",                /* OpenELEC */
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", /* CentOS/RHEL 7 */
    "/etc/ssl/cert.pem",                      /* Alpine Linux */
    NULL,
};

/* crypto/x509/root_linux.go, certDirectories. */
const char *const oxidizer_ca_dirs[] = {
    "/etc/ssl/certs",               /* SLES10/SLES11 */
    "/etc/pki/tls/certs",           /* Fedora/RHEL */
    "/system/etc/security/cacerts", /* Android */
    NULL,
};

/* Writes root + path into out; 0 when it does not fit. */
static int
join(char *out, size_t size, const char *root, const char *path)
{
    int n = snprintf(out, size, "%s%s", root, path);
    return n >= 0 && (size_t)n < size;
}

static int
is_readable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode)
           && access(path, R_OK) == 0;
}

static int
is_searchable_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode)
           && access(path, R_OK | X_OK) == 0;
}

/* Writes the first candidate under root that passes `test` into out. */
static int
first(const char *root, const char *const *candidates,
      int (*test)(const char *), char *out, size_t size)
{
    if (size == 0) {
        return 0;
    }
    for (size_t i = 0; candidates[i] != NULL; i++) {
        if (join(out, size, root, candidates[i]) && test(out)) {
            return 1;
        }
    }
    out[0] = '\0';
    return 0;
}

int
oxidizer_ca_probe(const char *root, char *file, size_t file_size, char *dir,
                  size_t dir_size)
{
    int found = first(root, oxidizer_ca_files, is_readable_file, file,
                      file_size);
    found |= first(root, oxidizer_ca_dirs, is_searchable_dir, dir, dir_size);
    return found;
}

int
oxidizer_ca_probe_apply(const char *root)
{
    if (getenv("SSL_CERT_FILE") != NULL || getenv("SSL_CERT_DIR") != NULL) {
        return 0;
    }
    char file[4096];
    char dir[4096];
    oxidizer_ca_probe(root, file, sizeof(file), dir, sizeof(dir));
    if (file[0] != '\0' && setenv("SSL_CERT_FILE", file, 0) < 0) {
        return -1;
    }
    if (dir[0] != '\0' && setenv("SSL_CERT_DIR", dir, 0) < 0) {
        return -1;
    }
    return 0;
}
