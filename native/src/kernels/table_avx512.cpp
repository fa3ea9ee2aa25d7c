// The AVX-512 kernels (F, DQ, BW, VL): 16 floats or 8 doubles per vector, and the short-row kernel
// that only this ISA has. Only this file is compiled with AVX-512 enabled (native/CMakeLists.txt);
// isa.cpp calls it only on CPUs that have it.
#define XENT_ISA avx512
#define XENT_VECTOR_BYTES 64
#include "kernels/short_rows_avx512.h"  // before the table: it specialises class_last_rows<float>
#include "kernels/table.h"

namespace xent {
const VectorKernels kVectorKernelsAvx512 = avx512::kernels;
}
