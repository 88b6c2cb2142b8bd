// Store tests: run against SQLite (a temporary file) or PostgreSQL (a database under HRMS_TEST_PG_BASE), chosen
// by HRMS_TEST_BACKEND. CTest registers both (labels sqlite and pg).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include <unistd.h>

#include <soci/soci.h>

#include "hrms/store/migrate.hpp"
#include "hrms/store/open.hpp"
#include "hrms/store/soci_store.hpp"
#include "hrms/store/test_store.hpp"

using namespace hrms;
using namespace hrms::app;

namespace {

Instant at(char const* text) { return *parse_rfc3339(text); }


class StoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = std::make_unique<store::TestStore>(::testing::UnitTest::GetInstance()->current_test_info()->name());
        store_ = &**db_;
    }
    void TearDown() override { db_.reset(); }
    // An employee with a profile, as Users::create makes one.
    UserId add_employee(std::string const& email, std::string const& name) {
        auto tx = store_->begin(TxMode::write);
        auto id = tx->users().insert({email, name, core::UserStatus::active, std::string("hash"), {"employee"}, now_});
        tx->profiles().insert(id, now_);
        tx->commit();
        return id;
    }
    // How many users the user list's free text finds, and how many profiles the queue's does.
    std::size_t users_found(std::string const& text) {
        auto tx = store_->begin(TxMode::read);
        UserQuery q;
        q.text = text;
        return tx->users().list(q).size();
    }
    std::size_t profiles_found(std::string const& text) {
        auto tx = store_->begin(TxMode::read);
        QueueQuery q;
        q.text = text;
        q.now = now_;
        return tx->profiles().list(q).size();
    }
    UserId add_user(std::string const& email, std::vector<std::string> roles = {"employee"}) {
        auto tx = store_->begin(TxMode::write);
        auto id = tx->users().insert({email, "Name " + email, core::UserStatus::active, std::string("hash"), roles,
                                   at("2026-01-01T00:00:00.000Z")});
        tx->commit();
        return id;
    }

    Instant const now_ = at("2026-01-01T00:00:00.000Z");
    std::unique_ptr<store::TestStore> db_;
    Store* store_ = nullptr;
};

}  // namespace

TEST_F(StoreTest, MigrationsAreRecordedAndIdempotent) {
    EXPECT_EQ(store_->schema_version(), store_->latest_schema_version());
    EXPECT_EQ(store::migrate(*store_), 0);
}

TEST_F(StoreTest, BuiltinRolesAreSeeded) {
    auto tx = store_->begin(TxMode::read);
    auto roles = tx->roles().list();
    ASSERT_EQ(roles.size(), 3u);
    auto admin = tx->roles().find("admin");
    ASSERT_TRUE(admin);
    EXPECT_TRUE(admin->builtin);
    EXPECT_TRUE(admin->permissions.contains("*"));
}

TEST_F(StoreTest, UserRoundTripsWithRolesAndNulls) {
    auto id = add_user("a@example.com", {"reviewer", "employee"});
    auto tx = store_->begin(TxMode::read);
    auto u = tx->users().by_id(id);
    ASSERT_TRUE(u);
    EXPECT_EQ(u->email, "a@example.com");
    EXPECT_EQ(u->roles, (std::vector<std::string>{"employee", "reviewer"}));
    EXPECT_FALSE(u->manager_id);
    EXPECT_FALSE(u->locked_until);
    EXPECT_EQ(tx->users().by_email("a@example.com")->id, id);
    EXPECT_FALSE(tx->users().by_email("nobody@example.com"));
}

TEST_F(StoreTest, UncommittedWriteIsRolledBack) {
    {
        auto tx = store_->begin(TxMode::write);
        tx->users().insert({"gone@example.com", "G", core::UserStatus::active, std::nullopt, {"employee"}, Instant{}});
    }
    auto tx = store_->begin(TxMode::read);
    EXPECT_FALSE(tx->users().by_email("gone@example.com"));
}

TEST_F(StoreTest, ListUsersFiltersAndPagesByKeyset) {
    for (int i = 0; i < 5; ++i) add_user("user" + std::to_string(i) + "@example.com");
    add_user("rev_100%@example.com", {"reviewer"});
    auto tx = store_->begin(TxMode::read);
    UserQuery q;
    q.limit = 3;
    auto page1 = tx->users().list(q);
    ASSERT_EQ(page1.size(), 3u);
    q.after_id = page1.back().id;
    auto page2 = tx->users().list(q);
    ASSERT_EQ(page2.size(), 3u);
    EXPECT_GT(page2.front().id, page1.back().id);
    UserQuery by_role;
    by_role.role = "reviewer";
    EXPECT_EQ(tx->users().list(by_role).size(), 1u);
    UserQuery by_text;
    by_text.text = "100%";  // the % is literal, not a wildcard
    EXPECT_EQ(tx->users().list(by_text).size(), 1u);
    by_text.text = "USER3";
    EXPECT_EQ(tx->users().list(by_text).size(), 1u);
}

