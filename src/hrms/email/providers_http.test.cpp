// The HTTP providers (ses, sendgrid) against a canned HTTP server on 127.0.0.1.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <boost/json.hpp>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "hrms/core/mime.hpp"
#include "hrms/email/providers.hpp"
#include "hrms/email/sendgrid_provider.hpp"
#include "hrms/email/ses_provider.hpp"
#include "hrms/email/sigv4.hpp"

using namespace hrms;
namespace json = boost::json;
using Kind = app::SendResult::Kind;

namespace {

struct Recorded {
    std::string method;
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    std::string header(std::string_view name) const {
        for (auto const& [n, v] : headers)
            if (std::ranges::equal(n, name, [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
                return v;
        return {};
    }
};

std::string http_answer(int status, std::string const& body, std::vector<std::string> const& headers = {}) {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " Canned\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\nConnection: close\r\n";
    for (auto const& h : headers) out += h + "\r\n";
    return out + "\r\n" + body;
}

// Answers each connection's one request with the next canned answer (the last one again when
// they run out) and records the requests. Every answer closes its connection.
class CannedServer {
public:
    explicit CannedServer(std::vector<std::string> answers) : answers_(std::move(answers)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd_, 8) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
            throw std::runtime_error("cannot listen on 127.0.0.1");
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~CannedServer() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
    std::vector<Recorded> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    void serve() {
        std::size_t next = 0;
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) continue;  // a short tick, only to notice stop_
            int const client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) continue;
            auto request = read_request(client);
            {
                std::lock_guard lock(mutex_);
                requests_.push_back(std::move(request));
            }
            auto const& answer = answers_[std::min(next++, answers_.size() - 1)];
            for (std::size_t done = 0; done < answer.size();) {
                auto const n = ::send(client, answer.data() + done, answer.size() - done, MSG_NOSIGNAL);
                if (n <= 0) break;
                done += static_cast<std::size_t>(n);
            }
            ::close(client);
        }
    }

    static Recorded read_request(int client) {
        std::string data;
        char buffer[4096];
        std::size_t head_end = std::string::npos, length = 0;
        while (head_end == std::string::npos || data.size() < head_end + 4 + length) {
            auto const n = ::recv(client, buffer, sizeof buffer, 0);
            if (n <= 0) break;
            data.append(buffer, static_cast<std::size_t>(n));
            if (head_end == std::string::npos && (head_end = data.find("\r\n\r\n")) != std::string::npos) {
                auto const at = data.substr(0, head_end).find("\r\nContent-Length: ");
                if (at != std::string::npos) length = std::stoul(data.substr(at + 18));
            }
        }
        Recorded r;
        if (head_end == std::string::npos) return r;
        std::size_t line_end = data.find("\r\n");
        auto const request_line = data.substr(0, line_end);
        r.method = request_line.substr(0, request_line.find(' '));
        r.target = request_line.substr(r.method.size() + 1, request_line.rfind(' ') - r.method.size() - 1);
        while (line_end < head_end) {
            auto const start = line_end + 2;
            line_end = data.find("\r\n", start);
            auto const line = data.substr(start, line_end - start);
            auto const colon = line.find(':');
            r.headers.emplace_back(line.substr(0, colon), line.substr(line.find_first_not_of(' ', colon + 1)));
        }
        r.body = data.substr(head_end + 4, length);
        return r;
    }

    std::vector<std::string> answers_;
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    mutable std::mutex mutex_;
    std::vector<Recorded> requests_;
};

// A port nothing listens on: bound, read, and closed again.
std::string closed_port_url() {
    int const fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
}

std::string base64_decode(std::string const& text) {
    std::string out(text.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<unsigned char const*>(text.data()), static_cast<int>(text.size()));
    if (n < 0) return "<not base64>";
    // EVP_DecodeBlock counts the padding's zero bytes too.
    for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) --n;
    out.resize(static_cast<std::size_t>(n));
    return out;
}

app::OutboxMessage message() {
    app::OutboxMessage m;
    m.id = 42;
    m.request_id = "req-7";
    m.to_email = "ada@example.com";
    m.to_name = "Ada Lovelace";
    m.subject = "Welcome";
    m.text = "Hello Ada";
    m.html = "<p>Hello Ada</p>";
    m.message_id = "<abc@hrms.example>";
    return m;
}

