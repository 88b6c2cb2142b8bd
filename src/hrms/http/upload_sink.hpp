#pragma once
// Receives a multipart upload: the file part streams into a temporary file (hashed with SHA-256
// on the way), small text fields are kept in memory. Beast-free.
#include <openssl/evp.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hrms/app/documents.hpp"
#include "hrms/app/ports.hpp"
#include "hrms/http/multipart.hpp"

namespace hrms::http {

class UploadSink {
public:
    static constexpr std::size_t kMaxFieldBytes = 1024;
    static constexpr std::size_t kMaxFields = 20;

    UploadSink(app::BlobStore& blobs, std::size_t max_file_bytes);
    ~UploadSink();  // removes the temporary file unless it was released
    UploadSink(UploadSink const&) = delete;
    UploadSink& operator=(UploadSink const&) = delete;

    // Callbacks for MultipartParser. Errors: payload_too_large past max_file_bytes,
    // bad_request for a second file part or too many/too large fields.
    MultipartParser::Handler handler();
    // Flushes and fsyncs the file.
    Result<void> finish();
    // The staged file (if a file part came); the caller now owns the temporary file.
    std::optional<app::StagedUpload> release();
    std::vector<std::pair<std::string, std::string>> const& fields() const { return fields_; }

private:
    Result<void> begin(PartHeaders const& h);
    Result<void> data(std::string_view bytes);

    app::BlobStore& blobs_;
    std::size_t max_file_bytes_;
    int fd_ = -1;
    std::string path_;
    std::string filename_;
    std::int64_t size_ = 0;
    EVP_MD_CTX* sha_ = nullptr;
    std::string sha_hex_;
    bool in_file_ = false;
    bool had_file_ = false;
    bool released_ = false;
    std::vector<std::pair<std::string, std::string>> fields_;
};

}  // namespace hrms::http
