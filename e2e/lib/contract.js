// The WebSocket contract (docs/asyncapi.yaml) checked on the e2e traffic: every frame the server sends to a page
// (Playwright's websocket events) or to a node-side ImClient is validated against the schema of its msgType.
// A frame that does not match fails the test file (an `after` hook), naming the frame and what is wrong.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import Ajv from 'ajv';
import YAML from 'yaml';

const DOC_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'asyncapi.yaml');
const ID = 'https://seedim.invalid/docs/asyncapi.yaml';

/** Compiles one validator per msgType of an operation's messages (the payload's `msgType` const). */
function validators(doc, ajv, operation) {
  const out = new Map();
  const at = (ref) => ref.slice(2).split('/').reduce((n, k) => n[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  for (const { $ref } of doc.operations[operation].messages) {
    const message = at(at($ref).$ref);
    const payloadRef = message.payload.$ref;
    const payload = at(payloadRef);
    const consts = payload.properties?.msgType?.const !== undefined ? [payload.properties.msgType.const]
      : (payload.oneOf || []).map((b) => b.properties.msgType.const);
    const validate = ajv.getSchema(ID + payloadRef);
    for (const t of new Set(consts)) out.set(t, validate);
  }
  return out;
}

const doc = YAML.parse(readFileSync(DOC_PATH, 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema({ ...doc, $id: ID });
export const serverFrames = validators(doc, ajv, 'sendServerFrames');
export const clientFrames = validators(doc, ajv, 'receiveClientFrames');

const violations = [];
let checked = 0;
let watched = 0;

/** What is wrong with a server frame (text or object); [] when it matches. */
export function checkServerFrame(frame) {
  let f = frame;
  if (typeof frame === 'string') {
    try { f = JSON.parse(frame); } catch (e) { return [`not JSON: ${e.message}`]; }
  }
  const validate = serverFrames.get(f?.msgType);
  if (!validate) return [`msgType ${f?.msgType} is not a documented server frame`];
  return validate(f) ? [] : validate.errors.map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}

/** Records a frame the server sent; `where` names the page or client for the report. */
export function record(where, frame) {
  checked++;
  const problems = checkServerFrame(frame);
  if (problems.length) violations.push(`${where}: ${typeof frame === 'string' ? frame : JSON.stringify(frame)} -> ${problems.join('; ')}`);
}

/** Checks every frame a Playwright page receives over any WebSocket. */
export function watchPage(page, where = 'page') {
  watched++;
  page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => {
    if (typeof payload === 'string') record(where, payload);
  }));
}

/** Checks every frame a node-side ImClient receives (its `frame:in` events, without the client's `_kind` tag). */
export function watchClient(client, where = 'client') {
  watched++;
  client.on('frame:in', ({ _kind, ...f }) => record(where, f));
}

export function contractReport() {
  return { checked, violations: [...violations] };
}

after(() => {
  if (watched > 0 && checked === 0) {
    throw new Error(`${watched} page(s)/client(s) watched but no server frame was checked against docs/asyncapi.yaml`);
  }
  if (violations.length) {
    throw new Error(`${violations.length} server frame(s) do not match docs/asyncapi.yaml:\n${violations.slice(0, 20).join('\n')}`);
  }
});
