/* Unit tests for runtime/src/packed_resources.c.
 *
 * Builds packed-resources blobs with a small writer of its own (written from
 * the format notes, independently of the parser) and checks parse results,
 * lookups and a battery of malformed inputs; runs the relative path rules
 * (relative_path.c) through the shared cases of tests/analysis/path_cases.bzl,
 * whose path is the one argument. Prints "N passed, N failed" last and exits
 * non-zero on any failure. */
#include "oxidizer/packed_resources.h"
#include "relative_path.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int g_passed, g_failed;

#define CHECK(cond) check_((cond), #cond, __LINE__)
#define CHECKF(cond, ...) \
    do { \
        if (!check_((cond), #cond, __LINE__)) { \
            fprintf(stderr, "    "); \
            fprintf(stderr, __VA_ARGS__); \
            fprintf(stderr, "\n"); \
        } \
    } while (0)

static bool
check_(bool ok, const char *what, int line)
{
    if (ok) {
        g_passed++;
    }
    else {
        g_failed++;
        fprintf(stderr, "FAIL line %d: %s\n", line, what);
    }
    return ok;
}

/* ---- byte buffer ----------------------------------------------------- */

typedef struct {
    uint8_t *p;
    size_t len, cap;
} buf;

static void
put(buf *b, const void *d, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n) {
            cap *= 2;
        }
        b->p = realloc(b->p, cap);
        if (b->p == NULL) {
            abort();
        }
        b->cap = cap;
    }
    if (n) {
        memcpy(b->p + b->len, d, n);
    }
    b->len += n;
}

static void
put_le(buf *b, uint64_t v, unsigned width)
{
    for (unsigned i = 0; i < width; i++) {
        uint8_t c = (uint8_t)(v >> (8 * i));
        put(b, &c, 1);
    }
}

