'use strict';
// meshtest.proto, loaded once for backends and clients.
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const definition = protoLoader.loadSync(path.join(__dirname, '..', 'meshtest.proto'), {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
});

module.exports = {grpc, meshtest: grpc.loadPackageDefinition(definition).meshtest};
