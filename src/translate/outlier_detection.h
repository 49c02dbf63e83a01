#pragma once

#include <string>

#include "config/diagnostics.h"
#include "config/model/destination_rule.h"
#include "ir/config.h"

namespace meshgate::translate {

// trafficPolicy.outlierDetection → ir::OutlierDetection, as Istio's pilot configures Envoy's
// detector: consecutive5xxErrors defaults to 5 (0 turns it off), consecutiveGatewayErrors is
// off unless set, the deprecated consecutiveErrors means consecutiveGatewayErrors with the 5xx
// detector off, consecutiveLocalOriginFailures only counts with splitExternalLocalOriginErrors
// (default 5 then), interval 10s, baseEjectionTime 30s, maxEjectionPercent 10 (0: the
// default), minHealthPercent 0. Problems go to `d` under `path`.
ir::OutlierDetection convertOutlierDetection(const config::OutlierDetectionSettings& outlier,
                                             const std::string& path, config::Diagnostics& d);

}  // namespace meshgate::translate
