export { accountRoutes } from "./account.routes.tsx";
export {
  type AccountsService,
  type ApiTokenInfo,
  createAccountsService,
  hashSecret,
  type ProfileInput,
  type Tier,
  type User,
  validateProfile,
} from "./accounts.service.ts";
export { authRoutes } from "./auth.routes.tsx";
export {
  createEmailVerificationService,
  type EmailVerificationService,
  type VerificationMail,
} from "./email-verification.service.ts";
export { loadUser, type SessionOptions } from "./session-cookie.ts";
export { type ActiveSession, createSessionsService, type SessionsService } from "./sessions.service.ts";
export { type AccountChanges, withTokenCache } from "./token-cache.ts";
export { enforceTokenScopes, requiredScope } from "./token-scopes.ts";
