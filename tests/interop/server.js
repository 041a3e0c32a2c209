'use strict';
// grpc-js SERVER: a fake distributed.inference.v1.Inference, for our generated Grpc.Net.Client client to call.
// Usage: node server.js
// Prints JSON lines: {"event":"listening","port":N} once bound, then {"event":...,"id":...} as Generate calls
// start or get cancelled (id = the request's cache_key). Exits when stdin closes, so it never outlives the test run.
//
// The fake:
// - ListModels: one model, "fake" (alias "fake-alias").
// - LoadModel: names starting with "fake" load ("<name> model is ready to use."); any other name fails NOT_FOUND
//   with "model '<name>' not found", so a non-ASCII name comes back inside the status message.
// - GetStatus: a fixed status (worker_id "grpc-js-fake").
// - Generate: sampling.max_tokens deltas "token0 ", "token1 ", ..., then a last reply (finish_reason LENGTH, usage).
//   The prompt may be a JSON script: {"delayMs":N} between replies, {"failCode":C,"failMessage":M} to fail with that
//   status after the deltas instead of the last reply, {"hang":true} to never answer (until cancelled or past the
//   deadline).
// - UnloadModel is deliberately left out: grpc-js answers it with UNIMPLEMENTED.
const { grpc, loadServices } = require('./protos');

function report(event) {
  process.stdout.write(JSON.stringify(event) + '\n');
}

function headersOf(metadata) {
  const headers = {};
  for (const [name, value] of Object.entries(metadata.getMap())) {
    headers[name] = Buffer.isBuffer(value) ? value.toString('base64') : String(value);
  }
  return headers;
}

function script(promptText) {
  if (typeof promptText === 'string' && promptText.startsWith('{')) {
    return JSON.parse(promptText);
  }
  return {};
}

const handlers = {
  ListModels(call, callback) {
    callback(null, { models: [{ name: 'fake', aliases: ['fake-alias'], file: 'fake.gguf', loaded: true, contextLength: 64 }] });
  },

  LoadModel(call, callback) {
    const { name } = call.request;
    if (!name.startsWith('fake')) {
      callback({ code: grpc.status.NOT_FOUND, details: `model '${name}' not found` });
      return;
    }
    callback(null, { message: `${name} model is ready to use.`, model: { name, loaded: true }, alreadyLoaded: false });
  },

  GetStatus(call, callback) {
    callback(null, { workerId: 'grpc-js-fake', capacity: 1, backend: 'grpc-js' });
  },

  Generate(call) {
    const { sampling, cacheKey: id } = call.request;
    const steps = script(call.request.prompt);
    const deadline = call.getDeadline();
    const hasDeadline = deadline instanceof Date || Number.isFinite(deadline);
    report({
      event: 'started',
      id,
      model: call.request.model,
      hasDeadline,
      deadlineInMs: hasDeadline ? Number(deadline) - Date.now() : null,
      headers: headersOf(call.metadata),
    });

    let done = false;
    // grpc-js also emits 'cancelled' when a finished stream closes: report only real cancellations.
    call.on('cancelled', () => {
      if (!done) {
        report({ event: 'cancelled', id });
      }
    });
    if (steps.hang) {
      return;
    }

    const count = sampling ? sampling.maxTokens : 0;
    let i = 0;
    const next = () => {
      if (call.cancelled) {
        return;
      }
      if (i < count) {
        call.write({ delta: `token${i++} ` });
        setTimeout(next, steps.delayMs ?? 0);
        return;
      }
      done = true;
      if (steps.failCode) {
        call.emit('error', { code: steps.failCode, details: steps.failMessage });
        return;
      }
      call.write({ finishReason: 'FINISH_REASON_LENGTH', usage: { promptTokens: 1, completionTokens: count } });
      call.end();
    };
    next();
  },
};

const server = new grpc.Server();
server.addService(loadServices().Inference.service, handlers);
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) {
    console.error(err);
    process.exit(1);
  }
  report({ event: 'listening', port });
});

process.stdin.resume();
process.stdin.on('end', () => server.tryShutdown(() => process.exit(0)));
process.stdin.on('close', () => process.exit(0));
