#!/usr/bin/env bash
# Installs what is missing, builds meshgate and serves the bundled example (examples/) in front of
# three demo gRPC backends (examples/demo/server.js), runs one call through it, prints how to call
# it yourself, and keeps everything running until Ctrl-C.
#
# Demo ports: backends 50051-50053, gateway port 80 on 127.0.0.1:8080 (h2c) and port 443 on
# 127.0.0.1:8443 (TLS); MESHGATE_DEMO_H2C_PORT and MESHGATE_DEMO_TLS_PORT change the last two.
# MESHGATE_BUILD_DIR builds somewhere else than build/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
h2c_port=${MESHGATE_DEMO_H2C_PORT:-8080}
tls_port=${MESHGATE_DEMO_TLS_PORT:-8443}
build_dir=${MESHGATE_BUILD_DIR:-build}

tools/install_deps.sh
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" --target meshgate -j2
binary=$(find "$build_dir" -type f -name meshgate -perm -u+x -not -path '*/CMakeFiles/*' | head -n 1)
if [[ -z $binary ]]; then
  echo "run_demo.sh: built the meshgate target but found no $build_dir/**/meshgate binary" >&2
  exit 1
fi

tmp=$(mktemp -d /tmp/meshgate-demo.XXXXXX)
pids=()
cleanup() {
  trap - INT TERM EXIT
  # The gateway first (SIGTERM drains), then the backends and the log tail.
  if [[ -n ${gateway_pid:-} ]] && kill -0 "$gateway_pid" 2>/dev/null; then
    kill -TERM "$gateway_pid" 2>/dev/null || true
    wait "$gateway_pid" 2>/dev/null || true
  fi
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo; echo "stopping"; exit 0' INT TERM

# Waits until FILE has a line matching REGEX, while PID lives, for at most 30 s.
wait_for_line() {
  local file=$1 regex=$2 pid=$3 what=$4
  local deadline=$((SECONDS + 30))
  until grep -qE "$regex" "$file" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "run_demo.sh: $what exited before it was ready; its output:" >&2
      cat "$file" "${file%.out}.log" 2>/dev/null >&2 || true
      exit 1
    fi
    if ((SECONDS > deadline)); then
      echo "run_demo.sh: $what not ready after 30 s; its output:" >&2
      cat "$file" "${file%.out}.log" 2>/dev/null >&2 || true
      exit 1
    fi
    sleep 0.1
  done
}

# A demo CA and a certificate for grpc.example.com, and the Secret the Gateway's
# credentialName (grpc-tls-credential) names. Made fresh for every run; never committed.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=meshgate demo CA" -keyout "$tmp/ca.key" -out "$tmp/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -subj "/CN=grpc.example.com" -keyout "$tmp/tls.key" -out "$tmp/tls.csr" 2>/dev/null
printf '%s\n' 'subjectAltName=DNS:grpc.example.com,DNS:localhost,IP:127.0.0.1' \
  'basicConstraints=CA:FALSE' 'keyUsage=digitalSignature,keyEncipherment' \
  'extendedKeyUsage=serverAuth' >"$tmp/tls.ext"
openssl x509 -req -in "$tmp/tls.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -CAcreateserial \
  -days 2 -extfile "$tmp/tls.ext" -out "$tmp/tls.crt" 2>/dev/null
{
  printf '%s\n' 'apiVersion: v1' 'kind: Secret' 'metadata:' '  name: grpc-tls-credential' \
    'type: kubernetes.io/tls' 'stringData:' '  tls.crt: |'
  sed 's/^/    /' "$tmp/tls.crt"
  printf '%s\n' '  tls.key: |'
  sed 's/^/    /' "$tmp/tls.key"
} >"$tmp/secret.yaml"

# The backends named in examples/backends.yaml. setsid keeps Ctrl-C for this script, which then
# stops them in order.
for backend in grpc-service:50051 user-grpc-service:50052 order-grpc-service:50053; do
  name=${backend%%:*}
  port=${backend##*:}
  setsid node examples/demo/server.js --name "$name" --port "$port" \
    >"$tmp/$name.out" 2>"$tmp/$name.log" &
  pids+=($!)
  wait_for_line "$tmp/$name.out" 'listening' "$!" "backend $name"
done

# examples/*.yaml one by one, not --config examples/: a directory is read recursively, and
# examples/demo/node_modules holds YAML files of its own (CI configs of npm packages).
config_args=()
for file in examples/*.yaml; do config_args+=(--config "$file"); done
setsid "$binary" serve "${config_args[@]}" --config "$tmp/secret.yaml" \
  --listen "80=127.0.0.1:$h2c_port" --listen "443=127.0.0.1:$tls_port" --log-level info \
  >"$tmp/gateway.out" 2>"$tmp/gateway.log" &
gateway_pid=$!
wait_for_line "$tmp/gateway.out" '^ready$' "$gateway_pid" "meshgate"

cat <<MSG

meshgate is serving examples/*.yaml (Gateway grpc-gateway, VirtualService grpc-routing):
$(sed -n 's/^listening /  gateway port /p' "$tmp/gateway.out")
  gateway port 80 speaks h2c; port 443 speaks TLS with a certificate for grpc.example.com
  signed by the demo CA $tmp/ca.crt
Backends: grpc-service 127.0.0.1:50051 (Greeter), user-grpc-service :50052 (UserService, Health),
order-grpc-service :50053 (OrderService). Each answers with its own name in served_by.

Call it from another terminal, in $root:
  node examples/demo/client.js --target 127.0.0.1:$h2c_port --call all
  node examples/demo/client.js --target 127.0.0.1:$tls_port --ca $tmp/ca.crt --call GetUser --id 7
or with grpcurl, if you have it:
  grpcurl -plaintext -authority grpc.example.com -import-path examples/demo -proto greeter.proto \\
    -d '{"name": "World"}' 127.0.0.1:$h2c_port mypackage.Greeter/SayHello
  grpcurl -cacert $tmp/ca.crt -authority grpc.example.com -servername grpc.example.com \\
    -import-path examples/demo -proto greeter.proto -d '{"id": "7"}' 127.0.0.1:$tls_port mypackage.UserService/GetUser

Trying it now:
MSG
if ! node examples/demo/client.js --target "127.0.0.1:$h2c_port" --call all ||
  ! node examples/demo/client.js --target "127.0.0.1:$tls_port" --ca "$tmp/ca.crt" --call SayHello; then
  echo "run_demo.sh: a demo call through meshgate failed; meshgate's log:" >&2
  cat "$tmp/gateway.log" >&2
  exit 1
fi

echo
echo "Running until Ctrl-C. Gateway and backend logs follow."
tail -q -n 0 -f "$tmp/gateway.log" "$tmp"/*-service.log &
pids+=($!)
set +e
wait "$gateway_pid"
status=$?
set -e
gateway_pid=
echo "run_demo.sh: meshgate exited with status $status" >&2
exit "$status"
