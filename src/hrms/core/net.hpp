#pragma once
// IP addresses, CIDR lists and the client address behind trusted proxies: pure functions.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hrms/core/error.hpp"

namespace hrms::core {

// An IPv4 or IPv6 address; IPv4 is kept as ::ffff:a.b.c.d so one comparison serves both.
struct IpAddress {
    std::array<std::uint8_t, 16> bytes{};
    bool v4 = false;
};

// The address in `text` (dotted IPv4 or textual IPv6, no brackets, no port), or nullopt.
std::optional<IpAddress> parse_ip(std::string_view text);

// The canonical text of an address ("192.0.2.1", "2001:db8::1").
std::string to_string(IpAddress const& ip);

struct Cidr {
    IpAddress network;
    int prefix = 0;  // bits, counted in the 128-bit form
};
using CidrList = std::vector<Cidr>;

// A comma- or space-separated list of CIDR blocks ("10.0.0.0/8, ::1/128"); a bare address
// is a block of one. validation_failed naming `setting` for anything else.
Result<CidrList> parse_cidr_list(std::string_view text, std::string const& setting);

// True when `ip` lies in one of the blocks.
bool contains(CidrList const& list, IpAddress const& ip);
bool contains(CidrList const& list, std::string_view ip);

// The address of the client that sent a request which reached us from `peer`. Forwarding
// headers count only when `peer` is a trusted proxy: then `Forwarded` (RFC 7239 `for=`) or, when
// it is absent, `X-Forwarded-For` is read from the right, skipping trusted proxies; the first
// address that is not one is the client (the leftmost when all are). A header that does not
// parse yields `peer`: a client cannot hide behind a malformed value.
std::string client_address(std::string_view peer, std::string_view forwarded,
                           std::string_view x_forwarded_for, CidrList const& trusted);

}  // namespace hrms::core
