#include "hrms/email/providers.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "hrms/app/log.hpp"
#include "hrms/core/text.hpp"

namespace hrms::email {

// ---- file

FileProvider::FileProvider(std::string dir) : dir_(std::move(dir)) {}

app::SendResult FileProvider::send(app::OutboxMessage const& m, app::OutgoingMail const& mail) {
    auto const& mime = mail.mime;
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(dir_, ec);
    auto const stamp = to_rfc3339(m.created_at).substr(0, 19);
    std::string name = stamp + "-" + std::to_string(m.id) + ".eml";
    for (char& c : name)
        if (c == ':') c = '-';
    auto const path = fs::path(dir_) / name;
    auto const tmp = fs::path(dir_) / ("." + name + ".tmp");
    int const fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) return {app::SendResult::Kind::transient, "cannot write " + tmp.string() + ": " + std::strerror(errno), {}};
    std::size_t done = 0;
    while (done < mime.size()) {
        auto const n = ::write(fd, mime.data() + done, mime.size() - done);
        if (n <= 0) {
            ::close(fd);
            return {app::SendResult::Kind::transient, std::string("cannot write the message: ") + std::strerror(errno), {}};
        }
        done += static_cast<std::size_t>(n);
    }
    bool const synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced || (fs::rename(tmp, path, ec), ec))
        return {app::SendResult::Kind::transient, "cannot store the message in " + dir_, {}};
    return {app::SendResult::Kind::sent, "written to " + name, name};
}

// ---- smtp

namespace {

struct Upload {
    std::string const& data;
    std::size_t at = 0;
};

std::size_t read_upload(char* out, std::size_t size, std::size_t count, void* user) {
    auto* u = static_cast<Upload*>(user);
    std::size_t const n = std::min(size * count, u->data.size() - u->at);
    std::memcpy(out, u->data.data() + u->at, n);
    u->at += n;
    return n;
}

// What curl's result and the server's last reply code mean for the message: a 5xx reply is
// the server refusing it (permanent); anything else that failed may work later.
app::SendResult classify(CURLcode rc, long reply, char const* error) {
    if (rc == CURLE_OK) return {app::SendResult::Kind::sent, "accepted (" + std::to_string(reply) + ")", {}};
    std::string detail = *error ? error : curl_easy_strerror(rc);
    if (reply) detail += " (reply " + std::to_string(reply) + ")";
    bool const refused = reply >= 500 && reply < 600 && rc != CURLE_LOGIN_DENIED;
    return {refused ? app::SendResult::Kind::permanent : app::SendResult::Kind::transient, detail, {}};
}

}  // namespace

SmtpProvider::SmtpProvider(SmtpSettings settings) : settings_(std::move(settings)) {
    static bool const ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    if (!ready) throw std::runtime_error("libcurl could not be initialised");
    if (settings_.url.empty()) throw std::runtime_error("setting HRMS_SMTP_URL: needed by the smtp provider");
    if (!settings_.url.starts_with("smtp://") && !settings_.url.starts_with("smtps://"))
        throw std::runtime_error("setting HRMS_SMTP_URL: must start with smtp:// or smtps://");
    curl_ = curl_easy_init();
    if (!curl_) throw std::runtime_error("libcurl could not make a handle");
}

SmtpProvider::~SmtpProvider() {
    if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

app::SendResult SmtpProvider::send(app::OutboxMessage const& m, app::OutgoingMail const& mail) {
    auto const& mime = mail.mime;
    std::lock_guard lock(mutex_);
    auto* c = static_cast<CURL*>(curl_);
    // The handle keeps its connection between messages; only the options are set again.
    curl_easy_reset(c);
    char error[CURL_ERROR_SIZE] = "";
    Upload upload{mime};
    std::string const from = "<" + settings_.from + ">";
    std::string const rcpt = "<" + m.to_email + ">";
    curl_slist* rcpts = curl_slist_append(nullptr, rcpt.c_str());
    curl_easy_setopt(c, CURLOPT_URL, settings_.url.c_str());
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(mime.size()));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(settings_.timeout_s, 10.0) * 1000));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout_s * 1000));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USE_SSL, settings_.require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY);
    if (!settings_.username.empty()) {
        curl_easy_setopt(c, CURLOPT_USERNAME, settings_.username.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, settings_.password.c_str());
    }
    CURLcode const rc = curl_easy_perform(c);
    long reply = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
    curl_slist_free_all(rcpts);
    return classify(rc, reply, error);
}

// ---- the list

std::vector<std::unique_ptr<app::EmailProvider>> make_providers(ProviderSettings const& s) {
    std::vector<std::unique_ptr<app::EmailProvider>> out;
    for (auto const piece : core::split_trimmed(s.order, ',')) {
        std::string const name(piece);
        if (name.empty()) continue;
        for (auto const& p : out)
            if (p->name() == name) throw std::runtime_error("setting HRMS_EMAIL_PROVIDERS: " + name + " is named twice");
        if (name == "file") out.push_back(std::make_unique<FileProvider>(s.mail_dir));
        else if (name == "smtp") out.push_back(std::make_unique<SmtpProvider>(s.smtp));
        else if (name == "sendgrid") out.push_back(std::make_unique<SendGridProvider>(s.sendgrid));
        // The wall clock, not the app's (which tests may move): AWS refuses a skewed signature.
        else if (name == "ses") out.push_back(std::make_unique<SesProvider>(s.ses, [] { return app::SystemClock{}.now(); }));
        else throw std::runtime_error("setting HRMS_EMAIL_PROVIDERS: unknown provider '" + name + "' (file, smtp, sendgrid, ses)");
    }
    if (out.empty()) throw std::runtime_error("setting HRMS_EMAIL_PROVIDERS: names no provider");
    return out;
}

}  // namespace hrms::email
