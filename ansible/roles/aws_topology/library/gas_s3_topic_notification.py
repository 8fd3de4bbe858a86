#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One SNS topic notification of an S3 bucket, idempotent, leaving the bucket's other notifications.

Written for GAS because community.aws.s3_bucket_notification always sends a second, empty Suffix
filter rule and spells the rule names "Prefix"/"Suffix": the S3 API's names are "prefix"/"suffix",
and moto (the playbook's rehearsal emulator) refuses anything else with HTTP 500.
"""

DOCUMENTATION = r"""
---
module: gas_s3_topic_notification
short_description: One S3 bucket event notification to an SNS topic
description:
  - Sets the topic configuration with the given id on the bucket (events, topic, key prefix);
    the bucket's other queue, topic, Lambda and EventBridge notifications are kept.
  - The topic's policy must already let s3.amazonaws.com publish (S3 checks it on AWS).
options:
  bucket: { description: The bucket., required: true, type: str }
  id: { description: The notification's id., required: true, type: str }
  topic_arn: { description: The SNS topic., required: true, type: str }
  events: { description: S3 event types., required: true, type: list, elements: str }
  prefix: { description: Key prefix filter (none when empty)., type: str, default: "" }
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Restores of archives announced to a topic
  gas_s3_topic_notification:
    bucket: gas-results-example
    id: gas-archive-restored
    topic_arn: arn:aws:sns:us-east-1:123456789012:gas-archive-restored
    events: ["s3:ObjectRestore:Completed"]
    prefix: archive/
"""

RETURN = r"""
notification:
  description: The topic configuration as set.
  returned: always
  type: dict
"""

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule


def normalized(config):
    """What decides equality: the topic, the sorted events, the filter rules with lower-case names."""
    rules = config.get("Filter", {}).get("Key", {}).get("FilterRules", [])
    return (
        config.get("TopicArn"),
        sorted(config.get("Events", [])),
        sorted((r["Name"].lower(), r["Value"]) for r in rules if r.get("Value")),
    )


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            bucket=dict(required=True),
            id=dict(required=True),
            topic_arn=dict(required=True),
            events=dict(required=True, type="list", elements="str"),
            prefix=dict(default=""),
        ),
        supports_check_mode=True,
    )
    p = module.params
    desired = {"Id": p["id"], "TopicArn": p["topic_arn"], "Events": sorted(p["events"])}
    if p["prefix"]:
        desired["Filter"] = {"Key": {"FilterRules": [{"Name": "prefix", "Value": p["prefix"]}]}}
    s3 = module.client("s3")
    try:
        current = s3.get_bucket_notification_configuration(Bucket=p["bucket"])
    except (BotoCoreError, ClientError) as e:
        module.fail_json_aws(e, msg=f"Couldn't read the notifications of bucket {p['bucket']}")
    current.pop("ResponseMetadata", None)
    topics = current.get("TopicConfigurations", [])
    mine = next((t for t in topics if t.get("Id") == p["id"]), None)
    if mine is not None and normalized(mine) == normalized(desired):
        module.exit_json(changed=False, notification=mine)
    current["TopicConfigurations"] = [t for t in topics if t.get("Id") != p["id"]] + [desired]
    if not module.check_mode:
        try:
            s3.put_bucket_notification_configuration(Bucket=p["bucket"], NotificationConfiguration=current)
        except (BotoCoreError, ClientError) as e:
            module.fail_json_aws(e, msg=f"Couldn't set notification {p['id']} of bucket {p['bucket']}")
    module.exit_json(changed=True, notification=desired)


if __name__ == "__main__":
    main()
