// The audit writer and chain on a real store (a temporary SQLite file, or a PostgreSQL database
// under HRMS_TEST_PG_BASE when HRMS_TEST_BACKEND=pg): access and domain entries are sealed into
// one chain, a rolled-back transaction leaves none, and every kind of tampering with the rows
// (edit, delete, insert, reorder) is named at the first entry it breaks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>

#include <unistd.h>

#include "hrms/app/audit.hpp"
#include "hrms/app/audit_key.hpp"
#include "hrms/app/crypto.hpp"
#include "hrms/audit/writer.hpp"
#include "hrms/store/soci_store.hpp"
#include "hrms/store/test_store.hpp"

using namespace hrms;
using app::AuditEntry;
using core::AuditCategory;

namespace {

bool pg() {
    char const* b = std::getenv("HRMS_TEST_BACKEND");
    return b && std::string(b) == "pg";
}

AuditEntry access_entry(int n) {
    AuditEntry e;
    e.time = Instant{1'800'000'000'000 + n};
    e.category = AuditCategory::access;
    e.action = "http.request";
    e.actor_id = 7;
    e.request_id = "req-" + std::to_string(n);
    e.ip = "192.0.2.1";
    e.user_agent = "test/1.0 ünïcödé";
    e.method = "GET";
    e.route = "/api/v1/profiles/{id}";
    e.path = "/api/v1/profiles/" + std::to_string(n);
    e.status = 200;
    e.latency_us = 1234;
    e.bytes_out = 99;
    return e;
}

class AuditTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = std::make_unique<store::TestStore>(::testing::UnitTest::GetInstance()->current_test_info()->name());
        store_ = &**db_;
        writer_ = std::make_unique<audit::Writer>(*store_, audit::WriterOptions{});
    }
    void TearDown() override {
        writer_.reset();
        db_.reset();
    }

    // A statement run straight on the database, as an intruder with write access would.
    void raw(std::string const& sql) {
        auto* s = dynamic_cast<store::SociStore*>(store_);
        ASSERT_NE(s, nullptr);
        if (s->dialect() == store::Dialect::sqlite) {
            auto c = s->open_audit_connection();
            *c << sql;
        } else {
            auto c = s->acquire_reader();
            *c << sql;
            s->release_reader(std::move(c), false);
        }
    }

    std::vector<AuditEntry> all() {
        auto tx = store_->begin(app::TxMode::read);
        app::AuditQuery q;
        q.limit = 1000;
        return tx->audit().search(q);
    }

    // Ten entries: domain and access interleaved over three steps.
    void fill() {
        for (int i = 1; i <= 3; ++i) writer_->record(access_entry(i));
        {
            auto tx = store_->begin(app::TxMode::write, app::TxContext{42, "req-domain"});
            auto e = app::domain_entry(Instant{1'800'000'000'500}, AuditCategory::decision, "profile.approve", "profile", "5");
            e.reason = "all good";
            e.before = R"({"stage":"details"})";
            e.after = R"({"stage":"documents"})";
            tx->audit().record(e);
            tx->commit();
        }
        ASSERT_EQ(writer_->flush(), 4);
        for (int i = 4; i <= 9; ++i) writer_->record(access_entry(i));
        ASSERT_EQ(writer_->flush(), 6);
        ASSERT_EQ(writer_->flush(), 0);
    }

    std::unique_ptr<store::TestStore> db_;
    app::Store* store_ = nullptr;
    std::unique_ptr<audit::Writer> writer_;
};

TEST_F(AuditTest, SealsDomainAndAccessEntriesIntoOneChain) {
    fill();
    auto const entries = all();
    ASSERT_EQ(entries.size(), 10u);
    // Newest first, consecutive, each hash over its predecessor's.
    for (std::size_t i = 0; i < entries.size(); ++i) EXPECT_EQ(entries[i].seq, 10 - static_cast<std::int64_t>(i));
    std::string prev = app::genesis_hash();
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        EXPECT_EQ(it->hash, app::chain_hash(prev, *it));
        prev = it->hash;
    }
    // The domain entry came first (it committed before the step), with the transaction's actor
    // and request id.
    auto const& d = entries.back();
    EXPECT_EQ(d.action, "profile.approve");
    EXPECT_EQ(d.actor_id, 42);
    EXPECT_EQ(d.request_id, "req-domain");
    EXPECT_EQ(d.reason, "all good");
    EXPECT_EQ(d.after, R"({"stage":"documents"})");
    EXPECT_EQ(entries[0].user_agent, "test/1.0 ünïcödé");
    EXPECT_EQ(entries[0].latency_us, 1234);

    auto const check = app::verify_chain(*store_);
    EXPECT_TRUE(check.ok);
    EXPECT_EQ(check.checked, 10);
}