static void
set_le(uint8_t *p, uint64_t v, unsigned width)
{
    for (unsigned i = 0; i < width; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

/* ---- test writer ----------------------------------------------------- */

enum { T_NONE, T_FLAG, T_FLAVOR, T_NAME, T_BYTES, T_NAMED, T_DEPS };

typedef struct {
    int kind;
    unsigned width;      /* length width (T_BYTES) or value width (T_NAMED) */
    size_t offset;       /* member in oxr_resource */
    uint32_t flag;
} tspec;

#define TB(w, m) {T_BYTES, w, offsetof(oxr_resource, m), 0}
#define TN(w, m) {T_NAMED, w, offsetof(oxr_resource, m), 0}
#define TF(f) {T_FLAG, 0, 0, f}

/* Format v1's flavor field, which the v3 field table does not list. */
#define T_FIELD_FLAVOR 0x02

/* Each field's encoding, written from the format notes: the ids come from
 * the header, the kinds and widths do not, so a parser reading the header's
 * table wrongly still fails here; test_field_table() checks that the
 * header's table agrees. */
static const tspec TSPEC[OXR_MAX_FIELD + 1] = {
    [T_FIELD_FLAVOR] = {T_FLAVOR, 0, 0, 0},
    [OXR_FIELD_NAME] = {T_NAME, 2, offsetof(oxr_resource, name), 0},
    [OXR_FIELD_IS_PACKAGE] = TF(OXR_FLAG_IS_PACKAGE),
    [OXR_FIELD_IS_NAMESPACE_PACKAGE] = TF(OXR_FLAG_IS_NAMESPACE_PACKAGE),
    [OXR_FIELD_IN_MEMORY_SOURCE] = TB(4, in_memory_source),
    [OXR_FIELD_IN_MEMORY_BYTECODE] = TB(4, in_memory_bytecode),
    [OXR_FIELD_IN_MEMORY_BYTECODE_OPT1] = TB(4, in_memory_bytecode_opt1),
    [OXR_FIELD_IN_MEMORY_BYTECODE_OPT2] = TB(4, in_memory_bytecode_opt2),
    [OXR_FIELD_IN_MEMORY_EXTENSION_MODULE_SHARED_LIBRARY] =
        TB(4, in_memory_extension_module),
    [OXR_FIELD_IN_MEMORY_PACKAGE_RESOURCES] =
        TN(8, in_memory_package_resources),
    [OXR_FIELD_IN_MEMORY_DISTRIBUTION_RESOURCES] =
        TN(8, in_memory_distribution_resources),
    [OXR_FIELD_IN_MEMORY_SHARED_LIBRARY] = TB(8, in_memory_shared_library),
    [OXR_FIELD_SHARED_LIBRARY_DEPENDENCY_NAMES] = {T_DEPS, 2, 0, 0},
    [OXR_FIELD_RELATIVE_PATH_MODULE_SOURCE] =
        TB(4, relative_path_module_source),
    [OXR_FIELD_RELATIVE_PATH_MODULE_BYTECODE] =
        TB(4, relative_path_module_bytecode),
    [OXR_FIELD_RELATIVE_PATH_MODULE_BYTECODE_OPT1] =
        TB(4, relative_path_module_bytecode_opt1),
    [OXR_FIELD_RELATIVE_PATH_MODULE_BYTECODE_OPT2] =
        TB(4, relative_path_module_bytecode_opt2),
    [OXR_FIELD_RELATIVE_PATH_EXTENSION_MODULE_SHARED_LIBRARY] =
        TB(4, relative_path_extension_module),
    [OXR_FIELD_RELATIVE_PATH_PACKAGE_RESOURCES] =
        TN(4, relative_path_package_resources),
    [OXR_FIELD_RELATIVE_PATH_DISTRIBUTION_RESOURCES] =
        TN(4, relative_path_distribution_resources),
    [OXR_FIELD_IS_MODULE] = TF(OXR_FLAG_IS_MODULE),
    [OXR_FIELD_IS_BUILTIN_EXTENSION_MODULE] =
        TF(OXR_FLAG_IS_BUILTIN_EXTENSION),
    [OXR_FIELD_IS_FROZEN_MODULE] = TF(OXR_FLAG_IS_FROZEN_MODULE),
    [OXR_FIELD_IS_EXTENSION_MODULE] = TF(OXR_FLAG_IS_EXTENSION_MODULE),
    [OXR_FIELD_IS_SHARED_LIBRARY] = TF(OXR_FLAG_IS_SHARED_LIBRARY),
    [OXR_FIELD_IS_UTF8_FILENAME] = TF(OXR_FLAG_IS_UTF8_FILENAME),
    [OXR_FIELD_FILE_EXECUTABLE] = TF(OXR_FLAG_FILE_EXECUTABLE),
    [OXR_FIELD_FILE_DATA_EMBEDDED] = TB(8, file_data_embedded),
    [OXR_FIELD_FILE_DATA_UTF8_RELATIVE_PATH] =
        TB(4, file_data_utf8_relative_path),
    [OXR_FIELD_IS_FILESYSTEM_EXTRACTED] = TF(OXR_FLAG_FILESYSTEM_EXTRACTED),
    [OXR_FIELD_EXTRACTION_PAYLOAD] = TB(8, extraction_payload),
    [OXR_FIELD_IN_MEMORY_SOURCE_ZSTD] = TB(4, in_memory_source_zstd),
    [OXR_FIELD_IN_MEMORY_BYTECODE_ZSTD] = TB(4, in_memory_bytecode_zstd),
    [OXR_FIELD_IN_MEMORY_BYTECODE_OPT1_ZSTD] =
        TB(4, in_memory_bytecode_opt1_zstd),
    [OXR_FIELD_IN_MEMORY_BYTECODE_OPT2_ZSTD] =
        TB(4, in_memory_bytecode_opt2_zstd),
};

#define MAXF 32
#define MAXP 16

typedef struct {
    uint8_t id;
    uint8_t flavor;
    size_t nparts;
    const char *parts[MAXP];
} tfield;

typedef struct {
    size_t nfields;
    tfield f[MAXF];
} tres;

typedef struct {
    uint8_t version;
    int padding;            /* 0 absent, 1 explicit none, 2 NUL */
    bool reverse_sections;  /* blob index in descending field order */
} wopts;

typedef struct {
    size_t blob_index_start, res_index_start, blob_start;
    size_t entry_off[1024]; /* offset of each resource's 0x01 marker */
    size_t section_off[OXR_MAX_FIELD + 1];
    size_t section_len[OXR_MAX_FIELD + 1];
    /* offset of the section's 0x01 */
    size_t section_index_off[OXR_MAX_FIELD + 1];
} layout;

/* Starts a resource: the name is its first field. */
static tres *
R(tres *r, const char *name)
{
    memset(r, 0, sizeof(*r));
    r->nfields = 1;
    r->f[0].id = OXR_FIELD_NAME;
    r->f[0].nparts = 1;
    r->f[0].parts[0] = name;
    return r;
}

/* Adds field `id` with NULL-terminated parts (name/value pairs for
 * multi-entry fields, names for 0x0e, one blob otherwise, none for flags). */
static void
F(tres *r, int id, ...)
{
    tfield *f = &r->f[r->nfields++];
    memset(f, 0, sizeof(*f));
    f->id = (uint8_t)id;
    va_list ap;
    va_start(ap, id);
    const char *s;
    while ((s = va_arg(ap, const char *)) != NULL) {
        f->parts[f->nparts++] = s;
    }
    va_end(ap);
}

static void
FLAVOR(tres *r, uint8_t flavor)
{
    tfield *f = &r->f[r->nfields++];
    memset(f, 0, sizeof(*f));
    f->id = T_FIELD_FLAVOR;
    f->flavor = flavor;
}

static void
write_blob(buf *out, const tres *rs, size_t n, wopts o, layout *lay)
{
    static layout scratch;
    if (lay == NULL) {
        lay = &scratch;
    }
    memset(lay, 0, sizeof(*lay));
    buf sec[OXR_MAX_FIELD + 1];
    memset(sec, 0, sizeof(sec));
    buf ri = {0};
    size_t entry_rel[1024];
    static const uint8_t zero = 0;

    for (size_t i = 0; i < n; i++) {
        entry_rel[i] = ri.len;
        put_le(&ri, 0x01, 1);
        for (size_t k = 0; k < rs[i].nfields; k++) {
            const tfield *f = &rs[i].f[k];
            const tspec *t = &TSPEC[f->id <= OXR_MAX_FIELD ? f->id : 0];
            put_le(&ri, f->id, 1);
            switch (t->kind) {
            case T_FLAVOR:
                put_le(&ri, f->flavor, 1);
                break;
            case T_NAME:
            case T_BYTES:
                put_le(&ri, strlen(f->parts[0]), t->width);
                break;
            case T_NAMED:
                put_le(&ri, f->nparts / 2, 4);
                for (size_t j = 0; j < f->nparts; j += 2) {
                    put_le(&ri, strlen(f->parts[j]), 2);
                    put_le(&ri, strlen(f->parts[j + 1]), t->width);
                }
                break;
            case T_DEPS:
                put_le(&ri, f->nparts, 2);
                for (size_t j = 0; j < f->nparts; j++) {
                    put_le(&ri, strlen(f->parts[j]), 2);
                }
                break;
            default:
                break;
            }
            for (size_t j = 0; j < f->nparts; j++) {
                put(&sec[f->id], f->parts[j], strlen(f->parts[j]));
                if (o.padding == 2) {
                    put(&sec[f->id], &zero, 1);
                }
            }
        }
        put_le(&ri, 0xff, 1);
    }
    put_le(&ri, 0x00, 1);

    buf bi = {0};
    unsigned nsec = 0;
    size_t sec_rel[OXR_MAX_FIELD + 1], sec_index_rel[OXR_MAX_FIELD + 1];
    size_t pos = 0;
    for (int k = 0; k <= OXR_MAX_FIELD; k++) {
        int id = o.reverse_sections ? OXR_MAX_FIELD - k : k;
        if (sec[id].len == 0) {
            continue;  /* like the canonical writer */
        }
        nsec++;
        sec_index_rel[id] = bi.len;
        put_le(&bi, 0x01, 1);
        put_le(&bi, 0x02, 1);
        put_le(&bi, (uint64_t)id, 1);
        put_le(&bi, 0x03, 1);
        put_le(&bi, sec[id].len, 8);
        if (o.padding) {
            put_le(&bi, 0x04, 1);
            put_le(&bi, (uint64_t)o.padding, 1);
        }
        put_le(&bi, 0xff, 1);
        sec_rel[id] = pos;
        pos += sec[id].len;
    }
    put_le(&bi, 0x00, 1);

    out->len = 0;
    put(out, "pyembed", 7);
    put_le(out, o.version ? o.version : 3, 1);
    put_le(out, nsec, 1);
    put_le(out, bi.len, 4);
    put_le(out, n, 4);
    put_le(out, ri.len, 4);
    lay->blob_index_start = out->len;
    put(out, bi.p, bi.len);
    lay->res_index_start = out->len;
    put(out, ri.p, ri.len);
    lay->blob_start = out->len;
    for (size_t i = 0; i < n && i < 1024; i++) {
        lay->entry_off[i] = lay->res_index_start + entry_rel[i];
    }
    for (int k = 0; k <= OXR_MAX_FIELD; k++) {
        int id = o.reverse_sections ? OXR_MAX_FIELD - k : k;
        if (sec[id].len) {
            lay->section_off[id] = lay->blob_start + sec_rel[id];
            lay->section_len[id] = sec[id].len;
            lay->section_index_off[id] =
                lay->blob_index_start + sec_index_rel[id];
            put(out, sec[id].p, sec[id].len);
        }
        free(sec[id].p);
    }
    free(bi.p);
    free(ri.p);
}

/* ---- result checks --------------------------------------------------- */

static bool
in_buf(const buf *b, oxr_bytes s)
{
    return s.data != NULL && s.data >= b->p && s.data <= b->p + b->len &&
           s.len <= (size_t)(b->p + b->len - s.data);
}

static bool
bytes_eq(oxr_bytes s, const char *want)
{
    size_t n = strlen(want);
    return s.data != NULL && s.len == n && memcmp(s.data, want, n) == 0;
}

static bool
is_zero_index(const oxr_index *ix)
{
    static const oxr_index zero;
    return memcmp(ix, &zero, sizeof(zero)) == 0;
}

/* Compares one parsed resource against its spec, field by field, and checks
 * that absent fields stay absent and every slice points into `b`. */
static void
check_resource(const buf *b, const tres *want, const oxr_resource *got,
               uint8_t version)
{
    bool present[OXR_MAX_FIELD + 1] = {false};
    uint32_t flags = 0;
    for (size_t k = 0; k < want->nfields; k++) {
        const tfield *f = &want->f[k];
        const tspec *t = &TSPEC[f->id];
        present[f->id] = true;
        switch (t->kind) {
        case T_FLAG:
            flags |= t->flag;
            break;
        case T_FLAVOR: {
            static const uint32_t map[] = {0, OXR_FLAG_IS_MODULE,
                OXR_FLAG_IS_BUILTIN_EXTENSION, OXR_FLAG_IS_FROZEN_MODULE,
                OXR_FLAG_IS_EXTENSION_MODULE, OXR_FLAG_IS_SHARED_LIBRARY};
            CHECK(got->flavor == f->flavor);
            flags |= map[f->flavor];
            break;
        }
        case T_NAME:
        case T_BYTES: {
            const oxr_bytes *s =
                (const oxr_bytes *)((const char *)got + t->offset);
            CHECKF(bytes_eq(*s, f->parts[0]) && in_buf(b, *s),
                   "field 0x%02x", f->id);
            break;
        }
        case T_NAMED: {
            const oxr_named_list *l =
                (const oxr_named_list *)((const char *)got + t->offset);
            bool ok = l->entries != NULL && l->count == f->nparts / 2;
            for (size_t j = 0; ok && j < l->count; j++) {
                ok = bytes_eq(l->entries[j].name, f->parts[2 * j]) &&
                     bytes_eq(l->entries[j].value, f->parts[2 * j + 1]) &&
                     in_buf(b, l->entries[j].name) &&
                     in_buf(b, l->entries[j].value);
            }
            CHECKF(ok, "field 0x%02x", f->id);
            break;
        }
        case T_DEPS: {
            bool ok = got->shared_library_dependencies != NULL &&
                      got->shared_library_dependency_count == f->nparts;
            for (size_t j = 0; ok && j < f->nparts; j++) {
                ok = bytes_eq(got->shared_library_dependencies[j],
                              f->parts[j]) &&
                     in_buf(b, got->shared_library_dependencies[j]);
            }
            CHECK(ok);
            break;
        }
        default:
            CHECK(false);
        }
    }
    CHECKF(got->flags == flags, "flags 0x%x want 0x%x", got->flags, flags);
    if (!present[T_FIELD_FLAVOR]) {
        CHECK(got->flavor == 0);
    }
    for (int id = 0; id <= OXR_MAX_FIELD; id++) {
        const tspec *t = &TSPEC[id];
        if (present[id]) {
            continue;
        }
        if (t->kind == T_BYTES) {
            CHECKF(((const oxr_bytes *)((const char *)got + t->offset))->data
                   == NULL, "absent field 0x%02x", id);
        }
        else if (t->kind == T_NAMED) {
            const oxr_named_list *l =
                (const oxr_named_list *)((const char *)got + t->offset);
            CHECKF(l->entries == NULL && l->count == 0,
                   "absent field 0x%02x", id);
        }
        else if (t->kind == T_DEPS) {
            CHECK(got->shared_library_dependencies == NULL &&
                  got->shared_library_dependency_count == 0);
        }
    }
    (void)version;
}

static const char *
tname(const tres *r)
{
    for (size_t k = 0; k < r->nfields; k++) {
        if (r->f[k].id == OXR_FIELD_NAME) {
            return r->f[k].parts[0];
        }
    }
    return "";
}

/* Parses `b` expecting success and a match with rs[0..n). */
static bool
parse_expect(const buf *b, const tres *rs, size_t n, uint8_t version,
             oxr_index *ix)
{
    char err[256];
    int rc = oxr_index_parse(b->p, b->len, ix, err, sizeof(err));
    CHECKF(rc == OXR_OK, "parse failed: %s", err);
    if (rc != OXR_OK) {
        return false;
    }
    CHECK(ix->format_version == version);
    CHECK(ix->count == n);
    for (size_t i = 0; i < n && i < ix->count; i++) {
        check_resource(b, &rs[i], &ix->resources[i], version);
        const char *name = tname(&rs[i]);
        CHECKF(oxr_index_find(ix, name, strlen(name)) == &ix->resources[i],
               "find(\"%s\")", name);
    }
    return true;
}

static void
roundtrip(const tres *rs, size_t n, wopts o)
{
    buf b = {0};
    oxr_index ix;
    write_blob(&b, rs, n, o, NULL);
    if (parse_expect(&b, rs, n, o.version ? o.version : 3, &ix)) {
        oxr_index_free(&ix);
        CHECK(is_zero_index(&ix));
    }
    free(b.p);
}

/* Expects OXR_ERROR, a zeroed index and a one-line message containing
 * `want` (when not NULL). */
static void
expect_error_at(const uint8_t *data, size_t len, const char *want, int line)
{
    char err[256];
    oxr_index ix;
    memset(&ix, 0x5a, sizeof(ix));
    int rc = oxr_index_parse(data, len, &ix, err, sizeof(err));
    bool ok = rc == OXR_ERROR && is_zero_index(&ix) && err[0] != '\0' &&
              strchr(err, '\n') == NULL &&
              (want == NULL || strstr(err, want) != NULL);
    if (!check_(ok, "expect_error", line)) {
        fprintf(stderr, "    rc=%d err=\"%s\" want \"%s\"\n", rc,
                rc == OXR_OK ? "" : err, want ? want : "");
    }
    if (rc == OXR_OK) {
        oxr_index_free(&ix);
    }
}
#define EXPECT_ERROR(b, want) expect_error_at((b)->p, (b)->len, want, __LINE__)

/* ---- fixtures -------------------------------------------------------- */

/* A resource carrying every v3 field but the zstd ones, one carrying a few
 * (with opt1 zstd), one whose values are all empty, and one with the other
 * zstd fields: together every field of OXR_PACKED_FIELDS
 * (test_field_table() checks). */
static size_t
all_fields_v3(tres *rs)
{
    tres *r = R(&rs[0], "pkg.mod");
    F(r, OXR_FIELD_IS_PACKAGE, NULL);
    F(r, OXR_FIELD_IS_NAMESPACE_PACKAGE, NULL);
    F(r, OXR_FIELD_IN_MEMORY_SOURCE, "print('src')", NULL);
    F(r, OXR_FIELD_IN_MEMORY_BYTECODE, "BYTECODE", NULL);
    F(r, OXR_FIELD_IN_MEMORY_BYTECODE_OPT1, "BYTECODE-O1", NULL);
    F(r, OXR_FIELD_IN_MEMORY_BYTECODE_OPT2, "BYTECODE-O2", NULL);
    F(r, OXR_FIELD_IN_MEMORY_EXTENSION_MODULE_SHARED_LIBRARY,
      "\x7f" "ELFextension", NULL);
    F(r, OXR_FIELD_IN_MEMORY_PACKAGE_RESOURCES,
      "data.txt", "hello", "sub/x.bin", "", "e.json", "{}", NULL);
    F(r, OXR_FIELD_IN_MEMORY_DISTRIBUTION_RESOURCES,
      "METADATA", "Name: pkg", "RECORD", "r", NULL);
    F(r, OXR_FIELD_IN_MEMORY_SHARED_LIBRARY, "\x7f" "ELFsharedlib", NULL);
    F(r, OXR_FIELD_SHARED_LIBRARY_DEPENDENCY_NAMES,
      "libc.so.6", "libm.so.6", "libz.so.1", NULL);
    F(r, OXR_FIELD_RELATIVE_PATH_MODULE_SOURCE, "pkg/mod.py", NULL);
    F(r, OXR_FIELD_RELATIVE_PATH_MODULE_BYTECODE,
      "pkg/__pycache__/mod.pyc", NULL);
    F(r, OXR_FIELD_RELATIVE_PATH_MODULE_BYTECODE_OPT1,
      "pkg/__pycache__/mod.opt-1.pyc", NULL);
    F(r, OXR_FIELD_RELATIVE_PATH_MODULE_BYTECODE_OPT2,
      "pkg/__pycache__/mod.opt-2.pyc", NULL);
    F(r, OXR_FIELD_RELATIVE_PATH_EXTENSION_MODULE_SHARED_LIBRARY,
      "pkg/mod.so", NULL);
    F(r, OXR_FIELD_RELATIVE_PATH_PACKAGE_RESOURCES,
      "res.txt", "pkg/res.txt", NULL);
    F(r, OXR_FIELD_RELATIVE_PATH_DISTRIBUTION_RESOURCES,
      "METADATA", "pkg-1.0.dist-info/METADATA", NULL);
    F(r, OXR_FIELD_IS_MODULE, NULL);
    F(r, OXR_FIELD_IS_BUILTIN_EXTENSION_MODULE, NULL);
    F(r, OXR_FIELD_IS_FROZEN_MODULE, NULL);
    F(r, OXR_FIELD_IS_EXTENSION_MODULE, NULL);
    F(r, OXR_FIELD_IS_SHARED_LIBRARY, NULL);
    F(r, OXR_FIELD_IS_UTF8_FILENAME, NULL);
    F(r, OXR_FIELD_FILE_EXECUTABLE, NULL);
    F(r, OXR_FIELD_FILE_DATA_EMBEDDED, "embedded file data", NULL);
    F(r, OXR_FIELD_FILE_DATA_UTF8_RELATIVE_PATH,
      "files/d\xc3\xa4ta.bin", NULL);
    F(r, OXR_FIELD_IS_FILESYSTEM_EXTRACTED, NULL);
    F(r, OXR_FIELD_EXTRACTION_PAYLOAD, "extraction payload", NULL);

    r = R(&rs[1], "zeta");
    F(r, OXR_FIELD_IS_MODULE, NULL);
    F(r, OXR_FIELD_IN_MEMORY_BYTECODE, "zeta-bc", NULL);
    /* present, no dependencies */
    F(r, OXR_FIELD_SHARED_LIBRARY_DEPENDENCY_NAMES, NULL);
    /* present, no entries */
    F(r, OXR_FIELD_IN_MEMORY_DISTRIBUTION_RESOURCES, NULL);
    F(r, OXR_FIELD_IN_MEMORY_SOURCE, "zeta source", NULL);
    /* next to plain 0x07 */
    F(r, OXR_FIELD_IN_MEMORY_BYTECODE_OPT1_ZSTD,
      "\x28\xb5\x2f\xfd opt1 frame", NULL);

    /* Fields whose values are empty everywhere have no blob section. */
    r = R(&rs[2], "empty");
    F(r, OXR_FIELD_IN_MEMORY_EXTENSION_MODULE_SHARED_LIBRARY, "", NULL);
    F(r, OXR_FIELD_FILE_DATA_EMBEDDED, "", NULL);
    F(r, OXR_FIELD_IN_MEMORY_SOURCE, "", NULL);

    /* A compressed source and bytecode (rules_oxidizer's 0x21, 0x22, 0x24)
     * beside plain opt1 bytecode: the parser does not look inside frames. */
    r = R(&rs[3], "zipped");
    F(r, OXR_FIELD_IS_MODULE, NULL);
    F(r, OXR_FIELD_IN_MEMORY_BYTECODE_ZSTD,
      "\x28\xb5\x2f\xfd bytecode frame", NULL);
    F(r, OXR_FIELD_IN_MEMORY_BYTECODE_OPT1, "zipped-bc1", NULL);
    F(r, OXR_FIELD_IN_MEMORY_BYTECODE_OPT2_ZSTD,
      "\x28\xb5\x2f\xfd opt2 frame", NULL);
    F(r, OXR_FIELD_IN_MEMORY_SOURCE_ZSTD,
      "\x28\xb5\x2f\xfd not really a frame", NULL);
    return 4;
}

/* ---- tests ----------------------------------------------------------- */

/* TSPEC's kind for each kind of the header's field table. */
#define T_KIND_NAME T_NAME
#define T_KIND_FLAG T_FLAG
#define T_KIND_BYTES T_BYTES
#define T_KIND_PATH T_BYTES
#define T_KIND_BYTES_MAP T_NAMED
#define T_KIND_PATH_MAP T_NAMED
#define T_KIND_NAME_LIST T_DEPS
/* TSPEC's flag bit for each kind: the member_or_flag of a flag, else 0. */
#define T_FLAG_OF_NAME(m) 0u
#define T_FLAG_OF_FLAG(m) (m)
#define T_FLAG_OF_BYTES(m) 0u
#define T_FLAG_OF_PATH(m) 0u
#define T_FLAG_OF_BYTES_MAP(m) 0u
#define T_FLAG_OF_PATH_MAP(m) 0u
#define T_FLAG_OF_NAME_LIST(m) 0u

/* The header's field table (OXR_PACKED_FIELDS) and this test's TSPEC list
 * the same fields with the same kind, width and flag bit, and
 * all_fields_v3() carries every field of the table: a field added to the
 * format without a test here fails. */
static void
test_field_table(void)
{
    static tres rs[4];
    size_t n = all_fields_v3(rs);
    bool covered[OXR_MAX_FIELD + 1] = {false};
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < rs[i].nfields; k++) {
            CHECK(rs[i].f[k].id <= OXR_MAX_FIELD);
            if (rs[i].f[k].id <= OXR_MAX_FIELD) {
                covered[rs[i].f[k].id] = true;
            }
        }
    }
    bool listed[OXR_MAX_FIELD + 1] = {false};
#define CHECK_FIELD(fid, fkind, fwidth, fversion, fmember, fattr)         \
    listed[fid] = true;                                                    \
    CHECKF(TSPEC[fid].kind == T_KIND_##fkind &&                            \
           TSPEC[fid].width == (fwidth) &&                                 \
           TSPEC[fid].flag == T_FLAG_OF_##fkind(fmember),                  \
           "field 0x%02x (%s): the header's kind, width or flag differs "  \
           "from TSPEC's", fid, fattr);                                    \
    CHECKF(covered[fid], "field 0x%02x (%s) is missing from "              \
           "all_fields_v3()", fid, fattr);
    OXR_PACKED_FIELDS(CHECK_FIELD)
#undef CHECK_FIELD
    for (int id = 0; id <= OXR_MAX_FIELD; id++) {
        CHECKF(listed[id] || id == T_FIELD_FLAVOR || TSPEC[id].kind == T_NONE,
               "TSPEC lists field 0x%02x, which the header does not", id);
    }
}

