'use strict';
// Loads the demo's .proto files once for server.js and client.js.
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const options = {keepCase: true, longs: String, enums: String, defaults: true, oneofs: true};
const definition = protoLoader.loadSync(
    [path.join(__dirname, 'greeter.proto'), path.join(__dirname, 'health.proto')], options);
const loaded = grpc.loadPackageDefinition(definition);

module.exports = {
  grpc,
  mypackage: loaded.mypackage,
  health: loaded.grpc.health.v1,
};
