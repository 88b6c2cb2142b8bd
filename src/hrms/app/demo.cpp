#include "hrms/app/demo.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "hrms/app/crypto.hpp"
#include "hrms/app/notices.hpp"
#include "hrms/app/profiles.hpp"
#include "hrms/app/users.hpp"

namespace hrms::app {

namespace {

constexpr char const* kFirst[] = {"Ada", "Grace", "Alan", "Linus", "Margaret", "Ken", "Barbara", "Dennis",
                                  "Frances", "Edsger", "Radia", "Donald", "Hedy", "Tim", "Katherine",
                                  "Guido", "Sophie", "Yukihiro", "Anita", "Bjarne", "Joan", "Niklaus",
                                  "Shafi", "Leslie", "Mary", "John", "Fatima", "Wei", "Priya", "Kwame"};
constexpr char const* kLast[] = {"Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Thompson",
                                 "Liskov", "Ritchie", "Allen", "Dijkstra", "Perlman", "Knuth", "Lamarr",
                                 "Berners-Lee", "Johnson", "van Rossum", "Wilson", "Matsumoto", "Borg",
                                 "Stroustrup", "Clarke", "Wirth", "Goldwasser", "Lamport", "Keller",
                                 "Backus", "Okafor", "Zhang", "Patel", "Mensah"};
constexpr char const* kCities[][2] = {{"London", "GB"}, {"Berlin", "DE"}, {"Paris", "FR"}, {"Lisbon", "PT"},
                                      {"Toronto", "CA"}, {"Austin", "US"}, {"Dublin", "IE"}, {"Warsaw", "PL"},
                                      {"Nairobi", "KE"}, {"Pune", "IN"}, {"Sydney", "AU"}, {"Madrid", "ES"}};
constexpr char const* kReasons[] = {"The scan is blurred; please upload a clearer copy.",
                                    "The address does not match the proof of address.",
                                    "The document has expired.", "Please add your emergency contact's phone.",
                                    "The tax form is not signed."};

// A small valid PDF naming the document, stored once per type.
std::string make_pdf(std::string const& title) {
    std::string body = "BT /F1 18 Tf 72 720 Td (" + title + ") Tj ET";
    std::string pdf = "%PDF-1.4\n";
    std::vector<std::size_t> offsets;
    auto obj = [&](std::string const& s) {
        offsets.push_back(pdf.size());
        pdf += std::to_string(offsets.size()) + " 0 obj\n" + s + "\nendobj\n";
    };
    obj("<< /Type /Catalog /Pages 2 0 R >>");
    obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>");
    obj("<< /Length " + std::to_string(body.size()) + " >>\nstream\n" + body + "\nendstream");
    obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    auto const xref = pdf.size();
    pdf += "xref\n0 6\n0000000000 65535 f \n";
    for (auto o : offsets) {
        char line[32];
        std::snprintf(line, sizeof line, "%010zu 00000 n \n", o);
        pdf += line;
    }
    pdf += "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return pdf;
}

struct Blob {
    std::string sha;
    std::int64_t size;
};

Blob store_blob(BlobStore& blobs, std::string const& content) {
    auto const path = blobs.temp_path();
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot write demo document");
    auto const written = ::write(fd, content.data(), content.size());
    ::fsync(fd);
    ::close(fd);
    if (written != static_cast<ssize_t>(content.size())) throw std::runtime_error("short write of demo document");
    auto const sha = sha256_hex(content);
    blobs.put(path, sha);
    return {sha, static_cast<std::int64_t>(content.size())};
}

// One seeding run. Each employee is walked through the workflow the way the use cases would
// move them (stage history, SLA clocks, documents and the notifications each step sends), with
// timestamps spread over the past weeks; all in batches of kBatch employees per transaction.
class Seeder {
public:
    Seeder(Store& store, BlobStore& blobs, Clock const& clock, core::SlaPolicy const& policy, unsigned seed,
           bool awaiting_review)
        : store_(store), blobs_(blobs), now_(clock.now()), policy_(policy), rng_(seed),
          awaiting_review_(awaiting_review),
          // One argon2id hash shared by every demo account: hashing 10,000 passwords would take
          // minutes, and these accounts exist to be looked at, not to guard anything.
          phc_(hash_password(kDemoPassword)) {}

