/* Zero-copy parser for PyOxidizer "Python packed resources" (v1, v2, v3).
 *
 * Layout (see docs/packed-format-notes.md):
 *   "pyembed" version | u8 sections | u32 blob_index_len | u32 count |
 *   u32 resources_index_len | blob index | resources index | blob sections
 *
 * Decisions beyond the manual, all in the direction of strictness:
 * - The blob sections must add up to exactly the bytes after the resources
 *   index (no trailing data), and every byte of every section must be
 *   referenced by some resource.
 * - An index length of 0 is accepted only together with a count of 0 (the
 *   canonical reader does the same); otherwise the index must end with its
 *   0x00 marker on its very last byte.
 * - A field may appear at most once per resource; a blob section at most
 *   once. Field 0x02 (flavor) is only valid in v1, 0x16-0x1a need v2 and
 *   0x1b-0x24 need v3 (0x1f and 0x20 are rules_oxidizer's extensions for
 *   filesystem-extracted resources, 0x21 for compressed sources, 0x22-0x24
 *   for compressed bytecode). A resource with both 0x06 and 0x21, 0x07 and
 *   0x22, 0x08 and 0x23, or 0x09 and 0x24 is rejected.
 * - A field of length 0 whose blob section is absent is accepted (the
 *   canonical writer omits sections whose total length is 0); its slice
 *   then points at the start of the blob data.
 * - Resource names, multi-entry names, dependency names and 0x1e paths must
 *   be valid UTF-8; relative paths (0x0f-0x15 values, 0x1e) must be UTF-8
 *   and stay inside their tree (see enum text). Resources of the same name
 *   are merged into one, the later one's fields winning and flags OR-ed
 *   (oxr_resource_merge()), as PyOxidizer indexes them; duplicate names
 *   inside one multi-entry field are kept as-is (lookups take the last).
 * - Names are never empty.
 * - Resources are numbered from 0 in error messages, like index->resources.
 */
#include "oxidizer/packed_resources.h"
#include "relative_path.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC_LEN 7
#define HEADER_LEN (MAGIC_LEN + 1 + 1 + 4 + 4 + 4)
/* 0x01, 0x03 <u16>, 0xff: the smallest possible resource entry. Bounds the
 * declared count before anything is allocated. */
#define MIN_ENTRY_LEN 5

/* Named lists and dependency lists share one arena of oxr_bytes units: a
 * named entry takes two units, a dependency one. */
_Static_assert(sizeof(oxr_named) == 2 * sizeof(oxr_bytes),
               "oxr_named must be two oxr_bytes");
_Static_assert(_Alignof(oxr_named) == _Alignof(oxr_bytes),
               "oxr_named and oxr_bytes must share alignment");
/* parse_entry() tracks the fields seen in a uint64_t. */
_Static_assert(OXR_MAX_FIELD < 64, "field ids must fit a 64-bit mask");

enum kind {
    K_UNKNOWN = 0,
    K_FLAG,     /* no payload */
    K_FLAVOR,   /* u8 in the index, no blob */
    K_NAME,     /* u16 length */
    K_BYTES,    /* one blob of `width` length bytes */
    K_NAMED,    /* u32 count, count x (u16 name_len, `width` value_len) */
    K_DEPS,     /* u16 count, count x u16 name_len */
};

typedef struct {
    uint8_t kind;
    uint8_t width;       /* bytes of the length (K_BYTES) or value length */
    uint8_t min_version;
    uint8_t max_version;
    uint8_t text;        /* TEXT_*: what the blob (K_BYTES) or each entry
                          * value (K_NAMED) must be */
    uint32_t flag;       /* K_FLAG */
    size_t offset;       /* of the oxr_bytes / oxr_named_list member */
} field_spec;

/* Constraints on a blob's bytes. A relative path must be valid UTF-8 and
 * stay inside the tree it is relative to: not empty, no NUL, not absolute,
 * no ".." component: a safe relative path (relative_path.h; what
 * runtime/python/_oxidized_importer/paths.py checks). */
enum text { TEXT_ANY = 0, TEXT_UTF8, TEXT_PATH };

/* One field_spec per kind of the generated table (oxidizer/packed_fields.h):
 * SPEC_<kind>(width, first_version, member_or_flag). */
#define SPEC_NAME(w, v, member) \
    {K_NAME, w, v, 3, TEXT_UTF8, 0, offsetof(oxr_resource, member)}
#define SPEC_FLAG(w, v, flag) {K_FLAG, w, v, 3, TEXT_ANY, flag, 0}
#define SPEC_BYTES(w, v, member) \
    {K_BYTES, w, v, 3, TEXT_ANY, 0, offsetof(oxr_resource, member)}
#define SPEC_PATH(w, v, member) \
    {K_BYTES, w, v, 3, TEXT_PATH, 0, offsetof(oxr_resource, member)}
