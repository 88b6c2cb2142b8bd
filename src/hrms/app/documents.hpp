#pragma once
// Documents: types, uploads (already streamed to a temporary file by the HTTP layer), reviews
// and downloads.
#include <optional>
#include <string>
#include <vector>

#include "hrms/app/actor.hpp"
#include "hrms/app/email.hpp"
#include "hrms/app/grants.hpp"
#include "hrms/app/ports.hpp"
#include "hrms/app/profiles.hpp"

namespace hrms::app {

// An upload as it arrived: the bytes are in temp_path (fsynced), hashed while streaming.
struct StagedUpload {
    std::string temp_path;
    std::string filename;  // as the client sent it; sanitised here
    std::int64_t size = 0;
    std::string sha256;
};

struct DocumentContent {
    DocumentRecord document;
    std::string path;
};

class Documents {
public:
    // With a `mailer`, rejections are also emailed (notices.hpp).
    Documents(Store& store, Clock const& clock, SelfReview self_review, BlobStore& blobs,
              Mailer const* mailer = nullptr);

    Result<std::vector<DocumentTypeRecord>> types(Actor const& actor);
    // Stores the upload as the actor's current document of `type`. The temporary file is gone
    // afterwards whatever the outcome. validation_failed for an unknown type or an empty file,
    // payload_too_large over the type's limit, unsupported_media_type when the sniffed content
    // is not allowed for the type, conflict outside the documents stage or over an approved one.
    Result<DocumentRecord> upload(Actor const& actor, std::string const& type, StagedUpload const& file);
    // Metadata: the owner, or anyone with profiles.read; not_found otherwise.
    Result<DocumentRecord> get(Actor const& actor, DocumentId id);
    Result<DocumentContent> content(Actor const& actor, DocumentId id);
    // A review (documents.review) of a current document while its profile awaits review of the
    // documents stage; a reason is required to reject.
    Result<DocumentRecord> review(Actor const& actor, DocumentId id, core::Decision decision,
                                  std::string const& reason);
    // The same in the caller's `tx` (a bulk job's batch).
    Result<DocumentRecord> review_in(Tx& tx, Actor const& actor, DocumentId id, core::Decision decision,
                                     std::string const& reason);

private:
    Store& store_;
    Clock const& clock_;
    SelfReview self_review_;
    BlobStore& blobs_;
    Mailer const* mailer_;
};

}  // namespace hrms::app
