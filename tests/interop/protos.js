'use strict';
// Loads our real contract (protos/distributed/inference/v1/inference.proto, the file the C# projects compile) and
// the standard grpc.health.v1 service (a copy in ./protos, since the repository uses the one in Grpc.HealthCheck).
const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const REPO_PROTOS = path.join(__dirname, '..', '..', 'protos');
const LOCAL_PROTOS = path.join(__dirname, 'protos');
const INFERENCE_PROTO = 'distributed/inference/v1/inference.proto';
const HEALTH_PROTO = 'grpc/health/v1/health.proto';
const STATUS_PROTO = 'google/rpc/status.proto';

const LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [REPO_PROTOS, LOCAL_PROTOS],
};

function loadServices() {
  const definition = protoLoader.loadSync([INFERENCE_PROTO, HEALTH_PROTO], LOADER_OPTIONS);
  const loaded = grpc.loadPackageDefinition(definition);
  return { Inference: loaded.distributed.inference.v1.Inference, Health: loaded.grpc.health.v1.Health };
}

// protobufjs types for the rich error model: google.rpc.Status and the Any payloads it carries.
let errorRoot;
function errorTypes() {
  if (!errorRoot) {
    errorRoot = new protobuf.Root();
    errorRoot.resolvePath = (_origin, target) =>
      [REPO_PROTOS, LOCAL_PROTOS].map((dir) => path.join(dir, target)).find((file) => fs.existsSync(file)) ?? target;
    errorRoot.loadSync([STATUS_PROTO, INFERENCE_PROTO], { keepCase: true });
  }
  return errorRoot;
}

const TO_OBJECT = { enums: String, longs: Number, defaults: true };

// Decodes the grpc-status-details-bin trailer of a failed call (a google.rpc.Status), with every detail unpacked
// by its type URL; null when the trailer is absent.
function decodeStatusDetails(metadata) {
  const values = metadata ? metadata.get('grpc-status-details-bin') : [];
  if (!values.length) {
    return null;
  }
  const root = errorTypes();
  const Status = root.lookupType('google.rpc.Status');
  const status = Status.decode(values[0]);
  return {
    code: status.code,
    message: status.message,
    details: status.details.map((any) => {
      const typeName = any.type_url.slice(any.type_url.lastIndexOf('/') + 1);
      const type = root.lookupType(typeName);
      return { typeUrl: any.type_url, typeName, value: type.toObject(type.decode(any.value), TO_OBJECT) };
    }),
  };
}

module.exports = { grpc, loadServices, decodeStatusDetails };
