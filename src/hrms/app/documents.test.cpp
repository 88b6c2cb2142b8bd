#include "hrms/app/documents.hpp"

#include <gtest/gtest.h>

using namespace hrms::app;

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
}

TEST(SanitizeFilename, LongNamesKeepTheirExtensionAndWholeCharacters) {
    std::string name;
    for (int i = 0; i < 150; ++i) name += "é";  // 300 bytes
    auto const out = sanitize_filename(name + ".pdf");
    EXPECT_LE(out.size(), 200u);
    EXPECT_TRUE(out.ends_with(".pdf"));
    EXPECT_EQ((out.size() - 4) % 2, 0u) << "no half UTF-8 sequence";
}