    DemoStats run(int employees, std::function<void(int, int)> const& progress) {
        prepare();
        constexpr int kBatch = 500;
        for (int start = 0; start < employees; start += kBatch) {
            auto tx = store_.begin(TxMode::write);
            int const end = std::min(employees, start + kBatch);
            for (int i = start; i < end; ++i) employee(*tx, i);
            tx->commit();
            if (progress) progress(end, employees);
        }
        return stats_;
    }

private:
    // Where one employee is, as they are walked through the stages.
    struct Walk {
        Tx& tx;
        ProfileRecord p;
        std::string name;
        Instant t;  // the time of the latest step
        core::ProfileState st;
        Instant review_from{};  // when the review now waiting (or last decided) began
    };

    template <class A>
    auto pick(A const& arr) {
        return arr[rng_() % std::size(arr)];
    }
    bool chance(int percent) { return static_cast<int>(rng_() % 100) < percent; }
    UserId reviewer() { return reviewers_[rng_() % reviewers_.size()]; }

    // Document types and their sample files, and three reviewers.
    void prepare() {
        auto tx = store_.begin(TxMode::write);
        types_ = tx->documents().types();
        for (auto const& t : types_) type_blobs_.push_back(store_blob(blobs_, make_pdf(t.name)));
        // A tag unique to this run keeps emails unique when seeding twice.
        tag_ = std::to_string(now_.ms % 100000);
        for (int i = 0; i < 3; ++i) {
            auto const email = "reviewer" + std::to_string(i + 1) + "." + tag_ + "@demo.example";
            reviewers_.push_back(tx->users().insert({email, std::string(pick(kFirst)) + " Reviewer",
                                                     core::UserStatus::active, phc_, {"reviewer"}, now_}));
            ++stats_.reviewers;
        }
        tx->commit();
    }

    void employee(Tx& tx, int i) {
        Walk w = enrol(tx, i);
        // Where this employee is: 25% details, 30% documents, 15% final, 30% completed.
        int const roll = static_cast<int>(rng_() % 100);
        core::Stage const target = awaiting_review_ ? core::Stage::details
                                   : roll < 25      ? core::Stage::details
                                   : roll < 55 ? core::Stage::documents
                                   : roll < 70 ? core::Stage::final
                                               : core::Stage::completed;
        if (target == core::Stage::details) {
            walk_details(w);
        } else {
            pass_details(w);
            walk_documents(w, target);
        }
        if (chance(40) && w.st.status == core::StageStatus::submitted && w.st.stage != core::Stage::completed)
            w.p.assignee_id = reviewer();
        w.p.state = w.st;
        w.p.progress = compute_progress(tx, w.p);
        w.p.updated_at = w.t;
        tx.profiles().update(w.p);
        ++stats_.employees;
    }

    // A new employee with full details, who joined 1..42 days ago.
    Walk enrol(Tx& tx, int i) {
        std::string const first = pick(kFirst), last = pick(kLast);
        std::string email = first + "." + last + "." + tag_ + "." + std::to_string(i + 1) + "@demo.example";
        std::transform(email.begin(), email.end(), email.begin(),
                       [](unsigned char c) { return static_cast<char>(c == ' ' ? '-' : std::tolower(c)); });
        Instant const joined{now_.ms - static_cast<std::int64_t>(1 + rng_() % 42) * 86'400'000 -
                             static_cast<std::int64_t>(rng_() % 86'400'000)};
        auto const at = joined;
        auto const uid = tx.users().insert({email, first + " " + last, core::UserStatus::active, phc_, {"employee"}, at});
        Walk w{tx, {}, first + " " + last, joined, {}};
        w.p.id = tx.profiles().insert(uid, at);
        w.p.user_id = uid;
        w.p.name = w.name;
        w.p.created_at = at;
        auto const& city = kCities[rng_() % std::size(kCities)];
        auto& d = w.p.details;
        d.first_name = first;
        d.last_name = last;
        d.date_of_birth = std::to_string(1965 + rng_() % 40) + "-0" + std::to_string(1 + rng_() % 9) + "-1" +
                          std::to_string(rng_() % 9);
        d.phone = "+44 20 7946 " + std::to_string(1000 + rng_() % 9000);
        d.address.line1 = std::to_string(1 + rng_() % 200) + " High Street";
        d.address.city = city[0];
        d.address.country = city[1];
        d.emergency_contact.name = std::string(pick(kFirst)) + " " + last;
        d.emergency_contact.phone = "+44 20 7946 " + std::to_string(1000 + rng_() % 9000);
        return w;
    }

