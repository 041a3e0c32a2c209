// The official OpenAI JavaScript SDK, unchanged, against the gateway: a streamed chat completion and a Responses
// chain through previous_response_id. Needs OPENAI_BASE_URL (…/v1), OPENAI_API_KEY and MODEL; exits non-zero on failure.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const model = process.env.MODEL ?? 'stories260K';
const client = new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY, maxRetries: 0, timeout: 90_000 });

const stream = await client.chat.completions.create({
  model,
  messages: [{ role: 'user', content: 'Once upon a time' }],
  max_tokens: 16,
  temperature: 0,
  stream: true,
  stream_options: { include_usage: true },
});
let text = '';
let finish = null;
let usage = null;
for await (const chunk of stream) {
  text += chunk.choices[0]?.delta?.content ?? '';
  finish ??= chunk.choices[0]?.finish_reason ?? null;
  usage ??= chunk.usage ?? null;
}
assert.ok(text.trim().length > 0, 'streamed text');
assert.ok(['stop', 'length'].includes(finish), `finish_reason ${finish}`);
assert.ok(usage && usage.completion_tokens > 0, 'usage chunk');

const first = await client.responses.create({ model, input: 'Lily had a red ball', max_output_tokens: 12, temperature: 0 });
const second = await client.responses.create({ model, input: 'She went to the park', previous_response_id: first.id, max_output_tokens: 12, temperature: 0 });
assert.match(first.id, /^resp_/);
assert.equal(second.previous_response_id, first.id);
assert.ok(second.output_text.length > 0, 'second output_text');
assert.ok(second.usage.input_tokens > first.usage.input_tokens + first.usage.output_tokens, 'the second prompt holds the first turn');
const read = await client.responses.retrieve(second.id);
assert.equal(read.output_text, second.output_text);

let failed = null;
try {
  await client.responses.create({ model, input: 'Hi', previous_response_id: 'resp_00000000000000000000000000000000' });
} catch (error) {
  failed = error;
}
assert.ok(failed instanceof OpenAI.NotFoundError, `unknown previous_response_id raises NotFoundError, got ${failed}`);

console.log(JSON.stringify({ ok: true, chat: text.trim(), first: first.output_text, second: second.output_text }));
