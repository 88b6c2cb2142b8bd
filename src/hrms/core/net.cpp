#include "hrms/core/net.hpp"
#include "hrms/core/text.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace hrms::core {

namespace {
std::string_view trim_ws(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// One node of a forwarding header: "192.0.2.1", "192.0.2.1:8080", "[2001:db8::1]",
// "[2001:db8::1]:4711" or a bare IPv6 address.
std::optional<IpAddress> parse_node(std::string_view node) {
    if (node.size() >= 2 && node.front() == '"' && node.back() == '"') node = node.substr(1, node.size() - 2);
    if (!node.empty() && node.front() == '[') {
        auto const close = node.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        auto const rest = node.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') return std::nullopt;
        return parse_ip(node.substr(1, close - 1));
    }
    if (auto ip = parse_ip(node)) return ip;
    // IPv4 with a port.
    auto const colon = node.rfind(':');
    if (colon != std::string_view::npos && node.find(':') == colon) {
        auto ip = parse_ip(node.substr(0, colon));
        if (ip && ip->v4) return ip;
    }
    return std::nullopt;
}

// The `for=` addresses of a Forwarded header, in order; nullopt when any element lacks a usable
// one (an obfuscated or "unknown" node hides the chain, so the header cannot be trusted).
std::optional<std::vector<IpAddress>> forwarded_for(std::string_view header) {
    std::vector<IpAddress> out;
    for (auto element : split_trimmed(header, ',')) {
        std::optional<IpAddress> found;
        for (auto pair : split_trimmed(element, ';')) {
            auto const eq = pair.find('=');
            if (eq == std::string_view::npos) return std::nullopt;
            auto key = trim_ws(pair.substr(0, eq));
            if (key.size() != 3 || std::tolower(static_cast<unsigned char>(key[0])) != 'f' ||
                std::tolower(static_cast<unsigned char>(key[1])) != 'o' ||
                std::tolower(static_cast<unsigned char>(key[2])) != 'r')
                continue;
            found = parse_node(trim_ws(pair.substr(eq + 1)));
            if (!found) return std::nullopt;
        }
        if (!found) return std::nullopt;
        out.push_back(*found);
    }
    return out;
}
}  // namespace

std::optional<IpAddress> parse_ip(std::string_view text) {
    if (text.empty() || text.size() > 45) return std::nullopt;
    // inet_pton reads a C string: a NUL would end the address early and hide what follows.
    for (char c : text) {
        if (!std::isxdigit(static_cast<unsigned char>(c)) && c != '.' && c != ':') return std::nullopt;
    }
    std::string const s(text);
    IpAddress ip;
    unsigned char v4[4];
    if (::inet_pton(AF_INET, s.c_str(), v4) == 1) {
        ip.bytes[10] = ip.bytes[11] = 0xff;
        std::copy(v4, v4 + 4, ip.bytes.begin() + 12);
        ip.v4 = true;
        return ip;
    }
    if (::inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) == 1) {
        bool const mapped = std::all_of(ip.bytes.begin(), ip.bytes.begin() + 10, [](auto b) { return b == 0; }) &&
                            ip.bytes[10] == 0xff && ip.bytes[11] == 0xff;
        ip.v4 = mapped;
        return ip;
    }
    return std::nullopt;
}

std::string to_string(IpAddress const& ip) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (ip.v4) {
        ::inet_ntop(AF_INET, ip.bytes.data() + 12, buf, sizeof buf);
    } else {
        ::inet_ntop(AF_INET6, ip.bytes.data(), buf, sizeof buf);
    }
    return buf;
}

Result<CidrList> parse_cidr_list(std::string_view text, std::string const& setting) {
    CidrList out;
    std::string normalized(text);
    std::replace(normalized.begin(), normalized.end(), ' ', ',');
    for (auto item : split_trimmed(normalized, ',')) {
        if (item.empty()) continue;
        auto const slash = item.find('/');
        auto ip = parse_ip(item.substr(0, slash));
        if (!ip) return invalid_field(setting, setting + ": '" + std::string(item) + "' is not an address or CIDR block");
        int bits = ip->v4 ? 32 : 128;
        if (slash != std::string_view::npos) {
            auto const p = item.substr(slash + 1);
            auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), bits);
            if (ec != std::errc{} || end != p.data() + p.size() || bits < 0 || bits > (ip->v4 ? 32 : 128))
                return invalid_field(setting, setting + ": '" + std::string(item) + "' has a bad prefix length");
        }
        out.push_back({*ip, ip->v4 ? bits + 96 : bits});
    }
    return out;
}

bool contains(CidrList const& list, IpAddress const& ip) {
    for (auto const& c : list) {
        int bits = c.prefix;
        bool match = true;
        for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
            auto const mask = static_cast<std::uint8_t>(bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff);
            if ((ip.bytes[i] & mask) != (c.network.bytes[i] & mask)) {
                match = false;
                break;
            }
        }
        if (match) return true;
    }
    return false;
}

bool contains(CidrList const& list, std::string_view ip) {
    auto parsed = parse_ip(ip);
    return parsed && contains(list, *parsed);
}

std::string client_address(std::string_view peer, std::string_view forwarded,
                           std::string_view x_forwarded_for, CidrList const& trusted) {
    auto const peer_ip = parse_ip(peer);
    if (trusted.empty() || !peer_ip || !contains(trusted, *peer_ip)) return std::string(peer);
    std::vector<IpAddress> hops;
    if (!trim_ws(forwarded).empty()) {
        auto parsed = forwarded_for(forwarded);
        if (!parsed) return std::string(peer);
        hops = std::move(*parsed);
    } else if (!trim_ws(x_forwarded_for).empty()) {
        for (auto node : split_trimmed(x_forwarded_for, ',')) {
            auto ip = parse_node(node);
            if (!ip) return std::string(peer);
            hops.push_back(*ip);
        }
    } else {
        return std::string(peer);
    }
    for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
        if (!contains(trusted, *it)) return to_string(*it);
    }
    return to_string(hops.front());
}

}  // namespace hrms::core
