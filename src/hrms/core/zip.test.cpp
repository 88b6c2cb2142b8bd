#include "hrms/core/zip.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>

#include "hrms/core/text.hpp"

using namespace hrms;
using namespace hrms::core;

namespace {

// A minimal reader of what ZipWriter writes, written from APPNOTE and not from the writer, so
// the tests do not trust the code they check. It throws std::runtime_error on anything malformed.
class Bytes {
  public:
    explicit Bytes(std::string_view z) : z_(z) {}
    std::uint64_t u(std::uint64_t pos, int width) const {
        if (pos + width > z_.size()) throw std::runtime_error("read past the end");
        std::uint64_t v = 0;
        for (int i = width - 1; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(z_[pos + i]);
        return v;
    }
    std::uint16_t u16(std::uint64_t pos) const { return static_cast<std::uint16_t>(u(pos, 2)); }
    std::uint32_t u32(std::uint64_t pos) const { return static_cast<std::uint32_t>(u(pos, 4)); }
    std::uint64_t u64(std::uint64_t pos) const { return u(pos, 8); }
    std::string_view str(std::uint64_t pos, std::uint64_t n) const {
        if (pos + n > z_.size()) throw std::runtime_error("read past the end");
        return z_.substr(pos, n);
    }
    void expect_signature(std::uint64_t pos, std::uint32_t sig, char const* what) const {
        if (u32(pos) != sig) throw std::runtime_error(std::string("bad signature: ") + what);
    }

  private:
    std::string_view z_;
};

struct Extras {
    std::optional<std::string> zip64;   // the ZIP64 field's data
    std::optional<std::int32_t> mtime;  // 0x5455 modification time
};

Extras parse_extras(std::string_view extra) {
    Bytes b(extra);
    Extras out;
    for (std::uint64_t pos = 0; pos < extra.size();) {
        auto const tag = b.u16(pos);
        auto const size = b.u16(pos + 2);
        auto const data = b.str(pos + 4, size);
        if (tag == 0x0001) out.zip64 = std::string(data);
        if (tag == 0x5455) {
            if (size < 5 || (data[0] & 1) == 0) throw std::runtime_error("0x5455 without mtime");
            out.mtime = static_cast<std::int32_t>(Bytes(data).u32(1));
        }
        pos += 4 + size;
    }
    return out;
}

struct Member {
    // Central directory
    std::string name;
    std::uint16_t made_by = 0, version_needed = 0, flags = 0, method = 0;
    std::uint16_t dos_time = 0, dos_date = 0;
    std::uint32_t crc = 0, external = 0;
    std::uint64_t compressed = 0, uncompressed = 0, offset = 0;
    bool zip64_sizes = false, zip64_offset = false;  // the 32-bit field was 0xFFFFFFFF
    std::optional<std::int32_t> mtime;
    // Local header, data, data descriptor
    std::string local_name;
    std::uint16_t local_flags = 0, local_method = 0, local_dos_time = 0, local_dos_date = 0;
    std::uint32_t local_crc = 0;
    std::uint64_t local_compressed = 0, local_uncompressed = 0;
    std::optional<std::int32_t> local_mtime;
    std::string data;
    std::uint32_t descriptor_crc = 0;
    std::uint64_t descriptor_compressed = 0, descriptor_uncompressed = 0;
    std::uint64_t descriptor_size = 0;  // 16 or 24 bytes
    std::uint64_t end = 0;              // just past the descriptor
};

struct Archive {
    std::vector<Member> members;
    bool has_zip64_end = false;
    std::uint16_t end_count16 = 0;
    std::uint32_t end_cd_size32 = 0, end_cd_offset32 = 0;
    std::uint64_t count = 0, cd_size = 0, cd_offset = 0;
};

Archive read_archive(std::string_view z) {
    Bytes b(z);
    Archive a;
    if (z.size() < 22) throw std::runtime_error("too short");
    std::uint64_t const eocd = z.size() - 22;  // the writer adds no archive comment
    b.expect_signature(eocd, 0x06054b50, "end record");
    if (b.u16(eocd + 4) != 0 || b.u16(eocd + 6) != 0) throw std::runtime_error("multi-disk");
    a.end_count16 = b.u16(eocd + 10);
    if (b.u16(eocd + 8) != a.end_count16) throw std::runtime_error("counts differ");
    a.end_cd_size32 = b.u32(eocd + 12);
    a.end_cd_offset32 = b.u32(eocd + 16);
    if (b.u16(eocd + 20) != 0) throw std::runtime_error("comment");
    a.count = a.end_count16;
    a.cd_size = a.end_cd_size32;
    a.cd_offset = a.end_cd_offset32;
    std::uint64_t cd_end = eocd;
    if (eocd >= 20 && b.u32(eocd - 20) == 0x07064b50) {
        std::uint64_t const locator = eocd - 20;
        if (b.u32(locator + 4) != 0 || b.u32(locator + 16) != 1) {
            throw std::runtime_error("locator disks");
        }
        std::uint64_t const z64 = b.u64(locator + 8);
        if (z64 + 56 != locator) throw std::runtime_error("ZIP64 end record not before locator");
        b.expect_signature(z64, 0x06064b50, "ZIP64 end record");
        if (b.u64(z64 + 4) != 44) throw std::runtime_error("ZIP64 end record size");
        if (b.u16(z64 + 14) < 45) throw std::runtime_error("ZIP64 end record version needed");
        if (b.u64(z64 + 24) != b.u64(z64 + 32)) throw std::runtime_error("ZIP64 counts differ");
        a.has_zip64_end = true;
        a.count = b.u64(z64 + 32);
        a.cd_size = b.u64(z64 + 40);
        a.cd_offset = b.u64(z64 + 48);
        // A 32-bit field that is not the marker must agree with its 64-bit twin.
        if (a.end_count16 != 0xFFFF && a.end_count16 != a.count) throw std::runtime_error("count");
        if (a.end_cd_size32 != 0xFFFFFFFF && a.end_cd_size32 != a.cd_size) {
            throw std::runtime_error("cd size");
        }
        if (a.end_cd_offset32 != 0xFFFFFFFF && a.end_cd_offset32 != a.cd_offset) {
            throw std::runtime_error("cd offset");
        }
        cd_end = z64;
    }
    if (a.cd_offset + a.cd_size != cd_end) throw std::runtime_error("central directory extent");

    std::uint64_t pos = a.cd_offset;
    for (std::uint64_t i = 0; i < a.count; ++i) {
        b.expect_signature(pos, 0x02014b50, "central header");
        Member m;
        m.made_by = b.u16(pos + 4);
        m.version_needed = b.u16(pos + 6);
        m.flags = b.u16(pos + 8);
        m.method = b.u16(pos + 10);
        m.dos_time = b.u16(pos + 12);
        m.dos_date = b.u16(pos + 14);
        m.crc = b.u32(pos + 16);
        m.compressed = b.u32(pos + 20);
        m.uncompressed = b.u32(pos + 24);
        auto const name_length = b.u16(pos + 28);
        auto const extra_length = b.u16(pos + 30);
        auto const comment_length = b.u16(pos + 32);
        m.external = b.u32(pos + 38);
        m.offset = b.u32(pos + 42);
        m.name = b.str(pos + 46, name_length);
        auto const extras = parse_extras(b.str(pos + 46 + name_length, extra_length));
        m.mtime = extras.mtime;
        // APPNOTE 4.5.3: only the marked fields are present, in this order.
        std::uint64_t field = 0;
        auto const take = [&]() -> std::uint64_t {
            if (!extras.zip64) throw std::runtime_error("marker without a ZIP64 field");
            auto const v = Bytes(*extras.zip64).u64(field);
            field += 8;
            return v;
        };
        if (m.uncompressed == 0xFFFFFFFF) m.uncompressed = take();
        if (m.compressed == 0xFFFFFFFF) {
            m.compressed = take();
            m.zip64_sizes = true;
        }
        if (m.offset == 0xFFFFFFFF) {
            m.offset = take();
            m.zip64_offset = true;
        }
        if (extras.zip64 && field != extras.zip64->size()) {
            throw std::runtime_error("ZIP64 field has more than the marked values");
        }
        pos += 46 + name_length + extra_length + comment_length;
        a.members.push_back(std::move(m));
    }
    if (pos != a.cd_offset + a.cd_size) throw std::runtime_error("central directory size");

    for (auto& m : a.members) {
        std::uint64_t const h = m.offset;
        b.expect_signature(h, 0x04034b50, "local header");
        m.local_flags = b.u16(h + 6);
        m.local_method = b.u16(h + 8);
        m.local_dos_time = b.u16(h + 10);
        m.local_dos_date = b.u16(h + 12);
        m.local_crc = b.u32(h + 14);
        m.local_compressed = b.u32(h + 18);
        m.local_uncompressed = b.u32(h + 22);
        auto const name_length = b.u16(h + 26);
        auto const extra_length = b.u16(h + 28);
        m.local_name = b.str(h + 30, name_length);
        auto const extras = parse_extras(b.str(h + 30 + name_length, extra_length));
        m.local_mtime = extras.mtime;
        std::uint64_t const data = h + 30 + name_length + extra_length;
        m.data = b.str(data, m.compressed);
        std::uint64_t const d = data + m.compressed;
        b.expect_signature(d, 0x08074b50, "data descriptor");
        m.descriptor_crc = b.u32(d + 4);
        // The descriptor has 8-byte sizes when the central directory has ZIP64 sizes.
        int const width = m.zip64_sizes ? 8 : 4;
        m.descriptor_compressed = b.u(d + 8, width);
        m.descriptor_uncompressed = b.u(d + 8 + width, width);
        m.descriptor_size = 8 + 2 * width;
        m.end = d + m.descriptor_size;
    }
    return a;
}

std::uint32_t crc_of(std::string_view data) {
    return static_cast<std::uint32_t>(
        crc32(0, reinterpret_cast<Bytef const*>(data.data()), static_cast<uInt>(data.size())));
}

Instant at(std::string_view rfc3339) { return *parse_rfc3339(rfc3339); }

// Every member as it was given, each directly after the previous, the central directory after the
// last; flags, method and sizes as a stored, streamed, UTF-8 member has them.
void expect_well_formed(Archive const& a) {
    std::uint64_t expected_offset = 0;
    for (auto const& m : a.members) {
        SCOPED_TRACE(m.name);
        EXPECT_EQ(m.offset, expected_offset);
        EXPECT_EQ(m.flags, 0x0808);
        EXPECT_EQ(m.local_flags, 0x0808);
        EXPECT_EQ(m.method, 0);
        EXPECT_EQ(m.local_method, 0);
        EXPECT_EQ(m.local_name, m.name);
        EXPECT_EQ(m.local_dos_time, m.dos_time);
        EXPECT_EQ(m.local_dos_date, m.dos_date);
        EXPECT_EQ(m.local_crc, 0u);  // bit 3: known only after the data
        EXPECT_EQ(m.local_compressed, 0u);
        EXPECT_EQ(m.local_uncompressed, 0u);
        EXPECT_EQ(m.compressed, m.uncompressed);
        EXPECT_EQ(m.crc, crc_of(m.data));
        EXPECT_EQ(m.descriptor_crc, m.crc);
        EXPECT_EQ(m.descriptor_compressed, m.compressed);
        EXPECT_EQ(m.descriptor_uncompressed, m.uncompressed);
        EXPECT_EQ(m.external >> 16, 0100644u);
        EXPECT_EQ(m.made_by >> 8, 3);  // Unix, so the mode above is read
        bool const zip64 = m.zip64_sizes || m.zip64_offset;
        EXPECT_EQ(m.version_needed, zip64 ? 45 : 20);
        EXPECT_TRUE(m.mtime.has_value());
        EXPECT_EQ(m.local_mtime, m.mtime);
        expected_offset = m.end;
    }
    EXPECT_EQ(a.cd_offset, expected_offset);
    EXPECT_EQ(a.count, a.members.size());
}

struct Collected {
    std::string bytes;
    ZipWriter::Sink sink() {
        return [this](std::string_view b) { bytes.append(b); };
    }
};

std::string binary_sample(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + 7) % 256);
    return s;
}

