/**
 * Signed browser-upload policies for the local object store, checked the way S3 checks a
 * presigned POST (docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html):
 * a base64 JSON policy with an expiration and conditions, signed with HMAC-SHA256; every form
 * field must be covered by a condition; `${filename}` in the key is replaced by the file's name;
 * `content-length-range` bounds the file size. S3's SigV4 key derivation is not reproduced: the
 * local store signs with UPLOAD_SIGNING_SECRET directly, and only this process verifies.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { AppError } from "../../shared/errors.ts";
import { type UploadForm, type UploadPolicyRequest, assertSafeKey } from "../../ports/object-store.ts";

type Condition = Record<string, string> | [string, string | number, string | number];

interface Policy {
  expiration: string;
  conditions: Condition[];
}

export const SIGNATURE_FIELD = "x-gas-signature";
const ALGORITHM = "GAS-HMAC-SHA256";
/** Fields S3 exempts from "every field needs a condition". */
const EXEMPT = new Set(["policy", SIGNATURE_FIELD, "file"]);

const sign = (secret: string, policyB64: string) => createHmac("sha256", secret).update(policyB64).digest("hex");

/** Build the form fields for a signed upload. */
export function createUploadPolicy(req: UploadPolicyRequest & { bucket: string; url: string; secret: string; now: Date }): UploadForm {
  const expiresAt = new Date(req.now.getTime() + req.expiresInSeconds * 1000);
  const policy: Policy = {
    expiration: expiresAt.toISOString(),
    conditions: [
      { bucket: req.bucket },
      ["starts-with", "$key", req.keyPrefix],
      { success_action_redirect: req.successRedirect },
      { "x-gas-algorithm": ALGORITHM },
      ["content-length-range", 0, req.maxBytes],
    ],
  };
  const policyB64 = Buffer.from(JSON.stringify(policy)).toString("base64");
  return {
    url: req.url,
    expiresAt,
    fields: {
      key: req.key,
      success_action_redirect: req.successRedirect,
      "x-gas-algorithm": ALGORITHM,
      policy: policyB64,
      [SIGNATURE_FIELD]: sign(req.secret, policyB64),
    },
  };
}

const denied = (why: string) => new AppError("FORBIDDEN", `Upload refused: ${why}`);

/** A file name the browser sent; refused when it could escape its folder or hide characters. */
export function assertSafeFileName(name: string): void {
  // biome-ignore lint: control characters are exactly what we reject
  if (!name || name.length > 255 || /[/\\\u0000-\u001f]/.test(name) || name === "." || name === "..") {
    throw new AppError(
      "INVALID_INPUT",
      `Upload refused: file name ${JSON.stringify(name)} is not allowed (no slashes, backslashes or control characters)`,
    );
  }
}

/** What a verified form allows: where the file goes, where the browser goes next, and its size range. */
export interface VerifiedUpload {
  key: string;
  redirect: string | null;
  minBytes: number;
  maxBytes: number;
}

/**
 * Verify a posted form's fields against its policy before any of the file is read (the fields
 * come first in the form, as S3 requires), so a refused upload is answered without storing a
 * byte. Returns the final key, redirect and the content-length-range the file must fit, which the
 * caller enforces while the file streams in (`assertUploadSize`). Throws AppError: FORBIDDEN for
 * signature/expiry/condition failures (S3's 403 AccessDenied), INVALID_INPUT for a malformed form
 * or file name.
 */
export function verifyUploadFields(input: {
  fields: Record<string, string>;
  fileName: string;
  bucket: string;
  secret: string;
  now: Date;
}): VerifiedUpload {
  const { fields, fileName } = input;
  const policyB64 = fields.policy;
  const signature = fields[SIGNATURE_FIELD];
  if (!policyB64 || !signature)
    throw new AppError("INVALID_INPUT", `Upload refused: the form needs "policy" and "${SIGNATURE_FIELD}" fields`);
  const expected = Buffer.from(sign(input.secret, policyB64), "hex");
  const given = Buffer.from(signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw denied("the request signature does not match the policy (SignatureDoesNotMatch)");
  }
  let policy: Policy;
  try {
    policy = JSON.parse(Buffer.from(policyB64, "base64").toString("utf8")) as Policy;
  } catch {
    throw new AppError("INVALID_INPUT", "Upload refused: the policy is not valid base64 JSON");
  }
  const expiration = Date.parse(policy.expiration);
  if (!Number.isFinite(expiration) || expiration <= input.now.getTime()) throw denied("the policy expired");

  assertSafeFileName(fileName);
  const values: Record<string, string> = { ...fields, bucket: input.bucket };
  if (!values.key) throw new AppError("INVALID_INPUT", 'Upload refused: the form has no "key" field');
  values.key = values.key.replaceAll("${filename}", fileName);

  const covered = new Set<string>(["bucket"]);
  let range: [number, number] | null = null;
  for (const c of policy.conditions) {
    if (Array.isArray(c)) {
      const [op, a, b] = c;
      if (op === "content-length-range") {
        range = [Number(a), Number(b)];
        continue;
      }
      const field = String(a).replace(/^\$/, "");
      covered.add(field);
      const v = values[field] ?? "";
      if ((op === "eq" && v !== String(b)) || (op === "starts-with" && !v.startsWith(String(b))) || (op !== "eq" && op !== "starts-with")) {
        throw denied(`Policy Condition failed: ${JSON.stringify(c)}`);
      }
    } else {
      for (const [field, want] of Object.entries(c)) {
        covered.add(field);
        if (values[field] !== want) throw denied(`Policy Condition failed: ${JSON.stringify(c)}`);
      }
    }
  }
  for (const field of Object.keys(fields)) {
    if (!EXEMPT.has(field) && !field.startsWith("x-ignore-") && !covered.has(field)) {
      throw denied(`extra input fields: ${field} (not covered by the policy)`);
    }
  }
  if (!range || !(range[0] <= range[1])) throw denied("the policy has no usable content-length-range");
  try {
    assertSafeKey(values.key);
  } catch (err) {
    throw new AppError("INVALID_INPUT", `Upload refused: ${(err as Error).message}`);
  }
  return { key: values.key, redirect: fields.success_action_redirect ?? null, minBytes: range[0], maxBytes: range[1] };
}

/** S3's EntityTooLarge / EntityTooSmall for a file of `size` bytes (so far, while it streams). */
export function assertUploadSize(size: number, allowed: Pick<VerifiedUpload, "minBytes" | "maxBytes">, complete: boolean): void {
  if (size > allowed.maxBytes)
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `Upload refused: the file is larger than this upload allows (at most ${allowed.maxBytes} bytes)`,
    );
  if (complete && size < allowed.minBytes)
    throw new AppError("INVALID_INPUT", `Upload refused: the file is ${size} bytes; this upload needs at least ${allowed.minBytes} bytes`);
}
