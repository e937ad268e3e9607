export { createSmtpTransport, createFileMailbox, readFileMailbox, mailTransportFor, mailboxDirOf } from './mail-transport.js';
export type { MailTransport, MailboxMessage, MailTransportConfig } from './mail-transport.js';
export { createMailDelivery } from './mail-delivery.js';
export type { MailDeliverySettings } from './mail-delivery.js';
