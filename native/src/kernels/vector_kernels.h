// The vector kernels: what the drivers (class_targets.cpp, binary_targets.cpp) hand to them, and
// the table of one instruction set's kernels (kernels/table.h, compiled per ISA by
// kernels/table_<isa>.cpp).
//
// Everything here is plain data and function pointers: the ISA translation units share no inline
// code with the rest of the library, so no AVX-512 instruction can reach a generic code path
// through a merged inline function.
#pragma once

#include <cstdint>

namespace xent {

// One call, resolved for the kernels. Pointers are the caller's buffers.
struct KernelJob {
    int64_t classes;
    int64_t inner;            // positions per outer index; 1 for class-last rows
    int64_t steps;            // T of sequences with lengths, else 0
    const void* input;
    const void* target;       // int32/int64 indices (index targets) or floats (probability targets)
    const void* class_weights;
    const void* sample_weights;
    const void* lengths;
    const void* grad_output;  // per position (NONE), or NULL
    void* loss_out;
    void* grad;
    void* lse_out;            // per position: log-sum-exp of the (soft-capped) logits, or NULL
    int64_t ignore_index;
    int64_t index_base;
    double eps;
    double eps_per_class;
    double weight_total;      // sum of the class weights (C without)
    double scale;
    double z_loss;            // lambda of the z-loss, 0 for none
    double z_factor;          // dL/d(lambda s lse^2) of a reduced loss (its MEAN divides by the counted s)
    double softcap;           // c of the soft-cap, 0 for none
    double inv_softcap;       // 1 / c
    bool index_targets;
    bool input_logits;        // LOGITS input
    bool input_probabilities; // PROBABILITIES input
    bool target_int32;
    bool lengths_int32;
    bool reduction_none;
};

// What a range of positions adds to the call's sums.
struct KernelSums {
    double loss;     // the cross-entropy part, sample weights included
    int64_t correct;
    double z;        // the z-loss part: sum of lambda * s * lse^2
};

// Rows [first, end) of a class-last input (inner == 1); for binary targets, elements [first, end).
using RowsFn = void (*)(const KernelJob&, int64_t first, int64_t end, double factor, KernelSums*);
// The positions (o, i0 .. i0 + width) of a class-axis-1 input, width <= lanes: one vector wide.
using TileFn = void (*)(const KernelJob&, int64_t o, int64_t i0, int width, double factor, KernelSums*);
// Index targets [first, end) of an int32 or int64 array: how many equal the ignore index and how
// many lie outside [base, base + classes).
using CountIndexFn = void (*)(const void* target, int64_t first, int64_t end, int64_t ignore, int64_t base,
                              int64_t classes, int64_t* ignored, int64_t* outside);

// One instruction set's kernels, each for float32 and float64 inputs.
struct VectorKernels {
    const char* isa;
    int lanes_f32, lanes_f64;
    RowsFn rows_f32, rows_f64;  // class-last rows: logits input, index or probability targets
    RowsFn long_rows_f32, long_rows_f64;  // the same one row at a time whatever C; writes lse_out
    TileFn tile_f32, tile_f64;  // the same, class axis 1
    RowsFn binary_f32, binary_f64;  // binary targets, LOGITS or PROBABILITIES input
    // Class-last rows, INDEX targets without smoothing, PROBABILITIES or LOG_PROBABILITIES input.
    RowsFn nll_rows_f32, nll_rows_f64;
    TileFn nll_tile_f32, nll_tile_f64;  // the same, class axis 1
    CountIndexFn count_i32, count_i64;        // pass 1 of plain index targets
};

// One table per compiled instruction set (kernels/table_<isa>.cpp).
extern const VectorKernels kVectorKernelsPortable;
#if defined(__x86_64__)
extern const VectorKernels kVectorKernelsAvx2;
extern const VectorKernels kVectorKernelsAvx512;
#endif

}  // namespace xent
