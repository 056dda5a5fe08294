#ifndef FLOWMAP_CSHA256_H
#define FLOWMAP_CSHA256_H
#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has the SHA extensions (and SSSE3 / SSE4.1) that `flowmap_sha256_ni_compress` needs, else 0
/// (always 0 on other architectures than x86-64).
int flowmap_sha256_ni_available(void);

/// SHA-256's compression function over `blocks` 64-byte blocks at `data`, with the SHA-NI instructions:
/// `state` is H0..H7 as in FIPS 180-4, updated in place. Call only when `flowmap_sha256_ni_available()` is 1.
void flowmap_sha256_ni_compress(uint32_t state[8], const void *data, size_t blocks);

#endif
