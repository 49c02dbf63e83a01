#pragma once

#include "config/map_reader.h"
#include "config/model/model.h"

// One decoder per kind: schema only (names, types, positions), no Istio semantics. Each takes
// the document's top-level reader and reports every problem it finds.
namespace meshgate::config {

ObjectMeta decodeMeta(MapReader& doc);

Gateway decodeGateway(MapReader& doc);
VirtualService decodeVirtualService(MapReader& doc);
DestinationRule decodeDestinationRule(MapReader& doc);
ServiceEntry decodeServiceEntry(MapReader& doc);
WorkloadEntry decodeWorkloadEntry(MapReader& doc);
EnvoyFilter decodeEnvoyFilter(MapReader& doc);

Service decodeService(MapReader& doc);
Endpoints decodeEndpoints(MapReader& doc);
EndpointSlice decodeEndpointSlice(MapReader& doc);
Pod decodePod(MapReader& doc);
Secret decodeSecret(MapReader& doc);

// Shared pieces.
WorkloadEndpoint decodeWorkloadEndpoint(MapReader& reader);
TrafficPolicy decodeTrafficPolicy(MapReader& policy);
std::optional<StringMatch> decodeStringMatch(MapReader& parent, std::string_view key);
// A protobuf double written as a YAML scalar ("50", "0.5", "1e1").
Located<double> readDouble(MapReader& parent, std::string_view key);
// Istio Percent: {value: <double>} under `key`.
Located<double> decodePercent(MapReader& parent, std::string_view key);
// VirtualService http[].fault.
HttpFault decodeFault(MapReader& fault);
// The StringMatch map itself; `allow_empty` accepts `{}` (a presence match for headers).
std::optional<StringMatch> decodeStringMatchValue(MapReader& match, bool allow_empty);

}  // namespace meshgate::config
