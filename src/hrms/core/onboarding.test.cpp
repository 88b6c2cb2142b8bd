#include "hrms/core/onboarding.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <tuple>

using namespace hrms;
using namespace hrms::core;
using ::testing::HasSubstr;

namespace {

constexpr Stage kStages[] = {Stage::details, Stage::documents, Stage::final, Stage::completed};
constexpr StageStatus kStatuses[] = {StageStatus::draft, StageStatus::submitted,
                                     StageStatus::rejected};
constexpr EmploymentStatus kEmployments[] = {EmploymentStatus::onboarding,
                                             EmploymentStatus::on_hold, EmploymentStatus::withdrawn,
                                             EmploymentStatus::active};
constexpr EmployeeAction kActions[] = {EmployeeAction::edit_details,
                                       EmployeeAction::upload_document, EmployeeAction::replace_rejected_document,
                                       EmployeeAction::submit};
constexpr Stage kReviewStages[] = {Stage::details, Stage::documents, Stage::final};

ProfileState state(Stage stage, StageStatus status,
                   EmploymentStatus employment = EmploymentStatus::onboarding) {
    return ProfileState{stage, status, employment};
}

DecisionInput approve(Stage stage) { return DecisionInput{stage, Decision::approve, "", {}}; }
DecisionInput reject(Stage stage, std::string reason = "passport scan is unreadable",
                     std::optional<Stage> send_back_to = {}) {
    return DecisionInput{stage, Decision::reject, std::move(reason), send_back_to};
}

Instant at(char const* rfc3339) { return parse_rfc3339(rfc3339).value(); }

// "Today" for the details tests.
Instant const kToday = at("2025-06-15T12:00:00Z");

Details valid_details() {
    Details d;
    d.first_name = "Ada";
    d.last_name = "Lovelace";
    d.preferred_name = "Ada";
    d.date_of_birth = "1990-12-10";
    d.phone = "+44 20 7946 0958";
    d.address.line1 = "12 St James's Square";
    d.address.line2 = "Flat 3";
    d.address.city = "London";
    d.address.region = "Greater London";
    d.address.postal_code = "SW1Y 4JH";
    d.address.country = "GB";
    d.emergency_contact.name = "Charles Babbage";
    d.emergency_contact.phone = "(555) 123-4567";
    d.emergency_contact.relationship = "friend";
    return d;
}

// The validation error's "field" for `d`, or "" when it is valid.
std::string bad_field(Details const& d, Completeness mode = Completeness::draft,
                      Instant today = kToday) {
    auto const r = validate_details(d, mode, today);
    if (r) return "";
    EXPECT_EQ(r.error().code, ErrorCode::validation_failed);
    auto const& j = r.error().details_json;
    auto const start = j.find("\"field\":\"");
    if (start == std::string::npos) return "<no field in " + j + ">";
    auto const from = start + 9;
    return j.substr(from, j.find('"', from) - from);
}

Details with_dob(std::string dob) {
    auto d = valid_details();
    d.date_of_birth = std::move(dob);
    return d;
}

Details with_phone(std::string phone) {
    auto d = valid_details();
    d.phone = std::move(phone);
    return d;
}

Details with_country(std::string country) {
    auto d = valid_details();
    d.address.country = std::move(country);
    return d;
}

void expect_conflict(Result<void> const& r, std::string_view message) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::conflict);
    EXPECT_EQ(r.error().message, message);
}

template <class T>
void expect_invalid(Result<T> const& r, std::string_view field) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::validation_failed);
    EXPECT_EQ(r.error().details_json, fmt::format("{{\"field\":\"{}\"}}", field));
}

constexpr std::int64_t kHour = 3'600'000;

}  // namespace

// ---------------------------------------------------------------------------------------------
// Wire names

TEST(OnboardingNames, EveryValueRoundTripsThroughItsWireName) {
    for (auto s : kStages) EXPECT_EQ(parse_stage(to_string(s)), s);
    for (auto s : kStatuses) EXPECT_EQ(parse_stage_status(to_string(s)), s);
    for (auto e : kEmployments) EXPECT_EQ(parse_employment_status(to_string(e)), e);
    for (auto d : {Decision::approve, Decision::reject}) EXPECT_EQ(parse_decision(to_string(d)), d);
}

TEST(OnboardingNames, WireNamesAreSnakeCase) {
    EXPECT_STREQ(to_string(Stage::documents), "documents");
    EXPECT_STREQ(to_string(StageStatus::submitted), "submitted");
    EXPECT_STREQ(to_string(EmploymentStatus::on_hold), "on_hold");
    EXPECT_STREQ(to_string(Decision::reject), "reject");
}

TEST(OnboardingNames, UnknownOrMiscasedTextParsesToNothing) {
    for (auto text : {"", "Details", "detail", "complete", " details", "final "}) {
        EXPECT_FALSE(parse_stage(text)) << text;
    }
    EXPECT_FALSE(parse_stage_status("approved"));
    EXPECT_FALSE(parse_decision("approved"));
    EXPECT_FALSE(parse_decision("Reject"));
    EXPECT_FALSE(parse_employment_status("on-hold"));
}

// ---------------------------------------------------------------------------------------------
// Who may act: the employee

TEST(EmployeeActions, OnlyTheEightListedCombinationsAreAllowed) {
    // The whole rule as a table: onboarding, the employee's turn (draft or rejected), and the
    // action belongs to the stage. Everything else (181 of 192) is a conflict.
    std::set<std::tuple<Stage, StageStatus, EmployeeAction>> const allowed{
        {Stage::details, StageStatus::draft, EmployeeAction::edit_details},
        {Stage::details, StageStatus::draft, EmployeeAction::submit},
        {Stage::details, StageStatus::rejected, EmployeeAction::edit_details},
        {Stage::details, StageStatus::rejected, EmployeeAction::submit},
        {Stage::documents, StageStatus::draft, EmployeeAction::upload_document},
        {Stage::documents, StageStatus::draft, EmployeeAction::submit},
        {Stage::documents, StageStatus::rejected, EmployeeAction::upload_document},
        {Stage::documents, StageStatus::rejected, EmployeeAction::submit},
        // A rejected document may be replaced whenever the documents stage is open, even while
        // the rest of the stage is being reviewed.
        {Stage::documents, StageStatus::draft, EmployeeAction::replace_rejected_document},
        {Stage::documents, StageStatus::rejected, EmployeeAction::replace_rejected_document},
        {Stage::documents, StageStatus::submitted, EmployeeAction::replace_rejected_document},
    };
    int checked = 0, ok = 0;
    for (auto stage : kStages) {
        for (auto status : kStatuses) {
            for (auto employment : kEmployments) {
                for (auto action : kActions) {
                    ++checked;
                    bool const expected = employment == EmploymentStatus::onboarding &&
                                          allowed.contains({stage, status, action});
                    auto const r = check_employee_action(state(stage, status, employment), action);
                    EXPECT_EQ(r.has_value(), expected)
                        << to_string(stage) << "/" << to_string(status) << "/"
                        << to_string(employment) << " action " << static_cast<int>(action);
                    if (r) {
                        ++ok;
                    } else {
                        EXPECT_EQ(r.error().code, ErrorCode::conflict);
                        EXPECT_FALSE(r.error().message.empty());
                    }
                }
            }
        }
    }
    EXPECT_EQ(checked, 192);
    EXPECT_EQ(ok, 11);
}

TEST(EmployeeActions, NothingCanBeChangedWhileAwaitingReview) {
    expect_conflict(check_employee_action(state(Stage::details, StageStatus::submitted),
                                          EmployeeAction::edit_details),
                    "profile is awaiting review");
    expect_conflict(check_employee_action(state(Stage::documents, StageStatus::submitted),
                                          EmployeeAction::upload_document),
                    "profile is awaiting review");
}

TEST(EmployeeActions, DetailsCanOnlyBeChangedInTheDetailsStage) {
    expect_conflict(check_employee_action(state(Stage::documents, StageStatus::draft),
                                          EmployeeAction::edit_details),
                    "details can only be changed in the details stage");
}

TEST(EmployeeActions, DocumentsCanOnlyBeUploadedInTheDocumentsStage) {
    expect_conflict(check_employee_action(state(Stage::details, StageStatus::rejected),
                                          EmployeeAction::upload_document),
                    "documents can only be uploaded in the documents stage");
}

TEST(EmployeeActions, TheFinalStageIsNotTheEmployeesToSubmit) {
    auto const r =
        check_employee_action(state(Stage::final, StageStatus::draft), EmployeeAction::submit);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::conflict);
}

TEST(EmployeeActions, AProfileOnHoldIsFrozenWhateverItsStage) {
    for (auto action : kActions) {
        expect_conflict(
            check_employee_action(
                state(Stage::details, StageStatus::draft, EmploymentStatus::on_hold), action),
            "profile is on hold");
    }
}

TEST(EmployeeActions, AWithdrawnProfileIsFrozen) {
    expect_conflict(check_employee_action(
                        state(Stage::documents, StageStatus::rejected, EmploymentStatus::withdrawn),
                        EmployeeAction::upload_document),
                    "profile is withdrawn");
}

