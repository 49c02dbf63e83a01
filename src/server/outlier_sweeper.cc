#include "server/outlier_sweeper.h"

#include <algorithm>

namespace meshgate::server {

OutlierSweeper::OutlierSweeper(io::EventLoop& loop, Current current)
    : current_(std::move(current)), timer_(loop, [this] { sweep(); }) {
  timer_.arm(tick(current_().get()));
}

std::chrono::milliseconds OutlierSweeper::tick(const upstream::ClusterSet* clusters) {
  std::chrono::milliseconds out = kMaxTick;
  if (clusters == nullptr) return out;
  for (size_t i = 0; i < clusters->size(); ++i) {
    const auto& detector = clusters->at(static_cast<uint32_t>(i)).outlier_detector;
    if (detector != nullptr) out = std::min(out, detector->settings().interval);
  }
  return std::max(out, std::chrono::milliseconds(1));
}

void OutlierSweeper::sweep() {
  std::shared_ptr<const upstream::ClusterSet> clusters = current_();
  if (clusters != nullptr) {
    auto now = upstream::OutlierDetector::Clock::now();
    for (size_t i = 0; i < clusters->size(); ++i) {
      const auto& detector = clusters->at(static_cast<uint32_t>(i)).outlier_detector;
      if (detector != nullptr) detector->sweep(now);
    }
  }
  timer_.arm(tick(clusters.get()));
}

}  // namespace meshgate::server
