#pragma once
// Email templates (Mustache, kainjow): for each name a subject, a text and an HTML part
// (<name>.subject, <name>.text, <name>.html), the HTML inside the shared layout
// (layout.html: brand name, colour, logo, footer and, for onboarding mail, a progress bar).
// Built into the binary from templates/email/; a file of the same name in the override
// directory (HRMS_EMAIL_TEMPLATE_DIR) wins.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "hrms/app/email.hpp"

namespace hrms::email {

// The templates built into the binary, by file name without ".mustache".
std::map<std::string, std::string> const& embedded_templates();

struct Brand {
    std::string color = "#2563eb";
    std::string logo_url;
    std::string footer = "You receive this message because of your account with us.";
};

class Templates final : public app::EmailComposer {
public:
    // Reads the override directory (empty: none) once; throws naming a file that cannot be
    // read or that is not valid Mustache.
    Templates(std::string const& override_dir, Brand brand);
    Result<app::RenderedEmail> render(std::string const& name, app::EmailVars const& vars) const override;
    std::vector<std::string> names() const override;

private:
    std::map<std::string, std::string> sources_;
    Brand brand_;
    std::uint64_t id_;  // this instance's key in the per-thread cache of parsed templates
};

// The variable names a template uses ({{x}}, {{{x}}}, {{&x}}; sections and comments aside).
std::vector<std::string> template_variables(std::string const& source);

}  // namespace hrms::email
