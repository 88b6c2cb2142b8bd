# Writes OUT: a C++ file that holds every templates/email/*.mustache as a string, keyed by its
# name without the extension ("invite.html"). Run at build time so an edited template is
# picked up; HRMS_EMAIL_TEMPLATE_DIR overrides them at run time.
file(GLOB files "${SRC_DIR}/*.mustache")
list(SORT files)
set(body "// Generated from templates/email/*.mustache; do not edit.\n#include \"hrms/email/templates.hpp\"\n\nnamespace hrms::email {\n\nstd::map<std::string, std::string> const& embedded_templates() {\n    static std::map<std::string, std::string> const kAll{\n")
foreach(f IN LISTS files)
  get_filename_component(name "${f}" NAME)
  string(REGEX REPLACE "\\.mustache$" "" key "${name}")
  file(READ "${f}" text)
  string(APPEND body "        {\"${key}\", R\"hrmstpl(${text})hrmstpl\"},\n")
endforeach()
string(APPEND body "    };\n    return kAll;\n}\n\n}  // namespace hrms::email\n")
file(WRITE "${OUT}.tmp" "${body}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