std::string const kMime = "From: hr@example.com\r\nTo: ada@example.com\r\nSubject: Welcome\r\n\r\nHello Ada\r\n";

// What the sender hands a provider for a message without files.
app::OutgoingMail raw(std::string mime) { return {std::move(mime), {}}; }

// A PDF's worth of every byte value, and a CSV with a name that is not ASCII.
std::vector<core::MailAttachment> files() {
    std::string pdf = "%PDF-1.7\n";
    for (int c = 0; c < 256; ++c) pdf += static_cast<char>(c);
    return {{"Q3 report.pdf", "application/pdf", pdf},
            {"Übersicht März.csv", "text/csv; charset=utf-8", "name,email\nZoë,zoe@example.org\n"}};
}

// The message with `attachments`, rendered as the sender renders it.
app::OutgoingMail rendered_with(std::vector<core::MailAttachment> attachments) {
    core::MailMessage mm{{"hr@example.com", "Acme HR"}, {"ada@example.com", "Ada Lovelace"}, std::nullopt,
                         "Welcome", "Hello Ada", "<p>Hello Ada</p>", "<abc@hrms.example>", Instant{1'440'938'160'000},
                         {}, std::move(attachments)};
    auto mime = core::render_mime(mm);
    if (!mime) throw std::runtime_error(mime.error().message);
    return {std::move(*mime), std::move(mm.attachments)};
}
std::string const kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
std::string const kApiKey = "SG.test-key.very-secret";
Instant const kNow{1'440'938'160'000};  // 2015-08-30T12:36:00Z

email::SesProvider ses(std::string const& endpoint) {
    return email::SesProvider({"eu-west-1", "AKIDEXAMPLE", kSecret, endpoint, "hr@example.com", 5},
                              [] { return kNow; });
}

email::SendGridProvider sendgrid(std::string const& base_url) {
    return email::SendGridProvider({kApiKey, base_url, "hr@example.com", "Acme HR", 5});
}

// ---- ses

TEST(SesProvider, SendsRawMimeToSendEmailAndReadsTheMessageId) {
    CannedServer server({http_answer(200, R"({"MessageId":"0100-ses-id"})", {"Content-Type: application/json"})});
    auto provider = ses(server.url());
    auto const r = provider.send(message(), raw(kMime));
    EXPECT_EQ(r.kind, Kind::sent) << r.detail;
    EXPECT_EQ(r.provider_message_id, "0100-ses-id");
    auto const requests = server.requests();
    ASSERT_EQ(requests.size(), 1u);
    auto const& q = requests[0];
    EXPECT_EQ(q.method, "POST");
    EXPECT_EQ(q.target, "/v2/email/outbound-emails");
    EXPECT_EQ(q.header("Content-Type"), "application/json");
    EXPECT_EQ(q.header("X-Amz-Date"), "20150830T123600Z");
    auto const body = json::parse(q.body).as_object();
    EXPECT_EQ(body.at("FromEmailAddress").as_string(), "hr@example.com");
    EXPECT_EQ(body.at("Destination").at("ToAddresses").as_array().at(0).as_string(), "ada@example.com");
    EXPECT_EQ(base64_decode(std::string(body.at("Content").at("Raw").at("Data").as_string())), kMime);
}

TEST(SesProvider, AMessageWithFilesGoesAsRawMimeWithTheFilesInIt) {
    CannedServer server({http_answer(200, R"({"MessageId":"0100-ses-id"})")});
    auto provider = ses(server.url());
    auto const mail = rendered_with(files());
    auto const r = provider.send(message(), mail);
    EXPECT_EQ(r.kind, Kind::sent) << r.detail;
    auto const body = json::parse(server.requests().at(0).body).as_object();
    auto const& content = body.at("Content").as_object();
    EXPECT_FALSE(content.contains("Simple")) << "Content.Simple cannot carry files";
    auto const sent = base64_decode(std::string(content.at("Raw").at("Data").as_string()));
    EXPECT_EQ(sent, mail.mime);
    EXPECT_NE(sent.find("Content-Type: multipart/mixed; boundary="), std::string::npos);
    EXPECT_NE(sent.find("Content-Disposition: attachment; filename=\"Q3 report.pdf\""), std::string::npos);
    EXPECT_NE(sent.find("filename*=UTF-8''%C3%9Cbersicht%20M%C3%A4rz.csv"), std::string::npos);
}

