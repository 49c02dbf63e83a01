'use strict';
// The users' YAML, written for one test run: Gateway, VirtualService, Service + Endpoints,
// ServiceEntry and the kubernetes.io/tls Secret, in the shapes the Istio docs and the seed use.

const HOST = 'grpc.example.com';

function block(text, indent) {
  const pad = ' '.repeat(indent);
  return String(text).trimEnd().split('\n').map((line) => pad + line).join('\n');
}

// A Gateway with an h2c server on port 80 and, when credentialName is given, a TLS server on 443.
function gateway({name = 'grpc-gateway', credentialName}) {
  let servers = `
  - port:
      number: 80
      name: http2
      protocol: HTTP2
    hosts:
    - "${HOST}"`;
  if (credentialName) {
    servers += `
  - port:
      number: 443
      name: https
      protocol: HTTPS
    hosts:
    - "${HOST}"
    tls:
      mode: SIMPLE
      credentialName: ${credentialName}`;
  }
  return `apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: ${name}
spec:
  selector:
    istio: ingressgateway
  servers:${servers}
`;
}

// routes: [{prefix, host, port}], matched in order; prefix undefined = match everything.
function virtualService({name = 'grpc-routing', gateway: gw = 'grpc-gateway', routes}) {
  const http = routes.map(({prefix, host, port}) => {
    const match = prefix === undefined ? '' : `
  - match:
    - uri:
        prefix: ${prefix}`;
    return `${match}
  ${match ? ' ' : '-'} route:
    - destination:
        host: ${host}
        port:
          number: ${port}`;
  }).join('');
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ${name}
spec:
  hosts:
  - "${HOST}"
  gateways:
  - ${gw}
  http:${http}
`;
}

// A Service port named grpc (so HTTP/2) and Endpoints with one subset per backend port, as
// Kubernetes writes them when the pods listen on different ports.
function serviceWithEndpoints({name, port, backendPorts}) {
  const subsets = backendPorts.map((p) => `
- addresses:
  - ip: 127.0.0.1
  ports:
  - name: grpc
    port: ${p}`).join('');
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  ports:
  - name: grpc
    port: ${port}
    targetPort: ${backendPorts[0]}
---
apiVersion: v1
kind: Endpoints
metadata:
  name: ${name}
subsets:${subsets}
`;
}

function serviceEntry({name, host, port}) {
  return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: ${name}
spec:
  hosts:
  - ${host}
  location: MESH_INTERNAL
  ports:
  - number: ${port}
    name: grpc
    protocol: GRPC
  resolution: STATIC
  endpoints:
  - address: 127.0.0.1
    ports:
      grpc: ${port}
`;
}

function tlsSecret({name, cert, key}) {
  return `apiVersion: v1
kind: Secret
metadata:
  name: ${name}
type: kubernetes.io/tls
stringData:
  tls.crt: |
${block(cert, 4)}
  tls.key: |
${block(key, 4)}
`;
}

module.exports = {HOST, gateway, virtualService, serviceWithEndpoints, serviceEntry, tlsSecret};
