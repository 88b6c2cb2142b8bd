#include "hrms/app/audit_key.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace hrms::app {

namespace {
std::string to_hex(unsigned char const* data, std::size_t n) {
    std::string out(n * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), data, n);
    out.pop_back();
    return out;
}
std::optional<std::string> from_hex(std::string const& hex, std::size_t n) {
    std::string out(n, '\0');
    std::size_t len = 0;
    if (hex.size() != n * 2 ||
        sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), n, hex.data(), hex.size(), nullptr, &len,
                       nullptr) != 0 ||
        len != n)
        return std::nullopt;
    return out;
}
}  // namespace

std::string checkpoint_message(AuditCheckpoint const& c) {
    return "hrms-audit-checkpoint-v1|" + std::to_string(c.seq) + "|" + c.hash + "|" + to_rfc3339(c.at);
}

bool checkpoint_signed(AuditCheckpoint const& c) {
    auto const pk = from_hex(c.public_key, crypto_sign_PUBLICKEYBYTES);
    auto const sig = from_hex(c.signature, crypto_sign_BYTES);
    if (!pk || !sig) return false;
    auto const msg = checkpoint_message(c);
    return crypto_sign_verify_detached(reinterpret_cast<unsigned char const*>(sig->data()),
                                       reinterpret_cast<unsigned char const*>(msg.data()), msg.size(),
                                       reinterpret_cast<unsigned char const*>(pk->data())) == 0;
}

AuditKey AuditKey::from_seed(std::string const& seed32) {
    AuditKey k;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    k.secret_.resize(crypto_sign_SECRETKEYBYTES);
    crypto_sign_seed_keypair(pk, reinterpret_cast<unsigned char*>(k.secret_.data()),
                             reinterpret_cast<unsigned char const*>(seed32.data()));
    k.public_hex_ = to_hex(pk, sizeof pk);
    return k;
}

Result<AuditKey> AuditKey::load_or_create(std::string const& path) {
    auto bad = [&](std::string const& why) {
        return invalid_field("HRMS_AUDIT_KEY_FILE", "the audit signing key " + path + " " + why);
    };
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        std::string seed(crypto_sign_SEEDBYTES, '\0');
        randombytes_buf(seed.data(), seed.size());
        auto const parent = std::filesystem::path(path).parent_path();
        if (!parent.empty()) std::filesystem::create_directories(parent, ec);
        // Created readable by the owner only, before the secret is written into it.
        std::FILE* f = std::fopen(path.c_str(), "wx");
        if (!f) return bad("cannot be created");
        ::chmod(path.c_str(), 0600);
        auto const hex = to_hex(reinterpret_cast<unsigned char const*>(seed.data()), seed.size()) + "\n";
        bool const ok = std::fwrite(hex.data(), 1, hex.size(), f) == hex.size();
        if (std::fclose(f) != 0 || !ok) return bad("could not be written");
        sodium_memzero(seed.data(), seed.size());
    }
    std::ifstream in(path);
    std::string hex;
    if (!in || !std::getline(in, hex)) return bad("cannot be read");
    while (!hex.empty() && (hex.back() == '\r' || hex.back() == ' ')) hex.pop_back();
    auto seed = from_hex(hex, crypto_sign_SEEDBYTES);
    if (!seed) return bad("must hold a 32-byte seed as 64 hex digits");
    auto k = from_seed(*seed);
    sodium_memzero(seed->data(), seed->size());
    return k;
}

void AuditKey::sign(AuditCheckpoint& c) const {
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_ed25519_sk_to_pk(pk, reinterpret_cast<unsigned char const*>(secret_.data()));
    c.public_key = to_hex(pk, sizeof pk);
    auto const msg = checkpoint_message(c);
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<unsigned char const*>(msg.data()), msg.size(),
                         reinterpret_cast<unsigned char const*>(secret_.data()));
    c.signature = to_hex(sig, sizeof sig);
}

}  // namespace hrms::app
