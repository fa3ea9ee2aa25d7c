// libFuzzer target over the C API: every call shape, option and buffer is decoded from the input.
// Capacities may be smaller than the problem needs (the library must reject them), but each buffer
// really holds what its capacity says: the C API trusts capacities, not pointers. The library must
// never crash, touch memory outside the buffers, or trip a sanitizer, whatever the bytes say.
//
//   native/fuzz/build.sh && build-fuzz/fuzz_compute -max_total_time=600 native/fuzz/corpus
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "xent.h"

namespace {

class Bytes {
public:
    Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
    uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
    int64_t in(int64_t lo, int64_t hi) { return lo + byte() % (hi - lo + 1); }
    double unit() { return byte() / 255.0; }
    float number() {  // mostly ordinary values, now and then an edge
        uint8_t b = byte();
        switch (b % 16) {
            case 0: return INFINITY;
            case 1: return -INFINITY;
            case 2: return NAN;
            case 3: return 1000.0f * (b / 16 - 8);
            default: return (static_cast<int>(byte()) - 128) / 16.0f;
        }
    }

private:
    const uint8_t* data_;
    size_t size_, pos_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Bytes in(data, size);
    xent_set_max_isa(static_cast<int>(in.in(0, 3)));
    xent_problem p{};
    p.abi_version = in.byte() == 255 ? 7 : XENT_ABI_VERSION;
    p.rank = in.in(0, 5);
    int64_t elements = 1;
    for (int d = 0; d < XENT_MAX_RANK; ++d) {
        p.dims[d] = in.byte() == 255 ? -1 : in.in(1, 9);
        if (d < p.rank && p.dims[d] > 0) elements *= p.dims[d];
    }
    p.class_axis = in.byte() % 3 == 0 ? 1 : (in.byte() % 7 == 0 ? 2 : -1);
    p.target_kind = in.in(0, 3);
    p.input_kind = in.in(0, 3);
    p.reduction = in.in(0, 3);
    p.dtype = in.in(1, 4);
    p.target_dtype = in.in(1, 4);
    p.lengths_dtype = in.in(1, 4);
    p.ignore_index = in.byte() % 2 ? -100 : in.in(-2, 9);
    p.index_base = in.in(0, 2);
    p.threads = in.in(0, 3);
    p.label_smoothing = in.byte() == 7 ? NAN : in.unit() * 1.2;
    p.scale = in.byte() == 9 ? INFINITY : 0.5 + in.unit();
    p.grad_output_scalar = in.unit() * 2 - 0.5;

    // Buffers: each present or not; its capacity the full tensor, or short by a little.
    const int64_t big = elements > 0 && elements < 4096 ? elements : 1;
    auto capacity = [&](int64_t full) { return in.byte() % 8 == 0 ? full - in.in(0, 2) : full; };
    const int64_t cap_input = capacity(big), cap_target = capacity(big), cap_weights = capacity(9),
                  cap_sample = capacity(big), cap_lengths = capacity(9), cap_gout = capacity(big),
                  cap_loss = capacity(big), cap_grad = capacity(big);
    const uint8_t present = in.byte();
    const bool in_place = in.byte() % 4 == 0;
    std::vector<double> storage(8 * 4096 + 64);  // 8-byte aligned room for every buffer
    auto slot = [&](int k) { return storage.data() + k * 4096; };
    // Fill every slot with data of the declared types; targets as small integers around [0, C).
    for (int k = 0; k < 8; ++k) {
        auto* f = reinterpret_cast<float*>(slot(k));
        auto* dd = slot(k);
        for (int i = 0; i < 4096; ++i) {
            if (p.dtype == XENT_FLOAT32) f[i] = in.number();
            else dd[i] = in.number();
        }
    }
    auto* t32 = reinterpret_cast<int32_t*>(slot(1));
    auto* t64 = reinterpret_cast<int64_t*>(slot(1));
    auto* l32 = reinterpret_cast<int32_t*>(slot(4));
    auto* l64 = reinterpret_cast<int64_t*>(slot(4));
    for (int i = 0; i < 4096; ++i) {
        const int64_t v = in.byte() == 0 ? -100 : in.in(-2, 10);
        if (p.target_kind == XENT_TARGET_INDEX) {
            if (p.target_dtype == XENT_INT32) t32[i] = static_cast<int32_t>(v);
            else t64[i] = v;
        }
        if (p.lengths_dtype == XENT_INT32) l32[i] = static_cast<int32_t>(in.in(-1, 10));
        else l64[i] = in.in(-1, 10);
    }
    auto pick = [&](int bit, int k, int64_t cap, int64_t* count) -> void* {
        if (!(present >> bit & 1) || cap <= 0) {
            *count = 0;
            return nullptr;
        }
        *count = cap;
        return slot(k);
    };
    p.input_count = cap_input > 0 ? cap_input : 0;
    p.target_count = cap_target > 0 ? cap_target : 0;
    const void* weights = pick(0, 2, cap_weights, &p.class_weights_count);
    const void* sample = pick(1, 3, cap_sample, &p.sample_weights_count);
    const void* lengths = pick(2, 4, cap_lengths, &p.lengths_count);
    const void* gout = pick(3, 5, cap_gout, &p.grad_output_count);
    void* loss = pick(4, 6, cap_loss, &p.loss_out_count);
    void* grad = pick(5, 7, cap_grad, &p.grad_input_count);
    void* input = p.input_count > 0 ? slot(0) : nullptr;
    if (in_place && grad && input) {
        grad = input;
        p.grad_input_count = p.input_count;
    }
    xent_result r{};
    xent_compute(&p, input, p.target_count > 0 ? slot(1) : nullptr, weights, sample, lengths, gout, loss, grad, &r);
    (void)xent_last_error();
    return 0;
}
