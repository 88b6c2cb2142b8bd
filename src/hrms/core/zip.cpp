#include "hrms/core/zip.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <stdexcept>
#include <utility>

#include "hrms/core/text.hpp"

namespace hrms::core {

namespace {

constexpr std::uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr std::uint32_t kDataDescriptorSignature = 0x08074b50;
constexpr std::uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr std::uint32_t kZip64EndSignature = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr std::uint32_t kEndSignature = 0x06054b50;

constexpr std::uint32_t kMarker32 = 0xFFFFFFFF;
constexpr std::uint16_t kMarker16 = 0xFFFF;

// Bit 3: CRC and sizes follow the data, so nothing is held back to learn them. Bit 11: names are
// UTF-8, or extractors read them as code page 437 and mangle every name with an accent.
constexpr std::uint16_t kFlags = 1u << 3 | 1u << 11;
constexpr std::uint16_t kMethodStored = 0;
// 2.0 is what Info-ZIP and most writers put for streamed members; 4.5 announces ZIP64 fields.
constexpr std::uint16_t kVersionPlain = 20;
constexpr std::uint16_t kVersionZip64 = 45;
// Upper byte 3 (Unix): the external attributes then carry a mode, so extracted files are
// rw-r--r-- rather than whatever the extractor guesses.
constexpr std::uint16_t kVersionMadeBy = 3 << 8 | kVersionZip64;
constexpr std::uint32_t kExternalAttributes = 0100644u << 16;

constexpr std::uint16_t kZip64ExtraTag = 0x0001;
// Info-ZIP's extended timestamp: DOS time is local-or-UTC by guesswork and in 2-second steps;
// this is the exact Unix time, which extractors prefer when present.
constexpr std::uint16_t kTimestampExtraTag = 0x5455;
constexpr std::uint16_t kTimestampDataSize = 5;  // flags byte + 4-byte modification time
constexpr std::uint8_t kTimestampHasModified = 1;
constexpr std::uint16_t kTimestampExtraSize = 4 + kTimestampDataSize;

constexpr std::size_t kLocalHeaderSize = 30;
constexpr std::uint64_t kZip64EndRecordSize = 56;
// The ZIP64 end record's own size field counts what follows it: the record less 12 bytes.
constexpr std::uint64_t kZip64EndRemainingSize = kZip64EndRecordSize - 12;

// The central directory goes to the sink in pieces of about this size: few sink calls (each may
// be a socket write) and memory that does not grow with the member count.
constexpr std::size_t kFlushBytes = 64 * 1024;

// zip_safe_name's limits: a segment well within every file system's 255-byte name limit, with room
// for an extractor's " (1)" suffix; a whole name far from the 16-bit name field's limit.
constexpr std::size_t kMaxSegmentBytes = 100;
constexpr std::size_t kMaxNameBytes = 1000;
constexpr std::string_view kFallbackName = "_";
// Windows refuses these in names; '\\' would also be read as a separator by some extractors,
// and ':' opens an NTFS alternate data stream.
constexpr std::string_view kRefusedChars = "\\:<>\"|?*";
// Windows opens a device, not a file, for these names, with or without an extension.
constexpr std::array<std::string_view, 22> kDeviceNames = {
    "CON",  "PRN",  "AUX",  "NUL",  "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7",
    "COM8", "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
};

void put16(std::string& out, std::uint16_t v) {
    out += static_cast<char>(v & 0xFF);
    out += static_cast<char>(v >> 8 & 0xFF);
}

void put32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>(v >> (8 * i) & 0xFF);
}

void put64(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out += static_cast<char>(v >> (8 * i) & 0xFF);
}

void append_timestamp_extra(std::string& out, std::int32_t unix_time) {
    put16(out, kTimestampExtraTag);
    put16(out, kTimestampDataSize);
    out += static_cast<char>(kTimestampHasModified);
    put32(out, static_cast<std::uint32_t>(unix_time));
}

std::int64_t instant_of_date(int y, unsigned m, unsigned d) {
    return days_from_civil(y, m, d) * 86'400'000;
}

struct DosTime {
    std::uint16_t time = 0;
    std::uint16_t date = 0;
};

// DOS date and time fields (UTC) of `t`, clamped to what they can hold: 1980 to 2107.
DosTime to_dos_time(Instant t) {
    using namespace std::chrono;
    static std::int64_t const kFirst = instant_of_date(1980, 1, 1);
    static std::int64_t const kPastLast = instant_of_date(2108, 1, 1);
    if (t.ms < kFirst) return {0, 1 << 5 | 1};
    if (t.ms >= kPastLast) return {23 << 11 | 59 << 5 | 29, 127 << 9 | 12 << 5 | 31};
    sys_time<milliseconds> const tp{milliseconds{t.ms}};
    auto const day = floor<days>(tp);
    year_month_day const ymd{day};
    hh_mm_ss const hms{floor<seconds>(tp - day)};
    auto const year = static_cast<unsigned>(static_cast<int>(ymd.year()) - 1980);
    return {
        static_cast<std::uint16_t>(hms.hours().count() << 11 | hms.minutes().count() << 5 |
                                   hms.seconds().count() / 2),
        static_cast<std::uint16_t>(year << 9 | static_cast<unsigned>(ymd.month()) << 5 |
                                   static_cast<unsigned>(ymd.day())),
    };
}

// The extended timestamp is a signed 32-bit Unix time: instants outside it are clamped.
std::int32_t to_unix_time(Instant t) {
    std::int64_t const seconds = t.ms / 1000 - (t.ms % 1000 < 0 ? 1 : 0);
    return static_cast<std::int32_t>(std::clamp<std::int64_t>(seconds, INT32_MIN, INT32_MAX));
}

bool is_trimmed_char(char c) { return c == ' ' || c == '.'; }

void trim_spaces_and_dots(std::string& s) {
    auto const first = std::find_if_not(s.begin(), s.end(), is_trimmed_char);
    s.erase(s.begin(), first);
    while (!s.empty() && is_trimmed_char(s.back())) s.pop_back();
}

bool iequals_ascii(std::string_view a, std::string_view b) {
    auto const upper = [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; };
    return std::ranges::equal(a, b, [&](char x, char y) { return upper(x) == upper(y); });
}

// Windows ignores the extension and trailing spaces: "nul.txt" and "CON .pdf" are devices too.
bool is_device_name(std::string_view segment) {
    auto stem = segment.substr(0, segment.find('.'));
    while (!stem.empty() && stem.back() == ' ') stem.remove_suffix(1);
    return std::ranges::any_of(kDeviceNames,
                               [&](std::string_view d) { return iequals_ascii(stem, d); });
}

// One path segment of valid UTF-8 made safe; empty when nothing is left of it.
std::string safe_segment(std::string_view segment) {
    std::string out;
    out.reserve(segment.size());
    for (std::size_t i = 0; i < segment.size();) {
        auto const n = std::max<std::size_t>(1, utf8_sequence_length(segment.substr(i)));
        auto const c = static_cast<unsigned char>(segment[i]);
        bool const c0_control = c < 0x20 || c == 0x7F;
        bool const refused = n == 1 && kRefusedChars.find(segment[i]) != std::string_view::npos;
        // U+0080..U+009F: C1 controls, invisible and refused by some file systems.
        bool const c1_control =
            n == 2 && c == 0xC2 && static_cast<unsigned char>(segment[i + 1]) < 0xA0;
        if (c0_control || refused || c1_control) {
            out += '_';
        } else {
            out.append(segment.substr(i, n));
        }
        i += n;
    }
    trim_spaces_and_dots(out);
    if (out.empty()) return out;
    if (is_device_name(out)) out.insert(0, 1, '_');
    if (out.size() > kMaxSegmentBytes) {
        std::size_t keep = kMaxSegmentBytes;
        while (keep > 0 && (static_cast<unsigned char>(out[keep]) & 0xC0) == 0x80) --keep;
        out.resize(keep);
        // The cut may leave a trailing dot or space; the leading end is untouched and non-empty.
        trim_spaces_and_dots(out);
    }
    return out;
}

}  // namespace

