/**
 * This EC2 instance's id from the instance metadata service (IMDSv2: a session token, then
 * /latest/meta-data/instance-id), or null off EC2. Asked once per process with a short timeout:
 * off EC2 the link-local address does not answer, and waiting the SDK's default seconds for it
 * would hold up the first job.
 */
const IMDS = "http://169.254.169.254";

/** The instance id, or null when no metadata service answers within `timeoutMs`. */
export async function fetchEc2InstanceId(o: { endpoint?: string; timeoutMs?: number } = {}): Promise<string | null> {
  const base = o.endpoint ?? IMDS;
  const signal = () => AbortSignal.timeout(o.timeoutMs ?? 1000);
  try {
    const token = await fetch(`${base}/latest/api/token`, {
      method: "PUT",
      headers: { "x-aws-ec2-metadata-token-ttl-seconds": "60" },
      signal: signal(),
    });
    if (!token.ok) return null;
    const id = await fetch(`${base}/latest/meta-data/instance-id`, {
      headers: { "x-aws-ec2-metadata-token": await token.text() },
      signal: signal(),
    });
    const text = id.ok ? (await id.text()).trim() : "";
    return /^i-[0-9a-f]+$/.test(text) ? text : null;
  } catch {
    return null;
  }
}
