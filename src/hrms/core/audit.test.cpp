#include "hrms/core/audit.hpp"

#include <gtest/gtest.h>

using namespace hrms;
using namespace hrms::core;

namespace {

AuditEntry sample() {
    AuditEntry e;
    e.seq = 3;
    e.time = Instant{1'800'000'000'123};
    e.category = AuditCategory::decision;
    e.action = "profile.reject";
    e.actor_id = 9;
    e.reason = "blurry scan";
    return e;
}

TEST(AuditCanonicalForm, CoversEveryFieldButTheHash) {
    auto const base = canonical_form(sample());
    auto changed = [&](auto mutate) {
        auto e = sample();
        mutate(e);
        return canonical_form(e) != base;
    };
    EXPECT_TRUE(changed([](AuditEntry& e) { e.seq = 4; }));
    EXPECT_TRUE(changed([](AuditEntry& e) { e.time.ms += 1; }));
    EXPECT_TRUE(changed([](AuditEntry& e) { e.category = AuditCategory::admin; }));
    EXPECT_TRUE(changed([](AuditEntry& e) { e.level = AuditLevel::critical; }));
    EXPECT_TRUE(changed([](AuditEntry& e) { e.outcome = AuditOutcome::denied; }));
    EXPECT_TRUE(changed([](AuditEntry& e) { e.actor_id.reset(); }));
    EXPECT_TRUE(changed([](AuditEntry& e) { e.status = 200; }));
    EXPECT_TRUE(changed([](AuditEntry& e) { e.slow = true; }));
    EXPECT_TRUE(changed([](AuditEntry& e) { e.details = "{}"; }));
    EXPECT_FALSE(changed([](AuditEntry& e) { e.hash = "ff"; }));
    EXPECT_FALSE(changed([](AuditEntry& e) { e.pending_id = 12; }));
}

// The form is what every stored hash was computed over: it may never change (a new form would
// be "hrms-audit-v2").
TEST(AuditCanonicalForm, IsStable) {
    auto e = sample();
    e.status = 200;
    e.latency_us = 1234567;
    EXPECT_EQ(canonical_form(e),
              "hrms-audit-v1|1:324:2027-01-15T08:00:00.123Z8:decision4:info14:profile.reject7:success1:9"
              "0:0:0:0:0:0:0:3:2007:12345671:01:01:00:0:11:blurry scan0:0:0:");
}

TEST(AuditCanonicalForm, FieldBoundariesCannotShift) {
    auto a = sample(), b = sample();
    a.target_type = "ab";
    a.target_id = "c";
    b.target_type = "a";
    b.target_id = "bc";
    EXPECT_NE(canonical_form(a), canonical_form(b));
    a.actor_id.reset();
    a.session_id = "-";
    b = a;
    b.session_id = "";
    EXPECT_NE(canonical_form(a), canonical_form(b));
}

TEST(AuditVocabulary, RoundTripsAndRejectsUnknownNames) {
    for (auto c : {AuditCategory::access, AuditCategory::decision, AuditCategory::admin, AuditCategory::security,
                   AuditCategory::system, AuditCategory::job})
        EXPECT_EQ(parse_audit_category(to_string(c)), c);
    EXPECT_FALSE(parse_audit_category("Access"));
    EXPECT_EQ(parse_audit_level("critical"), AuditLevel::critical);
    EXPECT_FALSE(parse_audit_outcome(""));
    EXPECT_EQ(outcome_for_status(204), AuditOutcome::success);
    EXPECT_EQ(outcome_for_status(403), AuditOutcome::denied);
    EXPECT_EQ(outcome_for_status(401), AuditOutcome::denied);
    EXPECT_EQ(outcome_for_status(422), AuditOutcome::failure);
    EXPECT_EQ(outcome_for_status(503), AuditOutcome::error);
}

}  // namespace