static void
test_empty(void)
{
    for (uint8_t v = 1; v <= 3; v++) {
        buf b = {0};
        write_blob(&b, NULL, 0, (wopts){v, 0, false}, NULL);
        CHECK(b.len == 8 + 13 + 2);
        oxr_index ix;
        char err[128];
        CHECKF(oxr_index_parse(b.p, b.len, &ix, err, sizeof(err)) == OXR_OK,
               "%s", err);
        CHECK(ix.count == 0 && ix.format_version == v);
        CHECK(oxr_index_find(&ix, "x", 1) == NULL);
        CHECK(oxr_index_find(&ix, "", 0) == NULL);
        oxr_index_free(&ix);
        free(b.p);
    }
    /* Both indices of length 0, as the canonical reader accepts. */
    static const uint8_t zero_len[] = "pyembed\x02" "\0\0\0\0\0\0\0\0\0\0\0\0";
    oxr_index ix;
    char err[128];
    CHECKF(oxr_index_parse(zero_len, sizeof(zero_len), &ix, err,
                           sizeof(err)) == OXR_OK, "%s", err);
    CHECK(ix.count == 0);
    oxr_index_free(&ix);
}

static void
test_all_fields(void)
{
    static tres rs[4];
    size_t n = all_fields_v3(rs);
    for (int pad = 0; pad <= 2; pad++) {
        roundtrip(rs, n, (wopts){3, pad, false});
        roundtrip(rs, n, (wopts){3, pad, true});
    }
    /* Values that are empty everywhere have no blob section at all (without
     * padding) yet still point into the buffer. */
    tres solo;
    R(&solo, "solo");
    F(&solo, OXR_FIELD_IN_MEMORY_SOURCE, "", NULL);
    F(&solo, OXR_FIELD_FILE_DATA_EMBEDDED, "", NULL);
    F(&solo, OXR_FIELD_IN_MEMORY_PACKAGE_RESOURCES, "", "", NULL);
    F(&solo, OXR_FIELD_SHARED_LIBRARY_DEPENDENCY_NAMES, "", NULL);
    for (int pad = 0; pad <= 2; pad++) {
        roundtrip(&solo, 1, (wopts){3, pad, false});
    }
    buf b = {0};
    layout lay;
    oxr_index ix;
    write_blob(&b, &solo, 1, (wopts){3, 0, false}, &lay);
    CHECK(lay.section_len[OXR_FIELD_IN_MEMORY_SOURCE] == 0 &&
          lay.section_len[OXR_FIELD_IN_MEMORY_PACKAGE_RESOURCES] == 0);
    if (parse_expect(&b, &solo, 1, 3, &ix)) {
        const oxr_resource *e = &ix.resources[0];
        CHECK(e->in_memory_source.data != NULL &&
              e->in_memory_source.len == 0 &&
              e->in_memory_source.data >= b.p &&
              e->in_memory_source.data <= b.p + b.len);
        oxr_index_free(&ix);
    }
    free(b.p);
}

