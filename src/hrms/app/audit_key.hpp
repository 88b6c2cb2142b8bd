#pragma once
// The audit chain's signing key (Ed25519, libsodium) and its checkpoints: a signed statement
// "the chain's entry `seq` has hash `hash`", written periodically, so that a chain rewritten
// from any point (hashes recomputed), or cut short, no longer matches what was signed, and so
// that an exported chain can be checked on another machine with the public key alone.
#include <optional>
#include <string>

#include "hrms/app/ports.hpp"
#include "hrms/core/error.hpp"

namespace hrms::app {

// The signed text of a checkpoint.
std::string checkpoint_message(AuditCheckpoint const& c);

// True when `c.signature` is `c.public_key`'s Ed25519 signature of checkpoint_message(c).
bool checkpoint_signed(AuditCheckpoint const& c);

class AuditKey {
public:
    // The key in `path` (its 32-byte seed as 64 hex digits), created with mode 0600 when the
    // file does not exist. validation_failed naming the setting for an unreadable or malformed
    // file.
    static Result<AuditKey> load_or_create(std::string const& path);
    // A key from a seed (tests).
    static AuditKey from_seed(std::string const& seed32);

    std::string const& public_key() const { return public_hex_; }  // 64 hex digits
    // Fills in `c.public_key` and `c.signature`.
    void sign(AuditCheckpoint& c) const;

private:
    std::string secret_;  // libsodium's 64-byte secret key
    std::string public_hex_;
};

}  // namespace hrms::app
