// Helpers for building xent_problem values in tests.
#pragma once

#include <cstdint>
#include <initializer_list>

#include "xent.h"

inline xent_problem make_problem(std::initializer_list<int64_t> dims, int64_t class_axis = 1) {
    xent_problem p{};
    p.abi_version = XENT_ABI_VERSION;
    p.rank = static_cast<int64_t>(dims.size());
    int64_t i = 0, elements = 1;
    for (int64_t d : dims) {
        p.dims[i++] = d;
        elements *= d;
    }
    p.class_axis = class_axis;
    p.target_kind = XENT_TARGET_INDEX;
    p.input_kind = XENT_INPUT_LOGITS;
    p.reduction = XENT_REDUCTION_MEAN;
    p.dtype = XENT_FLOAT32;
    p.target_dtype = XENT_INT64;
    p.ignore_index = -100;
    p.scale = 1.0;
    p.grad_output_scalar = 1.0;
    p.input_count = elements;
    return p;
}