static void
test_versions(void)
{
    static tres rs[6];
    static const uint32_t map[] = {0, OXR_FLAG_IS_MODULE,
        OXR_FLAG_IS_BUILTIN_EXTENSION, OXR_FLAG_IS_FROZEN_MODULE,
        OXR_FLAG_IS_EXTENSION_MODULE, OXR_FLAG_IS_SHARED_LIBRARY};
    static const char *names[] = {"f0", "f1", "f2", "f3", "f4", "f5"};
    for (uint8_t fl = 0; fl <= 5; fl++) {
        /* v1 writers put the flavor before the name. */
        memset(&rs[fl], 0, sizeof(rs[fl]));
        FLAVOR(&rs[fl], fl);
        tfield *f = &rs[fl].f[rs[fl].nfields++];
        f->id = 0x03;
        f->nparts = 1;
        f->parts[0] = names[fl];
        F(&rs[fl], OXR_FIELD_IN_MEMORY_BYTECODE, "bc", NULL);
        if (fl == 1) {
            F(&rs[fl], OXR_FIELD_IS_PACKAGE, NULL);
            F(&rs[fl], OXR_FIELD_IN_MEMORY_PACKAGE_RESOURCES, "a", "b", NULL);
            F(&rs[fl], OXR_FIELD_RELATIVE_PATH_DISTRIBUTION_RESOURCES,
              "x", "y", NULL);
        }
    }
    roundtrip(rs, 6, (wopts){1, 0, false});
    roundtrip(rs, 6, (wopts){1, 2, false});

    buf b = {0};
    oxr_index ix;
    write_blob(&b, rs, 6, (wopts){1, 0, false}, NULL);
    if (parse_expect(&b, rs, 6, 1, &ix)) {
        for (int i = 0; i < 6; i++) {
            CHECK(ix.resources[i].flavor == i);
            CHECK((ix.resources[i].flags & ~OXR_FLAG_IS_PACKAGE) == map[i]);
        }
        oxr_index_free(&ix);
    }

    tres r;
    R(&r, "x");
    FLAVOR(&r, 6);
    write_blob(&b, &r, 1, (wopts){1, 0, false}, NULL);
    EXPECT_ERROR(&b, "unknown flavor 0x06");

    /* Flavor is v1-only; type flags need v2; file fields need v3. */
    R(&r, "x");
    FLAVOR(&r, 1);
    write_blob(&b, &r, 1, (wopts){2, 0, false}, NULL);
    EXPECT_ERROR(&b, "resource 0 (\"x\"): field 0x02 is not valid in format "
                 "version 2");
    for (uint8_t id = OXR_FIELD_IS_MODULE; id <= OXR_FIELD_IS_SHARED_LIBRARY;
         id++) {
        R(&r, "x");
        F(&r, id, NULL);
        write_blob(&b, &r, 1, (wopts){1, 0, false}, NULL);
        EXPECT_ERROR(&b, "not valid in format version 1");
        roundtrip(&r, 1, (wopts){2, 0, false});
    }
    for (uint8_t id = OXR_FIELD_IS_UTF8_FILENAME; id <= OXR_MAX_FIELD; id++) {
        R(&r, "x");
        if (TSPEC[id].kind != T_FLAG) {
            F(&r, id, "data", NULL);
        }
        else {
            F(&r, id, NULL);
        }
        write_blob(&b, &r, 1, (wopts){2, 0, false}, NULL);
        EXPECT_ERROR(&b, "not valid in format version 2");
        roundtrip(&r, 1, (wopts){3, 0, false});
    }

    for (int v = 0; v < 256; v++) {
        if (v >= 1 && v <= 3) {
            continue;
        }
        R(&r, "x");
        write_blob(&b, &r, 1, (wopts){3, 0, false}, NULL);
        b.p[7] = (uint8_t)v;
        expect_error_at(b.p, b.len, "unsupported packed resources version",
                        __LINE__);
    }
    memcpy(b.p, "pyEmbed", 7);
    EXPECT_ERROR(&b, "pyembed");
    free(b.p);
}

static void
test_multi_entry(void)
{
    tres rs[2];
    tres *r = R(&rs[0], "a");
    F(r, OXR_FIELD_IN_MEMORY_PACKAGE_RESOURCES,
      "n1", "v1", "n2", "", "", "v3", NULL);
    F(r, OXR_FIELD_IN_MEMORY_DISTRIBUTION_RESOURCES, "d1", "dv1", NULL);
    F(r, OXR_FIELD_RELATIVE_PATH_PACKAGE_RESOURCES,
      "p1", "path1", "p2", "path2", NULL);
    F(r, OXR_FIELD_RELATIVE_PATH_DISTRIBUTION_RESOURCES, NULL);
    F(r, OXR_FIELD_SHARED_LIBRARY_DEPENDENCY_NAMES, "dep1", "", "dep3", NULL);
    r = R(&rs[1], "b");
    F(r, OXR_FIELD_IN_MEMORY_PACKAGE_RESOURCES, "m", "mv", NULL);
    F(r, OXR_FIELD_RELATIVE_PATH_DISTRIBUTION_RESOURCES,
      "dist", "dpath", NULL);
    F(r, OXR_FIELD_SHARED_LIBRARY_DEPENDENCY_NAMES, "dep", NULL);
    for (int pad = 0; pad <= 2; pad++) {
        roundtrip(rs, 2, (wopts){3, pad, false});
        roundtrip(rs, 2, (wopts){2, pad, true});
    }
}

/* Many resources with lists: the arena grows (and moves) several times. */
static void
test_arena_growth(void)
{
    enum { N = 700 };
    static tres rs[N];
    static char names[N][16];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof(names[i]), "m%04d", i);
        tres *r = R(&rs[i], names[i]);
        F(r, OXR_FIELD_IN_MEMORY_PACKAGE_RESOURCES,
          "a", "1", "b", "2", "c", "3", NULL);
        if (i % 3 == 0) {
            F(r, OXR_FIELD_SHARED_LIBRARY_DEPENDENCY_NAMES, "x", "y", NULL);
        }
        if (i % 5 == 0) {
            F(r, OXR_FIELD_RELATIVE_PATH_PACKAGE_RESOURCES, "p", "q", NULL);
        }
    }
    roundtrip(rs, N, (wopts){3, 0, false});
    roundtrip(rs, N, (wopts){3, 2, false});
}

