#include "hrms/http/multipart.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace hrms;
using namespace hrms::http;

namespace {
struct Collected {
    std::map<std::string, std::string> fields;
    std::map<std::string, std::string> filenames;
    std::string current;
    int ends = 0;
};

MultipartParser::Handler collect(Collected& c) {
    return {[&c](PartHeaders const& h) -> Result<void> {
                c.current = h.name;
                c.fields[h.name];
                if (h.filename) c.filenames[h.name] = *h.filename;
                return {};
            },
            [&c](std::string_view d) -> Result<void> {
                c.fields[c.current].append(d);
                return {};
            },
            [&c]() -> Result<void> {
                ++c.ends;
                return {};
            }};
}

using namespace std::string_literals;
std::string const kBody =
    "preamble\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"type\"\r\n\r\n"
    "id_proof\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"scan \\\"1\\\".pdf\"\r\n"
    "Content-Type: application/pdf\r\n\r\n"
    "%PDF-1.4\r\n--XyNotTheBoundary\r\nbinary\x00\xff\r\n"
    "--XyZ--\r\nepilogue"s;
}  // namespace

TEST(Multipart, ParsesFieldsAndFilesInOneChunk) {
    Collected c;
    MultipartParser p("XyZ", collect(c));
    ASSERT_TRUE(p.feed(kBody));
    ASSERT_TRUE(p.finish());
    EXPECT_EQ(c.fields["type"], "id_proof");
    EXPECT_EQ(c.fields["file"], std::string("%PDF-1.4\r\n--XyNotTheBoundary\r\nbinary\x00\xff", 38));
    EXPECT_EQ(c.filenames["file"], "scan \"1\".pdf");
    EXPECT_EQ(c.ends, 2);
}

TEST(Multipart, ByteAtATimeGivesTheSameResult) {
    Collected c;
    MultipartParser p("XyZ", collect(c));
    for (char ch : kBody) ASSERT_TRUE(p.feed(std::string_view(&ch, 1)));
    ASSERT_TRUE(p.finish());
    EXPECT_EQ(c.fields["type"], "id_proof");
    EXPECT_EQ(c.fields["file"].size(), 38u);
}

TEST(Multipart, TruncatedBodyIsABadRequest) {
    Collected c;
    MultipartParser p("XyZ", collect(c));
    ASSERT_TRUE(p.feed(kBody.substr(0, kBody.size() / 2)));
    auto r = p.finish();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::bad_request);
}

TEST(Multipart, PartWithoutNameIsABadRequest) {
    Collected c;
    MultipartParser p("b", collect(c));
    auto r = p.feed("--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::bad_request);
}

TEST(Multipart, HandlerErrorsStopTheParse) {
    MultipartParser p("b", {[](PartHeaders const&) -> Result<void> { return {}; },
                            [](std::string_view) -> Result<void> {
                                return fail(ErrorCode::payload_too_large, "too big");
                            },
                            []() -> Result<void> { return {}; }});
    auto r = p.feed("--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nxxxxxxxxxx\r\n--b--");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::payload_too_large);
}

TEST(Multipart, BoundaryComesFromTheContentType) {
    EXPECT_EQ(MultipartParser::boundary_of("multipart/form-data; boundary=abc").value(), "abc");
    EXPECT_EQ(MultipartParser::boundary_of("Multipart/Form-Data; charset=x; boundary=\"a b\"").value(), "a b");
    EXPECT_EQ(MultipartParser::boundary_of("application/json").error().code, ErrorCode::unsupported_media_type);
    EXPECT_EQ(MultipartParser::boundary_of("multipart/form-data").error().code, ErrorCode::bad_request);
}
