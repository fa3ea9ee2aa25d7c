// Deterministic work splitting. Positions are cut into blocks whose size depends only on the
// problem's shape, never on the thread count; each block reduces into its own slot and the slots
// are summed in block order. That is what makes results bit-identical for any number of threads
// (docs/semantics.md, "Numerics").
#pragma once

#include <algorithm>
#include <cstdint>

#include "thread_pool.h"

namespace xent {

// Below this many elements a call runs on the calling thread: waking threads costs microseconds,
// more than small problems take in total (docs/design.md). Overridable at build time, to measure
// where the threshold should lie.
#ifndef XENT_PARALLEL_MIN_ELEMENTS
#define XENT_PARALLEL_MIN_ELEMENTS (1 << 15)
#endif
constexpr int64_t kParallelMinElements = XENT_PARALLEL_MIN_ELEMENTS;

struct Blocks {
    int64_t size = 1;   // positions per block (the last one may hold fewer)
    int64_t count = 0;
};

// `align`: block sizes are a multiple of it (when positions allow), so that vector kernels that
// take neighbouring positions a vector at a time see whole vectors.
inline Blocks plan_blocks(int64_t positions, int64_t classes, int64_t align = 1) {
    constexpr int64_t kElementsPerBlock = 1 << 14;  // enough work to amortise scheduling
    constexpr int64_t kMaxBlocks = 4096;            // bounds the per-call partial-sum storage
    Blocks b;
    if (positions * classes <= kElementsPerBlock) {  // one block (what the rule below gives), without its divisions
        b.size = positions;
        b.count = 1;
        return b;
    }
    b.size = std::max<int64_t>(1, (kElementsPerBlock + classes - 1) / classes);
    b.size = std::max(b.size, (positions + kMaxBlocks - 1) / kMaxBlocks);
    b.size = (b.size + align - 1) / align * align;
    b.count = (positions + b.size - 1) / b.size;
    return b;
}

// Calls body(block, first_position, end_position) for every block, on up to `threads` threads
// (0: max_threads()).
template <class Body>
void for_each_block(const Blocks& blocks, int64_t positions, int64_t elements, int threads, Body&& body) {
    auto run = [&](int64_t block) {
        int64_t first = block * blocks.size;
        body(block, first, std::min(positions, first + blocks.size));
    };
    if (threads == 1 || blocks.count < 2 || elements < kParallelMinElements) {
        for (int64_t block = 0; block < blocks.count; ++block) run(block);
        return;
    }
    parallel_for(blocks.count, threads == 0 ? max_threads() : threads, run);
}

}  // namespace xent
