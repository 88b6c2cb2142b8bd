#pragma once
// A ZIP of documents for download (POST /api/v1/bulk/documents/archive), produced piece by piece
// as the client reads it, so any number of documents goes out in constant memory: a folder per
// employee and a manifest.csv, where a file that is missing or unreadable is a row that says so
// instead of a failed archive.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hrms/app/actor.hpp"
#include "hrms/app/crypto.hpp"
#include "hrms/app/ports.hpp"
#include "hrms/core/zip.hpp"

namespace hrms::app {

struct ArchiveRequest {
    std::vector<DocumentId> document_ids;  // these documents (any version), or
    std::vector<ProfileId> profile_ids;    // the current documents of these profiles
    std::optional<core::DocumentStatus> status;  // only documents in this review status
};

// One document to put in the archive, as planned before the first byte goes out.
struct ArchiveEntry {
    std::string path;  // the member name: "<profile id> <employee>/<type>-<id>-<filename>"
    std::string employee;
    ProfileId profile_id = 0;
    std::optional<DocumentRecord> document;  // none: the id named no document the actor may read
    std::string blob_path;
    std::string requested_id;  // what the request named (for rows about missing documents)
};

class DocumentArchive {
public:
    DocumentArchive(std::vector<ArchiveEntry> entries, Instant now);
    ~DocumentArchive();
    DocumentArchive(DocumentArchive const&) = delete;
    DocumentArchive& operator=(DocumentArchive const&) = delete;

    // Replaces `chunk` with the archive's next bytes (about 256 KiB); false once it is complete
    // (the last call's chunk may still hold bytes). Throws only when the writer itself fails.
    bool next(std::string& chunk);

    std::size_t documents() const { return entries_.size(); }

private:
    // Opens the next entry's file and begins its member; false when no entry is left.
    bool open_next();
    void finish_member(char const* outcome);
    // A manifest row; `in_archive`: the entry has a member (its path is given).
    void add_row(ArchiveEntry const& e, std::string const& sha256, std::string const& outcome, bool in_archive);

    std::vector<ArchiveEntry> entries_;
    Instant const now_;
    std::string out_;
    core::ZipWriter zip_;
    std::string manifest_;
    std::size_t index_ = 0;
    std::FILE* file_ = nullptr;
    Sha256 sha_;
    std::int64_t read_ = 0;
    std::string buffer_;
    bool done_ = false;
};

// The member names and manifest layout for `documents`, in profile order (read in `tx`):
// profile names come from the profiles table, files from `blobs`.
std::vector<ArchiveEntry> plan_archive(Tx& tx, BlobStore const& blobs, ArchiveRequest const& request);

}  // namespace hrms::app
