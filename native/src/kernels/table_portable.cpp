// The portable kernels: 128-bit vectors, SSE2 on any x86-64, NEON on ARM64 (the compiler lowers
// GCC's vector extensions to whichever the target has).
#define XENT_ISA portable
#define XENT_VECTOR_BYTES 16
#include "kernels/table.h"

namespace xent {
const VectorKernels kVectorKernelsPortable = portable::kernels;
}
