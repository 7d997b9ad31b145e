#ifndef PRUNEDOC_CLZMA_SHIM_H
#define PRUNEDOC_CLZMA_SHIM_H
#include <lzma.h>

// LZMA_CONCATENATED is a macro built with UINT32_C, which Swift does not import.
static inline uint32_t prunedoc_lzma_concatenated(void) { return LZMA_CONCATENATED; }
#endif
