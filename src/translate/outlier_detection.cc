#include "translate/outlier_detection.h"

namespace meshgate::translate {
namespace {

using config::Located;

// Istio validates durations as at least 1ms.
void readDuration(const Located<config::Duration>& value, const std::string& field,
                  config::Diagnostics& d, std::chrono::milliseconds& out) {
  if (!value) return;
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(value.value);
  if (millis.count() < 1) {
    d.error(value.where, field, "must be at least 1ms");
    return;
  }
  out = millis;
}

// Istio's int32 percentages must lie in 0..100.
bool readPercent(const Located<int64_t>& value, const std::string& field, config::Diagnostics& d) {
  if (!value) return false;
  if (value.value < 0 || value.value > 100) {
    d.error(value.where, field, "percentage " + std::to_string(value.value) + " is outside 0-100");
    return false;
  }
  return true;
}

}  // namespace

ir::OutlierDetection convertOutlierDetection(const config::OutlierDetectionSettings& outlier,
                                             const std::string& path, config::Diagnostics& d) {
  ir::OutlierDetection out;
  if (outlier.consecutive_errors) {
    if (outlier.consecutive_errors.value < 0) {
      d.error(outlier.consecutive_errors.where, path + ".consecutiveErrors",
              "consecutive errors cannot be negative");
    } else {
      d.warning(outlier.consecutive_errors.where, path + ".consecutiveErrors",
                "consecutiveErrors is deprecated; like Istio, meshgate reads it as "
                "consecutiveGatewayErrors and turns the 5xx detector off",
                "use consecutiveGatewayErrors or consecutive5xxErrors");
      if (outlier.consecutive_errors.value > 0) {
        out.consecutive_gateway =
            static_cast<uint32_t>(std::min<int64_t>(outlier.consecutive_errors.value, 0x7fffffff));
        out.consecutive_5xx = 0;
      }
    }
  }
  if (outlier.consecutive_5xx_errors) out.consecutive_5xx = outlier.consecutive_5xx_errors.value;
  if (outlier.consecutive_gateway_errors) {
    out.consecutive_gateway = outlier.consecutive_gateway_errors.value;
  }
  out.split_local_origin = outlier.split_external_local_origin_errors.value;
  if (outlier.consecutive_local_origin_failures) {
    if (!out.split_local_origin) {
      d.warning(outlier.consecutive_local_origin_failures.where,
                path + ".consecutiveLocalOriginFailures",
                "has no effect without splitExternalLocalOriginErrors: local-origin failures "
                "count as gateway errors and 5xx",
                "set splitExternalLocalOriginErrors: true to count them on their own");
    } else if (outlier.consecutive_local_origin_failures.value > 0) {
      out.consecutive_local_origin = outlier.consecutive_local_origin_failures.value;
    }
  }
  readDuration(outlier.interval, path + ".interval", d, out.interval);
  readDuration(outlier.base_ejection_time, path + ".baseEjectionTime", d, out.base_ejection_time);
  if (readPercent(outlier.max_ejection_percent, path + ".maxEjectionPercent", d) &&
      outlier.max_ejection_percent.value > 0) {
    out.max_ejection_percent = static_cast<uint32_t>(outlier.max_ejection_percent.value);
  }
  if (readPercent(outlier.min_health_percent, path + ".minHealthPercent", d)) {
    out.min_health_percent = static_cast<uint32_t>(outlier.min_health_percent.value);
  }
  if (out.consecutive_5xx == 0 && out.consecutive_gateway == 0 && !out.split_local_origin) {
    d.warning(outlier.where, path,
              "every detector is off (consecutive5xxErrors: 0 and no "
              "consecutiveGatewayErrors): no host is ever ejected",
              "set consecutive5xxErrors or consecutiveGatewayErrors");
  }
  return out;
}

}  // namespace meshgate::translate