static uint64_t g_rng = 0x9e3779b97f4a7c15u;

static uint64_t
rng(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return g_rng;
}

static void
check_lookup(const tres *rs, size_t n, bool expect_identity)
{
    buf b = {0};
    oxr_index ix;
    write_blob(&b, rs, n, (wopts){3, 0, false}, NULL);
    if (!parse_expect(&b, rs, n, 3, &ix)) {
        free(b.p);
        return;
    }
    bool ordered = true, identity = true;
    for (size_t i = 0; i < n; i++) {
        identity &= ix.sorted[i] == i;
        if (i > 0) {
            const oxr_bytes *a = &ix.resources[ix.sorted[i - 1]].name;
            const oxr_bytes *c = &ix.resources[ix.sorted[i]].name;
            size_t m = a->len < c->len ? a->len : c->len;
            int d = memcmp(a->data, c->data, m);
            ordered &= d < 0 || (d == 0 && a->len < c->len);
        }
    }
    CHECK(ordered);
    CHECK(identity == expect_identity);
    static const char *missing[] = {"", "a.", "ab.c", "mod", "mod0000",
                                    "zzzz", "\xff", "A", "a.b.c.d"};
    for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
        CHECKF(oxr_index_find(&ix, missing[i], strlen(missing[i])) == NULL,
               "find(\"%s\")", missing[i]);
    }
    CHECK(oxr_index_find(&ix, "a\0", 2) == NULL);
    CHECK(oxr_index_find(&ix, NULL, 1) == NULL);
    CHECK(oxr_index_find(NULL, "a", 1) == NULL);
    oxr_index_free(&ix);
    free(b.p);
}

static void
test_lookup(void)
{
    enum { N = 300 };
    static tres rs[N + 6];
    static char names[N][16];
    static const char *extra[] = {"a", "a.b", "a.b.c", "ab", "b", "\xc3\xa9"};
    size_t n = 0;
    for (int i = 0; i < 6; i++) {
        R(&rs[n++], extra[i]);
    }
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof(names[i]), "mod%03d", i);
        R(&rs[n++], names[i]);
    }
    /* Reorder the extras so the whole list is sorted by bytes. */
    tres tmp = rs[5];
    memmove(&rs[5], &rs[6], N * sizeof(tres));
    rs[N + 5] = tmp;
    check_lookup(rs, n, true);

    for (size_t i = 0; i < n / 2; i++) {
        tres t = rs[i];
        rs[i] = rs[n - 1 - i];
        rs[n - 1 - i] = t;
    }
    check_lookup(rs, n, false);

    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)(rng() % (i + 1));
        tres t = rs[i];
        rs[i] = rs[j];
        rs[j] = t;
    }
    check_lookup(rs, n, false);
    check_lookup(rs, 1, true);
}

/* Resources of one name merge, as PyOxidizer indexes them: flags OR-ed,
 * every field of the later resource winning, one entry per name. */
static void
test_duplicates(void)
{
    tres rs[4];
    buf b = {0};
    oxr_index ix;
    char err[256];
    R(&rs[0], "a");
    F(&rs[0], OXR_FIELD_IS_MODULE, NULL);
    F(&rs[0], OXR_FIELD_IN_MEMORY_SOURCE, "old source", NULL);
    F(&rs[0], OXR_FIELD_IN_MEMORY_BYTECODE, "old bytecode", NULL);
    F(&rs[0], OXR_FIELD_IN_MEMORY_PACKAGE_RESOURCES,
      "x.txt", "old x", "y.txt", "old y", NULL);
    R(&rs[1], "b");
    R(&rs[2], "a");
    F(&rs[2], OXR_FIELD_IS_PACKAGE, NULL);
    F(&rs[2], OXR_FIELD_IN_MEMORY_BYTECODE, "new bytecode", NULL);
    F(&rs[2], OXR_FIELD_IN_MEMORY_PACKAGE_RESOURCES, "x.txt", "new x", NULL);
    F(&rs[2], OXR_FIELD_IN_MEMORY_BYTECODE_OPT1, "new opt1", NULL);
    F(&rs[2], OXR_FIELD_IN_MEMORY_BYTECODE_OPT2_ZSTD, "zopt2", NULL);
    R(&rs[3], "a");
    F(&rs[3], OXR_FIELD_IN_MEMORY_SOURCE_ZSTD, "zst", NULL);
    F(&rs[3], OXR_FIELD_IN_MEMORY_BYTECODE_ZSTD, "zbc", NULL);
    F(&rs[3], OXR_FIELD_IN_MEMORY_BYTECODE_OPT1_ZSTD, "zopt1", NULL);
    write_blob(&b, rs, 4, (wopts){3, 0, false}, NULL);
    CHECK(oxr_index_parse((const uint8_t *)b.p, b.len, &ix, err,
                          sizeof(err)) == OXR_OK);
    CHECK(ix.count == 2);
    /* File order of first appearance; lookups find the merged entry. */
    CHECK(ix.resources[0].name.len == 1 && ix.resources[0].name.data[0] == 'a');
    CHECK(ix.resources[1].name.len == 1 && ix.resources[1].name.data[0] == 'b');
    const oxr_resource *a = oxr_index_find(&ix, "a", 1);
    CHECK(a == &ix.resources[0]);
    CHECK(oxr_index_find(&ix, "b", 1) == &ix.resources[1]);
    CHECK(a->flags == (OXR_FLAG_IS_MODULE | OXR_FLAG_IS_PACKAGE));
    /* A later compressed source or bytecode level replaces the plain one,
     * and the other way round; a level newer lacks stays. */
    CHECK(a->in_memory_source.data == NULL);
    CHECK(a->in_memory_source_zstd.len == 3);
    CHECK(a->in_memory_bytecode.data == NULL);
    CHECK(a->in_memory_bytecode_zstd.len == 3
          && memcmp(a->in_memory_bytecode_zstd.data, "zbc", 3) == 0);
    CHECK(a->in_memory_bytecode_opt1.data == NULL);
    CHECK(a->in_memory_bytecode_opt1_zstd.len == 5);
    CHECK(a->in_memory_bytecode_opt2.data == NULL);
    CHECK(a->in_memory_bytecode_opt2_zstd.len == 5
          && memcmp(a->in_memory_bytecode_opt2_zstd.data, "zopt2", 5) == 0);
    /* A multi-entry field is replaced whole, not merged entry by entry. */
    CHECK(a->in_memory_package_resources.count == 1);
    CHECK(memcmp(a->in_memory_package_resources.entries[0].value.data,
                 "new x", 5) == 0);
    oxr_index_free(&ix);

    /* Empty names are refused (before any merge). */
    R(&rs[0], "");
    R(&rs[1], "");
    write_blob(&b, rs, 2, (wopts){3, 0, false}, NULL);
    EXPECT_ERROR(&b, "empty name");
    /* The source, plain and compressed: which one would be meant? */
    R(&rs[0], "m");
    F(&rs[0], OXR_FIELD_IN_MEMORY_SOURCE, "src", NULL);
    F(&rs[0], OXR_FIELD_IN_MEMORY_SOURCE_ZSTD, "zst", NULL);
    write_blob(&b, rs, 1, (wopts){3, 0, false}, NULL);
    EXPECT_ERROR(&b, "resource 0 (\"m\"): both fields 0x06 and 0x21");
    /* So is each bytecode level. */
    static const uint8_t pairs[][2] = {{0x07, 0x22}, {0x08, 0x23},
                                       {0x09, 0x24}};
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        char want[64];
        snprintf(want, sizeof(want), "both fields 0x%02x and 0x%02x",
                 pairs[i][0], pairs[i][1]);
        R(&rs[0], "m");
        F(&rs[0], pairs[i][1], "zst", NULL);
        F(&rs[0], pairs[i][0], "bc", NULL);
        write_blob(&b, rs, 1, (wopts){3, 0, false}, NULL);
        EXPECT_ERROR(&b, want);
    }
    free(b.p);
}

/* Relative paths must be UTF-8 and stay inside their tree, as the build
 * tools' reader requires. */
static void
test_relative_paths(void)
{
    static const struct {
        int id;
        const char *path;
        const char *error;
    } cases[] = {
        {0x0f, "/abs.py", "field 0x0f: relative path is absolute"},
        {0x10, "a/../../b.pyc", "field 0x10: relative path contains '..'"},
        {0x13, "..", "field 0x13: relative path contains '..'"},
        {0x1e, "lib/\xff.bin", "field 0x1e: relative path is not valid UTF-8"},
        {0x0f, "", "field 0x0f: relative path is empty"},
    };
    tres r;
    buf b = {0};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        R(&r, "a");
        F(&r, cases[i].id, cases[i].path, NULL);
        write_blob(&b, &r, 1, (wopts){3, 0, false}, NULL);
        EXPECT_ERROR(&b, cases[i].error);
    }
    R(&r, "a");
    F(&r, OXR_FIELD_RELATIVE_PATH_PACKAGE_RESOURCES, "k", "../k", NULL);
    write_blob(&b, &r, 1, (wopts){3, 0, false}, NULL);
    EXPECT_ERROR(&b, "field 0x14: entry 0 path contains '..'");
    R(&r, "a");
    F(&r, OXR_FIELD_RELATIVE_PATH_MODULE_SOURCE, "a/..b/c..", NULL);
    F(&r, OXR_FIELD_RELATIVE_PATH_DISTRIBUTION_RESOURCES,
      "k", "lib/\xc3\xa9", NULL);
    write_blob(&b, &r, 1, (wopts){3, 0, false}, NULL);
    oxr_index ix;
    char err[256];
    CHECK(oxr_index_parse((const uint8_t *)b.p, b.len, &ix, err,
                          sizeof(err)) == OXR_OK);
    oxr_index_free(&ix);
    free(b.p);
}