ZipWriter::ZipWriter(Sink sink) : ZipWriter(std::move(sink), ZipLimits{}) {}

ZipWriter::ZipWriter(Sink sink, ZipLimits limits) : sink_(std::move(sink)), limits_(limits) {
    if (!sink_) throw std::invalid_argument("ZipWriter: no sink");
    if (limits_.max32 > kMarker32 || limits_.max_members16 > kMarker16) {
        throw std::invalid_argument("ZipWriter: limits wider than the fields they guard");
    }
}

void ZipWriter::require(State expected, char const* what) const {
    if (state_ == expected) return;
    char const* why = "";
    switch (state_) {
        case State::broken:
            why = "the sink failed earlier, the archive is unusable";
            break;
        case State::finished:
            why = "the archive is finished";
            break;
        case State::in_member:
            why = "a member is open (end it first)";
            break;
        case State::idle:
            why = "no member is open (begin one first)";
            break;
    }
    throw std::logic_error(fmt::format("ZipWriter::{}: {}", what, why));
}

void ZipWriter::emit(std::string_view bytes) {
    if (bytes.empty()) return;
    // A sink that throws may have taken part of the bytes: nothing written after could be right.
    auto const state = std::exchange(state_, State::broken);
    sink_(bytes);
    state_ = state;
    written_ += bytes.size();
}

