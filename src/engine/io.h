/*
 * io.h: the engine's file formats. For now: safetensors, the checkpoint
 * format of llmlab (DESIGN.md "Checkpoints").
 *
 * A safetensors file is
 *     u64 little-endian N | N bytes of JSON header | data bytes
 * The header maps each tensor name to {"dtype", "shape", "data_offsets":
 * [begin, end]} (offsets relative to the start of the data bytes) and may
 * hold "__metadata__", a flat object of string -> string (llmlab keeps the
 * model config there).
 *
 * Reading validates everything before any tensor is handed out: header length
 * within the file, well-formed JSON (the error names line and column), known
 * dtypes, shape x dtype size = byte span, offsets inside the data and neither
 * overlapping nor leaving gaps. Nothing here knows about tensors: entries are
 * described by dtype, shape and a pointer to their bytes, so the tensor layer
 * (and tests) can build on it. Writing is atomic: a temporary file in the same
 * folder, fsync, rename.
 */
#ifndef LLM_IO_H
#define LLM_IO_H

#include <stddef.h>
#include <stdint.h>
#include "core.h"

#define SAFETENSORS_MAX_DIMS 8
/* A header larger than this is refused before allocating for it. */
#define SAFETENSORS_MAX_HEADER ((uint64_t)100 * 1024 * 1024)

typedef enum st_dtype {
    ST_F64, ST_F32, ST_F16, ST_BF16,
    ST_I64, ST_I32, ST_I16, ST_I8, ST_U8, ST_BOOL,
    ST_DTYPE_COUNT
} st_dtype;

/* "F32", "I64", ... and back; safetensors_dtype_parse returns -1 when unknown. */
const char *safetensors_dtype_name(st_dtype dtype);
int safetensors_dtype_parse(const char *name);
size_t safetensors_dtype_size(st_dtype dtype);

/* One tensor of a file that was read. */
typedef struct st_entry {
    char *name;
    st_dtype dtype;
    int ndim;
    int64_t shape[SAFETENSORS_MAX_DIMS];
    int64_t numel;
    size_t begin, end;      /* byte span inside the data section */
    const unsigned char *data; /* begin of the bytes (not aligned in general) */
} st_entry;

/* A file that was read and validated; entries keep the header's order. */
typedef struct st_file {
    size_t count;
    st_entry *entries;
    size_t meta_count;
    char **meta_keys;
    char **meta_values;
    unsigned char *bytes; /* the whole file (owned) */
    size_t size;
} st_file;

/* Read and validate a file. On error *out is NULL and llm_last_error() says
 * what was wrong, naming the file. */
llm_status safetensors_read(const char *path, st_file **out);
/* The same from bytes in memory (copied); `what` names them in messages. */
llm_status safetensors_parse(const void *bytes, size_t size, const char *what, st_file **out);
void safetensors_free(st_file *f);

const st_entry *safetensors_find(const st_file *f, const char *name);
const char *safetensors_meta(const st_file *f, const char *key);

/* Copy an entry's values into dst as float32 (from F32, F16, BF16, F64, or
 * integer dtypes); dst holds e->numel floats. */
llm_status safetensors_entry_to_f32(const st_entry *e, float *dst);

/* One tensor to write: data holds numel * dtype size bytes, row-major. */
typedef struct st_write_entry {
    const char *name;
    st_dtype dtype;
    int ndim;
    const int64_t *shape;
    const void *data;
} st_write_entry;

/* Write entries (names unique, in the given order) with string metadata
 * (meta_keys/meta_values of meta_count items) atomically to path. */
llm_status safetensors_write(const char *path, const st_write_entry *entries, size_t count,
                             const char *const *meta_keys, const char *const *meta_values,
                             size_t meta_count);

#endif
