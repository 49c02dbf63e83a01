#pragma once

#include <cstdint>

namespace meshgate::server {

// The consecutive-result count of one actively checked host. Like Envoy, a host the checker has
// just started probing (new to the cluster, or a cluster that just turned checking on) is out of
// the load-balancing set until it answers: one passed check brings it in; if the first check
// fails it needs `healthy_threshold` passed checks like any unhealthy host. A healthy host goes
// out after `unhealthy_threshold` consecutive failures.
class HostCheckState {
 public:
  enum class Change {
    kNone,
    kHealthy,    // joins the load-balancing set
    kUnhealthy,  // leaves it (or, after a first failed check, stays out)
  };

  Change onSuccess(uint32_t healthy_threshold) {
    failures_ = 0;
    ++successes_;
    bool was_pending = pending_;
    pending_ = false;
    if (healthy_ || (!was_pending && successes_ < healthy_threshold)) return Change::kNone;
    healthy_ = true;
    return Change::kHealthy;
  }

  Change onFailure(uint32_t unhealthy_threshold) {
    successes_ = 0;
    ++failures_;
    if (pending_) {
      pending_ = false;
      return Change::kUnhealthy;
    }
    if (!healthy_ || failures_ < unhealthy_threshold) return Change::kNone;
    healthy_ = false;
    return Change::kUnhealthy;
  }

  bool healthy() const { return healthy_; }
  bool pending() const { return pending_; }
  uint32_t consecutiveFailures() const { return failures_; }
  uint32_t consecutiveSuccesses() const { return successes_; }

 private:
  bool healthy_ = false;
  bool pending_ = true;  // no check has answered yet
  uint32_t successes_ = 0;
  uint32_t failures_ = 0;
};

}  // namespace meshgate::server