#define SPEC_BYTES_MAP(w, v, member) \
    {K_NAMED, w, v, 3, TEXT_ANY, 0, offsetof(oxr_resource, member)}
#define SPEC_PATH_MAP(w, v, member) \
    {K_NAMED, w, v, 3, TEXT_PATH, 0, offsetof(oxr_resource, member)}
#define SPEC_NAME_LIST(w, v, member) {K_DEPS, w, v, 3, TEXT_UTF8, 0, 0}
#define FIELD_SPEC(id, kind, w, v, member, attr) [id] = SPEC_##kind(w, v, member),

static const field_spec FIELDS[OXR_MAX_FIELD + 1] = {
    [0x02] = {K_FLAVOR, 0, 1, 1, TEXT_ANY, 0, 0},
    OXR_PACKED_FIELDS(FIELD_SPEC)
};

#undef FIELD_SPEC

/* rules_oxidizer's zstd fields and the plain field each one stands for: one
 * value stored one of two ways, so a resource never has both, and a later
 * resource of the same name having either replaces both. */
static const struct {
    uint8_t plain;
    uint8_t zstd;
    const char *error;
} ZSTD_PAIRS[] = {
    {OXR_FIELD_IN_MEMORY_SOURCE, OXR_FIELD_IN_MEMORY_SOURCE_ZSTD,
     "both fields 0x06 and 0x21 (source twice)"},
    {OXR_FIELD_IN_MEMORY_BYTECODE, OXR_FIELD_IN_MEMORY_BYTECODE_ZSTD,
     "both fields 0x07 and 0x22 (bytecode twice)"},
    {OXR_FIELD_IN_MEMORY_BYTECODE_OPT1, OXR_FIELD_IN_MEMORY_BYTECODE_OPT1_ZSTD,
     "both fields 0x08 and 0x23 (opt1 bytecode twice)"},
    {OXR_FIELD_IN_MEMORY_BYTECODE_OPT2, OXR_FIELD_IN_MEMORY_BYTECODE_OPT2_ZSTD,
     "both fields 0x09 and 0x24 (opt2 bytecode twice)"},
};

/* The oxr_bytes member of r holding K_BYTES field `id`. */
static const oxr_bytes *
field_bytes(const oxr_resource *r, uint8_t id)
{
    return (const oxr_bytes *)((const char *)r + FIELDS[id].offset);
}

static oxr_bytes *
field_bytes_mut(oxr_resource *r, uint8_t id)
{
    return (oxr_bytes *)((char *)r + FIELDS[id].offset);
}

/* v1 flavors 1..5 are equivalent to fields 0x16..0x1a. */
static const uint32_t FLAVOR_FLAGS[6] = {
    0,
    OXR_FLAG_IS_MODULE,
    OXR_FLAG_IS_BUILTIN_EXTENSION,
    OXR_FLAG_IS_FROZEN_MODULE,
    OXR_FLAG_IS_EXTENSION_MODULE,
    OXR_FLAG_IS_SHARED_LIBRARY,
};

/* Present-but-empty lists need a non-NULL pointer that is not in the arena
 * (so arena growth never has to rebase it). */
static const oxr_named EMPTY_NAMED[1];
static const oxr_bytes EMPTY_BYTES[1];

typedef struct {
    size_t pos;          /* absolute offset of the next element */
    size_t end;
    bool present;
    bool nul_padding;
} section;

typedef struct {
    const uint8_t *data;
    size_t len;
    size_t pos;          /* index cursor */
    size_t end;          /* end of the index being read */
    size_t blob_start;
    uint8_t version;
    section sec[OXR_MAX_FIELD + 1];

    oxr_resource *res;
    size_t nres;         /* resources started so far */
    size_t rescap;       /* declared count */
    oxr_bytes *arena;
    size_t arena_len;    /* in oxr_bytes units */
    size_t arena_cap;

    char *err;
    size_t errlen;
} parser;

/* ---- errors ---------------------------------------------------------- */

static int
vfail(parser *p, const oxr_resource *r, const char *fmt, va_list ap)
{
    if (p->err == NULL || p->errlen == 0) {
        return OXR_ERROR;
    }
    size_t n = 0;
    int w;
    if (r != NULL) {
        w = snprintf(p->err, p->errlen, "resource %zu",
                     (size_t)(r - p->res));
        n = w > 0 ? (size_t)w : 0;
        if (r->name.data != NULL && n + 1 < p->errlen) {
            /* The name may be invalid UTF-8 or contain control bytes:
             * escape it so the message stays one printable line. */
            enum { MAX_SHOWN = 80 };
            size_t shown = r->name.len < MAX_SHOWN ? r->name.len : MAX_SHOWN;
            char buf[4 * MAX_SHOWN + 1];
            size_t b = 0;
            for (size_t i = 0; i < shown; i++) {
                uint8_t c = r->name.data[i];
                if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                    buf[b++] = (char)c;
                }
                else {
                    b += (size_t)snprintf(buf + b, sizeof(buf) - b,
                                          "\\x%02x", c);
                }
            }
            buf[b] = '\0';
            w = snprintf(p->err + n, p->errlen - n, " (\"%s%s\")", buf,
                         shown < r->name.len ? "..." : "");
            n += w > 0 ? (size_t)w : 0;
        }
        if (n + 1 < p->errlen) {
            w = snprintf(p->err + n, p->errlen - n, ": ");
            n += w > 0 ? (size_t)w : 0;
        }
    }
    if (n + 1 < p->errlen) {
        vsnprintf(p->err + n, p->errlen - n, fmt, ap);
    }
    return OXR_ERROR;
}

