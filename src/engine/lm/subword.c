/* subword.c: fastText's character n-grams: the n-grams (n = minn..maxn,
 * counted in UTF-8 characters) of "<word>", each hashed with 32-bit FNV-1a
 * into one of `buckets` rows. Shared by training and by vectors for
 * unseen words, so both always agree. */
#include <string.h>
#include "embed.h"

static uint32_t ft_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (uint32_t)(int8_t)s[i];
        h *= 16777619u;
    }
    return h;
}

int embed_subword_ids(const char *word, int minn, int maxn, int buckets, int *out, int cap)
{
    size_t wl = strlen(word);
    char buf[1024];
    if (wl + 2 >= sizeof buf) return 0;
    buf[0] = '<';
    memcpy(buf + 1, word, wl);
    buf[wl + 1] = '>';
    size_t n = wl + 2;
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        if ((buf[i] & 0xC0) == 0x80) continue; /* start at character boundaries */
        size_t j = i;
        for (int len = 1; j < n && len <= maxn; len++) {
            j++;
            while (j < n && (buf[j] & 0xC0) == 0x80) j++;
            /* the lone "<" and ">" are not n-grams */
            if (len >= minn && !(len == 1 && (i == 0 || j == n)) && count < cap)
                out[count++] = (int)(ft_hash(buf + i, j - i) % (uint32_t)buckets);
        }
    }
    return count;
}
