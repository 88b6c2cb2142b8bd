#include "hrms/app/email_admin.hpp"

#include "hrms/app/audit.hpp"
#include "hrms/app/users.hpp"

namespace hrms::app {

EmailAdmin::EmailAdmin(Store& store, Clock const& clock, Mailer const& mailer, EmailComposer const& composer,
                       EmailSender const* sender)
    : store_(store), clock_(clock), mailer_(mailer), composer_(composer), sender_(sender) {}

Result<EmailMessagePage> EmailAdmin::messages(Actor const& actor, EmailQuery query) {
    TRY_VOID(require(actor, core::perm::email_manage));
    if (query.limit < 1 || query.limit > kMaxPageSize)
        return invalid_field("limit", "must be between 1 and " + std::to_string(kMaxPageSize));
    if (query.to) query.to = TRY(core::normalize_email(*query.to, "to"));
    auto const want = query.limit;
    ++query.limit;  // one more tells whether there is a next page
    auto tx = store_.begin(TxMode::read);
    EmailMessagePage page;
    page.items = tx->email().list(query);
    if (static_cast<int>(page.items.size()) > want) {
        page.items.resize(static_cast<std::size_t>(want));
        page.next_before = page.items.back().id;
    }
    return page;
}

Result<std::pair<OutboxMessage, std::vector<EmailEvent>>> EmailAdmin::message(Actor const& actor, std::int64_t id) {
    TRY_VOID(require(actor, core::perm::email_manage));
    auto tx = store_.begin(TxMode::read);
    auto m = tx->email().get(id);
    if (!m) return fail(ErrorCode::not_found, "no email message " + std::to_string(id));
    return std::pair{std::move(*m), tx->email().events(id)};
}

Result<std::int64_t> EmailAdmin::send_test(Actor const& actor, std::string const& to) {
    TRY_VOID(require(actor, core::perm::email_manage));
    auto const email = TRY(core::normalize_email(to, "to"));
    auto tx = store_.begin(TxMode::write, context_of(actor));
    auto const id = TRY(mailer_.queue(*tx, "test", {email, "", std::nullopt}, {}, /*essential=*/true));
    tx->commit();
    return id;
}

Result<std::vector<EmailStatRow>> EmailAdmin::stats(Actor const& actor, std::optional<Instant> from,
                                                    std::optional<Instant> to) {
    TRY_VOID(require(actor, core::perm::email_manage));
    auto const end = to.value_or(clock_.now().plus_seconds(86400));
    auto const start = from.value_or(end.plus_seconds(-31 * 86400.0));
    if (end <= start) return invalid_field("to", "must be after from");
    if (end.ms - start.ms > 366LL * 86'400'000) return invalid_field("to", "the range is at most 366 days");
    auto tx = store_.begin(TxMode::read);
    return tx->email().stats(start, end);
}

Result<std::vector<Suppression>> EmailAdmin::suppressions(Actor const& actor, int limit, std::optional<Instant> before) {
    TRY_VOID(require(actor, core::perm::email_manage));
    if (limit < 1 || limit > kMaxPageSize) return invalid_field("limit", "must be between 1 and " + std::to_string(kMaxPageSize));
    auto tx = store_.begin(TxMode::read);
    return tx->email().suppressions(limit, before);
}

Result<bool> EmailAdmin::notices_by_mail(Actor const& actor) {
    auto tx = store_.begin(TxMode::read);
    return !tx->email().opted_out(actor.id);
}

Result<bool> EmailAdmin::set_notices_by_mail(Actor const& actor, bool wanted) {
    auto tx = store_.begin(TxMode::write, context_of(actor));
    tx->email().set_opted_out(actor.id, !wanted, clock_.now());
    auto entry = domain_entry(clock_.now(), core::AuditCategory::admin, "user.email_preferences", "user",
                              std::to_string(actor.id));
    entry.after = json_members({{"notices_by_mail", wanted ? "true" : "false"}});
    tx->audit().record(std::move(entry));
    tx->commit();
    return wanted;
}

Result<std::vector<ProviderHealth>> EmailAdmin::providers(Actor const& actor) {
    TRY_VOID(require(actor, core::perm::email_manage));
    return sender_ ? sender_->health() : std::vector<ProviderHealth>{};
}

Result<std::vector<std::string>> EmailAdmin::templates(Actor const& actor) {
    TRY_VOID(require(actor, core::perm::email_manage));
    return composer_.names();
}

Result<RenderedEmail> EmailAdmin::preview(Actor const& actor, std::string const& name) {
    TRY_VOID(require(actor, core::perm::email_manage));
    // Sample values for every variable the templates use, so a preview shows the whole layout.
    EmailVars vars{{"app_name", mailer_.identity().from_name},
                   {"app_url", mailer_.identity().public_url},
                   {"recipient_name", "Ada Lovelace"},
                   {"invite_url", mailer_.identity().public_url + "/invite#token=sample-token"},
                   {"expires_at", "2030-01-01T00:00:00.000Z"},
                   {"title", "Your personal details were approved"},
                   {"body", "Next: upload your documents."},
                   {"reason", "The scan of the passport is blurry."},
                   {"progress", "40"},
                   {"reset_url", mailer_.identity().public_url + "/reset-password#token=sample-token"},
                   {"lock_minutes", "15"},
                   {"profile_path", "/review/42"},
                   {"profile_url", mailer_.identity().public_url + "/review/42"},
                   {"onboarding_url", mailer_.identity().public_url + "/onboarding"},
                   {"report_title", "Onboarding pipeline"},
                   {"period", "2026-11-01 – 2026-11-30 (Europe/Berlin)"},
                   {"formats", "PDF, CSV"},
                   {"runs_url", mailer_.identity().public_url + "/reports/7/runs"}};
    return composer_.render(name, vars);
}

}  // namespace hrms::app
