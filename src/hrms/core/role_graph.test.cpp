#include "hrms/core/role_graph.hpp"

#include <gtest/gtest.h>

using namespace hrms::core;

TEST(RoleGraph, AcyclicGraphHasNoCycle) {
    RoleEdges edges{{"team_lead", {"reviewer"}}, {"dept_head", {"team_lead", "reviewer"}}};
    EXPECT_TRUE(find_role_cycle(edges, "dept_head").empty());
    EXPECT_TRUE(find_role_cycle(edges, "unknown").empty());
}

TEST(RoleGraph, TwoRoleLoopIsNamedFromTheStart) {
    RoleEdges edges{{"team_lead", {"dept_head"}}, {"dept_head", {"team_lead"}}};
    auto const path = find_role_cycle(edges, "team_lead");
    EXPECT_EQ(format_cycle(path), "team_lead -> dept_head -> team_lead");
}

TEST(RoleGraph, SelfInheritanceIsACycle) {
    RoleEdges edges{{"a", {"a"}}};
    EXPECT_EQ(format_cycle(find_role_cycle(edges, "a")), "a -> a");
}

TEST(RoleGraph, CycleFurtherAlongThePathShowsOnlyTheLoop) {
    RoleEdges edges{{"a", {"b"}}, {"b", {"c"}}, {"c", {"d"}}, {"d", {"b"}}};
    EXPECT_EQ(format_cycle(find_role_cycle(edges, "a")), "b -> c -> d -> b");
}

TEST(RoleGraph, DiamondIsNotACycle) {
    RoleEdges edges{{"a", {"b", "c"}}, {"b", {"d"}}, {"c", {"d"}}};
    EXPECT_TRUE(find_role_cycle(edges, "a").empty());
}

TEST(RoleGraph, PermissionsAreInheritedTransitively) {
    RoleEdges edges{{"dept_head", {"team_lead"}}, {"team_lead", {"reviewer"}}};
    std::map<std::string, std::set<std::string>> perms{
        {"reviewer", {"profiles.review"}}, {"team_lead", {"reports.read"}}, {"dept_head", {"x"}}};
    auto const got = effective_permissions({"dept_head"}, edges, perms);
    EXPECT_EQ(got, (std::set<std::string>{"profiles.review", "reports.read", "x"}));
}

TEST(RoleGraph, ClosureToleratesALoopWithoutHanging) {
    RoleEdges edges{{"a", {"b"}}, {"b", {"a"}}};
    EXPECT_EQ(role_closure({"a"}, edges), (std::set<std::string>{"a", "b"}));
}

TEST(ManagerLinks, SelfManagementIsALoop) {
    EXPECT_EQ(manager_cycle({}, 7, 7), (std::vector<std::int64_t>{7, 7}));
}

TEST(ManagerLinks, ManagerWhoReportsToTheUserClosesALoop) {
    ManagerLinks links{{2, 3}, {3, 1}};  // 2 reports to 3, 3 reports to 1
    EXPECT_EQ(manager_cycle(links, 1, 2), (std::vector<std::int64_t>{1, 2, 3, 1}));
}

TEST(ManagerLinks, ChainThatEndsElsewhereIsSafe) {
    ManagerLinks links{{2, 3}, {3, 4}};
    EXPECT_TRUE(manager_cycle(links, 1, 2).empty());
}

TEST(ManagerLinks, ExistingLoopNotThroughTheUserTerminates) {
    ManagerLinks links{{2, 3}, {3, 2}};
    EXPECT_TRUE(manager_cycle(links, 1, 2).empty());
}
