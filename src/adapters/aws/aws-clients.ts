/**
 * The AWS SDK clients the adapters share. Credentials come only from the SDK's default provider
 * chain (environment, shared config/SSO, web identity, ECS/EC2 instance role); nothing is read
 * from files in the repository. `endpoint` points every client at an emulator or a VPC endpoint.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";

export interface AwsClientOptions {
  region: string;
  /** AWS_ENDPOINT_URL: one endpoint for every service (emulators). Unset on AWS. */
  endpoint?: string | null;
  /** AWS_ENDPOINT_URL_<SERVICE>: a different endpoint for one service (the SDK's own naming). */
  endpoints?: Partial<Record<AwsService, string>>;
  /**
   * Static credentials for the emulator tests only. src/config.ts never sets this, so a
   * deployment always uses the default provider chain (the instance profile on EC2).
   */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export type AwsService = "s3" | "sqs" | "sns" | "dynamodb" | "sesv2";

export interface AwsClients {
  s3: S3Client;
  sqs: SQSClient;
  sns: SNSClient;
  dynamodb: DynamoDBClient;
  ses: SESv2Client;
  /** Close the clients' keep-alive sockets. */
  destroy(): void;
}

/** Build one client per service with the same region, endpoint and credentials. */
export function createAwsClients(opts: AwsClientOptions): AwsClients {
  const config = (service: AwsService) => {
    const endpoint = opts.endpoints?.[service] ?? opts.endpoint;
    return {
      region: opts.region,
      ...(endpoint ? { endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
    };
  };
  // Emulators answer on one host:port, so S3 must use path-style URLs (bucket in the path, not
  // the host name); on AWS virtual-hosted style is the default and the only one for new buckets.
  const s3 = new S3Client({ ...config("s3"), forcePathStyle: !!(opts.endpoints?.s3 ?? opts.endpoint) });
  const sqs = new SQSClient(config("sqs"));
  const sns = new SNSClient(config("sns"));
  const dynamodb = new DynamoDBClient(config("dynamodb"));
  const ses = new SESv2Client(config("sesv2"));
  return {
    s3,
    sqs,
    sns,
    dynamodb,
    ses,
    destroy() {
      for (const c of [s3, sqs, sns, dynamodb, ses]) c.destroy();
    },
  };
}
