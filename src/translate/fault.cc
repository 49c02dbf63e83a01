#include "translate/fault.h"

#include <chrono>

#include <fmt/format.h>

#include "grpcwire/status.h"

namespace meshgate::translate {
namespace {

void warnUnimplemented(const std::vector<config::Located<std::string>>& fields,
                       const std::string& path, config::Diagnostics& d) {
  for (const auto& field : fields) {
    d.warning(field.where, path + "." + field.value,
              "meshgate does not implement " + field.value + " yet; it is ignored");
  }
}

// The percentage of calls to inject into: percentage.value, else the deprecated integer
// `percent` when there is one (delay only), else none at all, as Istio translates it.
std::optional<double> translatePercent(const config::Located<double>& percentage,
                                       const config::Located<int64_t>* percent,
                                       const std::string& path, base::SourceRef where,
                                       config::Diagnostics& d) {
  if (percentage) {
    if (!(percentage.value >= 0 && percentage.value <= 100)) {
      d.error(percentage.where, path + ".percentage.value",
              fmt::format("percentage {} is out of range 0-100", percentage.value));
      return std::nullopt;
    }
    if (percent != nullptr && *percent) {
      d.warning(percent->where, path + ".percent",
                "the deprecated percent is ignored when percentage is set");
    }
    return percentage.value;
  }
  if (percent != nullptr && *percent) {
    if (percent->value < 0 || percent->value > 100) {
      d.error(percent->where, path + ".percent",
              fmt::format("percent {} is out of range 0-100", percent->value));
      return std::nullopt;
    }
    return static_cast<double>(percent->value);
  }
  d.warning(where, path + ".percentage",
            "no percentage: like Istio, this fault is injected into no call",
            "set percentage: {value: 100} to inject it into every call");
  return 0.0;
}

std::optional<ir::FaultDelay> translateDelay(const config::HttpFaultDelay& delay,
                                             const std::string& path, config::Diagnostics& d) {
  warnUnimplemented(delay.unimplemented, path, d);
  if (!delay.fixed_delay) {
    if (delay.unimplemented.empty()) {
      d.error(delay.where, path + ".fixedDelay", "required field 'fixedDelay' is missing");
    }
    return std::nullopt;
  }
  auto fixed = std::chrono::ceil<std::chrono::milliseconds>(delay.fixed_delay.value);
  if (fixed.count() < 1) {
    d.error(delay.fixed_delay.where, path + ".fixedDelay", "fixedDelay must be at least 1ms");
    return std::nullopt;
  }
  auto percent = translatePercent(delay.percentage, &delay.percent, path, delay.where, d);
  if (!percent) return std::nullopt;
  return ir::FaultDelay{fixed, *percent};
}

std::optional<ir::FaultAbort> translateAbort(const config::HttpFaultAbort& abort,
                                             const std::string& path, config::Diagnostics& d) {
  warnUnimplemented(abort.unimplemented, path, d);
  if (abort.http_status && abort.grpc_status) {
    d.error(abort.grpc_status.where, path + ".grpcStatus",
            "set one of httpStatus and grpcStatus, not both");
    return std::nullopt;
  }
  ir::FaultAbort out;
  if (abort.http_status) {
    if (abort.http_status.value < 200 || abort.http_status.value > 599) {
      d.error(abort.http_status.where, path + ".httpStatus",
              fmt::format("httpStatus {} is out of range 200-599", abort.http_status.value));
      return std::nullopt;
    }
    out.http_status = static_cast<uint32_t>(abort.http_status.value);
  } else if (abort.grpc_status) {
    out.grpc_status = grpcStatusNumber(abort.grpc_status.value);
    if (!out.grpc_status) {
      d.error(abort.grpc_status.where, path + ".grpcStatus",
              fmt::format("unknown gRPC status '{}'", abort.grpc_status.value),
              "use a status name such as UNAVAILABLE, DEADLINE_EXCEEDED or RESOURCE_EXHAUSTED");
      return std::nullopt;
    }
  } else {
    // http2Error alone was warned about as not implemented.
    if (abort.unimplemented.empty()) {
      d.error(abort.where, path, "set one of httpStatus and grpcStatus");
    }
    return std::nullopt;
  }
  auto percent = translatePercent(abort.percentage, nullptr, path, abort.where, d);
  if (!percent) return std::nullopt;
  out.percent = *percent;
  return out;
}

}  // namespace

// Istio names the codes as google.rpc.Code does: the canonical upper-case names only.
std::optional<uint32_t> grpcStatusNumber(std::string_view name) {
  auto code = grpcwire::parseCodeName(name);
  if (!code || grpcwire::codeName(*code) != name) return std::nullopt;
  return static_cast<uint32_t>(grpcwire::codeNumber(*code));
}

std::optional<ir::Fault> translateFault(const config::HttpFault& fault, const std::string& path,
                                        config::Diagnostics& d) {
  if (!fault.delay && !fault.abort) {
    d.error(fault.where, path, "a fault needs delay, abort or both");
    return std::nullopt;
  }
  ir::Fault out;
  if (fault.delay) out.delay = translateDelay(*fault.delay, path + ".delay", d);
  if (fault.abort) out.abort = translateAbort(*fault.abort, path + ".abort", d);
  if (!out.delay && !out.abort) return std::nullopt;
  return out;
}

}  // namespace meshgate::translate
