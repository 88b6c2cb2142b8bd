#include "hrms/app/demo.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "hrms/app/crypto.hpp"
#include "hrms/app/profiles.hpp"

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

}  // namespace

DemoStats seed_demo(Store& store, BlobStore& blobs, Clock const& clock, Config const& config, int employees,
                    unsigned seed, std::function<void(int, int)> const& progress) {
    std::mt19937 rng(seed);
    auto pick = [&](auto const& arr) { return arr[rng() % std::size(arr)]; };
    auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
    auto const now = clock.now();
    auto const policy = sla_policy(config);
    // One argon2id hash shared by every demo account: hashing 10,000 passwords would take
    // minutes, and these accounts exist to be looked at, not to guard anything.
    auto const phc = hash_password(kDemoPassword);

    std::vector<DocumentTypeRecord> types;
    std::vector<Blob> type_blobs;
    DemoStats stats;
    std::vector<UserId> reviewers;
    std::string tag;
    {
        auto tx = store.begin(TxMode::write);
        types = tx->document_types();
        for (auto const& t : types) type_blobs.push_back(store_blob(blobs, make_pdf(t.name)));
        // A tag unique to this run keeps emails unique when seeding twice.
        tag = std::to_string(now.ms % 100000);
        for (int i = 0; i < 3; ++i) {
            auto const email = "reviewer" + std::to_string(i + 1) + "." + tag + "@demo.example";
            reviewers.push_back(tx->insert_user({email, std::string(pick(kFirst)) + " Reviewer", "active", phc,
                                                 {"reviewer"}, to_rfc3339(now)}));
            ++stats.reviewers;
        }
        tx->commit();
    }

    constexpr int kBatch = 500;
    for (int start = 0; start < employees; start += kBatch) {
        auto tx = store.begin(TxMode::write);
        int const end = std::min(employees, start + kBatch);
        for (int i = start; i < end; ++i) {
            std::string const first = pick(kFirst), last = pick(kLast);
            std::string email = first + "." + last + "." + tag + "." + std::to_string(i + 1) + "@demo.example";
            std::transform(email.begin(), email.end(), email.begin(), [](unsigned char c) {
                return static_cast<char>(c == ' ' ? '-' : std::tolower(c));
            });
            // Joined 1..42 days ago; every later step happens some hours after the previous.
            Instant t{now.ms - static_cast<std::int64_t>(1 + rng() % 42) * 86'400'000 -
                      static_cast<std::int64_t>(rng() % 86'400'000)};
            auto const joined = to_rfc3339(t);
            auto const uid = tx->insert_user({email, first + " " + last, "active", phc, {"employee"}, joined});
            std::string search = first + " " + last + " " + email;
            std::transform(search.begin(), search.end(), search.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            ProfileRecord p;
            p.id = tx->insert_profile(uid, search, joined);
            p.user_id = uid;
            p.created_at = joined;

            // Where this employee is: 25% details, 30% documents, 15% final, 30% completed.
            int const roll = static_cast<int>(rng() % 100);
            core::Stage const target = roll < 25   ? core::Stage::details
                                       : roll < 55 ? core::Stage::documents
                                       : roll < 70 ? core::Stage::final
                                                   : core::Stage::completed;
            auto const& city = kCities[rng() % std::size(kCities)];
            p.details.first_name = first;
            p.details.last_name = last;
            p.details.date_of_birth = std::to_string(1965 + rng() % 40) + "-0" + std::to_string(1 + rng() % 9) +
                                      "-1" + std::to_string(rng() % 9);
            p.details.phone = "+44 20 7946 " + std::to_string(1000 + rng() % 9000);
            p.details.address.line1 = std::to_string(1 + rng() % 200) + " High Street";
            p.details.address.city = city[0];
            p.details.address.country = city[1];
            p.details.emergency_contact.name = std::string(pick(kFirst)) + " " + last;
            p.details.emergency_contact.phone = "+44 20 7946 " + std::to_string(1000 + rng() % 9000);
            bool const partial = target == core::Stage::details && chance(40);
            if (partial) {
                p.details.emergency_contact = {};
                p.details.address.line1.reset();
            }

            auto advance = [&](double min_h, double max_h) {
                t.ms += static_cast<std::int64_t>((min_h + (max_h - min_h) * (rng() % 1000) / 1000.0) * 3'600'000);
                if (t > now) t = Instant{now.ms - static_cast<std::int64_t>(rng() % 3'600'000)};
                return to_rfc3339(t);
            };
            auto history = [&](core::ProfileState from, core::ProfileState to, std::optional<UserId> actor,
                               std::optional<std::string> decision, std::optional<std::string> reason,
                               std::string const& at) {
                tx->insert_history({0, p.id, actor, at, core::to_string(from.stage), core::to_string(from.status),
                                    core::to_string(to.stage), core::to_string(to.status), decision, reason});
                ++stats.history_rows;
            };
            auto reviewer = [&]() { return reviewers[rng() % reviewers.size()]; };
            auto clock_of = [&](core::Stage s, std::string const& at) {
                return core::sla_start(s, *parse_rfc3339(at));
            };

            core::ProfileState st;
            if (!partial && target == core::Stage::details) {
                // Submitted (some rejected once, some waiting).
                auto const at = advance(2, 72);
                history(st, {core::Stage::details, core::StageStatus::submitted}, uid, std::nullopt, std::nullopt, at);
                st.status = core::StageStatus::submitted;
                auto c = clock_of(core::Stage::details, at);
                if (chance(30)) {
                    auto const rat = advance(4, 60);
                    std::string const reason = pick(kReasons);
                    history(st, {core::Stage::details, core::StageStatus::rejected}, reviewer(), "reject", reason, rat);
                    st.status = core::StageStatus::rejected;
                    c = core::sla_pause(c, *parse_rfc3339(rat));
                }
                tx->save_sla_clock(p.id, c);
                if (st.status == core::StageStatus::submitted) {
                    p.submitted_at = at;
                    auto const s = core::sla_status(c, policy, now);
                    if (s.deadline) p.sla_due_at = to_rfc3339(*s.deadline);
                }
            } else if (target != core::Stage::details) {
                auto const sub = advance(2, 72);
                history(st, {core::Stage::details, core::StageStatus::submitted}, uid, std::nullopt, std::nullopt, sub);
                auto const ok = advance(1, 60);
                history({core::Stage::details, core::StageStatus::submitted}, {core::Stage::documents, core::StageStatus::draft},
                        reviewer(), "approve", std::nullopt, ok);
                tx->save_sla_clock(p.id, core::sla_stop(clock_of(core::Stage::details, sub), *parse_rfc3339(ok)));
                st = {core::Stage::documents, core::StageStatus::draft};
                // Uploads: all required ones past the documents stage, some of them before.
                bool const all_docs = target != core::Stage::documents || chance(60);
                for (std::size_t k = 0; k < types.size(); ++k) {
                    auto const& type = types[k];
                    if (!type.required && !chance(30)) continue;
                    if (type.required && !all_docs && chance(50)) continue;
                    DocumentRecord d;
                    d.profile_id = p.id;
                    d.type = type.code;
                    d.filename = type.code + ".pdf";
                    d.size = type_blobs[k].size;
                    d.sha256 = type_blobs[k].sha;
                    d.mime = "application/pdf";
                    d.status = "pending";
                    d.uploaded_by = uid;
                    d.uploaded_at = advance(0.5, 24);
                    auto const did = tx->insert_document(d);
                    ++stats.documents;
                    if (target != core::Stage::documents) {
                        tx->review_document(did, "approved", reviewer(), advance(0.5, 12), "");
                    }
                }
                if (target == core::Stage::documents && all_docs && chance(70)) {
                    auto const at = advance(1, 24);
                    history(st, {core::Stage::documents, core::StageStatus::submitted}, uid, std::nullopt, std::nullopt, at);
                    st.status = core::StageStatus::submitted;
                    auto c = clock_of(core::Stage::documents, at);
                    tx->save_sla_clock(p.id, c);
                    p.submitted_at = at;
                    auto const s = core::sla_status(c, policy, now);
                    if (s.deadline) p.sla_due_at = to_rfc3339(*s.deadline);
                } else if (target != core::Stage::documents) {
                    auto const dsub = advance(1, 24);
                    history(st, {core::Stage::documents, core::StageStatus::submitted}, uid, std::nullopt, std::nullopt, dsub);
                    auto const dok = advance(2, 90);
                    history({core::Stage::documents, core::StageStatus::submitted}, {core::Stage::final, core::StageStatus::submitted},
                            reviewer(), "approve", std::nullopt, dok);
                    tx->save_sla_clock(p.id, core::sla_stop(clock_of(core::Stage::documents, dsub), *parse_rfc3339(dok)));
                    st = {core::Stage::final, core::StageStatus::submitted};
                    auto c = clock_of(core::Stage::final, dok);
                    if (target == core::Stage::completed) {
                        auto const fok = advance(1, 30);
                        history(st, {core::Stage::completed, core::StageStatus::submitted}, reviewer(), "approve",
                                std::nullopt, fok);
                        c = core::sla_stop(c, *parse_rfc3339(fok));
                        st = {core::Stage::completed, core::StageStatus::submitted, core::EmploymentStatus::active};
                    } else {
                        p.submitted_at = dok;
                        auto const s = core::sla_status(c, policy, now);
                        if (s.deadline) p.sla_due_at = to_rfc3339(*s.deadline);
                    }
                    tx->save_sla_clock(p.id, c);
                }
            }
            if (chance(40) && st.status == core::StageStatus::submitted && st.stage != core::Stage::completed)
                p.assignee_id = reviewer();
            p.state = st;
            p.progress = compute_progress(*tx, p);
            p.updated_at = to_rfc3339(t);
            tx->update_profile(p);
            ++stats.employees;
        }
        tx->commit();
        if (progress) progress(end, employees);
    }
    return stats;
}

}  // namespace hrms::app
