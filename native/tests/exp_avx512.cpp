// The avx512 exp for test_exp (see exp_isa.h).
#define XENT_VECTOR_BYTES 64
#define XENT_ISA avx512
#include "exp_isa.h"
