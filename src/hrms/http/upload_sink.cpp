#include "hrms/http/upload_sink.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace hrms::http {

UploadSink::UploadSink(app::BlobStore& blobs, std::size_t max_file_bytes)
    : blobs_(blobs), max_file_bytes_(max_file_bytes) {}

UploadSink::~UploadSink() {
    if (fd_ >= 0) ::close(fd_);
    if (sha_) EVP_MD_CTX_free(sha_);
    if (!path_.empty() && !released_) blobs_.remove_temp(path_);
}

MultipartParser::Handler UploadSink::handler() {
    return {[this](PartHeaders const& h) { return begin(h); },
            [this](std::string_view d) { return data(d); },
            [this]() -> Result<void> {
                in_file_ = false;
                return {};
            }};
}

Result<void> UploadSink::begin(PartHeaders const& h) {
    if (h.filename) {
        if (had_file_) return fail(ErrorCode::bad_request, "only one file may be uploaded at a time");
        had_file_ = true;
        in_file_ = true;
        filename_ = *h.filename;
        path_ = blobs_.temp_path();
        fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd_ < 0) throw std::runtime_error("cannot create upload file: " + std::string(std::strerror(errno)));
        sha_ = EVP_MD_CTX_new();
        if (!sha_ || EVP_DigestInit_ex(sha_, EVP_sha256(), nullptr) != 1) throw std::runtime_error("sha256 init failed");
        return {};
    }
    if (fields_.size() >= kMaxFields) return fail(ErrorCode::bad_request, "too many form fields");
    fields_.emplace_back(h.name, std::string());
    return {};
}

Result<void> UploadSink::data(std::string_view bytes) {
    if (!in_file_) {
        if (fields_.empty()) return {};
        auto& value = fields_.back().second;
        if (value.size() + bytes.size() > kMaxFieldBytes)
            return invalid_field(fields_.back().first, "form field is too long");
        value.append(bytes);
        return {};
    }
    size_ += static_cast<std::int64_t>(bytes.size());
    if (static_cast<std::size_t>(size_) > max_file_bytes_)
        return fail(ErrorCode::payload_too_large,
                    "the file is larger than " + std::to_string(max_file_bytes_) + " bytes");
    EVP_DigestUpdate(sha_, bytes.data(), bytes.size());
    while (!bytes.empty()) {
        auto const n = ::write(fd_, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error("cannot write upload: " + std::string(std::strerror(errno)));
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

Result<void> UploadSink::finish() {
    if (fd_ >= 0) {
        // Durable before the database row that points at it commits.
        if (::fsync(fd_) != 0) throw std::runtime_error("cannot fsync upload: " + std::string(std::strerror(errno)));
        ::close(fd_);
        fd_ = -1;
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_DigestFinal_ex(sha_, digest, &len);
        static constexpr char kHex[] = "0123456789abcdef";
        sha_hex_.clear();
        for (unsigned i = 0; i < len; ++i) {
            sha_hex_.push_back(kHex[digest[i] >> 4]);
            sha_hex_.push_back(kHex[digest[i] & 0xF]);
        }
    }
    return {};
}

std::optional<app::StagedUpload> UploadSink::release() {
    if (!had_file_ || sha_hex_.empty()) return std::nullopt;
    released_ = true;
    return app::StagedUpload{path_, filename_, size_, sha_hex_};
}

}  // namespace hrms::http
