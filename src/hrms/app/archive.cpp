#include "hrms/app/archive.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>

#include "hrms/core/text.hpp"

namespace hrms::app {

namespace {

constexpr std::size_t kChunk = 1024 * 1024;  // what one next() hands the HTTP layer
constexpr std::size_t kRead = 256 * 1024;    // one read of a document's file

// Asks the kernel to start reading `path` now, in the background, so that the next document is
// in the page cache by the time the current one has been hashed and sent (reading and the work
// per byte overlap instead of taking turns).
void prefetch(std::string const& path) {
    int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
    ::close(fd);
}

// A path segment from free text: slashes would make folders of their own.
std::string segment(std::string text) {
    std::replace(text.begin(), text.end(), '/', '_');
    return text;
}

constexpr char kManifestHeader[] = "path,profile_id,employee,document_id,type,filename,size,sha256,status,file\r\n";

}  // namespace

std::vector<ArchiveEntry> plan_archive(Tx& tx, BlobStore const& blobs, ArchiveRequest const& request) {
    std::vector<ArchiveEntry> out;
    std::map<ProfileId, std::optional<ProfileRecord>> profiles;
    auto profile = [&](ProfileId id) -> std::optional<ProfileRecord> const& {
        auto it = profiles.find(id);
        if (it == profiles.end()) it = profiles.emplace(id, tx.profiles().by_id(id)).first;
        return it->second;
    };
    auto add = [&](DocumentRecord d) {
        if (request.status && d.status != *request.status) return;
        auto const& p = profile(d.profile_id);
        ArchiveEntry e;
        e.profile_id = d.profile_id;
        e.employee = p ? p->name : std::string();
        std::string const folder = segment(std::to_string(d.profile_id) + (e.employee.empty() ? "" : " " + e.employee));
        std::string const file = segment(d.type + "-" + std::to_string(d.id) + "-" + d.filename);
        e.path = core::zip_safe_name(folder + "/" + file);
        e.blob_path = blobs.path_of(d.sha256);
        e.requested_id = std::to_string(d.id);
        e.document = std::move(d);
        out.push_back(std::move(e));
    };
    std::set<std::int64_t> seen;
    for (auto id : request.document_ids) {
        if (!seen.insert(id).second) continue;
        if (auto d = tx.documents().by_id(id)) {
            add(std::move(*d));
        } else {
            ArchiveEntry e;
            e.requested_id = std::to_string(id);
            out.push_back(std::move(e));
        }
    }
    seen.clear();
    for (auto id : request.profile_ids) {
        if (!seen.insert(id).second) continue;
        if (!profile(id)) {
            ArchiveEntry e;
            e.profile_id = id;
            out.push_back(std::move(e));
            continue;
        }
        for (auto& d : tx.documents().of(id, false)) add(std::move(d));
    }
    return out;
}

DocumentArchive::DocumentArchive(std::vector<ArchiveEntry> entries, Instant now)
    : entries_(std::move(entries)), now_(now), zip_([this](std::string_view bytes) { out_.append(bytes); }),
      manifest_(kManifestHeader) {
    buffer_.resize(kRead);
}

DocumentArchive::~DocumentArchive() {
    if (file_) std::fclose(file_);
}

void DocumentArchive::add_row(ArchiveEntry const& e, std::string const& sha256, std::string const& outcome,
                              bool in_archive) {
    auto field = [&](std::string_view v, bool last = false) {
        core::csv_field(manifest_, v);
        manifest_ += last ? "\r\n" : ",";
    };
    field(in_archive ? e.path : "");
    field(e.profile_id ? std::to_string(e.profile_id) : "");
    field(e.employee);
    field(e.document ? std::to_string(e.document->id) : e.requested_id);
    field(e.document ? e.document->type : "");
    field(e.document ? e.document->filename : "");
    field(e.document ? std::to_string(e.document->size) : "");
    field(sha256);
    field(e.document ? core::to_string(e.document->status) : "");
    field(outcome, true);
}

bool DocumentArchive::open_next() {
    while (index_ < entries_.size()) {
        auto const& e = entries_[index_];
        if (!e.document) {
            add_row(e, "", e.requested_id.empty() ? "profile not found" : "document not found", false);
            ++index_;
            continue;
        }
        file_ = std::fopen(e.blob_path.c_str(), "rb");
        for (std::size_t next = index_ + 1; next < entries_.size(); ++next) {
            if (!entries_[next].document) continue;
            prefetch(entries_[next].blob_path);
            break;
        }
        if (!file_) {
            add_row(e, e.document->sha256, "missing: the stored file is gone", false);
            ++index_;
            continue;
        }
        read_ = 0;
        zip_.begin(e.path, e.document->uploaded_at);
        return true;
    }
    return false;
}

void DocumentArchive::finish_member(char const* failure) {
    auto const& e = entries_[index_];
    std::fclose(file_);
    file_ = nullptr;
    zip_.end();
    auto const sha = sha_.hex();
    // The member is in the archive whatever happened; the row says whether to trust it.
    std::string outcome = "included";
    if (failure)
        outcome = failure;
    else if (sha != e.document->sha256 || read_ != e.document->size)
        outcome = "corrupt: the stored file differs from the upload";
    add_row(e, sha, outcome, true);
    ++index_;
}

bool DocumentArchive::next(std::string& chunk) {
    while (out_.size() < kChunk && !done_) {
        if (file_) {
            auto const n = std::fread(buffer_.data(), 1, buffer_.size(), file_);
            if (n > 0) {
                std::string_view const piece(buffer_.data(), n);
                sha_.update(piece);
                zip_.write(piece);
                read_ += static_cast<std::int64_t>(n);
                continue;
            }
            finish_member(std::ferror(file_) ? "unreadable: reading the stored file failed part-way" : nullptr);
            continue;
        }
        if (!open_next()) {
            zip_.add("manifest.csv", now_, manifest_);
            zip_.finish();
            done_ = true;
        }
    }
    chunk.swap(out_);
    out_.clear();
    return !done_;
}

}  // namespace hrms::app