// Runs /usr/bin/python3's zipfile on `zip` and returns what the script printed; nullopt when
// there is no python3 here.
std::optional<std::string> python_zipfile(std::string_view zip, std::string_view script) {
    if (!std::filesystem::exists("/usr/bin/python3")) return std::nullopt;
    auto const path = std::filesystem::temp_directory_path() /
                      ("hrms_zip_test_" + std::to_string(::getpid()) + ".zip");
    {
        std::ofstream out(path, std::ios::binary);
        out.write(zip.data(), static_cast<std::streamsize>(zip.size()));
    }
    std::string const command =
        "/usr/bin/python3 -c '" + std::string(script) + "' " + path.string() + " 2>&1";
    std::string output;
    if (FILE* p = ::popen(command.c_str(), "r")) {
        char buffer[4096];
        while (auto const n = std::fread(buffer, 1, sizeof buffer, p)) output.append(buffer, n);
        auto const status = ::pclose(p);
        if (status != 0) output += "[exit status " + std::to_string(status) + "]";
    }
    std::filesystem::remove(path);
    return output;
}

constexpr std::string_view kPythonCount =
    "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; "
    "print(len(z.namelist()))";
// Names, sizes and a digest of each member's data as Python reads them, in archive order.
constexpr std::string_view kPythonList =
    "import zipfile,sys,zlib; z=zipfile.ZipFile(sys.argv[1]); "
    "sys.stdout.buffer.write(b\"\".join(b\"%s %d %08x\\n\" % (i.filename.encode(), i.file_size, "
    "zlib.crc32(z.read(i))) for i in z.infolist()))";

}  // namespace

