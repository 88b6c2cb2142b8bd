#pragma once
// Shared by the fuzz targets: invariant checks that crash loudly (libFuzzer then saves the input),
// the chunk plan that splits one input into several feed() calls, and a strict UTF-8 oracle that
// owes nothing to the code under test.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace hrms::fuzz {

// Prints `what` (escaped, the first 400 bytes) after an invariant's failure message.
inline void print_context(std::string_view what) {
    std::fputs("  context: \"", stderr);
    std::size_t const n = what.size() < 400 ? what.size() : 400;
    for (std::size_t i = 0; i < n; ++i) {
        auto const c = static_cast<unsigned char>(what[i]);
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            std::fputc(c, stderr);
        } else {
            std::fprintf(stderr, "\\x%02x", c);
        }
    }
    std::fprintf(stderr, "\"%s\n", what.size() > n ? "..." : "");
}

}  // namespace hrms::fuzz

// Aborts when `cond` is false, naming the invariant and showing `context` (a string_view).
#define FUZZ_CHECK(cond, context)                                                             \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            std::fprintf(stderr, "\n*** invariant failed: %s\n  at %s:%d\n", #cond, __FILE__, \
                         __LINE__);                                                           \
            ::hrms::fuzz::print_context(context);                                             \
            std::abort();                                                                     \
        }                                                                                     \
    } while (0)

namespace hrms::fuzz {

// HRMS_FUZZ_TRACE=1 makes the targets say what each input did (run a fuzzer on one file to see
// whether a seed or a reproducer reaches the code it is meant for).
inline bool tracing() {
    static bool const on = [] {
        char const* v = std::getenv("HRMS_FUZZ_TRACE");
        return v && *v && *v != '0';
    }();
    return on;
}

}  // namespace hrms::fuzz

#define FUZZ_TRACE(...)                                   \
    do {                                                  \
        if (::hrms::fuzz::tracing()) {                    \
            std::fprintf(stderr, "trace: " __VA_ARGS__);  \
            std::fputc('\n', stderr);                     \
        }                                                 \
    } while (0)

namespace hrms::fuzz {

// An input laid out as [head][k chunk-size bytes][payload], where k = head & 7 and the bits
// head >> 3 are options for the target. Each size byte b is a chunk of b + 1 bytes; the sizes
// repeat until the payload is used up; k = 0 delivers the payload in one piece (a seed that
// starts with 0x00 is the plain payload after one byte).
struct ChunkPlan {
    std::uint8_t options = 0;  // head >> 3: five bits for the target
    std::vector<std::size_t> sizes;
    std::string_view payload;

    static ChunkPlan from(std::uint8_t const* data, std::size_t size) {
        ChunkPlan p;
        if (size == 0) return p;
        auto const head = data[0];
        p.options = static_cast<std::uint8_t>(head >> 3);
        std::size_t const k = head & 7;
        std::size_t i = 1;
        for (; i < size && p.sizes.size() < k; ++i) p.sizes.push_back(std::size_t{data[i]} + 1);
        p.payload = std::string_view(reinterpret_cast<char const*>(data) + i, size - i);
        return p;
    }

    // The payload in pieces; stops early when `f` returns false.
    template <class F>
    void for_each_chunk(F&& f) const {
        std::string_view rest = payload;
        std::size_t next = 0;
        while (!rest.empty()) {
            std::size_t const n = sizes.empty() ? rest.size() : sizes[next++ % sizes.size()];
            auto const piece = rest.substr(0, n);
            rest.remove_prefix(piece.size());
            if (!f(piece)) return;
        }
    }
};

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
inline bool utf8_ok(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto const c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len;
        unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;  // overlong
            if (c == 0xED) hi = 0x9F;  // surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;  // overlong
            if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
        } else {
            return false;
        }
        if (i + len > s.size()) return false;
        auto const second = static_cast<unsigned char>(s[i + 1]);
        if (second < lo || second > hi) return false;
        for (std::size_t j = 2; j < len; ++j) {
            if ((static_cast<unsigned char>(s[i + j]) & 0xC0) != 0x80) return false;
        }
        i += len;
    }
    return true;
}

}  // namespace hrms::fuzz
