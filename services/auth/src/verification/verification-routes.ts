import { Router } from 'express';
import {
  emailVerifyConfirmSchema,
  emailVerifyRequestSchema,
  passwordResetConfirmSchema,
  passwordResetRequestSchema,
  type AuthUserResponse,
  type CodeRequestAccepted,
} from '@parley/contracts';
import { principalOf, requireAuth, type AccessTokenVerifier } from '@parley/auth-middleware';
import { parseBody } from '@parley/http';
import type { EmailVerificationService } from './email-verification-service.js';
import type { PasswordResetService } from './password-reset-service.js';

export interface VerificationRoutesDeps {
  verifier: AccessTokenVerifier;
  emailVerification: EmailVerificationService;
  passwordReset: PasswordResetService;
}

const VERIFICATION_SENT: CodeRequestAccepted = {
  message: 'A verification code is on its way to your email address.',
};
const RESET_SENT: CodeRequestAccepted = {
  message: 'If an account uses this address, a password reset code is on its way to it.',
};

/** Mounted at /api/v1/auth. */
export function verificationRoutes(deps: VerificationRoutesDeps): Router {
  const router = Router();
  const authenticated = requireAuth(deps.verifier);

  router.post('/email/verify/request', authenticated, async (req, res) => {
    parseBody(emailVerifyRequestSchema, req.body);
    await deps.emailVerification.request(principalOf(res).userId, req.ip ?? 'unknown');
    res.status(202).json(VERIFICATION_SENT);
  });

  router.post('/email/verify/confirm', authenticated, async (req, res) => {
    const { code } = parseBody(emailVerifyConfirmSchema, req.body);
    const user = await deps.emailVerification.confirm(principalOf(res).userId, code);
    res.json({ user } satisfies AuthUserResponse);
  });

  router.post('/password/reset/request', async (req, res) => {
    const { email } = parseBody(passwordResetRequestSchema, req.body);
    await deps.passwordReset.request(email, req.ip ?? 'unknown');
    res.status(202).json(RESET_SENT);
  });

  router.post('/password/reset/confirm', async (req, res) => {
    const input = parseBody(passwordResetConfirmSchema, req.body);
    await deps.passwordReset.confirm(input);
    res.status(204).end();
  });

  return router;
}
