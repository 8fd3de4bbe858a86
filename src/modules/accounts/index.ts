export { type AccountsService, type User, createAccountsService } from "./accounts.service.ts";
