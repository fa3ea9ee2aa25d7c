// libFuzzer target over the C API: every call shape, option and buffer is decoded from the input.
// Capacities may be smaller than the problem needs (the library must reject them) or larger, and
// dtype codes may be any value; each buffer is its own allocation of exactly its capacity in
// elements of its declared dtype, so that AddressSanitizer catches any read or write past it (or
// a kernel that takes an element for the wrong size). The library must never crash, touch memory
// outside the buffers, or trip a sanitizer, whatever the bytes say.
//
//   native/fuzz/build.sh && build-fuzz/fuzz_compute -max_total_time=600 native/fuzz/corpus
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
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
            case 4: return b & 16 ? 1e17f : -3e38f;
            default: return (static_cast<int>(byte()) - 128) / 16.0f;
        }
    }

private:
    const uint8_t* data_;
    size_t size_, pos_ = 0;
};

// Bytes of one element of a dtype code as the library defines it; other codes (which it must
// reject) get 8, the larger size, so a buffer never holds less than any reading assumes.
int64_t element_bytes(int64_t dtype) { return dtype == XENT_FLOAT32 || dtype == XENT_INT32 ? 4 : 8; }

// One argument buffer: its own allocation of `count` elements of `dtype`, or absent.
struct Buffer {
    std::unique_ptr<uint8_t[]> bytes;
    int64_t count = 0;
    void* data() const { return bytes.get(); }
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
    // Dtype codes: mostly valid, sometimes 0, 5 or a negative code.
    auto dtype = [&] { const uint8_t b = in.byte(); return b % 16 == 15 ? int64_t(b) - 200 : int64_t(1 + b % 4); };
    p.dtype = dtype();
    p.target_dtype = dtype();
    p.lengths_dtype = dtype();
    const uint8_t ignore = in.byte();
    p.ignore_index = ignore % 2 ? -100 : ignore % 5 == 0 ? INT64_MIN : in.in(-2, 9);
    p.index_base = in.in(0, 2);
    const uint8_t threads = in.byte();
    p.threads = threads < 200 ? threads % 4 : threads < 240 ? xent_max_threads() + threads % 3 : 4096 - threads;
    const uint8_t smoothing = in.byte();
    p.label_smoothing = smoothing == 7 ? NAN : smoothing == 8 ? -0.25 : in.unit() * 1.2;
    p.scale = in.byte() == 9 ? INFINITY : 0.5 + in.unit();
    p.grad_output_scalar = in.unit() * 2 - 0.5;

    // Capacities: the full tensor, short by a little, longer than needed, or (rarely) negative.
    const int64_t full = elements > 0 && elements < 4096 ? elements : 1;
    auto capacity = [&](int64_t whole) {
        const uint8_t b = in.byte();
        if (b % 8 == 0) return whole - in.in(0, 2);
        if (b % 8 == 1) return whole + in.in(1, 3);
        if (b == 255) return int64_t(-1);
        return whole;
    };
    const int64_t cap_input = capacity(full), cap_target = capacity(full), cap_weights = capacity(9),
                  cap_sample = capacity(full), cap_lengths = capacity(9), cap_gout = capacity(full),
                  cap_loss = capacity(full), cap_grad = capacity(full);
    const uint8_t present = in.byte();
    const bool in_place = in.byte() % 4 == 0;

    // Each buffer holds what its capacity says in its declared dtype: floats of the input's dtype
    // for every float argument, index targets of the target dtype (probability targets: floats),
    // lengths of the lengths dtype.
    const bool index_targets = p.target_kind == XENT_TARGET_INDEX;
    auto make = [&](int64_t count, int64_t type, bool integers, bool lengths) {
        Buffer b;
        b.count = count;
        if (count <= 0) return b;
        const int64_t size = element_bytes(type);
        b.bytes.reset(new uint8_t[static_cast<size_t>(count * size)]);
        for (int64_t i = 0; i < count; ++i) {
            uint8_t* at = b.bytes.get() + i * size;
            if (integers) {
                const int64_t v = lengths ? in.in(-1, 10) : (in.byte() == 0 ? -100 : in.in(-2, 10));
                if (size == 4) { const int32_t v32 = static_cast<int32_t>(v); std::memcpy(at, &v32, 4); }
                else std::memcpy(at, &v, 8);
            } else if (size == 4) {
                const float f = in.number();
                std::memcpy(at, &f, 4);
            } else {
                const double d = in.number();
                std::memcpy(at, &d, 8);
            }
        }
        return b;
    };
    auto maybe = [&](int bit, int64_t count, int64_t type, bool integers = false, bool lengths = false) {
        return (present >> bit & 1) ? make(count, type, integers, lengths) : Buffer{};
    };
    Buffer input = make(cap_input, p.dtype, false, false);
    Buffer target = make(cap_target, index_targets ? p.target_dtype : p.dtype, index_targets, false);
    Buffer weights = maybe(0, cap_weights, p.dtype);
    Buffer sample = maybe(1, cap_sample, p.dtype);
    Buffer lengths = maybe(2, cap_lengths, p.lengths_dtype, true, true);
    Buffer gout = maybe(3, cap_gout, p.dtype);
    Buffer loss = maybe(4, cap_loss, p.dtype);
    Buffer grad = maybe(5, cap_grad, p.dtype);
    // A negative capacity goes to the library as it is, with or without a buffer (it must refuse it).
    auto count_of = [](const Buffer& b, int64_t cap) { return b.data() ? b.count : (cap < 0 ? cap : 0); };
    p.input_count = count_of(input, cap_input);
    p.target_count = count_of(target, cap_target);
    p.class_weights_count = count_of(weights, (present & 1) ? cap_weights : 0);
    p.sample_weights_count = count_of(sample, (present >> 1 & 1) ? cap_sample : 0);
    p.lengths_count = count_of(lengths, (present >> 2 & 1) ? cap_lengths : 0);
    p.grad_output_count = count_of(gout, (present >> 3 & 1) ? cap_gout : 0);
    p.loss_out_count = count_of(loss, (present >> 4 & 1) ? cap_loss : 0);
    p.grad_input_count = count_of(grad, (present >> 5 & 1) ? cap_grad : 0);
    // Options newer than the corpus's first inputs come from the bytes left at the end, so that
    // every older input keeps its meaning (and gets them off).
    auto option = [&] {
        const uint8_t b = in.byte();
        switch (b % 12) {
            case 4: return in.unit() * 0.1;
            case 5: return 1.0 + in.byte();
            case 6: return static_cast<double>(NAN);
            case 7: return b & 16 ? static_cast<double>(INFINITY) : -static_cast<double>(INFINITY);
            case 8: return -in.unit();
            case 9: return b & 16 ? 1e-300 : 4.9e-324;  // smallest normal-ish and subnormal: x / c overflows
            case 10: return b & 16 ? 1e300 : 3e38;      // x / c underflows; lse^2 overflows float
            default: return 0.0;
        }
    };
    p.z_loss = option();
    p.softcap = option();
    void* grad_data = grad.data();
    if (in_place && grad_data && input.data()) {
        grad_data = input.data();
        p.grad_input_count = p.input_count;
    }
    xent_result r{};
    xent_compute(&p, input.data(), target.data(), weights.data(), sample.data(), lengths.data(), gout.data(), loss.data(),
                 grad_data, &r);
    (void)xent_last_error();
    return 0;
}
