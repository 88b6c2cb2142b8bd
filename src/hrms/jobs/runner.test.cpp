// The job runner on a real store (a temporary SQLite file, or a PostgreSQL database under
// HRMS_TEST_PG_BASE when HRMS_TEST_BACKEND=pg) with a settable clock: leases, the run log and
// the schedule are tested without waiting for intervals to pass.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "hrms/jobs/runner.hpp"
#include "hrms/store/test_store.hpp"

using namespace hrms;
using namespace hrms::app;
using jobs::JobContext;
using jobs::Runner;
using jobs::RunResult;

namespace {

class TestClock final : public Clock {
public:
    Instant now() const override { return Instant{ms_.load()}; }
    void advance(double seconds) { ms_ += static_cast<std::int64_t>(seconds * 1000); }

private:
    std::atomic<std::int64_t> ms_{1'800'000'000'000};
};

// Waits (on events, bounded) until `done` holds.
template <class F>
bool eventually(F done, double seconds = 10) {
    auto const until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

class RunnerTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = std::make_unique<store::TestStore>(::testing::UnitTest::GetInstance()->current_test_info()->name());
        store_ = &**db_;
    }
    void TearDown() override { db_.reset(); }

    std::unique_ptr<Runner> runner(std::string const& instance, int keep = 1000) {
        return std::make_unique<Runner>(*store_, clock_, jobs::RunnerOptions{instance, 10, keep});
    }
    std::vector<JobRunRecord> runs(std::optional<std::string> job = std::nullopt) {
        auto tx = store_->begin(TxMode::read);
        return tx->jobs().runs({std::move(job), std::nullopt, 100});
    }
    std::optional<std::string> holder(std::string const& job) {
        auto tx = store_->begin(TxMode::read);
        return tx->jobs().lease_holder(job, clock_.now());
    }

    static jobs::JobSpec counting(std::string name, std::int64_t items, double interval_s = 3600) {
        return {name, "counts", interval_s, 0.1, true, [items](JobContext&) { return items; }};
    }

    TestClock clock_;
    std::unique_ptr<store::TestStore> db_;
    Store* store_ = nullptr;
};

}  // namespace

TEST_F(RunnerTest, ARunIsRecordedWithItsItemsAndTimes) {
    auto r = runner("a");
    r->add(counting("count", 7));
    clock_.advance(1);
    EXPECT_EQ(r->run_now("count"), RunResult::ok);
    auto all = runs("count");
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].outcome, JobOutcome::ok);
    EXPECT_EQ(all[0].items, 7);
    EXPECT_EQ(all[0].instance, "a");
    EXPECT_EQ(all[0].started_at, clock_.now());
    ASSERT_TRUE(all[0].finished_at);
    EXPECT_FALSE(all[0].error);
    auto const state = r->jobs().at(0);
    EXPECT_EQ(state.runs, 1);
    EXPECT_EQ(state.failures, 0);
    auto const metrics = r->render_metrics();
    EXPECT_NE(metrics.find("hrms_job_runs_total{job=\"count\",outcome=\"ok\"} 1\n"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("hrms_job_items_total{job=\"count\"} 7\n"), std::string::npos) << metrics;
    EXPECT_EQ(r->run_now("nothing"), RunResult::unknown);
}

TEST_F(RunnerTest, AFailingRunIsRecordedWithItsErrorAndTheNextOneRuns) {
    auto r = runner("a");
    int calls = 0;
    r->add({"flaky", "", 60, 0.1, true, [&calls](JobContext&) -> std::int64_t {
                if (++calls == 1) throw std::runtime_error("the database went away");
                return 1;
            }});
    EXPECT_EQ(r->run_now("flaky"), RunResult::failed);
    EXPECT_EQ(r->run_now("flaky"), RunResult::ok);
    auto all = runs("flaky");  // newest first
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1].outcome, JobOutcome::failed);
    EXPECT_EQ(all[1].error.value_or(""), "the database went away");
    EXPECT_EQ(all[0].outcome, JobOutcome::ok);
    EXPECT_EQ(r->jobs().at(0).failures, 1);
}

