#pragma once
// Password hashing (argon2id), random tokens and SHA-256, over libsodium and OpenSSL.
#include <string>
#include <string_view>

namespace hrms::app {

// Must be called once before any other function here; false if libsodium cannot start.
bool crypto_init();

// An argon2id hash in the PHC string format ($argon2id$v=19$...), salted at random.
std::string hash_password(std::string_view password);

// True when `password` matches `phc_hash`; false for any malformed hash.
bool verify_password(std::string_view password, std::string const& phc_hash);

// `bytes` random bytes as unpadded base64url text.
std::string random_token(std::size_t bytes = 32);

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// SHA-256 of data given in pieces (a file as it is read).
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(Sha256 const&) = delete;
    Sha256& operator=(Sha256 const&) = delete;
    void update(std::string_view data);
    // Lower-case hex of everything given; the hasher starts again afterwards.
    std::string hex();

private:
    void* ctx_;  // EVP_MD_CTX
};

// Compares in time independent of where the strings differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace hrms::app
