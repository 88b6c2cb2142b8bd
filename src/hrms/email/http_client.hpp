#pragma once
// The HTTP half of the API providers (sendgrid, ses): one libcurl handle per provider, kept so
// that its connection (and TLS session) is reused between messages, and what an answer's status
// means for a message.
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hrms/app/email.hpp"

namespace hrms::email {

struct HttpResponse {
    long status = 0;    // 0: no answer at all, and `error` says why
    std::string error;  // libcurl's message when there was no answer
    std::vector<std::pair<std::string, std::string>> headers;  // of the final answer
    std::string body;   // at most kMaxBody bytes of it
    // The value of the first header named `name` (any case); "" when there is none.
    std::string header(std::string_view name) const;
};

class HttpClient {
public:
    static constexpr std::size_t kMaxBody = 64 * 1024;  // an API's answer; more is not kept

    // Throws when libcurl cannot be initialised.
    HttpClient();
    ~HttpClient();
    HttpClient(HttpClient const&) = delete;
    HttpClient& operator=(HttpClient const&) = delete;

    // POSTs `body` to `url` (http or https only, no redirects followed) with `headers` given as
    // "Name: value". Never throws for the network's failures: they come back as status 0.
    // One request at a time per client.
    HttpResponse post(std::string const& url, std::vector<std::string> const& headers, std::string const& body,
                      double timeout_s);

private:
    std::mutex mutex_;
    void* curl_ = nullptr;  // CURL*
};

// What a failed answer means for the message: 401/403 (the provider's credentials), 408, 429,
// 5xx, no answer or an unexpected status are the provider's trouble (transient: try later or
// elsewhere); any other 4xx refuses this message (permanent). Not for 2xx.
app::SendResult::Kind failure_kind(long status);

// `text` with every occurrence of `secret` replaced by "[redacted]", so that a provider's error
// text that echoes a credential never reaches the message's history or the log.
std::string redact(std::string text, std::string_view secret);

}  // namespace hrms::email