static int
fail(parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(p, NULL, fmt, ap);
    va_end(ap);
    return OXR_ERROR;
}

static int
fail_res(parser *p, const oxr_resource *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(p, r, fmt, ap);
    va_end(ap);
    return OXR_ERROR;
}

/* ---- primitive reads (bounded by p->end) ----------------------------- */

static bool
read_le(parser *p, unsigned width, uint64_t *out)
{
    if (p->end - p->pos < width) {
        return false;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < width; i++) {
        v |= (uint64_t)p->data[p->pos + i] << (8 * i);
    }
    p->pos += width;
    *out = v;
    return true;
}

/* ---- UTF-8 ----------------------------------------------------------- */

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. */
static bool
utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        uint8_t lo = 0x80, hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
        }
        else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            if (c == 0xe0) {
                lo = 0xa0;
            }
            else if (c == 0xed) {
                hi = 0x9f;
            }
        }
        else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            if (c == 0xf0) {
                lo = 0x90;
            }
            else if (c == 0xf4) {
                hi = 0x8f;
            }
        }
        else {
            return false;
        }
        if (n - i - 1 < need) {
            return false;
        }
        if (s[i + 1] < lo || s[i + 1] > hi) {
            return false;
        }
        for (size_t k = 2; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return false;
            }
        }
        i += need + 1;
    }
    return true;
}

/* ---- blob sections --------------------------------------------------- */

/* Hands out the next `len` bytes of field `id`'s section and skips (and
 * checks) the NUL padding byte that follows when the section uses it. */
static int
take(parser *p, const oxr_resource *r, uint8_t id, uint64_t len,
     oxr_bytes *out)
{
    section *s = &p->sec[id];
    if (!s->present) {
        if (len != 0) {
            return fail_res(p, r, "field 0x%02x length %llu has no blob "
                            "section", id, (unsigned long long)len);
        }
        out->data = p->data + p->blob_start;
        out->len = 0;
        return OXR_OK;
    }
    if (len > (uint64_t)(s->end - s->pos)) {
        return fail_res(p, r, "field 0x%02x length %llu overruns its blob "
                        "section", id, (unsigned long long)len);
    }
    out->data = p->data + s->pos;
    out->len = (size_t)len;
    s->pos += (size_t)len;
    if (s->nul_padding) {
        if (s->pos == s->end) {
            return fail_res(p, r, "field 0x%02x: missing NUL padding at end "
                            "of its blob section", id);
        }
        if (p->data[s->pos] != 0) {
            return fail_res(p, r, "field 0x%02x: padding byte at offset %zu "
                            "is 0x%02x, not NUL", id, s->pos,
                            p->data[s->pos]);
        }
        s->pos++;
    }
    return OXR_OK;
}

/* Why a relative path is unacceptable (see enum text): not a safe relative
 * path (relative_path.h) or not UTF-8; or NULL. */
static const char *
path_problem(const uint8_t *s, size_t n)
{
    const char *problem = oxr_relative_path_problem(s, n);
    if (problem != NULL) {
        return problem;
    }
    if (!utf8_valid(s, n)) {
        return "is not valid UTF-8";
    }
    return NULL;
}

/* ---- arena ----------------------------------------------------------- */

static const char *
rebase(const void *ptr, const oxr_bytes *old, oxr_bytes *new_base)
{
    return (const char *)new_base + ((const char *)ptr - (const char *)old);
}

/* Makes room for `units` more oxr_bytes. Lists already handed out point into
 * the arena, so when it moves they are rebased while the old block is still
 * alive. Doubling keeps the number of moves logarithmic. */
