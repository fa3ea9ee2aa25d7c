// libFuzzer target over xent_linear_compute, as fuzz_compute.cpp is over xent_compute: the shape,
// every option, every buffer's presence and capacity, and sometimes an output laid over another
// argument, all decoded from the input. Each buffer is its own allocation of exactly its capacity,
// so AddressSanitizer catches any access past it. The library must reject what is wrong and compute
// what is right, never touching memory it was not given.
//
//   native/fuzz/build.sh && build-fuzz/fuzz_linear -max_total_time=600 native/fuzz/corpus_linear
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>

#include "xent.h"

namespace {

class Bytes {
public:
    Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
    uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
    int64_t in(int64_t lo, int64_t hi) { return lo + byte() % (hi - lo + 1); }
    double unit() { return byte() / 255.0; }
    double number() {  // mostly ordinary values, now and then an edge
        const uint8_t b = byte();
        switch (b % 16) {
            case 0: return INFINITY;
            case 1: return -INFINITY;
            case 2: return NAN;
            case 3: return b & 16 ? 1e17 : -3e38;
            default: return (static_cast<int>(byte()) - 128) / 32.0;
        }
    }
    double option() {  // a z-loss, soft-cap or smoothing: mostly off or valid, sometimes not
        const uint8_t b = byte();
        switch (b % 10) {
            case 4: return unit() * 0.5;
            case 5: return 1.0 + byte();
            case 6: return NAN;
            case 7: return b & 16 ? INFINITY : -INFINITY;
            case 8: return -unit();
            case 9: return b & 16 ? 1e-300 : 1e300;
            default: return 0.0;
        }
    }

private:
    const uint8_t* data_;
    size_t size_, pos_ = 0;
};

struct Buffer {
    std::unique_ptr<uint8_t[]> bytes;
    int64_t count = 0;
    void* data() const { return bytes.get(); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Bytes in(data, size);
    xent_set_max_isa(static_cast<int>(in.in(0, 3)));
    xent_linear_problem p{};
    p.abi_version = in.byte() == 255 ? 2 : XENT_ABI_VERSION;
    p.rank = in.in(0, 4);
    int64_t positions = 1;
    for (int d = 0; d < XENT_MAX_RANK; ++d) {
        p.dims[d] = in.byte() == 255 ? -1 : in.in(1, 6);
        if (d + 1 < p.rank && p.dims[d] > 0) positions *= p.dims[d];
    }
    const int64_t hidden = p.rank >= 1 && p.dims[p.rank - 1] > 0 ? p.dims[p.rank - 1] : 1;
    p.classes = in.byte() == 255 ? 0 : in.in(1, 40);
    const int64_t V = p.classes > 0 ? p.classes : 1;
    p.weight_layout = in.in(0, 2);
    p.reduction = in.in(0, 3);
    p.dtype = in.byte() % 8 == 7 ? XENT_INT64 : in.in(1, 2);
    p.target_dtype = in.byte() % 8 == 7 ? XENT_FLOAT32 : in.in(3, 4);
    const uint8_t ignore = in.byte();
    p.ignore_index = ignore % 2 ? -100 : ignore % 5 == 0 ? INT64_MIN : in.in(-2, 9);
    p.index_base = in.in(0, 2);
    const uint8_t threads = in.byte();
    p.threads = threads < 220 ? threads % 4 : 4096 - threads;
    const uint8_t block = in.byte();
    p.block_rows = block < 200 ? block % 8 : (block < 250 ? block : -1);
    p.accumulate = in.in(0, 2) == 2 ? 5 : in.in(0, 1);
    p.label_smoothing = in.option();
    p.scale = in.byte() == 9 ? INFINITY : 0.5 + in.unit();
    p.grad_output_scalar = in.unit() * 2 - 0.5;
    p.z_loss = in.option();
    p.softcap = in.option();

    // Capacities: what the problem needs, a little less, a little more, or (rarely) negative.
    auto capacity = [&](int64_t whole) {
        const uint8_t b = in.byte();
        if (b % 8 == 0) return whole - in.in(0, 2);
        if (b % 8 == 1) return whole + in.in(1, 3);
        if (b == 255) return int64_t(-1);
        return whole;
    };
    const int64_t M = positions, D = hidden;
    const int64_t cap_hidden = capacity(M * D), cap_weight = capacity(V * D), cap_bias = capacity(V),
                  cap_target = capacity(M), cap_cw = capacity(V), cap_sw = capacity(M), cap_go = capacity(M),
                  cap_loss = capacity(M), cap_lse = capacity(M), cap_dh = capacity(M * D), cap_dw = capacity(V * D),
                  cap_db = capacity(V);
    const uint16_t present = static_cast<uint16_t>(in.byte() | in.byte() << 8);
    const uint8_t alias = in.byte();

    const bool float32 = p.dtype != XENT_FLOAT64;
    const bool int32 = p.target_dtype == XENT_INT32;
    auto make = [&](int64_t count, bool integers) {
        Buffer b;
        b.count = count;
        if (count <= 0) return b;
        const int64_t elem = integers ? (int32 ? 4 : 8) : (float32 ? 4 : 8);
        b.bytes.reset(new uint8_t[static_cast<size_t>(count * elem)]);
        for (int64_t i = 0; i < count; ++i) {
            uint8_t* at = b.bytes.get() + i * elem;
            if (integers) {
                const int64_t v = in.byte() == 0 ? -100 : in.in(-2, 41);
                if (elem == 4) { const int32_t v32 = static_cast<int32_t>(v); std::memcpy(at, &v32, 4); }
                else std::memcpy(at, &v, 8);
            } else if (elem == 4) {
                const float f = static_cast<float>(in.number());
                std::memcpy(at, &f, 4);
            } else {
                const double d = in.number();
                std::memcpy(at, &d, 8);
            }
        }
        return b;
    };
    auto maybe = [&](int bit, int64_t count, bool integers = false) {
        return (present >> bit & 1) ? make(count, integers) : Buffer{};
    };
    Buffer h = make(cap_hidden, false), w = make(cap_weight, false), target = make(cap_target, true);
    Buffer bias = maybe(0, cap_bias), cw = maybe(1, cap_cw), sw = maybe(2, cap_sw), go = maybe(3, cap_go);
    Buffer loss = maybe(4, cap_loss), lse = maybe(5, cap_lse), dh = maybe(6, cap_dh), dw = maybe(7, cap_dw),
           db = maybe(8, cap_db);
    auto count_of = [](const Buffer& b, int64_t cap, bool asked) { return b.data() ? b.count : (asked && cap < 0 ? cap : 0); };
    p.hidden_count = count_of(h, cap_hidden, true);
    p.weight_count = count_of(w, cap_weight, true);
    p.target_count = count_of(target, cap_target, true);
    p.bias_count = count_of(bias, cap_bias, present & 1);
    p.class_weights_count = count_of(cw, cap_cw, present >> 1 & 1);
    p.sample_weights_count = count_of(sw, cap_sw, present >> 2 & 1);
    p.grad_output_count = count_of(go, cap_go, present >> 3 & 1);
    p.loss_out_count = count_of(loss, cap_loss, present >> 4 & 1);
    p.lse_out_count = count_of(lse, cap_lse, present >> 5 & 1);
    p.grad_hidden_count = count_of(dh, cap_dh, present >> 6 & 1);
    p.grad_weight_count = count_of(dw, cap_dw, present >> 7 & 1);
    p.grad_bias_count = count_of(db, cap_db, present >> 8 & 1);
    // Now and then an output laid over an input (the library must refuse it).
    void* dh_data = dh.data();
    void* dw_data = dw.data();
    if (alias % 8 == 1 && h.data()) {
        dh_data = h.data();
        p.grad_hidden_count = p.hidden_count;
    } else if (alias % 8 == 2 && w.data()) {
        dw_data = w.data();
        p.grad_weight_count = p.weight_count;
    }
    xent_result r{};
    xent_linear_compute(&p, h.data(), w.data(), bias.data(), target.data(), cw.data(), sw.data(), go.data(), loss.data(),
                        lse.data(), dh_data, dw_data, db.data(), &r);
    (void)xent_last_error();
    return 0;
}
