#include "hrms/core/mime.hpp"

#include <gtest/gtest.h>

#include "hrms/core/mime_testing.hpp"
#include "hrms/core/text.hpp"

using namespace hrms;
using namespace hrms::core;
using hrms::core::test_util::percent_decode;

namespace {

// An independent decoder, so the tests do not trust the encoder they check: empty on bad input.
std::optional<std::string> base64_decode(std::string_view s) {
    constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (s.size() % 4 != 0) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < s.size(); i += 4) {
        std::uint32_t n = 0;
        int pad = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            char const c = s[i + k];
            if (c == '=' && i + 4 == s.size() && k >= 2) {
                ++pad;
                n <<= 6;
                continue;
            }
            auto const v = kAlphabet.find(c);
            if (v == std::string_view::npos || pad > 0) return std::nullopt;
            n = n << 6 | static_cast<std::uint32_t>(v);
        }
        out += static_cast<char>(n >> 16 & 0xFF);
        if (pad < 2) out += static_cast<char>(n >> 8 & 0xFF);
        if (pad < 1) out += static_cast<char>(n & 0xFF);
    }
    return out;
}

std::vector<std::string> split(std::string_view s, std::string_view sep) {
    std::vector<std::string> out;
    for (std::size_t start = 0;;) {
        auto const end = s.find(sep, start);
        out.emplace_back(s.substr(start, end == std::string_view::npos ? end : end - start));
        if (end == std::string_view::npos) return out;
        start = end + sep.size();
    }
}

// Decodes folded "=?UTF-8?B?...?=" words, failing the test when one is too long, malformed or
// holds only part of a UTF-8 sequence.
std::string decode_words(std::string_view folded) {
    std::string text;
    for (auto const& word : split(folded, "\r\n ")) {
        EXPECT_LE(word.size(), 75u) << word;
        EXPECT_TRUE(word.starts_with("=?UTF-8?B?") && word.ends_with("?=")) << word;
        if (word.size() < 12) continue;
        auto const bytes = base64_decode(std::string_view(word).substr(10, word.size() - 12));
        EXPECT_TRUE(bytes.has_value()) << word;
        EXPECT_TRUE(is_valid_utf8(bytes.value_or(""))) << "a UTF-8 sequence split in " << word;
        text += bytes.value_or("");
    }
    return text;
}

MailMessage sample() {
    MailMessage m;
    m.from = {"noreply@hrms.example.com", "HR Onboarding"};
    m.to = {"zoe@example.org", "Zoë Müller"};
    m.subject = "Your documents were approved";
    m.text = "Hello Zoë,\r\n\r\nyour documents were approved.\r\n";
    m.html = "<p>Hello Zo&euml;,</p>\r\n<p>your documents were approved.</p>\r\n";
    m.message_id = make_message_id("5f3a9c01", "hrms.example.com");
    m.date = Instant{1'800'000'000'123};
    m.headers = {{"X-Hrms-Request-Id", "req-42"}};
    return m;
}

struct Rendered {
    std::string head;  // the top-level header block, folded lines kept
    std::string body;  // everything after the blank line
};

Rendered render_ok(MailMessage const& m) {
    auto const out = render_mime(m);
    EXPECT_TRUE(out.has_value()) << (out ? "" : out.error().message);
    auto const text = out.value_or("");
    auto const blank = text.find("\r\n\r\n");
    if (blank == std::string::npos) return {text, ""};
    return {text.substr(0, blank + 2), text.substr(blank + 4)};
}

// The unfolded value of the header `name` in `head`, or nullopt.
std::optional<std::string> header(std::string_view head, std::string_view name) {
    auto const key = "\r\n" + std::string(name) + ": ";
    auto const at = ("\r\n" + std::string(head)).find(key);
    if (at == std::string::npos) return std::nullopt;
    auto value = std::string(head.substr(at + key.size() - 2));
    std::string out;
    for (auto const& line : split(value, "\r\n")) {
        if (!out.empty() && !line.starts_with(' ')) break;
        out += out.empty() ? line : line.substr(1);
    }
    return out;
}