TEST(EmployeeActions, ACompletedProfileSaysSoBeforeAnythingElse) {
    for (auto employment : kEmployments) {
        for (auto action : kActions) {
            expect_conflict(
                check_employee_action(state(Stage::completed, StageStatus::submitted, employment),
                                      action),
                "profile is completed");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Submitting

TEST(Submit, FromDraftOrRejectedTheStageAwaitsReview) {
    for (auto stage : {Stage::details, Stage::documents}) {
        for (auto status : {StageStatus::draft, StageStatus::rejected}) {
            auto const r = submit(state(stage, status));
            ASSERT_TRUE(r) << to_string(stage) << "/" << to_string(status);
            EXPECT_EQ(*r, state(stage, StageStatus::submitted));
        }
    }
}

TEST(Submit, SubmittingTwiceIsAConflict) {
    auto const once = submit(state(Stage::details, StageStatus::draft)).value();
    auto const twice = submit(once);
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, ErrorCode::conflict);
    EXPECT_EQ(twice.error().message, "profile is awaiting review");
}

TEST(Submit, FailsExactlyWhereCheckEmployeeActionFailsWithTheSameError) {
    for (auto stage : kStages) {
        for (auto status : kStatuses) {
            for (auto employment : kEmployments) {
                auto const s = state(stage, status, employment);
                auto const check = check_employee_action(s, EmployeeAction::submit);
                auto const r = submit(s);
                ASSERT_EQ(r.has_value(), check.has_value());
                if (!r) {
                    EXPECT_EQ(r.error().code, check.error().code);
                    EXPECT_EQ(r.error().message, check.error().message);
                } else {
                    EXPECT_EQ(r->stage, stage);
                    EXPECT_EQ(r->employment, employment);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reviewer decisions

TEST(StageMachine, ApprovingDetailsOpensTheDocumentsStageForTheEmployee) {
    auto const t = decide(state(Stage::details, StageStatus::submitted), approve(Stage::details));
    ASSERT_TRUE(t);
    EXPECT_EQ(t->from, state(Stage::details, StageStatus::submitted));
    EXPECT_EQ(t->to, state(Stage::documents, StageStatus::draft));
    EXPECT_EQ(t->decision, Decision::approve);
}

TEST(StageMachine, ApprovingDocumentsPutsFinalReviewStraightInTheReviewersHands) {
    auto const t =
        decide(state(Stage::documents, StageStatus::submitted), approve(Stage::documents));
    ASSERT_TRUE(t);
    EXPECT_EQ(t->to, state(Stage::final, StageStatus::submitted));
}

TEST(StageMachine, ApprovingFinalCompletesTheProfile) {
    auto const t = decide(state(Stage::final, StageStatus::submitted), approve(Stage::final));
    ASSERT_TRUE(t);
    EXPECT_EQ(t->to, state(Stage::completed, StageStatus::submitted));
    EXPECT_EQ(t->to.employment, EmploymentStatus::onboarding);  // the use case activates
}

TEST(StageMachine, RejectingDetailsOrDocumentsSendsThatStageBack) {
    for (auto stage : {Stage::details, Stage::documents}) {
        auto const t = decide(state(stage, StageStatus::submitted), reject(stage));
        ASSERT_TRUE(t) << to_string(stage);
        EXPECT_EQ(t->to, state(stage, StageStatus::rejected));
        EXPECT_EQ(t->decision, Decision::reject);
    }
}

TEST(StageMachine, RejectingFinalSendsBackToDocumentsByDefault) {
    auto const t = decide(state(Stage::final, StageStatus::submitted), reject(Stage::final));
    ASSERT_TRUE(t);
    EXPECT_EQ(t->to, state(Stage::documents, StageStatus::rejected));
}

TEST(StageMachine, RejectingFinalCanSendBackToDetails) {
    auto const t = decide(state(Stage::final, StageStatus::submitted),
                          reject(Stage::final, "name does not match passport", Stage::details));
    ASSERT_TRUE(t);
    EXPECT_EQ(t->to, state(Stage::details, StageStatus::rejected));
}

TEST(StageMachine, RejectingFinalCanSendBackToDocumentsExplicitly) {
    auto const t = decide(state(Stage::final, StageStatus::submitted),
                          reject(Stage::final, "contract unsigned", Stage::documents));
    ASSERT_TRUE(t);
    EXPECT_EQ(t->to, state(Stage::documents, StageStatus::rejected));
}

TEST(StageMachine, EveryStageAndDecisionLandsWhereTheTableSays) {
    struct Row {
        Stage stage;
        Decision decision;
        ProfileState to;
    };
    Row const table[] = {
        {Stage::details, Decision::approve, state(Stage::documents, StageStatus::draft)},
        {Stage::documents, Decision::approve, state(Stage::final, StageStatus::submitted)},
        {Stage::final, Decision::approve, state(Stage::completed, StageStatus::submitted)},
        {Stage::details, Decision::reject, state(Stage::details, StageStatus::rejected)},
        {Stage::documents, Decision::reject, state(Stage::documents, StageStatus::rejected)},
        {Stage::final, Decision::reject, state(Stage::documents, StageStatus::rejected)},
    };
    for (auto const& row : table) {
        auto const from = state(row.stage, StageStatus::submitted);
        auto const t = decide(from, DecisionInput{row.stage, row.decision, "because", {}});
        ASSERT_TRUE(t) << to_string(row.stage) << " " << to_string(row.decision);
        EXPECT_EQ(t->from, from);
        EXPECT_EQ(t->to, row.to) << to_string(row.stage) << " " << to_string(row.decision);
        EXPECT_EQ(t->decision, row.decision);
    }
}

TEST(StageMachine, DecisionOnAStageThatIsNoLongerCurrentIsAConflict) {
    auto const r = decide(state(Stage::documents, StageStatus::submitted), approve(Stage::details));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::conflict);
    EXPECT_EQ(r.error().message, "stage details is no longer current; the profile is at documents");
    EXPECT_EQ(r.error().details_json, "{\"current_stage\":\"documents\"}");
}

TEST(StageMachine, DecisionOnAnyOtherStageThanTheCurrentOneIsAConflict) {
    for (auto current : kReviewStages) {
        for (auto claimed : kReviewStages) {
            if (claimed == current) continue;
            for (auto d : {Decision::approve, Decision::reject}) {
                auto const r = decide(state(current, StageStatus::submitted),
                                      DecisionInput{claimed, d, "because", {}});
                ASSERT_FALSE(r);
                EXPECT_EQ(r.error().code, ErrorCode::conflict);
                EXPECT_THAT(r.error().message, HasSubstr("no longer current"));
            }
        }
    }
}

TEST(StageMachine, DecisionOnAStageTheEmployeeHasNotSubmittedIsAConflict) {
    for (auto stage : {Stage::details, Stage::documents}) {
        for (auto d : {Decision::approve, Decision::reject}) {
            auto const r =
                decide(state(stage, StageStatus::draft), DecisionInput{stage, d, "because", {}});
            ASSERT_FALSE(r);
            EXPECT_EQ(r.error().code, ErrorCode::conflict);
            EXPECT_THAT(r.error().message, HasSubstr("not awaiting review"));
            EXPECT_THAT(r.error().message, HasSubstr("has not submitted"));
        }
    }
}

TEST(StageMachine, DecisionOnAStageAlreadySentBackIsAConflict) {
    auto const r = decide(state(Stage::documents, StageStatus::rejected), reject(Stage::documents));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::conflict);
    EXPECT_EQ(r.error().message,
              "stage documents is not awaiting review; it is back with the employee");
}

TEST(StageMachine, DecisionOnACompletedProfileIsAConflict) {
    for (auto stage : kReviewStages) {
        for (auto d : {Decision::approve, Decision::reject}) {
            auto const r = decide(state(Stage::completed, StageStatus::submitted),
                                  DecisionInput{stage, d, "because", {}});
            ASSERT_FALSE(r);
            EXPECT_EQ(r.error().code, ErrorCode::conflict);
            EXPECT_EQ(r.error().message, "profile is completed");
        }
    }
}

TEST(StageMachine, NoDecisionWhileTheProfileIsNotOnboarding) {
    std::pair<EmploymentStatus, std::string_view> const cases[] = {
        {EmploymentStatus::on_hold, "profile is on hold"},
        {EmploymentStatus::withdrawn, "profile is withdrawn"},
        {EmploymentStatus::active, "employee is already active; onboarding is over"},
    };
    for (auto const& [employment, message] : cases) {
        for (auto stage : kReviewStages) {
            for (auto d : {Decision::approve, Decision::reject}) {
                auto const r = decide(state(stage, StageStatus::submitted, employment),
                                      DecisionInput{stage, d, "because", {}});
                ASSERT_FALSE(r);
                EXPECT_EQ(r.error().code, ErrorCode::conflict);
                EXPECT_EQ(r.error().message, message);
            }
        }
    }
}

TEST(StageMachine, DecisionNamingTheCompletedStageIsInvalidInput) {
    expect_invalid(
        decide(state(Stage::completed, StageStatus::submitted), approve(Stage::completed)),
        "stage");
}

TEST(StageMachine, RejectionWithoutAReasonIsInvalid) {
    expect_invalid(
        decide(state(Stage::details, StageStatus::submitted), reject(Stage::details, "")),
        "reason");
}

TEST(StageMachine, RejectionWithABlankReasonIsInvalid) {
    for (auto blank : {" ", "   ", "\t", "\n\r\n", " \t \n "}) {
        expect_invalid(
            decide(state(Stage::final, StageStatus::submitted), reject(Stage::final, blank)),
            "reason");
    }
}

TEST(StageMachine, ReasonOfExactlyTheMaximumLengthIsAccepted) {
    auto const t = decide(state(Stage::details, StageStatus::submitted),
                          reject(Stage::details, std::string(kMaxReasonLength, 'x')));
    EXPECT_TRUE(t);
}

TEST(StageMachine, ReasonOneCharacterTooLongIsInvalid) {
    auto const r = decide(state(Stage::details, StageStatus::submitted),
                          reject(Stage::details, std::string(kMaxReasonLength + 1, 'x')));
    expect_invalid(r, "reason");
    EXPECT_EQ(r.error().message, "reason must be at most 2000 characters");
}

TEST(StageMachine, ReasonLengthCountsCharactersNotBytes) {
    std::string reason;
    for (std::size_t i = 0; i < kMaxReasonLength; ++i) reason += "é";  // 4000 bytes
    EXPECT_TRUE(
        decide(state(Stage::details, StageStatus::submitted), reject(Stage::details, reason)));
    reason += "é";
    EXPECT_FALSE(
        decide(state(Stage::details, StageStatus::submitted), reject(Stage::details, reason)));
}

TEST(StageMachine, ReasonLengthIgnoresSurroundingWhitespace) {
    auto const reason = "  " + std::string(kMaxReasonLength, 'x') + "\n";
    EXPECT_TRUE(
        decide(state(Stage::details, StageStatus::submitted), reject(Stage::details, reason)));
}

TEST(StageMachine, ApprovalNeedsNoReason) {
    for (auto stage : kReviewStages) {
        EXPECT_TRUE(decide(state(stage, StageStatus::submitted), approve(stage)))
            << to_string(stage);
    }
}

TEST(StageMachine, ApprovalWithAnOverlongCommentIsInvalidToo) {
    auto in = approve(Stage::details);
    in.reason = std::string(kMaxReasonLength + 1, 'x');
    expect_invalid(decide(state(Stage::details, StageStatus::submitted), in), "reason");
}

TEST(StageMachine, SendBackToOnAnApprovalIsInvalid) {
    for (auto stage : kReviewStages) {
        auto in = approve(stage);
        in.send_back_to = Stage::details;
        expect_invalid(decide(state(stage, StageStatus::submitted), in), "send_back_to");
    }
}

TEST(StageMachine, SendBackToOnARejectionBeforeFinalIsInvalid) {
    for (auto stage : {Stage::details, Stage::documents}) {
        expect_invalid(
            decide(state(stage, StageStatus::submitted), reject(stage, "blurry", Stage::details)),
            "send_back_to");
    }
}

TEST(StageMachine, SendBackToMustNameDetailsOrDocuments) {
    for (auto target : {Stage::final, Stage::completed}) {
        auto const r = decide(state(Stage::final, StageStatus::submitted),
                              reject(Stage::final, "wrong", target));
        expect_invalid(r, "send_back_to");
        EXPECT_EQ(r.error().message, "send_back_to must be details or documents");
    }
}

TEST(StageMachine, MalformedDecisionIsReportedBeforeTheProfilesState) {
    // The client must fix the request in any case; a conflict would hide that.
    expect_invalid(decide(state(Stage::documents, StageStatus::draft), reject(Stage::details, "")),
                   "reason");
}

TEST(StageMachine, ReasonIsCheckedBeforeSendBackTo) {
    expect_invalid(decide(state(Stage::final, StageStatus::submitted),
                          reject(Stage::final, " ", Stage::final)),
                   "reason");
}

TEST(StageMachine, EmploymentStatusIsCarriedThroughTransitions) {
    // Only onboarding profiles can be decided, so `to` is always onboarding too; the use case
    // (not the stage machine) marks the employee active on completion.
    for (auto stage : kReviewStages) {
        auto const t = decide(state(stage, StageStatus::submitted), reject(stage));
        ASSERT_TRUE(t);
        EXPECT_EQ(t->to.employment, EmploymentStatus::onboarding);
    }
}

// ---------------------------------------------------------------------------------------------
// Details validation

TEST(Details, AFullyFilledProfileIsValidBothAsDraftAndComplete) {
    EXPECT_TRUE(validate_details(valid_details(), Completeness::draft, kToday));
    EXPECT_TRUE(validate_details(valid_details(), Completeness::complete, kToday));
}

TEST(Details, ADraftMayLeaveEveryFieldOut) {
    EXPECT_TRUE(validate_details(Details{}, Completeness::draft, kToday));
}

TEST(Details, ADraftMayLeaveFieldsBlank) {
    auto d = valid_details();
    d.first_name = "   ";
    d.address.country = "";
    EXPECT_TRUE(validate_details(d, Completeness::draft, kToday));
}

TEST(Details, CompleteRequiresEveryRequiredField) {
    for (std::size_t i = 0; i < std::size(kRequiredDetailFields); ++i) {
        auto d = valid_details();
        std::optional<std::string>* slots[] = {&d.first_name,
                                               &d.last_name,
                                               &d.date_of_birth,
                                               &d.phone,
                                               &d.address.line1,
                                               &d.address.city,
                                               &d.address.country,
                                               &d.emergency_contact.name,
                                               &d.emergency_contact.phone};
        ASSERT_EQ(std::size(slots), std::size(kRequiredDetailFields));
        slots[i]->reset();
        EXPECT_TRUE(validate_details(d, Completeness::draft, kToday));
        EXPECT_EQ(bad_field(d, Completeness::complete), kRequiredDetailFields[i]);
        *slots[i] = " \t ";
        EXPECT_EQ(bad_field(d, Completeness::complete), kRequiredDetailFields[i]) << "blank";
    }
}

TEST(Details, CompleteDoesNotRequireOptionalFields) {
    auto d = valid_details();
    d.preferred_name.reset();
    d.address.line2.reset();
    d.address.region.reset();
    d.address.postal_code.reset();
    d.emergency_contact.relationship.reset();
    EXPECT_TRUE(validate_details(d, Completeness::complete, kToday));
}

TEST(Details, AnEmptyProfileSubmittedAsCompleteListsEveryRequiredField) {
    auto const r = validate_details(Details{}, Completeness::complete, kToday);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::validation_failed);
    EXPECT_EQ(r.error().message, "first_name is required");
    EXPECT_EQ(r.error().details_json,
              "{\"field\":\"first_name\",\"fields\":{"
              "\"first_name\":\"first_name is required\","
              "\"last_name\":\"last_name is required\","
              "\"date_of_birth\":\"date_of_birth is required\","
              "\"phone\":\"phone is required\","
              "\"address.line1\":\"address.line1 is required\","
              "\"address.city\":\"address.city is required\","
              "\"address.country\":\"address.country is required\","
              "\"emergency_contact.name\":\"emergency_contact.name is required\","
              "\"emergency_contact.phone\":\"emergency_contact.phone is required\"}}");
}

TEST(Details, EveryBadFieldIsListedAndTheFirstIsNamed) {
    auto d = valid_details();
    d.last_name = std::string(101, 'x');
    d.date_of_birth = "2023-02-29";
    d.address.country = "XX";
    d.emergency_contact.phone = "12";
    auto const r = validate_details(d, Completeness::draft, kToday);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "last_name must be 1-100 characters");
    EXPECT_EQ(r.error().details_json,
              "{\"field\":\"last_name\",\"fields\":{"
              "\"last_name\":\"last_name must be 1-100 characters\","
              "\"date_of_birth\":\"date_of_birth is not a real calendar date\","
              "\"address.country\":\"address.country must be an ISO 3166-1 alpha-2 code such as "
              "GB\","
              "\"emergency_contact.phone\":\"emergency_contact.phone must have 7-15 digits\"}}");
}

TEST(Details, MissingAndMalformedFieldsAreReportedTogether) {
    auto d = valid_details();
    d.first_name.reset();
    d.phone = "call me";
    auto const r = validate_details(d, Completeness::complete, kToday);
    ASSERT_FALSE(r);
    EXPECT_EQ(bad_field(d, Completeness::complete), "first_name");
    EXPECT_THAT(r.error().details_json, HasSubstr("\"first_name\":\"first_name is required\""));
    EXPECT_THAT(r.error().details_json, HasSubstr("\"phone\":\"phone may contain only"));
}

TEST(Details, FieldValuesNeverAppearInTheErrorDetails) {
    // A hostile value cannot break the details document: only our own messages go in it.
    auto d = valid_details();
    d.first_name = "\"}\x01";
    auto const r = validate_details(d, Completeness::draft, kToday);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().details_json,
              "{\"field\":\"first_name\",\"fields\":{\"first_name\":\"first_name must not contain "
              "control characters\"}}");
}

// Names

TEST(DetailsNames, OneToOneHundredCharactersAreAccepted) {
    using Field = std::optional<std::string> Details::*;
    for (Field field : {&Details::first_name, &Details::last_name, &Details::preferred_name}) {
        auto d = valid_details();
        d.*field = "X";
        EXPECT_EQ(bad_field(d), "");
        d.*field = std::string(100, 'x');
        EXPECT_EQ(bad_field(d), "");
    }
}

TEST(DetailsNames, MoreThanOneHundredCharactersAreRefused) {
    std::pair<std::optional<std::string> Details::*, std::string_view> const fields[] = {
        {&Details::first_name, "first_name"},
        {&Details::last_name, "last_name"},
        {&Details::preferred_name, "preferred_name"}};
    for (auto const& [field, name] : fields) {
        auto d = valid_details();
        d.*field = std::string(101, 'x');
        EXPECT_EQ(bad_field(d), name);
    }
    auto d = valid_details();
    d.emergency_contact.name = std::string(101, 'x');
    EXPECT_EQ(bad_field(d), "emergency_contact.name");
}

TEST(DetailsNames, LengthCountsCharactersNotBytes) {
    std::string name;
    for (int i = 0; i < 100; ++i) name += "Ł";  // 200 bytes
    auto d = valid_details();
    d.first_name = name;
    EXPECT_EQ(bad_field(d), "");
    d.first_name = name + "Ł";
    EXPECT_EQ(bad_field(d), "first_name");
}

TEST(DetailsNames, NonLatinNamesAreFine) {
    auto d = valid_details();
    d.first_name = "Zoë";
    d.last_name = "O'Connor-Łukasiewicz";
    d.preferred_name = "李";
    d.emergency_contact.name = "Јован Јовановић";
    EXPECT_EQ(bad_field(d, Completeness::complete), "");
}

TEST(DetailsNames, ControlCharactersAreRefused) {
    for (auto bad : {"Ada\x01", "Ada\nLovelace", "A\tda", "Ada\x7f", "Ada\xC2\x85"}) {
        auto d = valid_details();
        d.first_name = bad;
        EXPECT_EQ(bad_field(d), "first_name") << bad;
        d = valid_details();
        d.emergency_contact.name = bad;
        EXPECT_EQ(bad_field(d), "emergency_contact.name") << bad;
    }
}

TEST(DetailsNames, SurroundingWhitespaceIsNotPartOfTheName) {
    auto d = valid_details();
    d.first_name = "  " + std::string(100, 'x') + "\n";
    EXPECT_EQ(bad_field(d), "");
}

// Date of birth

TEST(DetailsDateOfBirth, ImpossibleDatesAreRefused) {
    for (auto bad : {"2023-02-29", "1990-02-30", "1990-04-31", "1990-13-01", "1990-00-10",
                     "1990-01-00", "1990-01-32", "1900-02-29"}) {
        auto const r = validate_details(with_dob(bad), Completeness::draft, kToday);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().message, "date_of_birth is not a real calendar date") << bad;
    }
}

TEST(DetailsDateOfBirth, LeapDaysInLeapYearsAreReal) {
    EXPECT_EQ(bad_field(with_dob("2000-02-29")), "");  // divisible by 400
    EXPECT_EQ(bad_field(with_dob("1996-02-29")), "");
}

TEST(DetailsDateOfBirth, AnythingButYyyyMmDdIsAFormatError) {
    for (auto bad : {"1990/01/01", "1990-1-1", "90-01-01", "01-01-1990", "1990-01-01T00:00:00Z",
                     "19900101", "1990-0a-01", "+1990-01-01", "1990–01–01", "tomorrow"}) {
        auto const r = validate_details(with_dob(bad), Completeness::draft, kToday);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().message, "date_of_birth must be a date in the form YYYY-MM-DD") << bad;
    }
}

