'use strict';
// meshgate between @grpc/grpc-js clients and @grpc/grpc-js backends, over h2c (Gateway port 80)
// and TLS (port 443), driven by the users' YAML: Gateway, VirtualService, Service + Endpoints,
// ServiceEntry and a kubernetes.io/tls Secret. Run by ctest as node.grpc_js with MESHGATE_BINARY.
//
// Topology (every port is 127.0.0.1:0):
//   /meshtest.Echo    -> echo-service  (Service + Endpoints) -> backend alpha
//   /meshtest.Other   -> other-service (Service + Endpoints) -> backend beta
//   /meshtest.Pool    -> pool-service  (Endpoints, 2 subsets) -> backends gamma, delta
//   /meshtest.Entry   -> entry.backend.internal (ServiceEntry, STATIC) -> backend beta
//   /meshtest.Dead    -> dead-grpc-service -> a port nothing listens on
//   anything else     -> no route
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const {after, before, describe, it} = require('node:test');

const {startBackend, TRAILER_BIN} = require('./support/backend');
const {makeCerts} = require('./support/certs');
const config = require('./support/config');
const {Gateway, runToExit} = require('./support/gateway');
const {grpc, makeClient, unary, serverStream, clientStream, collect, nextMessage, within} =
    require('./support/calls');

const TEST_TIMEOUT = {timeout: 30000};

// A port that was just free: bound, then closed.
function closedPort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address();
      server.close(() => resolve(port));
    });
  });
}

const world = {};

before(async () => {
  world.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-node-'));
  const [alpha, beta, gamma, delta] = await Promise.all(
      ['alpha', 'beta', 'gamma', 'delta'].map((name) => startBackend(name)));
  Object.assign(world, {alpha, beta, gamma, delta, backends: [alpha, beta, gamma, delta]});
  const deadPort = await closedPort();

  const certsDir = path.join(world.dir, 'certs');
  fs.mkdirSync(certsDir);
  world.certs = makeCerts(certsDir);

  // The mesh config lives in one directory (--config DIR); the Secret is a second --config FILE.
  const meshDir = path.join(world.dir, 'mesh');
  fs.mkdirSync(meshDir);
  const write = (name, text) => fs.writeFileSync(path.join(meshDir, name), text);
  write('gateway.yaml', config.gateway({credentialName: 'grpc-tls-credential'}));
  write('virtual-service.yaml', config.virtualService({
    routes: [
      {prefix: '/meshtest.Echo/', host: 'echo-service', port: 50051},
      {prefix: '/meshtest.Other/', host: 'other-service', port: 50051},
      {prefix: '/meshtest.Pool/', host: 'pool-service', port: 50051},
      {prefix: '/meshtest.Entry/', host: 'entry.backend.internal', port: beta.port},
      {prefix: '/meshtest.Dead/', host: 'dead-grpc-service', port: 50051},
    ],
  }));
  write('services.yaml', [
    config.serviceWithEndpoints({name: 'echo-service', port: 50051, backendPorts: [alpha.port]}),
    config.serviceWithEndpoints({name: 'other-service', port: 50051, backendPorts: [beta.port]}),
    config.serviceWithEndpoints(
        {name: 'pool-service', port: 50051, backendPorts: [gamma.port, delta.port]}),
    config.serviceWithEndpoints({name: 'dead-grpc-service', port: 50051, backendPorts: [deadPort]}),
  ].join('---\n'));
  write('service-entry.yaml',
        config.serviceEntry({name: 'entry', host: 'entry.backend.internal', port: beta.port}));
  const secretFile = path.join(world.dir, 'secret.yaml');
  fs.writeFileSync(secretFile, config.tlsSecret(
      {name: 'grpc-tls-credential', cert: world.certs.cert, key: world.certs.key}));

  world.gateway = await new Gateway([
    '--config', meshDir, '--config', secretFile, '--listen', '80=127.0.0.1:0',
    '--listen', '443=127.0.0.1:0', '--workers', '2', '--log-level', 'info',
  ]).start();
  world.clients = [];
});

