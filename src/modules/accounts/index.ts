export {
  type AccountsService,
  type ApiTokenInfo,
  type ProfileInput,
  type Tier,
  type User,
  createAccountsService,
  hashSecret,
  profileComplete,
  validateProfile,
} from "./accounts.service.ts";
export { type ActiveSession, type SessionsService, createSessionsService } from "./sessions.service.ts";
export { type AccountChanges, withTokenCache } from "./token-cache.ts";