TEST_F(StoreTest, QueueFreeTextFindsSubstringsAndFollowsRenames) {
    auto const now = at("2026-01-01T00:00:00.000Z");
    auto add_profile = [&](std::string const& email, std::string const& name) {
        auto tx = store_->begin(TxMode::write);
        auto id = tx->users().insert({email, name, core::UserStatus::active, std::string("hash"), {"employee"}, now});
        tx->profiles().insert(id, now);
        tx->commit();
        return id;
    };
    auto ada = add_profile("ada@example.com", "Ada Lovelace");
    add_profile("grace@example.com", "Grace Hopper");
    add_profile("q\"uote_100%@example.com", "Quote Person");
    auto count = [&](std::string const& text) {
        auto tx = store_->begin(TxMode::read);
        QueueQuery q;
        q.text = text;
        q.now = now;
        return tx->profiles().list(q).size();
    };
    EXPECT_EQ(count("lovelace"), 1u);
    EXPECT_EQ(count("LOVE"), 1u);        // case does not matter
    EXPECT_EQ(count("opp"), 1u);         // inside a word (hOPPer)
    EXPECT_EQ(count("ad"), 1u);          // shorter than a trigram: still found
    EXPECT_EQ(count("example.com"), 3u);
    EXPECT_EQ(count("q\"uote"), 1u);    // quotes are text, not query syntax
    EXPECT_EQ(count("100%"), 1u);        // % is literal
    EXPECT_EQ(count("_"), 1u);           // _ is literal
    EXPECT_EQ(count("nobody"), 0u);
    {  // keyset pages through the trigram index
        auto tx = store_->begin(TxMode::read);
        QueueQuery q;
        q.text = "example";
        q.now = now;
        q.limit = 2;
        auto first = tx->profiles().list(q);
        ASSERT_EQ(first.size(), 2u);
        EXPECT_LT(first[0].id, first[1].id);
        q.after_id = first[1].id;
        auto second = tx->profiles().list(q);
        ASSERT_EQ(second.size(), 1u);
        EXPECT_GT(second[0].id, first[1].id);
    }
    {
        auto tx = store_->begin(TxMode::write);
        tx->users().set_name(ada, "Augusta King", now);
        tx->commit();
    }
    EXPECT_EQ(count("lovelace"), 0u);
    EXPECT_EQ(count("augusta"), 1u);
}

TEST_F(StoreTest, FreeTextIsCaselessInEveryScriptOnTheUserListAndTheQueue) {
    add_employee("jurgen@example.com", "Jürgen Straße");
    add_employee("sisyphus@example.com", "ΣΊΣΥΦΟΣ Aeolides");
    add_employee("yolka@example.com", "Ёлка Иванова");
    add_employee("ada@example.com", "Ada Lovelace");
    // Each needle is tried on both lists; texts under three characters skip the trigram index.
    // Folding is about case only: "jurgen" does not find "Jürgen".
    for (auto [needle, want] : std::initializer_list<std::pair<char const*, std::size_t>>{
             {"STRASSE", 1}, {"straße", 1}, {"ß", 1}, {"σίσυφος", 1}, {"ΣΊΣ", 1}, {"ς a", 1},
             {"ёлка иванова", 1}, {"ИВАН", 1}, {"LOVELACE", 1}, {"jurgen strasse", 0}}) {
        EXPECT_EQ(users_found(needle), want) << needle;
        EXPECT_EQ(profiles_found(needle), want) << needle;
    }
}

TEST_F(StoreTest, ARenameRefoldsBothFreeTextColumns) {
    auto id = add_employee("jurgen@example.com", "Jürgen Straße");
    {
        auto tx = store_->begin(TxMode::write);
        tx->users().set_name(id, "ΣΊΣΥΦΟΣ", now_);
        tx->commit();
    }
    EXPECT_EQ(users_found("strasse"), 0u);
    EXPECT_EQ(profiles_found("strasse"), 0u);
    EXPECT_EQ(users_found("σίσυφος jurgen@"), 1u);
    EXPECT_EQ(profiles_found("σίσυφος jurgen@"), 1u);
}

