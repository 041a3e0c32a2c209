'use strict';
// grpc-js CLIENT against a real InferenceWorker (distributed.inference.v1.Inference and grpc.health.v1.Health).
// Usage: node client.js <host:port>
// Runs every scenario and prints one JSON object: { scenario: { code, details, ... } }.
const { grpc, loadServices, decodeStatusDetails } = require('./protos');

const target = process.argv[2];
if (!target) {
  console.error('usage: node client.js <host:port>');
  process.exit(2);
}

// Keep in step with GrpcJsClientTests.
const STORIES = 'stories260K';
const LONG = 'random-long';
const GREEDY_PROMPT = 'Once upon a time';
const SLOT_FREED_TIMEOUT_MS = 15000;

const { Inference, Health } = loadServices();
const client = new Inference(target, grpc.credentials.createInsecure());
const health = new Health(target, grpc.credentials.createInsecure());

function failure(err) {
  return { code: err.code, details: err.details, statusDetails: decodeStatusDetails(err.metadata) };
}

function unary(stub, method, request, options = {}) {
  return new Promise((resolve) => {
    stub[method](request, new grpc.Metadata(), options, (err, reply) => {
      resolve(err ? failure(err) : { code: grpc.status.OK, reply });
    });
  });
}

// Collects a Generate stream to its status. With cancelAfter, cancels once that many replies arrived.
function generate(request, { options = {}, cancelAfter } = {}) {
  return new Promise((resolve) => {
    const replies = [];
    let error;
    let ended = false;
    let status;
    const finish = () => {
      if (status && ended) {
        resolve({ code: status.code, details: status.details, ...(error ? failure(error) : {}), replies });
      }
    };
    const call = client.Generate(request, new grpc.Metadata(), options);
    call.on('data', (reply) => {
      replies.push(reply);
      if (replies.length === cancelAfter) {
        call.cancel();
      }
    });
    call.on('error', (err) => { error = err; ended = true; finish(); });
    call.on('end', () => { ended = true; finish(); });
    call.on('status', (s) => { status = s; finish(); });
  });
}

function prompt(model, text, maxTokens, temperature) {
  return { model, prompt: text, sampling: { maxTokens, temperature } };
}

// Polls GetStatus until the model has no active or queued sequence (bounded): the worker freed the slot.
async function waitForIdle(model) {
  const started = Date.now();
  let last;
  while (Date.now() - started < SLOT_FREED_TIMEOUT_MS) {
    const status = await unary(client, 'GetStatus', {}, { deadline: Date.now() + 5000 });
    if (status.code === grpc.status.OK) {
      const entry = status.reply.loaded.find((m) => m.name === model);
      last = entry ? { active: entry.activeSequences, queued: entry.queuedSequences } : { active: 0, queued: 0 };
      if (last.active + last.queued === 0) {
        return { freed: true, ...last };
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { freed: false, ...last };
}

async function main() {
  const results = {};
  results.healthServer = await unary(health, 'Check', { service: '' });
  results.healthInference = await unary(health, 'Check', { service: 'distributed.inference.v1.Inference' });
  results.listModels = await unary(client, 'ListModels', {});

  const greedy = await generate(prompt(STORIES, GREEDY_PROMPT, 8, 0));
  results.generate = {
    code: greedy.code,
    details: greedy.details,
    deltas: greedy.replies.slice(0, -1).map((r) => r.delta),
    text: greedy.replies.map((r) => r.delta).join(''),
    last: greedy.replies.at(-1) ?? null,
    replyCount: greedy.replies.length,
  };

  results.unknownModel = await generate(prompt('no-such-model', 'hello', 4, 0));
  const longPrompt = Array(200).fill('the little dog ran to the park').join(' ');
  results.promptTooLong = await generate(prompt(STORIES, longPrompt, 10, 0));

  // Resident first, so the deadline and the cancel below hit a running generation rather than the load.
  await unary(client, 'LoadModel', { name: LONG });
  const deadline = await generate(prompt(LONG, 'hello', 100000, 1), { options: { deadline: Date.now() + 300 } });
  results.deadline = { code: deadline.code, details: deadline.details, replies: deadline.replies.length, slot: await waitForIdle(LONG) };

  const cancel = await generate(prompt(LONG, 'hello', 100000, 1), { cancelAfter: 1 });
  results.cancel = { code: cancel.code, details: cancel.details, replies: cancel.replies.length, slot: await waitForIdle(LONG) };

  client.close();
  health.close();
  process.stdout.write(JSON.stringify(results) + '\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