after(async () => {
  for (const client of world.clients || []) client.close();
  if (world.gateway) await world.gateway.stop();
  await Promise.all((world.backends || []).map((b) => b.stop()));
  if (world.dir) fs.rmSync(world.dir, {recursive: true, force: true});
});

// The status a failed call ended with, with the gateway's log when the test fails.
function explain(result) {
  const status = result.status || result.error || {};
  return `status ${grpc.status[status.code]} (${status.code}): ${status.details}\n` +
         `meshgate stderr (last 4000 chars):\n${world.gateway.stderr.slice(-4000)}`;
}

function assertOk(result) {
  assert.equal(result.status && result.status.code, grpc.status.OK, explain(result));
}

it('prints a listening line for each Gateway port, then ready', () => {
  assert.match(world.gateway.address(80), /^127\.0\.0\.1:\d+$/);
  assert.match(world.gateway.address(443), /^127\.0\.0\.1:\d+$/);
  assert.notEqual(world.gateway.address(80), world.gateway.address(443));
});

const transports = [
  {name: 'h2c', gatewayPort: 80, options: () => ({})},
  {name: 'TLS', gatewayPort: 443, options: () => ({ca: world.certs.ca})},
];

for (const transport of transports) {
  describe(`GrpcJs ${transport.name} to h2c`, () => {
    const clients = {};
    const client = (service) => {
      if (!clients[service]) {
        clients[service] = makeClient(service, world.gateway.address(transport.gatewayPort),
                                      transport.options());
        world.clients.push(clients[service]);
      }
      return clients[service];
    };

    it('unary call returns the backend reply and response headers', TEST_TIMEOUT, async () => {
      const result = await unary(client('Echo'), {message: 'hello'});
      assertOk(result);
      assert.equal(result.reply.message, 'hello');
      assert.equal(result.reply.backend, 'alpha');
      assert.deepEqual(result.headers.get('x-backend'), ['alpha']);
    });

    it('server streaming delivers every message in order', TEST_TIMEOUT, async () => {
      const result = await serverStream(client('Echo'), {message: 'tick', count: 100});
      assertOk(result);
      assert.equal(result.replies.length, 100);
      result.replies.forEach((reply, i) => assert.equal(reply.index, i));
      assert.deepEqual(result.status.metadata.get('x-trailer'), ['from alpha']);
    });

    it('client streaming delivers every message before the reply', TEST_TIMEOUT, async () => {
      const messages = Array.from({length: 50}, (_, i) => `m${i}`);
      const result = await clientStream(client('Echo'), messages);
      assertOk(result);
      assert.equal(result.reply.index, 50);
      assert.equal(result.reply.message, messages.join(','));
    });

    it('bidi streaming ping-pongs one message at a time', TEST_TIMEOUT, async () => {
      const call = client('Echo').Bidi(new grpc.Metadata(), {deadline: new Date(Date.now() + 20000)});
      const done = collect(call);
      for (let i = 0; i < 20; i++) {
        const reply = nextMessage(call);
        call.write({message: `ping ${i}`});
        const got = await within(10000, reply, `reply to ping ${i}`);
        assert.equal(got.message, `ping ${i}`);
        assert.equal(got.index, i);
      }
      call.end();
      const result = await within(10000, done, 'end of the bidi call');
      assertOk(result);
      assert.deepEqual(result.status.metadata.get('x-trailer'), ['from alpha']);
    });

    it('metadata, -bin metadata and trailers pass through both ways', TEST_TIMEOUT, async () => {
      const md = new grpc.Metadata();
      const binary = Buffer.from([0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff]);
      md.set('x-test-text', 'value with spaces, commas');
      md.set('x-test-bin', binary);
      const result = await unary(client('Echo'), {message: 'md'}, md);
      assertOk(result);
      assert.deepEqual(result.headers.get('x-echo-text'), ['value with spaces, commas']);
      assert.deepEqual(result.headers.get('x-echo-bin'), [binary]);
      assert.deepEqual(result.status.metadata.get('x-trailer'), ['from alpha']);
      assert.deepEqual(result.status.metadata.get('x-trailer-bin'), [TRAILER_BIN]);
      const seen = world.alpha.calls.at(-1);
      assert.equal(seen.path, '/meshtest.Echo/Unary');
      assert.deepEqual(seen.metadata.get('x-test-bin'), [binary]);
      // The client's deadline travels as grpc-timeout.
      const deadline = Number(seen.deadline);  // grpc-js: a Date, ms since the epoch, or Infinity
      assert.ok(Number.isFinite(deadline), `backend saw no deadline: ${seen.deadline}`);
      assert.ok(deadline <= Date.now() + 10000, 'deadline later than the client set');
    });

    const statuses = [
      {code: grpc.status.INVALID_ARGUMENT, message: 'name must not be empty', trailersOnly: true},
      {code: grpc.status.NOT_FOUND, message: 'no user 42', trailersOnly: false},
      {code: grpc.status.PERMISSION_DENIED, message: 'denied', trailersOnly: true},
      {code: grpc.status.RESOURCE_EXHAUSTED, message: 'quota', trailersOnly: false},
      {code: grpc.status.UNAVAILABLE, message: 'backend says unavailable', trailersOnly: true},
      {code: grpc.status.INTERNAL, message: '\t100% odd\r\n ☺ 😈 "quoted"\n', trailersOnly: false},
    ];
    for (const s of statuses) {
      const how = s.trailersOnly ? 'Trailers-Only' : 'after response headers';
      it(`status ${grpc.status[s.code]} and its message pass through (${how})`, TEST_TIMEOUT,
         async () => {
           const result = await unary(client('Echo'), {
             message: 'fail', status_code: s.code, status_message: s.message,
             trailers_only: s.trailersOnly,
           });
           assert.equal(result.status.code, s.code, explain(result));
           assert.equal(result.status.details, s.message);
           assert.deepEqual(result.status.metadata.get('x-error-bin'), [Buffer.from(s.message)]);
         });
    }

    it('a status after streamed messages passes through', TEST_TIMEOUT, async () => {
      const result = await serverStream(client('Echo'), {
        message: 'then fail', count: 3, status_code: grpc.status.ABORTED, status_message: 'aborted',
      });
      assert.equal(result.replies.length, 3);
      assert.equal(result.status.code, grpc.status.ABORTED, explain(result));
      assert.equal(result.status.details, 'aborted');
    });

    it('routes by /package.Service/ prefix to two backends', TEST_TIMEOUT, async () => {
      const [echo, other] = await Promise.all([
        unary(client('Echo'), {message: 'a'}),
        unary(client('Other'), {message: 'b'}),
      ]);
      assertOk(echo);
      assertOk(other);
      assert.equal(echo.reply.backend, 'alpha');
      assert.equal(other.reply.backend, 'beta');
      assert.equal(world.beta.calls.at(-1).path, '/meshtest.Other/Unary');
    });

    it('balances one connection\'s calls across endpoints per request', TEST_TIMEOUT, async () => {
      const seen = new Set();
      for (let i = 0; i < 10; i++) {
        const result = await unary(client('Pool'), {message: `call ${i}`});
        assertOk(result);
        seen.add(result.reply.backend);
      }
      assert.deepEqual([...seen].sort(), ['delta', 'gamma']);
    });

    it('a ServiceEntry with STATIC endpoints is a destination', TEST_TIMEOUT, async () => {
      const result = await unary(client('Entry'), {message: 'entry'});
      assertOk(result);
      assert.equal(result.reply.backend, 'beta');
      assert.equal(world.beta.calls.at(-1).path, '/meshtest.Entry/Unary');
    });

    it('a path no route matches gets UNIMPLEMENTED', TEST_TIMEOUT, async () => {
      const result = await unary(client('Nowhere'), {message: 'lost'});
      assert.equal(result.status.code, grpc.status.UNIMPLEMENTED, explain(result));
      for (const backend of world.backends) {
        assert.ok(!backend.calls.some((c) => c.path.startsWith('/meshtest.Nowhere/')));
      }
    });

    it('a dead backend gets UNAVAILABLE naming the destination', TEST_TIMEOUT, async () => {
      const result = await unary(client('Dead'), {message: 'anyone?'});
      assert.equal(result.status.code, grpc.status.UNAVAILABLE, explain(result));
      assert.match(result.status.details, /dead-grpc-service/);
    });

    it('a 1 MiB message passes intact both ways', TEST_TIMEOUT, async () => {
      const payload = Buffer.alloc(1 << 20);
      for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + 3) & 0xff;
      const result = await unary(client('Echo'), {message: 'big', payload});
      assertOk(result);
      assert.ok(result.reply.payload.equals(payload), 'payload changed on the way');
    });

    it('a client cancel reaches the backend', TEST_TIMEOUT, async () => {
      const cancelled = new Promise((resolve) => {
        const onCancel = (p) => {
          if (p !== '/meshtest.Echo/ServerStream') return;
          world.alpha.off('cancelled', onCancel);
          resolve();
        };
        world.alpha.on('cancelled', onCancel);
      });
      const call = client('Echo').ServerStream({message: 'slow', count: 1000, delay_ms: 20});
      const finished = collect(call);
      await within(10000, nextMessage(call), 'first streamed message');
      call.cancel();
      const result = await within(10000, finished, 'end of the cancelled call');
      assert.equal(result.status.code, grpc.status.CANCELLED);
      await within(10000, cancelled, 'the backend seeing the cancel');
    });
  });
}

