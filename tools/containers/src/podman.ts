import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { STAND_INS_DIR } from './repo-paths.js';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * podman with a private configuration under one directory (stand-ins/private-podman.sh):
 * its own containers.conf, storage, runc root and temporary files, so a run never touches the
 * machine's containers and `destroy()` removes everything it made.
 */
export class Podman {
  readonly binary: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(readonly dir: string) {
    const exports = execFileSync('bash', [join(STAND_INS_DIR, 'private-podman.sh'), dir], { encoding: 'utf8' });
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const match of exports.matchAll(/export (.*)$/gm)) {
      for (const assignment of (match[1] ?? '').split(' ')) {
        const [name, ...value] = assignment.split('=');
        if (name) env[name] = value.join('=').replace(/^'(.*)'$/, '$1');
      }
    }
    this.env = env;
    this.binary = join(dir, 'bin', 'podman');
  }

  /** Runs podman to completion; never throws. */
  run(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
    return runCommand(this.binary, args, { env: this.env, ...options });
  }

  async ok(args: string[], options: { timeoutMs?: number } = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.code !== 0) throw new Error(`podman ${args.slice(0, 3).join(' ')} … exited ${result.code}: ${(result.stderr || result.stdout).trim().slice(-1500)}`);
    return result.stdout.trim();
  }

  /** Removes every container, pod and image of the private storage, then the directory. */
  destroy(): void {
    spawnSync(this.binary, ['pod', 'rm', '--all', '--force', '--time', '2'], { env: this.env, stdio: 'ignore' });
    spawnSync(this.binary, ['rm', '--all', '--force', '--time', '2'], { env: this.env, stdio: 'ignore' });
    spawnSync(this.binary, ['system', 'reset', '--force'], { env: this.env, stdio: 'ignore' });
    spawnSync('rm', ['-rf', '--one-file-system', this.dir], { stdio: 'ignore' });
  }
}

export function runCommand(
  binary: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string; echo?: boolean } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => {
      out.push(chunk);
      if (options.echo) process.stdout.write(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err.push(chunk);
      if (options.echo) process.stderr.write(chunk);
    });
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', (error) => err.push(Buffer.from(String(error))));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}
