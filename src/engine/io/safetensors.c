/*
 * safetensors.c: reading (with strict validation) and atomic writing of
 * safetensors files, llmlab's checkpoint format. See io.h for the layout.
 *
 * Reading takes the whole file into memory, checks the header length against
 * the file size before allocating for it, parses the JSON header with jansson
 * (duplicate keys rejected; errors name line and column), then validates
 * every entry and the byte layout (no overlaps, no gaps, nothing left over)
 * before returning. Any malformed input ends in an llm_fail message that
 * names the file and what was wrong, never in a crash.
 */
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const dtype_names[ST_DTYPE_COUNT] = {
    "F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL",
};
static const size_t dtype_sizes[ST_DTYPE_COUNT] = {8, 4, 2, 2, 8, 4, 2, 1, 1, 1};
_Static_assert(sizeof dtype_names / sizeof dtype_names[0] == ST_DTYPE_COUNT, "dtype table");

const char *safetensors_dtype_name(st_dtype dtype)
{
    return (unsigned)dtype < ST_DTYPE_COUNT ? dtype_names[dtype] : "?";
}

int safetensors_dtype_parse(const char *name)
{
    for (int i = 0; i < ST_DTYPE_COUNT; i++)
        if (strcmp(name, dtype_names[i]) == 0) return i;
    return -1;
}

size_t safetensors_dtype_size(st_dtype dtype)
{
    return (unsigned)dtype < ST_DTYPE_COUNT ? dtype_sizes[dtype] : 0;
}

void safetensors_free(st_file *f)
{
    if (!f) return;
    for (size_t i = 0; i < f->count; i++) free(f->entries[i].name);
    free(f->entries);
    for (size_t i = 0; i < f->meta_count; i++) {
        free(f->meta_keys[i]);
        free(f->meta_values[i]);
    }
    free(f->meta_keys);
    free(f->meta_values);
    free(f->bytes);
    free(f);
}

const st_entry *safetensors_find(const st_file *f, const char *name)
{
    for (size_t i = 0; f && i < f->count; i++)
        if (strcmp(f->entries[i].name, name) == 0) return &f->entries[i];
    return NULL;
}

const char *safetensors_meta(const st_file *f, const char *key)
{
    for (size_t i = 0; f && i < f->meta_count; i++)
        if (strcmp(f->meta_keys[i], key) == 0) return f->meta_values[i];
    return NULL;
}

/* ------------------------------------------------------------------ reading */

