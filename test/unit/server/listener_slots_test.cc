#include "server/listener_slots.h"

#include <gtest/gtest.h>

namespace meshgate::server {
namespace {

ir::Listener listener(uint32_t port, std::string host = "grpc.example.com") {
  ir::Listener l;
  l.name = "0.0.0.0_" + std::to_string(port);
  l.port = port;
  ir::VirtualHost vh;
  vh.name = host + ":" + std::to_string(port);
  vh.domains = {std::move(host)};
  l.virtual_hosts.push_back(std::move(vh));
  return l;
}

std::string key(uint32_t port) { return std::to_string(port) + "=127.0.0.1:0"; }

// Plans `ports` and commits the plan, like an accepted reload.
ListenerSlots::Plan apply(ListenerSlots& slots, const std::vector<uint32_t>& ports) {
  std::vector<ir::Listener> listeners;
  std::vector<std::string> keys;
  for (uint32_t port : ports) {
    listeners.push_back(listener(port));
    keys.push_back(key(port));
  }
  auto plan = slots.plan(listeners, keys);
  EXPECT_TRUE(plan.ok()) << plan.status();
  if (!plan.ok()) return {};
  slots.commit(*plan);
  return *plan;
}

using Slots = std::vector<size_t>;

TEST(ListenerSlotsTest, FirstPlanOpensEveryListenerInOrder) {
  ListenerSlots slots;
  auto plan = apply(slots, {80, 443});
  EXPECT_EQ(plan.added, (Slots{0, 1}));
  EXPECT_TRUE(plan.removed.empty());
  EXPECT_TRUE(plan.kept.empty());
  ASSERT_EQ(plan.listeners.size(), 2u);
  EXPECT_EQ(plan.listeners[1].port, 443u);
}

TEST(ListenerSlotsTest, UnchangedListenersKeepTheirSlotsWhateverTheOrder) {
  ListenerSlots slots;
  apply(slots, {80, 443});
  auto plan = apply(slots, {443, 80});
  EXPECT_EQ(plan.kept, (Slots{0, 1}));
  EXPECT_TRUE(plan.added.empty());
  EXPECT_TRUE(plan.removed.empty());
  EXPECT_EQ(plan.listeners[0].port, 80u);
  EXPECT_EQ(plan.listeners[1].port, 443u);
}

TEST(ListenerSlotsTest, RemovedListenerLeavesAClosedSlotThatKeepsItsRoutes) {
  ListenerSlots slots;
  apply(slots, {80, 443, 8080});
  auto plan = apply(slots, {80, 8080});
  EXPECT_EQ(plan.kept, (Slots{0, 2}));
  EXPECT_EQ(plan.removed, (Slots{1}));
  EXPECT_EQ(plan.open, (std::vector<bool>{true, false, true}));
  // Streams racing the GOAWAY on the closed listener's connections still find its routes.
  EXPECT_EQ(plan.listeners[1].port, 443u);
  EXPECT_EQ(plan.listeners[1].virtual_hosts.size(), 1u);
  EXPECT_FALSE(slots.isOpen(1));
}

TEST(ListenerSlotsTest, AddedListenerTakesANewSlotAndAReturningOneItsOld) {
  ListenerSlots slots;
  apply(slots, {80, 443});
  apply(slots, {80});
  auto plan = apply(slots, {9090, 80});
  EXPECT_EQ(plan.added, (Slots{2}));
  EXPECT_EQ(plan.kept, (Slots{0}));
  EXPECT_EQ(plan.listeners[2].port, 9090u);
  plan = apply(slots, {443, 80, 9090});
  EXPECT_EQ(plan.added, (Slots{1}));
  EXPECT_EQ(plan.kept, (Slots{0, 2}));
  EXPECT_EQ(slots.size(), 3u);
}

TEST(ListenerSlotsTest, ChangedContentOnTheSameKeyIsKept) {
  ListenerSlots slots;
  apply(slots, {80});
  std::vector<ir::Listener> listeners = {listener(80, "other.example.com")};
  auto plan = slots.plan(listeners, {key(80)});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->kept, (Slots{0}));
  EXPECT_EQ(plan->listeners[0].virtual_hosts[0].domains[0], "other.example.com");
}

TEST(ListenerSlotsTest, TwoListenersOnOneAddressAreRefused) {
  ListenerSlots slots;
  std::vector<ir::Listener> listeners = {listener(80), listener(80)};
  auto plan = slots.plan(listeners, {key(80), key(80)});
  EXPECT_FALSE(plan.ok());
}

TEST(ListenerSlotsTest, PlanWithoutCommitChangesNothing) {
  ListenerSlots slots;
  apply(slots, {80});
  std::vector<ir::Listener> listeners = {listener(443)};
  ASSERT_TRUE(slots.plan(listeners, {key(443)}).ok());
  auto plan = apply(slots, {80});
  EXPECT_EQ(plan.kept, (Slots{0}));
  EXPECT_EQ(slots.size(), 1u);
}

}  // namespace
}  // namespace meshgate::server