static int
arena_reserve(parser *p, size_t units)
{
    if (p->arena_cap - p->arena_len >= units) {
        return OXR_OK;
    }
    size_t cap = p->arena_cap ? p->arena_cap : 64;
    while (cap - p->arena_len < units) {
        if (cap > SIZE_MAX / 2 / sizeof(oxr_bytes)) {
            return fail(p, "out of memory");
        }
        cap *= 2;
    }
    oxr_bytes *mem = malloc(cap * sizeof(oxr_bytes));
    if (mem == NULL) {
        return fail(p, "out of memory");
    }
    if (p->arena != NULL) {
        memcpy(mem, p->arena, p->arena_len * sizeof(oxr_bytes));
        static const size_t lists[] = {
            offsetof(oxr_resource, in_memory_package_resources),
            offsetof(oxr_resource, in_memory_distribution_resources),
            offsetof(oxr_resource, relative_path_package_resources),
            offsetof(oxr_resource, relative_path_distribution_resources),
        };
        for (size_t i = 0; i < p->nres; i++) {
            oxr_resource *r = &p->res[i];
            for (size_t k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
                oxr_named_list *l =
                    (oxr_named_list *)((char *)r + lists[k]);
                if (l->count > 0) {
                    l->entries =
                        (const oxr_named *)rebase(l->entries, p->arena, mem);
                }
            }
            if (r->shared_library_dependency_count > 0) {
                r->shared_library_dependencies = (const oxr_bytes *)rebase(
                    r->shared_library_dependencies, p->arena, mem);
            }
        }
        free(p->arena);
    }
    p->arena = mem;
    p->arena_cap = cap;
    return OXR_OK;
}

/* ---- header and blob index ------------------------------------------- */

static int
parse_blob_index(parser *p, size_t start, size_t length, unsigned declared)
{
    if (declared == 0 && length == 0) {
        /* No sections: nothing may follow the indexes. */
        if (p->blob_start != p->len) {
            return fail(p, "%zu trailing bytes after the indexes, which "
                        "declare no blob section", p->len - p->blob_start);
        }
        return OXR_OK;
    }
    p->pos = start;
    p->end = start + length;
    size_t section_pos = p->blob_start;
    unsigned found = 0;
    uint64_t v;
    for (;;) {
        if (!read_le(p, 1, &v)) {
            return fail(p, "blob index: truncated (declared length %zu)",
                        length);
        }
        if (v == 0x00) {
            break;
        }
        if (v != 0x01) {
            return fail(p, "blob index: expected start of entry (0x01) or "
                        "end of index (0x00), got 0x%02x", (unsigned)v);
        }
        if (found == declared) {
            return fail(p, "blob index: more sections than the declared %u",
                        declared);
        }
        found++;
        int field = -1, padding = -1;
        uint64_t raw_len = 0;
        bool have_len = false;
        for (;;) {
            uint64_t tag, val;
            if (!read_le(p, 1, &tag)) {
                return fail(p, "blob index: section entry %u truncated",
                            found - 1);
            }
            if (tag == 0xff) {
                break;
            }
            unsigned width = tag == 0x03 ? 8 : 1;
            if (tag < 0x02 || tag > 0x04) {
                return fail(p, "blob index: section entry %u: unknown field "
                            "0x%02x", found - 1, (unsigned)tag);
            }
            if ((tag == 0x02 && field >= 0) || (tag == 0x03 && have_len) ||
                    (tag == 0x04 && padding >= 0)) {
                return fail(p, "blob index: section entry %u: duplicate "
                            "field 0x%02x", found - 1, (unsigned)tag);
            }
            if (!read_le(p, width, &val)) {
                return fail(p, "blob index: section entry %u truncated",
                            found - 1);
            }
            if (tag == 0x02) {
                field = (int)val;
            }
            else if (tag == 0x03) {
                raw_len = val;
                have_len = true;
            }
            else if (val == 0x01 || val == 0x02) {
                padding = (int)val;
            }
            else {
                return fail(p, "blob index: section entry %u: invalid "
                            "interior padding 0x%02x", found - 1,
                            (unsigned)val);
            }
        }
        if (field < 0 || !have_len) {
            return fail(p, "blob index: section entry %u lacks its %s",
                        found - 1, field < 0 ? "resource field (0x02)"
                                             : "length (0x03)");
        }
        uint8_t k = field <= OXR_MAX_FIELD ? FIELDS[field].kind : K_UNKNOWN;
        if (k != K_NAME && k != K_BYTES && k != K_NAMED && k != K_DEPS) {
            return fail(p, "blob index: section for field 0x%02x, which "
                        "carries no blob data", field);
        }
        section *s = &p->sec[field];
        if (s->present) {
            return fail(p, "blob index: duplicate section for field 0x%02x",
                        field);
        }
        /* Comparing against what is left keeps the running sum from ever
         * overflowing, whatever the width of size_t. */
        if (raw_len > (uint64_t)(p->len - section_pos)) {
            return fail(p, "blob index: section for field 0x%02x length %llu "
                        "overruns the payload (%zu bytes left)", field,
                        (unsigned long long)raw_len, p->len - section_pos);
        }
        s->present = true;
        s->nul_padding = padding == 0x02;
        s->pos = section_pos;
        s->end = section_pos + (size_t)raw_len;
        section_pos = s->end;
    }
    if (p->pos != p->end) {
        return fail(p, "blob index: end marker at byte %zu of %zu declared",
                    p->pos - 1 - start, length);
    }
    if (found != declared) {
        return fail(p, "blob index: %u sections found, %u declared", found,
                    declared);
    }
    if (section_pos != p->len) {
        return fail(p, "blob sections cover %zu bytes but %zu follow the "
                    "indices", section_pos - p->blob_start,
                    p->len - p->blob_start);
    }
    return OXR_OK;
}

