#pragma once
// For tests only (store, job and use-case tests): a real, empty, migrated store of the backend
// HRMS_TEST_BACKEND names: a SQLite file in a directory of its own, or, for `pg`, a fresh
// database under HRMS_TEST_PG_BASE named after the process.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "hrms/store/open.hpp"

namespace hrms::store {

class TestStore {
public:
    // `name` tells concurrent tests' SQLite directories apart.
    explicit TestStore(std::string const& name, int readers = 4) {
        char const* backend = std::getenv("HRMS_TEST_BACKEND");
        if (backend && std::string(backend) == "pg") {
            char const* base = std::getenv("HRMS_TEST_PG_BASE");
            if (!base) throw std::runtime_error("HRMS_TEST_PG_BASE is not set (scripts/test sets it)");
            std::string const db = "test_" + std::to_string(::getpid());
            std::string const cmd = "psql -q -X '" + std::string(base) + "/postgres' -c 'DROP DATABASE IF EXISTS " +
                                    db + "' -c 'CREATE DATABASE " + db + "' >/dev/null";
            if (std::system(cmd.c_str()) != 0) throw std::runtime_error("could not create the test database " + db);
            store_ = open_store(std::string(base) + "/" + db, readers);
        } else {
            dir_ = std::filesystem::temp_directory_path() / ("hrms-test-" + std::to_string(::getpid()) + "-" + name);
            std::filesystem::remove_all(dir_);
            store_ = open_store("sqlite://" + (dir_ / "t.db").string(), readers);
        }
        migrate(*store_);
    }
    ~TestStore() {
        store_.reset();
        if (!dir_.empty()) std::filesystem::remove_all(dir_);
    }
    TestStore(TestStore const&) = delete;
    TestStore& operator=(TestStore const&) = delete;

    app::Store& operator*() { return *store_; }
    app::Store* operator->() { return store_.get(); }

private:
    std::filesystem::path dir_;
    std::unique_ptr<app::Store> store_;
};

}  // namespace hrms::store