static uint64_t read_u64le(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static void write_u64le(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* Validate "__metadata__" and copy it into f. */
static llm_status parse_metadata(st_file *f, json_t *meta, const char *what)
{
    if (!json_is_object(meta))
        return llm_fail(LLM_ERR_FORMAT, "%s: __metadata__ must be an object of strings", what);
    size_t n = json_object_size(meta);
    f->meta_keys = llm_calloc(n ? n : 1, sizeof(char *));
    f->meta_values = llm_calloc(n ? n : 1, sizeof(char *));
    if (!f->meta_keys || !f->meta_values) return LLM_ERR_NOMEM;
    const char *key;
    json_t *value;
    json_object_foreach(meta, key, value) {
        if (!json_is_string(value))
            return llm_fail(LLM_ERR_FORMAT, "%s: __metadata__ value of '%s' is not a string", what, key);
        f->meta_keys[f->meta_count] = llm_strdup(key);
        f->meta_values[f->meta_count] = llm_strdup(json_string_value(value));
        if (!f->meta_keys[f->meta_count] || !f->meta_values[f->meta_count]) {
            f->meta_count++;
            return LLM_ERR_NOMEM;
        }
        f->meta_count++;
    }
    return LLM_OK;
}

/* A non-negative JSON integer, or an error naming the field. */
static llm_status json_size(json_t *v, const char *what, const char *name, const char *field,
                            int64_t *out)
{
    if (!json_is_integer(v))
        return llm_fail(LLM_ERR_FORMAT, "%s: tensor '%s': %s must hold integers", what, name, field);
    json_int_t x = json_integer_value(v);
    if (x < 0)
        return llm_fail(LLM_ERR_FORMAT, "%s: tensor '%s': %s holds a negative value (%lld)", what,
                        name, field, (long long)x);
    *out = (int64_t)x;
    return LLM_OK;
}

/* Validate one tensor entry of the header. */
static llm_status parse_entry(st_entry *e, const char *name, json_t *obj, size_t data_size,
                              const char *what)
{
    if (!json_is_object(obj))
        return llm_fail(LLM_ERR_FORMAT, "%s: tensor '%s' is not an object", what, name);
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) {
        if (strcmp(key, "dtype") && strcmp(key, "shape") && strcmp(key, "data_offsets"))
            return llm_fail(LLM_ERR_FORMAT, "%s: tensor '%s': unexpected field '%s'", what, name, key);
    }
    json_t *jd = json_object_get(obj, "dtype");
    json_t *js = json_object_get(obj, "shape");
    json_t *jo = json_object_get(obj, "data_offsets");
    if (!jd || !js || !jo)
        return llm_fail(LLM_ERR_FORMAT, "%s: tensor '%s': missing field '%s'", what, name,
                        !jd ? "dtype" : !js ? "shape" : "data_offsets");
    if (!json_is_string(jd))
        return llm_fail(LLM_ERR_FORMAT, "%s: tensor '%s': dtype is not a string", what, name);
    int dt = safetensors_dtype_parse(json_string_value(jd));
    if (dt < 0)
        return llm_fail(LLM_ERR_FORMAT, "%s: tensor '%s': unknown dtype '%s'", what, name,
                        json_string_value(jd));
    e->dtype = (st_dtype)dt;

    if (!json_is_array(js))
        return llm_fail(LLM_ERR_FORMAT, "%s: tensor '%s': shape is not an array", what, name);
    size_t nd = json_array_size(js);
    if (nd > SAFETENSORS_MAX_DIMS)
        return llm_fail(LLM_ERR_FORMAT, "%s: tensor '%s': %zu dimensions (at most %d)", what, name,
                        nd, SAFETENSORS_MAX_DIMS);
    e->ndim = (int)nd;
    int64_t numel = 1;
    int overflow = 0;
    for (size_t i = 0; i < nd; i++) {
        llm_status s = json_size(json_array_get(js, i), what, name, "shape", &e->shape[i]);
        if (s) return s;
        if (e->shape[i] != 0 && numel > INT64_MAX / e->shape[i]) overflow = 1;
        else numel *= e->shape[i];
    }
    if (overflow)
        return llm_fail(LLM_ERR_FORMAT, "%s: tensor '%s': shape is too large", what, name);
    e->numel = numel;

    if (!json_is_array(jo) || json_array_size(jo) != 2)
        return llm_fail(LLM_ERR_FORMAT, "%s: tensor '%s': data_offsets must be [begin, end]", what,
                        name);
    int64_t b, en;
    llm_status s = json_size(json_array_get(jo, 0), what, name, "data_offsets", &b);
    if (s) return s;
    s = json_size(json_array_get(jo, 1), what, name, "data_offsets", &en);
    if (s) return s;
    if (en < b)
        return llm_fail(LLM_ERR_FORMAT, "%s: tensor '%s': data_offsets [%lld, %lld] end before they begin",
                        what, name, (long long)b, (long long)en);
    if ((uint64_t)en > data_size)
        return llm_fail(LLM_ERR_FORMAT,
                        "%s: tensor '%s': data_offsets [%lld, %lld] run beyond the data section (%zu bytes)",
                        what, name, (long long)b, (long long)en, data_size);
    size_t esize = dtype_sizes[e->dtype];
    if ((uint64_t)numel > (uint64_t)INT64_MAX / esize ||
        (uint64_t)numel * esize != (uint64_t)(en - b))
        return llm_fail(LLM_ERR_FORMAT,
                        "%s: tensor '%s': shape x dtype is %llu bytes but data_offsets [%lld, %lld] span %lld",
                        what, name, (unsigned long long)((uint64_t)numel * esize), (long long)b,
                        (long long)en, (long long)(en - b));
    e->begin = (size_t)b;
    e->end = (size_t)en;
    e->name = llm_strdup(name);
    return e->name ? LLM_OK : LLM_ERR_NOMEM;
}

static int by_begin(const void *a, const void *b)
{
    const st_entry *x = *(const st_entry *const *)a, *y = *(const st_entry *const *)b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return 0;
}

/* The data section must be covered exactly: no overlap, no gap, no trailing bytes. */
static llm_status check_layout(const st_file *f, size_t data_size, const char *what)
{
    size_t n = f->count;
    if (n == 0) {
        if (data_size)
            return llm_fail(LLM_ERR_FORMAT, "%s: %zu data bytes but no tensors", what, data_size);
        return LLM_OK;
    }
    const st_entry **order = llm_malloc(n * sizeof *order);
    if (!order) return LLM_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) order[i] = &f->entries[i];
    qsort(order, n, sizeof *order, by_begin);
    size_t pos = 0;
    const st_entry *prev = NULL;
    llm_status s = LLM_OK;
    for (size_t i = 0; i < n && !s; i++) {
        const st_entry *e = order[i];
        if (e->begin < pos)
            s = llm_fail(LLM_ERR_FORMAT, "%s: tensors '%s' and '%s' overlap (bytes %zu..%zu and %zu..%zu)",
                         what, prev->name, e->name, prev->begin, prev->end, e->begin, e->end);
        else if (e->begin > pos)
            s = llm_fail(LLM_ERR_FORMAT, "%s: a gap of %zu bytes before tensor '%s' (offset %zu)", what,
                         e->begin - pos, e->name, e->begin);
        if (e->end > pos) {
            pos = e->end;
            prev = e;
        } else if (!prev) {
            prev = e;
        }
    }
    free(order);
    if (!s && pos != data_size)
        s = llm_fail(LLM_ERR_FORMAT, "%s: %zu bytes after the last tensor", what, data_size - pos);
    return s;
}

