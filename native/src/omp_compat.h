// OpenMP when the build has it; a serial stand-in otherwise (a build without -fopenmp, such as the
// fuzzer's: clang cannot read GCC's omp.h), where every call simply runs on the calling thread.
#pragma once

#ifdef _OPENMP
#include <omp.h>
#else
inline int omp_get_max_threads() { return 1; }
#endif