TEST(DetailsDateOfBirth, SurroundingWhitespaceIsTrimmed) {
    EXPECT_EQ(bad_field(with_dob(" 1990-01-01 ")), "");
}

TEST(DetailsDateOfBirth, SixteenOnTheBirthdayItselfIsOldEnough) {
    EXPECT_EQ(bad_field(with_dob("2009-06-15")), "");  // today is 2025-06-15
}

TEST(DetailsDateOfBirth, TheDayBeforeTheSixteenthBirthdayIsTooYoung) {
    auto const r = validate_details(with_dob("2009-06-16"), Completeness::draft, kToday);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "date_of_birth gives an age under 16");
}

TEST(DetailsDateOfBirth, FifteenIsTooYoung) {
    EXPECT_EQ(bad_field(with_dob("2010-01-01")), "date_of_birth");
}

TEST(DetailsDateOfBirth, ADateInTheFutureIsTooYoung) {
    EXPECT_EQ(bad_field(with_dob("2030-01-01")), "date_of_birth");
    EXPECT_EQ(bad_field(with_dob("2025-06-16")), "date_of_birth");
}

TEST(DetailsDateOfBirth, OneHundredUntilTheDayBeforeTheHundredAndFirstBirthday) {
    EXPECT_EQ(bad_field(with_dob("1925-06-15")), "");  // 100 today
    EXPECT_EQ(bad_field(with_dob("1924-06-16")), "");  // 101 tomorrow
}

