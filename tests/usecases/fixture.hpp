#pragma once
// Use-case tests: the real use cases on a real store (a temporary SQLite file, or a fresh
// PostgreSQL database under HRMS_TEST_PG_BASE when HRMS_TEST_BACKEND=pg) with a settable clock,
// so SLA clocks, escalations and schedules are tested in milliseconds, never by waiting.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "hrms/app/actor.hpp"
#include "hrms/app/config.hpp"
#include "hrms/app/documents.hpp"
#include "hrms/app/notifications.hpp"
#include "hrms/app/profiles.hpp"
#include "hrms/app/role_catalog.hpp"
#include "hrms/app/users.hpp"
#include "hrms/store/migrate.hpp"
#include "hrms/store/open.hpp"

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
        open_store();
        store::migrate(*store_);
        users_ = std::make_unique<app::Users>(*store_, clock_, config_);
        profiles_ = std::make_unique<app::Profiles>(*store_, clock_, config_, catalog_);
        notifications_ = std::make_unique<app::Notifications>(*store_, clock_);
    }
    void TearDown() override {
        notifications_.reset();
        profiles_.reset();
        users_.reset();
        store_.reset();
        if (!dir_.empty()) std::filesystem::remove_all(dir_);
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
        a.permissions = catalog_.permissions_for(a.roles, tx->roles_version(), *tx);
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
    app::Config config_;
    app::RoleCatalog catalog_;
    std::unique_ptr<app::Store> store_;
    std::unique_ptr<app::Users> users_;
    std::unique_ptr<app::Profiles> profiles_;
    std::unique_ptr<app::Notifications> notifications_;

private:
    void open_store() {
        char const* b = std::getenv("HRMS_TEST_BACKEND");
        std::string const test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        if (b && std::string(b) == "pg") {
            char const* base = std::getenv("HRMS_TEST_PG_BASE");
            if (!base) GTEST_FAIL() << "HRMS_TEST_PG_BASE is not set (scripts/test sets it)";
            std::string const db = "usecases_" + std::to_string(::getpid());
            std::string const cmd = "psql -q -X '" + std::string(base) + "/postgres' -c 'DROP DATABASE IF EXISTS " +
                                    db + "' -c 'CREATE DATABASE " + db + "' >/dev/null";
            ASSERT_EQ(std::system(cmd.c_str()), 0);
            store_ = store::open_store(std::string(base) + "/" + db, 4);
        } else {
            dir_ = std::filesystem::temp_directory_path() / ("hrms-usecases-" + std::to_string(::getpid()) + "-" + test);
            std::filesystem::remove_all(dir_);
            store_ = store::open_store("sqlite://" + (dir_ / "t.db").string(), 4);
        }
    }
    std::filesystem::path dir_;
};

}  // namespace hrms::testing
