#include "hrms/core/text.hpp"

#include <gtest/gtest.h>

using namespace hrms::core;

TEST(SanitizeFilename, PathTraversalKeepsOnlyTheLastComponent) {
    EXPECT_EQ(sanitize_filename("../../etc/passwd.pdf"), "passwd.pdf");
    EXPECT_EQ(sanitize_filename("C:\\Users\\me\\scan.png"), "scan.png");
}

TEST(SanitizeFilename, DotsControlAndShellCharactersAreNeutralised) {
    EXPECT_EQ(sanitize_filename(".."), "document");
    EXPECT_EQ(sanitize_filename(".hidden"), "hidden");
    EXPECT_EQ(sanitize_filename("a\r\nb\x01.pdf"), "ab.pdf");
    EXPECT_EQ(sanitize_filename("x\"y<z>|w?.pdf"), "x_y_z__w_.pdf");
    EXPECT_EQ(sanitize_filename(""), "document");
    EXPECT_EQ(sanitize_filename(". .x"), "x") << "found by fuzzing: a dot behind a blank";
}

TEST(SanitizeFilename, LongNamesKeepTheirExtensionAndWholeCharacters) {
    std::string name;
    for (int i = 0; i < 150; ++i) name += "é";  // 300 bytes
    auto const out = sanitize_filename(name + ".pdf");
    EXPECT_LE(out.size(), 200u);
    EXPECT_TRUE(out.ends_with(".pdf"));
    EXPECT_EQ((out.size() - 4) % 2, 0u) << "no half UTF-8 sequence";
}

TEST(SanitizeFilename, InvalidUtf8IsReplacedNotPassedOn) {
    EXPECT_EQ(sanitize_filename("\xff\xfe.pdf"), "\xEF\xBF\xBD\xEF\xBF\xBD.pdf");
    EXPECT_TRUE(is_valid_utf8(sanitize_filename("a\xc3.pdf")));
}

TEST(Utf8, WellFormedTextIsValid) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("plain"));
    EXPECT_TRUE(is_valid_utf8("Zo\xC3\xAB \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80"));
    EXPECT_TRUE(is_valid_utf8("\xEF\xBF\xBF\xF4\x8F\xBF\xBF"));  // U+FFFF, U+10FFFF
}

TEST(Utf8, OverlongSurrogateTruncatedAndOutOfRangeSequencesAreInvalid) {
    EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
    EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate U+D800
    EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_FALSE(is_valid_utf8("\xE6\x97"));          // cut short
    EXPECT_FALSE(is_valid_utf8("\x80"));              // lone continuation
    EXPECT_FALSE(is_valid_utf8("\xFF"));
}

TEST(Utf8, RepairReplacesEachBadSubpartOnceAndKeepsTheRest) {
    EXPECT_EQ(repair_utf8("ok"), "ok");
    EXPECT_EQ(repair_utf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
    EXPECT_EQ(repair_utf8("\xE6\x97x"), "\xEF\xBF\xBDx");  // a truncated sequence is one U+FFFD
    EXPECT_EQ(repair_utf8("\xF0\x9F\x98\x80\x80"), "\xF0\x9F\x98\x80\xEF\xBF\xBD");
    EXPECT_TRUE(is_valid_utf8(repair_utf8("\xC0\xAF\xED\xA0\x80\xF5")));
}

TEST(ControlChars, NulC0AndDelAreControlCharacters) {
    EXPECT_TRUE(has_control_chars(std::string_view("ab\0c", 4)));
    EXPECT_TRUE(has_control_chars("a\x01"));
    EXPECT_TRUE(has_control_chars("a\x7f"));
    EXPECT_FALSE(has_control_chars("caf\xC3\xA9 ok"));
}

TEST(Utf8, ClippingNeverSplitsACharacterAndRepairsFirst) {
    EXPECT_EQ(clip_utf8("abc", 10), "abc");
    EXPECT_EQ(clip_utf8("ab\xC3\xA9", 3), "ab");  // the two-byte character does not fit
    EXPECT_EQ(clip_utf8("a\xFF", 10), "a\xEF\xBF\xBD");
    EXPECT_TRUE(is_valid_utf8(clip_utf8(std::string(300, '\xE6'), 256)));
}

TEST(FoldCase, AsciiFoldsToLowerCaseAndKeepsEverythingElse) {
    EXPECT_EQ(fold_case("Ada LOVELACE <ada_100%@Example.COM>"), "ada lovelace <ada_100%@example.com>");
    EXPECT_EQ(fold_case(""), "");
}

TEST(FoldCase, SharpSFoldsToDoubleS) {
    EXPECT_EQ(fold_case("Straße"), "strasse");
    EXPECT_EQ(fold_case("STRASSE"), fold_case("Straße"));
    EXPECT_EQ(fold_case("ẞ"), "ss");  // the capital sharp s
}

TEST(FoldCase, GreekFinalSigmaFoldsLikeEverySigma) {
    EXPECT_EQ(fold_case("ΣΊΣΥΦΟΣ"), "σίσυφοσ");
    EXPECT_EQ(fold_case("σίσυφος"), "σίσυφοσ");
}

TEST(FoldCase, TurkishDottedCapitalIKeepsItsDotAsACombiningMark) {
    // Full default folding, not the Turkic mappings: İ is i followed by U+0307.
    EXPECT_EQ(fold_case("İ"), "i\xCC\x87");
    EXPECT_EQ(fold_case("İstanbul"), "i\xCC\x87stanbul");
    EXPECT_EQ(fold_case("ı"), "ı");  // the dotless small i has no other case to fold to
}

TEST(FoldCase, CyrillicFolds) {
    EXPECT_EQ(fold_case("ЁЛКА Привет"), "ёлка привет");
}

TEST(FoldCase, TextWithoutCaseIsUnchanged) {
    EXPECT_EQ(fold_case("日本語 中文 한국어"), "日本語 中文 한국어");
    EXPECT_EQ(fold_case("١٢٣ 😀"), "١٢٣ 😀");
}

TEST(FoldCase, CompatibilityFormsFoldAsUnicodeSays) {
    EXPECT_EQ(fold_case("\xEF\xAC\x81"), "fi");       // U+FB01 LATIN SMALL LIGATURE FI
    EXPECT_EQ(fold_case("\xE2\x84\xAA"), "k");        // U+212A KELVIN SIGN
}

TEST(FoldCase, FoldingTwiceChangesNothing) {
    for (std::string_view s : {"Straße", "ΣΊΣΥΦΟΣ", "İstanbul", "ЁЛКА", "ﬁ"}) {
        EXPECT_EQ(fold_case(fold_case(s)), fold_case(s)) << s;
    }
}

TEST(FoldCase, IllFormedUtf8DoesNotFailAndComesBackWellFormed) {
    EXPECT_EQ(fold_case("A\xFF" "B"), "a\xEF\xBF\xBD" "b");
    EXPECT_TRUE(is_valid_utf8(fold_case("\xC0\xAF\xED\xA0\x80\xE6\x97")));
}