TEST(DetailsDateOfBirth, OneHundredAndOneIsTooOld) {
    auto const r = validate_details(with_dob("1924-06-15"), Completeness::draft, kToday);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "date_of_birth gives an age over 100");
    EXPECT_EQ(bad_field(with_dob("1900-01-01")), "date_of_birth");
}

TEST(DetailsDateOfBirth, TheTimeOfDayOfTodayDoesNotMatter) {
    EXPECT_EQ(bad_field(with_dob("2009-06-15"), Completeness::draft, at("2025-06-15T00:00:00Z")),
              "");
    EXPECT_EQ(
        bad_field(with_dob("2009-06-16"), Completeness::draft, at("2025-06-15T23:59:59.999Z")),
        "date_of_birth");
}

TEST(DetailsDateOfBirth, ALeaplingTurnsSixteenOnTheLeapDayWhenThereIsOne) {
    EXPECT_EQ(bad_field(with_dob("2008-02-29"), Completeness::draft, at("2024-02-28T12:00:00Z")),
              "date_of_birth");
    EXPECT_EQ(bad_field(with_dob("2008-02-29"), Completeness::draft, at("2024-02-29T12:00:00Z")),
              "");
}

TEST(DetailsDateOfBirth, ALeaplingTurnsSixteenOnTheFirstOfMarchInACommonYear) {
    // 2100 is not a leap year (divisible by 100, not by 400).
    EXPECT_EQ(bad_field(with_dob("2084-02-29"), Completeness::draft, at("2100-02-28T12:00:00Z")),
              "date_of_birth");
    EXPECT_EQ(bad_field(with_dob("2084-02-29"), Completeness::draft, at("2100-03-01T00:00:00Z")),
              "");
}

TEST(DetailsDateOfBirth, ALeaplingTurnsOneHundredAndOneOnTheFirstOfMarchInACommonYear) {
    EXPECT_EQ(bad_field(with_dob("1924-02-29"), Completeness::draft, at("2025-02-28T12:00:00Z")),
              "");  // still 100
    EXPECT_EQ(bad_field(with_dob("1924-02-29"), Completeness::draft, at("2025-03-01T12:00:00Z")),
              "date_of_birth");  // 101
}

// Phones

TEST(DetailsPhone, CommonlyWrittenNumbersAreAccepted) {
    for (auto good : {"+44 20 7946 0958", "(555) 123-4567", "+1-202-555-0143", "555.123.4567",
                      "+49 (30) 901820", "1234567", "+123456789012345", "4420 7946 0958"}) {
        EXPECT_EQ(bad_field(with_phone(good)), "") << good;
        auto d = valid_details();
        d.emergency_contact.phone = good;
        EXPECT_EQ(bad_field(d), "") << good;
    }
}

TEST(DetailsPhone, FewerThanSevenOrMoreThanFifteenDigitsAreRefused) {
    for (auto bad : {"123456", "+1 23 45", "1234567890123456", "+1234567890123456"}) {
        auto const r = validate_details(with_phone(bad), Completeness::draft, kToday);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().message, "phone must have 7-15 digits") << bad;
    }
}

TEST(DetailsPhone, ALeadingZeroIsRefused) {
    for (auto bad : {"020 7946 0958", "+0 20 7946 0958", "(0) 123 4567"}) {
        auto const r = validate_details(with_phone(bad), Completeness::draft, kToday);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().message, "phone must start with a country or area code, not 0") << bad;
    }
}

TEST(DetailsPhone, LettersAndMisplacedPlusSignsAreRefused) {
    for (auto bad : {"555-CALL-NOW", "++44 20 7946 0958", "44+20 7946 0958", "+", "phone",
                     "555 123 4567 ext 8", "555/123/4567", "555_123_4567", "1234567#"}) {
        EXPECT_EQ(bad_field(with_phone(bad)), "phone") << bad;
    }
}

TEST(DetailsPhone, PunctuationAloneIsNotANumber) {
    EXPECT_EQ(bad_field(with_phone("(--) ..")), "phone");
}

TEST(DetailsPhone, EmergencyContactPhoneFollowsTheSameRule) {
    auto d = valid_details();
    d.emergency_contact.phone = "012345678";
    EXPECT_EQ(bad_field(d), "emergency_contact.phone");
}

// Countries

TEST(DetailsCountry, AnUnassignedCodeIsRefused) {
    auto const r = validate_details(with_country("XX"), Completeness::draft, kToday);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "address.country must be an ISO 3166-1 alpha-2 code such as GB");
}

TEST(DetailsCountry, LowerCaseIsNormalisedAndAccepted) {
    EXPECT_EQ(bad_field(with_country("gb")), "");
    EXPECT_EQ(bad_field(with_country(" de ")), "");
    EXPECT_EQ(bad_field(with_country("Us")), "");
}

