import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import type { Jwks } from '@parley/contracts';
import type { Logger } from '@parley/logger';
import {
  activeSigningKey,
  createSigningKeyJwk,
  isSigningKeyFileName,
  loadSigningKey,
  writeSigningKeyFile,
  type ActiveSigningKey,
  type SigningKey,
} from '@parley/signing-keys';

export interface SigningKeyStoreSettings {
  dir: string;
  /** Generate a key on start when the directory has no usable private key. */
  generate: boolean;
  /** Poll interval, on top of fs.watch notifications (which some volumes never send). */
  reloadMs: number;
  logger: Logger;
}

export interface SigningKeyStore {
  /** The key new tokens are signed with now, or undefined when none is usable. */
  activeKey(): ActiveSigningKey | undefined;
  /** Every loaded key's public half, newest first. */
  jwks(): Jwks;
  /** Resolves a token header to a verification key from the current set. */
  resolver: JWTVerifyGetKey;
  /** Re-reads the directory now (also runs on file changes and every `reloadMs`). */
  reload(): Promise<void>;
  close(): void;
}

interface LoadedFile {
  digest: string;
  key: SigningKey;
}

/**
 * The signing keys of the auth service, read from a directory of JWK files and kept current
 * without restarts: fs.watch plus polling (Kubernetes Secret volumes swap a `..data` symlink,
 * so files are read through symlinks and dot-entries are skipped). A bad file is logged and
 * skipped (its last good version kept); an unreadable directory keeps the last good set.
 */
export async function startSigningKeyStore(settings: SigningKeyStoreSettings): Promise<SigningKeyStore> {
  const { dir, logger } = settings;
  let files = new Map<string, LoadedFile>();
  /** File name → digest of the content last reported as bad, so each problem is logged once. */
  const reportedFailures = new Map<string, string>();
  let keys: SigningKey[] = [];
  let published: Jwks = { keys: [] };
  let localSet = createLocalJWKSet({ keys: [] });
  let lastSummary = '';
  let closed = false;

  const readDirectory = async (): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && files.size === 0) return;
      logger.error({ dir, err: error }, 'cannot read the signing key directory; keeping the last good key set');
      return;
    }
    const next = new Map<string, LoadedFile>();
    for (const name of names.sort()) {
      if (!isSigningKeyFileName(name)) continue;
      const path = join(dir, name);
      const previous = files.get(name);
      let text: string;
      try {
        if (!(await stat(path)).isFile()) continue;
        text = await readFile(path, 'utf8');
      } catch (error) {
        // Gone between readdir and read: drop it. Anything else: keep what we had.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          logger.error({ file: path, err: error }, 'cannot read signing key file; keeping its last good version');
          if (previous) next.set(name, previous);
        }
        continue;
      }
      const digest = createHash('sha256').update(text).digest('hex');
      if (previous?.digest === digest) {
        next.set(name, previous);
        continue;
      }
      try {
        next.set(name, { digest, key: await loadSigningKey(text, name) });
        reportedFailures.delete(name);
      } catch (error) {
        if (reportedFailures.get(name) !== digest) {
          reportedFailures.set(name, digest);
          logger.error(
            { file: path, problem: (error as Error).message, keptPreviousVersion: previous !== undefined },
            'skipping invalid signing key file',
          );
        }
        if (previous) next.set(name, previous);
      }
    }
    apply(next);
  };

  const apply = (next: Map<string, LoadedFile>) => {
    const byKid = new Map<string, SigningKey>();
    for (const [name, file] of next) {
      if (byKid.has(file.key.kid)) {
        logger.error({ file: join(dir, name), kid: file.key.kid }, 'duplicate signing key id; ignoring this file');
        continue;
      }
      byKid.set(file.key.kid, file.key);
    }
    files = next;
    keys = [...byKid.values()].sort((a, b) => b.iat - a.iat || b.kid.localeCompare(a.kid));
    published = { keys: keys.map((key) => ({ ...key.publicJwk })) };
    localSet = createLocalJWKSet({ keys: published.keys.map((jwk) => ({ ...jwk })) });

    const summary = JSON.stringify({ kids: keys.map((key) => key.kid), active: store.activeKey()?.kid });
    if (summary !== lastSummary) {
      lastSummary = summary;
      logger.info(
        { kids: keys.map((key) => key.kid), activeKid: store.activeKey()?.kid ?? null },
        'signing keys loaded',
      );
    }
  };

  // Reloads never overlap; a request during one runs once more after it.
  let running: Promise<void> | undefined;
  let again = false;
  const reload = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await readDirectory();
        } catch (error) {
          logger.error({ dir, err: error }, 'signing key reload failed; keeping the last good key set');
        }
      } while (again && !closed);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  const store: SigningKeyStore = {
    activeKey: () => activeSigningKey(keys, Math.floor(Date.now() / 1000)),
    jwks: () => published,
    resolver: (header, token) => localSet(header, token),
    reload,
    close() {
      closed = true;
      clearInterval(poll);
      clearTimeout(debounce);
      watcher?.close();
    },
  };

  await reload();
  if (!store.activeKey()) {
    if (settings.generate) {
      const jwk = await createSigningKeyJwk();
      await writeSigningKeyFile(dir, jwk);
      logger.warn({ dir, kid: jwk.kid }, 'no usable signing key found; generated one');
      await reload();
    } else {
      logger.error({ dir }, 'no usable signing key and SIGNING_KEYS_GENERATE=false: cannot issue tokens until one is added');
    }
  }

  let debounce: NodeJS.Timeout | undefined;
  const scheduleReload = () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => void reload(), 50);
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { persistent: false }, scheduleReload);
    watcher.on('error', (error) => {
      logger.warn({ dir, err: error }, 'signing key directory watch failed; relying on polling');
      watcher?.close();
    });
  } catch (error) {
    logger.warn({ dir, err: error }, 'cannot watch the signing key directory; relying on polling');
  }
  const poll = setInterval(() => void reload(), settings.reloadMs);
  poll.unref();

  return store;
}
