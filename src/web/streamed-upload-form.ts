/**
 * Reads an S3-style upload form (text fields first, then the `file` part) as it streams in, and
 * hands the file to `onFile` as a stream while the body is still arriving: the web process holds a
 * few chunks of an upload, never the whole of it (hono's parseBody reads the entire multipart body
 * into memory first; a 256 MiB anonymous post raised RSS by ~550 MB, issue 13). busboy is the
 * streaming multipart parser Node servers use (multer, fastify); Bun runs it through node:stream.
 *
 * As on S3, parts after the file are ignored, and the file must be the part named `file`.
 */
import { Readable } from "node:stream";
import busboy from "busboy";
import type { UploadedFile } from "../ports/object-store.ts";
import { AppError } from "../shared/errors.ts";

/** Text fields: a policy form has about six; their values are keys, a redirect URL and a signed policy. */
const LIMITS = { fields: 50, fieldSize: 64 * 1024, parts: 60, files: 1, headerPairs: 100 };

const malformed = (why: string) =>
  new AppError("INVALID_INPUT", `The upload could not be read: ${why}. Send multipart/form-data with the form's fields, then the file.`);

/**
 * Parse `request`'s multipart body; when the `file` part starts, call `onFile` with the text
 * fields seen so far (a repeated field counts with its last value; `name[]` fields are not policy
 * fields) and the file as a stream, and resolve with its result. Rejects with a 400 for a body
 * that is not a well-formed upload form, or with `onFile`'s error, after which the rest of the
 * body is not read.
 */
export function receiveStreamedUploadForm<T>(
  request: Request,
  onFile: (fields: Record<string, string>, file: UploadedFile) => Promise<T>,
): Promise<T> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\b/i.test(contentType) || !/boundary=/i.test(contentType))
    return Promise.reject(malformed("the request is not multipart/form-data with a boundary"));
  if (!request.body) return Promise.reject(malformed("the request has no body"));

  return new Promise<T>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      // preservePath: the name as sent, so a name with slashes is refused (busboy would keep only its last part).
      parser = busboy({ headers: { "content-type": contentType }, limits: LIMITS, defParamCharset: "utf8", preservePath: true });
    } catch (err) {
      reject(malformed((err as Error).message));
      return;
    }
    const source = Readable.fromWeb(request.body as unknown as import("node:stream/web").ReadableStream<Uint8Array>);
    const fields: Record<string, string> = {};
    let settled = false;
    let receiving: Promise<T> | null = null;
    let fileStream: Readable | null = null;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      // A file still streaming into the store errors too, so the store removes its partial copy.
      fileStream?.destroy(err instanceof Error ? err : new Error(String(err)));
      // Stop reading the client's body: nothing more of it is wanted.
      source.unpipe(parser);
      source.destroy();
      reject(err);
    };

    parser.on("field", (name, value, info) => {
      if (info.valueTruncated) return fail(new AppError("PAYLOAD_TOO_LARGE", `Upload refused: the form field "${name}" is too long`));
      if (!name.endsWith("[]")) fields[name] = value;
    });
    parser.on("file", (name, stream, info) => {
      if (receiving) {
        stream.resume(); // a second file: ignored, as S3 ignores what follows the file
        return;
      }
      if (name !== "file") {
        stream.resume();
        return fail(new AppError("INVALID_INPUT", `Upload refused: the file part must be named "file" (this one is "${name}")`));
      }
      fileStream = stream;
      // Errors reach the store through the web stream below; without a listener of its own, a
      // destroyed part's error event would be uncaught and end the process.
      stream.on("error", () => {});
      const file: UploadedFile = {
        name: info.filename ?? "",
        stream: () => Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>,
      };
      receiving = onFile({ ...fields }, file);
      receiving.then(
        (value) => {
          if (settled) return;
          settled = true;
          // The parts after the file are not wanted; let the client finish sending without reading them.
          source.unpipe(parser);
          source.resume();
          resolve(value);
        },
        (err) => {
          stream.resume();
          fail(err);
        },
      );
    });
    parser.on("partsLimit", () => fail(new AppError("PAYLOAD_TOO_LARGE", "Upload refused: the form has too many parts")));
    parser.on("fieldsLimit", () => fail(new AppError("PAYLOAD_TOO_LARGE", "Upload refused: the form has too many fields")));
    parser.on("error", (err: Error) => fail(malformed(err.message)));
    parser.on("close", () => {
      if (!receiving) fail(new AppError("INVALID_INPUT", 'Upload refused: the form has no "file" part'));
    });
    source.on("error", (err) => fail(malformed(`the body ended early (${err.message})`)));
    source.pipe(parser);
  });
}