TEST(DetailsCountry, NamesAlpha3AndReservedCodesAreRefused) {
    for (auto bad : {"GBR", "United Kingdom", "G", "UK", "EU", "XK", "G B", "1A"}) {
        EXPECT_EQ(bad_field(with_country(bad)), "address.country") << bad;
    }
}

// Other text

TEST(DetailsText, OtherStringsMayHaveUpToTwoHundredCharacters) {
    struct Case {
        std::optional<std::string>* slot;
        std::string_view name;
    };
    auto d = valid_details();
    Case const cases[] = {{&d.address.line1, "address.line1"},
                          {&d.address.line2, "address.line2"},
                          {&d.address.city, "address.city"},
                          {&d.address.region, "address.region"},
                          {&d.address.postal_code, "address.postal_code"},
                          {&d.emergency_contact.relationship, "emergency_contact.relationship"}};
    for (auto const& c : cases) {
        auto const saved = *c.slot;
        *c.slot = std::string(200, 'x');
        EXPECT_EQ(bad_field(d), "") << c.name;
        *c.slot = std::string(201, 'x');
        EXPECT_EQ(bad_field(d), c.name);
        *c.slot = saved;
    }
}

TEST(DetailsText, TwoHundredMultibyteCharactersAreFine) {
    std::string city;
    for (int i = 0; i < 200; ++i) city += "ü";
    auto d = valid_details();
    d.address.city = city;
    EXPECT_EQ(bad_field(d), "");
}

// Normalising and counting

TEST(NormalizeDetails, TrimsBlanksToNothingAndUpperCasesTheCountry) {
    Details d;
    d.first_name = "  Ada\t";
    d.last_name = "   ";
    d.address.country = " gb ";
    d.address.city = "";
    d.emergency_contact.relationship = "\nsister ";
    auto const n = normalize_details(d);
    EXPECT_EQ(n.first_name, "Ada");
    EXPECT_EQ(n.last_name, std::nullopt);
    EXPECT_EQ(n.address.country, "GB");
    EXPECT_EQ(n.address.city, std::nullopt);
    EXPECT_EQ(n.emergency_contact.relationship, "sister");
    EXPECT_EQ(n.phone, std::nullopt);
}

TEST(NormalizeDetails, KeepsInnerWhitespaceAndCaseOfOtherFields) {
    Details d;
    d.address.line1 = "12  St James's Square";
    d.address.postal_code = "sw1y 4jh";
    auto const n = normalize_details(d);
    EXPECT_EQ(n.address.line1, "12  St James's Square");
    EXPECT_EQ(n.address.postal_code, "sw1y 4jh");
}

TEST(NormalizeDetails, IsIdempotent) {
    auto const once = normalize_details(valid_details());
    auto const twice = normalize_details(once);
    EXPECT_EQ(twice.first_name, once.first_name);
    EXPECT_EQ(twice.address.country, once.address.country);
    EXPECT_EQ(twice.emergency_contact.phone, once.emergency_contact.phone);
}

TEST(CountRequiredFilled, ANewProfileHasNone) { EXPECT_EQ(count_required_filled(Details{}), 0); }

TEST(CountRequiredFilled, AFullProfileHasAllNine) {
    EXPECT_EQ(count_required_filled(valid_details()), kRequiredDetailCount);
}

TEST(CountRequiredFilled, OptionalFieldsDoNotCount) {
    Details d;
    d.preferred_name = "Ada";
    d.address.line2 = "Flat 3";
    d.address.region = "London";
    d.address.postal_code = "SW1";
    d.emergency_contact.relationship = "friend";
    EXPECT_EQ(count_required_filled(d), 0);
}

TEST(CountRequiredFilled, BlankFieldsDoNotCount) {
    auto d = valid_details();
    d.first_name = "  ";
    d.address.city = "";
    EXPECT_EQ(count_required_filled(d), kRequiredDetailCount - 2);
}

TEST(CountRequiredFilled, EachRequiredFieldCountsOnce) {
    Details d;
    std::optional<std::string>* slots[] = {&d.first_name,
                                           &d.last_name,
                                           &d.date_of_birth,
                                           &d.phone,
                                           &d.address.line1,
                                           &d.address.city,
                                           &d.address.country,
                                           &d.emergency_contact.name,
                                           &d.emergency_contact.phone};
    for (int i = 0; i < kRequiredDetailCount; ++i) {
        *slots[i] = "x";
        EXPECT_EQ(count_required_filled(d), i + 1);
    }
}

TEST(CountRequiredFilled, PresenceIsCountedNotValidity) {
    Details d;
    d.phone = "not a phone";
    EXPECT_EQ(count_required_filled(d), 1);
}

// ---------------------------------------------------------------------------------------------
// ISO 3166-1

TEST(IsoCountry, ExactlyTheTwoHundredAndFortyNineAssignedCodesAreAccepted) {
    int accepted = 0;
    for (char a = 'A'; a <= 'Z'; ++a) {
        for (char b = 'A'; b <= 'Z'; ++b) {
            char const code[] = {a, b, '\0'};
            if (is_iso_country(code)) ++accepted;
        }
    }
    EXPECT_EQ(accepted, 249);
}

TEST(IsoCountry, WellKnownAndRecentCodesAreAccepted) {
    for (auto code : {"GB", "DE", "US", "FR", "JP", "CN", "IN", "BR", "ZA", "AU", "NZ", "CH",
                      "AD", "ZW", "AX", "SS", "BQ", "CW", "SX", "MF", "BL", "PS", "TW"}) {
        EXPECT_TRUE(is_iso_country(code)) << code;
    }
}

TEST(IsoCountry, ReservedUserAssignedAndWithdrawnCodesAreRefused) {
    for (auto code : {"UK", "EU", "UN", "EZ", "AN", "YU", "CS", "ZR", "TP", "SU", "DD", "XX", "XK",
                      "AA", "QM", "ZZ"}) {
        EXPECT_FALSE(is_iso_country(code)) << code;
    }
}

TEST(IsoCountry, OnlyTwoUpperCaseLettersMatch) {
    for (auto code : {"gb", "Gb", "", "G", "GBR", " GB", "GB "}) {
        EXPECT_FALSE(is_iso_country(code)) << code;
    }
}

// ---------------------------------------------------------------------------------------------
// Progress

TEST(Progress, ANewProfileIsAtZero) { EXPECT_EQ(progress(ProgressInput{}), 0); }

TEST(Progress, DetailsStageScalesWithFilledFieldsUpToThirty) {
    int const expected[] = {0, 3, 6, 10, 13, 16, 20, 23, 26, 30};
    for (int filled = 0; filled <= kRequiredDetailCount; ++filled) {
        EXPECT_EQ(progress({Stage::details, filled, 0, 0}), expected[filled]) << filled;
    }
}

TEST(Progress, DocumentsStageRunsFromFortyToSeventy) {
    EXPECT_EQ(progress({Stage::documents, 9, 0, 4}), 40);
    EXPECT_EQ(progress({Stage::documents, 9, 1, 4}), 47);
    EXPECT_EQ(progress({Stage::documents, 9, 2, 4}), 55);
    EXPECT_EQ(progress({Stage::documents, 9, 3, 4}), 62);
    EXPECT_EQ(progress({Stage::documents, 9, 4, 4}), 70);
}

TEST(Progress, DocumentsStageWithNoRequiredDocumentsIsSeventy) {
    EXPECT_EQ(progress({Stage::documents, 9, 0, 0}), 70);
}

TEST(Progress, FinalIsEightyFiveAndCompletedIsOneHundred) {
    EXPECT_EQ(progress({Stage::final, 9, 3, 3}), 85);
    EXPECT_EQ(progress({Stage::completed, 9, 3, 3}), 100);
}

TEST(Progress, OnlyTheStageCountsOnceDetailsArePast) {
    EXPECT_EQ(progress({Stage::documents, 0, 0, 2}), 40);
    EXPECT_EQ(progress({Stage::final, 0, 0, 2}), 85);
    EXPECT_EQ(progress({Stage::completed, 0, 0, 0}), 100);
}

TEST(Progress, OutOfRangeCountsAreClamped) {
    EXPECT_EQ(progress({Stage::details, 12, 0, 0}), 30);
    EXPECT_EQ(progress({Stage::details, -3, 0, 0}), 0);
    EXPECT_EQ(progress({Stage::documents, 9, 5, 3}), 70);
    EXPECT_EQ(progress({Stage::documents, 9, -1, 3}), 40);
    EXPECT_EQ(progress({Stage::documents, 9, 2, -1}), 70);
}

TEST(Progress, NeverReachesOneHundredBeforeCompletion) {
    for (auto stage : {Stage::details, Stage::documents, Stage::final}) {
        for (int filled = -1; filled <= kRequiredDetailCount + 1; ++filled) {
            for (int total = -1; total <= 6; ++total) {
                for (int approved = -1; approved <= total + 1; ++approved) {
                    int const p = progress({stage, filled, approved, total});
                    EXPECT_GE(p, 0);
                    EXPECT_LT(p, 100);
                }
            }
        }
    }
}

