/**
 * A fake of the S3 behaviours no emulator has (fauxqs keeps no storage class and has neither
 * RestoreObject nor bucket notifications; moto restores only through its state manager): an
 * HTTP server in front of fauxqs that speaks S3's wire protocol for those parts, as the SDK
 * sends them, and forwards every other request to fauxqs unchanged.
 * - PutObject with `x-amz-storage-class` GLACIER or DEEP_ARCHIVE marks the key archived;
 * - HeadObject of an archived key answers `x-amz-storage-class` and, once a restore was asked
 *   for, `x-amz-restore: ongoing-request="true"` or `ongoing-request="false", expiry-date="…"`;
 * - GetObject of an archived, unrestored key is 403 InvalidObjectState;
 * - RestoreObject (`POST /bucket/key?restore`): 202, 409 RestoreAlreadyInProgress while one runs,
 *   200 when already restored, 403 InvalidObjectState for a non-archived key, 404 NoSuchKey;
 *   `restoreMs` later the restore completes and, if the bucket's notification configuration
 *   (`PUT /bucket?notification`, kept here) has a TopicConfiguration for
 *   `s3:ObjectRestore:Completed` whose prefix filter matches, the S3 event JSON is published to
 *   that SNS topic on fauxqs, as S3 does.
 */
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";

export interface S3RestoreFake {
  endpoint: string;
  stop(): Promise<void>;
}

interface KeyState {
  storageClass: string;
  restore: "none" | "ongoing" | "done";
  /** Restores complete on a timer; a replaced or deleted object cancels its announcement. */
  generation: number;
}

interface TopicConfig {
  topicArn: string;
  events: string[];
  prefix: string;
}

