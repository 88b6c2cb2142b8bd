#pragma once
// `hrms audit verify [--file F] [--public-key HEX]` and `hrms audit checkpoint export [--out F]`.
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "hrms/app/ports.hpp"
#include "hrms/cli/config.hpp"

namespace hrms::cli {

// The `audit` subcommands and their options.
struct AuditCommands {
    CLI::App* verify = nullptr;
    CLI::App* export_ = nullptr;
    std::string file, public_key, out = "-";

    void add_to(CLI::App& cli);
    bool chosen() const { return (verify && *verify) || (export_ && *export_); }
    // Runs the chosen one; `open` opens (and migrates) the configured store when it needs one.
    int run(Config const& config, std::function<std::unique_ptr<app::Store>()> const& open) const;
};

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

// Retention (HRMS_AUDIT_RETENTION_DAYS): archives the entries older than the retention period,
// up to the newest checkpoint signed before it began, into
// <data dir>/audit-archive/audit-<first>-<last>.jsonl.gz (the export format, with the
// checkpoints that vouch for both ends), fsyncs it, and only then deletes them. The entries
// deleted (0 when retention is off or nothing is old enough).
std::int64_t audit_retention(app::Store& store, Config const& config, std::optional<std::string> public_key,
                             Instant now);

// Settings are read at start: a change is a restart with other values. Compares the settings
// given now with those of the newest `settings.applied` entry and, when they differ (or there
// is none), records a `system` entry naming each change; secrets appear only as a fingerprint.
// True when it recorded one.
bool record_settings(app::Store& store, Config const& config, Instant now);

}  // namespace hrms::cli