// The base64 lines of a part, joined and decoded; fails the test on a line over 76 characters.
std::string decode_body(std::string_view encoded) {
    std::string joined;
    for (auto const& line : split(encoded, "\r\n")) {
        EXPECT_LE(line.size(), 76u);
        joined += line;
    }
    auto const decoded = base64_decode(joined);
    EXPECT_TRUE(decoded.has_value());
    return decoded.value_or("");
}

std::string boundary_of(std::string_view head) {
    auto const ct = header(head, "Content-Type").value_or("");
    auto const at = ct.find("boundary=\"");
    if (at == std::string::npos) return {};
    auto const start = at + 10;
    return ct.substr(start, ct.find('"', start) - start);
}

struct Part {
    std::string head;
    std::string body;
};

// The parts between the delimiters, in order; fails the test when the closing delimiter is missing.
std::vector<Part> parts_of(Rendered const& r) {
    auto const boundary = boundary_of(r.head);
    auto pieces = split(r.body, "--" + boundary);
    EXPECT_GE(pieces.size(), 2u);
    EXPECT_EQ(pieces.back(), "--\r\n") << "closing delimiter";
    std::vector<Part> parts;
    for (std::size_t i = 1; i + 1 < pieces.size(); ++i) {
        auto const& p = pieces[i];
        auto const blank = p.find("\r\n\r\n");
        EXPECT_TRUE(p.starts_with("\r\n")) << "delimiter line ends in CRLF";
        EXPECT_TRUE(p.ends_with("\r\n")) << "CRLF before the next delimiter";
        if (blank == std::string::npos) continue;
        parts.push_back({p.substr(2, blank - 2), p.substr(blank + 4, p.size() - blank - 6)});
    }
    return parts;
}

void expect_refused(MailMessage const& m, std::string_view field) {
    auto const out = render_mime(m);
    ASSERT_FALSE(out.has_value()) << "rendered although " << field << " is bad";
    EXPECT_EQ(out.error().code, ErrorCode::validation_failed);
    EXPECT_EQ(out.error().details_json, "{\"field\":" + json_quote(field) + "}");
}

}  // namespace

TEST(MimeHeaderText, PrintableAsciiStaysPlain) {
    EXPECT_EQ(encode_header_text("Your documents were approved"), "Your documents were approved");
    EXPECT_EQ(encode_header_text(""), "");
}

TEST(MimeHeaderText, AsciiThatLooksLikeAnEncodedWordOrHasControlsIsEncoded) {
    for (std::string_view s : {"=?UTF-8?B?evil?=", "tab\there"}) {
        auto const out = encode_header_text(s);
        EXPECT_TRUE(out.starts_with("=?UTF-8?B?")) << out;
        EXPECT_EQ(decode_words(out), s);
    }
}

TEST(MimeHeaderText, NonAsciiBecomesEncodedWordsThatDecodeBack) {
    std::string_view const subject = "Zoë — résumé ✓";
    auto const out = encode_header_text(subject);
    EXPECT_TRUE(out.starts_with("=?UTF-8?B?"));
    EXPECT_EQ(decode_words(out), subject);
}

TEST(MimeHeaderText, LongTextIsFoldedIntoShortWordsWithoutSplittingACharacter) {
    std::string subject;
    for (int i = 0; i < 50; ++i) subject += "é✓😀a";  // 2-, 3-, 4- and 1-byte characters
    ASSERT_EQ(utf8_length(subject), 200u);
    auto const out = encode_header_text(subject);
    EXPECT_GT(split(out, "\r\n ").size(), 1u) << "folded";
    EXPECT_EQ(decode_words(out), subject);  // also checks <= 75 and whole sequences per word
    for (auto const& line : split("Subject: " + out, "\r\n")) EXPECT_LT(line.size(), 998u);
}

