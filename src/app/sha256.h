/*
 * sha256.h: SHA-256 (FIPS 180-4) for the run manifest: the hashes of a lab
 * file, its inputs and its artifacts, so a run records exactly what it used.
 */
#ifndef LLM_APP_SHA256_H
#define LLM_APP_SHA256_H

#include <stddef.h>
#include <stdint.h>
#include "core.h"

typedef struct app_sha256 {
    uint32_t h[8];
    uint64_t bytes;
    unsigned char block[64];
    size_t used;
} app_sha256;

void app_sha256_init(app_sha256 *c);
void app_sha256_update(app_sha256 *c, const void *data, size_t n);
/* Write 64 lowercase hex digits and a NUL into hex[65]. */
void app_sha256_final_hex(app_sha256 *c, char hex[65]);
/* Hash a whole file; *bytes gets its size. */
llm_status app_sha256_file(const char *path, char hex[65], int64_t *bytes);

#endif
