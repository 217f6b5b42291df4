/* Drives LLVMFuzzerTestOneInput without libFuzzer (e.g. under gcc's ASan).
 *
 *   standalone_fuzz [-runs=N] [-seed=S] [FILE|DIR]...
 *
 * Replays every given file (directories are read one level deep), then runs
 * N (default 20000) deterministic mutations of those inputs plus a built-in
 * seed. Each input is copied into a buffer of exactly its size so ASan
 * catches reads past the end. A crash aborts the process, so a completed
 * run prints "N passed, 0 failed". */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT (1u << 16)

typedef struct {
    uint8_t *data;
    size_t len;
} input;

static input *g_seeds;
static size_t g_nseeds, g_capseeds;
static uint64_t g_rng;

/* A valid v3 blob: one resource "m" with 0x07 bytecode "bc". */
static const uint8_t BUILTIN_SEED[] =
    "pyembed\x03"
    "\x02" "\x1b\x00\x00\x00" "\x01\x00\x00\x00" "\x0b\x00\x00\x00"
    "\x01\x02\x03\x03\x01\x00\x00\x00\x00\x00\x00\x00\xff"
    "\x01\x02\x07\x03\x02\x00\x00\x00\x00\x00\x00\x00\xff" "\x00"
    "\x01\x03\x01\x00\x07\x02\x00\x00\x00\xff\x00"
    "m" "bc";

static uint64_t
rnd(void)
{
    /* xorshift64*: fixed seed, so every run is reproducible. */
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return g_rng * 0x2545f4914f6cdd1dULL;
}

static size_t
below(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

static void
add_seed(const uint8_t *data, size_t len)
{
    if (g_nseeds == g_capseeds) {
        g_capseeds = g_capseeds ? 2 * g_capseeds : 16;
        g_seeds = realloc(g_seeds, g_capseeds * sizeof(*g_seeds));
        if (g_seeds == NULL) {
            abort();
        }
    }
    uint8_t *copy = malloc(len ? len : 1);
    if (copy == NULL) {
        abort();
    }
    memcpy(copy, data, len);
    g_seeds[g_nseeds].data = copy;
    g_seeds[g_nseeds].len = len;
    g_nseeds++;
}

/* Runs one input from a heap buffer of exactly its size. */
static void
run_one(const uint8_t *data, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (copy == NULL) {
        abort();
    }
    memcpy(copy, data, len);
    LLVMFuzzerTestOneInput(copy, len);
    free(copy);
}

static int
load_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return -1;
    }
    static uint8_t buf[MAX_INPUT];
    size_t len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    run_one(buf, len);
    add_seed(buf, len);
    return 0;
}

