'use strict';
// grpc-js SERVER implementing echo.proto, for the Distributed.Grpc client to call.
// Usage: node server.js
// Prints JSON lines: {"event":"listening","port":N} once bound, then {"event":...,"id":...} as calls
// start or get cancelled. Exits when stdin closes, so it never outlives the test run.
const { grpc, loadEcho } = require('./echo-proto');

function report(event) {
  process.stdout.write(JSON.stringify(event) + '\n');
}

const handlers = {
  Say(call, callback) {
    const headers = {};
    for (const [name, value] of Object.entries(call.metadata.getMap())) {
      headers[name] = String(value);
    }
    callback(null, { text: call.request.text, payload: Buffer.alloc(call.request.replySize), headers });
  },

  Count(call) {
    const { n, delayMs, id, failCode, failMessage } = call.request;
    let i = 0;
    let done = false;
    // grpc-js also emits 'cancelled' when a finished stream closes: report only real cancellations.
    call.on('cancelled', () => {
      if (!done) {
        report({ event: 'cancelled', id });
      }
    });
    const next = () => {
      if (call.cancelled) {
        return;
      }
      if (i < n) {
        call.write({ i: i++ });
        setTimeout(next, delayMs);
        return;
      }
      done = true;
      if (failCode !== 0) {
        call.emit('error', { code: failCode, details: failMessage });
      } else {
        call.end();
      }
    };
    next();
  },

  Fail(call, callback) {
    callback({ code: call.request.code, details: call.request.message });
  },

  WaitForCancel(call) {
    // Never answers: ends only when the client cancels or the deadline (from grpc-timeout) passes.
    const { id } = call.request;
    const hasDeadline = Number.isFinite(Number(call.getDeadline()));
    call.on('cancelled', () => report({ event: 'cancelled', id, hasDeadline }));
    report({ event: 'started', id, hasDeadline });
  },

  // Missing is deliberately left out: grpc-js answers it with UNIMPLEMENTED.
};

const server = new grpc.Server();
server.addService(loadEcho().service, handlers);
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
