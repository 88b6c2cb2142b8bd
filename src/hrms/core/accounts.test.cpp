#include "hrms/core/accounts.hpp"

#include <gtest/gtest.h>

#include "hrms/core/time.hpp"

using namespace hrms;
using namespace hrms::core;

TEST(Email, IsTrimmedAndLowerCased) {
    EXPECT_EQ(normalize_email("  Ada.Lovelace@Example.COM ").value(), "ada.lovelace@example.com");
}

TEST(Email, MalformedAddressesAreRefusedNamingTheField) {
    for (auto bad : {"", "plain", "@x.io", "a@", "a@b", "a@@b.io", "a b@c.io", "a@.io", "a@b..io"}) {
        auto const r = normalize_email(bad, "email");
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, ErrorCode::validation_failed);
        EXPECT_EQ(r.error().details_json, "{\"field\":\"email\"}");
    }
}

TEST(PasswordPolicy, TwelveCharactersIsEnough) {
    EXPECT_TRUE(check_password_policy("abcdefghijkl", "a@b.io"));
}

TEST(PasswordPolicy, ElevenCharactersIsTooShort) {
    EXPECT_FALSE(check_password_policy("abcdefghijk", "a@b.io"));
}

TEST(PasswordPolicy, LengthCountsCharactersNotBytes) {
    EXPECT_FALSE(check_password_policy("ééééééééééé", "a@b.io"));  // 11 chars, 22 bytes
    EXPECT_TRUE(check_password_policy("éééééééééééé", "a@b.io"));
}

TEST(PasswordPolicy, EmailAsPasswordIsRefusedInAnyCase) {
    EXPECT_FALSE(check_password_policy("Long.Name@Example.com", "long.name@example.com"));
}

TEST(Names, BlankAndControlCharactersAreRefused) {
    EXPECT_FALSE(normalize_name("   "));
    EXPECT_FALSE(normalize_name("a\x01b"));
    EXPECT_EQ(normalize_name(" Ada ").value(), "Ada");
}

TEST(RoleNames, OnlyLowerSnakeCase) {
    EXPECT_TRUE(check_role_name("team_lead"));
    EXPECT_FALSE(check_role_name("Team"));
    EXPECT_FALSE(check_role_name("1x"));
    EXPECT_FALSE(check_role_name("a-b"));
    EXPECT_FALSE(check_role_name("a"));
}

TEST(Permissions, AdminWildcardGrantsEverything) {
    EXPECT_TRUE(has_permission(builtin_permissions("admin"), "roles.manage"));
    EXPECT_FALSE(has_permission(builtin_permissions("reviewer"), "roles.manage"));
    EXPECT_TRUE(has_permission(builtin_permissions("reviewer"), "profiles.review"));
}

TEST(Time, FormatsFixedWidthUtc) {
    EXPECT_EQ(to_rfc3339(Instant{0}), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(to_rfc3339(Instant{1'795'000'000'123}), "2026-11-18T11:06:40.123Z");
}

TEST(Time, ParsesWhatItFormatsAndOffsets) {
    Instant const t{1'795'000'000'123};
    EXPECT_EQ(parse_rfc3339(to_rfc3339(t)), t);
    EXPECT_EQ(parse_rfc3339("2026-11-18T13:06:40.123+02:00"), t);
    EXPECT_EQ(parse_rfc3339("2026-11-18T11:06:40Z")->ms, 1'795'000'000'000);
}

TEST(Time, RejectsImpossibleDates) {
    EXPECT_FALSE(parse_rfc3339("2026-02-29T00:00:00Z"));
    EXPECT_TRUE(parse_rfc3339("2024-02-29T00:00:00Z"));
    EXPECT_FALSE(parse_rfc3339("2026-13-01T00:00:00Z"));
    EXPECT_FALSE(parse_rfc3339("2026-01-01"));
    EXPECT_FALSE(parse_rfc3339("2026-01-01T00:00:00"));
}

TEST(Permissions, OnlyProfileSelfIsASelfPermission) {
    EXPECT_TRUE(is_self_permission("profile.self"));
    EXPECT_FALSE(is_self_permission("users.write"));
    EXPECT_FALSE(is_self_permission("*"));
}

TEST(SearchText, IsNameAndEmailCaseFolded) {
    EXPECT_EQ(search_text("Ada Lovelace", "ada@example.com"), "ada lovelace ada@example.com");
    EXPECT_EQ(search_text("Jürgen STRAẞE", "j@example.com"), "jürgen strasse j@example.com");
    EXPECT_EQ(search_text("ΣΊΣΥΦΟΣ", "s@example.com"), search_text("σίσυφος", "s@example.com"));
}
