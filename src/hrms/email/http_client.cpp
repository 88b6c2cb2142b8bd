#include "hrms/email/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <stdexcept>

namespace hrms::email {

namespace {

bool same_name(std::string_view a, std::string_view b) {
    return std::ranges::equal(a, b, [](char x, char y) {
        auto const lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        return lower(x) == lower(y);
    });
}

std::size_t keep_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* body = static_cast<std::string*>(user);
    std::size_t const n = size * count;
    // Read all of it (so the connection stays usable) but keep only the start.
    body->append(data, std::min(n, HttpClient::kMaxBody - std::min(body->size(), HttpClient::kMaxBody)));
    return n;
}

std::size_t keep_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(user);
    std::size_t const n = size * count;
    std::string_view line(data, n);
    // Each status line starts an answer (a 100 Continue comes before the real one).
    if (line.starts_with("HTTP/")) {
        headers->clear();
        return n;
    }
    auto const colon = line.find(':');
    if (colon == std::string_view::npos) return n;
    auto value = line.substr(colon + 1);
    auto const first = value.find_first_not_of(" \t");
    value = first == std::string_view::npos ? std::string_view{} : value.substr(first);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
        value.remove_suffix(1);
    headers->emplace_back(std::string(line.substr(0, colon)), std::string(value));
    return n;
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
    for (auto const& [n, v] : headers)
        if (same_name(n, name)) return v;
    return {};
}

HttpClient::HttpClient() {
    static bool const ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    if (!ready) throw std::runtime_error("libcurl could not be initialised");
    curl_ = curl_easy_init();
    if (!curl_) throw std::runtime_error("libcurl could not make a handle");
}

HttpClient::~HttpClient() {
    if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

HttpResponse HttpClient::post(std::string const& url, std::vector<std::string> const& headers,
                              std::string const& body, double timeout_s) {
    std::lock_guard lock(mutex_);
    auto* c = static_cast<CURL*>(curl_);
    // The handle keeps its connection between requests; only the options are set again.
    curl_easy_reset(c);
    HttpResponse out;
    char error[CURL_ERROR_SIZE] = "";
    curl_slist* list = nullptr;
    for (auto const& h : headers) list = curl_slist_append(list, h.c_str());
    // Without this libcurl waits for a 100 Continue before sending a large body.
    list = curl_slist_append(list, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, keep_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &out.headers);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(timeout_s, 10.0) * 1000));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_s * 1000));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode const rc = curl_easy_perform(c);
    curl_slist_free_all(list);
    if (rc != CURLE_OK) {
        out.error = *error ? error : curl_easy_strerror(rc);
        out.headers.clear();
        out.body.clear();
        return out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
    return out;
}

app::SendResult::Kind failure_kind(long status) {
    bool const refused = status >= 400 && status < 500 && status != 401 && status != 403 && status != 408 &&
                         status != 429;
    return refused ? app::SendResult::Kind::permanent : app::SendResult::Kind::transient;
}

std::string redact(std::string text, std::string_view secret) {
    if (secret.empty()) return text;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 10))
        text.replace(at, secret.size(), "[redacted]");
    return text;
}

}  // namespace hrms::email