/* A header-only blob is an empty index; nothing may follow it. */
static void
test_header_only(void)
{
    uint8_t data[32] = "pyembed\x03";
    oxr_index ix;
    char err[256];
    CHECK(oxr_index_parse(data, 21, &ix, err, sizeof(err)) == OXR_OK);
    CHECK(ix.count == 0);
    oxr_index_free(&ix);
    CHECK(oxr_index_parse(data, 22, &ix, err, sizeof(err)) == OXR_ERROR);
    CHECKF(strstr(err, "1 trailing bytes after the indexes") != NULL, "%s",
           err);
}

static void
test_utf8(void)
{
    static const char *good[] = {
        "caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac", "\xf0\x9f\x98\x80",
        "\xf4\x8f\xbf\xbf", "\xef\xbf\xbf", "\xed\x9f\xbf", "\xee\x80\x80",
        "\xc2\x80", "\xe0\xa0\x80", "\xf0\x90\x80\x80", "\x7f",
    };
    static const char *bad[] = {
        "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf",
        "\xed\xa0\x80", "\xed\xbf\xbf", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf",
        "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xfe", "\x80",
        "a\xbf", "\xc3", "x\xe2\x82", "\xf0\x9f\x98", "\xc3\x28",
        "\xe2\x28\xa1", "\xf0\x28\x8c\xbc", "\xe2\x82\x28",
        "\xf0\x9f\x98\x28", "\xf0\x9f\x28\x80",
    };
    tres r;
    buf b = {0};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        R(&r, good[i]);
        F(&r, OXR_FIELD_IN_MEMORY_PACKAGE_RESOURCES, good[i], "v", NULL);
        F(&r, OXR_FIELD_SHARED_LIBRARY_DEPENDENCY_NAMES, good[i], NULL);
        F(&r, OXR_FIELD_FILE_DATA_UTF8_RELATIVE_PATH, good[i], NULL);
        roundtrip(&r, 1, (wopts){3, 0, false});
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        R(&r, bad[i]);
        write_blob(&b, &r, 1, (wopts){3, 0, false}, NULL);
        EXPECT_ERROR(&b, "name is not valid UTF-8");
        R(&r, "ok");
        F(&r, OXR_FIELD_IN_MEMORY_PACKAGE_RESOURCES, bad[i], "v", NULL);
        write_blob(&b, &r, 1, (wopts){3, 0, false}, NULL);
        EXPECT_ERROR(&b, "field 0x0b: entry 0 name is not valid UTF-8");
        R(&r, "ok");
        F(&r, OXR_FIELD_RELATIVE_PATH_DISTRIBUTION_RESOURCES,
          "fine", "x", bad[i], "v", NULL);
        write_blob(&b, &r, 1, (wopts){3, 2, false}, NULL);
        EXPECT_ERROR(&b, "field 0x15: entry 1 name is not valid UTF-8");
        R(&r, "ok");
        F(&r, OXR_FIELD_SHARED_LIBRARY_DEPENDENCY_NAMES, bad[i], NULL);
        write_blob(&b, &r, 1, (wopts){3, 0, false}, NULL);
        EXPECT_ERROR(&b, "dependency 0 is not valid UTF-8");
        R(&r, "ok");
        F(&r, OXR_FIELD_FILE_DATA_UTF8_RELATIVE_PATH, bad[i], NULL);
        write_blob(&b, &r, 1, (wopts){3, 0, false}, NULL);
        EXPECT_ERROR(&b, "field 0x1e: relative path is not valid UTF-8");
        /* Relative paths are UTF-8 too (the build tools' reader agrees). */
        R(&r, "ok");
        F(&r, OXR_FIELD_RELATIVE_PATH_MODULE_SOURCE, bad[i], NULL);
        write_blob(&b, &r, 1, (wopts){3, 0, false}, NULL);
        EXPECT_ERROR(&b, "field 0x0f: relative path is not valid UTF-8");
        /* Payloads are opaque bytes. */
        R(&r, "ok");
        F(&r, OXR_FIELD_IN_MEMORY_SOURCE, bad[i], NULL);
        F(&r, OXR_FIELD_IN_MEMORY_PACKAGE_RESOURCES, "n", bad[i], NULL);
        roundtrip(&r, 1, (wopts){3, 0, false});
    }
    /* Escaped in messages, so the message stays printable. */
    R(&r, "bad\n\xff");
    write_blob(&b, &r, 1, (wopts){3, 0, false}, NULL);
    EXPECT_ERROR(&b,
                 "resource 0 (\"bad\\x0a\\xff\"): name is not valid UTF-8");
    free(b.p);
}

/* A small valid blob: two resources, a few sections. */
static void
small_blob(buf *b, layout *lay, int padding)
{
    tres rs[2];
    R(&rs[0], "foo");
    F(&rs[0], OXR_FIELD_IN_MEMORY_BYTECODE, "bytecode", NULL);
    F(&rs[0], OXR_FIELD_IN_MEMORY_PACKAGE_RESOURCES, "r", "data", NULL);
    R(&rs[1], "foo.bar");
    F(&rs[1], OXR_FIELD_IN_MEMORY_BYTECODE, "bc2", NULL);
    F(&rs[1], OXR_FIELD_IN_MEMORY_SHARED_LIBRARY, "lib", NULL);
    write_blob(b, rs, 2, (wopts){3, padding, false}, lay);
}

static void
test_header_and_blob_index(void)
{
    buf b = {0};
    layout lay;
    static const uint8_t a8[] = "pyembed\x03";
    expect_error_at(a8, 0, "pyembed", __LINE__);
    expect_error_at(a8, 7, "pyembed", __LINE__);
    expect_error_at(a8, 8, "truncated header", __LINE__);
    expect_error_at(NULL, 0, "pyembed", __LINE__);

    small_blob(&b, &lay, 0);
    size_t bi = lay.blob_index_start;
    size_t s7 = lay.section_index_off[OXR_FIELD_IN_MEMORY_BYTECODE];

#define MUTATE(off, val, want) \
    do { \
        uint8_t saved_ = b.p[off]; \
        b.p[off] = (val); \
        EXPECT_ERROR(&b, want); \
        b.p[off] = saved_; \
    } while (0)

    /* Header counts and lengths. */
    MUTATE(8, 3, "blob index: more sections than the declared 3");
    MUTATE(8, 5, "blob index: 4 sections found, 5 declared");
    MUTATE(9, b.p[9] + 1, "field 0x0d length 3 overruns the payload");
    MUTATE(9, b.p[9] - 1, "blob index: truncated");
    MUTATE(13, 3, "resources index holds 2 resources, 3 declared");
    MUTATE(13, 1, "resources index holds more than the declared 1");
    /* The blob index is checked first, and a shifted resources index moves
     * the blob data. */
    MUTATE(17, b.p[17] + 1, "overruns the payload");
    MUTATE(17, b.p[17] - 1, "blob sections cover 29 bytes but 30 follow");
    MUTATE(20, 0xff, "resources index length");
    MUTATE(12, 0xff, "blob index length");
    MUTATE(16, 0x7f, "resources cannot fit");

    /* Blob index markers and fields. */
    MUTATE(bi, 0x02, "blob index: expected start of entry (0x01)");
    MUTATE(bi, 0xff, "blob index: expected start of entry (0x01)");
    MUTATE(s7 + 1, 0x05, "blob index: section entry 1: unknown field 0x05");
    MUTATE(s7 + 1, 0x00, "section entry 1: unknown field 0x00");
    MUTATE(s7 + 3, 0x02, "section entry 1: duplicate field 0x02");
    MUTATE(s7 + 12, 0x00, "section entry 1: unknown field 0x00");
    MUTATE(s7 + 2, 0x03, "duplicate section for field 0x03");
    MUTATE(s7 + 2, 0x04, "field 0x04, which carries no blob data");
    MUTATE(s7 + 2, 0x02, "field 0x02, which carries no blob data");
    MUTATE(s7 + 2, 0x1f, "field 0x1f, which carries no blob data");
    MUTATE(s7 + 2, 0xff, "field 0xff, which carries no blob data");
    MUTATE(s7 + 13, 0x02, "expected start of entry (0x01) or end of index "
           "(0x00), got 0x02");
    MUTATE(s7 + 3, 0xff, "section entry 1 lacks its length (0x03)");
    MUTATE(s7 + 1, 0xff, "section entry 1 lacks its resource field (0x02)");
    MUTATE(s7 + 4, b.p[s7 + 4] + 1, "field 0x0d length 3 overruns the "
           "payload (2 bytes left)");
    MUTATE(s7 + 4, b.p[s7 + 4] - 1, "blob sections cover");
    MUTATE(s7 + 11, 0x80, "overruns the payload");

    /* Section lengths summing past the payload or leaving trailing data. */
    buf t = {0};
    put(&t, b.p, b.len);
    put_le(&t, 0, 1);
    EXPECT_ERROR(&t, "blob sections cover");
    free(t.p);

    /* Interior padding values. */
    small_blob(&b, &lay, 1);
    s7 = lay.section_index_off[OXR_FIELD_IN_MEMORY_BYTECODE];
    MUTATE(s7 + 13, 0x00, "invalid interior padding 0x00");
    MUTATE(s7 + 13, 0x03, "invalid interior padding 0x03");
    MUTATE(s7 + 12, 0x03, "duplicate field 0x03");
    MUTATE(s7 + 12, 0x02, "duplicate field 0x02");

    /* NUL padding: every padding byte is checked. */
    small_blob(&b, &lay, 2);
    size_t bytecode_data = lay.section_off[OXR_FIELD_IN_MEMORY_BYTECODE];
    size_t resources_data =
        lay.section_off[OXR_FIELD_IN_MEMORY_PACKAGE_RESOURCES];
    MUTATE(bytecode_data + 8, 'x', "is 0x78, not NUL");
    MUTATE(resources_data + 1, 1, "resource 0 (\"foo\"): field 0x0b: "
           "padding byte at offset");
    MUTATE(resources_data + 6, 1, "not NUL");
    MUTATE(b.len - 1, 7, "resource 1 (\"foo.bar\"): field 0x0d: padding byte");
    /* Dropping the last padding byte of a section. */
    s7 = lay.section_index_off[OXR_FIELD_IN_MEMORY_SHARED_LIBRARY];
    t = (buf){0};
    put(&t, b.p, b.len - 1);
    t.p[s7 + 4]--;
    EXPECT_ERROR(&t, "field 0x0d: missing NUL padding");
    free(t.p);
#undef MUTATE
    free(b.p);
}

