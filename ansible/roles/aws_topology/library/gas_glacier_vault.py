#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An S3 Glacier vault (the 2012-06-01 vault API), idempotent.

Written for GAS because neither amazon.aws nor community.aws has a Glacier vault module. GAS's
Glacier archive vault (src/adapters/aws/glacier-archive-vault.ts, ARCHIVE_VAULT=glacier) needs
only the vault: each retrieval job names the archive-restored topic itself, so the vault has no
notification configuration to set.
"""

DOCUMENTATION = r"""
---
module: gas_glacier_vault
short_description: An S3 Glacier vault
description:
  - Makes the vault when DescribeVault says it does not exist (CreateVault); an existing vault
    is left as it is (changed=false). Never deletes a vault (it would have to be empty first).
options:
  name: { description: The vault's name., required: true, type: str }
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Archive vault
  gas_glacier_vault:
    name: gas-archive
"""

RETURN = r"""
vault:
  description: DescribeVault's answer for the vault.
  returned: always
  type: dict
"""

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

# DescribeVault of an absent vault: ResourceNotFoundException on AWS, VaultNotFound on moto 5.2.
NOT_FOUND = ("ResourceNotFoundException", "VaultNotFound")


def describe(glacier, name):
    try:
        answer = glacier.describe_vault(accountId="-", vaultName=name)
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") in NOT_FOUND:
            return None
        raise
    answer.pop("ResponseMetadata", None)
    return answer


def main():
    module = AnsibleAWSModule(argument_spec=dict(name=dict(required=True)), supports_check_mode=True)
    name = module.params["name"]
    glacier = module.client("glacier")
    try:
        vault = describe(glacier, name)
        if vault is not None:
            module.exit_json(changed=False, vault=vault)
        if module.check_mode:
            module.exit_json(changed=True, vault={"VaultName": name})
        glacier.create_vault(accountId="-", vaultName=name)
        module.exit_json(changed=True, vault=describe(glacier, name) or {"VaultName": name})
    except (BotoCoreError, ClientError) as e:
        module.fail_json_aws(e, msg=f"Glacier vault {name}")


if __name__ == "__main__":
    main()
