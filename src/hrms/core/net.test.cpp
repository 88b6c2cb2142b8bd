#include "hrms/core/net.hpp"

#include <gtest/gtest.h>

using namespace hrms::core;

namespace {
CidrList list(std::string_view text) { return parse_cidr_list(text, "HRMS_TRUSTED_PROXIES").value(); }
}  // namespace

TEST(Cidr, BlocksMatchTheirAddressesInBothFamilies) {
    auto const l = list("10.0.0.0/8, 192.0.2.7 ::1/128 2001:db8::/32");
    EXPECT_TRUE(contains(l, "10.200.3.4"));
    EXPECT_FALSE(contains(l, "11.0.0.1"));
    EXPECT_TRUE(contains(l, "192.0.2.7"));
    EXPECT_FALSE(contains(l, "192.0.2.8"));
    EXPECT_TRUE(contains(l, "::1"));
    EXPECT_TRUE(contains(l, "2001:db8:ffff::9"));
    EXPECT_FALSE(contains(l, "2001:db9::1"));
    EXPECT_TRUE(contains(l, "::ffff:10.1.2.3")) << "an IPv4-mapped peer is its IPv4 address";
    EXPECT_FALSE(contains(l, "not-an-ip"));
}

TEST(Cidr, BadEntriesAreRefusedNamingTheSetting) {
    auto const r = parse_cidr_list("10.0.0.0/33", "HRMS_TRUSTED_PROXIES");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("HRMS_TRUSTED_PROXIES"), std::string::npos);
    EXPECT_FALSE(parse_cidr_list("proxy.example", "X"));
    EXPECT_FALSE(parse_cidr_list("10.0.0.1/", "X"));
    EXPECT_TRUE(parse_cidr_list("", "X")->empty());
}

TEST(ClientAddress, ForwardingHeadersAreIgnoredUnlessThePeerIsATrustedProxy) {
    EXPECT_EQ(client_address("198.51.100.1", "", "203.0.113.5", {}), "198.51.100.1");
    EXPECT_EQ(client_address("198.51.100.1", "", "203.0.113.5", list("127.0.0.1")), "198.51.100.1");
    EXPECT_EQ(client_address("127.0.0.1", "", "203.0.113.5", list("127.0.0.1")), "203.0.113.5");
}

TEST(ClientAddress, TheRightmostUntrustedHopIsTheClient) {
    auto const trusted = list("127.0.0.1, 10.0.0.0/8");
    // The client may prepend anything; only what trusted proxies appended counts.
    EXPECT_EQ(client_address("127.0.0.1", "", "6.6.6.6, 203.0.113.5, 10.1.1.1", trusted), "203.0.113.5");
    EXPECT_EQ(client_address("127.0.0.1", "", "10.1.1.1, 10.2.2.2", trusted), "10.1.1.1");
}

TEST(ClientAddress, ForwardedWinsAndAcceptsQuotedIpv6WithPorts) {
    auto const trusted = list("127.0.0.1");
    EXPECT_EQ(client_address("127.0.0.1", "for=\"[2001:db8::1]:4711\";proto=https", "203.0.113.5", trusted),
              "2001:db8::1");
    EXPECT_EQ(client_address("127.0.0.1", "for=192.0.2.60:8080, For=198.51.100.17", "", trusted), "198.51.100.17");
}

TEST(ClientAddress, AMalformedHeaderMeansThePeer) {
    auto const trusted = list("127.0.0.1");
    EXPECT_EQ(client_address("127.0.0.1", "", "203.0.113.5, garbage", trusted), "127.0.0.1");
    EXPECT_EQ(client_address("127.0.0.1", "for=unknown", "", trusted), "127.0.0.1");
    EXPECT_EQ(client_address("127.0.0.1", "for=_hidden", "", trusted), "127.0.0.1");
    // Found by fuzzing: inet_pton stops at a NUL, so "1.2.3.4\0junk" once passed as 1.2.3.4.
    EXPECT_EQ(client_address("127.0.0.1", "", std::string_view("203.0.113.5\0x", 13), trusted), "127.0.0.1");
    EXPECT_FALSE(parse_ip(std::string_view("10.0.0.1\0", 9)));
}
