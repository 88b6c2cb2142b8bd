#include "hrms/app/crypto.hpp"

#include <gtest/gtest.h>

using namespace hrms::app;

TEST(Crypto, PasswordHashVerifiesOnlyTheSamePassword) {
    ASSERT_TRUE(crypto_init());
    auto const h = hash_password("correct horse battery");
    EXPECT_TRUE(h.starts_with("$argon2id$"));
    EXPECT_TRUE(verify_password("correct horse battery", h));
    EXPECT_FALSE(verify_password("correct horse batterY", h));
    EXPECT_FALSE(verify_password("x", "not a hash"));
}

TEST(Crypto, TwoHashesOfOnePasswordDifferBySalt) {
    ASSERT_TRUE(crypto_init());
    EXPECT_NE(hash_password("same password!"), hash_password("same password!"));
}

TEST(Crypto, Sha256MatchesTheKnownVector) {
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, TokensAreUrlSafeAndDistinct) {
    ASSERT_TRUE(crypto_init());
    auto const a = random_token(), b = random_token();
    EXPECT_EQ(a.size(), 43u);
    EXPECT_NE(a, b);
    EXPECT_EQ(a.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
}

TEST(Sha256Stream, PiecesHashLikeTheWholeAndTheHasherStartsAgain) {
    hrms::app::Sha256 h;
    h.update("ab");
    h.update("");
    h.update("c");
    EXPECT_EQ(h.hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(h.hex(), hrms::app::sha256_hex(""));
    h.update("abc");
    EXPECT_EQ(h.hex(), hrms::app::sha256_hex("abc"));
}
