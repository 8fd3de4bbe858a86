/**
 * The error vocabulary services speak. Routes never build HTTP errors themselves: they throw an
 * AppError and `src/web/on-error.tsx` maps its code to a status, so the mapping lives in one place.
 */
export type ErrorCode =
  | "NOT_FOUND"
  | "FORBIDDEN"
  | "UNAUTHENTICATED"
  | "CONFLICT"
  | "INVALID_INPUT"
  | "PAYLOAD_TOO_LARGE"
  | "PAYMENT_REQUIRED"
  | "UNAVAILABLE";

/** An expected failure whose message is safe to show the user. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** HTTP status for each error code (also used by the JSON API's `code` field). */
export const HTTP_STATUS = {
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  UNAUTHENTICATED: 401,
  CONFLICT: 409,
  INVALID_INPUT: 400,
  PAYLOAD_TOO_LARGE: 413,
  PAYMENT_REQUIRED: 402,
  UNAVAILABLE: 503,
} as const satisfies Record<ErrorCode, number>;
