#include "hrms/core/role_graph.hpp"

#include <algorithm>
#include <functional>

namespace hrms::core {

std::vector<std::string> find_role_cycle(RoleEdges const& edges, std::string const& start) {
    // Iterative-deepening would be overkill: role graphs are small, so a DFS with an explicit
    // path gives the exact loop to show the admin.
    std::vector<std::string> path;
    std::set<std::string> on_path, done;
    std::vector<std::string> found;
    std::function<bool(std::string const&)> visit = [&](std::string const& role) -> bool {
        if (on_path.contains(role)) {
            auto const it = std::find(path.begin(), path.end(), role);
            found.assign(it, path.end());
            found.push_back(role);
            return true;
        }
        if (done.contains(role)) return false;
        on_path.insert(role);
        path.push_back(role);
        if (auto const e = edges.find(role); e != edges.end()) {
            for (auto const& parent : e->second) {
                if (visit(parent)) return true;
            }
        }
        path.pop_back();
        on_path.erase(role);
        done.insert(role);
        return false;
    };
    visit(start);
    return found;
}

std::string format_cycle(std::vector<std::string> const& path) {
    std::string out;
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (i) out += " -> ";
        out += path[i];
    }
    return out;
}

std::set<std::string> role_closure(std::vector<std::string> const& roles, RoleEdges const& edges) {
    std::set<std::string> seen;
    std::vector<std::string> stack(roles.begin(), roles.end());
    while (!stack.empty()) {
        auto role = std::move(stack.back());
        stack.pop_back();
        if (!seen.insert(role).second) continue;
        if (auto const e = edges.find(role); e != edges.end()) {
            stack.insert(stack.end(), e->second.begin(), e->second.end());
        }
    }
    return seen;
}

std::set<std::string> effective_permissions(
    std::vector<std::string> const& roles, RoleEdges const& edges,
    std::map<std::string, std::set<std::string>> const& permissions) {
    std::set<std::string> out;
    for (auto const& role : role_closure(roles, edges)) {
        if (auto const p = permissions.find(role); p != permissions.end()) {
            out.insert(p->second.begin(), p->second.end());
        }
    }
    return out;
}

std::vector<std::int64_t> manager_cycle(ManagerLinks const& links, std::int64_t user,
                                        std::int64_t manager) {
    std::vector<std::int64_t> path{user};
    std::int64_t current = manager;
    // Bounded by the number of links: the existing graph may itself hold a loop (it should
    // not), and this must terminate regardless.
    for (std::size_t steps = 0; steps <= links.size() + 1; ++steps) {
        path.push_back(current);
        if (current == user) return path;
        auto const next = links.find(current);
        if (next == links.end()) return {};
        current = next->second;
    }
    return {};
}

}  // namespace hrms::core