/* Parse and validate; takes ownership of bytes (freed on error too). */
static llm_status parse_owned(unsigned char *bytes, size_t size, const char *what, st_file **out)
{
    *out = NULL;
    if (size < 8) {
        free(bytes);
        return llm_fail(LLM_ERR_FORMAT, "%s: %zu bytes is too short for a safetensors file (8-byte header length)",
                        what, size);
    }
    uint64_t hlen = read_u64le(bytes);
    if (hlen > size - 8) {
        free(bytes);
        return llm_fail(LLM_ERR_FORMAT,
                        "%s: header length %llu runs beyond the end of the file (%zu bytes after the length)",
                        what, (unsigned long long)hlen, size - 8);
    }
    if (hlen > SAFETENSORS_MAX_HEADER) {
        free(bytes);
        return llm_fail(LLM_ERR_FORMAT, "%s: header length %llu is larger than the limit of %llu bytes",
                        what, (unsigned long long)hlen, (unsigned long long)SAFETENSORS_MAX_HEADER);
    }
    st_file *f = llm_calloc(1, sizeof *f);
    if (!f) {
        free(bytes);
        return LLM_ERR_NOMEM;
    }
    f->bytes = bytes;
    f->size = size;

    json_error_t jerr;
    json_t *root = json_loadb((const char *)bytes + 8, (size_t)hlen, JSON_REJECT_DUPLICATES, &jerr);
    llm_status s = LLM_OK;
    if (!root) {
        s = llm_fail(LLM_ERR_FORMAT, "%s: bad JSON in the header at line %d, column %d: %s", what,
                     jerr.line, jerr.column, jerr.text);
        goto done;
    }
    if (!json_is_object(root)) {
        s = llm_fail(LLM_ERR_FORMAT, "%s: the header is not a JSON object", what);
        goto done;
    }
    size_t data_size = size - 8 - (size_t)hlen;
    size_t n = json_object_size(root);
    f->entries = llm_calloc(n ? n : 1, sizeof *f->entries);
    if (!f->entries) {
        s = LLM_ERR_NOMEM;
        goto done;
    }
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value) {
        if (strcmp(key, "__metadata__") == 0) {
            s = parse_metadata(f, value, what);
        } else {
            s = parse_entry(&f->entries[f->count], key, value, data_size, what);
            if (!s) f->count++;
        }
        if (s) goto done;
    }
    s = check_layout(f, data_size, what);
    if (s) goto done;
    const unsigned char *data = bytes + 8 + hlen;
    for (size_t i = 0; i < f->count; i++) f->entries[i].data = data + f->entries[i].begin;

