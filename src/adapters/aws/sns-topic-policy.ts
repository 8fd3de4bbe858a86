/**
 * The topic policy that lets an AWS service publish its notifications (S3 restore events, Glacier
 * job completions) to one of our topics. Replaces the topic's policy: GAS owns its topics, and
 * each has one such publisher.
 */
import { SetTopicAttributesCommand, type SNSClient } from "@aws-sdk/client-sns";

export interface ServicePublisher {
  sid: string;
  /** The service principal, e.g. `s3.amazonaws.com`. */
  service: string;
  /** Which of that service's senders may publish (source ARN or owner account). */
  condition: Record<string, Record<string, string>>;
}

/** Set `topicArn`'s policy so that `publisher.service` may publish to it under `publisher.condition`. */
export async function allowServicePublish(sns: SNSClient, topicArn: string, publisher: ServicePublisher): Promise<void> {
  await sns.send(
    new SetTopicAttributesCommand({
      TopicArn: topicArn,
      AttributeName: "Policy",
      AttributeValue: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: publisher.sid,
            Effect: "Allow",
            Principal: { Service: publisher.service },
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: publisher.condition,
          },
        ],
      }),
    }),
  );
}
