'use strict';
// The gateway's chat page: plain JavaScript, no build step, nothing loaded from elsewhere.
// Credentials stay in sessionStorage (gone when the tab closes); every call sends them as x-api-key or a bearer token.

const $ = (id) => document.getElementById(id);
const state = { auth: JSON.parse(sessionStorage.getItem('auth') || 'null'), session: null, conversation: null, sessions: [] };

function headers(extra = {}) {
  const h = { ...extra };
  if (state.auth?.key) h['x-api-key'] = state.auth.key;
  if (state.auth?.token) h.authorization = `Bearer ${state.auth.token}`;
  return h;
}

// A failed call as a sentence a person can act on (ProblemDetails detail, Retry-After).
async function describe(response) {
  let problem = {};
  try { problem = await response.json(); } catch { /* no body */ }
  const retry = response.headers.get('retry-after');
  const detail = problem.detail || problem.title || response.statusText || `HTTP ${response.status}`;
  switch (response.status) {
    case 401: return 'Not signed in, or the key or token is not valid.';
    case 429: return `Too many requests: ${detail}${retry ? ` Try again in ${retry} s.` : ''}`;
    case 503: return `The service is busy or unavailable: ${detail}${retry ? ` Try again in ${retry} s.` : ''}`;
    default: return detail;
  }
}

async function api(method, path, body) {
  const init = { method, headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }) };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(path, init);
  if (!response.ok) throw new Error(await describe(response));
  return response.status === 204 ? null : response.json();
}

function showError(message) {
  const box = $('error');
  box.textContent = message || '';
  box.hidden = !message;
}

async function guarded(action) {
  try { showError(''); await action(); } catch (e) { showError(e.message); }
}

function button(text, onClick, className = 'link') {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = className;
  b.textContent = text;
  b.addEventListener('click', () => guarded(onClick));
  return b;
}

// --- signing in ---
function setAuth(auth) {
  state.auth = auth;
  if (auth) sessionStorage.setItem('auth', JSON.stringify(auth)); else sessionStorage.removeItem('auth');
  render();
}

async function signInWithKey(key) {
  setAuth({ key });
  try {
    await api('GET', '/llm/sessions');
  } catch (e) {
    setAuth(null);
    throw e;
  }
  await loadAll();
}

async function signInWithPassword(email, password) {
  const response = await fetch('/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (!response.ok) throw new Error(await describe(response));
  const { access_token: token } = await response.json();
  setAuth({ token, email });
  await loadAll();
}

async function register(form) {
  const body = { email: form.email.value, password: form.password.value, firstName: form['first-name'].value, lastName: form['last-name'].value };
  const response = await fetch('/user/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(await describe(response));
  await signInWithPassword(body.email, body.password);
}

// --- sessions and conversations ---
async function loadAll() {
  const [models, sessions] = await Promise.all([api('GET', '/llm/models'), api('GET', '/llm/sessions')]);
  const names = models.models.map((m) => m.name);
  for (const select of [$('model'), $('switch-model')]) {
    select.replaceChildren(...names.map((n) => new Option(n, n)));
  }
  state.sessions = sessions;
  renderSessions();
}

function renderSessions() {
  const list = $('sessions');
  list.replaceChildren(...state.sessions.map((s) => {
    const li = document.createElement('li');
    li.setAttribute('aria-current', String(s.sessionId === state.session?.sessionId));
    li.append(button(`${s.model_name} · ${new Date(s.created).toLocaleString()}`, () => openSession(s)));
    return li;
  }));
}

async function openSession(session) {
  state.session = session;
  sessionStorage.setItem('session', session.sessionId);
  state.conversation = null;
  $('switch-model').value = session.model_name;
  $('conversations-section').hidden = false;
  $('conversation').hidden = true;
  renderSessions();
  const ids = await api('GET', `/llm/sessions/${session.sessionId}/conversations`);
  $('conversations').replaceChildren(...ids.map((id, i) => {
    const li = document.createElement('li');
    li.setAttribute('aria-current', 'false');
    li.dataset.id = id;
    li.append(button(`Conversation ${i + 1}`, () => openConversation(id)));
    return li;
  }));
}

async function openConversation(id) {
  state.conversation = id;
  sessionStorage.setItem('conversation', id);
  for (const li of $('conversations').children) li.setAttribute('aria-current', String(li.dataset.id === id));
  const turns = await api('GET', `/llm/sessions/${state.session.sessionId}/conversations/${id}`);
  $('messages').replaceChildren(...turns.map((t) => message(t.role, t.content)));
  $('conversation').hidden = false;
  $('query').focus();
}

function message(role, text) {
  const li = document.createElement('li');
  li.className = role === 'user' ? 'user' : 'bot';
  const body = document.createElement('span');
  body.className = 'text';
  body.textContent = text;
  li.append(body);
  return li;
}

// --- asking: the answer streams in (SSE over fetch, since EventSource cannot POST) ---
async function ask(query) {
  const { sessionId } = state.session;
  const list = $('messages');
  list.append(message('user', query));
  const answer = message('bot', '');
  answer.setAttribute('aria-busy', 'true');
  list.append(answer);
  const text = answer.querySelector('.text');
  const started = performance.now();
  let first = 0;
  const response = await fetch(`/llm/sessions/${sessionId}/conversations/${state.conversation}/query`, {
    method: 'POST',
    headers: headers({ 'content-type': 'application/json', accept: 'text/event-stream' }),
    body: JSON.stringify({ query }),
  });
  if (!response.ok) {
    answer.remove();
    list.lastChild?.remove();
    throw new Error(await describe(response));
  }

  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const raw = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(raw)?.[1];
      const data = JSON.parse(/^data: (.*)$/m.exec(raw)?.[1] ?? '{}');
      if (event === 'delta') {
        first ||= performance.now();
        text.textContent += data.delta ?? '';
      } else if (event === 'done') {
        text.textContent = data.response ?? text.textContent;
        answer.append(stats(data.usage, started, first));
      } else if (event === 'error') {
        answer.removeAttribute('aria-busy');
        throw new Error(data.detail || data.title || 'The answer failed.');
      }
    }
  }

  answer.removeAttribute('aria-busy');
}

