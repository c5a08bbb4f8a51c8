/* rng.c: the engine's single PCG32 generator (O'Neill's pcg32_random_r),
 * chosen because it is small, fast and gives the same stream everywhere. */
#include <math.h>
#include "core.h"

static uint64_t rng_state = 0x853c49e6748fea9bULL;
static const uint64_t rng_inc = 0xda3e39cb94b95bdbULL;
static uint64_t rng_seed_value = 0;

uint32_t llm_rand_u32(void)
{
    uint64_t old = rng_state;
    rng_state = old * 6364136223846793005ULL + rng_inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
}

void llm_seed(uint64_t seed)
{
    rng_seed_value = seed;
    rng_state = 0;
    llm_rand_u32();
    rng_state += seed;
    llm_rand_u32();
}

uint64_t llm_get_seed(void) { return rng_seed_value; }

double llm_rand_uniform(void)
{
    uint64_t hi = llm_rand_u32() >> 5, lo = llm_rand_u32() >> 6; /* 27 + 26 bits */
    return ((double)hi * 67108864.0 + (double)lo) / 9007199254740992.0;
}

double llm_rand_normal(void)
{
    /* Box-Muller; one value per call keeps the stream simple to reason about. */
    double u1 = llm_rand_uniform(), u2 = llm_rand_uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

uint32_t llm_rand_below(uint32_t bound)
{
    /* Lemire's rejection method: no modulo bias. */
    uint32_t threshold = (uint32_t)(-bound) % bound;
    for (;;) {
        uint32_t r = llm_rand_u32();
        if (r >= threshold) return r % bound;
    }
}