/* ---- resources index ------------------------------------------------- */

static int
parse_named(parser *p, oxr_resource *r, uint8_t id, const field_spec *f)
{
    uint64_t count;
    if (!read_le(p, 4, &count)) {
        return fail_res(p, r, "field 0x%02x: truncated count", id);
    }
    /* Bound the count by the index bytes it needs before reserving memory. */
    uint64_t per_entry = 2 + (uint64_t)f->width;
    if (count > (uint64_t)(p->end - p->pos) / per_entry) {
        return fail_res(p, r, "field 0x%02x: %llu entries overrun the "
                        "resources index", id, (unsigned long long)count);
    }
    oxr_named_list *list = (oxr_named_list *)((char *)r + f->offset);
    if (count == 0) {
        list->entries = EMPTY_NAMED;
        return OXR_OK;
    }
    if (arena_reserve(p, 2 * (size_t)count) != OXR_OK) {
        return OXR_ERROR;
    }
    oxr_named *e = (oxr_named *)(p->arena + p->arena_len);
    p->arena_len += 2 * (size_t)count;
    for (size_t i = 0; i < (size_t)count; i++) {
        uint64_t nlen, vlen;
        /* Cannot fail after the bound above; checked all the same. */
        if (!read_le(p, 2, &nlen) || !read_le(p, f->width, &vlen)) {
            return fail_res(p, r, "field 0x%02x: truncated entry", id);
        }
        if (take(p, r, id, nlen, &e[i].name) != OXR_OK) {
            return OXR_ERROR;
        }
        if (!utf8_valid(e[i].name.data, e[i].name.len)) {
            return fail_res(p, r, "field 0x%02x: entry %zu name is not "
                            "valid UTF-8", id, i);
        }
        if (take(p, r, id, vlen, &e[i].value) != OXR_OK) {
            return OXR_ERROR;
        }
        const char *problem = f->text == TEXT_PATH
                                  ? path_problem(e[i].value.data,
                                                 e[i].value.len)
                                  : NULL;
        if (problem != NULL) {
            return fail_res(p, r, "field 0x%02x: entry %zu path %s", id, i,
                            problem);
        }
    }
    list->count = (size_t)count;
    list->entries = e;
    return OXR_OK;
}

static int
parse_deps(parser *p, oxr_resource *r, uint8_t id)
{
    uint64_t count;
    if (!read_le(p, 2, &count)) {
        return fail_res(p, r, "field 0x%02x: truncated count", id);
    }
    if (count > (uint64_t)(p->end - p->pos) / 2) {
        return fail_res(p, r, "field 0x%02x: %llu entries overrun the "
                        "resources index", id, (unsigned long long)count);
    }
    if (count == 0) {
        r->shared_library_dependencies = EMPTY_BYTES;
        return OXR_OK;
    }
    if (arena_reserve(p, (size_t)count) != OXR_OK) {
        return OXR_ERROR;
    }
    oxr_bytes *e = p->arena + p->arena_len;
    p->arena_len += (size_t)count;
    for (size_t i = 0; i < (size_t)count; i++) {
        uint64_t nlen;
        if (!read_le(p, 2, &nlen)) {
            return fail_res(p, r, "field 0x%02x: truncated entry", id);
        }
        if (take(p, r, id, nlen, &e[i]) != OXR_OK) {
            return OXR_ERROR;
        }
        if (!utf8_valid(e[i].data, e[i].len)) {
            return fail_res(p, r, "field 0x%02x: dependency %zu is not valid "
                            "UTF-8", id, i);
        }
    }
    r->shared_library_dependency_count = (size_t)count;
    r->shared_library_dependencies = e;
    return OXR_OK;
}

