/* Extraction of filesystem-extracted resources; see extract.h. */
#define _GNU_SOURCE /* mkdtemp, nftw, O_NOFOLLOW, O_CLOEXEC */

#include "extract.h"
#include "relative_path.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define MAGIC "OXEX\x01"
#define MAGIC_LEN 5
#define DIGEST_LEN 32
#define HEADER_LEN (MAGIC_LEN + DIGEST_LEN)
#define ENTRY_HEADER_LEN (2 + 1 + 8)

/* ------------------------------------------------------------------------ */
/* SHA-256 (FIPS 180-4).                                                    */

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t
rotr(uint32_t x, int n)
{
    return (x >> n) | (x << (32 - n));
}

static void
sha256_block(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++) {
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16
               | (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    }
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18)
                      ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19)
                      ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    uint32_t e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = hh + s1 + ch + K[i] + w[i];
        uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = s0 + maj;
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

void
oxidizer_sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    size_t full = len / 64;
    for (size_t i = 0; i < full; i++) {
        sha256_block(h, data + 64 * i);
    }
    uint8_t tail[128] = {0};
    size_t rest = len - 64 * full;
    memcpy(tail, data + 64 * full, rest);
    tail[rest] = 0x80;
    size_t tail_len = rest + 1 + 8 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++) {
        tail[tail_len - 1 - i] = (uint8_t)(bits >> (8 * i));
    }
    sha256_block(h, tail);
    if (tail_len == 128) {
        sha256_block(h, tail + 64);
    }
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(h[i] >> 8);
        out[4 * i + 3] = (uint8_t)h[i];
    }
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

static int
set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (errlen > 0) {
        va_list va;
        va_start(va, fmt);
        vsnprintf(err, errlen, fmt, va);
        va_end(va);
    }
    return -1;
}

static uint64_t
read_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) {
        v = v << 8 | p[i];
    }
    return v;
}

/* snprintf into a PATH_MAX buffer; -1 (ENAMETOOLONG) when it does not fit. */
static int
path_printf(char *out, size_t size, const char *fmt, ...)
{
    va_list va;
    va_start(va, fmt);
    int n = vsnprintf(out, size, fmt, va);
    va_end(va);
    if (n < 0 || (size_t)n >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* Walks the body; with root != NULL also writes the files below root.
 * Returns 0, or -1 with err set. */
static int
walk_body(const uint8_t *body, size_t len, const char *root, char *err,
          size_t errlen)
{
    if (len < 4) {
        return set_err(err, errlen, "corrupted extraction payload: "
                       "truncated header");
    }
    uint64_t count = read_le(body, 4);
    size_t pos = 4;
    for (uint64_t i = 0; i < count; i++) {
        if (len - pos < ENTRY_HEADER_LEN) {
            return set_err(err, errlen, "corrupted extraction payload: "
                           "entry %llu truncated", (unsigned long long)i);
        }
        size_t path_len = (size_t)read_le(body + pos, 2);
        uint8_t mode = body[pos + 2];
        uint64_t data_len = read_le(body + pos + 3, 8);
        pos += ENTRY_HEADER_LEN;
        if (mode > 1 || path_len > len - pos
            || data_len > (uint64_t)(len - pos - path_len)) {
            return set_err(err, errlen, "corrupted extraction payload: "
                           "entry %llu overruns the payload",
                           (unsigned long long)i);
        }
        const uint8_t *path = body + pos;
        const uint8_t *data = path + path_len;
        pos += path_len + (size_t)data_len;
        if (!oxr_is_normalized_relative(path, path_len)) {
            return set_err(err, errlen, "corrupted extraction payload: "
                           "entry %llu has an invalid path",
                           (unsigned long long)i);
        }
        if (root == NULL) {
            continue;
        }
        char full[PATH_MAX];
        if (path_printf(full, sizeof(full), "%s/%.*s", root, (int)path_len,
                        (const char *)path) < 0) {
            return set_err(err, errlen, "%s/%.*s: %s", root, (int)path_len,
                           (const char *)path, strerror(errno));
        }
        /* Parent directories, inside root (a fresh directory of ours). */
        size_t root_len = strlen(root);
        for (char *s = full + root_len + 1; (s = strchr(s, '/')) != NULL;
             s++) {
            *s = '\0';
            int rc = mkdir(full, 0755);
            int saved = errno;
            *s = '/';
            if (rc < 0 && saved != EEXIST) {
                *s = '\0';
                set_err(err, errlen, "cannot create %s: %s", full,
                        strerror(saved));
                return -1;
            }
        }
        int fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
                                | O_CLOEXEC,
                      mode ? 0755 : 0644);
        if (fd < 0) {
            return set_err(err, errlen, "cannot create %s: %s", full,
                           strerror(errno));
        }
        size_t done = 0;
        while (done < data_len) {
            size_t chunk = (size_t)data_len - done;
            if (chunk > (1u << 30)) {
                chunk = 1u << 30;
            }
            ssize_t n = write(fd, data + done, chunk);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                int saved = n < 0 ? errno : EIO;
                close(fd);
                return set_err(err, errlen, "cannot write %s: %s", full,
                               strerror(saved));
            }
            done += (size_t)n;
        }
        if (close(fd) < 0) {
            return set_err(err, errlen, "cannot write %s: %s", full,
                           strerror(errno));
        }
    }
    if (pos != len) {
        return set_err(err, errlen, "corrupted extraction payload: %zu "
                       "trailing bytes", len - pos);
    }
    return 0;
}

