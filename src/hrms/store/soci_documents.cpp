// app::DocumentRepo: document types and uploaded documents.
#include <algorithm>
#include <cctype>

#include "hrms/store/soci_repos.hpp"
#include "hrms/store/sql_text.hpp"

namespace hrms::store {

using soci::into;
using soci::use;

namespace {

constexpr char const* kDocumentColumns =
    "id, profile_id, type, filename, size, sha256, mime, status, is_current, uploaded_by, "
    "uploaded_at, reviewed_by, reviewed_at, review_reason";

struct DocumentRow {
    long long id = 0, profile_id = 0, size = 0, uploaded_by = 0, reviewed_by = 0;
    std::string type, filename, sha256, mime, reason;
    core::DocumentStatus status{};
    Instant uploaded_at, reviewed_at;
    int is_current = 0;
    soci::indicator up_ind = soci::i_null, rev_ind = soci::i_null, rev_at_ind = soci::i_null,
                    reason_ind = soci::i_null;

    template <class Stmt>
    void bind(Stmt& st) {
        st, into(id), into(profile_id), into(type), into(filename), into(size), into(sha256),
            into(mime), into(status), into(is_current), into(uploaded_by, up_ind), into(uploaded_at),
            into(reviewed_by, rev_ind), into(reviewed_at, rev_at_ind), into(reason, reason_ind);
    }
    void reset() { up_ind = rev_ind = rev_at_ind = reason_ind = soci::i_null; }

    app::DocumentRecord record() const {
        app::DocumentRecord d;
        d.id = id;
        d.profile_id = profile_id;
        d.type = type;
        d.filename = filename;
        d.size = size;
        d.sha256 = sha256;
        d.mime = mime;
        d.status = status;
        d.is_current = is_current != 0;
        if (up_ind == soci::i_ok) d.uploaded_by = uploaded_by;
        d.uploaded_at = uploaded_at;
        if (rev_ind == soci::i_ok) d.reviewed_by = reviewed_by;
        if (rev_at_ind == soci::i_ok) d.reviewed_at = reviewed_at;
        if (reason_ind == soci::i_ok) d.review_reason = reason;
        return d;
    }
};

}  // namespace

std::vector<app::DocumentTypeRecord> SociDocuments::types() {
    if (types_) return *types_;
    types_ = guard([&] {
        std::string code, name, mimes;
        int required = 0;
        long long max_bytes = 0;
        soci::statement st = (sql_->prepare << "SELECT code, name, required, max_bytes, allowed_mime "
                                               "FROM document_types ORDER BY position",
                              into(code), into(name), into(required), into(max_bytes), into(mimes));
        std::vector<app::DocumentTypeRecord> out;
        st.execute();
        while (st.fetch()) {
            app::DocumentTypeRecord t{code, name, required != 0, max_bytes, {}};
            std::size_t start = 0;
            while (start <= mimes.size()) {
                auto const comma = mimes.find(',', start);
                auto part = mimes.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
                if (!part.empty()) t.allowed_mime.push_back(part);
                if (comma == std::string::npos) break;
                start = comma + 1;
            }
            out.push_back(std::move(t));
        }
        return out;
    });
    return *types_;
}

std::vector<app::DocumentRecord> SociDocuments::documents_where(std::string const& where, long long key) {
    return guard([&] {
        // A profile's documents are read for every decision (its progress): prepared once.
        return read_all_cached<DocumentRow>(
            *sql_, sql_->writes, std::string("SELECT ") + kDocumentColumns + " FROM documents WHERE " + where,
            [](DocumentRow& row) { return row.record(); }, [](DocumentRow& row) { row.reset(); }, key);
    });
}

std::vector<app::DocumentRecord> SociDocuments::of(app::ProfileId id, bool all_versions) {
    // In the order the document types are listed, then oldest version first.
    return documents_where(all_versions ? "profile_id = :p ORDER BY (SELECT t.position FROM document_types t "
                                          "WHERE t.code = documents.type), id"
                                        : "profile_id = :p AND is_current = 1 ORDER BY (SELECT t.position "
                                          "FROM document_types t WHERE t.code = documents.type), id",
                           id);
}

std::optional<app::DocumentRecord> SociDocuments::by_id(app::DocumentId id) {
    auto rows = documents_where("id = :id", id);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

app::DocumentId SociDocuments::insert(app::DocumentRecord const& d) {
    return guard([&] {
        long long pid = d.profile_id, size = d.size, up = d.uploaded_by.value_or(0), id = 0;
        soci::indicator up_ind = d.uploaded_by ? soci::i_ok : soci::i_null;
        *sql_ << "UPDATE documents SET is_current = 0 WHERE profile_id = :p AND type = :t AND is_current = 1",
            use(pid), use(d.type);
        *sql_ << "INSERT INTO documents (profile_id, type, filename, size, sha256, mime, status, "
                 "is_current, uploaded_by, uploaded_at) VALUES (:p, :t, :f, :sz, :sha, :m, :st, 1, :u, :at) "
                 "RETURNING id",
            use(pid), use(d.type), use(d.filename), use(size), use(d.sha256), use(d.mime), use(d.status),
            use(up, up_ind), use(d.uploaded_at), into(id);
        // Reviewers with the profile open see the new file arrive.
        live_.changes.push_back({d.profile_id, std::nullopt, std::nullopt, "", d.uploaded_by.value_or(0),
                                 d.uploaded_by && context_.actor == d.uploaded_by ? context_.actor_name : std::string(),
                                 static_cast<app::DocumentId>(id), "document_uploaded"});
        return static_cast<app::DocumentId>(id);
    });
}

void SociDocuments::review(app::DocumentId id, core::DocumentStatus status, app::UserId reviewer, Instant at,
                           std::string const& reason) {
    guard([&] {
        long long key = id, rev = reviewer;
        soci::indicator r_ind = reason.empty() ? soci::i_null : soci::i_ok;
        long long pid = 0;
        *sql_ << "UPDATE documents SET status = :s, reviewed_by = :r, reviewed_at = :a, review_reason = :x "
                 "WHERE id = :id RETURNING profile_id",
            use(status), use(rev), use(at), use(reason, r_ind), use(key), into(pid);
        live_.changes.push_back({static_cast<app::ProfileId>(pid), std::nullopt, std::nullopt,
                                 status == core::DocumentStatus::approved ? "approve" : "reject", reviewer,
                                 context_.actor == reviewer ? context_.actor_name : std::string(), id,
                                 "document_reviewed"});
    });
}

}  // namespace hrms::store
