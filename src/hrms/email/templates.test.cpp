#include "hrms/email/templates.hpp"

#include <gtest/gtest.h>

using namespace hrms;

namespace {

app::EmailVars invite_vars() {
    return {{"app_name", "Acme"}, {"app_url", "https://hr.example.com"}, {"recipient_name", "Zoë <b>"},
            {"invite_url", "https://hr.example.com/invite#token=abc&x=1"}, {"expires_at", "2030-01-01"},
            {"title", "Your documents need changes"}, {"body", "Reason: blurry."}, {"reason", "blurry"},
            {"progress", "40"}, {"onboarding_url", "https://hr.example.com/onboarding"},
            {"reset_url", "https://hr.example.com/reset-password#token=abc"}, {"lock_minutes", "15"},
            {"profile_url", "https://hr.example.com/review/42"}, {"report_title", "Headcount"},
            {"period", "2026-11-01 – 2026-11-30 (Europe/Berlin)"}, {"formats", "PDF, CSV"},
            {"runs_url", "https://hr.example.com/reports/7/runs?x=1&y=2"}};
}

TEST(EmailTemplates, EveryBuiltInTemplateRendersEachPart) {
    email::Templates t("", {});
    auto const names = t.names();
    ASSERT_FALSE(names.empty());
    for (auto const& name : names) {
        auto r = t.render(name, invite_vars());
        ASSERT_TRUE(r) << name << ": " << r.error().message;
        EXPECT_FALSE(r->subject.empty()) << name;
        EXPECT_EQ(r->subject.find('\n'), std::string::npos) << name;
        EXPECT_FALSE(r->text.empty()) << name;
        EXPECT_NE(r->html.find("<!DOCTYPE html>"), std::string::npos) << name;  // in the layout
    }
}

TEST(EmailTemplates, ValuesAreEscapedInHtmlButNotInTextOrSubject) {
    email::Templates t("", {});
    auto r = t.render("invite", invite_vars());
    ASSERT_TRUE(r);
    EXPECT_NE(r->html.find("Zo\xC3\xAB &lt;b&gt;"), std::string::npos);
    EXPECT_EQ(r->html.find("Zo\xC3\xAB <b>"), std::string::npos);
    EXPECT_NE(r->html.find("token=abc&amp;x=1"), std::string::npos);
    EXPECT_NE(r->text.find("Zo\xC3\xAB <b>"), std::string::npos);
    EXPECT_NE(r->text.find("token=abc&x=1"), std::string::npos);
}

TEST(EmailTemplates, AMissingVariableOrAnUnknownTemplateIsAnError) {
    email::Templates t("", {});
    auto vars = invite_vars();
    vars.erase("invite_url");
    auto r = t.render("invite", vars);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::validation_failed);
    EXPECT_NE(r.error().message.find("invite_url"), std::string::npos);
    auto unknown = t.render("no-such-template", invite_vars());
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
}

TEST(EmailTemplates, AnEmptyOptionalPartIsLeftOutAndTheProgressBarShowsOnlyWhenGiven) {
    email::Templates t("", {});
    auto vars = invite_vars();
    vars["reason"] = "";
    vars["progress"] = "";
    auto r = t.render("profile.employment_changed", vars);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->text.find("Reason:"), std::string::npos) << r->text;
    EXPECT_EQ(r->html.find("complete"), std::string::npos);
    vars["reason"] = "paperwork pending";
    vars["progress"] = "40";
    auto again = t.render("profile.stage_advanced", vars);
    ASSERT_TRUE(again);
    EXPECT_NE(again->html.find("Onboarding 40% complete"), std::string::npos);
    EXPECT_NE(again->html.find("width:40%"), std::string::npos);
}

TEST(EmailTemplates, TheReportMailNamesTheReportPeriodAndFormatsAndLinksToItsRuns) {
    email::Templates t("", {});
    auto r = t.render("report", invite_vars());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->subject, "Your Headcount report, 2026-11-01 – 2026-11-30 (Europe/Berlin)");
    EXPECT_NE(r->text.find("(PDF, CSV)"), std::string::npos) << r->text;
    EXPECT_NE(r->text.find("https://hr.example.com/reports/7/runs?x=1&y=2"), std::string::npos) << r->text;
    EXPECT_NE(r->html.find("reports/7/runs?x=1&amp;y=2"), std::string::npos);
    auto vars = invite_vars();
    vars.erase("runs_url");
    auto missing = t.render("report", vars);
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("runs_url"), std::string::npos);
}

TEST(EmailTemplates, VariablesAreFoundInEveryTagForm) {
    auto const vars = email::template_variables("{{a}} {{{ b }}} {{& c}} {{#d}}{{e}}{{/d}} {{^f}}x{{/f}} {{! note }} {{a}}");
    EXPECT_EQ(vars, (std::vector<std::string>{"a", "b", "c", "e"}));
}

}  // namespace