/* Reads the fields of one entry, after its 0x01 marker, through its 0xff. */
static int
parse_entry(parser *p, oxr_resource *r)
{
    uint64_t seen = 0;
    for (;;) {
        uint64_t v;
        if (!read_le(p, 1, &v)) {
            return fail_res(p, r, "resources index truncated inside the "
                            "entry");
        }
        uint8_t id = (uint8_t)v;
        if (id == 0xff) {
            break;
        }
        const field_spec *f = id <= OXR_MAX_FIELD ? &FIELDS[id] : NULL;
        if (f == NULL || f->kind == K_UNKNOWN) {
            return fail_res(p, r, "unknown field id 0x%02x", id);
        }
        if (p->version < f->min_version || p->version > f->max_version) {
            return fail_res(p, r, "field 0x%02x is not valid in format "
                            "version %u", id, p->version);
        }
        if (seen & ((uint64_t)1 << id)) {
            return fail_res(p, r, "duplicate field 0x%02x", id);
        }
        seen |= (uint64_t)1 << id;

        uint64_t len;
        switch (f->kind) {
        case K_FLAG:
            r->flags |= f->flag;
            break;
        case K_FLAVOR:
            if (!read_le(p, 1, &v)) {
                return fail_res(p, r, "field 0x02: truncated flavor");
            }
            if (v > 5) {
                return fail_res(p, r, "unknown flavor 0x%02x", (unsigned)v);
            }
            r->flavor = (uint8_t)v;
            r->flags |= FLAVOR_FLAGS[v];
            break;
        case K_NAME:
        case K_BYTES: {
            if (!read_le(p, f->width, &len)) {
                return fail_res(p, r, "field 0x%02x: truncated length", id);
            }
            oxr_bytes *dst = (oxr_bytes *)((char *)r + f->offset);
            if (take(p, r, id, len, dst) != OXR_OK) {
                return OXR_ERROR;
            }
            if (f->text == TEXT_UTF8 && !utf8_valid(dst->data, dst->len)) {
                if (f->kind == K_NAME) {
                    return fail_res(p, r, "name is not valid UTF-8");
                }
                return fail_res(p, r, "field 0x%02x is not valid UTF-8", id);
            }
            const char *problem = f->text == TEXT_PATH
                                      ? path_problem(dst->data, dst->len)
                                      : NULL;
            if (problem != NULL) {
                return fail_res(p, r, "field 0x%02x: relative path %s", id,
                                problem);
            }
            break;
        }
        case K_NAMED:
            if (parse_named(p, r, id, f) != OXR_OK) {
                return OXR_ERROR;
            }
            break;
        case K_DEPS:
            if (parse_deps(p, r, id) != OXR_OK) {
                return OXR_ERROR;
            }
            break;
        default:
            break;
        }
    }
    if (r->name.data == NULL) {
        return fail_res(p, r, "missing name field (0x03)");
    }
    if (r->name.len == 0) {
        return fail_res(p, r, "empty name");
    }
    for (size_t i = 0; i < sizeof(ZSTD_PAIRS) / sizeof(ZSTD_PAIRS[0]); i++) {
        if (field_bytes(r, ZSTD_PAIRS[i].plain)->data != NULL
            && field_bytes(r, ZSTD_PAIRS[i].zstd)->data != NULL) {
            return fail_res(p, r, ZSTD_PAIRS[i].error);
        }
    }
    return OXR_OK;
}

static int
parse_resources(parser *p, size_t start, size_t length)
{
    p->pos = start;
    p->end = start + length;
    /* Length 0 and no resource: an empty index without its end marker. */
    for (bool empty = p->rescap == 0 && length == 0; !empty;) {
        uint64_t v;
        if (!read_le(p, 1, &v)) {
            return fail(p, "resources index truncated after %zu resources "
                        "(declared length %zu)", p->nres, length);
        }
        if (v == 0x00) {
            break;
        }
        if (v != 0x01) {
            return fail(p, "resources index: expected start of entry (0x01) "
                        "or end of index (0x00) after %zu resources, got "
                        "0x%02x", p->nres, (unsigned)v);
        }
        if (p->nres == p->rescap) {
            return fail(p, "resources index holds more than the declared %zu "
                        "resources", p->rescap);
        }
        oxr_resource *r = &p->res[p->nres++];
        memset(r, 0, sizeof(*r));
        if (parse_entry(p, r) != OXR_OK) {
            return OXR_ERROR;
        }
    }
    if (p->pos != p->end) {
        return fail(p, "resources index: end marker at byte %zu of %zu "
                    "declared", p->pos - 1 - start, length);
    }
    if (p->nres != p->rescap) {
        return fail(p, "resources index holds %zu resources, %zu declared",
                    p->nres, p->rescap);
    }
    for (unsigned id = 0; id <= OXR_MAX_FIELD; id++) {
        const section *s = &p->sec[id];
        if (s->present && s->pos != s->end) {
            return fail(p, "blob section for field 0x%02x: %zu trailing bytes "
                        "not referenced by any resource", id, s->end - s->pos);
        }
    }
    return OXR_OK;
}

/* ---- ordering -------------------------------------------------------- */

static int
name_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c != 0) {
        return c;
    }
    return alen < blen ? -1 : alen > blen;
}

static int
resource_ptr_cmp(const void *a, const void *b)
{
    const oxr_resource *ra = *(const oxr_resource *const *)a;
    const oxr_resource *rb = *(const oxr_resource *const *)b;
    int c = name_cmp(ra->name.data, ra->name.len, rb->name.data, rb->name.len);
    /* Equal names keep file order, so a merge knows which one is later. */
    return c != 0 ? c : (ra > rb) - (ra < rb);
}