void ZipWriter::begin(std::string const& name, Instant modified) {
    require(State::idle, "begin");
    if (name.empty() || zip_safe_name(name) != name) {
        throw std::invalid_argument(
            fmt::format("ZipWriter::begin: \"{}\" is not a safe member name (zip_safe_name)",
                        repair_utf8(name)));
    }
    auto const dos = to_dos_time(modified);
    Entry entry{.name = name,
                .offset = written_,
                .size = 0,
                .crc = 0,
                .dos_time = dos.time,
                .dos_date = dos.date,
                .unix_time = to_unix_time(modified)};
    std::string header;
    header.reserve(kLocalHeaderSize + name.size() + kTimestampExtraSize);
    put32(header, kLocalHeaderSignature);
    put16(header, kVersionPlain);
    put16(header, kFlags);
    put16(header, kMethodStored);
    put16(header, entry.dos_time);
    put16(header, entry.dos_date);
    put32(header, 0);  // CRC-32, compressed and uncompressed sizes: in the data descriptor
    put32(header, 0);
    put32(header, 0);
    put16(header, static_cast<std::uint16_t>(name.size()));
    put16(header, kTimestampExtraSize);
    header += name;
    append_timestamp_extra(header, entry.unix_time);
    emit(header);
    current_ = std::move(entry);
    state_ = State::in_member;
}

void ZipWriter::write(std::string_view data) {
    require(State::in_member, "write");
    emit(data);
    current_.crc = static_cast<std::uint32_t>(
        crc32_z(current_.crc, reinterpret_cast<Bytef const*>(data.data()), data.size()));
    current_.size += data.size();
}

void ZipWriter::end() {
    require(State::in_member, "end");
    // 8-byte sizes exactly when the central directory will have a ZIP64 size for the member.
    bool const zip64 = current_.size >= limits_.max32;
    std::string descriptor;
    put32(descriptor, kDataDescriptorSignature);
    put32(descriptor, current_.crc);
    if (zip64) {
        put64(descriptor, current_.size);
        put64(descriptor, current_.size);
    } else {
        put32(descriptor, static_cast<std::uint32_t>(current_.size));
        put32(descriptor, static_cast<std::uint32_t>(current_.size));
    }
    // Kept before the descriptor is written, so a failed allocation leaves nothing half-done.
    entries_.push_back(std::move(current_));
    current_ = Entry{};
    state_ = State::idle;
    emit(descriptor);
}

void ZipWriter::add(std::string const& name, Instant modified, std::string_view data) {
    begin(name, modified);
    write(data);
    end();
}