TEST_F(AuditTest, ARolledBackTransactionLeavesNoEntry) {
    {
        auto tx = store_->begin(app::TxMode::write);
        tx->audit().record(app::domain_entry(Instant{1}, AuditCategory::admin, "user.suspend", "user", "3"));
        // destroyed without commit
    }
    EXPECT_EQ(writer_->flush(), 0);
    EXPECT_TRUE(all().empty());
}

TEST_F(AuditTest, SearchFiltersAndPages) {
    fill();
    auto tx = store_->begin(app::TxMode::read);
    app::AuditQuery q;
    q.request_id = "req-5";
    auto r = tx->audit().search(q);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].path, "/api/v1/profiles/5");
    q = {};
    q.category = AuditCategory::decision;
    EXPECT_EQ(tx->audit().search(q).size(), 1u);
    q = {};
    q.actor_id = 7;
    q.limit = 4;
    auto page1 = tx->audit().search(q);
    ASSERT_EQ(page1.size(), 4u);
    q.before_seq = page1.back().seq;
    auto page2 = tx->audit().search(q);
    ASSERT_EQ(page2.size(), 4u);
    EXPECT_LT(page2.front().seq, page1.back().seq);
    q = {};
    q.target_type = "profile";
    q.target_id = "5";
    EXPECT_EQ(tx->audit().search(q).size(), 1u);
    q = {};
    q.from = Instant{1'800'000'000'004};
    q.to = Instant{1'800'000'000'006};
    EXPECT_EQ(tx->audit().search(q).size(), 2u);
    EXPECT_EQ(tx->audit().by_seq(1)->action, "profile.approve");
    EXPECT_FALSE(tx->audit().by_seq(99));
}

