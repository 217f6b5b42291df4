/* Zero-copy parser for PyOxidizer "Python packed resources" data
 * (pyembed\x01, \x02 and \x03).
 *
 * The parser never copies resource payloads: every oxr_bytes points into the
 * buffer given to oxr_index_parse(), which must outlive the index. The only
 * allocations are the resource array, the arrays of named entries (package
 * resources, distribution resources, shared library dependencies) and the
 * sorted lookup order. Any malformed input yields OXR_ERROR with a message;
 * the parser never reads outside [data, data + len).
 */
#ifndef OXIDIZER_PACKED_RESOURCES_H
#define OXIDIZER_PACKED_RESOURCES_H

#include <stddef.h>
#include <stdint.h>

/* Field ids (OXR_FIELD_*), flag bits of oxr_resource.flags (OXR_FLAG_*) and
 * the field table (OXR_PACKED_FIELDS), generated from the one declaration of
 * the fields. OXR_FLAG_FILESYSTEM_EXTRACTED (0x1f, a rules_oxidizer
 * extension): the relative_path_* fields of this resource are relative to the
 * extraction directory of its blob (see extract.h). */
#include "oxidizer/packed_fields.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OXR_OK 0
#define OXR_ERROR (-1)

/* A slice of the parsed buffer. data == NULL means "field absent";
 * a present field may have len == 0 (data then points into the buffer). */
typedef struct {
    const uint8_t *data;
    size_t len;
} oxr_bytes;

/* One (name, value) pair of a multi-entry field: package resources
 * (value = payload or relative path) and distribution resources. */
typedef struct {
    oxr_bytes name;
    oxr_bytes value;
} oxr_named;

typedef struct {
    size_t count;
    const oxr_named *entries; /* NULL when the field is absent */
} oxr_named_list;

typedef struct {
    oxr_bytes name;          /* always present, valid UTF-8 */
    uint32_t flags;          /* OXR_FLAG_* */
    uint8_t flavor;          /* 0x02 field of format v1; 0 when absent */

    oxr_bytes in_memory_source;                 /* 0x06 */
    oxr_bytes in_memory_bytecode;               /* 0x07 */
    oxr_bytes in_memory_bytecode_opt1;          /* 0x08 */
    oxr_bytes in_memory_bytecode_opt2;          /* 0x09 */
    oxr_bytes in_memory_extension_module;       /* 0x0a */
    oxr_named_list in_memory_package_resources; /* 0x0b */
    oxr_named_list in_memory_distribution_resources; /* 0x0c */
    oxr_bytes in_memory_shared_library;         /* 0x0d */
    size_t shared_library_dependency_count;     /* 0x0e */
    const oxr_bytes *shared_library_dependencies;
    oxr_bytes relative_path_module_source;      /* 0x0f */
    oxr_bytes relative_path_module_bytecode;    /* 0x10 */
    oxr_bytes relative_path_module_bytecode_opt1; /* 0x11 */
    oxr_bytes relative_path_module_bytecode_opt2; /* 0x12 */
    oxr_bytes relative_path_extension_module;   /* 0x13 */
    oxr_named_list relative_path_package_resources;      /* 0x14 */
    oxr_named_list relative_path_distribution_resources; /* 0x15 */
    oxr_bytes file_data_embedded;               /* 0x1d */
    oxr_bytes file_data_utf8_relative_path;     /* 0x1e */
    /* rules_oxidizer extension: the files of the blob's filesystem-extracted
     * resources, carried by the resource named OXR_EXTRACTION_RESOURCE. */
    oxr_bytes extraction_payload;               /* 0x20 */
    /* rules_oxidizer extension: the module source as one zstd frame, in place
     * of 0x06 (never both); the runtime decompresses it on demand. */
    oxr_bytes in_memory_source_zstd;            /* 0x21 */
    /* rules_oxidizer extension: the bytecode of each level as one zstd frame,
     * in place of 0x07-0x09 (never both); decompressed when imported. */
    oxr_bytes in_memory_bytecode_zstd;          /* 0x22 */
    oxr_bytes in_memory_bytecode_opt1_zstd;     /* 0x23 */
    oxr_bytes in_memory_bytecode_opt2_zstd;     /* 0x24 */
} oxr_resource;

/* Name of the resource holding a blob's extraction payload (field 0x20). It
 * cannot be a module name (leading dot). */
#define OXR_EXTRACTION_RESOURCE ".rules_oxidizer.extraction"

typedef struct {
    uint8_t format_version;      /* 1, 2 or 3 */
    size_t count;
    oxr_resource *resources;     /* in file order */
    uint32_t *sorted;            /* indices into resources, by name (memcmp, shorter first) */
    void *arena;                 /* owns entries/dependency arrays */
} oxr_index;

/* Parses data[0..len). On success fills *out and returns OXR_OK; the caller
 * must call oxr_index_free(). On failure returns OXR_ERROR, leaves *out
 * empty (safe to free) and writes a one-line NUL-terminated message into err
 * (when errlen > 0), e.g. "resource 12: blob section for field 0x07 overruns
 * payload". Resources of the same name are merged (oxr_resource_merge(), in
 * file order), so index->resources holds each name once, in the file order
 * of its first occurrence. */
int oxr_index_parse(const uint8_t *data, size_t len, oxr_index *out,
                    char *err, size_t errlen);

void oxr_index_free(oxr_index *index);

/* Merges `newer` into `into`, as PyOxidizer's Resource::merge_from(): flags
 * are OR-ed, every field newer has replaces into's (a source or a bytecode
 * level in either form, plain or zstd: 0x06/0x21, 0x07/0x22, 0x08/0x23,
 * 0x09/0x24, replaces both). Slices are copied, not their bytes. */
void oxr_resource_merge(oxr_resource *into, const oxr_resource *newer);

/* Binary search by exact name; NULL if absent. */
const oxr_resource *oxr_index_find(const oxr_index *index, const char *name,
                                   size_t name_len);

#ifdef __cplusplus
}
#endif

#endif /* OXIDIZER_PACKED_RESOURCES_H */
