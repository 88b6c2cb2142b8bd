#include "hrms/core/mime_attachment.hpp"

#include <gtest/gtest.h>

#include "hrms/core/mime_testing.hpp"

#include <string>
#include <vector>

using namespace hrms::core;
using hrms::core::test_util::percent_decode;

namespace {

std::vector<std::string> lines_of(std::string_view s) {
    std::vector<std::string> out;
    for (std::size_t start = 0; start < s.size();) {
        auto const end = s.find("\r\n", start);
        out.emplace_back(s.substr(start, end - start));
        if (end == std::string_view::npos) break;
        start = end + 2;
    }
    return out;
}

std::string repeat(std::string_view s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
}

}  // namespace

TEST(AttachmentName, PathsControlsQuotesAndLeadingDotsAreTakenOut) {
    EXPECT_EQ(safe_attachment_filename("Q3 report.pdf"), "Q3 report.pdf");
    EXPECT_EQ(safe_attachment_filename("/var/lib/hrms/reports/../../etc/passwd"), "passwd");
    EXPECT_EQ(safe_attachment_filename("C:\\Users\\ada\\q3.pdf"), "q3.pdf");
    EXPECT_EQ(safe_attachment_filename("q3\r\nBcc: evil@example.com.pdf"), "q3Bcc_ evil@example.com.pdf");
    EXPECT_EQ(safe_attachment_filename("say \"hi\".txt"), "say _hi_.txt");
    EXPECT_EQ(safe_attachment_filename("..hidden"), "hidden");
    EXPECT_EQ(safe_attachment_filename("Übersicht März.pdf"), "Übersicht März.pdf");
    EXPECT_EQ(safe_attachment_filename("   "), "document");
}

TEST(AttachmentName, BidiAndInvisibleCharactersCannotDisguiseTheExtension) {
    // U+202E RIGHT-TO-LEFT OVERRIDE would show "reportexe.pdf".
    EXPECT_EQ(safe_attachment_filename("report\u202Efdp.exe"), "reportfdp.exe");
    EXPECT_EQ(safe_attachment_filename("\u2066a\u200Bb\uFEFF.pdf\u2069"), "ab.pdf");
    // A dot the override hid at the front is a leading dot like any other.
    EXPECT_EQ(safe_attachment_filename("\u202E.bashrc"), "bashrc");
}

TEST(AttachmentName, LongNamesKeepTheirExtensionAndWholeCharacters) {
    auto const name = safe_attachment_filename(repeat("ü", 150) + ".xlsx");
    EXPECT_LE(name.size(), 200u);
    EXPECT_TRUE(name.ends_with("ü.xlsx")) << name;
}

TEST(AttachmentName, MakingASafeNameSafeAgainChangesNothing) {
    for (std::string const raw : std::initializer_list<char const*>{
             "a/b\\c.pdf", "x\r\ny", "\u202E.exe", " . .x", "a\xFF\xFE.csv", "Q3: \"final\" <v2>.pdf"}) {
        auto const once = safe_attachment_filename(raw);
        EXPECT_EQ(safe_attachment_filename(once), once) << raw;
    }
    auto const long_once = safe_attachment_filename(repeat("ab ", 100) + ".pdf");
    EXPECT_EQ(safe_attachment_filename(long_once), long_once);
}

TEST(AttachmentType, PlausibleTypesAreMadeCanonical) {
    EXPECT_EQ(attachment_content_type("application/pdf"), "application/pdf");
    EXPECT_EQ(attachment_content_type(" Application/PDF "), "application/pdf");
    EXPECT_EQ(attachment_content_type("text/csv;charset=UTF-8"), "text/csv; charset=utf-8");
    EXPECT_EQ(attachment_content_type("text/csv; Charset=\"utf-8\""), "text/csv; charset=utf-8");
    EXPECT_EQ(attachment_content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    EXPECT_EQ(attachment_content_type("image/svg+xml"), "image/svg+xml");
}

TEST(AttachmentType, AnythingElseIsRefused) {
    for (std::string const bad : std::initializer_list<char const*>{
             "", "pdf", "application/", "/pdf", "application/pdf/x", "application/p df", "app lication/pdf",
             "x-custom/thing", "multipart/mixed", "message/rfc822", "text/csv; name=x.csv", "text/csv; charset=",
             "text/csv; charset=utf 8", "text/csv; charset=utf-8; x=y", "text/csv;", "application/pdf\r\nBcc: x",
             "application/pdf\"", "text/plain; charset=\"utf-8"}) {
        EXPECT_FALSE(attachment_content_type(bad)) << bad;
    }
    EXPECT_FALSE(attachment_content_type("application/" + std::string(128, 'x')));
}

TEST(AttachmentHeaders, AnAsciiNameIsQuotedInNameAndFilename) {
    EXPECT_EQ(attachment_part_headers({"Q3 report.pdf", "application/pdf", ""}),
              "Content-Type: application/pdf; name=\"Q3 report.pdf\"\r\n"
              "Content-Disposition: attachment; filename=\"Q3 report.pdf\"\r\n"
              "Content-Transfer-Encoding: base64\r\n");
}

TEST(AttachmentHeaders, ALongAsciiNameFoldsOntoALineOfItsOwn) {
    auto const name = repeat("x", 70) + ".pdf";
    auto const head = attachment_part_headers({name, "application/pdf", ""});
    EXPECT_EQ(head,
              "Content-Type: application/pdf;\r\n name=\"" + name + "\"\r\n"
              "Content-Disposition: attachment;\r\n filename=\"" + name + "\"\r\n"
              "Content-Transfer-Encoding: base64\r\n");
}

TEST(AttachmentHeaders, ALongNonAsciiNameIsSplitIntoContinuationsThatJoinBack) {
    auto const name = repeat("é", 30) + " – " + repeat("ß", 30) + ".csv";
    auto const head = attachment_part_headers({name, "text/csv", ""});
    EXPECT_FALSE(head.contains("filename*=")) << "continuations, not one long parameter";
    std::string joined;
    int expected = 0;
    for (auto const& line : lines_of(head)) {
        auto const at = line.find("filename*");
        if (at == std::string::npos) continue;
        EXPECT_LE(line.size(), 78u) << line;
        EXPECT_TRUE(line.starts_with(" ")) << "a folded line: " << line;
        auto const prefix = "filename*" + std::to_string(expected) + "*=" + (expected == 0 ? "UTF-8''" : "");
        ASSERT_EQ(line.substr(at, prefix.size()), prefix) << line;
        auto segment = line.substr(at + prefix.size());
        if (segment.ends_with(';')) segment.pop_back();
        // A segment never ends inside a %XX triplet.
        EXPECT_FALSE(segment.ends_with('%') || (segment.size() >= 2 && segment[segment.size() - 2] == '%')) << segment;
        joined += segment;
        ++expected;
    }
    EXPECT_GE(expected, 3);
    EXPECT_EQ(percent_decode(joined), name);
    EXPECT_TRUE(head.contains("filename=\"" + repeat("_", 30) + " _ " + repeat("_", 30) + ".csv\""));
}

TEST(AttachmentHeaders, OnlyAttrCharsGoUnencoded) {
    auto const head = attachment_part_headers({"a b'c(1)%&#ü.txt", "text/plain", ""});
    EXPECT_TRUE(head.contains("filename*=UTF-8''a%20b%27c%281%29%25&#%C3%BC.txt")) << head;
}
