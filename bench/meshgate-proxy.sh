#!/usr/bin/env bash
# Starts meshgate for ../shared/bench/run.sh (PROXY_CMD='exec bench/meshgate-proxy.sh').
# Writes the users' kind of config: a Gateway, a VirtualService routing every call to a
# ServiceEntry for the bench backend, and for TLS a kubernetes.io/tls Secret.
# MESHGATE_BINARY runs another build of meshgate than build/meshgate.
set -euo pipefail
dir=$PROXY_WORKDIR
cfg=$dir/gateway.yaml
if [ "$PROXY_MODE" = tls ]; then
  server_port=443
  server="- port: {number: 443, name: https, protocol: HTTPS}
    hosts: [\"*\"]
    tls: {mode: SIMPLE, credentialName: bench-tls}"
else
  server_port=80
  server="- port: {number: 80, name: grpc, protocol: GRPC}
    hosts: [\"*\"]"
fi
cat >"$cfg" <<YAML
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: bench, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
  $server
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: bench, namespace: default}
spec:
  hosts: ["*"]
  gateways: [bench]
  http:
  - route:
    - destination: {host: backend.bench.internal, port: {number: $BACKEND_PORT}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: backend, namespace: default}
spec:
  hosts: [backend.bench.internal]
  ports: [{number: $BACKEND_PORT, name: grpc, protocol: GRPC}]
  resolution: STATIC
  endpoints: [{address: $BACKEND_HOST}]
YAML
if [ "$PROXY_MODE" = tls ]; then
  {
    echo "---"
    echo "apiVersion: v1"
    echo "kind: Secret"
    echo "metadata: {name: bench-tls, namespace: default}"
    echo "type: kubernetes.io/tls"
    echo "stringData:"
    echo "  tls.crt: |"
    sed 's/^/    /' "$TLS_CERT"
    echo "  tls.key: |"
    sed 's/^/    /' "$TLS_KEY"
  } >>"$cfg"
fi
exec ${MESHGATE_BINARY:-build/meshgate} serve --config "$cfg" --workers "${PROXY_WORKERS:-1}" --log-level ${LOG_LEVEL:-warn} ${EXTRA_FLAGS:-} \
  --listen "$server_port=127.0.0.1:$PROXY_PORT"
