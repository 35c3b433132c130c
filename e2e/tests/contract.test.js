// docs/asyncapi.yaml from the JavaScript side: the document compiles with ajv, covers every server msgType the JS
// client handles, rejects wrong frames, and real frames of a chat between two node clients match it (every other
// e2e test checks its pages' and clients' frames the same way, lib/contract.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import YAML from 'yaml';
import specs from '@asyncapi/specs';
import { checkServerFrame, serverFrames, clientFrames, contractReport } from '../lib/contract.js';
import { client, RUN } from '../lib/server.js';

const PUSH = {
  msgType: 140, messageId: '757014724042752', userId: 'alice', receiveUserId: 'bob', message: 'hello bob',
  contentType: 'text', sendTime: 1796476223930, sendTimeDate: '2026-12-05 21:10:23', unique: 'sc228ab75ce-3',
  timestamp: 1796476223932,
};

test('the document is valid AsyncAPI 3.0.0 (the official JSON Schema of @asyncapi/specs), and a broken copy is not', () => {
  const doc = YAML.parse(readFileSync(new URL('../../docs/asyncapi.yaml', import.meta.url), 'utf8'));
  const schema = structuredClone(specs.schemas['3.0.0']);
  // the spec embeds the draft-07 meta-schema, which ajv already has under the same id
  for (const [k, v] of Object.entries(schema.definitions)) {
    if (v.$id === 'http://json-schema.org/draft-07/schema' || k === 'http://json-schema.org/draft-07/schema') delete schema.definitions[k];
  }
  const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
  assert.ok(validate(doc), JSON.stringify(validate.errors?.slice(0, 5)));
  const broken = structuredClone(doc);
  delete broken.operations.sendServerFrames.action;
  assert.equal(validate(broken), false);
});

test('the document lists every server and client msgType of the protocol', () => {
  assert.deepEqual([...serverFrames.keys()].sort((a, b) => a - b),
    [10, 21, 30, 99, 101, 102, 131, 132, 133, 140, 162, 180, 191, 192, 199, 200, 210, 252, 301, 311, 321, 341, 343,
      402, 410, 421, 431, 541, 551, 560, 601, 611, 620, 631, 641, 651, 653, 671, 1170]);
  assert.deepEqual([...clientFrames.keys()].sort((a, b) => a - b),
    [20, 31, 101, 102, 130, 141, 160, 161, 180, 190, 198, 251, 300, 310, 320, 330, 340, 342, 400, 401, 420, 430, 540, 550,
      600, 610, 630, 640, 650, 652, 660, 670]);
});

test('a right frame matches, wrong ones are rejected with the reason', () => {
  assert.deepEqual(checkServerFrame(PUSH), []);
  assert.deepEqual(checkServerFrame(JSON.stringify(PUSH)), []);
  assert.match(checkServerFrame({ ...PUSH, surprise: 1 }).join(), /additional properties/);
  const { timestamp, ...noTimestamp } = PUSH;
  assert.match(checkServerFrame(noTimestamp).join(), /timestamp/);
  assert.notDeepEqual(checkServerFrame({ ...PUSH, messageId: 757014724042752 }), []);
  assert.match(checkServerFrame({ msgType: 130, timestamp: 1 }).join(), /not a documented server frame/);
  assert.notDeepEqual(checkServerFrame('{"msgType":10'), []);
});

test('a real chat between two node clients matches the contract', async () => {
  const alice = client(`ca-${RUN}`);
  const bob = client(`cb-${RUN}`);
  try {
    await alice.connect();
    await bob.connect();
    const got = new Promise((resolve) => bob.on('message', resolve));
    const { messageId } = await alice.sendText(`cb-${RUN}`, 'hello from the contract test');
    const m = await got;
    assert.equal(m.messageId, messageId);
    await alice.history({ sender: `cb-${RUN}`, pageSize: 5 });
    await bob.unreadTotal();
    await bob.read(messageId, `ca-${RUN}`);
    await assert.rejects(alice.request({ msgType: 161 }), (e) => e.code === 'MISSING_FIELD');
    const { checked, violations } = contractReport();
    assert.ok(checked >= 8, `frames checked: ${checked}`);
    assert.deepEqual(violations, []);
  } finally {
    alice.close();
    bob.close();
  }
});
