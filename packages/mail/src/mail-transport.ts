import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import type { MailJob } from '@parley/contracts';

export interface MailTransport {
  send(from: string, job: MailJob): Promise<void>;
}

/** SMTP via nodemailer, e.g. `smtp://user:pass@smtp.example.com:587`. */
export function createSmtpTransport(smtpUrl: string): MailTransport {
  const transporter = nodemailer.createTransport(smtpUrl);
  return {
    async send(from, job) {
      await transporter.sendMail({ from, to: job.to, subject: job.subject, text: job.text, html: job.html });
    },
  };
}

/** A message as stored in the file mailbox. */
export interface MailboxMessage extends MailJob {
  from: string;
  sentAt: string;
}

/**
 * Without SMTP, mail lands as JSON files in a directory: local development and tests read
 * codes from there instead of a real inbox.
 */
export function createFileMailbox(dir: string): MailTransport {
  let counter = 0;
  return {
    async send(from, job) {
      await mkdir(dir, { recursive: true });
      const message: MailboxMessage = { ...job, from, sentAt: new Date().toISOString() };
      const safeTo = job.to.replace(/[^a-zA-Z0-9@._-]/g, '_');
      counter += 1;
      const name = `${Date.now()}-${process.pid}-${counter}-${safeTo}.json`;
      // Written aside, then renamed: a reader (the dev mailbox page, a test) never sees half a file.
      const partial = join(dir, `.${name}.partial`);
      await writeFile(partial, JSON.stringify(message, null, 2));
      await rename(partial, join(dir, name));
    },
  };
}

/** The mail settings every process that sends mail reads (`mailEnv` and `dataDirEnv` of @parley/config). */
export interface MailTransportConfig {
  SMTP_URL?: string;
  MAILBOX_DIR?: string;
  DATA_DIR: string;
}

/** Where the file mailbox is: MAILBOX_DIR, or `<DATA_DIR>/mailbox`. */
export function mailboxDirOf(config: Omit<MailTransportConfig, 'SMTP_URL'>): string {
  return resolve(config.MAILBOX_DIR ?? join(config.DATA_DIR, 'mailbox'));
}

/** SMTP when SMTP_URL is set, otherwise the file mailbox: the one place that choice is made. */
export function mailTransportFor(config: MailTransportConfig): MailTransport {
  return config.SMTP_URL ? createSmtpTransport(config.SMTP_URL) : createFileMailbox(mailboxDirOf(config));
}

/** Messages in a file mailbox, oldest first, optionally only those to one address. */
export async function readFileMailbox(dir: string, to?: string): Promise<MailboxMessage[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const sorted = names.filter((name) => name.endsWith('.json')).sort((a, b) => compareNames(a, b));
  const messages = await Promise.all(
    sorted.map(async (name) => JSON.parse(await readFile(join(dir, name), 'utf8')) as MailboxMessage),
  );
  return to ? messages.filter((message) => message.to.toLowerCase() === to.toLowerCase()) : messages;
}

function compareNames(a: string, b: string): number {
  const [timeA = 0, , countA = 0] = a.split('-').map(Number);
  const [timeB = 0, , countB = 0] = b.split('-').map(Number);
  return timeA - timeB || countA - countB;
}
