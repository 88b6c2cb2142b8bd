#pragma once
// Content-addressed document storage under HRMS_DATA_DIR: blobs/ab/cd/<sha256>, uploads staged
// in tmp/ on the same file system so the final rename is atomic.
#include <memory>
#include <string>

#include "hrms/app/ports.hpp"

namespace hrms::store {

// Creates the directories; throws std::runtime_error when they cannot be made or libmagic
// cannot load its database.
std::unique_ptr<app::BlobStore> open_blob_store(std::string const& data_dir);

}  // namespace hrms::store
