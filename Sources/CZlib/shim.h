#ifndef PRUNEDOC_CZLIB_SHIM_H
#define PRUNEDOC_CZLIB_SHIM_H
#include <zlib.h>

// inflateInit2/deflateInit2 are macros that pass the library version and struct size.
static inline int prunedoc_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
static inline int prunedoc_deflateInit2(z_streamp strm, int level, int windowBits) {
    return deflateInit2(strm, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}
#endif