TEST(Progress, EveryStageStartsAboveTheBestOfThePreviousOne) {
    EXPECT_LT(progress({Stage::details, 9, 0, 0}), progress({Stage::documents, 0, 0, 50}));
    EXPECT_LT(progress({Stage::documents, 0, 50, 50}), progress({Stage::final, 0, 0, 0}));
    EXPECT_LT(progress({Stage::final, 0, 0, 0}), progress({Stage::completed, 0, 0, 0}));
}

TEST(Progress, RisesMonotonicallyThroughAFullOnboarding) {
    // The employee fills in details field by field, submits, the reviewer approves, documents
    // are approved one by one, then final and completion. Progress never drops, every stage
    // advance raises it, and only completion reaches 100.
    int const docs_total = 3;
    ProfileState s;
    Details d;
    int last = -1;
    std::vector<int> seen;
    auto observe = [&](int filled, int approved) {
        int const p = progress({s.stage, filled, approved, docs_total});
        EXPECT_GE(p, last) << "dropped at " << to_string(s.stage);
        if (s.stage != Stage::completed) {
            EXPECT_LT(p, 100);
        }
        last = p;
        seen.push_back(p);
        return p;
    };

    EXPECT_EQ(observe(count_required_filled(d), 0), 0);
    auto const full = valid_details();
    std::pair<std::optional<std::string>*, std::optional<std::string> const*> const steps[] = {
        {&d.first_name, &full.first_name},
        {&d.last_name, &full.last_name},
        {&d.preferred_name, &full.preferred_name},  // optional: must not change progress
        {&d.date_of_birth, &full.date_of_birth},
        {&d.phone, &full.phone},
        {&d.address.line1, &full.address.line1},
        {&d.address.city, &full.address.city},
        {&d.address.country, &full.address.country},
        {&d.emergency_contact.name, &full.emergency_contact.name},
        {&d.emergency_contact.phone, &full.emergency_contact.phone}};
    for (auto const& [slot, value] : steps) {
        ASSERT_TRUE(check_employee_action(s, EmployeeAction::edit_details));
        *slot = *value;
        ASSERT_TRUE(validate_details(d, Completeness::draft, kToday));
        observe(count_required_filled(d), 0);
    }
    ASSERT_TRUE(validate_details(d, Completeness::complete, kToday));
    EXPECT_EQ(last, 30);

    s = submit(s).value();
    EXPECT_EQ(observe(count_required_filled(d), 0), 30);
    int before = last;
    s = decide(s, approve(Stage::details)).value().to;
    EXPECT_GT(observe(9, 0), before);
    EXPECT_EQ(last, 40);

    for (int approved = 1; approved <= docs_total; ++approved) {
        ASSERT_TRUE(check_employee_action(s, EmployeeAction::upload_document));
        before = last;
        EXPECT_GT(observe(9, approved), before);
    }
    EXPECT_EQ(last, 70);
    s = submit(s).value();
    before = last;
    s = decide(s, approve(Stage::documents)).value().to;
    EXPECT_GT(observe(9, docs_total), before);
    EXPECT_EQ(last, 85);

    before = last;
    s = decide(s, approve(Stage::final)).value().to;
    EXPECT_EQ(s.stage, Stage::completed);
    EXPECT_GT(observe(9, docs_total), before);
    EXPECT_EQ(last, 100);
    EXPECT_EQ(std::count(seen.begin(), seen.end(), 100), 1);
}

TEST(Progress, SendingBackFromFinalReturnsProgressToThatStage) {
    // Not monotonic by design: progress says where the profile is, and it went back.
    auto const t = decide(state(Stage::final, StageStatus::submitted),
                          reject(Stage::final, "contract unsigned"))
                       .value();
    EXPECT_LT(progress({t.to.stage, 9, 3, 3}), progress({t.from.stage, 9, 3, 3}));
}

// ---------------------------------------------------------------------------------------------
// SLA clocks

TEST(SlaPolicy, EachReviewStageHasItsOwnBudget) {
    SlaPolicy const p;
    EXPECT_EQ(p.budget_hours(Stage::details), 48);
    EXPECT_EQ(p.budget_hours(Stage::documents), 72);
    EXPECT_EQ(p.budget_hours(Stage::final), 24);
    EXPECT_EQ(p.budget_hours(Stage::completed), 0);
}

TEST(SlaClock, AStartedClockRunsFromTheStart) {
    Instant const t0 = at("2025-03-03T09:00:00Z");
    auto const c = sla_start(Stage::documents, t0);
    EXPECT_EQ(c.stage, Stage::documents);
    EXPECT_EQ(c.elapsed_ms, 0);
    EXPECT_EQ(c.running_since, t0);
    EXPECT_FALSE(c.stopped_at);
    auto const st = sla_status(c, SlaPolicy{}, Instant{t0.ms + 5 * kHour});
    EXPECT_EQ(st.state, SlaState::running);
    EXPECT_EQ(st.elapsed_ms, 5 * kHour);
    EXPECT_EQ(st.budget_ms, 72 * kHour);
    EXPECT_DOUBLE_EQ(st.fraction, 5.0 / 72.0);
    EXPECT_EQ(st.deadline, Instant{t0.ms + 72 * kHour});
    EXPECT_FALSE(st.overdue);
    EXPECT_FALSE(st.reminder_due);
    EXPECT_FALSE(st.escalation_due);
}

TEST(SlaClock, PausingAddsTheRunningTimeAndStopsTheClock) {
    Instant const t0{1'000'000};
    auto const c = sla_pause(sla_start(Stage::details, t0), Instant{t0.ms + 3 * kHour});
    EXPECT_EQ(c.elapsed_ms, 3 * kHour);
    EXPECT_FALSE(c.running_since);
    EXPECT_FALSE(c.stopped_at);
    auto const st = sla_status(c, SlaPolicy{}, Instant{t0.ms + 30 * kHour});
    EXPECT_EQ(st.state, SlaState::paused);
    EXPECT_EQ(st.elapsed_ms, 3 * kHour);
    EXPECT_FALSE(st.deadline);
}

TEST(SlaClock, TimeAccumulatesAcrossPauses) {
    Instant const t0{0};
    auto c = sla_start(Stage::details, t0);
    c = sla_pause(c, Instant{2 * kHour});    // ran 2h
    c = sla_resume(c, Instant{10 * kHour});  // paused 8h
    c = sla_pause(c, Instant{13 * kHour});   // ran 3h
    c = sla_resume(c, Instant{20 * kHour});  // paused 7h
    EXPECT_EQ(sla_status(c, SlaPolicy{}, Instant{21 * kHour}).elapsed_ms, 6 * kHour);
}

TEST(SlaClock, TheDeadlineMovesOutByThePausedTime) {
    Instant const t0 = at("2025-03-03T09:00:00Z");
    auto c = sla_start(Stage::details, t0);
    EXPECT_EQ(sla_status(c, SlaPolicy{}, t0).deadline, Instant{t0.ms + 48 * kHour});
    c = sla_pause(c, Instant{t0.ms + 10 * kHour});
    c = sla_resume(c, Instant{t0.ms + 13 * kHour});  // paused 3h
    EXPECT_EQ(sla_status(c, SlaPolicy{}, Instant{t0.ms + 14 * kHour}).deadline,
              Instant{t0.ms + 51 * kHour});
    EXPECT_EQ(sla_status(c, SlaPolicy{}, Instant{t0.ms + 14 * kHour}).deadline,
              at("2025-03-05T12:00:00Z"));
}

TEST(SlaClock, TheDeadlineDoesNotDependOnWhenItIsAsked) {
    auto const c = sla_start(Stage::final, Instant{0});
    EXPECT_EQ(sla_status(c, SlaPolicy{}, Instant{0}).deadline,
              sla_status(c, SlaPolicy{}, Instant{100 * kHour}).deadline);
}

TEST(SlaClock, PausingAPausedOrStoppedClockChangesNothing) {
    auto const paused = sla_pause(sla_start(Stage::details, Instant{0}), Instant{kHour});
    auto const again = sla_pause(paused, Instant{5 * kHour});
    EXPECT_EQ(again.elapsed_ms, paused.elapsed_ms);
    EXPECT_EQ(again.running_since, paused.running_since);
    auto const stopped = sla_stop(sla_start(Stage::details, Instant{0}), Instant{kHour});
    auto const p2 = sla_pause(stopped, Instant{5 * kHour});
    EXPECT_EQ(p2.elapsed_ms, kHour);
    EXPECT_EQ(p2.stopped_at, Instant{kHour});
}

TEST(SlaClock, ResumingARunningClockChangesNothing) {
    auto const c = sla_start(Stage::details, Instant{0});
    auto const r = sla_resume(c, Instant{5 * kHour});
    EXPECT_EQ(r.running_since, Instant{0});
    EXPECT_EQ(sla_status(r, SlaPolicy{}, Instant{6 * kHour}).elapsed_ms, 6 * kHour);
}

TEST(SlaClock, AStoppedClockCannotBeResumed) {
    auto const stopped = sla_stop(sla_start(Stage::details, Instant{0}), Instant{kHour});
    auto const r = sla_resume(stopped, Instant{2 * kHour});
    EXPECT_FALSE(r.running_since);
    EXPECT_EQ(sla_status(r, SlaPolicy{}, Instant{90 * kHour}).state, SlaState::stopped);
    EXPECT_EQ(sla_status(r, SlaPolicy{}, Instant{90 * kHour}).elapsed_ms, kHour);
}

