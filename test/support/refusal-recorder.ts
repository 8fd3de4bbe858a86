/**
 * A pass-through HTTP proxy in front of an AWS emulator that records every request it refuses
 * (HTTP 403) with the emulator's words, e.g. "User: arn:aws:sts::…:assumed-role/gas-annotator/…
 * is not authorized to perform: dynamodb:Query on resource: *". A process whose AWS endpoint is
 * the proxy then fails a test by naming the call its IAM policy lacks, where its own log only
 * has the SDK's "Unrecognized token '<'" (moto answers a refused JSON-protocol call in XML).
 *
 * Headers go through unchanged, Host included, so SigV4 signatures still verify; bodies are
 * buffered (AWS calls here are small). Every request is also kept (`calls`), so a test can name
 * the IAM action of each call a process made (test/support/iam-action-of-request.ts).
 */
import { request as httpRequest, type IncomingMessage, createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as it went to the emulator: what iam-action-of-request.ts needs to name its action. */
export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The body as text, for the query and JSON protocols (an S3 upload's bytes are not kept). */
  body: string;
  status: number;
}

export interface RefusalRecorder {
  endpoint: string;
  /** Every request so far, refused or not. */
  calls(): RecordedRequest[];
  /** "METHOD path: the emulator's message", one per refused request so far. */
  refusals(): string[];
  stop(): Promise<void>;
}

const readAll = async (stream: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

/** The message of an AWS error body (XML <Message> or JSON "message"), else its start. */
function messageOf(body: string): string {
  const xml = /<Message>([\s\S]*?)<\/Message>/.exec(body)?.[1];
  if (xml) return xml.trim();
  const json = /"[Mm]essage"\s*:\s*"([^"]*)"/.exec(body)?.[1];
  return (json ?? body).slice(0, 300);
}

export async function startRefusalRecorder(upstream: string): Promise<RefusalRecorder> {
  const target = new URL(upstream);
  const refused: string[] = [];
  const calls: RecordedRequest[] = [];
  const server = createServer(async (req, res) => {
    try {
      const body = await readAll(req);
      const upstreamRes = await new Promise<IncomingMessage>((resolve, reject) => {
        const out = httpRequest(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
          resolve,
        );
        out.on("error", reject);
        out.end(body);
      });
      const answer = await readAll(upstreamRes);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k.toLowerCase()] = v;
      const textual = /json|x-www-form-urlencoded|cbor/.test(headers["content-type"] ?? "");
      calls.push({
        method: req.method ?? "GET",
        url: req.url ?? "/",
        headers,
        body: textual ? body.toString("utf8") : "",
        status: upstreamRes.statusCode ?? 0,
      });
      if (upstreamRes.statusCode === 403)
        refused.push(`${req.method} ${req.url?.split("?")[0]}: ${messageOf(answer.toString("utf8")) || "403 (no body: a HEAD)"}`);
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
      res.end(answer);
    } catch (err) {
      res.writeHead(502);
      res.end(String(err));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    refusals: () => [...refused],
    calls: () => [...calls],
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
