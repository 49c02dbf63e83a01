#include "support/fail_knobs.h"

namespace meshgate::testing {
namespace {

std::string valueOf(const std::multimap<std::string, std::string>& metadata,
                    const std::string& key) {
  auto it = metadata.find(key);
  return it == metadata.end() ? std::string() : it->second;
}

}  // namespace

FailPlan FailKnobs::onAttempt(const std::string& backend_id,
                              const std::multimap<std::string, std::string>& metadata,
                              std::optional<std::chrono::milliseconds> deadline) {
  FailPlan plan;
  std::string id = valueOf(metadata, "x-fail-call-id");
  if (id.empty()) return plan;
  AttemptRecord record{id, 0, std::chrono::steady_clock::now(),
                       valueOf(metadata, "grpc-previous-rpc-attempts"), deadline};
  {
    std::lock_guard lock(mutex_);
    record.attempt = ++counts_[id];
    records_.push_back(record);
  }
  std::string attempts = valueOf(metadata, "x-fail-attempts");
  int fail_attempts = attempts.empty() ? 1 : std::stoi(attempts);
  if (record.attempt > fail_attempts) return plan;
  if (std::string only = valueOf(metadata, "x-fail-backend"); !only.empty() && only != backend_id) {
    return plan;
  }
  plan.fail = true;
  if (std::string status = valueOf(metadata, "x-fail-status"); !status.empty()) {
    plan.status = std::stoi(status);
  }
  std::string mode = valueOf(metadata, "x-fail-mode");
  if (mode == "headers-then-trailers") plan.mode = FailPlan::Mode::kHeadersThenTrailers;
  if (mode == "after-message") plan.mode = FailPlan::Mode::kAfterMessage;
  plan.message = "injected failure of attempt " + std::to_string(record.attempt) + " of " + id;
  return plan;
}

std::vector<AttemptRecord> FailKnobs::attempts(std::string_view call_id) const {
  std::lock_guard lock(mutex_);
  std::vector<AttemptRecord> out;
  for (const auto& record : records_) {
    if (record.call_id == call_id) out.push_back(record);
  }
  return out;
}

}  // namespace meshgate::testing
