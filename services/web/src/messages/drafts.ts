import { z } from 'zod';
import { readStored, storageKeys, writeStored } from '../storage/browser-storage';

const draftsSchema = z.record(z.string(), z.string());

/**
 * Unsent text per room, kept in localStorage: switching rooms, reloading or closing the tab
 * loses nothing. Empty drafts are dropped.
 */
export class Drafts {
  private readonly key: string;

  constructor(userId: string) {
    this.key = storageKeys.drafts(userId);
  }

  get(roomId: string): string {
    return readStored(this.key, draftsSchema)?.[roomId] ?? '';
  }

  set(roomId: string, text: string): void {
    const all = readStored(this.key, draftsSchema) ?? {};
    if (text.trim()) all[roomId] = text;
    else delete all[roomId];
    writeStored(this.key, all);
  }
}
