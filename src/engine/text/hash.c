/* hash.c: the 64-bit string hash used for word tables, exact-duplicate
 * detection and shingles: FNV-1a, 8 bytes per step, with a final
 * splitmix64 avalanche so that low bits are usable as bucket indices. */
#include <string.h>
#include "text.h"

uint64_t text_hash64(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h ^= w;
        h *= 0x100000001b3ULL;
        h ^= h >> 29;
    }
    for (; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}
