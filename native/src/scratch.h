// The calling thread's block of logits for the fused linear form (scratch.cpp).
#pragma once

#include <cstddef>

namespace xent {

// At least `bytes` of 64-byte aligned memory that belongs to the calling thread and is kept
// between its calls (a fresh block would be faulted in page by page on every call, a few percent
// of a call's time, as a caching allocator knows); freed when the thread ends, or replaced when a
// call needs a larger one. Null when the memory cannot be had.
void* block_scratch(size_t bytes);

}  // namespace xent