static int
remove_entry(const char *path, const struct stat *st, int flag,
             struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) < 0 ? -1 : 0;
}

/* rm -rf of a directory we created (symlinks are not followed). */
static void
remove_tree(const char *path)
{
    (void)nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Whether dir holds the completion marker for hex. */
static int
is_complete(const char *dir, const char *hex)
{
    char marker[PATH_MAX];
    if (path_printf(marker, sizeof(marker), "%s/%s", dir,
                    OXIDIZER_EXTRACT_MARKER) < 0) {
        return 0;
    }
    int fd = open(marker, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    char buf[2 * DIGEST_LEN + 2];
    ssize_t n = read(fd, buf, sizeof(buf));
    close(fd);
    return n == 2 * DIGEST_LEN + 1 && memcmp(buf, hex, 2 * DIGEST_LEN) == 0
           && buf[2 * DIGEST_LEN] == '\n';
}

/* mkdir -p of path with `mode` for the directories it creates. */
static int
make_dirs(char *path, mode_t mode)
{
    for (char *s = path + 1; ; s++) {
        char c = *s;
        if (c != '/' && c != '\0') {
            continue;
        }
        *s = '\0';
        int rc = mkdir(path, mode);
        int saved = errno;
        *s = c;
        if (rc < 0 && saved != EEXIST) {
            errno = saved;
            return -1;
        }
        if (c == '\0') {
            break;
        }
    }
    struct stat st;
    if (stat(path, &st) < 0) {
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

/* Creates or checks the private per-user directory under the temporary
 * directory: ours, a real directory, not group/world writable. */
static int
private_dir(const char *path, char *err, size_t errlen)
{
    if (mkdir(path, 0700) < 0 && errno != EEXIST) {
        return set_err(err, errlen, "cannot create %s: %s", path,
                       strerror(errno));
    }
    struct stat st;
    if (lstat(path, &st) < 0) {
        return set_err(err, errlen, "cannot use %s: %s", path,
                       strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) {
        return set_err(err, errlen, "cannot use %s: not a directory (or a "
                       "symbolic link)", path);
    }
    if (st.st_uid != geteuid()) {
        return set_err(err, errlen, "cannot use %s: owned by uid %u, not by "
                       "us (uid %u)", path, (unsigned)st.st_uid,
                       (unsigned)geteuid());
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        return set_err(err, errlen, "cannot use %s: writable by other "
                       "users (mode %04o)", path,
                       (unsigned)(st.st_mode & 07777));
    }
    return 0;
}

/* Extracts into base/<hex>, creating base. 0 on success (dir filled). */
static int
extract_into(const char *base, int private_base, const uint8_t *body,
             size_t body_len, const char *hex, int *verified, char *dir,
             size_t dir_size, char *err, size_t errlen)
{
    char final[PATH_MAX];
    if (path_printf(final, sizeof(final), "%s/%s", base, hex) < 0
        || strlen(final) >= dir_size) {
        return set_err(err, errlen, "%s/%s: path too long", base, hex);
    }
    if (is_complete(final, hex)) {
        memcpy(dir, final, strlen(final) + 1);
        return 0;
    }
    char tmp[PATH_MAX];
    if (path_printf(tmp, sizeof(tmp), "%s", base) < 0) {
        return set_err(err, errlen, "%s: path too long", base);
    }
    if (private_base) {
        if (private_dir(tmp, err, errlen) < 0) {
            return -1;
        }
    }
    else if (make_dirs(tmp, 0700) < 0) {
        return set_err(err, errlen, "cannot create %s: %s", base,
                       strerror(errno));
    }
    if (!*verified) {
        uint8_t digest[DIGEST_LEN];
        oxidizer_sha256(body, body_len, digest);
        char got[2 * DIGEST_LEN + 1];
        for (int i = 0; i < DIGEST_LEN; i++) {
            snprintf(got + 2 * i, 3, "%02x", digest[i]);
        }
        if (memcmp(got, hex, 2 * DIGEST_LEN) != 0) {
            return set_err(err, errlen, "corrupted extraction payload: its "
                           "SHA-256 is %s, not %s", got, hex);
        }
        *verified = 1;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        if (path_printf(tmp, sizeof(tmp), "%s/.tmp-%.16s-XXXXXX", base, hex)
                < 0
            || mkdtemp(tmp) == NULL) {
            return set_err(err, errlen, "cannot create a directory in %s: %s",
                           base, strerror(errno));
        }
        if (walk_body(body, body_len, tmp, err, errlen) < 0) {
            remove_tree(tmp);
            return -1;
        }
        char marker[PATH_MAX];
        if (path_printf(marker, sizeof(marker), "%s/%s", tmp,
                        OXIDIZER_EXTRACT_MARKER) < 0) {
            remove_tree(tmp);
            return set_err(err, errlen, "%s: path too long", tmp);
        }
        int fd = open(marker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        char line[2 * DIGEST_LEN + 1];
        memcpy(line, hex, 2 * DIGEST_LEN);
        line[2 * DIGEST_LEN] = '\n';
        if (fd < 0 || write(fd, line, sizeof(line)) != (ssize_t)sizeof(line)
            || close(fd) < 0) {
            int saved = errno;
            remove_tree(tmp);
            return set_err(err, errlen, "cannot write %s: %s", marker,
                           strerror(saved));
        }
        if (rename(tmp, final) == 0) {
            memcpy(dir, final, strlen(final) + 1);
            return 0;
        }
        int saved = errno;
        remove_tree(tmp);
        if (saved != EEXIST && saved != ENOTEMPTY) {
            return set_err(err, errlen, "cannot rename %s to %s: %s", tmp,
                           final, strerror(saved));
        }
        /* Another process was first: use its directory. */
        if (is_complete(final, hex)) {
            memcpy(dir, final, strlen(final) + 1);
            return 0;
        }
        /* An incomplete directory (an interrupted removal): move it aside
         * and try once more. */
        char stale[PATH_MAX];
        if (path_printf(stale, sizeof(stale), "%s/.stale-%.16s-XXXXXX", base,
                        hex) < 0
            || mkdtemp(stale) == NULL) {
            return set_err(err, errlen, "cannot create a directory in %s: %s",
                           base, strerror(errno));
        }
        if (rename(final, stale) < 0 && errno != ENOENT) {
            int e = errno;
            remove_tree(stale);
            return set_err(err, errlen, "%s is incomplete and cannot be "
                           "replaced: %s", final, strerror(e));
        }
        remove_tree(stale);
    }
    return set_err(err, errlen, "%s is incomplete and could not be replaced",
                   final);
}

static const char *
absolute_env(const char *name)
{
    const char *value = getenv(name);
    return value != NULL && value[0] == '/' ? value : NULL;
}

int
oxidizer_extract(const uint8_t *payload, size_t len, char *dir,
                 size_t dir_size, char *err, size_t errlen)
{
    if (len < HEADER_LEN || memcmp(payload, MAGIC, MAGIC_LEN) != 0) {
        return set_err(err, errlen, "corrupted extraction payload: bad "
                       "header");
    }
    const uint8_t *body = payload + HEADER_LEN;
    size_t body_len = len - HEADER_LEN;
    /* Structure first: nothing is written for a malformed payload. */
    if (walk_body(body, body_len, NULL, err, errlen) < 0) {
        return -1;
    }
    char hex[2 * DIGEST_LEN + 1];
    for (int i = 0; i < DIGEST_LEN; i++) {
        snprintf(hex + 2 * i, 3, "%02x", payload[MAGIC_LEN + i]);
    }

    char base[PATH_MAX];
    char first_err[PATH_MAX + 128] = "";
    int verified = 0;
    const char *xdg = absolute_env("XDG_CACHE_HOME");
    const char *home = absolute_env("HOME");
    int have_cache =
        xdg != NULL
            ? path_printf(base, sizeof(base), "%s/rules_oxidizer", xdg) == 0
        : home != NULL
            ? path_printf(base, sizeof(base), "%s/.cache/rules_oxidizer",
                          home) == 0
            : 0;
    if (have_cache) {
        if (extract_into(base, 0, body, body_len, hex, &verified, dir,
                         dir_size, first_err, sizeof(first_err)) == 0) {
            return 0;
        }
        if (strncmp(first_err, "corrupted", 9) == 0) {
            return set_err(err, errlen, "%s", first_err);
        }
    }
    const char *tmpdir = absolute_env("TMPDIR");
    if (path_printf(base, sizeof(base), "%s/rules_oxidizer-%u",
                    tmpdir != NULL ? tmpdir : "/tmp", (unsigned)geteuid())
        < 0) {
        return set_err(err, errlen, "%s: temporary directory path too long",
                       tmpdir);
    }
    char second_err[PATH_MAX + 128];
    if (extract_into(base, 1, body, body_len, hex, &verified, dir, dir_size,
                     second_err, sizeof(second_err)) == 0) {
        return 0;
    }
    if (have_cache) {
        return set_err(err, errlen, "%s; fallback: %s", first_err,
                       second_err);
    }
    return set_err(err, errlen, "%s", second_err);
}
