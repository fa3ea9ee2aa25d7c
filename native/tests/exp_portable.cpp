// The portable exp for test_exp (see exp_isa.h).
#define XENT_VECTOR_BYTES 16
#define XENT_ISA portable
#include "exp_isa.h"
