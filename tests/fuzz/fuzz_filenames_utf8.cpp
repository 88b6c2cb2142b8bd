// Fuzzes core/text: is_valid_utf8 against an independent oracle (fuzz_support.hpp), repair_utf8,
// sanitize_filename, which turns a client's upload filename into one that is safe to store,
// show and send back in Content-Disposition, and fold_case, which builds every search text.
//
// Input: the bytes, used as text and as a filename.
#include <string>

#include "fuzz_support.hpp"
#include "hrms/core/text.hpp"

namespace core = hrms::core;
using hrms::fuzz::utf8_ok;

namespace {

constexpr std::size_t kMaxFilenameBytes = 255;  // what file systems and headers accept

void check_repair(std::string_view s) {
    bool const valid = utf8_ok(s);
    FUZZ_CHECK(core::is_valid_utf8(s) == valid, s);
    auto const repaired = core::repair_utf8(s);
    FUZZ_CHECK(utf8_ok(repaired), repaired);
    if (valid) {
        FUZZ_CHECK(repaired == s, s);  // valid text is left alone
    } else {
        FUZZ_CHECK(repaired.find("\xEF\xBF\xBD") != std::string::npos, repaired);
    }
    FUZZ_CHECK(core::repair_utf8(repaired) == repaired, repaired);  // idempotent
    // Each bad byte costs at most one U+FFFD (3 bytes): the output cannot balloon.
    FUZZ_CHECK(repaired.size() <= 3 * s.size(), s);
    // ASCII passes through: the same ASCII bytes in the same order.
    std::string ascii_in, ascii_out;
    for (char c : s)
        if (static_cast<unsigned char>(c) < 0x80) ascii_in.push_back(c);
    for (char c : repaired)
        if (static_cast<unsigned char>(c) < 0x80) ascii_out.push_back(c);
    FUZZ_CHECK(ascii_in == ascii_out, s);
    // utf8_sequence_length agrees with the oracle on the first sequence.
    if (!s.empty()) {
        auto const n = core::utf8_sequence_length(s);
        FUZZ_CHECK(n <= 4 && n <= s.size(), s);
        if (n > 0) FUZZ_CHECK(utf8_ok(s.substr(0, n)), s);
    }
}

void check_filename(std::string_view raw) {
    auto const name = core::sanitize_filename(raw);
    FUZZ_TRACE("filenames_utf8: sanitized to '%s'", name.c_str());
    FUZZ_CHECK(!name.empty(), raw);
    FUZZ_CHECK(name.size() <= kMaxFilenameBytes, name);
    FUZZ_CHECK(utf8_ok(name), name);
    for (unsigned char c : name) {
        FUZZ_CHECK(c != '/' && c != '\\' && c != '\0', name);
        FUZZ_CHECK(c >= 0x20 && c != 0x7f, name);
    }
    FUZZ_CHECK(!core::has_control_chars(name), name);
    FUZZ_CHECK(name.front() != '.', name);  // no hidden files, no ".."
    FUZZ_CHECK(name == core::trim(name), name);
    // A safe name stays as it is.
    FUZZ_CHECK(core::sanitize_filename(name) == name, name);
}

// fold_case gets only validated text in the server, but must not fail on anything.
void check_fold(std::string_view s) {
    auto const folded = core::fold_case(s);
    FUZZ_CHECK(utf8_ok(folded), folded);
    FUZZ_CHECK(core::fold_case(folded) == folded, folded);  // folded text is a fixed point
    // The longest full folding is three code points for one; a bad byte is one U+FFFD.
    FUZZ_CHECK(folded.size() <= 3 * s.size(), s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view const s(reinterpret_cast<char const*>(data), size);
    check_repair(s);
    check_filename(s);
    check_fold(s);
    return 0;
}
