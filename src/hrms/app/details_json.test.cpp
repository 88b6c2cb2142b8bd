#include "hrms/app/details_json.hpp"

#include <gtest/gtest.h>

using namespace hrms;
using namespace hrms::app;

TEST(DetailsJson, RoundTripsEveryField) {
    core::Details d;
    d.first_name = "Ada";
    d.address.country = "GB";
    d.emergency_contact.phone = "+44 20 7946 0958";
    auto back = details_from_json(details_to_json(d));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->first_name, d.first_name);
    EXPECT_EQ(back->address.country, d.address.country);
    EXPECT_EQ(back->emergency_contact.phone, d.emergency_contact.phone);
    EXPECT_FALSE(back->last_name);
}

TEST(DetailsJson, WrongTypeNamesTheNestedField) {
    auto r = details_from_json(R"({"address":{"city":42}})");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::validation_failed);
    EXPECT_EQ(r.error().details_json, "{\"field\":\"address.city\"}");
}

TEST(DetailsJson, AddressMustBeAnObject) {
    auto r = details_from_json(R"({"address":"Main St"})");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().details_json, "{\"field\":\"address\"}");
}

TEST(DetailsJson, MalformedJsonIsABadRequest) {
    auto r = details_from_json("{");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::bad_request);
}
