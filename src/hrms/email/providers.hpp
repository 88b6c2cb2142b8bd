#pragma once
// The ways out for email (HRMS_EMAIL_PROVIDERS, in order): `file` writes each message as an
// .eml file (the default, so the demo works offline), `smtp` sends through libcurl (STARTTLS
// or SMTPS, authentication, one connection reused between messages), `sendgrid` and `ses`
// through their HTTP APIs (sendgrid_provider.hpp, ses_provider.hpp).
#include <memory>
#include <mutex>
#include <string>

#include "hrms/app/email.hpp"
#include "hrms/email/sendgrid_provider.hpp"
#include "hrms/email/ses_provider.hpp"

namespace hrms::email {

// Writes <dir>/<created>-<outbox id>.eml, whole or not at all (a temporary file renamed).
class FileProvider final : public app::EmailProvider {
public:
    explicit FileProvider(std::string dir);
    std::string name() const override { return "file"; }
    app::SendResult send(app::OutboxMessage const& message, app::OutgoingMail const& mail) override;

private:
    std::string dir_;
};

struct SmtpSettings {
    std::string url;       // smtp://host:port or smtps://host:port (HRMS_SMTP_URL)
    std::string username;  // HRMS_SMTP_USERNAME (empty: no AUTH)
    std::string password;  // HRMS_SMTP_PASSWORD
    bool require_tls = false;  // HRMS_SMTP_STARTTLS=required: refuse a server without STARTTLS
    std::string from;      // the envelope sender
    double timeout_s = 30;
};

class SmtpProvider final : public app::EmailProvider {
public:
    explicit SmtpProvider(SmtpSettings settings);
    ~SmtpProvider() override;
    SmtpProvider(SmtpProvider const&) = delete;
    SmtpProvider& operator=(SmtpProvider const&) = delete;
    std::string name() const override { return "smtp"; }
    app::SendResult send(app::OutboxMessage const& message, app::OutgoingMail const& mail) override;

private:
    SmtpSettings settings_;
    std::mutex mutex_;
    void* curl_ = nullptr;  // CURL*, kept so that its connection is reused
};

// Builds the providers HRMS_EMAIL_PROVIDERS names ("file,smtp,sendgrid,ses"); throws naming an
// unknown one, or the missing setting a named one needs.
struct ProviderSettings {
    std::string order = "file";
    std::string mail_dir;  // for `file`
    SmtpSettings smtp;
    SesSettings ses;
    SendGridSettings sendgrid;
};
std::vector<std::unique_ptr<app::EmailProvider>> make_providers(ProviderSettings const& settings);

}  // namespace hrms::email