TEST_F(RunnerTest, EveryRunIsAnAuditEntryWrittenWithItsRecord) {
    auto r = runner("a");
    r->add(counting("count", 7));
    r->add({"broken", "", 60, 0.1, true, [](JobContext&) -> std::int64_t { throw std::runtime_error("disk full"); }});
    EXPECT_EQ(r->run_now("count"), RunResult::ok);
    EXPECT_EQ(r->run_now("broken"), RunResult::failed);
    auto seal = store_->audit_log().begin_seal();
    auto const pending = seal->pending(10);
    ASSERT_EQ(pending.size(), 2u);
    EXPECT_EQ(pending[0].category, core::AuditCategory::job);
    EXPECT_EQ(pending[0].action, "job.run");
    EXPECT_EQ(pending[0].target_id, "count");
    EXPECT_EQ(pending[0].outcome, core::AuditOutcome::success);
    EXPECT_NE(pending[0].details.find("\"items\":7"), std::string::npos);
    EXPECT_EQ(pending[1].target_id, "broken");
    EXPECT_EQ(pending[1].outcome, core::AuditOutcome::error);
    EXPECT_NE(pending[1].details.find("disk full"), std::string::npos);
}

TEST_F(RunnerTest, OnlyTheLeaseHolderRunsASingleInstanceJobUntilTheLeaseRunsOut) {
    auto a = runner("a"), b = runner("b");
    a->add(counting("sweep", 1, 60));
    b->add(counting("sweep", 1, 60));
    EXPECT_EQ(a->run_now("sweep"), RunResult::ok);
    EXPECT_EQ(b->run_now("sweep"), RunResult::not_leader);
    EXPECT_EQ(holder("sweep"), "a");
    clock_.advance(60);  // within a's lease (2 x 60 s): a renews it
    EXPECT_EQ(a->run_now("sweep"), RunResult::ok);
    EXPECT_EQ(b->run_now("sweep"), RunResult::not_leader);
    clock_.advance(121);  // a is silent past its lease: b takes over
    EXPECT_EQ(b->run_now("sweep"), RunResult::ok);
    EXPECT_EQ(a->run_now("sweep"), RunResult::not_leader);
    EXPECT_EQ(holder("sweep"), "b");
    EXPECT_EQ(b->jobs().at(0).skipped, 2);
    EXPECT_EQ(a->jobs().at(0).skipped, 1);
    for (auto const& run : runs("sweep")) EXPECT_EQ(run.outcome, JobOutcome::ok);
}

TEST_F(RunnerTest, AJobThatIsNotSingleInstanceRunsEverywhere) {
    auto a = runner("a"), b = runner("b");
    jobs::JobSpec spec = counting("local", 1);
    spec.single_instance = false;
    a->add(spec);
    b->add(spec);
    EXPECT_EQ(a->run_now("local"), RunResult::ok);
    EXPECT_EQ(b->run_now("local"), RunResult::ok);
    EXPECT_EQ(holder("local"), std::nullopt);
}

TEST_F(RunnerTest, TheRunOfAProcessThatDiedIsMarkedInterruptedByItsSuccessor) {
    {
        auto tx = store_->begin(TxMode::write);
        ASSERT_TRUE(tx->jobs().acquire_lease("sweep", "dead", clock_.now(), clock_.now().plus_seconds(10)));
        JobRunRecord run;
        run.job = "sweep";
        run.instance = "dead";
        run.started_at = clock_.now();
        tx->jobs().insert_run(run);
        tx->commit();
    }
    auto a = runner("a");
    a->add(counting("sweep", 1, 5));
    EXPECT_EQ(a->run_now("sweep"), RunResult::not_leader);
    clock_.advance(11);
    EXPECT_EQ(a->run_now("sweep"), RunResult::ok);
    auto all = runs("sweep");
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1].instance, "dead");
    EXPECT_EQ(all[1].outcome, JobOutcome::interrupted);
    EXPECT_EQ(all[1].finished_at, clock_.now());
}