TEST_F(StoreTest, MigrationNineRefoldsWhatLowerFilledAndOnlyThat) {
    auto jurgen = add_employee("jurgen@example.com", "Jürgen Straße");
    add_employee("ada@example.com", "Ada Lovelace");
    add_user("reviewer@example.com", {"reviewer"});  // no profile
    auto& soci_store = dynamic_cast<store::SociStore&>(*store_);
    // What a database migrated before this change holds: lower(), as migration 9's SQL and the
    // old code wrote it.
    soci_store.with_writer([](soci::session& sql) {
        sql << "UPDATE users SET search = lower(name || ' ' || email)";
        sql << "UPDATE profiles SET search = (SELECT lower(u.name || ' ' || u.email) FROM users u "
               "WHERE u.id = profiles.user_id)";
    });
    ASSERT_EQ(users_found("strasse"), 0u);
    ASSERT_EQ(profiles_found("strasse"), 0u);
    std::int64_t first = 0, second = 0;
    soci_store.with_writer([&](soci::session& sql) { first = store::refold_search_text(sql); });
    soci_store.with_writer([&](soci::session& sql) { second = store::refold_search_text(sql); });
    EXPECT_EQ(first, 1) << "only the user whose text is not ASCII was stale";
    EXPECT_EQ(second, 0);
    EXPECT_EQ(users_found("STRASSE"), 1u);
    EXPECT_EQ(profiles_found("STRASSE"), 1u);
    EXPECT_EQ(profiles_found("lovelace"), 1u) << "rows left alone are still found";
    auto tx = store_->begin(TxMode::read);
    EXPECT_EQ(tx->profiles().by_user(jurgen)->name, "Jürgen Straße");
}

TEST_F(StoreTest, SessionViewCarriesUserRolesAndVersion) {
    auto id = add_user("s@example.com", {"reviewer"});
    {
        auto tx = store_->begin(TxMode::write);
        tx->sessions().insert({"h1", id, "csrf", at("2026-01-01T00:00:00.000Z"),
                            at("2026-01-02T00:00:00.000Z"), at("2026-01-01T00:00:00.000Z"), "1.2.3.4", "ua"});
        tx->commit();
    }
    auto tx = store_->begin(TxMode::read);
    auto v = tx->sessions().by_hash("h1");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->user.id, id);
    EXPECT_EQ(v->user.roles, (std::vector<std::string>{"reviewer"}));
    EXPECT_EQ(v->session.csrf, "csrf");
    EXPECT_GE(v->roles_version, 1);
    EXPECT_FALSE(tx->sessions().by_hash("nope"));
}

TEST_F(StoreTest, RoleChangesBumpTheVersion) {
    std::int64_t before;
    {
        auto tx = store_->begin(TxMode::read);
        before = tx->roles().version();
    }
    auto tx = store_->begin(TxMode::write);
    tx->roles().upsert({"team_lead", "Leads", false, {"reports.read"}, {"reviewer"}, Instant{}, Instant{}});
    EXPECT_EQ(tx->roles().version(), before + 1);
    auto r = tx->roles().find("team_lead");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->inherits, (std::vector<std::string>{"reviewer"}));
    tx->roles().remove("team_lead");
    EXPECT_FALSE(tx->roles().find("team_lead"));
    tx->commit();
}

TEST_F(StoreTest, ManagerChainFollowsLinks) {
    auto a = add_user("a@x.io"), b = add_user("b@x.io"), c = add_user("c@x.io");
    auto tx = store_->begin(TxMode::write);
    tx->users().set_manager(a, b, Instant{});
    tx->users().set_manager(b, c, Instant{});
    auto chain = tx->users().manager_chain(a, 100);
    EXPECT_EQ(chain, (core::ManagerLinks{{a, b}, {b, c}}));
    tx->commit();
}

TEST_F(StoreTest, ConcurrentWritersAreSerializedWithoutLoss) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 25; ++i)
                add_user("c" + std::to_string(t) + "_" + std::to_string(i) + "@x.io");
        });
    }
    for (auto& th : threads) th.join();
    auto tx = store_->begin(TxMode::read);
    UserQuery q;
    q.limit = 1000;
    EXPECT_EQ(tx->users().list(q).size(), 100u);
}

TEST(Migrations, SplitKeepsSemicolonsInsideQuotes) {
    auto parts = store::split_sql("CREATE TABLE a(x TEXT DEFAULT ';'); -- c;\nINSERT INTO a VALUES ('b;c');");
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_NE(parts[1].find("'b;c'"), std::string::npos);
}

