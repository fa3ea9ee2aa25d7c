// The primitives of the instruction set this file is compiled for (vec/config.h): the one place
// that chooses by ISA. Each header defines the same functions (partial loads and stores, lane
// tests, the exp, the staging of short rows), so the kernels above them have no ISA branches.
#pragma once

#include "vec/config.h"

#if XENT_VECTOR_BYTES == 64
#include "vec/avx512.h"
#elif XENT_VECTOR_BYTES == 32
#include "vec/avx2.h"
#else
#include "vec/portable.h"
#endif
