import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BUILT = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/**
 * A process started by the launcher (with an IPC channel) that installs its shutdown handling
 * `installAfterMs` after starting, while the parent closes the channel at once.
 */
function orphanAtStart(installAfterMs: number): Promise<{ code: number | null; output: string }> {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: build with \`npm run build\` (root \`npm test\` builds first)`);
  const script = `
    import { installGracefulShutdown } from ${JSON.stringify(BUILT)};
    const logger = { info: (fields, msg) => console.log(msg ?? fields, JSON.stringify(fields)), warn: () => {} };
    setTimeout(() => installGracefulShutdown({ logger, timeoutMs: 1000, stopAccepting: [], closeResources: [] }), ${installAfterMs});
    setTimeout(() => { console.log('still running'); process.exit(3); }, 5000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.disconnect();
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

describe('graceful shutdown of a process the launcher started', () => {
  it('stops at once when the launcher was already gone by the time it started listening (no orphan left running)', async () => {
    const { code, output } = await orphanAtStart(300);
    expect(output).toContain('the launcher that started this process is gone');
    expect(output).not.toContain('still running');
    expect(code).toBe(0);
  });
});