TEST(MimeCheckHeader, LineBreaksAndNulInAValueAreRefused) {
    for (std::string_view v : std::initializer_list<std::string_view>{"a\rb", "a\nBcc: evil@z.com", std::string_view("a\0b", 3)}) {
        auto const r = check_header("X-Foo", v);
        ASSERT_FALSE(r.has_value());
        EXPECT_EQ(r.error().code, ErrorCode::validation_failed);
        EXPECT_EQ(r.error().details_json, R"({"field":"header X-Foo"})");
    }
    EXPECT_TRUE(check_header("X-Foo", "tab\tand ünïcode are fine").has_value());
}

TEST(MimeCheckHeader, NamesMustBePrintableAsciiWithoutColonOrSpace) {
    EXPECT_TRUE(check_header("X-Hrms-Request-Id", "1").has_value());
    EXPECT_TRUE(check_header(std::string(76, 'X'), "1").has_value());
    for (std::string const& name : {std::string(), std::string(77, 'X'), std::string("X Foo"),
                                    std::string("X:Foo"), std::string("X-Fo\xC3\xB6"),
                                    std::string("X-Foo\r\nBcc"), std::string("X\x7f")}) {
        auto const r = check_header(name, "1");
        ASSERT_FALSE(r.has_value()) << name;
        EXPECT_EQ(r.error().code, ErrorCode::validation_failed);
    }
}

TEST(MimeAddress, PlausibleAddressesAreValid) {
    EXPECT_TRUE(valid_mail_address("zoe@example.org"));
    EXPECT_TRUE(valid_mail_address("first.last+hr@mail.example.co.uk"));
    EXPECT_TRUE(valid_mail_address(std::string(64, 'a') + "@" + std::string(185, 'b') + ".com"));
}

TEST(MimeAddress, ImplausibleAddressesAreRefused) {
    for (std::string const& e :
         {std::string("a@b"), std::string("no-at"), std::string("x@y.com\r\nBcc: evil@z.com"),
          std::string("a b@c.com"), std::string(""), std::string("@c.com"), std::string("a@@c.com"),
          std::string("a@b@c.com"), std::string("a@.com"), std::string("a@c.com."),
          std::string("a@c..com"), std::string("<a@c.com>"), std::string("a@c.com,b@d.com"),
          std::string("a;b@c.com"), std::string("\"a\"@c.com"), std::string("zo\xC3\xAB@c.com"),
          std::string("a\0@c.com", 8), std::string(64, 'a') + "@" + std::string(186, 'b') + ".com"}) {
        EXPECT_FALSE(valid_mail_address(e)) << e;
    }
}

TEST(MimeAddress, FormatLeavesAtomsQuotesSpecialsAndEncodesNonAscii) {
    EXPECT_EQ(format_address({"a@b.com", ""}), "a@b.com");
    EXPECT_EQ(format_address({"a@b.com", "  "}), "a@b.com");
    EXPECT_EQ(format_address({"a@b.com", "HR Onboarding"}), "HR Onboarding <a@b.com>");
    EXPECT_EQ(format_address({"a@b.com", "Smith, John"}), "\"Smith, John\" <a@b.com>");
    EXPECT_EQ(format_address({"a@b.com", "J. \"Jo\" O\\B"}), R"("J. \"Jo\" O\\B" <a@b.com>)");
    auto const encoded = format_address({"a@b.com", "Zoë Müller"});
    ASSERT_TRUE(encoded.ends_with(" <a@b.com>")) << encoded;
    EXPECT_EQ(decode_words(encoded.substr(0, encoded.size() - 10)), "Zoë Müller");
}

TEST(MimeMessageId, UnsafeCharactersAreReplacedByDashes) {
    EXPECT_EQ(make_message_id("5f3a.9c01_x-y", "hrms.example.com"), "<5f3a.9c01_x-y@hrms.example.com>");
    EXPECT_EQ(make_message_id("a b<c>@d", "ex ample.com"), "<a-b-c--d@ex-ample.com>");
    EXPECT_EQ(make_message_id(".a..b.", "x_y.org"), "<-a.-b-@x-y.org>") << "no empty dot-atom parts";
}