TEST(SlaClock, StoppingARunningClockAccumulatesAndFreezesIt) {
    auto const c = sla_stop(sla_start(Stage::documents, Instant{0}), Instant{7 * kHour});
    EXPECT_EQ(c.elapsed_ms, 7 * kHour);
    EXPECT_EQ(c.stopped_at, Instant{7 * kHour});
    EXPECT_FALSE(c.running_since);
    for (auto later : {7 * kHour, 100 * kHour, 10'000 * kHour}) {
        auto const st = sla_status(c, SlaPolicy{}, Instant{later});
        EXPECT_EQ(st.state, SlaState::stopped);
        EXPECT_EQ(st.elapsed_ms, 7 * kHour);
        EXPECT_FALSE(st.deadline);
        EXPECT_FALSE(st.overdue);
    }
}

TEST(SlaClock, StoppingAPausedClockKeepsTheAccumulatedTime) {
    auto c = sla_pause(sla_start(Stage::details, Instant{0}), Instant{4 * kHour});
    c = sla_stop(c, Instant{40 * kHour});
    EXPECT_EQ(c.elapsed_ms, 4 * kHour);
    EXPECT_EQ(c.stopped_at, Instant{40 * kHour});
}

TEST(SlaClock, StoppingTwiceKeepsTheFirstStop) {
    auto const once = sla_stop(sla_start(Stage::details, Instant{0}), Instant{kHour});
    auto const twice = sla_stop(once, Instant{9 * kHour});
    EXPECT_EQ(twice.elapsed_ms, kHour);
    EXPECT_EQ(twice.stopped_at, Instant{kHour});
}

TEST(SlaClock, AStoppedClockKeepsItsOverdueVerdictButAsksForNothing) {
    SlaPolicy const p;
    auto const late = sla_stop(sla_start(Stage::final, Instant{0}), Instant{50 * kHour});
    auto const st = sla_status(late, p, Instant{500 * kHour});
    EXPECT_TRUE(st.overdue);
    EXPECT_DOUBLE_EQ(st.fraction, 50.0 / 24.0);
    EXPECT_FALSE(st.reminder_due);
    EXPECT_FALSE(st.escalation_due);

    auto const on_time = sla_stop(sla_start(Stage::final, Instant{0}), Instant{20 * kHour});
    EXPECT_FALSE(sla_status(on_time, p, Instant{500 * kHour}).overdue);
}

TEST(SlaClock, OverdueOnlyAfterTheWholeBudgetIsUsed) {
    auto const c = sla_start(Stage::details, Instant{0});
    SlaPolicy const p;
    EXPECT_FALSE(sla_status(c, p, Instant{48 * kHour - 1}).overdue);
    EXPECT_FALSE(sla_status(c, p, Instant{48 * kHour}).overdue);
    EXPECT_TRUE(sla_status(c, p, Instant{48 * kHour + 1}).overdue);
}

TEST(SlaClock, ReminderIsDueExactlyAtItsFractionOfTheBudget) {
    SlaPolicy p;
    p.reminder_after = 0.75;
    auto const c = sla_start(Stage::details, Instant{0});  // 48h: reminder at 36h
    EXPECT_FALSE(sla_status(c, p, Instant{36 * kHour - 1}).reminder_due);
    EXPECT_TRUE(sla_status(c, p, Instant{36 * kHour}).reminder_due);
    EXPECT_FALSE(sla_status(c, p, Instant{36 * kHour}).overdue);
}

TEST(SlaClock, WithDefaultsTheReminderFallsDueAtTheDeadline) {
    auto const c = sla_start(Stage::final, Instant{0});
    auto const at_deadline = sla_status(c, SlaPolicy{}, Instant{24 * kHour});
    EXPECT_EQ(at_deadline.deadline, Instant{24 * kHour});
    EXPECT_TRUE(at_deadline.reminder_due);
    EXPECT_FALSE(at_deadline.overdue);
    EXPECT_FALSE(sla_status(c, SlaPolicy{}, Instant{24 * kHour - 1}).reminder_due);
}

TEST(SlaClock, EscalationIsDueExactlyAtTwiceTheBudget) {
    auto const c = sla_start(Stage::documents, Instant{0});  // 72h: escalate at 144h
    SlaPolicy const p;
    EXPECT_FALSE(sla_status(c, p, Instant{144 * kHour - 1}).escalation_due);
    auto const st = sla_status(c, p, Instant{144 * kHour});
    EXPECT_TRUE(st.escalation_due);
    EXPECT_TRUE(st.reminder_due);
    EXPECT_TRUE(st.overdue);
    EXPECT_DOUBLE_EQ(st.fraction, 2.0);
}

TEST(SlaClock, ThresholdsFollowTheConfiguredFractions) {
    SlaPolicy p;
    p.hours_details = 10;
    p.reminder_after = 0.1;
    p.escalate_after = 1.5;
    auto const c = sla_start(Stage::details, Instant{0});
    EXPECT_FALSE(sla_status(c, p, Instant{kHour - 1}).reminder_due);
    EXPECT_TRUE(sla_status(c, p, Instant{kHour}).reminder_due);
    EXPECT_FALSE(sla_status(c, p, Instant{15 * kHour - 1}).escalation_due);
    EXPECT_TRUE(sla_status(c, p, Instant{15 * kHour}).escalation_due);
}

TEST(SlaClock, APausedClockStillReportsADueReminder) {
    // Paused is not finished: the stage is still late even while back with the employee.
    auto const c = sla_pause(sla_start(Stage::final, Instant{0}), Instant{30 * kHour});
    auto const st = sla_status(c, SlaPolicy{}, Instant{31 * kHour});
    EXPECT_EQ(st.state, SlaState::paused);
    EXPECT_TRUE(st.reminder_due);
    EXPECT_TRUE(st.overdue);
    EXPECT_FALSE(st.escalation_due);
}

TEST(SlaClock, PausedTimeNeverCountsTowardsTheThresholds) {
    auto c = sla_start(Stage::final, Instant{0});
    c = sla_pause(c, Instant{23 * kHour});
    c = sla_resume(c, Instant{1000 * kHour});
    auto const st = sla_status(c, SlaPolicy{}, Instant{1000 * kHour + kHour - 1});
    EXPECT_FALSE(st.reminder_due);
    EXPECT_FALSE(st.overdue);
    EXPECT_EQ(st.deadline, Instant{1001 * kHour});
}

TEST(SlaClock, FractionalHourBudgetsAreExact) {
    SlaPolicy p;
    p.hours_final = 1.5;
    auto const c = sla_start(Stage::final, Instant{0});
    auto const st = sla_status(c, p, Instant{45 * 60'000});
    EXPECT_EQ(st.budget_ms, 5'400'000);
    EXPECT_EQ(st.deadline, Instant{5'400'000});
    EXPECT_DOUBLE_EQ(st.fraction, 0.5);
    EXPECT_FALSE(sla_status(c, p, Instant{5'400'000}).overdue);
    EXPECT_TRUE(sla_status(c, p, Instant{5'400'001}).overdue);
}

TEST(SlaClock, TinyFractionalBudgetsRoundToTheMillisecond) {
    SlaPolicy p;
    p.hours_details = 0.25;         // 15 minutes
    p.hours_documents = 1.0 / 3.0;  // 20 minutes
    EXPECT_EQ(sla_status(sla_start(Stage::details, Instant{0}), p, Instant{0}).budget_ms, 900'000);
    EXPECT_EQ(sla_status(sla_start(Stage::documents, Instant{0}), p, Instant{0}).budget_ms,
              1'200'000);
}

TEST(SlaClock, AnOverdueClockStillHasADeadlineInThePast) {
    auto const c = sla_start(Stage::final, Instant{0});
    auto const st = sla_status(c, SlaPolicy{}, Instant{30 * kHour});
    EXPECT_EQ(st.deadline, Instant{24 * kHour});
    EXPECT_TRUE(st.overdue);
}

TEST(SlaClock, TimeBeforeTheClockStartedIsNotNegative) {
    // Another process's `now` may lag slightly behind the one that started the clock.
    auto const c = sla_start(Stage::details, Instant{10 * kHour});
    EXPECT_EQ(sla_status(c, SlaPolicy{}, Instant{9 * kHour}).elapsed_ms, 0);
    EXPECT_EQ(sla_pause(c, Instant{9 * kHour}).elapsed_ms, 0);
}

TEST(SlaClock, AStageWithoutABudgetIsNeverDue) {
    auto const c = sla_start(Stage::completed, Instant{0});
    auto const st = sla_status(c, SlaPolicy{}, Instant{1000 * kHour});
    EXPECT_EQ(st.budget_ms, 0);
    EXPECT_EQ(st.fraction, 0);
    EXPECT_FALSE(st.deadline);
    EXPECT_FALSE(st.overdue);
    EXPECT_FALSE(st.reminder_due);
    EXPECT_FALSE(st.escalation_due);
}

TEST(SlaClock, AReviewThatGoesBackAndForthCountsOnlyTheReviewersTime) {
    // Submitted -> rejected (pause) -> resubmitted (resume) -> approved (stop), per DESIGN §5.
    Instant const t0 = at("2025-03-03T09:00:00Z");
    auto c = sla_start(Stage::documents, t0);        // submitted
    c = sla_pause(c, Instant{t0.ms + 20 * kHour});   // rejected after 20h
    c = sla_resume(c, Instant{t0.ms + 70 * kHour});  // resubmitted 50h later
    auto st = sla_status(c, SlaPolicy{}, Instant{t0.ms + 80 * kHour});
    EXPECT_EQ(st.elapsed_ms, 30 * kHour);
    EXPECT_EQ(st.deadline, Instant{t0.ms + 122 * kHour});
    c = sla_stop(c, Instant{t0.ms + 100 * kHour});  // approved
    st = sla_status(c, SlaPolicy{}, Instant{t0.ms + 1000 * kHour});
    EXPECT_EQ(st.elapsed_ms, 50 * kHour);
    EXPECT_FALSE(st.overdue);
    EXPECT_EQ(st.state, SlaState::stopped);
}

// ---------------------------------------------------------------------------------------------
// Employment status changes and when the SLA clock runs

TEST(Employment, HoldAndWithdrawWorkAtEveryOpenStageAndStatus) {
    for (auto stage : kReviewStages) {
        for (auto status : kStatuses) {
            auto const s = state(stage, status);
            for (auto to : {EmploymentStatus::on_hold, EmploymentStatus::withdrawn}) {
                auto r = change_employment(s, to);
                ASSERT_TRUE(r) << to_string(stage) << "/" << to_string(status) << " -> " << to_string(to);
                EXPECT_EQ(*r, state(stage, status, to));  // stage and status are kept
            }
        }
    }
}

TEST(Employment, OnHoldAndWithdrawnReturnToOnboarding) {
    for (auto from : {EmploymentStatus::on_hold, EmploymentStatus::withdrawn}) {
        auto r = change_employment(state(Stage::documents, StageStatus::submitted, from),
                                   EmploymentStatus::onboarding);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->employment, EmploymentStatus::onboarding);
    }
    EXPECT_TRUE(change_employment(state(Stage::final, StageStatus::submitted, EmploymentStatus::on_hold),
                                  EmploymentStatus::withdrawn));
}

TEST(Employment, SettingTheCurrentStatusChangesNothing) {
    for (auto e : kEmployments) {
        auto const stage = e == EmploymentStatus::active ? Stage::completed : Stage::details;
        auto const s = state(stage, StageStatus::draft, e);
        auto r = change_employment(s, e);
        ASSERT_TRUE(r) << to_string(e);
        EXPECT_EQ(*r, s);
    }
}

TEST(Employment, ActiveOnlyComesFromCompletingOnboarding) {
    auto r = change_employment(state(Stage::final, StageStatus::submitted), EmploymentStatus::active);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::conflict);
    EXPECT_THAT(r.error().message, HasSubstr("completing onboarding"));
}

TEST(Employment, ACompletedProfileCanOnlyBeWithdrawnOrReactivated) {
    auto const done = state(Stage::completed, StageStatus::submitted, EmploymentStatus::active);
    for (auto to : {EmploymentStatus::onboarding, EmploymentStatus::on_hold}) {
        auto r = change_employment(done, to);
        ASSERT_FALSE(r) << to_string(to);
        EXPECT_EQ(r.error().code, ErrorCode::conflict);
        EXPECT_THAT(r.error().message, HasSubstr("completed"));
    }
    auto left = change_employment(done, EmploymentStatus::withdrawn);
    ASSERT_TRUE(left);
    EXPECT_EQ(left->employment, EmploymentStatus::withdrawn);
    auto back = change_employment(*left, EmploymentStatus::active);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->employment, EmploymentStatus::active);
    // A completed profile that was withdrawn does not go back to onboarding.
    EXPECT_FALSE(change_employment(*left, EmploymentStatus::onboarding));
}

TEST(Employment, SlaRunsOnlyWhileAwaitingReviewAndOnboarding) {
    for (auto stage : kStages) {
        for (auto status : kStatuses) {
            for (auto e : kEmployments) {
                bool const expected = stage != Stage::completed && status == StageStatus::submitted &&
                                      e == EmploymentStatus::onboarding;
                EXPECT_EQ(sla_runs(state(stage, status, e)), expected)
                    << to_string(stage) << "/" << to_string(status) << "/" << to_string(e);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Urgent reviews

TEST(SlaUrgent, DueOncePastTheEscalationShareOfTheBudget) {
    SlaPolicy p;  // details: 48 h, escalate after 2.0 of it
    auto c = sla_start(Stage::details, at("2025-01-01T00:00:00Z"));
    EXPECT_FALSE(sla_urgent_due(c, p, at("2025-01-04T23:59:00Z")));  // 95 h
    EXPECT_TRUE(sla_urgent_due(c, p, at("2025-01-05T00:00:00Z")));   // 96 h = 2.0 x 48
    c.urgent_sent = true;
    EXPECT_FALSE(sla_urgent_due(c, p, at("2025-01-09T00:00:00Z")));  // once per review
}

TEST(SlaUrgent, PausesDoNotCountAndKeepTheFlag) {
    SlaPolicy p;
    auto c = sla_start(Stage::final, at("2025-01-01T00:00:00Z"));  // 24 h budget
    c = sla_pause(c, at("2025-01-01T20:00:00Z"));                    // 20 h
    EXPECT_FALSE(sla_urgent_due(c, p, at("2025-03-01T00:00:00Z")));  // paused: no time passes
    c = sla_resume(c, at("2025-03-01T00:00:00Z"));
    EXPECT_TRUE(sla_urgent_due(c, p, at("2025-03-02T04:00:00Z")));   // 20 + 28 = 48 h
    c.urgent_sent = true;
    c = sla_resume(sla_pause(c, at("2025-03-02T05:00:00Z")), at("2025-03-03T00:00:00Z"));
    EXPECT_TRUE(c.urgent_sent);
    EXPECT_FALSE(sla_start(Stage::final, at("2025-03-04T00:00:00Z")).urgent_sent);
}

TEST(SlaUrgent, AStoppedClockIsNeverUrgent) {
    SlaPolicy p;
    auto c = sla_stop(sla_start(Stage::documents, at("2025-01-01T00:00:00Z")), at("2025-02-01T00:00:00Z"));
    EXPECT_FALSE(sla_urgent_due(c, p, at("2025-06-01T00:00:00Z")));
}

TEST(RequiredDocuments, WhatIsLackingDependsOnTheNeed) {
    using core::DocumentNeed;
    std::vector<std::string> const required{"id_proof", "address_proof", "tax_form"};
    using core::DocumentStatus;
    std::vector<core::CurrentDocument> const current{{"id_proof", DocumentStatus::approved},
                                                     {"address_proof", DocumentStatus::rejected},
                                                     {"tax_form", DocumentStatus::pending},
                                                     {"photo", DocumentStatus::pending}};
    EXPECT_EQ(core::required_documents_lacking(required, current, DocumentNeed::uploaded),
              (std::vector<std::string>{"address_proof"}));
    EXPECT_EQ(core::required_documents_lacking(required, current, DocumentNeed::approved),
              (std::vector<std::string>{"address_proof", "tax_form"}));
    EXPECT_EQ(core::required_documents_lacking(required, {}, DocumentNeed::uploaded), required);
    EXPECT_TRUE(core::required_documents_lacking({}, current, DocumentNeed::approved).empty());
}

TEST(SlaReminder, DueAtTheReminderPointThenQuietForThePeriod) {
    SlaPolicy p;  // details: 48 h, reminder_after 1.0
    double const quiet = 24 * 3600.0;
    auto c = sla_start(Stage::details, at("2025-01-01T00:00:00Z"));
    EXPECT_FALSE(sla_reminder_due(c, p, at("2025-01-02T23:59:00Z"), quiet));  // 47 h 59
    EXPECT_TRUE(sla_reminder_due(c, p, at("2025-01-03T00:00:00Z"), quiet));   // 48 h
    c.reminded_at = at("2025-01-03T00:00:00Z");
    EXPECT_FALSE(sla_reminder_due(c, p, at("2025-01-03T23:59:00Z"), quiet));  // within the quiet period
    EXPECT_TRUE(sla_reminder_due(c, p, at("2025-01-04T00:00:00Z"), quiet));   // again after it
}

TEST(SlaReminder, AGivenAgeReplacesTheReminderPoint) {
    SlaPolicy p;
    auto const c = sla_start(Stage::details, at("2025-01-01T00:00:00Z"));
    EXPECT_FALSE(sla_reminder_due(c, p, at("2025-01-01T04:59:00Z"), 0, 5.0));
    EXPECT_TRUE(sla_reminder_due(c, p, at("2025-01-01T05:00:00Z"), 0, 5.0));
}

TEST(SlaReminder, APausedOrStoppedReviewWaitsOnNobody) {
    SlaPolicy p;
    auto c = sla_start(Stage::details, at("2025-01-01T00:00:00Z"));
    auto const paused = sla_pause(c, at("2025-01-03T01:00:00Z"));  // 49 h, then back with the employee
    EXPECT_FALSE(sla_reminder_due(paused, p, at("2025-01-05T00:00:00Z"), 0));
    auto const stopped = sla_stop(c, at("2025-01-03T01:00:00Z"));
    EXPECT_FALSE(sla_reminder_due(stopped, p, at("2025-01-05T00:00:00Z"), 0));
    // A new review (sla_start) has had no reminder.
    EXPECT_FALSE(sla_start(Stage::documents, at("2025-01-05T00:00:00Z")).reminded_at);
}
