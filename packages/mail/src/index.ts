export { createMailQueue, bullPrefix } from './mail-queue.js';
export type { MailQueue } from './mail-queue.js';
export { createSmtpTransport, createFileMailbox, readFileMailbox, mailTransportFor, mailboxDirOf } from './mail-transport.js';
export type { MailTransport, MailboxMessage, MailTransportConfig } from './mail-transport.js';
export { startMailWorker } from './mail-worker.js';
export type { MailWorkerSettings } from './mail-worker.js';
