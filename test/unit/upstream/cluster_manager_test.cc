#include "upstream/cluster_manager.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "io/event_loop.h"

namespace meshgate::upstream {
namespace {

HostInfo host(const std::string& ip, uint16_t port = 50051) {
  return {*io::Address::fromNumeric(ip, port), ip + ":" + std::to_string(port), 1};
}

ClusterInfo cluster(std::string name, std::vector<HostInfo> hosts) {
  return {std::move(name), "svc.ns.svc.cluster.local", std::move(hosts)};
}

std::shared_ptr<const ClusterSet> clusterSet(std::vector<ClusterInfo> clusters) {
  return std::make_shared<const ClusterSet>(std::move(clusters));
}

// No pick here connects: pools open connections only when a call acquires one.
class ClusterManagerTest : public ::testing::Test {
 protected:
  std::string pickLabel(const ClusterSet& set, uint32_t cluster_index) {
    ClusterManager::Pick pick = manager_.pick(set, cluster_index);
    if (pick.pool == nullptr) return "";
    EXPECT_NE(pick.host, nullptr);
    EXPECT_EQ(pick.pool->host().label, pick.host->label);
    return pick.host->label;
  }

  io::EventLoop loop_;
  http::Limits limits_;
  ClusterManager manager_{loop_, limits_, nullptr};
};

TEST_F(ClusterManagerTest, RoundRobinCyclesThroughHostsPerCall) {
  auto set = clusterSet({cluster("c", {host("10.0.0.1"), host("10.0.0.2"), host("10.0.0.3")})});
  manager_.setClusters(set);
  std::vector<std::string> labels;
  for (int i = 0; i < 7; ++i) labels.push_back(pickLabel(*set, 0));
  EXPECT_EQ(labels, (std::vector<std::string>{"10.0.0.1:50051", "10.0.0.2:50051", "10.0.0.3:50051",
                                              "10.0.0.1:50051", "10.0.0.2:50051", "10.0.0.3:50051",
                                              "10.0.0.1:50051"}));
}

TEST_F(ClusterManagerTest, EachClusterHasItsOwnCursor) {
  auto set = clusterSet({cluster("a", {host("10.0.0.1"), host("10.0.0.2")}),
                         cluster("b", {host("10.0.1.1"), host("10.0.1.2")})});
  manager_.setClusters(set);
  EXPECT_EQ(pickLabel(*set, 0), "10.0.0.1:50051");
  EXPECT_EQ(pickLabel(*set, 1), "10.0.1.1:50051");
  EXPECT_EQ(pickLabel(*set, 0), "10.0.0.2:50051");
  EXPECT_EQ(pickLabel(*set, 1), "10.0.1.2:50051");
}

TEST_F(ClusterManagerTest, ExcludedHostsArePickedOnlyWhenNoOtherIsLeft) {
  for (LbKind kind : {LbKind::kRoundRobin, LbKind::kRandom, LbKind::kLeastRequest}) {
    ClusterInfo info = cluster("c", {host("10.0.0.1"), host("10.0.0.2"), host("10.0.0.3")});
    info.lb.kind = kind;
    auto with_kind = clusterSet({info});
    manager_.setClusters(with_kind);
    for (int i = 0; i < 20; ++i) {
      const uint32_t tried[] = {0, 2};
      ClusterManager::Pick pick = manager_.pick(*with_kind, 0, std::nullopt, {tried, false});
      EXPECT_EQ(pick.host_index, 1u);
      EXPECT_EQ(pick.host->label, "10.0.0.2:50051");
    }
    const uint32_t all[] = {0, 1, 2};
    EXPECT_NE(manager_.pick(*with_kind, 0, std::nullopt, {all, false}).pool, nullptr)
        << "every host tried: any will do";
  }
}

TEST_F(ClusterManagerTest, CountedPicksHoldAnActiveRequest) {
  auto set = clusterSet({cluster("c", {host("10.0.0.1")})});
  manager_.setClusters(set);
  {
    ClusterManager::Pick pick = manager_.pick(*set, 0, std::nullopt, {{}, true});
    EXPECT_TRUE(pick.slot);
    EXPECT_EQ(set->at(0).counters->active_requests.load(), 1u);
  }
  EXPECT_EQ(set->at(0).counters->active_requests.load(), 0u);
  EXPECT_FALSE(manager_.pick(*set, 0).slot) << "uncounted without a limit or a retry policy";
}

TEST_F(ClusterManagerTest, ClusterWithoutHostsGivesAnEmptyPick) {
  auto set = clusterSet({cluster("empty", {}), cluster("full", {host("10.0.0.1")})});
  manager_.setClusters(set);
  ClusterManager::Pick pick = manager_.pick(*set, 0);
  EXPECT_EQ(pick.pool, nullptr);
  EXPECT_EQ(pick.host, nullptr);
  EXPECT_EQ(pickLabel(*set, 1), "10.0.0.1:50051");
}

TEST_F(ClusterManagerTest, OneHostAddressSharesOnePoolAcrossClusters) {
  auto set = clusterSet({cluster("a", {host("10.0.0.1")}), cluster("b", {host("10.0.0.1")})});
  manager_.setClusters(set);
  EXPECT_EQ(manager_.pick(*set, 0).pool, manager_.pick(*set, 1).pool);
}

TEST_F(ClusterManagerTest, PoolSurvivesSetClustersWhenTheHostStays) {
  auto before = clusterSet({cluster("c", {host("10.0.0.1"), host("10.0.0.2")})});
  manager_.setClusters(before);
  ConnectionPool* kept = manager_.pick(*before, 0).pool;
  ConnectionPool* dropped = manager_.pick(*before, 0).pool;
  ASSERT_NE(kept, dropped);

  // The new version lists the surviving host at another position, next to a new host.
  auto after = clusterSet(
      {cluster("other", {host("10.0.9.9")}), cluster("c", {host("10.0.0.3"), host("10.0.0.1")})});
  manager_.setClusters(after);
  ClusterManager::Pick fresh = manager_.pick(*after, 1);
  ClusterManager::Pick survivor = manager_.pick(*after, 1);
  EXPECT_EQ(fresh.host->label, "10.0.0.3:50051");
  EXPECT_NE(fresh.pool, kept);
  // The dropped host's pool was pruned (its memory may be reused): compare by host.
  EXPECT_EQ(fresh.pool->host().label, "10.0.0.3:50051");
  EXPECT_EQ(survivor.host->label, "10.0.0.1:50051");
  EXPECT_EQ(survivor.pool, kept);
}

TEST_F(ClusterManagerTest, CallsPinnedToAnOlderSetUseTheSamePools) {
  auto before = clusterSet({cluster("c", {host("10.0.0.1")})});
  manager_.setClusters(before);
  ConnectionPool* pool = manager_.pick(*before, 0).pool;
  auto after = clusterSet({cluster("c", {host("10.0.0.1")}), cluster("d", {host("10.0.0.2")})});
  manager_.setClusters(after);
  ClusterManager::Pick pinned = manager_.pick(*before, 0);
  EXPECT_EQ(pinned.pool, pool);
  EXPECT_EQ(pinned.host, &before->at(0).hosts[0]);
  EXPECT_EQ(manager_.pick(*after, 0).pool, pool);
}

// A call that began on an older config may pick after a reload removed every cluster (all
// VirtualServices deleted): it must still get its host, not divide by an empty cursor table.
TEST_F(ClusterManagerTest, PickFromAnOlderSetWorksAfterSwitchingToNoClusters) {
  auto before = clusterSet({cluster("c", {host("10.0.0.1")})});
  manager_.setClusters(before);
  manager_.setClusters(clusterSet({}));
  ClusterManager::Pick pinned = manager_.pick(*before, 0);
  ASSERT_NE(pinned.pool, nullptr);
  EXPECT_EQ(pinned.host->label, "10.0.0.1:50051");
}

TEST_F(ClusterManagerTest, PoolsOfRemovedHostsArePruned) {
  manager_.setClusters(clusterSet(
      {cluster("c", {host("10.0.0.1"), host("10.0.0.2")}), cluster("d", {host("10.0.0.3")})}));
  EXPECT_EQ(manager_.poolCount(), 3u);
  // 10.0.0.2 leaves c; 10.0.0.3 moves from d to c: only 10.0.0.2's pool goes.
  auto after = clusterSet({cluster("c", {host("10.0.0.1"), host("10.0.0.3")})});
  manager_.setClusters(after);
  EXPECT_EQ(manager_.poolCount(), 2u);
  EXPECT_EQ(pickLabel(*after, 0), "10.0.0.1:50051");
  EXPECT_EQ(pickLabel(*after, 0), "10.0.0.3:50051");
}

class NullCallbacks : public UpstreamStreamCallbacks {
 public:
  bool onUpstreamHeader(std::string_view, std::string_view) override { return true; }
  void onUpstreamHeadersEnd(bool) override {}
  void onUpstreamData(const uint8_t*, size_t) override {}
  void onUpstreamDataEnd() override {}
  void onUpstreamClose(uint32_t, std::string_view) override {}
  http::h2::BodyChunk onUpstreamBodyRead(uint8_t*, size_t) override {
    return {http::h2::BodyChunk::Kind::kEnd, 0};
  }
};

// A removed host's pool with a call on it stays until the call is done: pruning never cuts a
// call in flight.
TEST_F(ClusterManagerTest, BusyPoolOfARemovedHostIsPrunedOnceIdle) {
  auto listener = io::listenTcp(*io::Address::fromNumeric("127.0.0.1", 0), false, 16);
  ASSERT_TRUE(listener.ok());
  io::Address address = io::localAddress(listener->get());
  HostInfo busy_host{address, address.toString(), 1};
  auto before = clusterSet({cluster("c", {busy_host})});
  manager_.setClusters(before);
  ConnectionPool* pool = manager_.pick(*before, 0).pool;
  std::string error;
  UpstreamConnection* connection = pool->acquire(error);
  ASSERT_NE(connection, nullptr) << error;
  NullCallbacks callbacks;
  std::vector<http::HeaderView> headers = {
      {":method", "POST"}, {":scheme", "http"}, {":path", "/s/M"}, {":authority", "svc"}};
  int32_t stream = connection->startStream(headers, false, callbacks);
  ASSERT_GT(stream, 0);

  manager_.setClusters(clusterSet({cluster("c", {host("10.0.0.1")})}));
  EXPECT_EQ(manager_.poolCount(), 2u) << "the busy pool must survive the change";
  EXPECT_EQ(manager_.pruneIdlePools(), 1u);

  connection->cancelStream(stream, 8);
  EXPECT_EQ(manager_.pruneIdlePools(), 0u);
  EXPECT_EQ(manager_.poolCount(), 1u);
}

// http2MaxRequests counts the cluster's active calls; a pick beyond it names the limit, and a
// finished call (its slot released) makes room again.
TEST_F(ClusterManagerTest, Http2MaxRequestsOverflowsAndRecovers) {
  ClusterInfo limited = cluster("c", {host("10.0.0.1")});
  limited.pool.max_requests = 2;
  auto set = clusterSet({limited});
  manager_.setClusters(set);
  ClusterManager::Pick first = manager_.pick(*set, 0);
  ClusterManager::Pick second = manager_.pick(*set, 0);
  ASSERT_NE(second.pool, nullptr);
  ClusterManager::Pick third = manager_.pick(*set, 0);
  EXPECT_EQ(third.pool, nullptr);
  EXPECT_EQ(third.overflow, "cluster c is at connectionPool.http.http2MaxRequests (2)");
  first.slot.reset();
  EXPECT_NE(manager_.pick(*set, 0).pool, nullptr);
}

TEST_F(ClusterManagerTest, ClustersWithPoolSettingsGetTheirOwnPools) {
  ClusterInfo plain = cluster("plain", {host("10.0.0.1")});
  ClusterInfo limited = cluster("limited", {host("10.0.0.1")});
  limited.pool.max_concurrent_streams = 4;
  auto set = clusterSet({plain, limited});
  manager_.setClusters(set);
  ConnectionPool* limited_pool = manager_.pick(*set, 1).pool;
  EXPECT_NE(manager_.pick(*set, 0).pool, limited_pool);
  EXPECT_EQ(limited_pool->settings().max_concurrent_streams, 4u);
}

}  // namespace
}  // namespace meshgate::upstream
