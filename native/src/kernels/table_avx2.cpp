// The AVX2 kernels (with FMA): 8 floats or 4 doubles per vector. Only this file is compiled with
// AVX2 enabled (native/CMakeLists.txt); isa.cpp calls it only on CPUs that have it.
#define XENT_ISA avx2
#define XENT_VECTOR_BYTES 32
#include "kernels/table.h"

namespace xent {
const VectorKernels kVectorKernelsAvx2 = avx2::kernels;
}