function stats(usage, started, first) {
  const span = document.createElement('span');
  span.className = 'stats';
  const seconds = (performance.now() - (first || started)) / 1000;
  const rate = usage && seconds > 0 ? (Math.max(0, usage.completion_tokens - 1) / seconds).toFixed(1) : '–';
  span.textContent = usage
    ? `${usage.completion_tokens} tokens · ${rate} tokens/s · ${usage.cached_tokens ?? 0} of ${usage.prompt_tokens} prompt tokens cached · first token after ${Math.round((first || performance.now()) - started)} ms`
    : '';
  return span;
}

// --- wiring ---
function render() {
  const signedIn = Boolean(state.auth);
  $('sign-in-view').hidden = signedIn;
  $('chat-view').hidden = !signedIn;
  $('sign-out').hidden = !signedIn;
  $('who').textContent = signedIn ? `Signed in ${state.auth.email ? `as ${state.auth.email}` : 'with an API key'}` : '';
}

$('key-form').addEventListener('submit', (e) => { e.preventDefault(); guarded(() => signInWithKey($('api-key').value.trim())); });
$('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const form = e.target;
  guarded(() => (form.dataset.mode === 'register' ? register(form) : signInWithPassword(form.email.value, form.password.value)));
});
$('toggle-register').addEventListener('click', () => {
  const form = $('login-form');
  const registering = form.dataset.mode !== 'register';
  form.dataset.mode = registering ? 'register' : 'login';
  form.querySelector('.register-only').hidden = !registering;
  $('login-submit').textContent = registering ? 'Create account' : 'Sign in';
  $('toggle-register').textContent = registering ? 'I have an account' : 'Create an account instead';
});
$('sign-out').addEventListener('click', () => { setAuth(null); state.session = null; state.conversation = null; });
$('new-session-form').addEventListener('submit', (e) => {
  e.preventDefault();
  guarded(async () => {
    const body = { model_name: $('model').value };
    if ($('system-prompt').value.trim()) body.system_prompt = $('system-prompt').value.trim();
    const { sessionId } = await api('POST', '/llm/sessions', body);
    await loadAll();
    await openSession(state.sessions.find((s) => s.sessionId === sessionId));
  });
});
$('new-conversation').addEventListener('click', () => guarded(async () => {
  const { conversationId } = await api('POST', `/llm/sessions/${state.session.sessionId}/conversations`);
  await openSession(state.session);
  await openConversation(conversationId);
}));
$('delete-session').addEventListener('click', () => guarded(async () => {
  await api('DELETE', `/llm/sessions/${state.session.sessionId}`);
  state.session = null;
  $('conversations-section').hidden = true;
  $('conversation').hidden = true;
  await loadAll();
}));
$('switch-model-form').addEventListener('submit', (e) => {
  e.preventDefault();
  guarded(async () => {
    await api('POST', `/llm/sessions/${state.session.sessionId}/switch-model`, { model_name: $('switch-model').value });
    await loadAll();
    state.session = state.sessions.find((s) => s.sessionId === state.session.sessionId);
    renderSessions();
  });
});
$('delete-conversation').addEventListener('click', () => guarded(async () => {
  await api('DELETE', `/llm/sessions/${state.session.sessionId}/conversations/${state.conversation}`);
  await openSession(state.session);
}));
$('query-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const query = $('query').value.trim();
  if (!query) return;
  $('query').value = '';
  $('send').disabled = true;
  guarded(() => ask(query)).finally(() => { $('send').disabled = false; $('query').focus(); });
});
$('query').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); $('query-form').requestSubmit(); }
});

// After a reload: the same session and conversation, with their history.
async function restore() {
  await loadAll();
  const session = state.sessions.find((s) => s.sessionId === sessionStorage.getItem('session'));
  if (!session) return;
  const conversation = sessionStorage.getItem('conversation');
  await openSession(session);
  if (conversation && [...$('conversations').children].some((li) => li.dataset.id === conversation)) await openConversation(conversation);
}

render();
if (state.auth) guarded(restore);