static void
test_resources_index(void)
{
    buf b = {0};
    layout lay;
    tres rs[2];
    R(&rs[0], "foo");
    F(&rs[0], OXR_FIELD_IN_MEMORY_BYTECODE, "bytecode", NULL);
    F(&rs[0], OXR_FIELD_IS_PACKAGE, NULL);
    F(&rs[0], OXR_FIELD_IN_MEMORY_PACKAGE_RESOURCES, "r", "data", NULL);
    R(&rs[1], "foo.bar");
    F(&rs[1], OXR_FIELD_IN_MEMORY_BYTECODE, "bc2", NULL);
    F(&rs[1], OXR_FIELD_IN_MEMORY_SHARED_LIBRARY, "lib", NULL);
    write_blob(&b, rs, 2, (wopts){3, 0, false}, &lay);
    size_t e0 = lay.entry_off[0], e1 = lay.entry_off[1];
    /* e0: 01 | 03 u16 | 07 u32 | 04 | 0b u32 (u16 u64) | ff */
#define MUTATE(off, val, want) \
    do { \
        uint8_t saved_ = b.p[off]; \
        b.p[off] = (val); \
        EXPECT_ERROR(&b, want); \
        b.p[off] = saved_; \
    } while (0)
    MUTATE(e0, 0x02, "expected start of entry (0x01) or end of index (0x00) "
           "after 0 resources, got 0x02");
    MUTATE(e1, 0xff, "after 1 resources, got 0xff");
    MUTATE(e0, 0x00, "resources index: end marker at byte 0");
    MUTATE(e0 + 4, 0x25, "resource 0 (\"foo\"): unknown field id 0x25");
    MUTATE(e0 + 4, 0xfe, "resource 0 (\"foo\"): unknown field id 0xfe");
    MUTATE(e0 + 4, 0x00, "resource 0 (\"foo\"): unknown field id 0x00");
    MUTATE(e0 + 4, 0x01, "resource 0 (\"foo\"): unknown field id 0x01");
    MUTATE(e0 + 1, 0x25, "resource 0: unknown field id 0x25");
    MUTATE(e0 + 9, 0x07, "resource 0 (\"foo\"): duplicate field 0x07");
    MUTATE(e0 + 9, 0x03, "resource 0 (\"foo\"): duplicate field 0x03");
    MUTATE(e0 + 2, 11, "resource 0: field 0x03 length 11 overruns its blob "
           "section");
    MUTATE(e0 + 3, 1, "field 0x03 length 259 overruns its blob section");
    MUTATE(e0 + 5, 12, "resource 0 (\"foo\"): field 0x07 length 12 overruns "
           "its blob section");
    MUTATE(e0 + 5, 7, "blob section for field 0x07: 1 trailing bytes not "
           "referenced");
    MUTATE(e0 + 5, 9, "resource 1 (\"foo.bar\"): field 0x07 length 3 "
           "overruns");
    MUTATE(e0 + 8, 1, "resource 0 (\"foo\"): field 0x07 length 16777224 "
           "overruns its blob section");
    MUTATE(e0 + 11, 4, "resource 0 (\"foo\"): field 0x0b: 4 entries overrun "
           "the resources index");
    MUTATE(e0 + 14, 0xff, "resource 0 (\"foo\"): field 0x0b: 4278190081 "
           "entries overrun");
    MUTATE(e0 + 15, 6, "field 0x0b length 6 overruns its blob section");
    MUTATE(e0 + 17, 5, "field 0x0b length 5 overruns its blob section");
    /* A non-zero length for a field without a section. */
    MUTATE(e1 + 4, 0x06, "resource 1 (\"foo.bar\"): field 0x06 length 3 has "
           "no blob section");
    /* 0xff inside the first resource ends it before the name field. */
    MUTATE(e0 + 1, 0xff, "resource 0: missing name field (0x03)");

    /* A resource without a name at all. */
    static const uint8_t noname[] =
        "pyembed\x01" "\x00" "\x00\x00\x00\x00" "\x01\x00\x00\x00"
        "\x03\x00\x00\x00" "\x01\xff\x00";
    expect_error_at(noname, sizeof(noname) - 1, "1 resources cannot fit a "
                    "resources index of 3 bytes", __LINE__);
    MUTATE(13, 10, "10 resources cannot fit a resources index");
#undef MUTATE
    free(b.p);
}

/* Lengths near 2^32 and 2^64 must not wrap on any size_t width. */
static void
test_huge_lengths(void)
{
    buf b = {0};
    layout lay;
    tres rs[1];
    R(&rs[0], "m");
    F(&rs[0], OXR_FIELD_IN_MEMORY_SHARED_LIBRARY, "lib", NULL);
    F(&rs[0], OXR_FIELD_FILE_DATA_EMBEDDED, "file", NULL);
    F(&rs[0], OXR_FIELD_IN_MEMORY_DISTRIBUTION_RESOURCES, "n", "val", NULL);
    F(&rs[0], OXR_FIELD_SHARED_LIBRARY_DEPENDENCY_NAMES, "d", NULL);
    write_blob(&b, rs, 1, (wopts){3, 0, false}, &lay);
    size_t e = lay.entry_off[0];
    /* 01 | 03 u16 | 0d u64 | 1d u64 | 0c u32 u16 u64 | 0e u16 u16 | ff */
    size_t l0d = e + 5, l1d = e + 14, c0c = e + 23, v0c = e + 29,
           c0e = e + 38;
    uint8_t saved[8];
    static const uint64_t huge[] = {
        UINT64_MAX, (uint64_t)1 << 63, ((uint64_t)1 << 32) + 3,
        ((uint64_t)1 << 32) + 4, ((uint64_t)1 << 32) - 1, 5,
    };
    size_t offs[] = {l0d, l1d, v0c};
    for (size_t k = 0; k < 3; k++) {
        memcpy(saved, b.p + offs[k], 8);
        for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
            set_le(b.p + offs[k], huge[i], 8);
            EXPECT_ERROR(&b, "overruns its blob section");
        }
        memcpy(b.p + offs[k], saved, 8);
    }
    set_le(b.p + c0c, UINT32_MAX, 4);
    EXPECT_ERROR(&b, "field 0x0c: 4294967295 entries overrun");
    set_le(b.p + c0c, 1, 4);
    set_le(b.p + c0e, UINT16_MAX, 2);
    EXPECT_ERROR(&b, "field 0x0e: 65535 entries overrun");
    set_le(b.p + c0e, 1, 2);

    size_t s = lay.section_index_off[OXR_FIELD_IN_MEMORY_SHARED_LIBRARY] + 4;
    for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]) - 1; i++) {
        memcpy(saved, b.p + s, 8);
        set_le(b.p + s, huge[i], 8);
        EXPECT_ERROR(&b, "overruns the payload");
        memcpy(b.p + s, saved, 8);
    }
    /* Header lengths and counts at their maximum. */
    for (size_t off = 9; off <= 17; off += 4) {
        memcpy(saved, b.p + off, 4);
        set_le(b.p + off, UINT32_MAX, 4);
        EXPECT_ERROR(&b, NULL);
        memcpy(b.p + off, saved, 4);
    }
    b.p[8] = 0xff;
    EXPECT_ERROR(&b, NULL);
    free(b.p);
}

/* Every proper prefix and a one-byte extension of valid blobs fail cleanly;
 * every single-byte mutation either fails or yields in-bounds slices. */
