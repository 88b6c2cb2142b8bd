#pragma once
// A streaming ZIP writer (PKWARE APPNOTE 6.3: stored members, data descriptors, ZIP64), so a
// profile's documents download as one archive without being held in memory; and the member names
// that are safe to extract anywhere.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "hrms/core/time.hpp"

namespace hrms::core {

// Where ZIP64 begins. Only tests change these: they reach ZIP64 without writing 4 GiB.
struct ZipLimits {
    // A size or offset of `max32` or more goes into a ZIP64 field; its 32-bit field holds
    // 0xFFFFFFFF, which is why 0xFFFFFFFF itself cannot be stored as a plain value.
    std::uint64_t max32 = 0xFFFFFFFF;
    // A member count of `max_members16` or more goes into the ZIP64 end record (0xFFFF is the
    // marker there).
    std::uint32_t max_members16 = 0xFFFF;
};

// Writes a ZIP archive to a sink as it goes, never holding a member's data: each member's
// local header is written first with bit 3 (sizes and CRC in a data descriptor after the data),
// method 0 (stored: the archive's documents are PDFs and images, already compressed), bit 11
// (UTF-8 names). ZIP64 extra fields and the ZIP64 end records are written when a size or offset
// passes 0xFFFFFFFF or there are more than 65535 members, so there is no limit.
//
// The local header cannot know a member's size, so, as Java's and Go's writers do, it never has
// a ZIP64 field: the data descriptor has 8-byte sizes exactly when the central directory has a
// ZIP64 size for that member. Readers take sizes from the central directory (Python, Info-ZIP,
// 7-Zip, Windows). Memory is constant in the bytes written; the central directory keeps a small
// record (and the name) per member. Misuse (begin with a member open, write or end outside a
// member, anything after finish or after the sink threw) throws std::logic_error. An archive
// destroyed before finish is truncated and unreadable.
class ZipWriter {
  public:
    // Receives the archive's bytes in order. It may throw; the writer is then unusable.
    using Sink = std::function<void(std::string_view bytes)>;

    explicit ZipWriter(Sink sink);
    ZipWriter(Sink sink, ZipLimits limits);
    ZipWriter(ZipWriter const&) = delete;
    ZipWriter& operator=(ZipWriter const&) = delete;
    ZipWriter(ZipWriter&&) = default;
    ZipWriter& operator=(ZipWriter&&) = default;

    // Starts a member: writes its local header. `name` must already be what zip_safe_name
    // returns for it (std::invalid_argument, a std::logic_error, otherwise: an unsafe name is a
    // bug in the caller). `modified` is stored as DOS time in UTC (clamped to 1980-2107) and
    // exactly, to the second, in an extended timestamp field.
    void begin(std::string const& name, Instant modified);
    // Appends to the open member's data; any number of times between begin and end.
    void write(std::string_view data);
    // Closes the open member: writes its data descriptor (CRC-32 and sizes).
    void end();
    // A whole member: begin, write, end.
    void add(std::string const& name, Instant modified, std::string_view data);
    // Writes the central directory and the end records (ZIP64 ones when needed); the archive is
    // then complete and nothing may follow.
    void finish();
    // The bytes given to the sink so far: the archive's size once finish has returned.
    std::uint64_t bytes_written() const;

  private:
    // What the central directory needs of a member.
    struct Entry {
        std::string name;
        std::uint64_t offset = 0;  // of the local header
        std::uint64_t size = 0;    // stored: compressed and uncompressed sizes are equal
        std::uint32_t crc = 0;
        std::uint16_t dos_time = 0;
        std::uint16_t dos_date = 0;
        std::int32_t unix_time = 0;
    };
    enum class State { idle, in_member, finished, broken };

    void require(State expected, char const* what) const;
    void emit(std::string_view bytes);
    void append_central_header(std::string& out, Entry const& e) const;
    void append_end_records(std::string& out, std::uint64_t cd_offset, std::uint64_t cd_size) const;

    Sink sink_;
    ZipLimits limits_;
    State state_ = State::idle;
    std::uint64_t written_ = 0;
    Entry current_;
    std::vector<Entry> entries_;
};

// A member name safe to extract anywhere: path segments joined with '/', each segment with
// control characters, '\\', ':' and other characters Windows refuses (<>:"|?*) replaced by '_',
// segments "", "." and ".." dropped, leading/trailing spaces and dots trimmed, each segment at
// most 100 bytes (cut on a UTF-8 boundary), invalid UTF-8 replaced; never empty (fallback "_").
// Also: a segment Windows reserves for a device (CON, NUL, COM1, LPT1.txt, ...) gets a '_'
// prefix, and when the whole name would pass 1000 bytes its leading directories are dropped
// (the file name is what matters).
std::string zip_safe_name(std::string_view path);

}  // namespace hrms::core
