// The signing test vectors (docs/signing-vectors.json, generated from the server's Signatures class) against plain
// Node reference signers: the ones below and the copy a business-server author takes from the client README's
// "Signing (for your business server)" section. No server needed.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHmac, createHash } from 'node:crypto';

const ROOT = new URL('../../', import.meta.url);
const vectorsFile = JSON.parse(readFileSync(new URL('docs/signing-vectors.json', ROOT), 'utf8'));
const README = new URL('gateway/src/main/resources/webroot/js/README.md', ROOT);

// ---- reference signers (docs/protocol.md §11) ----
const LF = '\n';
const hmac = (secret, s) => createHmac('sha256', Buffer.from(secret, 'utf8')).update(s, 'utf8').digest('hex');
const md5 = (s) => createHash('md5').update(s, 'utf8').digest('hex');
// '' stands for an absent loginId / role (login) or no body (api)
const reference = {
  login: {
    canonical: (secret, { appId, userId, loginId = '', role = '', txNo }) =>
      ['im2-login', appId, userId, loginId, role, txNo].join(LF),
    sign: (secret, c) => hmac(secret, c),
  },
  'legacy-login': {
    canonical: (secret, { appId, userId, loginId = '', txNo }) => '10' + appId + userId + loginId + txNo + secret,
    sign: (secret, c) => md5(c),
  },
  chat: {
    canonical: (secret, { appId, sender, receiveUserId, timestamp }) =>
      ['im2-chat', appId, sender, receiveUserId, String(timestamp)].join(LF),
    sign: (secret, c) => hmac(secret, c),
  },
  'legacy-chat': {
    canonical: (secret, { appId, receiveUserId, timestamp }) => '130' + appId + receiveUserId + timestamp + secret,
    sign: (secret, c) => md5(c),
  },
  api: {
    canonical: (secret, { method, appId, pathWithQuery, timestamp, nonce, body = '' }) =>
      [method, appId, pathWithQuery, timestamp, nonce, body].join(LF),
    sign: (secret, c) => hmac(secret, c),
  },
};

/** The README's signers, as a business server would paste them: one exported function per scheme. */
async function readmeSigners() {
  const md = readFileSync(README, 'utf8');
  const section = md.indexOf('## Signing (for your business server)');
  assert.ok(section >= 0, 'the README has a "Signing (for your business server)" section');
  const m = /```js\n([\s\S]*?)```/.exec(md.slice(section));
  assert.ok(m, 'the section has a js code block');
  const mod = await import(`data:text/javascript,${encodeURIComponent(m[1])}`);
  const as = (canonical, sign) => ({ canonical, sign });
  return {
    login: as((s, p) => mod.connectCanonical(p), (s, c) => mod.hmacHex(s, c)),
    'legacy-login': as((s, p) => mod.legacyConnectCanonical(s, p), (s, c) => mod.md5Hex(c)),
    chat: as((s, p) => mod.chatCanonical(p), (s, c) => mod.hmacHex(s, c)),
    'legacy-chat': as((s, p) => mod.legacyChatCanonical(s, p), (s, c) => mod.md5Hex(c)),
    api: as((s, p) => mod.apiCanonical(p), (s, c) => mod.hmacHex(s, c)),
    // the one-call helpers must agree with canonical + digest
    oneCall: { login: mod.connectSign, 'legacy-login': mod.legacyConnectSign, chat: mod.chatSign,
      'legacy-chat': mod.legacyChatSign, api: mod.apiSign },
  };
}

/** What a signer gets wrong on a vector (empty when it reproduces the canonical string and the signature). */
function problems(signers, v) {
  const s = signers[v.scheme];
  if (!s) return [`no signer for scheme ${v.scheme}`];
  const { secret, ...inputs } = v.inputs;
  const canonical = s.canonical(secret, inputs);
  const out = [];
  if (canonical !== v.canonical) out.push(`canonical ${JSON.stringify(canonical)} != ${JSON.stringify(v.canonical)}`);
  const sig = s.sign(secret, canonical);
  if (sig !== v.signature) out.push(`signature ${sig} != ${v.signature}`);
  return out;
}

const { vectors } = vectorsFile;

describe('signing vectors', () => {
  test('the file is version 1 and covers every scheme with several vectors', () => {
    assert.equal(vectorsFile.version, 1);
    const count = {};
    for (const v of vectors) count[v.scheme] = (count[v.scheme] ?? 0) + 1;
    assert.deepEqual(Object.keys(count).sort(), ['api', 'chat', 'legacy-chat', 'legacy-login', 'login']);
    for (const [scheme, n] of Object.entries(count)) assert.ok(n >= 2, `${scheme}: ${n} vectors`);
  });

  for (const v of vectors) {
    test(`reference signer: ${v.id} (${v.scheme})`, () => {
      assert.deepEqual(problems(reference, v), []);
    });
  }

  test('a tampered vector fails: another signature, or any input changed', () => {
    for (const v of vectors) {
      const flipped = v.signature.slice(0, -1) + (v.signature.endsWith('0') ? '1' : '0');
      assert.notDeepEqual(problems(reference, { ...v, signature: flipped }), [], `${v.id} with another signature`);
      for (const [field, value] of Object.entries(v.inputs)) {
        const changed = typeof value === 'number' ? value + 1 : `${value}x`;
        const tampered = { ...v, inputs: { ...v.inputs, [field]: changed } };
        assert.notDeepEqual(problems(reference, tampered), [], `${v.id} with another ${field}`);
      }
    }
  });

  test("the README's signers (webroot/js/README.md) reproduce every vector", async () => {
    const readme = await readmeSigners();
    for (const v of vectors) {
      assert.deepEqual(problems(readme, v), [], v.id);
      const { secret, ...inputs } = v.inputs;
      assert.equal(readme.oneCall[v.scheme](secret, inputs), v.signature, `${v.id}: one-call signer`);
    }
  });
});