/* Merges each run of equal names in sorted[] into its first resource (the
 * earliest in file order), later data winning, as PyOxidizer's index does,
 * and removes the others from p->res, which stays in file order. sorted[]
 * is renumbered; p->nres becomes the number of distinct names. */
static int
merge_duplicates(parser *p, uint32_t *sorted)
{
    size_t n = p->nres;
    uint32_t *new_pos = malloc(n * sizeof(*new_pos));
    if (new_pos == NULL) {
        return fail(p, "out of memory");
    }
    size_t kept = 0;
    for (size_t i = 0; i < n;) {
        oxr_resource *base = &p->res[sorted[i]];
        size_t j = i + 1;
        while (j < n && name_cmp(base->name.data, base->name.len,
                                 p->res[sorted[j]].name.data,
                                 p->res[sorted[j]].name.len) == 0) {
            oxr_resource_merge(base, &p->res[sorted[j]]);
            p->res[sorted[j]].name.data = NULL; /* dropped below */
            j++;
        }
        sorted[kept++] = sorted[i];
        i = j;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (p->res[i].name.data != NULL) {
            new_pos[i] = (uint32_t)m;
            p->res[m++] = p->res[i];
        }
    }
    for (size_t i = 0; i < kept; i++) {
        sorted[i] = new_pos[sorted[i]];
    }
    free(new_pos);
    p->nres = m;
    return OXR_OK;
}

static int
build_sorted(parser *p, uint32_t **sorted_out)
{
    size_t n = p->nres;
    uint32_t *sorted = malloc(n * sizeof(*sorted));
    if (sorted == NULL) {
        return fail(p, "out of memory");
    }
    bool in_order = true;
    for (size_t i = 0; i < n; i++) {
        sorted[i] = (uint32_t)i;
        if (i > 0 && in_order) {
            const oxr_bytes *a = &p->res[i - 1].name, *b = &p->res[i].name;
            in_order = name_cmp(a->data, a->len, b->data, b->len) < 0;
        }
    }
    /* Our writer emits sorted, unique names, so the common case skips the
     * sort (and a strictly increasing sequence has no duplicates). */
    if (!in_order) {
        const oxr_resource **tmp = malloc(n * sizeof(*tmp));
        if (tmp == NULL) {
            free(sorted);
            return fail(p, "out of memory");
        }
        for (size_t i = 0; i < n; i++) {
            tmp[i] = &p->res[i];
        }
        qsort(tmp, n, sizeof(*tmp), resource_ptr_cmp);
        for (size_t i = 0; i < n; i++) {
            sorted[i] = (uint32_t)(tmp[i] - p->res);
        }
        free(tmp);
        for (size_t i = 1; i < n; i++) {
            const oxr_resource *a = &p->res[sorted[i - 1]];
            const oxr_resource *b = &p->res[sorted[i]];
            if (name_cmp(a->name.data, a->name.len, b->name.data,
                         b->name.len) == 0) {
                if (merge_duplicates(p, sorted) != OXR_OK) {
                    free(sorted);
                    return OXR_ERROR;
                }
                break;
            }
        }
    }
    *sorted_out = sorted;
    return OXR_OK;
}

/* ---- public API ------------------------------------------------------ */

