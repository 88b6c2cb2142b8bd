#pragma once
// Keyset pages: a use case asks the store for one row more than the page holds; that extra row
// only says whether a next page exists.
#include <cstdint>
#include <optional>
#include <vector>

namespace hrms::app {

// Cuts `rows` (fetched with limit want + 1, ascending ids) to `want`; the cursor of the next
// page (the last id kept), or nullopt when this was the last page.
template <class Row>
std::optional<std::int64_t> trim_to_page(std::vector<Row>& rows, int want) {
    if (static_cast<int>(rows.size()) <= want) return std::nullopt;
    rows.resize(static_cast<std::size_t>(want));
    return rows.back().id;
}

}  // namespace hrms::app