TEST_F(RunnerTest, AStopGivesTheLeaseUpSoAnotherProcessTakesOverAtOnce) {
    auto a = runner("a"), b = runner("b");
    a->add(counting("sweep", 1, 60));
    b->add(counting("sweep", 1, 60));
    ASSERT_EQ(a->run_now("sweep"), RunResult::ok);
    a->stop();  // no time passes: the lease is free at once
    EXPECT_EQ(holder("sweep"), std::nullopt);
    EXPECT_EQ(b->run_now("sweep"), RunResult::ok);
    EXPECT_EQ(holder("sweep"), "b");
}

TEST_F(RunnerTest, OneRunAtATimePerJob) {
    auto r = runner("a");
    std::mutex m;
    std::condition_variable cv;
    bool entered = false, release = false;
    r->add({"slow", "", 60, 0.1, true, [&](JobContext&) -> std::int64_t {
                std::unique_lock lock(m);
                entered = true;
                cv.notify_all();
                cv.wait(lock, [&] { return release; });
                return 1;
            }});
    std::thread first([&] { EXPECT_EQ(r->run_now("slow"), RunResult::ok); });
    {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return entered; });
    }
    EXPECT_TRUE(r->jobs().at(0).running);
    EXPECT_EQ(r->run_now("slow"), RunResult::busy);
    {
        std::lock_guard lock(m);
        release = true;
    }
    cv.notify_all();
    first.join();
    EXPECT_FALSE(r->jobs().at(0).running);
    EXPECT_EQ(runs("slow").size(), 1u);
}

TEST_F(RunnerTest, ATriggerWakesTheJobWithoutWaitingForItsInterval) {
    auto r = runner("a");
    std::atomic<int> calls{0};
    r->add({"woken", "", 3600, 0.1, true, [&calls](JobContext&) -> std::int64_t { return ++calls; }});
    r->start();
    ASSERT_TRUE(r->jobs().at(0).next_run_at || eventually([&] { return r->jobs().at(0).next_run_at.has_value(); }));
    EXPECT_GT(*r->jobs().at(0).next_run_at, clock_.now().plus_seconds(3000));
    EXPECT_TRUE(r->trigger("woken"));
    EXPECT_FALSE(r->trigger("nothing"));
    EXPECT_TRUE(eventually([&] { return calls.load() == 1 && !r->jobs().at(0).running; }));
    r->stop();
    EXPECT_EQ(runs("woken").size(), 1u);
}

TEST_F(RunnerTest, StopLetsTheRunInProgressFinish) {
    auto r = runner("a");
    std::atomic<bool> entered{false}, saw_stop{false};
    r->add({"long", "", 3600, 0.1, true, [&](JobContext& ctx) -> std::int64_t {
                entered = true;
                std::int64_t items = 0;
                while (!ctx.stopping()) {  // a batch at a time, until asked to stop
                    ++items;
                    ctx.heartbeat();
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                }
                saw_stop = true;
                return items;
            }});
    r->start();
    r->trigger("long");
    ASSERT_TRUE(eventually([&] { return entered.load(); }));
    r->stop();
    EXPECT_TRUE(saw_stop);
    auto all = runs("long");
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].outcome, JobOutcome::ok);
    EXPECT_GT(all[0].items, 0);
    EXPECT_EQ(holder("long"), std::nullopt);  // given up on the way out
}

TEST_F(RunnerTest, OnlyTheNewestRunsAreKept) {
    auto r = runner("a", 3);
    r->add(counting("often", 1));
    for (int i = 0; i < 5; ++i) ASSERT_EQ(r->run_now("often"), RunResult::ok);
    auto all = runs("often");
    ASSERT_EQ(all.size(), 3u);
    EXPECT_GT(all[0].id, all[1].id);
    EXPECT_GT(all[1].id, all[2].id);
}

TEST_F(RunnerTest, BadJobsAreRefusedWhenAdded) {
    auto r = runner("a");
    r->add(counting("one", 1));
    EXPECT_THROW(r->add(counting("one", 1)), std::logic_error);
    EXPECT_THROW(r->add(counting("zero", 1, 0)), std::logic_error);
    EXPECT_THROW(r->add({"empty", "", 1, 0.1, true, nullptr}), std::logic_error);
}
