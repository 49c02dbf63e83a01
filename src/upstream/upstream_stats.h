#pragma once

#include "base/gauge.h"

namespace meshgate::upstream {

// The upstream side's numbers for one worker, owned by its ClusterManager (see
// proxy::ProxyStats for why they are gauges).
struct UpstreamStats {
  base::Gauge connections;  // open (or opening) connections to backends
  base::Gauge streams;      // streams the gateway has open on them
  base::Counter connections_opened;
};

}  // namespace meshgate::upstream
