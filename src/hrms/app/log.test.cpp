#include "hrms/app/log.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <thread>

using namespace hrms;

namespace {

std::string logged(std::function<void()> const& write) {
    testing::internal::CaptureStderr();
    write();
    return testing::internal::GetCapturedStderr();
}

TEST(LogRequestScope, EveryLineInTheScopeCarriesTheRequestId) {
    log::init("info");
    auto const out = logged([] {
        log::info("before.scope");
        {
            log::RequestScope scope("req-outer");
            log::info("deep.layer", {log::str("what", "x")});
            {
                log::RequestScope inner("req-job");
                log::warn("job.line");
            }
            log::info("back.outer");
            log::info("named.itself", {log::str("request_id", "req-own")});
        }
        log::info("after.scope");
    });
    EXPECT_NE(out.find(R"("event":"deep.layer","what":"x","request_id":"req-outer"})"), std::string::npos) << out;
    EXPECT_NE(out.find(R"("event":"job.line","request_id":"req-job"})"), std::string::npos) << out;
    EXPECT_NE(out.find(R"("event":"back.outer","request_id":"req-outer"})"), std::string::npos) << out;
    // A line that names its request keeps that one, once.
    EXPECT_NE(out.find(R"("event":"named.itself","request_id":"req-own"})"), std::string::npos) << out;
    EXPECT_NE(out.find(R"("event":"before.scope"})"), std::string::npos) << out;
    EXPECT_NE(out.find(R"("event":"after.scope"})"), std::string::npos) << out;
    EXPECT_EQ(log::current_request_id(), "");
}

TEST(LogRequestScope, IsPerThread) {
    log::RequestScope scope("req-main");
    std::string seen = "unset";
    std::thread([&] { seen = std::string(log::current_request_id()); }).join();
    EXPECT_EQ(seen, "");
    EXPECT_EQ(log::current_request_id(), "req-main");
}

}  // namespace
