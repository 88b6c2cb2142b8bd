#pragma once
// `hrms audit verify [--file F] [--public-key HEX]` and `hrms audit checkpoint export [--out F]`.
#include <optional>
#include <string>

#include "hrms/app/ports.hpp"
#include "hrms/cli/config.hpp"

namespace hrms::cli {

// The audit signing key's file: HRMS_AUDIT_KEY_FILE, or audit-signing.key in the data dir.
std::string audit_key_path(Config const& config);
// The configured key's public key, when its file exists (nothing is created).
std::optional<std::string> configured_public_key(Config const& config);

// Walks the database's chain; prints a JSON result; 0 when it holds, 1 otherwise.
int audit_verify(app::Store& store, std::optional<std::string> trusted_key);
// Walks an exported chain without any database; `trusted_key` pins the signer (without it the
// key the file names is used, and a warning says so).
int audit_verify_file(std::string const& path, std::optional<std::string> trusted_key);
// Writes the chain, its checkpoints and the public key as JSON lines to `out` ("-": stdout).
int audit_export(app::Store& store, std::optional<std::string> public_key, std::string const& out);

}  // namespace hrms::cli
