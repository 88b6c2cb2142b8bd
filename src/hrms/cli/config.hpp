#pragma once
// Loading the Config: defaults, then hrms.toml (if any), then HRMS_* environment variables.
#include <string>
#include <vector>

#include "hrms/app/config.hpp"

namespace hrms::cli {

struct SettingDoc {
    std::string env;      // HRMS_LISTEN
    std::string toml;     // listen
};

// Reads `toml_path` when it is non-empty (or ./hrms.toml when that exists), then the
// environment. Throws std::runtime_error naming the setting for any bad value or unknown key.
app::Config load_config(std::string const& toml_path);

// Every setting's environment name, in documentation order (checked against
// docs/operations.md by a test).
std::vector<SettingDoc> setting_names();

}  // namespace hrms::cli