// Recomputes the signature from what arrived: the headers it names, as received.
TEST(SesProvider, TheAuthorizationVerifiesAgainstTheRequestAsReceived) {
    CannedServer server({http_answer(200, R"({"MessageId":"x"})")});
    auto provider = ses(server.url());
    provider.send(message(), raw(kMime));
    auto const q = server.requests().at(0);
    auto const authorization = q.header("Authorization");
    EXPECT_TRUE(authorization.starts_with(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/ses/aws4_request, "))
        << authorization;
    auto const names_at = authorization.find("SignedHeaders=") + 14;
    auto const names = authorization.substr(names_at, authorization.find(',', names_at) - names_at);
    EXPECT_EQ(names, "content-type;host;x-amz-date");
    email::SigV4Request received{q.method, "", q.target, "", {}, q.body};
    for (std::size_t at = 0; at <= names.size();) {
        auto const end = std::min(names.find(';', at), names.size());
        auto const name = names.substr(at, end - at);
        received.headers.emplace_back(name, q.header(name));
        at = end + 1;
    }
    EXPECT_EQ(q.header("Host"), server.host());
    auto const expected =
        email::sign_v4(received, {"AKIDEXAMPLE", kSecret, ""}, "eu-west-1", "ses", q.header("X-Amz-Date"));
    EXPECT_EQ(authorization, expected.authorization);
}

TEST(SesProvider, ASuccessWithoutAMessageIdIsTransientAndSaysMalformed) {
    CannedServer server({http_answer(200, "<html>gateway says hi</html>")});
    auto provider = ses(server.url());
    auto const r = provider.send(message(), raw(kMime));
    EXPECT_EQ(r.kind, Kind::transient);
    EXPECT_NE(r.detail.find("malformed"), std::string::npos) << r.detail;
}

TEST(SesProvider, ARejectedMessageIsPermanentWithSesReason) {
    CannedServer server({http_answer(400, R"({"message":"Email address is not verified."})",
                                     {"x-amzn-ErrorType: MessageRejected:http://internal.amazon.com/coral/"})});
    auto provider = ses(server.url());
    auto const r = provider.send(message(), raw(kMime));
    EXPECT_EQ(r.kind, Kind::permanent);
    EXPECT_EQ(r.detail, "SES 400 MessageRejected: Email address is not verified.");
}

TEST(SesProvider, ThrottlingServerErrorsAndAccountTroubleAreTransient) {
    CannedServer server({http_answer(429, R"({"message":"Maximum sending rate exceeded."})"),
                         http_answer(503, ""),
                         http_answer(400, R"({"message":"Sending paused for this account."})",
                                     {"x-amzn-ErrorType: SendingPausedException"})});
    auto provider = ses(server.url());
    EXPECT_EQ(provider.send(message(), raw(kMime)).kind, Kind::transient);
    EXPECT_EQ(provider.send(message(), raw(kMime)).kind, Kind::transient);
    EXPECT_EQ(provider.send(message(), raw(kMime)).kind, Kind::transient);
}

TEST(SesProvider, AClosedPortIsTransient) {
    auto provider = ses(closed_port_url());
    auto const r = provider.send(message(), raw(kMime));
    EXPECT_EQ(r.kind, Kind::transient);
    EXPECT_NE(r.detail.find("no answer"), std::string::npos) << r.detail;
}

TEST(SesProvider, TheSecretKeyNeverReachesTheDetail) {
    CannedServer server({http_answer(403, R"({"message":"The key )" + kSecret + R"( is not valid."})",
                                     {"x-amzn-ErrorType: SignatureDoesNotMatch"})});
    auto provider = ses(server.url());
    auto const r = provider.send(message(), raw(kMime));
    EXPECT_EQ(r.kind, Kind::transient);  // credentials are the provider's trouble, not the message's
    EXPECT_EQ(r.detail.find(kSecret), std::string::npos) << r.detail;
    EXPECT_NE(r.detail.find("[redacted]"), std::string::npos) << r.detail;
}

TEST(SesProvider, AnEndpointPathIsKeptInFrontOfTheApiPath) {
    CannedServer server({http_answer(200, R"({"MessageId":"x"})")});
    auto provider = ses(server.url() + "/proxy/");
    provider.send(message(), raw(kMime));
    EXPECT_EQ(server.requests().at(0).target, "/proxy/v2/email/outbound-emails");
}

TEST(SesProvider, MissingSettingsAreNamed) {
    auto const now = [] { return kNow; };
    EXPECT_THROW(
        {
            try {
                email::SesProvider({"", "AKID", "secret"}, now);
            } catch (std::runtime_error const& e) {
                EXPECT_NE(std::string(e.what()).find("HRMS_SES_REGION"), std::string::npos);
                throw;
            }
        },
        std::runtime_error);
    EXPECT_THROW(email::SesProvider({"eu-west-1", "", "secret"}, now), std::runtime_error);
    EXPECT_THROW(email::SesProvider({"eu-west-1", "AKID", ""}, now), std::runtime_error);
    EXPECT_THROW(email::SesProvider({"eu-west-1", "AKID", "secret", "ftp://x"}, now), std::runtime_error);
}

// ---- sendgrid

TEST(SendGridProvider, PostsStructuredJsonWithTheBearerKeyAndKeepsTheMessageId) {
    CannedServer server({http_answer(202, "", {"X-Message-Id: sg-123"})});
    auto provider = sendgrid(server.url());
    auto const r = provider.send(message(), raw("ignored MIME"));
    EXPECT_EQ(r.kind, Kind::sent) << r.detail;
    EXPECT_EQ(r.provider_message_id, "sg-123");
    auto const q = server.requests().at(0);
    EXPECT_EQ(q.method, "POST");
    EXPECT_EQ(q.target, "/v3/mail/send");
    EXPECT_EQ(q.header("Authorization"), "Bearer " + kApiKey);
    EXPECT_EQ(q.header("Content-Type"), "application/json");
    auto const body = json::parse(q.body).as_object();
    auto const& to = body.at("personalizations").at(0).at("to").at(0);
    EXPECT_EQ(to.at("email").as_string(), "ada@example.com");
    EXPECT_EQ(to.at("name").as_string(), "Ada Lovelace");
    EXPECT_EQ(body.at("from").at("email").as_string(), "hr@example.com");
    EXPECT_EQ(body.at("from").at("name").as_string(), "Acme HR");
    EXPECT_EQ(body.at("subject").as_string(), "Welcome");
    auto const& content = body.at("content").as_array();
    ASSERT_EQ(content.size(), 2u);
    EXPECT_EQ(content[0].at("type").as_string(), "text/plain");  // SendGrid wants text/plain first
    EXPECT_EQ(content[0].at("value").as_string(), "Hello Ada");
    EXPECT_EQ(content[1].at("type").as_string(), "text/html");
    EXPECT_EQ(content[1].at("value").as_string(), "<p>Hello Ada</p>");
    EXPECT_EQ(body.at("custom_args").at("hrms_message_id").as_string(), "42");
    EXPECT_EQ(body.at("headers").at("X-Hrms-Message-Id").as_string(), "<abc@hrms.example>");
    EXPECT_EQ(body.at("headers").at("X-Hrms-Request-Id").as_string(), "req-7");
}

TEST(SendGridProvider, EmptyPartsAndNamesAreLeftOut) {
    auto m = message();
    m.html.clear();
    m.to_name.clear();
    auto const body = json::parse(email::sendgrid_request(m, "hr@example.com", "")).as_object();
    EXPECT_EQ(body.at("content").as_array().size(), 1u);
    EXPECT_FALSE(body.at("personalizations").at(0).at("to").at(0).as_object().contains("name"));
    EXPECT_FALSE(body.at("from").as_object().contains("name"));
}

TEST(SendGridProvider, FilesGoInTheAttachmentsArrayAsBase64WithNameTypeAndDisposition) {
    CannedServer server({http_answer(202, "", {"X-Message-Id: sg-9"})});
    auto provider = sendgrid(server.url());
    auto const mail = rendered_with(files());
    auto const r = provider.send(message(), mail);
    EXPECT_EQ(r.kind, Kind::sent) << r.detail;
    auto const body = json::parse(server.requests().at(0).body).as_object();
    auto const& attachments = body.at("attachments").as_array();
    ASSERT_EQ(attachments.size(), 2u);
    for (std::size_t i = 0; i < attachments.size(); ++i) {
        auto const& a = attachments[i].as_object();
        EXPECT_EQ(a.at("filename").as_string(), mail.attachments[i].filename);
        EXPECT_EQ(a.at("type").as_string(), mail.attachments[i].content_type);
        EXPECT_EQ(a.at("disposition").as_string(), "attachment");
        auto const content = std::string(a.at("content").as_string());
        EXPECT_EQ(content.find_first_of("\r\n"), std::string::npos) << "one line of base64";
        EXPECT_EQ(base64_decode(content), mail.attachments[i].bytes);
    }
    EXPECT_EQ(body.at("content").as_array().size(), 2u);  // the text and HTML as before
}

TEST(SendGridProvider, AMessageWithoutFilesHasNoAttachmentsKey) {
    auto const body = json::parse(email::sendgrid_request(message(), "hr@example.com", "")).as_object();
    EXPECT_FALSE(body.contains("attachments"));
}

TEST(SendGridProvider, AServerErrorIsTransient) {
    CannedServer server({http_answer(500, "oops")});
    auto provider = sendgrid(server.url());
    auto const r = provider.send(message(), raw(""));
    EXPECT_EQ(r.kind, Kind::transient);
    EXPECT_EQ(r.detail, "SendGrid 500");
}

TEST(SendGridProvider, ABadRequestIsPermanentWithSendGridsFirstMessage) {
    CannedServer server({http_answer(
        400, R"({"errors":[{"message":"Does not contain a valid address.","field":"personalizations.0.to.0.email"},)"
             R"({"message":"second"}]})")});
    auto provider = sendgrid(server.url());
    auto const r = provider.send(message(), raw(""));
    EXPECT_EQ(r.kind, Kind::permanent);
    EXPECT_EQ(r.detail, "SendGrid 400: Does not contain a valid address.");
}

TEST(SendGridProvider, ThrottlingIsTransient) {
    CannedServer server({http_answer(429, R"({"errors":[{"message":"too many requests"}]})")});
    auto provider = sendgrid(server.url());
    EXPECT_EQ(provider.send(message(), raw("")).kind, Kind::transient);
}

TEST(SendGridProvider, ARefusedKeyIsTransientAndNeverQuoted) {
    CannedServer server({http_answer(401, R"({"errors":[{"message":"bad key )" + kApiKey + R"("}]})")});
    auto provider = sendgrid(server.url());
    auto const r = provider.send(message(), raw(""));
    EXPECT_EQ(r.kind, Kind::transient);
    EXPECT_EQ(r.detail.find(kApiKey), std::string::npos) << r.detail;
}

TEST(SendGridProvider, AClosedPortIsTransient) {
    auto provider = sendgrid(closed_port_url());
    auto const r = provider.send(message(), raw(""));
    EXPECT_EQ(r.kind, Kind::transient);
    EXPECT_EQ(r.detail.find(kApiKey), std::string::npos);
}

TEST(SendGridProvider, OneClientSendsManyMessages) {
    CannedServer server({http_answer(202, "", {"X-Message-Id: a"}), http_answer(202, "", {"X-Message-Id: b"})});
    auto provider = sendgrid(server.url());
    EXPECT_EQ(provider.send(message(), raw("")).provider_message_id, "a");
    EXPECT_EQ(provider.send(message(), raw("")).provider_message_id, "b");
}

// ---- the list

TEST(SesAndSendGridProviders, AreNamedInTheProviderListAndNameWhatTheyLack) {
    email::ProviderSettings s;
    s.order = "sendgrid,ses";
    s.sendgrid = {kApiKey, "https://api.sendgrid.com", "hr@example.com", "", 30};
    s.ses = {"eu-west-1", "AKID", "secret"};
    auto const providers = email::make_providers(s);
    ASSERT_EQ(providers.size(), 2u);
    EXPECT_EQ(providers[0]->name(), "sendgrid");
    EXPECT_EQ(providers[1]->name(), "ses");
    auto const error_of = [](email::ProviderSettings const& settings) {
        try {
            email::make_providers(settings);
        } catch (std::runtime_error const& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    s.ses.secret_access_key.clear();
    EXPECT_NE(error_of(s).find("HRMS_SES_SECRET_ACCESS_KEY"), std::string::npos);
    s.order = "sendgrid";
    s.sendgrid.api_key.clear();
    EXPECT_NE(error_of(s).find("HRMS_SENDGRID_API_KEY"), std::string::npos);
    s.order = "mailgun";
    EXPECT_NE(error_of(s).find("(file, smtp, sendgrid, ses)"), std::string::npos);
}

}  // namespace
