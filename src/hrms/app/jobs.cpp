#include "hrms/app/jobs.hpp"

namespace hrms::app {

std::string_view to_string(JobOutcome outcome) {
    switch (outcome) {
        case JobOutcome::running: return "running";
        case JobOutcome::ok: return "ok";
        case JobOutcome::failed: return "failed";
        case JobOutcome::interrupted: return "interrupted";
    }
    return "interrupted";
}

std::optional<JobOutcome> parse_job_outcome(std::string_view text) {
    for (auto o : {JobOutcome::running, JobOutcome::ok, JobOutcome::failed, JobOutcome::interrupted}) {
        if (to_string(o) == text) return o;
    }
    return std::nullopt;
}

}  // namespace hrms::app

#include "hrms/app/actor.hpp"
#include "hrms/app/paging.hpp"

namespace hrms::app {

namespace {
constexpr char const* kPermission = core::perm::jobs_manage;
}

bool JobAdmin::known(std::string const& name) const {
    if (!monitor_) return false;
    for (auto const& j : monitor_->jobs()) {
        if (j.name == name) return true;
    }
    return false;
}

Result<std::vector<JobView>> JobAdmin::list(Actor const& actor) {
    TRY_VOID(require(actor, kPermission));
    std::vector<JobView> out;
    if (!monitor_) return out;
    auto const now = clock_.now();
    auto tx = store_.begin(TxMode::read);
    for (auto& state : monitor_->jobs()) {
        JobView v;
        auto last = tx->jobs().runs({state.name, std::nullopt, 1});
        if (!last.empty()) v.last_run = std::move(last.front());
        if (state.single_instance) v.lease_holder = tx->jobs().lease_holder(state.name, now);
        v.state = std::move(state);
        out.push_back(std::move(v));
    }
    return out;
}

Result<JobRunPage> JobAdmin::runs(Actor const& actor, JobRunQuery query) {
    TRY_VOID(require(actor, kPermission));
    if (query.job && !known(*query.job)) return fail(ErrorCode::not_found, "no such job");
    int const want = query.limit;
    query.limit = want + 1;
    auto tx = store_.begin(TxMode::read);
    JobRunPage page;
    page.items = tx->jobs().runs(query);
    page.next_before = trim_to_page(page.items, want);
    return page;
}

Result<void> JobAdmin::trigger(Actor const& actor, std::string const& name) {
    TRY_VOID(require(actor, kPermission));
    if (!monitor_ || !monitor_->trigger(name, context_of(actor))) return fail(ErrorCode::not_found, "no such job");
    return {};
}

}  // namespace hrms::app
