#include "hrms/email/sigv4.hpp"

#include "hrms/app/crypto.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <stdexcept>
#include <string_view>
#include "hrms/core/text.hpp"

namespace hrms::email {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string hex(unsigned char const* data, std::size_t n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(n * 2, '0');
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = kDigits[data[i] >> 4];
        out[2 * i + 1] = kDigits[data[i] & 0xF];
    }
    return out;
}

// The raw 32-byte MAC: the signing key is derived by chaining these.
std::string hmac_sha256(std::string_view key, std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<unsigned char const*>(data.data()), data.size(), md, &n))
        throw std::runtime_error("OpenSSL could not compute HMAC-SHA256");
    return std::string(reinterpret_cast<char const*>(md), n);
}

bool unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

// RFC 3986 percent-encoding of everything but the unreserved characters, upper-case hex, as
// SigV4 requires (so ' ' is "%20", never '+').
std::string uri_encode(std::string_view s) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (unreserved(c)) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kDigits[c >> 4];
            out += kDigits[c & 0xF];
        }
    }
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Undoes %XX escapes; a '%' not followed by two hex digits stays as it is.
std::string uri_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// The path with "." and ".." segments resolved and empty segments dropped (AWS normalises paths
// for every service but S3), each remaining segment encoded; a trailing slash is kept.
std::string canonical_uri(std::string_view path) {
    std::vector<std::string_view> segments;
    bool trailing_slash = false;
    std::size_t pos = 0;
    while (pos <= path.size()) {
        auto const slash = path.find('/', pos);
        auto const end = slash == std::string_view::npos ? path.size() : slash;
        auto const segment = path.substr(pos, end - pos);
        trailing_slash = segment.empty() || segment == "." || segment == "..";
        if (segment == "..") {
            if (!segments.empty()) segments.pop_back();
        } else if (!segment.empty() && segment != ".") {
            segments.push_back(segment);
        }
        pos = end + 1;
    }
    std::string out;
    for (auto const s : segments) out += "/" + uri_encode(s);
    if (out.empty() || trailing_slash) out += '/';
    return out;
}

// Parameters decoded and encoded again (so raw and already-encoded input sign alike), sorted by
// name and then value in byte order.
std::string canonical_query(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> params;
    std::size_t pos = 0;
    while (pos < query.size()) {
        auto const amp = query.find('&', pos);
        auto const end = amp == std::string_view::npos ? query.size() : amp;
        auto const item = query.substr(pos, end - pos);
        pos = end + 1;
        if (item.empty()) continue;
        auto const eq = item.find('=');
        auto const name = item.substr(0, eq);
        auto const value = eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
        params.emplace_back(uri_encode(uri_decode(name)), uri_encode(uri_decode(value)));
    }
    std::sort(params.begin(), params.end());
    std::string out;
    for (auto const& [name, value] : params) out += (out.empty() ? "" : "&") + name + "=" + value;
    return out;
}

// Leading and trailing blanks removed, inner runs of blanks made one space.
std::string canonical_value(std::string_view v) {
    std::string out;
    bool blank = false;
    for (char c : v) {
        if (c == ' ' || c == '\t') {
            blank = true;
            continue;
        }
        if (blank && !out.empty()) out += ' ';
        blank = false;
        out += c;
    }
    return out;
}

struct CanonicalHeaders {
    std::string block;   // "name:value\n" per header, sorted
    std::string signed_names;
    std::string payload_hash;  // x-amz-content-sha256's value, when given
};

CanonicalHeaders canonical_headers(SigV4Request const& r, SigV4Credentials const& c) {
    std::vector<std::pair<std::string, std::string>> headers;
    for (auto const& [name, value] : r.headers) headers.emplace_back(core::ascii_lower(name), canonical_value(value));
    auto const has = [&](std::string_view name) {
        return std::ranges::any_of(headers, [&](auto const& h) { return h.first == name; });
    };
    if (!has("host")) headers.emplace_back("host", canonical_value(r.host));
    if (!c.session_token.empty() && !has("x-amz-security-token"))
        headers.emplace_back("x-amz-security-token", canonical_value(c.session_token));
    // Stable, so that a repeated header's values join in the order they were given.
    std::ranges::stable_sort(headers, {}, &std::pair<std::string, std::string>::first);
    CanonicalHeaders out;
    for (std::size_t i = 0; i < headers.size(); ++i) {
        auto const& [name, value] = headers[i];
        bool const repeat = i > 0 && headers[i - 1].first == name;
        if (repeat) {
            out.block.back() = ',';
            out.block += value + "\n";
            continue;
        }
        out.block += name + ":" + value + "\n";
        out.signed_names += (out.signed_names.empty() ? "" : ";") + name;
        if (name == "x-amz-content-sha256") out.payload_hash = value;
    }
    return out;
}

}  // namespace

SigV4Result sign_v4(SigV4Request const& r, SigV4Credentials const& c, std::string const& region,
                    std::string const& service, std::string const& amz_date) {
    auto const headers = canonical_headers(r, c);
    SigV4Result out;
    out.signed_headers = headers.signed_names;
    out.canonical_request = r.method + "\n" + canonical_uri(r.path) + "\n" + canonical_query(r.query) + "\n" +
                            headers.block + "\n" + headers.signed_names + "\n" +
                            (headers.payload_hash.empty() ? app::sha256_hex(r.body) : headers.payload_hash);
    auto const date = amz_date.substr(0, 8);
    auto const scope = date + "/" + region + "/" + service + "/aws4_request";
    out.string_to_sign =
        std::string(kAlgorithm) + "\n" + amz_date + "\n" + scope + "\n" + app::sha256_hex(out.canonical_request);
    auto key = hmac_sha256("AWS4" + c.secret_access_key, date);
    key = hmac_sha256(key, region);
    key = hmac_sha256(key, service);
    key = hmac_sha256(key, "aws4_request");
    auto const mac = hmac_sha256(key, out.string_to_sign);
    out.authorization = std::string(kAlgorithm) + " Credential=" + c.access_key_id + "/" + scope +
                        ", SignedHeaders=" + out.signed_headers +
                        ", Signature=" + hex(reinterpret_cast<unsigned char const*>(mac.data()), mac.size());
    return out;
}

std::string amz_date(Instant t) {
    // "2015-08-30T12:36:00.000Z" -> "20150830T123600Z"
    auto const text = to_rfc3339(t);
    std::string out;
    for (std::size_t i = 0; i < 19 && i < text.size(); ++i)
        if (text[i] != '-' && text[i] != ':') out += text[i];
    return out + "Z";
}

}  // namespace hrms::email
