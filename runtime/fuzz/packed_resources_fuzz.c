/* libFuzzer target for the packed resources parser.
 *
 * Parses the input, then reads every byte of every slice the parser hands
 * out (so ASan flags any slice that leaves the input) and checks the
 * invariants callers rely on: lookups find every resource, the sorted order
 * is strictly increasing and failures leave the index zeroed. */
#include "oxidizer/packed_resources.h"

#include <stdlib.h>
#include <string.h>

static volatile uint8_t g_sink;

static void
touch(const uint8_t *data, size_t size, oxr_bytes s)
{
    if (s.data == NULL) {
        if (s.len != 0) {
            abort();
        }
        return;
    }
    if (s.data < data || s.len > (size_t)(data + size - s.data)) {
        abort();
    }
    uint8_t acc = 0;
    for (size_t i = 0; i < s.len; i++) {
        acc ^= s.data[i];
    }
    g_sink ^= acc;
}

static void
touch_list(const uint8_t *data, size_t size, oxr_named_list l)
{
    if (l.entries == NULL && l.count != 0) {
        abort();
    }
    for (size_t i = 0; i < l.count; i++) {
        touch(data, size, l.entries[i].name);
        touch(data, size, l.entries[i].value);
    }
}

static int
name_cmp(oxr_bytes a, oxr_bytes b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.data, b.data, n) : 0;
    return c ? c : (a.len > b.len) - (a.len < b.len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const oxr_index zero;
    oxr_index ix;
    char err[160];
    if (oxr_index_parse(data, size, &ix, err, sizeof(err)) != OXR_OK) {
        if (memcmp(&ix, &zero, sizeof(ix)) != 0 || err[0] == '\0' ||
                strlen(err) >= sizeof(err) || strchr(err, '\n') != NULL) {
            abort();
        }
        oxr_index_free(&ix);
        return 0;
    }
    for (size_t i = 0; i < ix.count; i++) {
        const oxr_resource *r = &ix.resources[i];
        touch(data, size, r->name);
        if (r->name.data == NULL ||
                oxr_index_find(&ix, (const char *)r->name.data,
                               r->name.len) != r) {
            abort();
        }
        if (i > 0 && name_cmp(ix.resources[ix.sorted[i - 1]].name,
                              ix.resources[ix.sorted[i]].name) >= 0) {
            abort();
        }
        touch(data, size, r->in_memory_source);
        touch(data, size, r->in_memory_source_zstd);
        if (r->in_memory_source.data != NULL
                && r->in_memory_source_zstd.data != NULL) {
            abort();
        }
        touch(data, size, r->in_memory_bytecode);
        touch(data, size, r->in_memory_bytecode_opt1);
        touch(data, size, r->in_memory_bytecode_opt2);
        touch(data, size, r->in_memory_bytecode_zstd);
        touch(data, size, r->in_memory_bytecode_opt1_zstd);
        touch(data, size, r->in_memory_bytecode_opt2_zstd);
        if ((r->in_memory_bytecode.data != NULL
                    && r->in_memory_bytecode_zstd.data != NULL)
                || (r->in_memory_bytecode_opt1.data != NULL
                    && r->in_memory_bytecode_opt1_zstd.data != NULL)
                || (r->in_memory_bytecode_opt2.data != NULL
                    && r->in_memory_bytecode_opt2_zstd.data != NULL)) {
            abort();
        }
        touch(data, size, r->in_memory_extension_module);
        touch_list(data, size, r->in_memory_package_resources);
        touch_list(data, size, r->in_memory_distribution_resources);
        touch(data, size, r->in_memory_shared_library);
        for (size_t k = 0; k < r->shared_library_dependency_count; k++) {
            touch(data, size, r->shared_library_dependencies[k]);
        }
        touch(data, size, r->relative_path_module_source);
        touch(data, size, r->relative_path_module_bytecode);
        touch(data, size, r->relative_path_module_bytecode_opt1);
        touch(data, size, r->relative_path_module_bytecode_opt2);
        touch(data, size, r->relative_path_extension_module);
        touch_list(data, size, r->relative_path_package_resources);
        touch_list(data, size, r->relative_path_distribution_resources);
        touch(data, size, r->file_data_embedded);
        touch(data, size, r->file_data_utf8_relative_path);
    }
    /* Names that are almost present: each name minus its last byte. */
    for (size_t i = 0; i < ix.count; i++) {
        oxr_bytes n = ix.resources[i].name;
        if (n.len > 0) {
            const oxr_resource *r =
                oxr_index_find(&ix, (const char *)n.data, n.len - 1);
            if (r != NULL && r->name.len != n.len - 1) {
                abort();
            }
        }
    }
    oxr_index_free(&ix);
    return 0;
}