TEST(Migrations, SplitKeepsTriggerBodiesWhole) {
    auto parts = store::split_sql(
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  INSERT INTO b VALUES (1);\n"
        "  INSERT INTO b VALUES (2);\nEND;\ncreate trigger u after delete on a begin delete from b; end;"
        "SELECT 1;");
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_NE(parts[0].find("VALUES (2)"), std::string::npos);
    EXPECT_NE(parts[1].find("delete from b"), std::string::npos);
    EXPECT_NE(parts[2].find("SELECT 1"), std::string::npos);
}

TEST(Migrations, BackendBlocksKeepOnlyTheMatchingBackend) {
    std::string const sql = "A;\n{{sqlite}}S1;\nS2;\n{{end}}{{postgresql}}P1;\n{{end}}B;";
    EXPECT_EQ(store::render_migration(sql, "sqlite", "now"), "A;\nS1;\nS2;\nB;");
    EXPECT_EQ(store::render_migration(sql, "postgresql", "now"), "A;\nP1;\nB;");
}

TEST_F(StoreTest, SessionLookupSeesWritesCommittedAfterItRan) {
    // The session query is prepared once per connection; it must not pin an old snapshot.
    auto id = add_user("snap@example.com");
    {
        auto tx = store_->begin(TxMode::write);
        tx->sessions().insert({"h1", id, "c", Instant{}, Instant{}, Instant{}, "", ""});
        tx->commit();
    }
    for (int round = 0; round < 8; ++round) {  // touch every reader connection
        auto tx = store_->begin(TxMode::read);
        ASSERT_TRUE(tx->sessions().by_hash("h1"));
    }
    auto later = add_user("later@example.com");
    {
        auto tx = store_->begin(TxMode::write);
        tx->sessions().insert({"h2", later, "c", Instant{}, Instant{}, Instant{}, "", ""});
        tx->commit();
    }
    for (int round = 0; round < 8; ++round) {
        auto tx = store_->begin(TxMode::read);
        EXPECT_TRUE(tx->users().by_email("later@example.com"));
        EXPECT_TRUE(tx->sessions().by_hash("h2"));
    }
}

namespace {
// Records every committed Effects with its context, in arrival order.
struct RecordingSink final : EffectSink {
    std::vector<std::pair<TxContext, Effects>> got;
    void committed(TxContext const& context, Effects const& effects) override { got.emplace_back(context, effects); }
};
}  // namespace

TEST_F(StoreTest, EffectsArePublishedAfterCommitWithTheirContextAndNeverOnRollback) {
    RecordingSink sink;
    store_->set_effect_sink(&sink);
    auto const user = add_user("invited@example.com");
    UserRecord record;
    record.id = user;
    {
        auto tx = store_->begin(TxMode::write, TxContext{user, "req-rolled-back"});
        tx->record_invite({record, "t0", at("2026-01-02T00:00:00.000Z")});
        // destroyed without commit: rolled back, nothing published
    }
    EXPECT_TRUE(sink.got.empty());
    for (int i = 1; i <= 2; ++i) {
        auto tx = store_->begin(TxMode::write, TxContext{user, "req-" + std::to_string(i)});
        EXPECT_EQ(tx->context().request_id, "req-" + std::to_string(i));
        tx->record_invite({record, "t" + std::to_string(i), at("2026-01-02T00:00:00.000Z")});
        NotificationRecord n;
        n.channel = "user:" + std::to_string(user);
        n.kind = "profile.submitted";
        n.created_at = at("2026-01-01T00:00:00.000Z");
        tx->notifications().insert(n);
        EXPECT_TRUE(sink.got.size() == static_cast<std::size_t>(i - 1)) << "published before COMMIT";
        tx->commit();
    }
    ASSERT_EQ(sink.got.size(), 2u);
    for (int i = 0; i < 2; ++i) {
        auto const& [context, effects] = sink.got[static_cast<std::size_t>(i)];
        EXPECT_EQ(context.actor, user);
        EXPECT_EQ(context.request_id, "req-" + std::to_string(i + 1));
        ASSERT_EQ(effects.invites.size(), 1u);
        EXPECT_EQ(effects.invites[0].token, "t" + std::to_string(i + 1));
        ASSERT_EQ(effects.live.notifications.size(), 1u);
    }
    EXPECT_LT(sink.got[0].second.live.notifications[0].id, sink.got[1].second.live.notifications[0].id);
    {
        auto tx = store_->begin(TxMode::write);  // a system transaction with nothing to tell
        EXPECT_FALSE(tx->context().actor);
        tx->commit();
    }
    EXPECT_EQ(sink.got.size(), 2u);
    store_->set_effect_sink(nullptr);
}

