#pragma once
// The documents port: document types and uploaded documents with their reviews.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hrms/app/ports/profiles.hpp"

namespace hrms::app {

using DocumentId = std::int64_t;

struct DocumentTypeRecord {
    std::string code;
    std::string name;
    bool required = false;
    std::int64_t max_bytes = 0;
    std::vector<std::string> allowed_mime;
};

struct DocumentRecord {
    DocumentId id = 0;
    ProfileId profile_id = 0;
    std::string type;
    std::string filename;
    std::int64_t size = 0;
    std::string sha256;
    std::string mime;
    core::DocumentStatus status = core::DocumentStatus::pending;
    bool is_current = true;
    std::optional<UserId> uploaded_by;
    Instant uploaded_at;
    std::optional<UserId> reviewed_by;
    std::optional<Instant> reviewed_at;
    std::optional<std::string> review_reason;
};

// Documents on one transaction.
class DocumentRepo {
public:
    virtual ~DocumentRepo() = default;
    virtual std::vector<DocumentTypeRecord> types() = 0;
    // Current documents of a profile (or every version with `all_versions`), in document-type
    // order, then by id.
    virtual std::vector<DocumentRecord> of(ProfileId id, bool all_versions) = 0;
    virtual std::optional<DocumentRecord> by_id(DocumentId id) = 0;
    // Marks the current document of that type (if any) as an old version, inserts `d` as
    // current and returns its id.
    virtual DocumentId insert(DocumentRecord const& d) = 0;
    virtual void review(DocumentId id, core::DocumentStatus status, UserId reviewer, Instant at,
                        std::string const& reason) = 0;
};

}  // namespace hrms::app