const xmlError = (status: number, code: string, message: string) =>
  new Response(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`, {
    status,
    headers: { "content-type": "application/xml" },
  });

const tag = (xml: string, name: string) => [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, "g"))].map((m) => m[1]!.trim());

/** Start the fake in front of `upstream` (fauxqs); `sns` publishes the restore events. */
export function startS3RestoreFake(opts: { upstream: string; sns: SNSClient; restoreMs: number; region?: string }): S3RestoreFake {
  const keys = new Map<string, KeyState>();
  const notifications = new Map<string, TopicConfig[]>();
  let generation = 0;
  const timers = new Set<ReturnType<typeof setTimeout>>();

  async function forward(req: Request, url: URL): Promise<Response> {
    const headers = new Headers(req.headers);
    headers.delete("host");
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer();
    const r = await fetch(`${opts.upstream}${url.pathname}${url.search}`, { method: req.method, headers, body, redirect: "manual" });
    return new Response(req.method === "HEAD" ? null : r.body, { status: r.status, headers: r.headers });
  }

  function announce(bucket: string, key: string, size: number) {
    for (const c of notifications.get(bucket) ?? []) {
      if (!c.events.some((e) => e === "s3:ObjectRestore:Completed" || e === "s3:ObjectRestore:*") || !key.startsWith(c.prefix)) continue;
      const event = {
        Records: [
          {
            eventVersion: "2.1",
            eventSource: "aws:s3",
            awsRegion: opts.region ?? "us-east-1",
            eventTime: new Date().toISOString(),
            eventName: "ObjectRestore:Completed",
            s3: {
              s3SchemaVersion: "1.0",
              bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
              // S3 URL-encodes keys in events, spaces as '+'.
              object: { key: encodeURIComponent(key).replaceAll("%20", "+").replaceAll("%2F", "/"), size },
            },
            glacierEventData: {
              restoreEventData: {
                lifecycleRestorationExpiryTime: new Date(Date.now() + 86_400_000).toISOString(),
                lifecycleRestoreStorageClass: "DEEP_ARCHIVE",
              },
            },
          },
        ],
      };
      void opts.sns
        .send(new PublishCommand({ TopicArn: c.topicArn, Message: JSON.stringify(event), Subject: "Amazon S3 Notification" }))
        .catch(() => {});
    }
  }

  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      const [, bucket = "", ...rest] = url.pathname.split("/");
      const key = decodeURIComponent(rest.join("/"));
      const id = `${bucket}/${key}`;
      const q = url.searchParams;

      if (!key && q.has("notification")) {
        if (req.method === "PUT") {
          const xml = await req.text();
          const configs = [...xml.matchAll(/<TopicConfiguration>([\s\S]*?)<\/TopicConfiguration>/g)].map(([, c]) => {
            const rule = /<FilterRule>\s*<Name>prefix<\/Name>\s*<Value>([^<]*)<\/Value>/i.exec(c!);
            return { topicArn: tag(c!, "Topic")[0]!, events: tag(c!, "Event"), prefix: rule?.[1] ?? "" };
          });
          notifications.set(bucket, configs);
          return new Response(null, { status: 200 });
        }
        const configs = notifications.get(bucket) ?? [];
        const body = configs.map(
          (c) =>
            `<TopicConfiguration><Topic>${c.topicArn}</Topic>${c.events.map((e) => `<Event>${e}</Event>`).join("")}<Filter><S3Key><FilterRule><Name>prefix</Name><Value>${c.prefix}</Value></FilterRule></S3Key></Filter></TopicConfiguration>`,
        );
        return new Response(
          `<?xml version="1.0" encoding="UTF-8"?><NotificationConfiguration>${body.join("")}</NotificationConfiguration>`,
          { headers: { "content-type": "application/xml" } },
        );
      }
      if (!key) return forward(req, url);

      if (req.method === "POST" && q.has("restore")) {
        const head = await fetch(`${opts.upstream}/${bucket}/${rest.join("/")}`, { method: "HEAD" });
        if (head.status === 404) return xmlError(404, "NoSuchKey", "The specified key does not exist.");
        const s = keys.get(id);
        if (!s) return xmlError(403, "InvalidObjectState", "Restore is not allowed for the object's current storage class");
        if (s.restore === "ongoing") return xmlError(409, "RestoreAlreadyInProgress", "Object restore is already in progress");
        if (s.restore === "done") return new Response(null, { status: 200 });
        s.restore = "ongoing";
        const gen = s.generation;
        const size = Number(head.headers.get("content-length") ?? 0);
        const timer = setTimeout(() => {
          timers.delete(timer);
          const now = keys.get(id);
          if (!now || now.generation !== gen) return;
          now.restore = "done";
          announce(bucket, key, size);
        }, opts.restoreMs);
        timers.add(timer);
        return new Response(null, { status: 202 });
      }

      if (req.method === "PUT" && !q.has("partNumber") && !q.has("uploadId") && !req.headers.has("x-amz-copy-source")) {
        const cls = req.headers.get("x-amz-storage-class") ?? "STANDARD";
        const r = await forward(req, url);
        if (r.ok) {
          if (cls === "GLACIER" || cls === "DEEP_ARCHIVE") keys.set(id, { storageClass: cls, restore: "none", generation: ++generation });
          else keys.delete(id);
        }
        return r;
      }
      if (req.method === "DELETE" && !q.has("uploadId")) {
        keys.delete(id);
        return forward(req, url);
      }
      const s = keys.get(id);
      if (s && req.method === "GET" && s.restore !== "done")
        return xmlError(403, "InvalidObjectState", "The operation is not valid for the object's storage class");
      const r = await forward(req, url);
      if (s && req.method === "HEAD" && r.ok) {
        r.headers.set("x-amz-storage-class", s.storageClass);
        if (s.restore === "ongoing") r.headers.set("x-amz-restore", 'ongoing-request="true"');
        if (s.restore === "done")
          r.headers.set("x-amz-restore", `ongoing-request="false", expiry-date="${new Date(Date.now() + 86_400_000).toUTCString()}"`);
      }
      return r;
    },
  });
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    async stop() {
      for (const t of timers) clearTimeout(t);
      await server.stop(true);
    },
  };
}
