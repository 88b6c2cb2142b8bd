#include "hrms/app/documents.hpp"

#include <algorithm>

#include "hrms/app/audit.hpp"
#include "hrms/app/grants.hpp"
#include "hrms/app/notices.hpp"
#include "hrms/core/text.hpp"

namespace hrms::app {

namespace {
std::unexpected<Error> no_document() { return fail(ErrorCode::not_found, "document not found"); }

bool visible(Actor const& actor, ProfileRecord const& p) {
    return p.user_id == actor.id || actor.can(core::perm::profiles_read);
}

// Whether the employee may upload a document of `spec`'s type now: while the stage is open to
// uploads, or, to replace a document a reviewer rejected, also while it awaits review; never
// over a document already approved. One read of the profile's documents for both rules.
Result<void> check_upload(Tx& tx, ProfileRecord const& p, DocumentTypeRecord const& spec) {
    auto action = core::EmployeeAction::upload_document;
    bool approved = false;
    for (auto const& d : tx.documents().of(p.id, false)) {
        if (d.type != spec.code) continue;
        if (d.status == core::DocumentStatus::rejected) action = core::EmployeeAction::replace_rejected_document;
        approved = approved || d.status == core::DocumentStatus::approved;
    }
    TRY_VOID(core::check_employee_action(p.state, action));
    if (approved) return fail(ErrorCode::conflict, spec.name + " is already approved");
    return {};
}

}  // namespace

Documents::Documents(Store& store, Clock const& clock, SelfReview self_review, BlobStore& blobs,
                     Mailer const* mailer)
    : store_(store), clock_(clock), self_review_(self_review), blobs_(blobs), mailer_(mailer) {}

Result<std::vector<DocumentTypeRecord>> Documents::types(Actor const&) {
    auto tx = store_.begin(TxMode::read);
    return tx->documents().types();
}

Result<DocumentRecord> Documents::upload(Actor const& actor, std::string const& type, StagedUpload const& file) {
    struct Cleanup {
        BlobStore& blobs;
        std::string path;
        bool keep = false;
        ~Cleanup() {
            if (!keep) blobs.remove_temp(path);
        }
    } cleanup{blobs_, file.temp_path};

    TRY_VOID(require(actor, core::perm::profile_self));
    DocumentTypeRecord spec;
    {
        auto tx = store_.begin(TxMode::read);
        auto const all = tx->documents().types();
        auto it = std::find_if(all.begin(), all.end(), [&](auto const& t) { return t.code == type; });
        if (it == all.end()) return invalid_field("type", "unknown document type " + type);
        spec = *it;
        auto p = tx->profiles().by_user(actor.id);
        if (!p) return fail(ErrorCode::not_found, "profile not found");
        TRY_VOID(check_upload(*tx, *p, spec));
    }
    if (file.size == 0) return invalid_field("file", "the file is empty");
    if (file.size > spec.max_bytes)
        return fail(ErrorCode::payload_too_large,
                    spec.name + " files may be at most " + std::to_string(spec.max_bytes) + " bytes");
    auto const mime = blobs_.sniff(file.temp_path);
    if (std::find(spec.allowed_mime.begin(), spec.allowed_mime.end(), mime) == spec.allowed_mime.end())
        return fail(ErrorCode::unsupported_media_type,
                    "the file's content is " + mime + ", which is not accepted for " + spec.name,
                    "{\"field\":\"file\",\"detected\":" + json_quote(mime) + "}");

    auto const ts = clock_.now();
    auto tx = store_.begin(TxMode::write, context_of(actor));
    auto p = tx->profiles().by_user(actor.id);
    if (!p) return fail(ErrorCode::not_found, "profile not found");
    TRY_VOID(check_upload(*tx, *p, spec));  // again: the profile may have moved meanwhile
    blobs_.put(file.temp_path, file.sha256);
    cleanup.keep = true;
    DocumentRecord d;
    d.profile_id = p->id;
    d.type = type;
    d.filename = core::sanitize_filename(file.filename);
    d.size = file.size;
    d.sha256 = file.sha256;
    d.mime = mime;
    d.status = core::DocumentStatus::pending;
    d.uploaded_by = actor.id;
    d.uploaded_at = ts;
    d.id = tx->documents().insert(d);
    notify(*tx, document_uploaded(actor.id, p->id, d.id, type, spec.name, d.filename), ts);
    tx->commit();
    return d;
}

Result<DocumentRecord> Documents::get(Actor const& actor, DocumentId id) {
    auto tx = store_.begin(TxMode::read);
    auto d = tx->documents().by_id(id);
    if (!d) return no_document();
    auto p = tx->profiles().by_id(d->profile_id);
    if (!p || !visible(actor, *p)) return no_document();
    return std::move(*d);
}

Result<DocumentContent> Documents::content(Actor const& actor, DocumentId id) {
    auto d = TRY(get(actor, id));
    auto path = blobs_.path_of(d.sha256);
    return DocumentContent{std::move(d), std::move(path)};
}

Result<DocumentRecord> Documents::review(Actor const& actor, DocumentId id, core::Decision decision,
                                         std::string const& reason) {
    auto tx = store_.begin(TxMode::write, context_of(actor));
    auto out = TRY(review_in(*tx, actor, id, decision, reason));
    tx->commit();
    return out;
}

Result<DocumentRecord> Documents::review_in(Tx& tx, Actor const& actor, DocumentId id, core::Decision decision,
                                            std::string const& reason) {
    TRY_VOID(require(actor, core::perm::documents_review));
    auto const why = TRY(core::check_reason(reason, decision == core::Decision::reject));
    auto const ts = clock_.now();
    auto d = tx.documents().by_id(id);
    if (!d) return no_document();
    if (!d->is_current) return fail(ErrorCode::conflict, "a newer version of this document exists");
    auto p = tx.profiles().by_id(d->profile_id);
    if (!p) return no_document();
    TRY_VOID(check_not_own(actor, p->user_id, self_review_));
    if (p->state.stage != core::Stage::documents || p->state.status != core::StageStatus::submitted)
        return fail(ErrorCode::conflict, "documents are reviewed while the documents stage awaits review");
    auto const status = decision == core::Decision::approve ? core::DocumentStatus::approved : core::DocumentStatus::rejected;
    tx.documents().review(id, status, actor.id, ts, why);
    // Progress rises with each approved required document.
    p->progress = compute_progress(tx, *p);
    p->updated_at = ts;
    tx.profiles().update(*p);
    std::string type_name = d->type;
    for (auto const& t : tx.documents().types()) {
        if (t.code == d->type) type_name = t.name;
    }
    notify(tx, document_reviewed(p->user_id, p->id, id, d->type, type_name, d->filename, decision, why), ts, mailer_);
    auto entry = domain_entry(ts, core::AuditCategory::decision, std::string("document.") + core::to_string(decision),
                              "document", std::to_string(id));
    entry.reason = why;
    entry.before = json_members({{"status", json_quote(core::to_string(d->status))}});
    entry.after = json_members({{"status", json_quote(core::to_string(status))}});
    entry.details = json_members({{"profile_id", std::to_string(p->id)}, {"type", json_quote(d->type)}});
    tx.audit().record(std::move(entry));
    auto out = *tx.documents().by_id(id);
    return out;
}

}  // namespace hrms::app
