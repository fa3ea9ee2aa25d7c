// The vectorised logits kernels (class targets, LOGITS input): what the driver in
// ce_class_scalar.cpp hands to them, and one entry table per instruction set.
//
// Everything here is plain data and function pointers: the ISA translation units share no inline
// code with the rest of the library, so no AVX-512 instruction can reach a generic code path
// through a merged inline function.
#pragma once

#include <cstdint>

namespace xent {

// One call, resolved for the kernels. Pointers are the caller's buffers.
struct LogitsJob {
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
    int64_t ignore_index;
    int64_t index_base;
    double eps;
    double eps_per_class;
    double weight_total;      // sum of the class weights (C without)
    double scale;
    bool index_targets;
    bool input_logits;        // LOGITS input
    bool input_probabilities; // PROBABILITIES input
    bool target_int32;
    bool lengths_int32;
    bool reduction_none;
};

// What a range of positions adds to the call's sums.
struct LogitsSums {
    double loss;
    int64_t correct;
};

// Rows [first, end) of a class-last input (inner == 1); for binary targets, elements [first, end).
using LogitsRowsFn = void (*)(const LogitsJob&, int64_t first, int64_t end, double factor, LogitsSums*);
// The positions (o, i0 .. i0 + width) of a class-axis-1 input, width <= lanes: one vector wide.
using LogitsTileFn = void (*)(const LogitsJob&, int64_t o, int64_t i0, int width, double factor, LogitsSums*);
// Index targets [first, end) of an int32 or int64 array: how many equal the ignore index and how
// many lie outside [base, base + classes).
using CountIndexFn = void (*)(const void* target, int64_t first, int64_t end, int64_t ignore, int64_t base,
                              int64_t classes, int64_t* ignored, int64_t* outside);

struct LogitsKernels {
    const char* isa;
    int lanes_f32, lanes_f64;
    LogitsRowsFn rows_f32, rows_f64;
    LogitsTileFn tile_f32, tile_f64;
    LogitsRowsFn binary_f32, binary_f64;  // binary targets, LOGITS or PROBABILITIES input
    // Class-last rows, INDEX targets without smoothing, PROBABILITIES or LOG_PROBABILITIES input.
    LogitsRowsFn nll_rows_f32, nll_rows_f64;
    LogitsTileFn nll_tile_f32, nll_tile_f64;  // the same, class axis 1
    CountIndexFn count_i32, count_i64;        // pass 1 of plain index targets
};

// One table per compiled instruction set (ce_logits_<isa>.cpp).
extern const LogitsKernels kLogitsPortable;
#if defined(__x86_64__)
extern const LogitsKernels kLogitsAvx2;
extern const LogitsKernels kLogitsAvx512;
#endif

}  // namespace xent
