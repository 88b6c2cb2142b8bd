#pragma once
// Use-case tests: the real use cases on a real store (store::TestStore: a temporary SQLite file,
// or a fresh PostgreSQL database when HRMS_TEST_BACKEND=pg) with a settable clock,
// so SLA clocks, escalations and schedules are tested in milliseconds, never by waiting.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "hrms/app/actor.hpp"
#include "hrms/app/documents.hpp"
#include "hrms/app/notifications.hpp"
#include "hrms/app/profiles.hpp"
#include "hrms/app/role_catalog.hpp"
#include "hrms/app/users.hpp"
#include "hrms/store/test_store.hpp"

namespace hrms::testing {

// A clock that moves only when told to.
class SettableClock final : public app::Clock {
public:
    Instant now() const override { return Instant{ms_.load()}; }
    void advance_hours(double h) { ms_ += static_cast<std::int64_t>(h * 3'600'000); }
    void advance_seconds(double s) { ms_ += static_cast<std::int64_t>(s * 1000); }

private:
    std::atomic<std::int64_t> ms_{1'798'761'600'000};  // 2027-01-01T00:00:00Z
};

class UseCaseTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = std::make_unique<store::TestStore>(::testing::UnitTest::GetInstance()->current_test_info()->name());
        store_ = &**db_;
        users_ = std::make_unique<app::Users>(*store_, clock_, invites_);
        profiles_ = std::make_unique<app::Profiles>(*store_, clock_, review_, catalog_);
        notifications_ = std::make_unique<app::Notifications>(*store_, clock_);
    }
    void TearDown() override {
        notifications_.reset();
        profiles_.reset();
        users_.reset();
        db_.reset();
    }

    // A user with `roles`, as an actor holding exactly their effective permissions.
    app::Actor actor(std::string const& name, std::vector<std::string> roles) {
        auto made = users_->create_as_system({name + "@example.com", name, roles, std::string("a-long-passphrase-1")});
        EXPECT_TRUE(made) << (made ? "" : made.error().message);
        app::Actor a;
        a.id = made->user.id;
        a.email = made->user.email;
        a.name = name;
        a.roles = made->user.roles;
        auto tx = store_->begin(app::TxMode::read);
        a.permissions = catalog_.permissions_for(a.roles, tx->roles().version(), *tx);
        a.request_id = "test-" + name;
        return a;
    }

    static core::Details complete_details() {
        core::Details d;
        d.first_name = "Ada";
        d.last_name = "Lovelace";
        d.date_of_birth = "1990-12-10";
        d.phone = "+44 20 7946 0958";
        d.address.line1 = "1 Main Street";
        d.address.city = "London";
        d.address.country = "GB";
        d.emergency_contact.name = "Charles Babbage";
        d.emergency_contact.phone = "+44 20 7946 0000";
        return d;
    }

    // An employee whose details are submitted: the details review's clock runs.
    app::ProfileView submitted(app::Actor const& employee) {
        EXPECT_TRUE(profiles_->save_details(employee, complete_details()));
        auto v = profiles_->submit(employee);
        EXPECT_TRUE(v) << (v ? "" : v.error().message);
        return *v;
    }

    std::vector<app::NotificationRecord> feed(app::Actor const& who) {
        auto f = notifications_->feed(who, 0, 200);
        EXPECT_TRUE(f);
        return f ? *f : std::vector<app::NotificationRecord>{};
    }

    SettableClock clock_;
    app::InvitePolicy invites_;
    app::ReviewPolicy review_;
    app::RoleCatalog catalog_;
    std::unique_ptr<store::TestStore> db_;
    app::Store* store_ = nullptr;
    std::unique_ptr<app::Users> users_;
    std::unique_ptr<app::Profiles> profiles_;
    std::unique_ptr<app::Notifications> notifications_;

};

}  // namespace hrms::testing
