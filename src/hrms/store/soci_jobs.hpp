#pragma once
// Internal to store/: job leases and the job-run log (app::JobRepo) on one transaction's
// connection.
#include "hrms/app/jobs.hpp"
#include "hrms/store/soci_store.hpp"

namespace hrms::store {

class SociJobRepo final : public app::JobRepo {
public:
    // `suspect` is set when a statement fails, so the connection is checked before reuse.
    SociJobRepo(Conn& sql, bool& suspect) : sql_(sql), suspect_(suspect) {}

    bool acquire_lease(std::string const& job, std::string const& instance, Instant now, Instant until) override;
    void release_lease(std::string const& job, std::string const& instance, Instant now) override;
    std::optional<std::string> lease_holder(std::string const& job, Instant now) override;
    std::int64_t interrupt_orphans(std::string const& job, std::string const& instance, Instant now) override;
    std::int64_t insert_run(app::JobRunRecord const& run) override;
    void finish_run(app::JobRunRecord const& run) override;
    std::vector<app::JobRunRecord> runs(app::JobRunQuery const& query) override;
    void prune_runs(std::string const& job, int keep) override;

private:
    template <class F>
    auto guard(F&& fn) -> decltype(fn());

    Conn& sql_;
    bool& suspect_;
};

}  // namespace hrms::store