    // Some hours after the previous step (never in the future).
    Instant advance(Walk& w, double min_h, double max_h) {
        w.t.ms += static_cast<std::int64_t>((min_h + (max_h - min_h) * (rng_() % 1000) / 1000.0) * 3'600'000);
        if (w.t > now_) w.t = Instant{now_.ms - static_cast<std::int64_t>(rng_() % 3'600'000)};
        return w.t;
    }

    // One step of the workflow: its history row and the notifications the use case would send.
    void step(Walk& w, core::ProfileState to, std::optional<UserId> actor, std::optional<core::Decision> decision,
              std::optional<std::string> reason, Instant when) {
        auto const from = w.st;
        auto const at = when;
        // A decision's clock ran from the review's start (the demo's reviews are one round each).
        std::optional<std::int64_t> clock, budget;
        if (decision) {
            clock = at.ms - w.review_from.ms;
            budget = static_cast<std::int64_t>(policy_.budget_hours(from.stage) * 3'600'000);
        }
        w.tx.profiles().insert_history({0, w.p.id, actor, at, from.stage, to.stage, from.status, to.status,
                                        decision ? std::optional<std::string>(core::to_string(*decision)) : std::nullopt,
                                        reason, from.employment, clock, budget});
        if (to.status == core::StageStatus::submitted) w.review_from = at;
        ++stats_.history_rows;
        if (!decision) {
            for (auto const& n : stage_submitted(w.p.user_id, w.name, w.p.id, from.stage)) tell(w, n, at);
        } else if (*decision == core::Decision::reject) {
            tell(w, stage_rejected(w.p.user_id, w.p.id, from.stage, to.stage, reason.value_or("")), at);
        } else {
            w.p.state = to;
            tell(w, stage_approved(w.p.user_id, w.p.id, from.stage, to.stage, compute_progress(w.tx, w.p)), at);
        }
        w.st = to;
    }
    void tell(Walk& w, Notice const& n, Instant at) {
        notify(w.tx, n, at);
        ++stats_.notifications;
    }

    // A review of `stage` that awaits a reviewer since `at`: its clock runs and it is due.
    void awaiting(Walk& w, core::Stage stage, Instant at) {
        auto const c = core::sla_start(stage, at);
        w.tx.profiles().save_sla_clock(w.p.id, c);
        w.p.submitted_at = at;
        auto const s = core::sla_status(c, policy_, now_);
        if (s.deadline) w.p.sla_due_at = *s.deadline;
    }

    // The clock of a review of `stage` submitted at `from` and decided at `to`: stopped when
    // approved, paused (back with the employee) when rejected.
    void decided(Walk& w, core::Stage stage, Instant from, Instant to, core::Decision decision) {
        auto const started = core::sla_start(stage, from);
        w.tx.profiles().save_sla_clock(w.p.id, decision == core::Decision::approve ? core::sla_stop(started, to)
                                                                         : core::sla_pause(started, to));
    }

    // Still in details: some drafts (40% of them partly filled), some submitted, some sent back.
    void walk_details(Walk& w) {
        if (awaiting_review_) {
            auto const at = advance(w, 2, 72);
            step(w, {core::Stage::details, core::StageStatus::submitted}, w.p.user_id, std::nullopt, std::nullopt, at);
            awaiting(w, core::Stage::details, at);
            return;
        }
        if (chance(40)) {
            w.p.details.emergency_contact = {};
            w.p.details.address.line1.reset();
            return;
        }
        auto const at = advance(w, 2, 72);
        step(w, {core::Stage::details, core::StageStatus::submitted}, w.p.user_id, std::nullopt, std::nullopt, at);
        if (!chance(30)) {
            awaiting(w, core::Stage::details, at);
            return;
        }
        auto const rat = advance(w, 4, 60);
        step(w, {core::Stage::details, core::StageStatus::rejected}, reviewer(), core::Decision::reject,
             std::string(pick(kReasons)), rat);
        decided(w, core::Stage::details, at, rat, core::Decision::reject);
    }

