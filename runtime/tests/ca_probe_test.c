/* Unit test of runtime/src/ca_probe.c (no CPython): each distribution's CA
 * layout built alone under a temporary root, the order of preference,
 * things that are not usable, and the environment rules (run under
 * ASan/UBSan by Bazel). */
#define _GNU_SOURCE

#include "ca_probe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char base[4096];
static int layouts;

/* mkdir -p root + path. */
static void
make_dirs(const char *root, const char *path)
{
    char buf[8192];
    snprintf(buf, sizeof(buf), "%s%s", root, path);
    for (char *p = buf + strlen(root) + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
                perror(buf);
                exit(1);
            }
            *p = '/';
        }
    }
    if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
        perror(buf);
        exit(1);
    }
}

static void
make_file(const char *root, const char *path)
{
    char buf[8192];
    snprintf(buf, sizeof(buf), "%s", path);
    char *slash = strrchr(buf, '/');
    *slash = '\0';
    make_dirs(root, buf);
    snprintf(buf, sizeof(buf), "%s%s", root, path);
    FILE *f = fopen(buf, "w");
    if (f == NULL) {
        perror(buf);
        exit(1);
    }
    fputs("-----BEGIN CERTIFICATE-----\n", f);
    fclose(f);
}

/* A fresh empty root directory. */
static const char *
new_root(char *out, size_t size)
{
    snprintf(out, size, "%s/layout%d", base, layouts++);
    if (mkdir(out, 0755) < 0) {
        perror(out);
        exit(1);
    }
    return out;
}

/* Probes `root` and checks file/dir against root + want ("" = none). */
static void
expect(const char *what, const char *root, const char *want_file,
       const char *want_dir)
{
    char file[8192], dir[8192], wf[8192], wd[8192];
    snprintf(wf, sizeof(wf), "%s%s", *want_file ? root : "", want_file);
    snprintf(wd, sizeof(wd), "%s%s", *want_dir ? root : "", want_dir);
    int found = oxidizer_ca_probe(root, file, sizeof(file), dir, sizeof(dir));
    CHECK(strcmp(file, wf) == 0, "%s: file \"%s\", want \"%s\"", what, file,
          wf);
    CHECK(strcmp(dir, wd) == 0, "%s: dir \"%s\", want \"%s\"", what, dir, wd);
    CHECK(found == (*want_file || *want_dir), "%s: returned %d", what, found);
}

static void
test_layouts(void)
{
    char root[4096];

    expect("empty", new_root(root, sizeof(root)), "", "");

    /* Debian/Ubuntu: ca-certificates' bundle and hashed directory. */
    new_root(root, sizeof(root));
    make_file(root, "/etc/ssl/certs/ca-certificates.crt");
    make_file(root, "/usr/lib/ssl/openssl.cnf");
    expect("debian", root, "/etc/ssl/certs/ca-certificates.crt",
           "/etc/ssl/certs");

    /* Fedora/RHEL: ca-trust's extracted bundle, linked from tls/certs. */
    new_root(root, sizeof(root));
    make_file(root, "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem");
    make_dirs(root, "/etc/pki/tls/certs");
    char target[8192], link[8192];
    snprintf(target, sizeof(target), "%s/etc/pki/ca-trust/extracted/pem/"
             "tls-ca-bundle.pem", root);
    snprintf(link, sizeof(link), "%s/etc/pki/tls/certs/ca-bundle.crt", root);
    CHECK(symlink(target, link) == 0, "symlink %s", link);
    expect("fedora", root, "/etc/pki/tls/certs/ca-bundle.crt",
           "/etc/pki/tls/certs");

    /* RHEL 7 without the compatibility link. */
    new_root(root, sizeof(root));
    make_file(root, "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem");
    expect("rhel7", root, "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
           "");

    /* Alpine: cert.pem (and no bundle under certs/). */
    new_root(root, sizeof(root));
    make_file(root, "/etc/ssl/cert.pem");
    make_dirs(root, "/etc/ssl/certs");
    expect("alpine", root, "/etc/ssl/cert.pem", "/etc/ssl/certs");

    /* openSUSE/SLES. */
    new_root(root, sizeof(root));
    make_file(root, "/etc/ssl/ca-bundle.pem");
    make_dirs(root, "/etc/ssl/certs");
    expect("suse", root, "/etc/ssl/ca-bundle.pem", "/etc/ssl/certs");

    /* OpenELEC. */
    new_root(root, sizeof(root));
    make_file(root, "/etc/pki/tls/cacert.pem");
    expect("openelec", root, "/etc/pki/tls/cacert.pem", "");

    /* Android: a directory only. */
    new_root(root, sizeof(root));
    make_dirs(root, "/system/etc/security/cacerts");
    expect("android", root, "", "/system/etc/security/cacerts");

    /* Preference follows the lists: Debian's bundle before Alpine's. */
    new_root(root, sizeof(root));
    make_file(root, "/etc/ssl/cert.pem");
    make_file(root, "/etc/ssl/ca-bundle.pem");
    make_file(root, "/etc/ssl/certs/ca-certificates.crt");
    make_dirs(root, "/etc/pki/tls/certs");
    expect("order", root, "/etc/ssl/certs/ca-certificates.crt",
           "/etc/ssl/certs");

    /* Not usable: a directory where a bundle is expected, a dangling
     * symlink, a file where a directory is expected. */
    new_root(root, sizeof(root));
    make_dirs(root, "/etc/ssl/certs/ca-certificates.crt");
    make_dirs(root, "/etc/pki/tls");
    snprintf(link, sizeof(link), "%s/etc/pki/tls/cacert.pem", root);
    CHECK(symlink("/nonexistent/cacert.pem", link) == 0, "symlink %s", link);
    make_file(root, "/etc/pki/tls/certs");
    make_file(root, "/etc/ssl/cert.pem");
    expect("unusable", root, "/etc/ssl/cert.pem", "/etc/ssl/certs");

    /* Unreadable files are skipped (root reads everything: not checked). */
    if (geteuid() != 0) {
        new_root(root, sizeof(root));
        make_file(root, "/etc/ssl/certs/ca-certificates.crt");
        make_file(root, "/etc/ssl/cert.pem");
        snprintf(target, sizeof(target),
                 "%s/etc/ssl/certs/ca-certificates.crt", root);
        CHECK(chmod(target, 0) == 0, "chmod %s", target);
        expect("unreadable", root, "/etc/ssl/cert.pem", "/etc/ssl/certs");
    }

    /* A result that does not fit the buffer is skipped, never truncated. */
    new_root(root, sizeof(root));
    make_file(root, "/etc/ssl/certs/ca-certificates.crt");
    char file[8], dir[8];
    CHECK(oxidizer_ca_probe(root, file, sizeof(file), dir, sizeof(dir)) == 0
              && file[0] == '\0' && dir[0] == '\0',
          "small buffers: \"%s\" \"%s\"", file, dir);
}