void ZipWriter::append_central_header(std::string& out, Entry const& e) const {
    bool const zip64_size = e.size >= limits_.max32;
    bool const zip64_offset = e.offset >= limits_.max32;
    // APPNOTE 4.5.3: the central ZIP64 field holds only the values whose 32-bit field is the
    // marker, in a fixed order (uncompressed size, compressed size, local header offset).
    std::uint16_t const zip64_data_size = (zip64_size ? 16 : 0) + (zip64_offset ? 8 : 0);
    std::uint16_t const zip64_extra_size = zip64_data_size > 0 ? 4 + zip64_data_size : 0;
    auto const size32 = zip64_size ? kMarker32 : static_cast<std::uint32_t>(e.size);
    put32(out, kCentralHeaderSignature);
    put16(out, kVersionMadeBy);
    put16(out, zip64_extra_size > 0 ? kVersionZip64 : kVersionPlain);
    put16(out, kFlags);
    put16(out, kMethodStored);
    put16(out, e.dos_time);
    put16(out, e.dos_date);
    put32(out, e.crc);
    put32(out, size32);  // compressed
    put32(out, size32);  // uncompressed
    put16(out, static_cast<std::uint16_t>(e.name.size()));
    put16(out, zip64_extra_size + kTimestampExtraSize);
    put16(out, 0);  // comment length
    put16(out, 0);  // disk number
    put16(out, 0);  // internal attributes
    put32(out, kExternalAttributes);
    put32(out, zip64_offset ? kMarker32 : static_cast<std::uint32_t>(e.offset));
    out += e.name;
    if (zip64_extra_size > 0) {
        put16(out, kZip64ExtraTag);
        put16(out, zip64_data_size);
        if (zip64_size) {
            put64(out, e.size);
            put64(out, e.size);
        }
        if (zip64_offset) put64(out, e.offset);
    }
    append_timestamp_extra(out, e.unix_time);
}

void ZipWriter::append_end_records(std::string& out, std::uint64_t cd_offset,
                                   std::uint64_t cd_size) const {
    std::uint64_t const count = entries_.size();
    bool const many = count >= limits_.max_members16;
    bool const far = cd_offset >= limits_.max32;
    bool const big = cd_size >= limits_.max32;
    if (many || far || big) {
        std::uint64_t const zip64_end_offset = cd_offset + cd_size;
        put32(out, kZip64EndSignature);
        put64(out, kZip64EndRemainingSize);
        put16(out, kVersionMadeBy);
        put16(out, kVersionZip64);
        put32(out, 0);      // this disk
        put32(out, 0);      // disk with the central directory
        put64(out, count);  // on this disk
        put64(out, count);  // in all
        put64(out, cd_size);
        put64(out, cd_offset);
        put32(out, kZip64LocatorSignature);
        put32(out, 0);  // disk with the ZIP64 end record
        put64(out, zip64_end_offset);
        put32(out, 1);  // disks in all
    }
    auto const count16 = many ? kMarker16 : static_cast<std::uint16_t>(count);
    put32(out, kEndSignature);
    put16(out, 0);  // this disk
    put16(out, 0);  // disk with the central directory
    put16(out, count16);
    put16(out, count16);
    put32(out, big ? kMarker32 : static_cast<std::uint32_t>(cd_size));
    put32(out, far ? kMarker32 : static_cast<std::uint32_t>(cd_offset));
    put16(out, 0);  // comment length
}

void ZipWriter::finish() {
    require(State::idle, "finish");
    std::uint64_t const cd_offset = written_;
    std::string buffer;
    for (auto const& e : entries_) {
        append_central_header(buffer, e);
        if (buffer.size() >= kFlushBytes) {
            emit(buffer);
            buffer.clear();
        }
    }
    std::uint64_t const cd_size = written_ + buffer.size() - cd_offset;
    append_end_records(buffer, cd_offset, cd_size);
    emit(buffer);
    state_ = State::finished;
    entries_ = {};
}

std::uint64_t ZipWriter::bytes_written() const { return written_; }

std::string zip_safe_name(std::string_view path) {
    auto const text = repair_utf8(path);
    std::vector<std::string> segments;
    std::string_view rest = text;
    for (;;) {
        auto const slash = rest.find('/');
        auto segment = safe_segment(rest.substr(0, slash));
        if (!segment.empty()) segments.push_back(std::move(segment));
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }
    if (segments.empty()) return std::string(kFallbackName);
    // Too deep: keep the file name and the directories nearest it.
    std::size_t first = segments.size() - 1;
    std::size_t length = segments.back().size();
    while (first > 0 && length + 1 + segments[first - 1].size() <= kMaxNameBytes) {
        --first;
        length += 1 + segments[first].size();
    }
    std::string out;
    out.reserve(length);
    for (std::size_t i = first; i < segments.size(); ++i) {
        if (i > first) out += '/';
        out += segments[i];
    }
    return out;
}

}  // namespace hrms::core