TEST_F(StoreTest, ASavepointRolledBackTakesItsRowsAndTheEffectsItCollected) {
    RecordingSink sink;
    store_->set_effect_sink(&sink);
    auto const user = add_user("bulk@example.com");
    UserRecord record;
    record.id = user;
    auto note = [&](char const* kind) {
        NotificationRecord n;
        n.channel = "user:" + std::to_string(user);
        n.kind = kind;
        n.created_at = now_;
        return n;
    };
    {
        auto tx = store_->begin(TxMode::write);
        tx->notifications().insert(note("kept.before"));
        tx->record_invite({record, "t-kept", now_});
        tx->savepoint();
        tx->notifications().insert(note("rolled.back"));
        tx->record_invite({record, "t-rolled-back", now_});
        tx->bulk().progress({user, 1, 1, 2, 0, 1});
        tx->rollback_to_savepoint();
        tx->savepoint();
        tx->notifications().insert(note("kept.after"));
        tx->release_savepoint();
        tx->commit();
    }
    ASSERT_EQ(sink.got.size(), 1u);
    auto const& effects = sink.got[0].second;
    ASSERT_EQ(effects.live.notifications.size(), 2u);
    EXPECT_EQ(effects.live.notifications[0].kind, "kept.before");
    EXPECT_EQ(effects.live.notifications[1].kind, "kept.after");
    EXPECT_TRUE(effects.live.progress.empty());
    ASSERT_EQ(effects.invites.size(), 1u);
    EXPECT_EQ(effects.invites[0].token, "t-kept");
    auto tx = store_->begin(TxMode::read);
    auto rows = tx->notifications().list({"user:" + std::to_string(user)}, 0, 10, user);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].kind, "kept.before");
    EXPECT_EQ(rows[1].kind, "kept.after");
    store_->set_effect_sink(nullptr);
}

TEST_F(StoreTest, OutboxAttachmentsRoundTripThroughEnqueueClaimGetAndList) {
    OutboxMessage m;
    m.created_at = m.updated_at = m.next_attempt_at = now_;
    m.template_name = "report";
    m.to_email = "ada@example.com";
    m.subject = "Your Headcount report";
    m.text = "Attached.";
    m.message_id = "<r1@hrms.example>";
    // Quotes, backslashes and non-ASCII text survive the JSON column.
    m.attachments = {{"Q3 report.pdf", "application/pdf", "/var/lib/hrms/reports/7/q3.pdf"},
                     {"Übersicht \"März\" \\ 2026.csv", "text/csv; charset=utf-8", "/var/lib/hrms/reports/7/ü.csv"}};
    auto plain = m;
    plain.attachments.clear();
    plain.message_id = "<r2@hrms.example>";
    std::int64_t with = 0, without = 0;
    {
        auto tx = store_->begin(TxMode::write);
        with = tx->email().enqueue(m);
        without = tx->email().enqueue(plain);
        tx->commit();
    }
    {
        auto tx = store_->begin(TxMode::read);
        EXPECT_EQ(tx->email().get(with)->attachments, m.attachments);
        EXPECT_TRUE(tx->email().get(without)->attachments.empty());
        auto const listed = tx->email().list({});
        ASSERT_EQ(listed.size(), 2u);
        EXPECT_EQ(listed[1].attachments, m.attachments);  // newest first
    }
    auto tx = store_->begin(TxMode::write);
    auto const claimed = tx->email().claim(now_, now_.plus_seconds(120), "sender-1", 10);
    tx->commit();
    ASSERT_EQ(claimed.size(), 2u);
    for (auto const& c : claimed) EXPECT_EQ(c.attachments, c.id == with ? m.attachments : plain.attachments) << c.id;
}

TEST(PgUrl, BecomesKeywordConninfo) {
    EXPECT_EQ(store::pg_conninfo_from_url("postgresql://postgres@127.0.0.1:5432/hrms"),
              "host='127.0.0.1' port='5432' dbname='hrms' user='postgres'");
}

TEST(PgUrl, PasswordIsDecodedAndQuoted) {
    EXPECT_EQ(store::pg_conninfo_from_url("postgres://u:p%40ss'w@db/x?sslmode=require"),
              "host='db' dbname='x' user='u' password='p@ss\\'w' sslmode='require'");
}

TEST(PgUrl, Ipv6HostAndNoDatabase) {
    EXPECT_EQ(store::pg_conninfo_from_url("postgresql://[::1]:6000"), "host='::1' port='6000'");
}
