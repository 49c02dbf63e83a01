'use strict';
// Promise wrappers over grpc-js calls that keep what a test checks: the reply or replies, the
// response headers, the final status (code, details, trailers).
const {grpc, meshtest} = require('./protos');
const {HOST} = require('./config');

// A client of meshtest.<service> through the gateway at addr, over h2c or TLS (ca given).
function makeClient(service, addr, {ca, authority = HOST} = {}) {
  const options = {'grpc.default_authority': authority};
  let credentials = grpc.credentials.createInsecure();
  if (ca) {
    credentials = grpc.credentials.createSsl(ca);
    options['grpc.ssl_target_name_override'] = HOST;
  }
  return new meshtest[service](addr, credentials, options);
}

function deadline(ms = 10000) {
  return new Date(Date.now() + ms);
}

// Resolves {reply, error, headers, status} once both the callback and the status arrived.
function unary(client, request, metadata = new grpc.Metadata(), options = {}) {
  return new Promise((resolve) => {
    const result = {headers: null};
    let pending = 2;
    const done = () => --pending === 0 && resolve(result);
    const call = client.Unary(request, metadata, {deadline: deadline(), ...options}, (err, reply) => {
      result.error = err;
      result.reply = reply;
      done();
    });
    call.on('metadata', (md) => { result.headers = md; });
    call.on('status', (status) => {
      result.status = status;
      done();
    });
  });
}

// Collects a readable call (server streaming or bidi): {replies, headers, status, error}.
function collect(call) {
  return new Promise((resolve) => {
    const result = {replies: [], headers: null, error: null};
    let pending = 2;
    const done = () => --pending === 0 && resolve(result);
    call.on('metadata', (md) => { result.headers = md; });
    call.on('data', (reply) => result.replies.push(reply));
    call.on('error', (err) => { result.error = err; });
    call.on('status', (status) => {
      result.status = status;
      done();
    });
    call.on('end', done);
    // grpc-js emits 'end' only when the stream was read to its end; an error ends it too.
    call.on('error', done);
  });
}

function serverStream(client, request, metadata = new grpc.Metadata()) {
  return collect(client.ServerStream(request, metadata, {deadline: deadline()}));
}

// Sends each request message, then half-closes; resolves {reply, error, headers, status}.
function clientStream(client, messages, metadata = new grpc.Metadata()) {
  return new Promise((resolve) => {
    const result = {headers: null};
    let pending = 2;
    const done = () => --pending === 0 && resolve(result);
    const call = client.ClientStream(metadata, {deadline: deadline()}, (err, reply) => {
      result.error = err;
      result.reply = reply;
      done();
    });
    call.on('metadata', (md) => { result.headers = md; });
    call.on('status', (status) => {
      result.status = status;
      done();
    });
    for (const message of messages) call.write({message});
    call.end();
  });
}

// Waits for the next 'data' event of a readable call, or rejects on error/end.
function nextMessage(call) {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      call.off('data', onData);
      call.off('error', onError);
      call.off('end', onEnd);
    };
    const onData = (m) => { cleanup(); resolve(m); };
    const onError = (e) => { cleanup(); reject(e); };
    const onEnd = () => { cleanup(); reject(new Error('stream ended')); };
    call.on('data', onData);
    call.on('error', onError);
    call.on('end', onEnd);
  });
}

// Rejects after ms with a message: the bound on a wait for something the test expects.
function within(ms, promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

module.exports = {grpc, makeClient, deadline, unary, collect, serverStream, clientStream,
                  nextMessage, within};