static int
strcmp_ptr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
load_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "cannot stat %s\n", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        return load_file(path);
    }
    DIR *d = opendir(path);
    if (d == NULL) {
        fprintf(stderr, "cannot open directory %s\n", path);
        return -1;
    }
    /* Sorted names keep the seed order, and so the run, deterministic. */
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        names = realloc(names, (n + 1) * sizeof(*names));
        size_t l = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(l);
        if (names == NULL || names[n] == NULL) {
            abort();
        }
        snprintf(names[n], l, "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    if (n > 0) {
        qsort(names, n, sizeof(*names), strcmp_ptr);
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat fst;
        if (stat(names[i], &fst) == 0 && S_ISREG(fst.st_mode) &&
                load_file(names[i]) != 0) {
            rc = -1;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

static const uint64_t INTERESTING[] = {
    0, 1, 2, 3, 4, 7, 8, 0x7f, 0x80, 0xfe, 0xff, 0x100, 0x7fff, 0x8000,
    0xfffe, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
    0x100000000ULL, 0x100000003ULL, 0x7fffffffffffffffULL,
    0x8000000000000000ULL, 0xffffffffffffffffULL,
};
#define N_INTERESTING (sizeof(INTERESTING) / sizeof(INTERESTING[0]))

/* Applies one random edit to buf[0..*len), keeping *len <= cap. */
static void
mutate_once(uint8_t *buf, size_t *len, size_t cap)
{
    size_t n = *len;
    switch (below(10)) {
    case 0:  /* flip a bit */
        if (n) {
            buf[below(n)] ^= (uint8_t)(1u << below(8));
        }
        break;
    case 1:  /* interesting byte */
        if (n) {
            buf[below(n)] = (uint8_t)INTERESTING[below(12)];
        }
        break;
    case 2:  /* random byte, or +-1 */
        if (n) {
            size_t i = below(n);
            if (below(2)) {
                buf[i] = (uint8_t)rnd();
            }
            else {
                buf[i] = (uint8_t)(buf[i] + (below(2) ? 1 : 255));
            }
        }
        break;
    case 3: {  /* insert 1..8 random bytes */
        size_t k = 1 + below(8);
        if (n + k <= cap) {
            size_t at = below(n + 1);
            memmove(buf + at + k, buf + at, n - at);
            for (size_t i = 0; i < k; i++) {
                buf[at + i] = (uint8_t)rnd();
            }
            *len = n + k;
        }
        break;
    }
    case 4: {  /* delete a range */
        if (n) {
            size_t at = below(n), k = 1 + below(n - at < 16 ? n - at : 16);
            memmove(buf + at, buf + at + k, n - at - k);
            *len = n - k;
        }
        break;
    }
    case 5:  /* truncate */
        *len = below(n + 1);
        break;
    case 6: {  /* little-endian integer of width 1, 2, 4 or 8 */
        static const unsigned widths[] = {1, 2, 4, 8};
        unsigned w = widths[below(4)];
        if (n >= w) {
            size_t at = below(n - w + 1);
            uint64_t v = below(4) ? INTERESTING[below(N_INTERESTING)]
                                  : (uint64_t)below(n + 2);
            for (unsigned i = 0; i < w; i++) {
                buf[at + i] = (uint8_t)(v >> (8 * i));
            }
        }
        break;
    }
    case 7: {  /* duplicate a chunk elsewhere */
        if (n) {
            size_t from = below(n), k = 1 + below(n - from);
            if (k > 64) {
                k = 64;
            }
            if (n + k <= cap) {
                uint8_t tmp[64];
                memcpy(tmp, buf + from, k);
                size_t at = below(n + 1);
                memmove(buf + at + k, buf + at, n - at);
                memcpy(buf + at, tmp, k);
                *len = n + k;
            }
        }
        break;
    }
    case 8: {  /* splice: keep a prefix, append the tail of another seed */
        const input *o = &g_seeds[below(g_nseeds)];
        size_t keep = below(n + 1), from = below(o->len + 1);
        size_t k = o->len - from;
        if (keep + k > cap) {
            k = cap - keep;
        }
        memcpy(buf + keep, o->data + from, k);
        *len = keep + k;
        break;
    }
    default: {  /* overwrite a short range with another seed's bytes */
        const input *o = &g_seeds[below(g_nseeds)];
        if (n && o->len) {
            size_t at = below(n), from = below(o->len);
            size_t k = 1 + below(16);
            if (k > n - at) {
                k = n - at;
            }
            if (k > o->len - from) {
                k = o->len - from;
            }
            memcpy(buf + at, o->data + from, k);
        }
        break;
    }
    }
}

int
main(int argc, char **argv)
{
    unsigned long long runs = 20000, seed = 0x5eed0f0e1d5ULL;
    size_t replayed = 0;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "-runs=", 6) == 0) {
            runs = strtoull(argv[i] + 6, NULL, 10);
        }
        else if (strncmp(argv[i], "-seed=", 6) == 0) {
            seed = strtoull(argv[i] + 6, NULL, 10);
        }
        else if (argv[i][0] == '-') {
            /* Ignore other libFuzzer-style flags. */
        }
        else {
            size_t before = g_nseeds;
            if (load_path(argv[i]) != 0) {
                return 2;
            }
            replayed += g_nseeds - before;
        }
    }
    add_seed(BUILTIN_SEED, sizeof(BUILTIN_SEED) - 1);
    run_one(BUILTIN_SEED, sizeof(BUILTIN_SEED) - 1);
    replayed++;

    g_rng = seed ? seed : 1;
    static uint8_t buf[2 * MAX_INPUT];
    for (unsigned long long r = 0; r < runs; r++) {
        const input *s = &g_seeds[below(g_nseeds)];
        size_t len = s->len;
        memcpy(buf, s->data, len);
        size_t edits = 1 + below(4);
        for (size_t e = 0; e < edits; e++) {
            mutate_once(buf, &len, sizeof(buf));
        }
        run_one(buf, len);
    }
    printf("replayed %zu inputs, %llu mutations\n", replayed, runs);
    printf("%llu passed, 0 failed\n", (unsigned long long)replayed + runs);
    for (size_t i = 0; i < g_nseeds; i++) {
        free(g_seeds[i].data);
    }
    free(g_seeds);
    return 0;
}
