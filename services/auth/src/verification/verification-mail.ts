import type { MailJob } from '@parley/contracts';
import { CODE_TTL_SECONDS } from './one-time-codes.js';

const minutes = Math.round(CODE_TTL_SECONDS / 60);

export function emailVerificationMail(to: string, username: string, code: string): MailJob {
  return {
    kind: 'email-verification',
    to,
    subject: 'Your Parley verification code',
    text: [
      `Hi ${username},`,
      '',
      `Your Parley email verification code is ${code}`,
      `It expires in ${minutes} minutes. If you did not ask for it, ignore this message.`,
    ].join('\n'),
  };
}

export function passwordResetMail(to: string, username: string, code: string): MailJob {
  return {
    kind: 'password-reset',
    to,
    subject: 'Your Parley password reset code',
    text: [
      `Hi ${username},`,
      '',
      `Your Parley password reset code is ${code}`,
      `It expires in ${minutes} minutes. If you did not ask to reset your password, ignore this message;`,
      'your password stays as it is.',
    ].join('\n'),
  };
}