done:
    if (root) json_decref(root);
    if (s) {
        safetensors_free(f);
        return s;
    }
    *out = f;
    return LLM_OK;
}

llm_status safetensors_parse(const void *bytes, size_t size, const char *what, st_file **out)
{
    *out = NULL;
    unsigned char *copy = llm_malloc(size ? size : 1);
    if (!copy) return LLM_ERR_NOMEM;
    if (size) memcpy(copy, bytes, size);
    return parse_owned(copy, size, what ? what : "safetensors", out);
}

llm_status safetensors_read(const char *path, st_file **out)
{
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) return llm_fail(LLM_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(fp);
        return llm_fail(LLM_ERR_IO, "%s is not a regular file", path);
    }
    size_t size = (size_t)st.st_size;
    /* Check the header length against the size before reading the rest. */
    if (size >= 8) {
        unsigned char head[8];
        if (fread(head, 1, 8, fp) != 8) {
            fclose(fp);
            return llm_fail(LLM_ERR_IO, "cannot read %s: %s", path, strerror(errno));
        }
        uint64_t hlen = read_u64le(head);
        if (hlen > size - 8) {
            fclose(fp);
            return llm_fail(LLM_ERR_FORMAT,
                            "%s: header length %llu runs beyond the end of the file (%zu bytes after the length)",
                            path, (unsigned long long)hlen, size - 8);
        }
        rewind(fp);
    }
    unsigned char *bytes = llm_malloc(size ? size : 1);
    if (!bytes) {
        fclose(fp);
        return LLM_ERR_NOMEM;
    }
    size_t got = fread(bytes, 1, size, fp);
    int err = ferror(fp);
    fclose(fp);
    if (got != size || err) {
        free(bytes);
        return llm_fail(LLM_ERR_IO, "cannot read %s: short read (%zu of %zu bytes)", path, got, size);
    }
    return parse_owned(bytes, size, path, out);
}

/* ------------------------------------------------------------------ conversion */

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    float v;
    if (exp == 0) v = ldexpf((float)man, -24);
    else if (exp == 31) v = man ? NAN : INFINITY;
    else v = ldexpf((float)(man | 0x400), (int)exp - 25);
    return sign ? -v : v;
}

