'use strict';
// grpc-js CLIENT against a Distributed.Grpc server.
// Usage: node client.js <host:port>
// Runs every scenario at once and prints one JSON object: { scenario: { code, details, ... } }.
const { grpc, loadEcho } = require('./echo-proto');

const target = process.argv[2];
if (!target) {
  console.error('usage: node client.js <host:port>');
  process.exit(2);
}

const Echo = loadEcho();
const client = new Echo(target, grpc.credentials.createInsecure());

function unary(method, request, { metadata = new grpc.Metadata(), options = {} } = {}) {
  return new Promise((resolve) => {
    client[method](request, metadata, options, (err, reply) => {
      resolve(err ? { code: err.code, details: err.details } : { code: grpc.status.OK, reply });
    });
  });
}

// Cancels once the first reply arrived, so the server handler is surely running by then.
function cancelAfterFirstReply(method, request) {
  return new Promise((resolve) => {
    const call = client[method](request);
    call.once('data', () => call.cancel());
    call.on('error', (err) => resolve({ code: err.code, details: err.details }));
    call.on('end', () => resolve({ code: grpc.status.OK }));
  });
}

function serverStream(method, request) {
  return new Promise((resolve) => {
    const items = [];
    let status;
    let ended = false;
    const finish = () => {
      if (status && ended) {
        resolve({ code: status.code, details: status.details, items });
      }
    };
    const call = client[method](request);
    call.on('data', (reply) => items.push(reply.i));
    call.on('error', () => { ended = true; finish(); });
    call.on('end', () => { ended = true; finish(); });
    call.on('status', (s) => { status = s; finish(); });
  });
}

async function main() {
  const metadata = new grpc.Metadata();
  metadata.set('x-trace-id', 'js-123');

  const scenarios = {
    unary: unary('Say', { text: 'hello from grpc-js' }, { metadata }),
    streaming: serverStream('Count', { n: 5, delayMs: 5 }),
    streamingError: serverStream('Count', { n: 2, failCode: grpc.status.FAILED_PRECONDITION, failMessage: 'stop' }),
    error: unary('Fail', { code: grpc.status.NOT_FOUND, message: 'nope: ünïcødé ✓ 100%' }),
    internal: unary('Fail', { code: -1 }),
    unimplemented: unary('Missing', { text: 'x' }),
    deadline: unary('WaitForCancel', { id: 'js-deadline' }, { options: { deadline: Date.now() + 1000 } }),
    cancel: cancelAfterFirstReply('Count', { id: 'js-cancel', n: 100000, delayMs: 5 }),
  };

  const results = {};
  for (const [name, promise] of Object.entries(scenarios)) {
    results[name] = await promise;
  }

  client.close();
  process.stdout.write(JSON.stringify(results) + '\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
