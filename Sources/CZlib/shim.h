#include <zlib.h>

/// inflateInit2 is a macro; Swift cannot call it directly. 15 + 32: any window size, gzip or zlib header.
static inline int flowmap_inflate_init(z_streamp strm) {
    return inflateInit2(strm, 15 + 32);
}