static void
test_apply(void)
{
    char root[4096], want[8192];
    new_root(root, sizeof(root));
    make_file(root, "/etc/ssl/ca-bundle.pem");
    make_dirs(root, "/etc/ssl/certs");

    /* Neither set: both set from the probe. */
    unsetenv("SSL_CERT_FILE");
    unsetenv("SSL_CERT_DIR");
    CHECK(oxidizer_ca_probe_apply(root) == 0, "apply");
    const char *f = getenv("SSL_CERT_FILE");
    const char *d = getenv("SSL_CERT_DIR");
    snprintf(want, sizeof(want), "%s/etc/ssl/ca-bundle.pem", root);
    CHECK(f != NULL && strcmp(f, want) == 0, "SSL_CERT_FILE=%s", f);
    snprintf(want, sizeof(want), "%s/etc/ssl/certs", root);
    CHECK(d != NULL && strcmp(d, want) == 0, "SSL_CERT_DIR=%s", d);

    /* Either one set by the user: nothing is touched. */
    unsetenv("SSL_CERT_FILE");
    setenv("SSL_CERT_DIR", "/mine", 1);
    CHECK(oxidizer_ca_probe_apply(root) == 0, "apply with SSL_CERT_DIR");
    CHECK(getenv("SSL_CERT_FILE") == NULL, "SSL_CERT_FILE set: %s",
          getenv("SSL_CERT_FILE"));
    CHECK(strcmp(getenv("SSL_CERT_DIR"), "/mine") == 0, "SSL_CERT_DIR=%s",
          getenv("SSL_CERT_DIR"));
    unsetenv("SSL_CERT_DIR");
    setenv("SSL_CERT_FILE", "", 1);
    CHECK(oxidizer_ca_probe_apply(root) == 0, "apply with SSL_CERT_FILE");
    CHECK(getenv("SSL_CERT_DIR") == NULL, "SSL_CERT_DIR set: %s",
          getenv("SSL_CERT_DIR"));
    CHECK(strcmp(getenv("SSL_CERT_FILE"), "") == 0, "SSL_CERT_FILE=%s",
          getenv("SSL_CERT_FILE"));

    /* Nothing found: nothing set. */
    unsetenv("SSL_CERT_FILE");
    new_root(root, sizeof(root));
    CHECK(oxidizer_ca_probe_apply(root) == 0, "apply on an empty root");
    CHECK(getenv("SSL_CERT_FILE") == NULL && getenv("SSL_CERT_DIR") == NULL,
          "variables set for an empty root");
}

int
main(void)
{
    const char *tmp = getenv("TEST_TMPDIR");
    snprintf(base, sizeof(base), "%s/ca_probe_test.XXXXXX",
             tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(base) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_layouts();
    test_apply();
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
