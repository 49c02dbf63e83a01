'use strict';
// A grpc-js backend on 127.0.0.1:0 serving every meshtest service. It names itself in the
// x-backend response header and EchoReply.backend, echoes x-test-* request metadata as x-echo-*
// response headers, ends successful calls with x-trailer / x-trailer-bin trailers, and records
// each call (path, metadata, deadline) and each cancellation.
const {EventEmitter} = require('node:events');
const {grpc, meshtest} = require('./protos');

const TRAILER_BIN = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]);

class Backend extends EventEmitter {
  constructor(name) {
    super();
    this.name = name;
    this.calls = [];
    this.server = new grpc.Server();
    this.port = 0;
  }

  start() {
    const unary = this.unary.bind(this);
    this.server.addService(meshtest.Echo.service, {
      Unary: unary,
      ServerStream: this.serverStream.bind(this),
      ClientStream: this.clientStream.bind(this),
      Bidi: this.bidi.bind(this),
    });
    for (const service of ['Other', 'Pool', 'Entry', 'Dead', 'Nowhere']) {
      this.server.addService(meshtest[service].service, {Unary: unary});
    }
    return new Promise((resolve, reject) => {
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
        if (err) return reject(err);
        this.port = port;
        resolve(this);
      });
    });
  }

  stop() {
    return new Promise((resolve) => {
      this.server.tryShutdown(() => resolve());
      setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 2000).unref();
    });
  }

  record(call) {
    const entry = {path: call.getPath(), metadata: call.metadata, deadline: call.getDeadline()};
    this.calls.push(entry);
    call.on('cancelled', () => this.emit('cancelled', entry.path));
    return entry;
  }

  headers(call) {
    const md = new grpc.Metadata();
    md.set('x-backend', this.name);
    for (const [key, values] of Object.entries(call.metadata.toJSON())) {
      if (!key.startsWith('x-test-')) continue;
      for (const value of values) md.add(`x-echo-${key.slice('x-test-'.length)}`, value);
    }
    return md;
  }

  trailers() {
    const md = new grpc.Metadata();
    md.set('x-trailer', `from ${this.name}`);
    md.set('x-trailer-bin', TRAILER_BIN);
    return md;
  }

  // The status a request asks for, as a grpc-js error, or null.
  failure(request) {
    if (!request.status_code) return null;
    const metadata = new grpc.Metadata();
    metadata.set('x-error-bin', Buffer.from(request.status_message || ''));
    return {code: request.status_code, details: request.status_message, metadata};
  }

  reply(request, index = 0) {
    return {message: request.message, backend: this.name, index, payload: request.payload};
  }

  unary(call, callback) {
    this.record(call);
    const request = call.request;
    const error = this.failure(request);
    if (!(error && request.trailers_only)) call.sendMetadata(this.headers(call));
    const finish = () => (error ? callback(error) : callback(null, this.reply(request), this.trailers()));
    if (request.delay_ms) setTimeout(finish, request.delay_ms);
    else finish();
  }

  serverStream(call) {
    const entry = this.record(call);
    let cancelled = false;
    call.on('cancelled', () => { cancelled = true; });
    const request = call.request;
    call.sendMetadata(this.headers(call));
    let index = 0;
    const next = () => {
      if (cancelled) return;
      if (index < request.count) {
        call.write(this.reply(request, index++));
        if (request.delay_ms) setTimeout(next, request.delay_ms);
        else setImmediate(next);
        return;
      }
      const error = this.failure(request);
      if (error) call.emit('error', error);
      else call.end(this.trailers());
    };
    next();
    return entry;
  }

  clientStream(call, callback) {
    this.record(call);
    call.sendMetadata(this.headers(call));
    const messages = [];
    call.on('data', (request) => messages.push(request.message));
    call.on('end', () => {
      callback(null, {message: messages.join(','), backend: this.name, index: messages.length},
               this.trailers());
    });
  }

  bidi(call) {
    this.record(call);
    call.sendMetadata(this.headers(call));
    let index = 0;
    call.on('data', (request) => call.write(this.reply(request, index++)));
    call.on('end', () => call.end(this.trailers()));
  }
}

async function startBackend(name) {
  return new Backend(name).start();
}

module.exports = {startBackend, TRAILER_BIN};
