// The logits kernels for AVX-512 (F, DQ, BW, VL): 16 floats or 8 doubles per vector. Only this file
// is compiled with AVX-512 enabled (native/CMakeLists.txt); isa.cpp calls it only on CPUs that have it.
#define XENT_VECTOR_BYTES 64
#define XENT_ISA avx512
#define XENT_ISA_NAME "avx512"
#include "ce_logits_simd.h"

namespace xent {
const LogitsKernels kLogitsAvx512 = avx512::kernels;
}
