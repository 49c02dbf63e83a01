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

ClusterInfo withHosts(std::string name, std::vector<std::string> labels) {
  ClusterInfo out = cluster(std::move(name));
  for (auto& label : labels) {
    HostInfo host;
    host.label = label;
    host.pool_key = label;
    out.hosts.push_back(std::move(host));
  }
  return out;
}

TEST(ClusterSetTest, HostsKeepTheirHealthAcrossVersions) {
  ClusterSet first({withHosts("c", {"10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"})});
  first.at(0).health->set(1, HealthFlag::kFailedActiveCheck);
  // Outlier ejections move with their detector (OutlierDetectorTest); without one they end.
  first.at(0).health->set(2, HealthFlag::kOutlierEjected);
  // 10.0.0.2 stays (now at index 0), 10.0.0.3 goes, 10.0.0.4 is new.
  ClusterSet second({withHosts("c", {"10.0.0.2:80", "10.0.0.1:80", "10.0.0.4:80"}),
                     withHosts("d", {"10.0.0.2:80"})},
                    &first);
  const ClusterHealth& health = *second.at(0).health;
  EXPECT_TRUE(health.has(0, HealthFlag::kFailedActiveCheck));
  EXPECT_TRUE(health.healthy(1));
  EXPECT_TRUE(health.healthy(2));
  EXPECT_EQ(health.unhealthyCount(), 1u);
  EXPECT_TRUE(second.at(1).health->healthy(0));  // health belongs to a cluster's host
}

}  // namespace
}  // namespace meshgate::upstream