TEST(ZipWriter, MembersRoundTripByteForByteWithNamesSizesCrcsAndOffsets) {
    Collected out;
    ZipWriter zip(out.sink());
    auto const passport = binary_sample(70'000);
    std::string const note = "Start date: 2027-01-15\n";
    zip.add("Zoë Ødegård/passport.pdf", at("2026-11-28T13:05:09Z"), passport);
    zip.add("Zoë Ødegård/empty.txt", at("2026-11-28T13:05:09Z"), "");
    zip.add("notes/start.txt", at("2026-11-28T13:05:09Z"), note);
    zip.finish();

    auto const a = read_archive(out.bytes);
    expect_well_formed(a);
    ASSERT_EQ(a.members.size(), 3u);
    EXPECT_EQ(a.members[0].name, "Zoë Ødegård/passport.pdf");
    EXPECT_EQ(a.members[0].data, passport);
    EXPECT_EQ(a.members[0].uncompressed, passport.size());
    EXPECT_EQ(a.members[0].crc, crc_of(passport));
    EXPECT_EQ(a.members[1].name, "Zoë Ødegård/empty.txt");
    EXPECT_EQ(a.members[2].data, note);
    EXPECT_FALSE(a.has_zip64_end);
    EXPECT_EQ(a.end_count16, 3);
    EXPECT_EQ(zip.bytes_written(), out.bytes.size());
    for (auto const& m : a.members) {
        EXPECT_FALSE(m.zip64_sizes || m.zip64_offset);
        EXPECT_EQ(m.descriptor_size, 16u);
    }
}

TEST(ZipWriter, AnEmptyMemberHasZeroSizesAndTheEmptyCrc) {
    Collected out;
    ZipWriter zip(out.sink());
    zip.begin("empty.pdf", at("2027-01-15T08:00:00Z"));
    zip.end();
    zip.finish();

    auto const a = read_archive(out.bytes);
    expect_well_formed(a);
    ASSERT_EQ(a.members.size(), 1u);
    EXPECT_EQ(a.members[0].uncompressed, 0u);
    EXPECT_EQ(a.members[0].crc, 0u);
    EXPECT_EQ(a.members[0].data, "");
}

TEST(ZipWriter, AMemberWrittenInManySmallWritesIsTheirConcatenationAndIsNotBuffered) {
    Collected out;
    ZipWriter zip(out.sink());
    zip.begin("scan.png", at("2027-01-15T08:00:00Z"));
    EXPECT_EQ(out.bytes.size(), 30 + 8 + 9u) << "the local header goes out at begin";
    std::string expected;
    auto const sample = binary_sample(10'000);
    for (std::size_t i = 0, k = 0; i < sample.size(); i += k, ++k) {
        auto const piece = std::string_view(sample).substr(i, k % 8);
        auto const before = zip.bytes_written();
        zip.write(piece);
        // Each write reaches the sink at once: the writer holds none of a member's data.
        EXPECT_EQ(zip.bytes_written(), before + piece.size());
        EXPECT_EQ(out.bytes.size(), zip.bytes_written());
        expected.append(piece);
    }
    zip.end();
    zip.finish();

    auto const a = read_archive(out.bytes);
    expect_well_formed(a);
    ASSERT_EQ(a.members.size(), 1u);
    EXPECT_EQ(a.members[0].data, expected);
    EXPECT_EQ(a.members[0].crc, crc_of(expected));
}

TEST(ZipWriter, TimesAreDosFieldsInUtcAndExactUnixSecondsInTheExtendedTimestamp) {
    Collected out;
    ZipWriter zip(out.sink());
    zip.add("a.txt", at("2026-11-28T13:05:09.999Z"), "a");
    zip.add("b.txt", at("1970-01-02T00:00:00Z"), "b");  // before DOS time: clamped
    zip.finish();

    auto const a = read_archive(out.bytes);
    ASSERT_EQ(a.members.size(), 2u);
    auto const& m = a.members[0];
    EXPECT_EQ(m.dos_date >> 9, 2026 - 1980);
    EXPECT_EQ(m.dos_date >> 5 & 0xF, 11);
    EXPECT_EQ(m.dos_date & 0x1F, 28);
    EXPECT_EQ(m.dos_time >> 11, 13);
    EXPECT_EQ(m.dos_time >> 5 & 0x3F, 5);
    EXPECT_EQ(m.dos_time & 0x1F, 9 / 2);
    EXPECT_EQ(m.mtime, at("2026-11-28T13:05:09Z").ms / 1000);
    EXPECT_EQ(m.local_mtime, m.mtime);
    auto const& old = a.members[1];
    EXPECT_EQ(old.dos_date, 0 << 9 | 1 << 5 | 1);  // 1980-01-01
    EXPECT_EQ(old.dos_time, 0);
    EXPECT_EQ(old.mtime, 86'400);  // the extended timestamp is exact
}

TEST(ZipWriter, AnArchiveWithoutMembersIsJustTheEndRecord) {
    Collected out;
    ZipWriter zip(out.sink());
    zip.finish();
    EXPECT_EQ(out.bytes.size(), 22u);
    auto const a = read_archive(out.bytes);
    EXPECT_EQ(a.count, 0u);
    EXPECT_EQ(a.cd_offset, 0u);
}

TEST(ZipWriter, Zip64FieldsAndEndRecordsWhenSizesOffsetsAndCountPassTheLimits) {
    Collected out;
    ZipWriter zip(out.sink(), ZipLimits{.max32 = 100, .max_members16 = 3});
    auto const big = binary_sample(250);
    zip.add("small.txt", at("2027-01-15T08:00:00Z"), "0123456789");  // at 0, 10 bytes: plain
    zip.add("big.bin", at("2027-01-15T08:00:00Z"), big);             // at 74 (< 100), 250 bytes
    zip.add("far.txt", at("2027-01-15T08:00:00Z"), "far");           // past 100: ZIP64 offset
    zip.add("far2.txt", at("2027-01-15T08:00:00Z"), std::string(100, 'x'));  // both
    zip.finish();

    auto const a = read_archive(out.bytes);
    expect_well_formed(a);
    ASSERT_EQ(a.members.size(), 4u);
    EXPECT_TRUE(a.has_zip64_end);
    EXPECT_EQ(a.count, 4u);
    EXPECT_EQ(a.end_count16, 0xFFFF);
    EXPECT_EQ(a.end_cd_offset32, 0xFFFFFFFFu);
    EXPECT_EQ(a.end_cd_size32, 0xFFFFFFFFu);

    auto const& small = a.members[0];
    EXPECT_FALSE(small.zip64_sizes);
    EXPECT_FALSE(small.zip64_offset);
    EXPECT_EQ(small.descriptor_size, 16u);
    EXPECT_EQ(small.data, "0123456789");

    auto const& b = a.members[1];
    EXPECT_EQ(b.offset, 74u);
    EXPECT_TRUE(b.zip64_sizes);
    EXPECT_FALSE(b.zip64_offset);
    EXPECT_EQ(b.uncompressed, 250u);
    EXPECT_EQ(b.descriptor_size, 24u);
    EXPECT_EQ(b.data, big);

    auto const& far = a.members[2];
    EXPECT_FALSE(far.zip64_sizes);
    EXPECT_TRUE(far.zip64_offset);
    EXPECT_GT(far.offset, 100u);
    EXPECT_EQ(far.descriptor_size, 16u);
    EXPECT_EQ(far.data, "far");

    auto const& both = a.members[3];
    EXPECT_TRUE(both.zip64_sizes);
    EXPECT_TRUE(both.zip64_offset);
    EXPECT_EQ(both.data,
              std::string(100, 'x'));  // exactly the limit is ZIP64: 0xFFFFFFFF is the marker
}

TEST(ZipWriter, ManyMembersAloneUseTheZip64EndRecordWithPlainOffsets) {
    Collected out;
    ZipWriter zip(out.sink(), ZipLimits{.max_members16 = 2});
    zip.add("a.txt", at("2027-01-15T08:00:00Z"), "a");
    zip.add("b.txt", at("2027-01-15T08:00:00Z"), "b");
    zip.finish();

    auto const a = read_archive(out.bytes);
    expect_well_formed(a);
    EXPECT_TRUE(a.has_zip64_end);
    EXPECT_EQ(a.end_count16, 0xFFFF);
    EXPECT_EQ(a.end_cd_offset32, a.cd_offset);
    EXPECT_EQ(a.end_cd_size32, a.cd_size);
    for (auto const& m : a.members) EXPECT_FALSE(m.zip64_sizes || m.zip64_offset);
}

TEST(ZipWriter, MoreThan65535MembersUseTheZip64EndRecordWithTheDefaultLimits) {
    Collected out;
    ZipWriter zip(out.sink());
    constexpr std::uint64_t kMembers = 65'536;
    for (std::uint64_t i = 0; i < kMembers; ++i) {
        zip.add(std::to_string(i), at("2027-01-15T08:00:00Z"), "");
    }
    zip.finish();

    auto const a = read_archive(out.bytes);
    EXPECT_TRUE(a.has_zip64_end);
    EXPECT_EQ(a.end_count16, 0xFFFF);
    EXPECT_EQ(a.count, kMembers);
    ASSERT_EQ(a.members.size(), kMembers);
    EXPECT_EQ(a.members.back().name, "65535");
}

TEST(ZipWriter, PythonsZipfileReadsANormalArchive) {
    Collected out;
    ZipWriter zip(out.sink());
    auto const passport = binary_sample(100'000);
    zip.add("Zoë Ødegård/passport.pdf", at("2026-11-28T13:05:09Z"), passport);
    zip.add("Zoë Ødegård/empty.txt", at("2026-11-28T13:05:09Z"), "");
    zip.add("contract.pdf", at("2026-11-28T13:05:09Z"), "%PDF-1.7");
    zip.finish();

    auto const count = python_zipfile(out.bytes, kPythonCount);
    if (!count) GTEST_SKIP() << "no /usr/bin/python3";
    EXPECT_EQ(*count, "3\n");
    EXPECT_EQ(*python_zipfile(out.bytes, kPythonList),
              fmt::format("Zoë Ødegård/passport.pdf 100000 {:08x}\n"
                          "Zoë Ødegård/empty.txt 0 00000000\n"
                          "contract.pdf 8 {:08x}\n",
                          crc_of(passport), crc_of("%PDF-1.7")));
}

TEST(ZipWriter, PythonsZipfileReadsAForcedZip64Archive) {
    Collected out;
    ZipWriter zip(out.sink(), ZipLimits{.max32 = 100, .max_members16 = 2});
    auto const big = binary_sample(5'000);
    zip.add("a.txt", at("2026-11-28T13:05:09Z"), "a");
    zip.add("big.bin", at("2026-11-28T13:05:09Z"), big);
    zip.add("Zoë/c.txt", at("2026-11-28T13:05:09Z"), "c");
    zip.finish();

    auto const count = python_zipfile(out.bytes, kPythonCount);
    if (!count) GTEST_SKIP() << "no /usr/bin/python3";
    EXPECT_EQ(*count, "3\n");
    EXPECT_EQ(*python_zipfile(out.bytes, kPythonList),
              fmt::format("a.txt 1 {:08x}\nbig.bin 5000 {:08x}\nZoë/c.txt 1 {:08x}\n", crc_of("a"),
                          crc_of(big), crc_of("c")));
}

TEST(ZipWriter, MisuseIsALogicError) {
    Collected out;
    ZipWriter zip(out.sink());
    EXPECT_THROW(zip.write("x"), std::logic_error);  // outside a member
    EXPECT_THROW(zip.end(), std::logic_error);
    zip.begin("a.txt", Instant{});
    EXPECT_THROW(zip.begin("b.txt", Instant{}), std::logic_error);  // one already open
    EXPECT_THROW(zip.finish(), std::logic_error);                   // with a member open
    zip.end();
    EXPECT_THROW(zip.write("x"), std::logic_error);  // after end
    zip.finish();
    EXPECT_THROW(zip.finish(), std::logic_error);  // twice
    EXPECT_THROW(zip.begin("c.txt", Instant{}), std::logic_error);
    EXPECT_THROW(zip.add("c.txt", Instant{}, "c"), std::logic_error);
    EXPECT_NO_THROW(read_archive(out.bytes));
}

TEST(ZipWriter, AnUnsafeNameIsRejectedAndLeavesTheWriterUsable) {
    Collected out;
    ZipWriter zip(out.sink());
    EXPECT_THROW(zip.begin("../etc/passwd", Instant{}), std::invalid_argument);
    EXPECT_THROW(zip.begin("", Instant{}), std::invalid_argument);
    EXPECT_THROW(zip.begin("a\\b", Instant{}), std::invalid_argument);
    EXPECT_EQ(zip.bytes_written(), 0u);
    zip.add("ok.txt", Instant{}, "ok");
    zip.finish();
    EXPECT_EQ(read_archive(out.bytes).members.at(0).data, "ok");
}

TEST(ZipWriter, AfterTheSinkThrowsTheWriterRefusesToContinue) {
    int calls = 0;
    ZipWriter zip([&](std::string_view) {
        if (++calls == 2) throw std::runtime_error("connection reset");
    });
    zip.begin("a.txt", Instant{});
    EXPECT_THROW(zip.write("data"), std::runtime_error);
    EXPECT_THROW(zip.write("more"), std::logic_error);
    EXPECT_THROW(zip.end(), std::logic_error);
    EXPECT_THROW(zip.finish(), std::logic_error);
}

TEST(ZipWriter, ConstructionRejectsNoSinkAndLimitsWiderThanTheirFields) {
    EXPECT_THROW(ZipWriter{ZipWriter::Sink{}}, std::invalid_argument);
    auto const sink = [](std::string_view) {};
    EXPECT_THROW((ZipWriter{sink, ZipLimits{.max32 = 0x1'0000'0000}}), std::invalid_argument);
    EXPECT_THROW((ZipWriter{sink, ZipLimits{.max_members16 = 0x1'0000}}), std::invalid_argument);
}

TEST(ZipSafeName, ParentAndCurrentDirectoriesAndEmptySegmentsAreDropped) {
    EXPECT_EQ(zip_safe_name("../../etc/passwd"), "etc/passwd");
    EXPECT_EQ(zip_safe_name("/abs/./x//y/"), "abs/x/y");
    EXPECT_EQ(zip_safe_name("a/../b"), "a/b");
}

TEST(ZipSafeName, CharactersWindowsRefusesBecomeUnderscores) {
    auto const name = zip_safe_name("a\\b:c");
    EXPECT_EQ(name, "a_b_c");
    EXPECT_EQ(name.find('\\'), std::string::npos);
    EXPECT_EQ(name.find(':'), std::string::npos);
    EXPECT_EQ(zip_safe_name("C:/x<y>\"z\"|?*.pdf"), "C_/x_y__z____.pdf");
}

TEST(ZipSafeName, ControlCharactersBecomeUnderscores) {
    EXPECT_EQ(zip_safe_name(std::string("a\x01", 2) + "b\x7f\tc\nd"), "a_b__c_d");
    EXPECT_EQ(zip_safe_name(std::string("nul\0byte", 8)), "nul_byte");
    EXPECT_EQ(zip_safe_name("c1\xC2\x85x"), "c1_x");  // U+0085, a C1 control
    EXPECT_FALSE(has_control_chars(zip_safe_name("\r\n/\x1b[31m")));
}

TEST(ZipSafeName, NothingLeftGivesTheFallback) {
    EXPECT_EQ(zip_safe_name(""), "_");
    EXPECT_EQ(zip_safe_name("/"), "_");
    EXPECT_EQ(zip_safe_name(".."), "_");
    EXPECT_EQ(zip_safe_name(" . / .. /..."), "_");
}

TEST(ZipSafeName, LeadingAndTrailingSpacesAndDotsAreTrimmed) {
    EXPECT_EQ(zip_safe_name("  .hidden. "), "hidden");
    EXPECT_EQ(zip_safe_name(" dir ./ file.pdf."), "dir/file.pdf");
    EXPECT_EQ(zip_safe_name("a b.c"), "a b.c");
}

TEST(ZipSafeName, DeviceNamesWindowsReservesArePrefixed) {
    EXPECT_EQ(zip_safe_name("docs/NUL"), "docs/_NUL");
    EXPECT_EQ(zip_safe_name("con.txt"), "_con.txt");
    EXPECT_EQ(zip_safe_name("Lpt1 .pdf"), "_Lpt1 .pdf");
    EXPECT_EQ(zip_safe_name("CONSENT.pdf"), "CONSENT.pdf");
    EXPECT_EQ(zip_safe_name("COM10"), "COM10");
}

TEST(ZipSafeName, LongSegmentsAreCutOnAUtf8Boundary) {
    std::string e60;
    for (int i = 0; i < 60; ++i) e60 += "é";  // 120 bytes
    auto const cut = zip_safe_name(e60 + "/x");
    EXPECT_EQ(cut, e60.substr(0, 100) + "/x");
    auto const odd = zip_safe_name("a" + e60);  // byte 100 is inside an "é"
    EXPECT_EQ(odd, "a" + e60.substr(0, 98));
    EXPECT_TRUE(is_valid_utf8(odd));
    // A cut that ends in a dot is trimmed again.
    EXPECT_EQ(zip_safe_name(std::string(99, 'a') + ".pdf"), std::string(99, 'a'));
}

TEST(ZipSafeName, InvalidUtf8IsReplacedSoTheNameIsValid) {
    auto const name = zip_safe_name("bad\xff\xfename.pdf");
    EXPECT_TRUE(is_valid_utf8(name));
    EXPECT_NE(name.find("\xEF\xBF\xBD"), std::string::npos);
    EXPECT_TRUE(name.ends_with("name.pdf"));
    EXPECT_EQ(zip_safe_name("Zoë Ødegård/passport.pdf"), "Zoë Ødegård/passport.pdf");
}

TEST(ZipSafeName, ATooDeepPathKeepsTheFileNameAndTheDirectoriesNearestIt) {
    std::string path;
    for (int i = 0; i < 30; ++i) path += std::to_string(i) + std::string(90, 'd') + "/";
    path += "file.pdf";
    auto const name = zip_safe_name(path);
    EXPECT_LE(name.size(), 1000u);
    EXPECT_TRUE(name.ends_with("/file.pdf"));
    EXPECT_TRUE(name.starts_with("20" + std::string(90, 'd') + "/"));
}

TEST(ZipSafeName, ASafeNameIsItsOwnSafeName) {
    // ZipWriter::begin accepts exactly the fixed points, so every result must be one.
    std::string e60;
    for (int i = 0; i < 60; ++i) e60 += "é";
    for (std::string const& input : std::vector<std::string>{
             "../../etc/passwd", "a\\b:c", " .x. ", "CON .txt", "con", "bad\xff\xfe", "\x01\x02",
             "", std::string(99, 'a') + ".pdf", "a" + e60, "_CON", "C:/Windows/System32"}) {
        auto const once = zip_safe_name(input);
        EXPECT_EQ(zip_safe_name(once), once) << input;
    }
}
