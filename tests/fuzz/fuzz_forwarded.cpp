// Fuzzes core/net: parse_ip, parse_cidr_list (HRMS_TRUSTED_PROXIES, HRMS_METRICS_ALLOW) and
// client_address, which reads the client's address out of Forwarded / X-Forwarded-For headers
// when the peer is a trusted proxy (Pipeline::resolve_client).
//
// Input: text; as headers, the part before the first '\n' is Forwarded and the rest
// X-Forwarded-For.
#include <string>

#include "fuzz_json.hpp"
#include "fuzz_support.hpp"
#include "hrms/core/net.hpp"
#include "hrms/http/types.hpp"

namespace core = hrms::core;

namespace {

core::CidrList const& trusted() {
    static core::CidrList const list =
        core::parse_cidr_list("10.0.0.0/8 192.168.0.0/16, ::1, fd00::/8", "HRMS_TRUSTED_PROXIES").value();
    return list;
}

bool same(core::IpAddress const& a, core::IpAddress const& b) { return a.bytes == b.bytes && a.v4 == b.v4; }

void check_ip(std::string_view text) {
    auto const ip = core::parse_ip(text);
    if (!ip) return;
    // An address is all there is: nothing hides after a NUL.
    FUZZ_CHECK(text.find('\0') == std::string_view::npos, text);
    auto const canonical = core::to_string(*ip);
    auto const again = core::parse_ip(canonical);
    FUZZ_CHECK(again && same(*again, *ip), canonical);
    FUZZ_CHECK(core::to_string(*again) == canonical, canonical);
    FUZZ_TRACE("forwarded: address %s", canonical.c_str());
}

void check_cidr_list(std::string_view text) {
    auto const list = core::parse_cidr_list(text, "HRMS_TRUSTED_PROXIES");
    if (!list) {
        FUZZ_CHECK(list.error().code == hrms::ErrorCode::validation_failed, list.error().message);
        hrms::fuzz::check_details_json(list.error().details_json);
        hrms::fuzz::check_error_envelope(hrms::http::error_response(list.error(), "req-1").body);
        return;
    }
    for (auto const& c : *list) {
        FUZZ_CHECK(c.prefix >= (c.network.v4 ? 96 : 0) && c.prefix <= 128, text);
        FUZZ_CHECK(core::contains(*list, c.network), text);  // a block holds its own network
        FUZZ_CHECK(core::contains(core::CidrList{c}, core::to_string(c.network)), text);
    }
    FUZZ_TRACE("forwarded: %zu CIDR blocks", list->size());
}

void check_client(std::string_view forwarded, std::string_view x_forwarded_for) {
    for (std::string_view peer : {"10.0.0.2", "203.0.113.9", "::1"}) {
        auto const client = core::client_address(peer, forwarded, x_forwarded_for, trusted());
        auto const ip = core::parse_ip(client);
        FUZZ_CHECK(ip.has_value(), client);
        // Headers count only when a trusted proxy sent them.
        if (!core::contains(trusted(), peer)) FUZZ_CHECK(client == peer, client);
        // Anything else is an address in canonical form, safe to log and to key throttles on.
        if (client != peer) FUZZ_CHECK(core::to_string(*ip) == client, client);
        FUZZ_TRACE("forwarded: peer %s -> client %s", std::string(peer).c_str(), client.c_str());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view const text(reinterpret_cast<char const*>(data), size);
    check_ip(text);
    check_cidr_list(text);
    auto const nl = text.find('\n');
    check_client(text.substr(0, nl), nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1));
    return 0;
}
