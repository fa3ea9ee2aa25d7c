// The avx2 exp for test_exp (see exp_isa.h).
#define XENT_VECTOR_BYTES 32
#define XENT_ISA avx2
#include "exp_isa.h"
