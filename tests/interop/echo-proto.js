'use strict';
// Loads the Echo service from the one echo.proto that the C# tests compile too.
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO_PATH = path.join(__dirname, '..', 'Distributed.Grpc.Tests', 'Protos', 'echo.proto');

function loadEcho() {
  const definition = protoLoader.loadSync(PROTO_PATH, {
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).distributed.test.v1.Echo;
}

module.exports = { grpc, loadEcho };