// Time ranges go through the spans (0012_audit_spans.sql): steps within a minute share one,
// a new minute opens another, and an entry sealed long after its time (a domain entry left
// pending) is still found; the answer is the same as comparing every entry's time.
TEST_F(AuditTest, TimeRangesFindEveryEntryAcrossSpansAndOutOfOrderTimes) {
    auto const base = 1'800'000'020'000;  // 20 s into a minute
    for (int i = 0; i < 12; ++i) {
        auto e = access_entry(i);
        e.time = Instant{base + i * 17'000};  // a step every 17 s: several per minute, four minutes
        writer_->record(e);
        ASSERT_EQ(writer_->flush(), 1);
    }
    {
        auto tx = store_->begin(app::TxMode::write);
        tx->audit().record(app::domain_entry(Instant{base - 3'600'000}, AuditCategory::admin, "user.suspend", "user", "3"));
        tx->commit();
    }
    auto late = access_entry(99);
    late.time = Instant{base + 30'000};
    writer_->record(late);
    ASSERT_EQ(writer_->flush(), 2);
    auto const every = all();
    ASSERT_EQ(every.size(), 14u);
    auto tx = store_->begin(app::TxMode::read);
    for (auto [from, to] : std::vector<std::pair<std::int64_t, std::int64_t>>{
             {base - 4'000'000, base + 1'000'000}, {base - 3'600'000, base - 3'599'999}, {base, base + 17'000},
             {base + 30'000, base + 30'001}, {base + 40'000, base + 120'000}, {base + 500'000, base + 600'000},
             {base - 10'000'000, base - 9'000'000}}) {
        app::AuditQuery q;
        q.from = Instant{from};
        q.to = Instant{to};
        q.limit = 1000;
        std::vector<std::int64_t> want, got;
        for (auto const& e : every)
            if (e.time.ms >= from && e.time.ms < to) want.push_back(e.seq);
        for (auto const& e : tx->audit().search(q)) got.push_back(e.seq);
        EXPECT_EQ(got, want) << "from " << from - base << " to " << to - base;
    }
}

TEST_F(AuditTest, AnEditedEntryIsNamed) {
    fill();
    raw("UPDATE audit_entries SET reason = 'nothing to see' WHERE seq = 1");
    auto const c = app::verify_chain(*store_);
    EXPECT_FALSE(c.ok);
    EXPECT_EQ(c.first_bad_seq, 1);
    EXPECT_EQ(c.checked, 0);
}

TEST_F(AuditTest, AnEditedStatusDeepInTheChainIsNamed) {
    fill();
    raw("UPDATE audit_entries SET status = 403 WHERE seq = 7");
    auto const c = app::verify_chain(*store_);
    EXPECT_EQ(c.first_bad_seq, 7);
    EXPECT_EQ(c.checked, 6);
}

TEST_F(AuditTest, ADeletedEntryIsNamed) {
    fill();
    raw("DELETE FROM audit_entries WHERE seq = 4");
    auto const c = app::verify_chain(*store_);
    EXPECT_FALSE(c.ok);
    EXPECT_EQ(c.first_bad_seq, 4);
    EXPECT_NE(c.problem.find("missing"), std::string::npos);
}

TEST_F(AuditTest, ADeletedEntryRenumberedIsNamed) {
    fill();
    // Hide the gap: delete 4 and move every later entry down one.
    raw("DELETE FROM audit_entries WHERE seq = 4");
    for (int s = 5; s <= 10; ++s)
        raw("UPDATE audit_entries SET seq = " + std::to_string(s - 1) + " WHERE seq = " + std::to_string(s));
    EXPECT_EQ(app::verify_chain(*store_).first_bad_seq, 4);
}

TEST_F(AuditTest, AnInsertedEntryIsNamed) {
    fill();
    raw("INSERT INTO audit_entries (seq, at, category, level, action, outcome, hash) VALUES "
        "(11, '2027-01-15T08:00:00.000Z', 'admin', 'info', 'user.create', 'success', '" +
        std::string(64, 'a') + "')");
    auto const c = app::verify_chain(*store_);
    EXPECT_EQ(c.first_bad_seq, 11);
    EXPECT_EQ(c.checked, 10);
}

TEST_F(AuditTest, ReorderedEntriesAreNamed) {
    fill();
    raw("UPDATE audit_entries SET seq = -1 WHERE seq = 2");
    raw("UPDATE audit_entries SET seq = 2 WHERE seq = 3");
    raw("UPDATE audit_entries SET seq = 3 WHERE seq = -1");
    EXPECT_EQ(app::verify_chain(*store_).first_bad_seq, 2);
}

TEST_F(AuditTest, StopSealsEverythingBuffered) {
    writer_->start();
    for (int i = 1; i <= 5000; ++i) writer_->record(access_entry(i));
    writer_->stop();
    auto const c = app::verify_chain(*store_);
    EXPECT_TRUE(c.ok);
    EXPECT_EQ(c.checked, 5000);
}

TEST_F(AuditTest, AccessEntriesOffRecordsNoAccessEntryButSecurityOnes) {
    audit::Writer off(*store_, audit::WriterOptions{.access = false});
    EXPECT_FALSE(off.enabled());
    off.record(access_entry(1));
    EXPECT_EQ(off.flush(), 0);
    auto security = access_entry(2);
    security.category = AuditCategory::security;
    security.action = "authz.denied";
    off.record(security);
    EXPECT_EQ(off.flush(), 1);
}

TEST_F(AuditTest, AProcessWithoutTheSealerLockHandsItsEntriesOver) {
    if (!pg()) GTEST_SKIP() << "one process per SQLite file: it always seals";
    // A second process's store on the same database.
    auto other = store::open_store(std::string(std::getenv("HRMS_TEST_PG_BASE")) + "/test_" + std::to_string(::getpid()), 2);
    audit::Writer other_writer(*other, audit::WriterOptions{});
    {
        auto held = store_->audit_log().begin_seal();  // this process is sealing right now
        ASSERT_TRUE(held->sealer());
        for (int i = 1; i <= 3; ++i) other_writer.record(access_entry(i));
        EXPECT_EQ(other_writer.flush(), 3);  // stored as pending, for the sealer
    }
    EXPECT_TRUE(all().empty());
    EXPECT_EQ(writer_->flush(), 3);  // the sealer takes them over
    auto const c = app::verify_chain(*store_);
    EXPECT_TRUE(c.ok);
    EXPECT_EQ(c.checked, 3);
    EXPECT_EQ(all()[0].request_id, "req-3");
}

// ---- the store away

// A step whose commit fails, as when the connection drops mid-step.
class FailingCommit final : public app::AuditSeal {
public:
    explicit FailingCommit(std::unique_ptr<app::AuditSeal> real) : real_(std::move(real)) {}
    bool sealer() const override { return real_->sealer(); }
    app::ChainHead head() override { return real_->head(); }
    std::vector<AuditEntry> pending(int limit) override { return real_->pending(limit); }
    void append(std::span<AuditEntry const> sealed) override { real_->append(sealed); }
    void add_pending(std::span<AuditEntry const> entries) override { real_->add_pending(entries); }
    std::int64_t drop_through(std::int64_t seq) override { return real_->drop_through(seq); }
    std::int64_t last_checkpoint() override { return real_->last_checkpoint(); }
    void add_checkpoint(app::AuditCheckpoint const& c) override { real_->add_checkpoint(c); }
    void commit() override { throw std::runtime_error("database error: connection lost"); }

private:
    std::unique_ptr<app::AuditSeal> real_;
};

// The test's store with an audit log that fails while `down` is set, as a database that went
// away would (every other port is the real one).
class FlakyStore final : public app::Store, public app::AuditLog {
public:
    explicit FlakyStore(app::Store& real) : real_(real) {}
    bool down = false;
    bool fail_commit = false;
    std::unique_ptr<app::Tx> begin(app::TxMode mode, app::TxContext context) override {
        return real_.begin(mode, std::move(context));
    }
    std::string backend() const override { return real_.backend(); }
    bool ping() override { return !down && real_.ping(); }
    int schema_version() override { return real_.schema_version(); }
    int latest_schema_version() const override { return real_.latest_schema_version(); }
    app::PoolStats pool_stats() const override { return real_.pool_stats(); }
    void set_live_sink(app::LiveSink* sink) override { real_.set_live_sink(sink); }
    void set_effect_sink(app::EffectSink* sink) override { real_.set_effect_sink(sink); }
    app::AuditLog& audit_log() override { return *this; }
    std::unique_ptr<app::AuditSeal> begin_seal() override {
        if (down) throw std::runtime_error("database error: could not connect to server");
        if (fail_commit) return std::make_unique<FailingCommit>(real_.audit_log().begin_seal());
        return real_.audit_log().begin_seal();
    }

private:
    app::Store& real_;
};

TEST_F(AuditTest, EntriesOfAStepThatFailsAfterSealingAreKeptWhole) {
    FlakyStore flaky(*store_);
    audit::Writer w(flaky, audit::WriterOptions{});
    for (int i = 1; i <= 3; ++i) w.record(access_entry(i));
    flaky.fail_commit = true;
    EXPECT_THROW(w.flush(), std::runtime_error);
    flaky.fail_commit = false;
    EXPECT_EQ(w.flush(), 3);
    auto const entries = all();
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[0].request_id, "req-3");
    EXPECT_EQ(entries[2].path, "/api/v1/profiles/1");
    EXPECT_TRUE(app::verify_chain(*store_).ok);
}

TEST_F(AuditTest, EntriesWaitInTheBufferWhileTheStoreIsAwayAndAreWrittenWhenItReturns) {
    FlakyStore flaky(*store_);
    audit::Writer w(flaky, audit::WriterOptions{.buffer = 8});
    flaky.down = true;
    for (int i = 1; i <= 10; ++i) w.record(access_entry(i));
    EXPECT_THROW(w.flush(), std::runtime_error);
    EXPECT_THROW(w.flush(), std::runtime_error);
    auto const m = w.render_metrics();
    EXPECT_NE(m.find("hrms_audit_buffered 8\n"), std::string::npos) << m;  // the buffer's capacity
    EXPECT_NE(m.find("hrms_audit_dropped_total 2\n"), std::string::npos) << m;  // the two oldest
    EXPECT_NE(m.find("hrms_audit_write_failures_total 2\n"), std::string::npos) << m;
    flaky.down = false;
    EXPECT_EQ(w.flush(), 8);
    auto const entries = all();
    ASSERT_EQ(entries.size(), 8u);
    EXPECT_EQ(entries.back().request_id, "req-3");  // in order, the newest kept
    EXPECT_EQ(entries.front().request_id, "req-10");
    EXPECT_TRUE(app::verify_chain(*store_).ok);
}

// ---- signed checkpoints

app::AuditKey test_key(char fill = 'k') { return app::AuditKey::from_seed(std::string(32, fill)); }

TEST_F(AuditTest, ACheckpointIsWrittenOnlyWhenTheHeadMoved) {
    ASSERT_TRUE(app::crypto_init());
    auto const key = test_key();
    EXPECT_FALSE(app::checkpoint_chain(*store_, key, Instant{1}));  // an empty chain
    fill();
    EXPECT_TRUE(app::checkpoint_chain(*store_, key, Instant{2}));
    EXPECT_FALSE(app::checkpoint_chain(*store_, key, Instant{3}));
    auto tx = store_->begin(app::TxMode::read);
    auto const cps = tx->audit().checkpoints();
    ASSERT_EQ(cps.size(), 1u);
    EXPECT_EQ(cps[0].seq, 10);
    EXPECT_EQ(cps[0].public_key, key.public_key());
    EXPECT_TRUE(app::checkpoint_signed(cps[0]));
    auto const c = app::verify_chain(*store_, key.public_key());
    EXPECT_TRUE(c.ok);
    EXPECT_EQ(c.checkpoints, 1);
}

TEST_F(AuditTest, AChainRewrittenWithFreshHashesDiffersFromItsCheckpoint) {
    ASSERT_TRUE(app::crypto_init());
    fill();
    ASSERT_TRUE(app::checkpoint_chain(*store_, test_key(), Instant{2}));
    // An intruder edits entry 3 and recomputes every hash from there on.
    auto entries = all();
    std::reverse(entries.begin(), entries.end());
    std::string prev = entries[1].hash;
    for (std::size_t i = 2; i < entries.size(); ++i) {
        if (i == 2) entries[i].reason = "rewritten";
        entries[i].hash = app::chain_hash(prev, entries[i]);
        prev = entries[i].hash;
        raw("UPDATE audit_entries SET reason = '" + entries[i].reason + "', hash = '" + entries[i].hash +
            "' WHERE seq = " + std::to_string(entries[i].seq));
    }
    auto const c = app::verify_chain(*store_);
    EXPECT_FALSE(c.ok);
    EXPECT_EQ(c.first_bad_seq, 10);  // every link holds; the signed head does not
    EXPECT_NE(c.problem.find("checkpoint"), std::string::npos);
}

TEST_F(AuditTest, ATailCutAfterACheckpointIsNamed) {
    ASSERT_TRUE(app::crypto_init());
    fill();
    ASSERT_TRUE(app::checkpoint_chain(*store_, test_key(), Instant{2}));
    raw("DELETE FROM audit_entries WHERE seq >= 9");
    auto const c = app::verify_chain(*store_);
    EXPECT_EQ(c.first_bad_seq, 9);
    EXPECT_NE(c.problem.find("missing"), std::string::npos);
}

TEST_F(AuditTest, AForgedOrForeignCheckpointIsNamed) {
    ASSERT_TRUE(app::crypto_init());
    fill();
    ASSERT_TRUE(app::checkpoint_chain(*store_, test_key('x'), Instant{2}));
    // Signed by a key this server does not trust.
    auto c = app::verify_chain(*store_, test_key('k').public_key());
    EXPECT_EQ(c.first_bad_seq, 10);
    EXPECT_NE(c.problem.find("another key"), std::string::npos);
    // A signature that does not verify.
    raw("UPDATE audit_checkpoints SET at = '2030-01-01T00:00:00.000Z'");
    c = app::verify_chain(*store_);
    EXPECT_EQ(c.first_bad_seq, 10);
    EXPECT_NE(c.problem.find("signature"), std::string::npos);
}

}  // namespace
