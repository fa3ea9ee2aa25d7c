#include "scratch.h"

#include <cstdlib>
#include <new>

#if defined(_WIN32)
#include <malloc.h>
#include <windows.h>
#endif

namespace xent {

namespace {

struct Scratch {
    void* data = nullptr;
    size_t bytes = 0;
};

void* alloc_aligned(size_t bytes) {
#if defined(_WIN32)
    return _aligned_malloc(bytes, 64);  // Windows' C library has no aligned_alloc
#else
    return std::aligned_alloc(64, bytes);
#endif
}

void free_aligned(void* p) {
#if defined(_WIN32)
    _aligned_free(p);
#else
    std::free(p);
#endif
}

#if defined(_WIN32)
// MinGW's thread_local objects with destructors are unsafe in a DLL: at thread exit the destructor
// can run after the thread's emulated TLS block is freed, and then frees a garbage pointer (it
// crashed under wine). A fiber-local slot's callback frees the block when the thread ends instead.
void WINAPI free_thread_scratch(void* p) {
    if (Scratch* s = static_cast<Scratch*>(p)) {
        free_aligned(s->data);
        delete s;
    }
}

Scratch* thread_scratch() {
    static const DWORD slot = FlsAlloc(free_thread_scratch);
    if (slot == FLS_OUT_OF_INDEXES) return nullptr;
    Scratch* s = static_cast<Scratch*>(FlsGetValue(slot));
    if (s == nullptr) {
        s = new (std::nothrow) Scratch;
        if (s == nullptr || !FlsSetValue(slot, s)) {
            delete s;
            return nullptr;
        }
    }
    return s;
}
#else
Scratch* thread_scratch() {
    struct Owner {
        Scratch scratch;
        ~Owner() { free_aligned(scratch.data); }
    };
    thread_local Owner owner;
    return &owner.scratch;
}
#endif

}  // namespace

void* block_scratch(size_t bytes) {
    Scratch* s = thread_scratch();
    if (s == nullptr) return nullptr;
    if (s->bytes >= bytes) return s->data;
    free_aligned(s->data);
    s->bytes = 0;
    s->data = alloc_aligned((bytes + 63) / 64 * 64);
    if (s->data != nullptr) s->bytes = bytes;
    return s->data;
}

}  // namespace xent
