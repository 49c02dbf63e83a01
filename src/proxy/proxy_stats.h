#pragma once

#include "base/gauge.h"

namespace meshgate::proxy {

// The proxy's numbers for one worker, owned by its WorkerContext; the admin endpoint sums them
// over workers. Gauges return to zero when the gateway carries nothing, which is how tests see
// that a failure leaked no stream, buffer or connection.
struct ProxyStats {
  base::Gauge downstream_connections;
  base::Gauge downstream_streams;       // ActiveStreams: calls not yet finished
  base::Gauge request_buffered_bytes;   // request bytes held for the upstream
  base::Gauge response_buffered_bytes;  // response bytes held for the client
  base::Gauge shadow_streams;           // mirror copies still running
  base::Counter calls;                  // streams the clients opened
  base::Counter local_replies;          // calls the gateway answered itself
  base::Counter faults_delayed;
  base::Counter faults_aborted;
  base::Counter retries;                 // attempts after the first
  base::Counter retry_budget_exceeded;   // retries not made: the cluster's budget was full
  base::Counter retry_buffer_overflows;  // calls committed: the request outgrew the buffer
  base::Counter per_try_timeouts;        // attempts cancelled by perTryTimeout
  base::Counter retries_exhausted;       // calls whose last allowed attempt failed retriably
};

}  // namespace meshgate::proxy
