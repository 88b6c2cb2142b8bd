# Writes OUT: a C++ file defining `std::string_view NAME()` that returns the text of IN.
file(READ "${IN}" text)
set(body "// Generated from ${IN}; do not edit.\n#include <string_view>\n\nnamespace hrms::cli {\n\nstd::string_view ${NAME}() {\n    static constexpr std::string_view kText = R\"hrmstext(${text})hrmstext\";\n    return kText;\n}\n\n}  // namespace hrms::cli\n")
file(WRITE "${OUT}.tmp" "${body}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