describe('GrpcJs bad config', () => {
  it('exits 2 and lists every problem as file:line:column: error:', TEST_TIMEOUT, async () => {
    const dir = path.join(world.dir, 'bad');
    fs.mkdirSync(dir);
    // Two problems: a credentialName with no Secret, and a route destination without a host.
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, [
      config.gateway({credentialName: 'missing-credential'}),
      `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: broken
spec:
  hosts:
  - "grpc.example.com"
  gateways:
  - grpc-gateway
  http:
  - route:
    - destination:
        port:
          number: 50051
`,
    ].join('---\n'));
    const result = await runToExit(['--config', file, '--listen', '80=127.0.0.1:0',
                                    '--listen', '443=127.0.0.1:0']);
    assert.equal(result.code, 2, `exit ${result.code}; stderr:\n${result.stderr}`);
    assert.doesNotMatch(result.stdout, /^ready$/m);
    const errors = result.stderr.split('\n').filter((l) => /^\S+:\d+:\d+: error: /.test(l));
    assert.ok(errors.length >= 2, `expected two errors, got:\n${result.stderr}`);
    assert.ok(errors.every((l) => l.startsWith(file) || l.startsWith('bad.yaml')), result.stderr);
    assert.ok(errors.some((l) => l.includes('missing-credential')), result.stderr);
    assert.ok(errors.some((l) => /destination/.test(l)), result.stderr);
  });
});

describe('GrpcJs shutdown', () => {
  it('SIGTERM drains and exits 0', TEST_TIMEOUT, async () => {
    for (const client of world.clients) client.close();
    world.clients = [];
    const {code, signal} = await world.gateway.stop();
    assert.equal(signal, null, `killed by ${signal}; stderr:\n${world.gateway.stderr.slice(-4000)}`);
    assert.equal(code, 0, `exit ${code}; stderr:\n${world.gateway.stderr.slice(-4000)}`);
  });
});