static void
test_truncation_and_mutation(void)
{
    static tres rs[4];
    size_t n = all_fields_v3(rs);
    buf blobs[4] = {{0}};
    write_blob(&blobs[0], rs, n, (wopts){3, 0, false}, NULL);
    write_blob(&blobs[1], rs, n, (wopts){3, 2, true}, NULL);
    small_blob(&blobs[2], NULL, 1);
    tres v1[2];
    R(&v1[0], "b");
    FLAVOR(&v1[0], 3);
    F(&v1[0], OXR_FIELD_SHARED_LIBRARY_DEPENDENCY_NAMES, "x", "y", NULL);
    R(&v1[1], "a");
    FLAVOR(&v1[1], 5);
    F(&v1[1], OXR_FIELD_RELATIVE_PATH_PACKAGE_RESOURCES, "q", "r", NULL);
    write_blob(&blobs[3], v1, 2, (wopts){1, 2, false}, NULL);

    for (int k = 0; k < 4; k++) {
        buf *b = &blobs[k];
        oxr_index ix;
        char err[200];
        CHECKF(oxr_index_parse(b->p, b->len, &ix, err, sizeof(err)) ==
               OXR_OK, "blob %d: %s", k, err);
        oxr_index_free(&ix);

        size_t bad_prefix = 0;
        for (size_t len = 0; len < b->len; len++) {
            /* An exact-size copy so ASan sees any overread. */
            uint8_t *copy = malloc(len ? len : 1);
            memcpy(copy, b->p, len);
            memset(&ix, 0x5a, sizeof(ix));
            if (oxr_index_parse(copy, len, &ix, err, sizeof(err)) !=
                    OXR_ERROR || !is_zero_index(&ix) || err[0] == '\0') {
                bad_prefix++;
                fprintf(stderr, "    blob %d prefix %zu accepted\n", k, len);
            }
            free(copy);
        }
        CHECKF(bad_prefix == 0, "blob %d: %zu prefixes", k, bad_prefix);

        size_t bad_mut = 0, accepted = 0;
        static const uint8_t vals[] = {0x00, 0x01, 0x02, 0x7f, 0x80, 0xfe,
                                       0xff};
        uint8_t *copy = malloc(b->len);
        for (size_t i = 0; i < b->len; i++) {
            for (size_t v = 0; v <= sizeof(vals); v++) {
                memcpy(copy, b->p, b->len);
                copy[i] = v < sizeof(vals) ? vals[v] : (uint8_t)(copy[i] ^ 1);
                if (oxr_index_parse(copy, b->len, &ix, err, sizeof(err)) !=
                        OXR_OK) {
                    continue;
                }
                accepted++;
                buf view = {copy, b->len, b->len};
                for (size_t r = 0; r < ix.count; r++) {
                    const oxr_resource *res = &ix.resources[r];
                    if (!in_buf(&view, res->name) ||
                            oxr_index_find(&ix, (const char *)res->name.data,
                                           res->name.len) != res) {
                        bad_mut++;
                    }
                }
                oxr_index_free(&ix);
            }
        }
        free(copy);
        CHECKF(bad_mut == 0, "blob %d: %zu bad mutations", k, bad_mut);
        (void)accepted;
    }
    for (int k = 0; k < 4; k++) {
        put_le(&blobs[k], 0, 1);
        EXPECT_ERROR(&blobs[k], "blob sections cover");
        free(blobs[k].p);
    }
}

/* A resources index that ends inside a field: built by hand with an empty
 * name, so no blob data is involved. */
static void
test_truncated_index(void)
{
    static const struct {
        uint8_t version;
        const char *entry;
        size_t len;
        const char *want;
    } cases[] = {
        {3, "\x01\x03\x00\x00\x06\x00", 6, "resource 0 (\"\"): field 0x06: "
         "truncated length"},
        {3, "\x01\x03\x00\x00\x0d\x00\x00", 7, "field 0x0d: truncated length"},
        {3, "\x01\x03\x00\x00\x0b\x00", 6, "field 0x0b: truncated count"},
        {3, "\x01\x03\x00\x00\x0e\x00", 6, "field 0x0e: truncated count"},
        {1, "\x01\x03\x00\x00\x02", 5, "field 0x02: truncated flavor"},
        {3, "\x01\x03\x00\x00\x04", 5, "truncated inside the entry"},
        {3, "\x01\x03\x00", 5 - 2, NULL},
        {3, "\x01\x03\x00\x00\xff", 5, "empty name"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        buf b = {0};
        put(&b, "pyembed", 7);
        put_le(&b, cases[i].version, 1);
        put_le(&b, 0, 1);
        put_le(&b, 1, 4);
        put_le(&b, 1, 4);
        put_le(&b, cases[i].len, 4);
        put_le(&b, 0, 1);
        put(&b, cases[i].entry, cases[i].len);
        EXPECT_ERROR(&b, cases[i].want);
        free(b.p);
    }
}

static void
test_api_edges(void)
{
    buf b = {0};
    small_blob(&b, NULL, 0);
    oxr_index ix;
    memset(&ix, 0, sizeof(ix));
    oxr_index_free(&ix);
    oxr_index_free(&ix);
    oxr_index_free(NULL);
    CHECK(oxr_index_find(&ix, "foo", 3) == NULL);

    CHECK(oxr_index_parse(b.p, b.len, NULL, NULL, 0) == OXR_ERROR);
    char err[64];
    CHECK(oxr_index_parse(b.p, b.len, NULL, err, sizeof(err)) == OXR_ERROR &&
          err[0] != '\0');
    CHECK(oxr_index_parse(b.p, b.len, &ix, NULL, 0) == OXR_OK);
    oxr_index_free(&ix);
    CHECK(is_zero_index(&ix));

    b.p[8] = 9;
    CHECK(oxr_index_parse(b.p, b.len, &ix, NULL, 0) == OXR_ERROR);
    CHECK(oxr_index_parse(b.p, b.len, &ix, err, 0) == OXR_ERROR);
    /* A tiny buffer receives a truncated, terminated message. */
    memset(err, 'z', sizeof(err));
    CHECK(oxr_index_parse(b.p, b.len, &ix, err, 6) == OXR_ERROR &&
          strlen(err) == 5 && err[6] == 'z');
    memset(err, 'z', sizeof(err));
    CHECK(oxr_index_parse(b.p, b.len, &ix, err, 1) == OXR_ERROR &&
          err[0] == '\0' && err[1] == 'z');
    /* Truncated resource-prefixed messages stay terminated too. */
    small_blob(&b, NULL, 2);
    b.p[b.len - 1] = 1;
    for (size_t n = 1; n < 40; n++) {
        memset(err, 'z', sizeof(err));
        CHECK(oxr_index_parse(b.p, b.len, &ix, err, n) == OXR_ERROR &&
              strlen(err) == n - 1);
    }
    free(b.p);
}

/* ---- the shared relative path cases ---------------------------------- */

/* Decodes the Starlark/Python string literal at *p (escapes \\, \", \0) into
 * out; returns its length, or -1 when the literal is not one of those. */
static long
decode_literal(const char **p, char *out, size_t cap)
{
    const char *s = *p;
    size_t n = 0;
    if (*s++ != '"') {
        return -1;
    }
    while (*s != '"') {
        char c = *s++;
        if (c == '\0' || c == '\n' || n + 1 >= cap) {
            return -1;
        }
        if (c == '\\') {
            c = *s++;
            if (c == '0') {
                c = '\0';
            }
            else if (c != '\\' && c != '"') {
                return -1;
            }
        }
        out[n++] = c;
    }
    *p = s + 1;
    return (long)n;
}

/* Reads a ", True" or ", False" at *p into *value. */
static bool
decode_bool(const char **p, bool *value)
{
    if (strncmp(*p, ", True", 6) == 0) {
        *p += 6;
        *value = true;
        return true;
    }
    if (strncmp(*p, ", False", 7) == 0) {
        *p += 7;
        *value = false;
        return true;
    }
    return false;
}

static void
test_path_cases(const char *cases_file)
{
    FILE *f = fopen(cases_file, "r");
    CHECKF(f != NULL, "cannot open %s", cases_file);
    if (f == NULL) {
        return;
    }
    char line[512];
    int cases = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "    (\"", 6) != 0) {
            continue;
        }
        const char *p = line + 5;
        char path[256];
        bool safe, normalized;
        long len = decode_literal(&p, path, sizeof path);
        bool ok = len >= 0 && decode_bool(&p, &safe)
                  && decode_bool(&p, &normalized);
        CHECKF(ok, "unreadable case line: %s", line);
        if (!ok) {
            continue;
        }
        cases++;
        const uint8_t *bytes = (const uint8_t *)path;
        CHECKF((oxr_relative_path_problem(bytes, (size_t)len) == NULL) == safe,
               "case %s: safe should be %d", line, safe);
        CHECKF(oxr_is_normalized_relative(bytes, (size_t)len) == normalized,
               "case %s: normalized should be %d", line, normalized);
    }
    fclose(f);
    CHECKF(cases > 20, "only %d cases in %s", cases, cases_file);
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s tests/analysis/path_cases.bzl\n", argv[0]);
        return 2;
    }
    test_empty();
    test_field_table();
    test_all_fields();
    test_versions();
    test_multi_entry();
    test_arena_growth();
    test_lookup();
    test_duplicates();
    test_relative_paths();
    test_header_only();
    test_utf8();
    test_header_and_blob_index();
    test_resources_index();
    test_huge_lengths();
    test_truncation_and_mutation();
    test_truncated_index();
    test_api_edges();
    test_path_cases(argv[1]);
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed != 0;
}
