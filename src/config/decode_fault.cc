#include "config/decode.h"

// VirtualService http[].fault: schema only. Which combinations are valid, the ranges and what an
// absent percentage means are Istio semantics, checked by translate with these positions.
namespace meshgate::config {
namespace {

HttpFaultDelay decodeDelay(MapReader& delay) {
  HttpFaultDelay out;
  out.where = delay.where();
  out.fixed_delay = delay.duration("fixedDelay");
  out.percentage = decodePercent(delay, "percentage");
  out.percent = delay.integer("percent");
  delay.presence("exponentialDelay", out.unimplemented);
  return out;
}

HttpFaultAbort decodeAbort(MapReader& abort) {
  HttpFaultAbort out;
  out.where = abort.where();
  out.http_status = abort.integer("httpStatus");
  out.grpc_status = abort.string("grpcStatus");
  out.percentage = decodePercent(abort, "percentage");
  abort.presence("http2Error", out.unimplemented);
  return out;
}

}  // namespace

HttpFault decodeFault(MapReader& fault) {
  HttpFault out;
  out.where = fault.where();
  fault.object("delay", [&](MapReader& delay) { out.delay = decodeDelay(delay); });
  fault.object("abort", [&](MapReader& abort) { out.abort = decodeAbort(abort); });
  return out;
}

}  // namespace meshgate::config
