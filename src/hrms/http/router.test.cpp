#include "hrms/http/router.hpp"

#include <gtest/gtest.h>

using namespace hrms::http;

namespace {
Response ok(Ctx&) { return {}; }
}

TEST(Router, PathParametersAreCaptured) {
    Router r;
    r.add("GET", "/api/v1/users/{id}", ok);
    auto m = r.match("GET", "/api/v1/users/42");
    ASSERT_TRUE(m.route);
    ASSERT_EQ(m.params.size(), 1u);
    EXPECT_EQ(m.params[0].first, "id");
    EXPECT_EQ(m.params[0].second, "42");
}

TEST(Router, LiteralSegmentsMustMatchExactly) {
    Router r;
    r.add("GET", "/api/v1/users", ok);
    EXPECT_FALSE(r.match("GET", "/api/v1/user").route);
    EXPECT_FALSE(r.match("GET", "/api/v1/users/").route);
    EXPECT_TRUE(r.match("GET", "/api/v1/users").route);
}

TEST(Router, WrongMethodListsTheAllowedOnes) {
    Router r;
    r.add("GET", "/api/v1/roles", ok);
    r.add("POST", "/api/v1/roles", ok);
    auto m = r.match("DELETE", "/api/v1/roles");
    EXPECT_FALSE(m.route);
    EXPECT_EQ(m.allow, "GET, POST");
}

TEST(Router, UnknownPathIsNeitherMatchNorAllow) {
    Router r;
    r.add("GET", "/healthz", ok);
    auto m = r.match("GET", "/nope");
    EXPECT_FALSE(m.route);
    EXPECT_TRUE(m.allow.empty());
}

TEST(Router, HeadIsServedByGet) {
    Router r;
    r.add("GET", "/healthz", ok);
    EXPECT_TRUE(r.match("HEAD", "/healthz").route);
}

TEST(Router, DuplicateRouteIsABug) {
    Router r;
    r.add("GET", "/a", ok);
    EXPECT_THROW(r.add("GET", "/a", ok), std::logic_error);
}

TEST(Router, OnlyAnonymousRoutesMayRunOnTheIoThread) {
    Router r;
    EXPECT_THROW(r.add("GET", "/x", ok, Access::user, Exec::io), std::logic_error);
    r.add("GET", "/healthz", ok, Access::anyone, Exec::io);
    EXPECT_EQ(r.match("GET", "/healthz").route->exec, Exec::io);
}
