// The logits kernels for AVX2 with FMA: 8 floats or 4 doubles per vector.
#define XENT_VECTOR_BYTES 32
#define XENT_ISA avx2
#define XENT_ISA_NAME "avx2"
#include "ce_logits_simd.h"

namespace xent {
const LogitsKernels kLogitsAvx2 = avx2::kernels;
}