    void pass_details(Walk& w) {
        auto const sub = advance(w, 2, 72);
        step(w, {core::Stage::details, core::StageStatus::submitted}, w.p.user_id, std::nullopt, std::nullopt, sub);
        auto const ok = advance(w, 1, 60);
        step(w, {core::Stage::documents, core::StageStatus::draft}, reviewer(), core::Decision::approve, std::nullopt,
             ok);
        decided(w, core::Stage::details, sub, ok, core::Decision::approve);
    }

    // Uploads (every required one past the documents stage, some before), then on to `target`.
    void walk_documents(Walk& w, core::Stage target) {
        bool const all_docs = target != core::Stage::documents || chance(60);
        for (std::size_t k = 0; k < types_.size(); ++k) {
            auto const& type = types_[k];
            if (!type.required && !chance(30)) continue;
            if (type.required && !all_docs && chance(50)) continue;
            upload(w, k, target != core::Stage::documents);
        }
        if (target == core::Stage::documents) {
            if (all_docs && chance(70)) {
                auto const at = advance(w, 1, 24);
                step(w, {core::Stage::documents, core::StageStatus::submitted}, w.p.user_id, std::nullopt,
                     std::nullopt, at);
                awaiting(w, core::Stage::documents, at);
            }
            return;
        }
        auto const dsub = advance(w, 1, 24);
        step(w, {core::Stage::documents, core::StageStatus::submitted}, w.p.user_id, std::nullopt, std::nullopt, dsub);
        auto const dok = advance(w, 2, 90);
        step(w, {core::Stage::final, core::StageStatus::submitted}, reviewer(), core::Decision::approve, std::nullopt,
             dok);
        decided(w, core::Stage::documents, dsub, dok, core::Decision::approve);
        if (target != core::Stage::completed) {
            awaiting(w, core::Stage::final, dok);
            return;
        }
        auto const fok = advance(w, 1, 30);
        step(w, {core::Stage::completed, core::StageStatus::submitted, core::EmploymentStatus::active}, reviewer(),
             core::Decision::approve, std::nullopt, fok);
        decided(w, core::Stage::final, dok, fok, core::Decision::approve);
    }

    void upload(Walk& w, std::size_t k, bool reviewed) {
        auto const& type = types_[k];
        DocumentRecord d;
        d.profile_id = w.p.id;
        d.type = type.code;
        d.filename = type.code + ".pdf";
        d.size = type_blobs_[k].size;
        d.sha256 = type_blobs_[k].sha;
        d.mime = "application/pdf";
        d.status = core::DocumentStatus::pending;
        d.uploaded_by = w.p.user_id;
        d.uploaded_at = advance(w, 0.5, 24);
        d.id = w.tx.documents().insert(d);
        ++stats_.documents;
        tell(w, document_uploaded(w.p.user_id, w.p.id, d.id, type.code, type.name, d.filename), d.uploaded_at);
        if (!reviewed) return;
        auto const at = advance(w, 0.5, 12);
        w.tx.documents().review(d.id, core::DocumentStatus::approved, reviewer(), at, "");
        tell(w, document_reviewed(w.p.user_id, w.p.id, d.id, type.code, type.name, d.filename, core::Decision::approve,
                                  ""),
             at);
    }

    Store& store_;
    BlobStore& blobs_;
    Instant const now_;
    core::SlaPolicy const policy_;
    std::mt19937 rng_;
    bool awaiting_review_;
    std::string const phc_;
    std::vector<DocumentTypeRecord> types_;
    std::vector<Blob> type_blobs_;
    std::vector<UserId> reviewers_;
    std::string tag_;
    DemoStats stats_;
};

}  // namespace

DemoStats seed_demo(Store& store, BlobStore& blobs, Clock const& clock, core::SlaPolicy const& policy, int employees,
                    unsigned seed, std::function<void(int, int)> const& progress, bool awaiting_review) {
    return Seeder(store, blobs, clock, policy, seed, awaiting_review).run(employees, progress);
}

}  // namespace hrms::app
