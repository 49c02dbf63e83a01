#include "upstream/cluster_set.h"

#include <gtest/gtest.h>

namespace meshgate::upstream {
namespace {

ClusterInfo cluster(std::string name) { return {std::move(name), "svc.ns.svc.cluster.local", {}}; }

TEST(ClusterSetTest, IndexOfFindsClustersInTheirOrder) {
  ClusterSet set({cluster("outbound|50051||a"), cluster("outbound|50051||b")});
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(set.indexOf("outbound|50051||a"), 0u);
  EXPECT_EQ(set.indexOf("outbound|50051||b"), 1u);
  EXPECT_EQ(set.at(1).name, "outbound|50051||b");
}

TEST(ClusterSetTest, IndexOfAnUnknownNameIsNullopt) {
  ClusterSet set({cluster("outbound|50051||a")});
  EXPECT_EQ(set.indexOf("outbound|50051||A"), std::nullopt);
  EXPECT_EQ(set.indexOf(""), std::nullopt);
  EXPECT_EQ(ClusterSet({}).indexOf("outbound|50051||a"), std::nullopt);
}

}  // namespace
}  // namespace meshgate::upstream
