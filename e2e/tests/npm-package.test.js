// The JS client as an npm package (@seedim/im-client): its declarations are generated from the JSDoc and current,
// `npm pack` ships exactly the client, its types and its README, the version follows the protocol the server
// reports, and the packed tarball, installed into an empty project, works in Node (with ws) and type-checks in TS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE, RUN } from '../lib/server.js';

const E2E = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PKG = resolve(E2E, '../gateway/src/main/resources/webroot/js');
const TSC = join(E2E, 'node_modules/.bin/tsc');
const WS = join(E2E, 'node_modules/ws/wrapper.mjs');
const pkg = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8'));

function run(cmd, args, cwd) {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('im-client.d.ts is what tsc generates from the JSDoc (run `npm run types` in e2e/ after changing the client)', () => {
  const out = mkdtempSync(join(tmpdir(), 'seedim-dts-'));
  run(TSC, ['--allowJs', '--declaration', '--emitDeclarationOnly', '--target', 'es2022', '--module', 'es2022',
    '--moduleResolution', 'bundler', '--lib', 'es2022,dom', '--outDir', out, join(PKG, 'im-client.js')], E2E);
  assert.equal(readFileSync(join(out, 'im-client.d.ts'), 'utf8'), readFileSync(join(PKG, 'im-client.d.ts'), 'utf8'));
});

test('the package version follows the protocol version the server reports (major.minor = protocol)', async () => {
  const health = await (await fetch(`${BASE}/health`)).json();
  assert.equal(pkg.seedim.protocol, health.protocol);
  assert.match(pkg.version, new RegExp(`^${health.protocol.replace('.', '\\.')}\\.\\d+$`));
});

test('npm pack ships the client, its types and README; installed from the tarball it chats in Node and type-checks', async () => {
  const work = mkdtempSync(join(tmpdir(), 'seedim-npm-'));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], PKG));
  assert.equal(packed.length, 1);
  assert.equal(packed[0].name, '@seedim/im-client');
  assert.deepEqual(packed[0].files.map((f) => f.path).sort(), ['README.md', 'im-client.d.ts', 'im-client.js', 'package.json']);

  // an empty app installs the tarball (no dependencies: nothing is fetched)
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
  run('npm', ['install', '--no-audit', '--no-fund', '--offline', join(work, packed[0].filename)], app);

  // Node: import by the package name, connect with ws, one heartbeat round trip and a message to oneself refused
  writeFileSync(join(app, 'main.mjs'), `
    import WebSocket from ${JSON.stringify(WS)};
    import { ImClient, devSign, MsgType } from '@seedim/im-client';
    const im = new ImClient({ WebSocket, url: async () => (await devSign({ base: process.argv[2], userId: 'npm${RUN}' })).url });
    await im.connect();
    const hb = await im.heartbeat();
    let code = null;
    try { await im.sendText('npm${RUN}', 'to myself'); } catch (e) { code = e.code; }
    console.log(JSON.stringify({ hb: hb.msgType, heartbeat: MsgType.HEARTBEAT, code }));
    im.close();
  `);
  const res = JSON.parse(run('node', ['main.mjs', BASE], app).trim().split('\n').pop());
  assert.deepEqual(res, { hb: 21, heartbeat: 20, code: 'INVALID_FIELD' });

  // TypeScript: a strict consumer of the declarations compiles; a wrong call does not
  writeFileSync(join(app, 'ok.ts'), `
    import { ImClient, ImError, MsgType } from '@seedim/im-client';
    const im = new ImClient({ url: 'ws://example/ws', heartbeatSeconds: 30 });
    im.on('message', (m: any) => console.log(m.messageId));
    const t: number = MsgType.SEND;
    export async function send(): Promise<string> { const a = await im.sendText('bob', 'hi'); return String(a.messageId ?? t); }
    export const isError = (e: unknown): boolean => e instanceof ImError;
  `);
  const tscArgs = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022',
    '--lib', 'es2022,dom', '--skipLibCheck', 'false'];
  run(TSC, [...tscArgs, 'ok.ts'], app);
  writeFileSync(join(app, 'bad.ts'), `
    import { ImClient } from '@seedim/im-client';
    const im = new ImClient({ url: 42 });
  `);
  assert.throws(() => run(TSC, [...tscArgs, 'bad.ts'], app), (e) => /bad\.ts\(\d+,\d+\): error TS/.test(String(e.stdout)));
});
