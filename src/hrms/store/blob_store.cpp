#include "hrms/store/blob_store.hpp"

#include <fcntl.h>
#include <magic.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <random>
#include <stdexcept>

namespace hrms::store {

namespace fs = std::filesystem;

namespace {

void fsync_dir(fs::path const& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

class DiskBlobStore final : public app::BlobStore {
public:
    static constexpr std::size_t kSniffBytes = 64 * 1024;

    explicit DiskBlobStore(fs::path root) : root_(std::move(root)) {
        fs::create_directories(root_ / "blobs");
        fs::create_directories(root_ / "tmp");
        magic_ = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
        if (!magic_ || magic_load(magic_, nullptr) != 0)
            throw std::runtime_error("libmagic could not load its database");
        // Stale uploads of a previous run (a crash mid-upload) are removed at start.
        for (auto const& e : fs::directory_iterator(root_ / "tmp")) {
            std::error_code ec;
            fs::remove(e.path(), ec);
        }
    }
    ~DiskBlobStore() override {
        if (magic_) magic_close(magic_);
    }

    std::string temp_path() override {
        thread_local std::mt19937_64 rng{std::random_device{}()};
        return (root_ / "tmp" / ("upload-" + std::to_string(rng()) + "-" + std::to_string(counter_++))).string();
    }

    std::string sniff(std::string const& path) override {
        // The head of the file is enough to tell a type, and reading only that keeps memory
        // flat: libmagic would otherwise read megabytes of every upload.
        std::string head(kSniffBytes, '\0');
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return "application/octet-stream";
        auto const n = ::read(fd, head.data(), head.size());
        ::close(fd);
        if (n <= 0) return "application/x-empty";
        // One magic cookie is not safe to share between threads.
        std::lock_guard lock(magic_mutex_);
        char const* type = magic_buffer(magic_, head.data(), static_cast<std::size_t>(n));
        return type ? type : "application/octet-stream";
    }

    void put(std::string const& temp, std::string const& sha256) override {
        if (sha256.size() != 64) throw std::invalid_argument("sha256 must be 64 hex characters");
        auto const target = fs::path(path_of(sha256));
        fs::create_directories(target.parent_path());
        if (fs::exists(target)) {
            fs::remove(temp);  // same content is stored once
            return;
        }
        fs::rename(temp, target);
        fsync_dir(target.parent_path());
    }

    std::string path_of(std::string const& sha256) const override {
        return (root_ / "blobs" / sha256.substr(0, 2) / sha256.substr(2, 2) / sha256).string();
    }

    void remove_temp(std::string const& temp) override {
        std::error_code ec;
        fs::remove(temp, ec);
    }

private:
    fs::path root_;
    magic_t magic_ = nullptr;
    std::mutex magic_mutex_;
    std::atomic<std::uint64_t> counter_{0};
};

}  // namespace

std::unique_ptr<app::BlobStore> open_blob_store(std::string const& data_dir) {
    return std::make_unique<DiskBlobStore>(data_dir);
}

}  // namespace hrms::store
