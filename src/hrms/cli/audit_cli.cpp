#include "hrms/cli/audit_cli.hpp"

#include <boost/json.hpp>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "hrms/app/audit.hpp"
#include "hrms/app/audit_key.hpp"
#include "hrms/app/crypto.hpp"

namespace hrms::cli {

namespace json = boost::json;

std::string audit_key_path(Config const& config) {
    return config.audit_key_file.empty() ? (std::filesystem::path(config.data_dir) / "audit-signing.key").string()
                                         : config.audit_key_file;
}

std::optional<std::string> configured_public_key(Config const& config) {
    auto const path = audit_key_path(config);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return std::nullopt;
    auto key = app::AuditKey::load_or_create(path);
    if (!key) throw std::runtime_error(key.error().message);
    return key->public_key();
}

namespace {

int report(app::ChainCheck const& check, double secs, std::optional<std::string> const& key) {
    json::object out{{"ok", check.ok}, {"checked", check.checked}, {"checkpoints", check.checkpoints},
                     {"seconds", secs}};
    out["first_bad_seq"] = check.first_bad_seq ? json::value(*check.first_bad_seq) : json::value(nullptr);
    out["public_key"] = key ? json::value(*key) : json::value(nullptr);
    if (!check.ok) out["problem"] = check.problem;
    std::cout << json::serialize(out) << "\n";
    return check.ok ? 0 : 1;
}

double since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Every field the hash covers, as stored (before, after and details as their JSON text).
json::object entry_json(app::AuditEntry const& e) {
    return json::object{
        {"seq", e.seq},           {"time", to_rfc3339(e.time)},
        {"category", core::to_string(e.category)}, {"level", core::to_string(e.level)},
        {"action", e.action},     {"outcome", core::to_string(e.outcome)},
        {"actor_id", e.actor_id ? json::value(*e.actor_id) : json::value(nullptr)},
        {"session_id", e.session_id}, {"request_id", e.request_id}, {"ip", e.ip},
        {"user_agent", e.user_agent}, {"method", e.method}, {"route", e.route}, {"path", e.path},
        {"status", e.status},     {"latency_us", e.latency_us}, {"bytes_in", e.bytes_in},
        {"bytes_out", e.bytes_out}, {"slow", e.slow}, {"target_type", e.target_type},
        {"target_id", e.target_id}, {"reason", e.reason}, {"before", e.before}, {"after", e.after},
        {"details", e.details},   {"hash", e.hash},
    };
}

std::string text(json::object const& o, char const* k) {
    auto const* v = o.if_contains(k);
    if (!v || !v->is_string()) throw std::runtime_error(std::string("field ") + k + " is not text");
    return std::string(v->as_string());
}
std::int64_t number(json::object const& o, char const* k) {
    auto const* v = o.if_contains(k);
    if (!v || !v->is_int64()) throw std::runtime_error(std::string("field ") + k + " is not an integer");
    return v->as_int64();
}
template <class E>
E enum_of(json::object const& o, char const* k, std::optional<E> (*parse)(std::string_view)) {
    auto e = parse(text(o, k));
    if (!e) throw std::runtime_error(std::string("field ") + k + " has an unknown value");
    return *e;
}

app::AuditEntry entry_from(json::object const& o) {
    app::AuditEntry e;
    e.seq = number(o, "seq");
    auto t = parse_rfc3339(text(o, "time"));
    if (!t) throw std::runtime_error("field time is not an RFC 3339 time");
    e.time = *t;
    e.category = enum_of(o, "category", core::parse_audit_category);
    e.level = enum_of(o, "level", core::parse_audit_level);
    e.action = text(o, "action");
    e.outcome = enum_of(o, "outcome", core::parse_audit_outcome);
    if (auto const* a = o.if_contains("actor_id"); a && !a->is_null()) e.actor_id = number(o, "actor_id");
    e.session_id = text(o, "session_id");
    e.request_id = text(o, "request_id");
    e.ip = text(o, "ip");
    e.user_agent = text(o, "user_agent");
    e.method = text(o, "method");
    e.route = text(o, "route");
    e.path = text(o, "path");
    e.status = static_cast<int>(number(o, "status"));
    e.latency_us = number(o, "latency_us");
    e.bytes_in = number(o, "bytes_in");
    e.bytes_out = number(o, "bytes_out");
    auto const* slow = o.if_contains("slow");
    if (!slow || !slow->is_bool()) throw std::runtime_error("field slow is not a boolean");
    e.slow = slow->as_bool();
    e.target_type = text(o, "target_type");
    e.target_id = text(o, "target_id");
    e.reason = text(o, "reason");
    e.before = text(o, "before");
    e.after = text(o, "after");
    e.details = text(o, "details");
    e.hash = text(o, "hash");
    return e;
}

json::object checkpoint_json(app::AuditCheckpoint const& c) {
    return json::object{{"seq", c.seq},
                        {"hash", c.hash},
                        {"at", to_rfc3339(c.at)},
                        {"public_key", c.public_key},
                        {"signature", c.signature}};
}

app::AuditCheckpoint checkpoint_from(json::object const& o) {
    app::AuditCheckpoint c;
    c.seq = number(o, "seq");
    c.hash = text(o, "hash");
    auto t = parse_rfc3339(text(o, "at"));
    if (!t) throw std::runtime_error("field at is not an RFC 3339 time");
    c.at = *t;
    c.public_key = text(o, "public_key");
    c.signature = text(o, "signature");
    return c;
}

constexpr char kFormat[] = "hrms-audit-export";

// Lines of a file, gzip-compressed or not (zlib reads plain files as they are).
class LineReader {
public:
    explicit LineReader(std::string const& path) : gz_(gzopen(path.c_str(), "rb")) {
        if (!gz_) throw std::runtime_error("cannot read " + path);
        gzbuffer(gz_, 1 << 16);
    }
    ~LineReader() { gzclose(gz_); }
    LineReader(LineReader const&) = delete;
    LineReader& operator=(LineReader const&) = delete;
    bool next(std::string& line) {
        line.clear();
        char buf[1 << 14];
        while (gzgets(gz_, buf, sizeof buf)) {
            line += buf;
            if (!line.empty() && line.back() == '\n') {
                line.pop_back();
                return true;
            }
        }
        int err = 0;
        gzerror(gz_, &err);
        if (err != Z_OK && err != Z_STREAM_END) throw std::runtime_error("the file is damaged (gzip)");
        return !line.empty();
    }

private:
    gzFile gz_;
};

}  // namespace

int audit_verify(app::Store& store, std::optional<std::string> trusted_key) {
    auto const started = std::chrono::steady_clock::now();
    auto const check = app::verify_chain(store, trusted_key);
    return report(check, since(started), trusted_key);
}

int audit_export(app::Store& store, std::optional<std::string> public_key, std::string const& out_path) {
    std::ofstream file;
    if (out_path != "-") {
        file.open(out_path, std::ios::binary | std::ios::trunc);
        if (!file) throw std::runtime_error("cannot write " + out_path);
    }
    std::ostream& out = out_path == "-" ? std::cout : file;
    auto tx = store.begin(app::TxMode::read);
    auto const checkpoints = tx->audit().checkpoints();
    out << json::serialize(json::object{{"format", kFormat},
                                        {"version", 1},
                                        {"public_key", public_key ? json::value(*public_key) : json::value(nullptr)},
                                        {"checkpoints", checkpoints.size()}})
        << "\n";
    for (auto const& c : checkpoints) out << json::serialize(json::object{{"checkpoint", checkpoint_json(c)}}) << "\n";
    std::int64_t n = 0;
    tx->audit().scan(1, [&](app::AuditEntry const& e) {
        out << json::serialize(json::object{{"entry", entry_json(e)}}) << "\n";
        ++n;
        return true;
    });
    out.flush();
    if (!out) throw std::runtime_error("writing the export failed");
    std::cerr << "exported " << n << " entries and " << checkpoints.size() << " checkpoints\n";
    return 0;
}

int audit_verify_file(std::string const& path, std::optional<std::string> trusted_key) {
    auto const started = std::chrono::steady_clock::now();
    LineReader in(path);
    std::string line;
    std::int64_t line_no = 0;
    auto parse = [&]() -> json::object {
        boost::system::error_code ec;
        auto v = json::parse(line, ec);
        if (ec || !v.is_object())
            throw std::runtime_error(path + ":" + std::to_string(line_no) + ": not a JSON object");
        return std::move(v.as_object());
    };
    if (!in.next(line)) throw std::runtime_error(path + " is empty");
    ++line_no;
    auto const header = parse();
    if (auto const* f = header.if_contains("format"); !f || !f->is_string() || f->as_string() != kFormat)
        throw std::runtime_error(path + " is not an hrms audit export");
    if (!trusted_key) {
        if (auto const* k = header.if_contains("public_key"); k && k->is_string()) {
            trusted_key = std::string(k->as_string());
            std::cerr << "warning: checking signatures against the key the file names; pass --public-key to "
                         "pin the key you trust\n";
        }
    }
    std::vector<app::AuditCheckpoint> checkpoints;
    std::optional<app::ChainVerifier> verifier;
    while (in.next(line)) {
        ++line_no;
        if (line.empty()) continue;
        auto const o = parse();
        try {
            if (auto const* c = o.if_contains("checkpoint"); c && c->is_object()) {
                if (verifier) throw std::runtime_error("a checkpoint after the entries");
                checkpoints.push_back(checkpoint_from(c->as_object()));
            } else if (auto const* e = o.if_contains("entry"); e && e->is_object()) {
                if (!verifier) verifier.emplace(checkpoints, trusted_key);
                if (!verifier->add(entry_from(e->as_object()))) break;
            } else {
                throw std::runtime_error("neither an entry nor a checkpoint");
            }
        } catch (std::runtime_error const& err) {
            throw std::runtime_error(path + ":" + std::to_string(line_no) + ": " + err.what());
        }
    }
    if (!verifier) verifier.emplace(checkpoints, trusted_key);
    return report(verifier->finish(), since(started), trusted_key);
}

namespace {
// Writes entries first..through.seq with the checkpoints that vouch for both ends as
// audit-<first>-<last>.jsonl.gz in `dir`: to a temporary file, fsynced, then renamed (and the
// directory fsynced), so a crash leaves either no archive or a whole one.
void write_archive(app::Store& store, std::filesystem::path const& dir, std::optional<std::string> const& public_key,
                   std::vector<app::AuditCheckpoint> const& checkpoints, std::int64_t first,
                   app::AuditCheckpoint const& through_cp) {
    auto const* through = &through_cp;
    std::filesystem::create_directories(dir);
    auto const name = "audit-" + std::to_string(first) + "-" + std::to_string(through->seq) + ".jsonl.gz";
    auto const tmp = dir / (name + ".tmp");
    {
        gzFile gz = gzopen(tmp.c_str(), "wb6");
        if (!gz) throw std::runtime_error("cannot write " + tmp.string());
        auto put = [&](json::object const& o) {
            auto const line = json::serialize(o) + "\n";
            if (gzwrite(gz, line.data(), static_cast<unsigned>(line.size())) != static_cast<int>(line.size()))
                throw std::runtime_error("writing " + tmp.string() + " failed");
        };
        std::vector<app::AuditCheckpoint> covering;
        for (auto const& c : checkpoints) {
            if (c.seq >= first - 1 && c.seq <= through->seq) covering.push_back(c);
        }
        put(json::object{{"format", kFormat},
                         {"version", 1},
                         {"public_key", public_key ? json::value(*public_key) : json::value(nullptr)},
                         {"checkpoints", covering.size()},
                         {"first_seq", first},
                         {"last_seq", through->seq}});
        for (auto const& c : covering) put(json::object{{"checkpoint", checkpoint_json(c)}});
        auto tx = store.begin(app::TxMode::read);
        tx->audit().scan(first, [&](app::AuditEntry const& e) {
            if (e.seq > through->seq) return false;
            put(json::object{{"entry", entry_json(e)}});
            return true;
        });
        if (gzclose(gz) != Z_OK) throw std::runtime_error("writing " + tmp.string() + " failed");
    }
    // On disk before anything is deleted.
    int fd = ::open(tmp.c_str(), O_RDONLY);
    if (fd < 0 || ::fsync(fd) != 0) {
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("cannot sync " + tmp.string());
    }
    ::close(fd);
    std::filesystem::rename(tmp, dir / name);
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}
}  // namespace

std::int64_t audit_retention(app::Store& store, Config const& config, std::optional<std::string> public_key,
                             Instant now) {
    if (config.audit_retention_days <= 0) return 0;
    auto const cutoff = now.plus_seconds(-config.audit_retention_days * 86400.0);
    std::vector<app::AuditCheckpoint> checkpoints;
    std::int64_t first = 0, head = 0;
    {
        auto tx = store.begin(app::TxMode::read);
        checkpoints = tx->audit().checkpoints();
        tx->audit().scan(1, [&](app::AuditEntry const& e) {
            first = e.seq;
            return false;
        });
        app::AuditQuery q;
        q.limit = 1;
        auto newest = tx->audit().search(q);
        if (!newest.empty()) head = newest.front().seq;
    }
    // The newest checkpoint signed before the cutoff: every entry up to it is older (entries are
    // sealed before a checkpoint names them). One entry at least stays, so the chain's end
    // remains vouched for by the checkpoints after it.
    std::optional<app::AuditCheckpoint> through;
    for (auto const& c : checkpoints) {
        if (c.at < cutoff && c.seq >= first && c.seq < head) through = c;
    }
    if (!through || first == 0) return 0;

    write_archive(store, std::filesystem::path(config.data_dir) / "audit-archive", public_key, checkpoints, first,
                  *through);
    // In steps, so the chain's writer lock is never held for long.
    std::int64_t deleted = 0;
    for (std::int64_t upto = first + 9999;; upto += 10000) {
        auto seal = store.audit_log().begin_seal();
        if (!seal->sealer()) throw std::runtime_error("another process holds the audit sealer's lock; retried next run");
        deleted += seal->drop_through(std::min(upto, through->seq));
        seal->commit();
        if (upto >= through->seq) break;
    }
    return deleted;
}

void AuditCommands::add_to(CLI::App& cli) {
    auto* audit = cli.add_subcommand("audit", "the audit trail");
    audit->require_subcommand(1);
    verify = audit->add_subcommand("verify", "walk the hash chain; exit 1 at the first entry that does not match");
    verify->add_option("--file", file, "an export (hrms audit checkpoint export) instead of the database");
    verify->add_option("--public-key", public_key, "the signing key's public key (hex) checkpoints must carry");
    auto* checkpoint = audit->add_subcommand("checkpoint", "signed checkpoints");
    checkpoint->require_subcommand(1);
    export_ = checkpoint->add_subcommand(
        "export", "write the chain, its signed checkpoints and the public key (JSON lines), for hrms audit verify --file");
    export_->add_option("--out", out, "where to write (default: standard output)");
}

int AuditCommands::run(Config const& config, std::function<std::unique_ptr<app::Store>()> const& open) const {
    if (*verify) {
        std::optional<std::string> pinned;
        if (!public_key.empty()) pinned = public_key;
        if (!file.empty()) return audit_verify_file(file, pinned);
        if (!pinned) pinned = configured_public_key(config);
        return audit_verify(*open(), pinned);
    }
    return audit_export(*open(), configured_public_key(config), out);
}

namespace {
// What a setting shows in the trail: its value, or a fingerprint for a secret (a change still shows).
std::string shown(std::string const& env, std::string const& value) {
    return secret_setting(env) ? "sha256:" + app::sha256_hex(value).substr(0, 12) : value;
}

json::object previous_settings(app::Store& store) {
    auto tx = store.begin(app::TxMode::read);
    app::AuditQuery q;
    q.category = core::AuditCategory::system;
    q.action = "settings.applied";
    q.limit = 1;
    auto const found = tx->audit().search(q);
    if (found.empty()) return {};
    boost::system::error_code ec;
    auto const details = json::parse(found.front().details, ec);
    if (ec || !details.is_object()) return {};
    auto const* settings = details.as_object().if_contains("settings");
    return settings && settings->is_object() ? settings->as_object() : json::object{};
}
}  // namespace

bool record_settings(app::Store& store, Config const& config, Instant now) {
    json::object current;
    for (auto const& [env, value] : config.given) current[env] = shown(env, value);
    auto const before = previous_settings(store);
    json::object changed;
    for (auto const& [env, value] : current) {
        auto const* was = before.if_contains(env);
        if (!was || *was != value) changed[env] = {{"from", was ? *was : json::value(nullptr)}, {"to", value}};
    }
    for (auto const& [env, was] : before)
        if (!current.contains(env)) changed[env] = {{"from", was}, {"to", nullptr}};  // back to its default
    if (changed.empty() && !before.empty()) return false;
    auto entry = app::domain_entry(now, core::AuditCategory::system, "settings.applied", "settings", "");
    entry.details = json::serialize(json::object{{"settings", current}, {"changed", changed}});
    auto tx = store.begin(app::TxMode::write, app::TxContext{});
    tx->audit().record(entry);
    tx->commit();
    return true;
}

}  // namespace hrms::cli
