// Which instruction set the vector headers are compiled for: each kernel table
// (kernels/table_<isa>.cpp) defines XENT_ISA (the namespace its code lives in) and
// XENT_VECTOR_BYTES before it includes anything. A header opened alone (an editor, a linter) gets
// the portable set, so every header compiles by itself.
//
// Every vector header wraps its code in namespace xent::XENT_ISA, so one ISA's inline functions
// and templates have names of their own and the linker can never merge them into another ISA's
// code (as ATen's inline namespace CPU_CAPABILITY does). The kernels use no inline code of the
// standard library, which every translation unit would share.
#pragma once

#ifndef XENT_ISA
#define XENT_ISA portable
#define XENT_VECTOR_BYTES 16
#endif
