// The logits kernels in 128-bit vectors: SSE2 on any x86-64, NEON on ARM64 (the compiler lowers
// the vector extensions), so every machine has a vectorised path.
#define XENT_VECTOR_BYTES 16
#define XENT_ISA portable
#define XENT_ISA_NAME "portable"
#include "ce_logits_simd.h"

namespace xent {
const LogitsKernels kLogitsPortable = portable::kernels;
}