llm_status safetensors_entry_to_f32(const st_entry *e, float *dst)
{
    const unsigned char *p = e->data;
    size_t esize = dtype_sizes[e->dtype];
    for (int64_t i = 0; i < e->numel; i++, p += esize) {
        float v;
        switch (e->dtype) {
        case ST_F32: memcpy(&v, p, 4); break;
        case ST_F64: { double d; memcpy(&d, p, 8); v = (float)d; break; }
        case ST_F16: { uint16_t h; memcpy(&h, p, 2); v = half_to_float(h); break; }
        case ST_BF16: { uint16_t h; memcpy(&h, p, 2); uint32_t u = (uint32_t)h << 16; memcpy(&v, &u, 4); break; }
        case ST_I64: { int64_t x; memcpy(&x, p, 8); v = (float)x; break; }
        case ST_I32: { int32_t x; memcpy(&x, p, 4); v = (float)x; break; }
        case ST_I16: { int16_t x; memcpy(&x, p, 2); v = (float)x; break; }
        case ST_I8: v = (float)(int8_t)*p; break;
        case ST_U8: case ST_BOOL: v = (float)*p; break;
        default: return llm_fail(LLM_ERR_ARG, "tensor '%s': unsupported dtype", e->name);
        }
        dst[i] = v;
    }
    return LLM_OK;
}

/* ------------------------------------------------------------------ writing */

static llm_status write_all(int fd, const void *buf, size_t n, const char *path)
{
    const unsigned char *p = buf;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return llm_fail(LLM_ERR_IO, "cannot write %s: %s", path, strerror(errno));
        }
        p += w;
        n -= (size_t)w;
    }
    return LLM_OK;
}

/* Build the header JSON (padded with spaces to a multiple of 8 so that the
 * data section starts aligned). Returns a malloc'd string. */
static llm_status build_header(const st_write_entry *entries, size_t count,
                               const char *const *mk, const char *const *mv, size_t mn,
                               char **out, size_t *out_len, size_t *data_size)
{
    *out = NULL;
    json_t *root = json_object();
    if (!root) return llm_fail(LLM_ERR_NOMEM, "safetensors: out of memory");
    llm_status s = LLM_OK;
    if (mn) {
        json_t *meta = json_object();
        if (!meta || json_object_set_new(root, "__metadata__", meta)) {
            s = llm_fail(LLM_ERR_NOMEM, "safetensors: out of memory");
            goto fail;
        }
        for (size_t i = 0; i < mn; i++) {
            if (!mk[i] || !mv[i]) {
                s = llm_fail(LLM_ERR_ARG, "safetensors: metadata item %zu has no key or value", i + 1);
                goto fail;
            }
            if (json_object_set_new(meta, mk[i], json_string(mv[i]))) {
                s = llm_fail(LLM_ERR_ARG, "safetensors: metadata '%s' is not valid UTF-8", mk[i]);
                goto fail;
            }
        }
    }
    size_t pos = 0;
    for (size_t i = 0; i < count; i++) {
        const st_write_entry *e = &entries[i];
        if (!e->name || !*e->name || strcmp(e->name, "__metadata__") == 0) {
            s = llm_fail(LLM_ERR_ARG, "safetensors: tensor %zu has an invalid name", i + 1);
            goto fail;
        }
        if (json_object_get(root, e->name)) {
            s = llm_fail(LLM_ERR_ARG, "safetensors: tensor name '%s' appears twice", e->name);
            goto fail;
        }
        if ((unsigned)e->dtype >= ST_DTYPE_COUNT || e->ndim < 0 || e->ndim > SAFETENSORS_MAX_DIMS) {
            s = llm_fail(LLM_ERR_ARG, "safetensors: tensor '%s' has a bad dtype or rank", e->name);
            goto fail;
        }
        json_t *obj = json_object(), *shape = json_array(), *offs = json_array();
        if (!obj || !shape || !offs) {
            json_decref(obj); json_decref(shape); json_decref(offs);
            s = llm_fail(LLM_ERR_NOMEM, "safetensors: out of memory");
            goto fail;
        }
        size_t numel = 1;
        for (int d = 0; d < e->ndim; d++) {
            if (e->shape[d] < 0) {
                json_decref(obj); json_decref(shape); json_decref(offs);
                s = llm_fail(LLM_ERR_ARG, "safetensors: tensor '%s' has a negative size", e->name);
                goto fail;
            }
            numel *= (size_t)e->shape[d];
            json_array_append_new(shape, json_integer(e->shape[d]));
        }
        size_t nbytes = numel * dtype_sizes[e->dtype];
        json_array_append_new(offs, json_integer((json_int_t)pos));
        json_array_append_new(offs, json_integer((json_int_t)(pos + nbytes)));
        pos += nbytes;
        json_object_set_new(obj, "dtype", json_string(dtype_names[e->dtype]));
        json_object_set_new(obj, "shape", shape);
        json_object_set_new(obj, "data_offsets", offs);
        if (json_object_set_new(root, e->name, obj)) {
            s = llm_fail(LLM_ERR_ARG, "safetensors: tensor name '%s' is not valid UTF-8", e->name);
            goto fail;
        }
    }
    char *text = json_dumps(root, JSON_COMPACT);
    if (!text) {
        s = llm_fail(LLM_ERR_NOMEM, "safetensors: cannot encode the header");
        goto fail;
    }
    size_t len = strlen(text), padded = (len + 7) / 8 * 8;
    char *buf = llm_malloc(padded + 1);
    if (!buf) {
        free(text);
        s = LLM_ERR_NOMEM;
        goto fail;
    }
    memcpy(buf, text, len);
    memset(buf + len, ' ', padded - len);
    buf[padded] = 0;
    free(text);
    json_decref(root);
    *out = buf;
    *out_len = padded;
    *data_size = pos;
    return LLM_OK;
fail:
    json_decref(root);
    return s;
}

