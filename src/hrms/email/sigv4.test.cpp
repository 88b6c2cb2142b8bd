#include "hrms/email/sigv4.hpp"

#include <gtest/gtest.h>

using namespace hrms;
using email::sign_v4;
using email::SigV4Credentials;
using email::SigV4Request;

namespace {

// The credentials, scope and time of AWS's Signature Version 4 test suite
// (docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html, "aws-sig-v4-test-suite").
SigV4Credentials const kSuiteKey{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
std::string const kSuiteDate = "20150830T123600Z";
std::string const kSuiteHost = "example.amazonaws.com";
std::string const kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
std::string const kScopeLine = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n";

std::string authz(std::string const& signed_headers, std::string const& signature) {
    return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=" +
           signed_headers + ", Signature=" + signature;
}

// A suite request: Host and X-Amz-Date first, as in the suite's .req files, then `extra`.
SigV4Request suite_request(std::string method, std::string path, std::string query,
                           std::vector<std::pair<std::string, std::string>> extra = {}, std::string body = "") {
    SigV4Request r{std::move(method), kSuiteHost, std::move(path), std::move(query), {}, std::move(body)};
    r.headers = {{"Host", kSuiteHost}};
    for (auto& h : extra) r.headers.push_back(std::move(h));
    r.headers.emplace_back("X-Amz-Date", kSuiteDate);
    return r;
}

email::SigV4Result suite_sign(SigV4Request const& r, SigV4Credentials const& c = kSuiteKey) {
    return sign_v4(r, c, "us-east-1", "service", kSuiteDate);
}

TEST(SigV4, GetVanillaMatchesTheSuite) {
    auto const s = suite_sign(suite_request("GET", "/", ""));
    EXPECT_EQ(s.canonical_request,
              "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + kEmptyHash);
    EXPECT_EQ(s.string_to_sign, kScopeLine + "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
    EXPECT_EQ(s.signed_headers, "host;x-amz-date");
    EXPECT_EQ(s.authorization,
              authz("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
}

TEST(SigV4, QueryParametersAreSortedByNameInByteOrder) {  // get-vanilla-query-order-key-case
    auto const s = suite_sign(suite_request("GET", "/", "Param2=value2&Param1=value1"));
    EXPECT_EQ(s.canonical_request, "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\n"
                                   "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + kEmptyHash);
    EXPECT_EQ(s.string_to_sign, kScopeLine + "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0");
    EXPECT_EQ(s.authorization,
              authz("host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
}

TEST(SigV4, RepeatedQueryNamesAreSortedByValueUpperCaseFirst) {  // get-vanilla-query-order-key
    auto const s = suite_sign(suite_request("GET", "/", "Param1=value2&Param1=Value1"));
    EXPECT_NE(s.canonical_request.find("\nParam1=Value1&Param1=value2\n"), std::string::npos);
    EXPECT_EQ(s.authorization,
              authz("host;x-amz-date", "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"));
}

TEST(SigV4, Utf8QueryNamesArePercentEncoded) {  // get-vanilla-utf8-query
    auto const s = suite_sign(suite_request("GET", "/", "\xE1\x88\xB4=bar"));
    EXPECT_NE(s.canonical_request.find("\n%E1%88%B4=bar\n"), std::string::npos);
    EXPECT_EQ(s.authorization,
              authz("host;x-amz-date", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"));
}

TEST(SigV4, AnAlreadyEncodedQuerySignsLikeTheRawOne) {
    EXPECT_EQ(suite_sign(suite_request("GET", "/", "%E1%88%B4=bar")).authorization,
              suite_sign(suite_request("GET", "/", "\xE1\x88\xB4=bar")).authorization);
}

TEST(SigV4, PostVanillaMatchesTheSuite) {
    auto const s = suite_sign(suite_request("POST", "/", ""));
    EXPECT_EQ(s.string_to_sign, kScopeLine + "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87");
    EXPECT_EQ(s.authorization,
              authz("host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"));
}

// The suite's own files disagree here (its .creq also signs Content-Length); the published
// Authorization signs Content-Type, Host and X-Amz-Date, and so does this request.
TEST(SigV4, PostFormBodyIsHashedIntoTheSignature) {  // post-x-www-form-urlencoded
    SigV4Request r{"POST", kSuiteHost, "/", "", {}, "Param1=value1"};
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Host", kSuiteHost},
                 {"X-Amz-Date", kSuiteDate}};
    auto const s = suite_sign(r);
    EXPECT_EQ(s.canonical_request.substr(s.canonical_request.rfind('\n') + 1),
              "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
    EXPECT_EQ(s.authorization, authz("content-type;host;x-amz-date",
                                     "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
}

TEST(SigV4, HeaderValuesAreTrimmedAndInnerSpacesCollapsed) {  // get-header-value-trim
    auto const s =
        suite_sign(suite_request("GET", "/", "", {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}}));
    EXPECT_EQ(s.canonical_request,
              "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\n"
              "x-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n" + kEmptyHash);
    EXPECT_EQ(s.string_to_sign, kScopeLine + "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7");
    EXPECT_EQ(s.authorization, authz("host;my-header1;my-header2;x-amz-date",
                                     "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"));
}

TEST(SigV4, RepeatedHeadersJoinInTheOrderGiven) {  // get-header-value-order
    auto const s = suite_sign(suite_request("GET", "/", "",
                                            {{"My-Header1", "value4"}, {"My-Header1", "value1"},
                                             {"My-Header1", "value3"}, {"My-Header1", "value2"}}));
    EXPECT_NE(s.canonical_request.find("\nmy-header1:value4,value1,value3,value2\n"), std::string::npos);
    EXPECT_EQ(s.authorization, authz("host;my-header1;x-amz-date",
                                     "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"));
}

TEST(SigV4, HeaderNamesAreSignedLowerCaseWhateverTheirCase) {  // post-header-key-sort, shouted
    auto const s = suite_sign(suite_request("POST", "/", "", {{"MY-HEADER1", "value1"}}));
    EXPECT_EQ(s.authorization, authz("host;my-header1;x-amz-date",
                                     "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"));
}

TEST(SigV4, PathSegmentsAreEncoded) {  // get-space, get-unreserved
    auto const space = suite_sign(suite_request("GET", "/example space/", ""));
    EXPECT_NE(space.canonical_request.find("\n/example%20space/\n"), std::string::npos);
    EXPECT_EQ(space.authorization,
              authz("host;x-amz-date", "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"));
    auto const unreserved =
        suite_sign(suite_request("GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", ""));
    EXPECT_EQ(unreserved.authorization,
              authz("host;x-amz-date", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"));
}

TEST(SigV4, PathsAreNormalised) {  // get-slashes, get-slash-pointless-dot, get-relative-relative
    EXPECT_EQ(suite_sign(suite_request("GET", "//example//", "")).authorization,
              authz("host;x-amz-date", "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"));
    EXPECT_EQ(suite_sign(suite_request("GET", "/./example", "")).authorization,
              authz("host;x-amz-date", "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"));
    EXPECT_EQ(suite_sign(suite_request("GET", "/example1/example2/../..", "")).authorization,
              suite_sign(suite_request("GET", "/", "")).authorization);
}

TEST(SigV4, ASessionTokenIsSignedAsTheSecurityTokenHeader) {  // post-sts-header-before
    std::string const token =
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8Y"
        "UuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6"
        "fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabI"
        "Qwj2ICCR/oLxBA==";
    auto const s =
        suite_sign(suite_request("POST", "/", ""), {kSuiteKey.access_key_id, kSuiteKey.secret_access_key, token});
    EXPECT_EQ(s.string_to_sign, kScopeLine + "c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6");
    EXPECT_EQ(s.authorization, authz("host;x-amz-date;x-amz-security-token",
                                     "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"));
}

// The worked example of the AWS signing guide (IAM ListUsers).
TEST(SigV4, IamListUsersMatchesTheAwsGuide) {
    SigV4Request r{"GET", "iam.amazonaws.com", "/", "Action=ListUsers&Version=2010-05-08", {}, ""};
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}, {"X-Amz-Date", kSuiteDate}};
    auto const s = sign_v4(r, kSuiteKey, "us-east-1", "iam", kSuiteDate);
    EXPECT_EQ(s.string_to_sign, "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
                                "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
    EXPECT_EQ(s.authorization, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
                               "SignedHeaders=content-type;host;x-amz-date, "
                               "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

TEST(SigV4, AGivenPayloadHashIsUsedInsteadOfHashingTheBody) {
    auto const s = suite_sign(suite_request("PUT", "/", "", {{"X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"}}, "body"));
    EXPECT_TRUE(s.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
}

TEST(SigV4, AmzDateIsCompactUtcToTheSecond) {
    auto const t = parse_rfc3339("2015-08-30T12:36:00.999Z");
    ASSERT_TRUE(t);
    EXPECT_EQ(email::amz_date(*t), "20150830T123600Z");
}

}  // namespace