TEST(MimeDate, Rfc5322DateForKnownInstants) {
    EXPECT_EQ(to_rfc5322_date(Instant{1'800'000'000'123}), "Fri, 15 Jan 2027 08:00:00 +0000");
    EXPECT_EQ(to_rfc5322_date(Instant{0}), "Thu, 01 Jan 1970 00:00:00 +0000");
    EXPECT_EQ(to_rfc5322_date(Instant{951'782'400'000}), "Tue, 29 Feb 2000 00:00:00 +0000");
    EXPECT_EQ(to_rfc5322_date(Instant{-1}), "Wed, 31 Dec 1969 23:59:59 +0000") << "floors, not truncates";
}

TEST(MimeRender, HeadersComeInOrderWithTheirValues) {
    auto m = sample();
    m.reply_to = MailAddress{"hr@example.com", "HR"};
    auto const r = render_ok(m);
    std::vector<std::string> names;
    for (auto const& line : split(r.head, "\r\n"))
        if (!line.empty() && !line.starts_with(' ')) names.push_back(line.substr(0, line.find(':')));
    EXPECT_EQ(names, (std::vector<std::string>{"Date", "From", "To", "Reply-To", "Subject", "Message-ID",
                                               "MIME-Version", "X-Hrms-Request-Id", "Content-Type"}));
    EXPECT_EQ(header(r.head, "Date"), "Fri, 15 Jan 2027 08:00:00 +0000");
    EXPECT_EQ(header(r.head, "From"), "HR Onboarding <noreply@hrms.example.com>");
    EXPECT_EQ(header(r.head, "Reply-To"), "HR <hr@example.com>");
    EXPECT_EQ(header(r.head, "Subject"), "Your documents were approved");
    EXPECT_EQ(header(r.head, "Message-ID"), "<5f3a9c01@hrms.example.com>");
    EXPECT_EQ(header(r.head, "MIME-Version"), "1.0");
    EXPECT_EQ(header(r.head, "X-Hrms-Request-Id"), "req-42");
    EXPECT_TRUE(header(r.head, "Content-Type")->starts_with("multipart/alternative; boundary=\""));
}

TEST(MimeRender, NonAsciiSubjectAndNamesAreEncodedWords) {
    auto m = sample();
    m.subject = "Zoë — résumé ✓";
    auto const r = render_ok(m);
    auto const raw = r.head.substr(r.head.find("Subject: ") + 9);
    EXPECT_EQ(decode_words(raw.substr(0, raw.find("\r\nMessage-ID"))), m.subject);
    EXPECT_TRUE(std::ranges::all_of(r.head, [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
        << "headers are 7-bit: no SMTPUTF8 needed";
    auto const to = header(r.head, "To").value_or("");
    ASSERT_TRUE(to.ends_with(" <zoe@example.org>")) << to;
    EXPECT_EQ(decode_words(to.substr(0, to.size() - 18)), "Zoë Müller");
}

TEST(MimeRender, BothPartsInOrderDecodeBackToTheBodies) {
    auto const m = sample();
    auto const parts = parts_of(render_ok(m));
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[0].head, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64");
    EXPECT_EQ(parts[1].head, "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64");
    EXPECT_EQ(decode_body(parts[0].body), m.text);
    EXPECT_EQ(decode_body(parts[1].body), m.html);
}

TEST(MimeRender, LongBodiesAreBase64InLinesOfAtMost76) {
    auto m = sample();
    m.text.clear();
    for (int i = 0; i < 300; ++i) m.text += "Line " + std::to_string(i) + " of the welcome letter, ✓.\r\n";
    m.html = "<pre>" + m.text + "</pre>";
    auto const parts = parts_of(render_ok(m));
    ASSERT_EQ(parts.size(), 2u);
    auto const lines = split(parts[0].body, "\r\n");
    EXPECT_EQ(lines.front().size(), 76u);
    EXPECT_EQ(decode_body(parts[0].body), m.text);  // also checks every line <= 76
    EXPECT_EQ(decode_body(parts[1].body), m.html);
}

TEST(MimeRender, TheBoundaryAppearsInNeitherBody) {
    auto m = sample();
    auto const first = boundary_of(render_ok(m).head);
    ASSERT_FALSE(first.empty());
    EXPECT_LE(first.size(), 70u);
    m.text += "--" + first + "\r\n";
    m.html += first + ".1";  // the next candidate too
    auto const r = render_ok(m);
    auto const second = boundary_of(r.head);
    EXPECT_NE(second, first);
    EXPECT_FALSE(m.text.contains(second));
    EXPECT_FALSE(m.html.contains(second));
    auto const parts = parts_of(r);
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(decode_body(parts[0].body), m.text);
    EXPECT_EQ(decode_body(parts[1].body), m.html);
}

TEST(MimeRender, EveryLineEndsInCrlfAndNoneIsTooLong) {
    auto m = sample();
    m.subject = std::string(300, 'x') + " ✓ " + std::string(300, 'y');
    auto const out = render_mime(m);
    ASSERT_TRUE(out.has_value());
    ASSERT_TRUE(out->ends_with("\r\n"));
    for (std::size_t i = 0; i < out->size(); ++i) {
        if ((*out)[i] == '\n') {
            EXPECT_TRUE(i > 0 && (*out)[i - 1] == '\r') << "bare LF at " << i;
        } else if ((*out)[i] == '\r') {
            EXPECT_TRUE(i + 1 < out->size() && (*out)[i + 1] == '\n') << "bare CR at " << i;
        }
    }
    for (auto const& line : split(*out, "\r\n")) EXPECT_LE(line.size(), 998u);
}

TEST(MimeRender, BareLineBreaksInABodyAreSentAsCrlf) {
    auto m = sample();
    m.text = "one\ntwo\rthree\r\nfour\n";
    auto const parts = parts_of(render_ok(m));
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(decode_body(parts[0].body), "one\r\ntwo\r\nthree\r\nfour\r\n");
}

TEST(MimeRender, LinesStartingWithADotAreNotDotStuffed) {
    auto m = sample();
    m.html.clear();
    m.subject = ".starts with a dot";
    auto const r = render_ok(m);
    EXPECT_EQ(header(r.head, "Subject"), ".starts with a dot");
    EXPECT_FALSE(r.head.contains("\r\n..")) << "the SMTP client stuffs dots, not the renderer";
}

TEST(MimeRender, AnEmptyHtmlGivesASingleTextPart) {
    auto m = sample();
    m.html.clear();
    auto const r = render_ok(m);
    EXPECT_EQ(header(r.head, "Content-Type"), "text/plain; charset=UTF-8");
    EXPECT_EQ(header(r.head, "Content-Transfer-Encoding"), "base64");
    EXPECT_FALSE(r.head.contains("multipart"));
    EXPECT_FALSE(r.body.contains("--=_"));
    EXPECT_EQ(decode_body(r.body.substr(0, r.body.size() - 2)), m.text);
}

TEST(MimeRender, AnEmptyTextPartIsStillWellFormed) {
    auto m = sample();
    m.text.clear();
    auto const parts = parts_of(render_ok(m));
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[0].body, "");
    EXPECT_EQ(decode_body(parts[1].body), m.html);
}

TEST(MimeRender, LineBreaksOrNulInHeaderTextAreRefused) {
    for (std::string const& bad : std::vector<std::string>{"\r", "\n", "\r\nBcc: evil@z.com", std::string(1, '\0')}) {
        auto m = sample();
        m.subject += bad;
        expect_refused(m, "subject");
        m = sample();
        m.to.name += bad;
        expect_refused(m, "to");
        m = sample();
        m.from.name = bad + "x";
        expect_refused(m, "from");
        m = sample();
        m.reply_to = MailAddress{"hr@example.com", "HR" + bad};
        expect_refused(m, "reply_to");
        m = sample();
        m.headers.emplace_back("X-Foo", "v" + bad);
        expect_refused(m, "header X-Foo");
        m = sample();
        m.message_id = "<a@b.c>" + bad;
        expect_refused(m, "message_id");
    }
}

TEST(MimeRender, BadExtraHeaderNamesAreRefused) {
    for (std::string const& name : std::vector<std::string>{"", "X Foo", "X:Foo", "X-Foo\r\nBcc", std::string(77, 'X')}) {
        auto m = sample();
        m.headers.emplace_back(name, "v");
        expect_refused(m, "header " + name);
    }
}

TEST(MimeRender, ExtraHeadersCannotRepeatTheOnesTheRendererWrites) {
    for (std::string const name : std::initializer_list<char const*>{"Subject", "from", "MIME-Version", "Content-Type", "content-transfer-encoding"}) {
        auto m = sample();
        m.headers.emplace_back(name, "v");
        expect_refused(m, "header " + name);
    }
}

TEST(MimeRender, NonAsciiExtraHeaderValuesAreEncoded) {
    auto m = sample();
    m.headers = {{"X-Hrms-Note", "für Zoë"}};
    auto const value = header(render_ok(m).head, "X-Hrms-Note").value_or("");
    EXPECT_EQ(decode_words(value), "für Zoë");
}

TEST(MimeRender, InvalidAddressesAreRefused) {
    for (std::string const bad : std::initializer_list<char const*>{"a@b", "no-at", "x@y.com\r\nBcc: evil@z.com", "a b@c.com", ""}) {
        auto m = sample();
        m.to.email = bad;
        expect_refused(m, "to");
        m = sample();
        m.from.email = bad;
        expect_refused(m, "from");
        m = sample();
        m.reply_to = MailAddress{bad, ""};
        expect_refused(m, "reply_to");
    }
}

TEST(MimeRender, InvalidUtf8IsRefused) {
    auto m = sample();
    m.text += "\xC3";
    expect_refused(m, "text");
    m = sample();
    m.html = "<p>\xED\xA0\x80</p>";  // a surrogate
    expect_refused(m, "html");
    m = sample();
    m.subject = "caf\xE9";  // Latin-1
    expect_refused(m, "subject");
    m = sample();
    m.to.name = "\xFFZo\xC3\xAB";
    expect_refused(m, "to");
    m = sample();
    m.headers.emplace_back("X-Foo", "\xC0\xAF");
    expect_refused(m, "header X-Foo");
}

TEST(MimeRender, AMalformedMessageIdIsRefused) {
    for (std::string const id : std::initializer_list<char const*>{"", "a@b.c", "<a@b.c", "<ab.c>", "<a b@c.d>", "<@b.c>", "<a@>", "<a@b@c>"}) {
        auto m = sample();
        m.message_id = id;
        expect_refused(m, "message_id");
    }
}

TEST(MimeRender, AnAsciiSubjectTooLongForOneLineIsRefused) {
    auto m = sample();
    m.subject = std::string(990, 'x');
    expect_refused(m, "subject");
    m.subject = std::string(989, 'x');  // "Subject: " + 989 = 998
    EXPECT_TRUE(render_mime(m).has_value());
}

TEST(MimeCheck, AgreesWithRenderingWithoutEncoding) {
    MailMessage good;
    good.from = {"hr@example.com", "HR"};
    good.to = {"ada@example.com", "Ada"};
    good.subject = "Welcome";
    good.text = "Hello";
    good.html = "<p>Hello</p>";
    good.message_id = "<abc@example.com>";
    EXPECT_TRUE(check_mail(good));
    EXPECT_TRUE(render_mime(good));
    auto bad = good;
    bad.subject = "Hi\r\nBcc: evil@example.com";
    EXPECT_FALSE(check_mail(bad));
    EXPECT_FALSE(render_mime(bad));
    bad = good;
    bad.to.email = "not an address";
    EXPECT_FALSE(check_mail(bad));
}

// ---- attachments

namespace {

// 10,240 bytes holding every byte value, so the round trip covers what text never has.
std::string every_byte() {
    std::string out;
    for (int round = 0; round < 40; ++round)
        for (int c = 0; c < 256; ++c) out += static_cast<char>(c);
    return out;
}

MailAttachment pdf() { return {"Q3 report.pdf", "application/pdf", every_byte()}; }

// A part that is itself a multipart, read as a message of its own. Its body ends at the closing
// delimiter: the CRLF after it belongs to the enclosing delimiter, and is given back here.
Rendered nested(Part const& p) { return {p.head + "\r\n", p.body + "\r\n"}; }

std::size_t count(std::string_view text, std::string_view needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

}  // namespace

TEST(MimeAttachments, FilesMakeTheMessageMixedWithTheAlternativeFirstThenEachFileInOrder) {
    auto m = sample();
    m.attachments = {pdf(), {"people.csv", "text/csv; charset=utf-8", "name,email\nAda,ada@example.com\n"}};
    auto const r = render_ok(m);
    EXPECT_TRUE(header(r.head, "Content-Type").value_or("").starts_with("multipart/mixed; boundary=\"")) << r.head;
    EXPECT_EQ(header(r.head, "MIME-Version"), "1.0");
    auto const parts = parts_of(r);
    ASSERT_EQ(parts.size(), 3u);
    auto const alternative = nested(parts[0]);
    EXPECT_TRUE(header(alternative.head, "Content-Type").value_or("").starts_with("multipart/alternative; boundary=\""));
    auto const bodies = parts_of(alternative);
    ASSERT_EQ(bodies.size(), 2u);
    EXPECT_EQ(bodies[0].head, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64");
    EXPECT_EQ(decode_body(bodies[0].body), m.text);
    EXPECT_EQ(decode_body(bodies[1].body), m.html);
    EXPECT_EQ(parts[1].head,
              "Content-Type: application/pdf; name=\"Q3 report.pdf\"\r\n"
              "Content-Disposition: attachment; filename=\"Q3 report.pdf\"\r\n"
              "Content-Transfer-Encoding: base64");
    EXPECT_EQ(parts[2].head,
              "Content-Type: text/csv; charset=utf-8; name=\"people.csv\"\r\n"
              "Content-Disposition: attachment; filename=\"people.csv\"\r\n"
              "Content-Transfer-Encoding: base64");
}

TEST(MimeAttachments, FileBytesComeBackExactlyFromBase64LinesOf76) {
    auto m = sample();
    m.attachments = {pdf(), {"people.csv", "text/csv", "name,email\nAda,ada@example.com\n"}};
    auto const parts = parts_of(render_ok(m));
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(split(parts[1].body, "\r\n").front().size(), 76u);
    EXPECT_EQ(decode_body(parts[1].body), m.attachments[0].bytes);  // also checks every line <= 76
    // A file's bytes are its own: bare line feeds are not made CRLF as a text body's are.
    EXPECT_EQ(decode_body(parts[2].body), m.attachments[1].bytes);
}

TEST(MimeAttachments, TheTwoBoundariesDifferNeitherIsAPrefixOfTheOtherAndNoContentHoldsThem) {
    auto m = sample();
    m.attachments = {pdf()};
    auto const first = render_ok(m);
    auto const outer = boundary_of(first.head);
    auto const inner = boundary_of(nested(parts_of(first).at(0)).head);
    ASSERT_FALSE(outer.empty());
    ASSERT_FALSE(inner.empty());
    EXPECT_LE(outer.size(), 70u);
    EXPECT_FALSE(outer.starts_with(inner));
    EXPECT_FALSE(inner.starts_with(outer));
    EXPECT_EQ(count(first.body, outer), 3u);  // two delimiters and the closing one
    // Text and a file name that hold them: other boundaries are chosen.
    m.text += "\r\n--" + inner + "\r\n";
    m.attachments[0].filename = outer + ".pdf";
    auto const again = render_ok(m);
    auto const outer2 = boundary_of(again.head);
    auto const parts = parts_of(again);
    ASSERT_EQ(parts.size(), 2u);
    auto const alternative = nested(parts[0]);
    auto const inner2 = boundary_of(alternative.head);
    EXPECT_NE(outer2, outer);
    EXPECT_NE(inner2, inner);
    EXPECT_EQ(count(again.body, outer2), 3u);
    EXPECT_EQ(decode_body(parts_of(alternative).at(0).body), m.text);
    EXPECT_EQ(decode_body(parts[1].body), m.attachments[0].bytes);
}

TEST(MimeAttachments, ANonAsciiNameHasAnRfc2231NameAndAnAsciiFallback) {
    auto m = sample();
    m.attachments = {{"Übersicht März.pdf", "application/pdf", "%PDF-1.7"}};
    auto const parts = parts_of(render_ok(m));
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_EQ(parts[1].head,
              "Content-Type: application/pdf; name=\"_bersicht M_rz.pdf\"\r\n"
              "Content-Disposition: attachment; filename=\"_bersicht M_rz.pdf\";\r\n"
              " filename*=UTF-8''%C3%9Cbersicht%20M%C3%A4rz.pdf\r\n"
              "Content-Transfer-Encoding: base64");
    auto const at = parts[1].head.find("filename*=UTF-8''") + 17;
    EXPECT_EQ(percent_decode(parts[1].head.substr(at, parts[1].head.find("\r\n", at) - at)), "Übersicht März.pdf");
    EXPECT_EQ(decode_body(parts[1].body), "%PDF-1.7");
}

TEST(MimeAttachments, ATextOnlyMessageAndAnEmptyFileAreStillWellFormed) {
    auto m = sample();
    m.html.clear();
    m.attachments = {{"empty.txt", "text/plain", ""}, pdf()};
    auto const parts = parts_of(render_ok(m));
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(parts[0].head, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64");
    EXPECT_EQ(decode_body(parts[0].body), m.text);
    EXPECT_EQ(parts[1].body, "");
    EXPECT_EQ(decode_body(parts[2].body), m.attachments[1].bytes);
    m.text.clear();
    auto const bare = parts_of(render_ok(m));
    ASSERT_EQ(bare.size(), 3u);
    EXPECT_EQ(bare[0].body, "");
}

TEST(MimeAttachments, EveryLineEndsInCrlfAndAttachmentHeadersKeepTo78) {
    auto m = sample();
    std::string long_name;
    for (int i = 0; i < 60; ++i) long_name += "é";
    m.attachments = {{long_name + ".csv", "text/csv", "a,b\n"}, pdf()};
    auto const out = render_mime(m);
    ASSERT_TRUE(out.has_value());
    for (std::size_t i = 0; i < out->size(); ++i) {
        if ((*out)[i] == '\n') {
            EXPECT_TRUE(i > 0 && (*out)[i - 1] == '\r') << "bare LF at " << i;
        }
    }
    auto const parts = parts_of(render_ok(m));
    ASSERT_EQ(parts.size(), 3u);
    for (auto const& line : split(parts[1].head, "\r\n")) EXPECT_LE(line.size(), 78u) << line;
}

TEST(MimeAttachments, NamesAndTypesNotMadeSafeAreRefused) {
    for (std::string const name : std::initializer_list<char const*>{"", "a/b.pdf", "x\r\nBcc: evil@z.com.pdf",
                                                                     ".hidden", "report\u202Efdp.exe", "a\"b.pdf"}) {
        auto m = sample();
        m.attachments = {{name, "application/pdf", "x"}};
        expect_refused(m, "attachments[0].filename");
    }
    for (std::string const type : std::initializer_list<char const*>{"", "pdf", "Application/PDF", "multipart/mixed",
                                                                     "message/rfc822", "application/pdf\r\nBcc: x"}) {
        auto m = sample();
        m.attachments = {pdf(), {"b.pdf", type, "x"}};
        expect_refused(m, "attachments[1].content_type");
    }
    auto m = sample();
    m.attachments = {{"a\"b.pdf", "application/pdf", "x"}};
    EXPECT_FALSE(check_mail(m));  // checked without encoding too, as Mailer::queue does
}