llm_status safetensors_write(const char *path, const st_write_entry *entries, size_t count,
                             const char *const *meta_keys, const char *const *meta_values,
                             size_t meta_count)
{
    char *header;
    size_t hlen = 0, data_size = 0;
    llm_status s = build_header(entries, count, meta_keys, meta_values, meta_count, &header, &hlen,
                                &data_size);
    if (s) return s;
    (void)data_size;

    size_t plen = strlen(path);
    char *tmp = llm_malloc(plen + 16);
    if (!tmp) {
        free(header);
        return LLM_ERR_NOMEM;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        s = llm_fail(LLM_ERR_IO, "cannot create a temporary file next to %s: %s", path, strerror(errno));
        free(tmp);
        free(header);
        return s;
    }
    unsigned char len8[8];
    write_u64le(len8, hlen);
    s = write_all(fd, len8, 8, path);
    if (!s) s = write_all(fd, header, hlen, path);
    for (size_t i = 0; i < count && !s; i++) {
        size_t n = dtype_sizes[entries[i].dtype];
        for (int d = 0; d < entries[i].ndim; d++) n *= (size_t)entries[i].shape[d];
        if (n && !entries[i].data)
            s = llm_fail(LLM_ERR_ARG, "safetensors: tensor '%s' has no data", entries[i].name);
        else if (n)
            s = write_all(fd, entries[i].data, n, path);
    }
    free(header);
    if (!s && fsync(fd) != 0) s = llm_fail(LLM_ERR_IO, "cannot sync %s: %s", path, strerror(errno));
    if (close(fd) != 0 && !s) s = llm_fail(LLM_ERR_IO, "cannot close %s: %s", path, strerror(errno));
    /* mkstemp creates 0600; checkpoints get the usual permissions. */
    if (!s) {
        mode_t mask = umask(0);
        umask(mask);
        chmod(tmp, 0666 & ~mask);
    }
    if (!s && rename(tmp, path) != 0)
        s = llm_fail(LLM_ERR_IO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    if (s) {
        unlink(tmp);
    } else {
        /* Make the rename itself durable. */
        char *slash = strrchr(tmp, '/');
        int dfd;
        if (slash) {
            *slash = 0;
            dfd = open(*tmp ? tmp : "/", O_RDONLY | O_DIRECTORY);
        } else {
            dfd = open(".", O_RDONLY | O_DIRECTORY);
        }
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    free(tmp);
    return s;
}
