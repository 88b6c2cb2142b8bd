#pragma once
// core::Details <-> JSON: the API shape and the stored shape are the same object
// {first_name, ..., address:{line1,...}, emergency_contact:{name,...}}.
#include <string>

#include "hrms/core/error.hpp"
#include "hrms/core/onboarding.hpp"

namespace hrms::app {

// Every field, absent ones as null.
std::string details_to_json(core::Details const& d);

// Reads a details object; unknown keys are ignored; a field that is neither a string nor null is
// validation_failed naming it ("address.city"); malformed JSON is bad_request.
Result<core::Details> details_from_json(std::string const& json);

}  // namespace hrms::app