int
oxr_index_parse(const uint8_t *data, size_t len, oxr_index *out, char *err,
                size_t errlen)
{
    parser p;
    memset(&p, 0, sizeof(p));
    p.data = data;
    p.len = len;
    p.err = err;
    p.errlen = errlen;
    if (err != NULL && errlen > 0) {
        err[0] = '\0';
    }
    if (out == NULL) {
        return fail(&p, "no output index given");
    }
    memset(out, 0, sizeof(*out));
    if (data == NULL || len < MAGIC_LEN + 1 ||
            memcmp(data, "pyembed", MAGIC_LEN) != 0) {
        return fail(&p, "not packed resources data (missing \"pyembed\" "
                    "header)");
    }
    p.version = data[MAGIC_LEN];
    if (p.version < 1 || p.version > 3) {
        return fail(&p, "unsupported packed resources version %u (supported: "
                    "1, 2, 3)", p.version);
    }
    if (len < HEADER_LEN) {
        return fail(&p, "truncated header: %zu of %d bytes", len, HEADER_LEN);
    }
    p.pos = MAGIC_LEN + 1;
    p.end = HEADER_LEN;
    uint64_t nsections = 0, blob_index_len = 0, count = 0, res_index_len = 0;
    read_le(&p, 1, &nsections);
    read_le(&p, 4, &blob_index_len);
    read_le(&p, 4, &count);
    read_le(&p, 4, &res_index_len);

    /* Both u32 lengths are checked against what is left, so their sum
     * cannot overflow a 32-bit size_t. */
    size_t left = len - HEADER_LEN;
    if (blob_index_len > left) {
        return fail(&p, "blob index length %llu exceeds the %zu bytes after "
                    "the header", (unsigned long long)blob_index_len, left);
    }
    left -= (size_t)blob_index_len;
    if (res_index_len > left) {
        return fail(&p, "resources index length %llu exceeds the %zu bytes "
                    "after the blob index", (unsigned long long)res_index_len,
                    left);
    }
    if (count > res_index_len / MIN_ENTRY_LEN) {
        return fail(&p, "%llu resources cannot fit a resources index of %llu "
                    "bytes", (unsigned long long)count,
                    (unsigned long long)res_index_len);
    }
    size_t blob_index_start = HEADER_LEN;
    size_t res_index_start = blob_index_start + (size_t)blob_index_len;
    p.blob_start = res_index_start + (size_t)res_index_len;

    if (parse_blob_index(&p, blob_index_start, (size_t)blob_index_len,
                         (unsigned)nsections) != OXR_OK) {
        return OXR_ERROR;
    }

    p.rescap = (size_t)count;
    if (p.rescap > 0) {
        if (p.rescap > SIZE_MAX / sizeof(oxr_resource)) {
            return fail(&p, "out of memory");
        }
        p.res = malloc(p.rescap * sizeof(oxr_resource));
        if (p.res == NULL) {
            return fail(&p, "out of memory");
        }
    }
    uint32_t *sorted = NULL;
    if (parse_resources(&p, res_index_start, (size_t)res_index_len) != OXR_OK
            || (p.nres > 0 && build_sorted(&p, &sorted) != OXR_OK)) {
        free(p.res);
        free(p.arena);
        return OXR_ERROR;
    }
    out->format_version = p.version;
    out->count = p.nres;
    out->resources = p.res;
    out->sorted = sorted;
    out->arena = p.arena;
    return OXR_OK;
}

void
oxr_resource_merge(oxr_resource *into, const oxr_resource *newer)
{
    into->flags |= newer->flags;
    if (newer->flavor != 0) {
        into->flavor = newer->flavor;
    }
    /* The source and each bytecode level are one value stored one of two
     * ways (plain or zstd): whichever newer has replaces both. */
    for (size_t i = 0; i < sizeof(ZSTD_PAIRS) / sizeof(ZSTD_PAIRS[0]); i++) {
        const oxr_bytes *plain = field_bytes(newer, ZSTD_PAIRS[i].plain);
        const oxr_bytes *zstd = field_bytes(newer, ZSTD_PAIRS[i].zstd);
        if (plain->data != NULL || zstd->data != NULL) {
            *field_bytes_mut(into, ZSTD_PAIRS[i].plain) = *plain;
            *field_bytes_mut(into, ZSTD_PAIRS[i].zstd) = *zstd;
        }
    }
    /* Every other field of the table: whichever newer has replaces into's
     * (the name is equal, flags are OR-ed above, dependencies follow; the
     * plain and zstd fields again, which changes nothing). */
#define MERGE_NAME(member)
#define MERGE_FLAG(flag)
#define MERGE_NAME_LIST(member)
#define MERGE_BYTES(member)                 \
    if (newer->member.data != NULL) {       \
        into->member = newer->member;       \
    }
#define MERGE_PATH MERGE_BYTES
#define MERGE_BYTES_MAP(member)             \
    if (newer->member.entries != NULL) {    \
        into->member = newer->member;       \
    }
#define MERGE_PATH_MAP MERGE_BYTES_MAP
#define MERGE_FIELD(id, kind, w, v, member, attr) MERGE_##kind(member)
    OXR_PACKED_FIELDS(MERGE_FIELD)
#undef MERGE_FIELD
#undef MERGE_PATH_MAP
#undef MERGE_BYTES_MAP
#undef MERGE_PATH
#undef MERGE_BYTES
#undef MERGE_NAME_LIST
#undef MERGE_FLAG
#undef MERGE_NAME
    if (newer->shared_library_dependencies != NULL) {
        into->shared_library_dependency_count =
            newer->shared_library_dependency_count;
        into->shared_library_dependencies = newer->shared_library_dependencies;
    }
}

void
oxr_index_free(oxr_index *index)
{
    if (index == NULL) {
        return;
    }
    free(index->resources);
    free(index->sorted);
    free(index->arena);
    memset(index, 0, sizeof(*index));
}

const oxr_resource *
oxr_index_find(const oxr_index *index, const char *name, size_t name_len)
{
    if (index == NULL || index->count == 0 || index->sorted == NULL ||
            (name == NULL && name_len > 0)) {
        return NULL;
    }
    const uint8_t *key = (const uint8_t *)name;
    size_t lo = 0, hi = index->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const oxr_resource *r = &index->resources[index->sorted[mid]];
        int c = name_cmp(r->name.data, r->name.len, key, name_len);
        if (c == 0) {
            return r;
        }
        if (c < 0) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    return NULL;
}
