/**
 * The rendered IAM policies (roles/aws_topology/templates/policy-*.json.j2, rendered by
 * ansible-playbook as tasks/iam.yml does) against the checker's least-privilege table
 * (ansible/scripts/topology/iam-checks.ts): every call a role's code makes is allowed, nothing
 * else is. And the checker is shown to catch each denial issue 14 found on a real account, by
 * taking the permission out of the rendered policy again; then every action of every statement
 * of every template is taken out, one at a time, and the checker must name what broke: a policy
 * cannot lose a permission unnoticed, and holds no action the table does not account for.
 * Skips without ansible-playbook.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { type PolicyDocument, privilegeProblems } from "../ansible/scripts/topology/iam-checks.ts";
import { defaultSpec, type GasRole } from "../ansible/scripts/topology/topology-spec.ts";
import { GAS_ROLES, renderIamPolicies, withoutAction } from "./support/render-iam-policies.ts";

const ACCOUNT = "123456789012";
const spec = defaultSpec({ region: "us-east-1", accountSuffix: "example" });
const playbook = Bun.which("ansible-playbook");
if (!playbook) console.warn("iam-policies.test.ts: SKIPPED — ansible-playbook is not on PATH (pip install ansible)");

describe.skipIf(!playbook)("rendered IAM policies", () => {
  let policies: Record<GasRole, PolicyDocument>;
  beforeAll(async () => {
    policies = (await renderIamPolicies({ accountId: ACCOUNT, accountSuffix: "example", region: "us-east-1" }))!;
  }, 60_000);

  test("each role may make every call its code makes, and nothing it must not", () => {
    const problems = Object.fromEntries(GAS_ROLES.map((r) => [r, privilegeProblems(r, [policies[r]], spec, ACCOUNT)]));
    expect(problems).toEqual({ web: [], annotator: [], archiver: [], notifier: [] });
  });

  // Issue 14's denials on a real account: the checker names each once the permission is gone.
  const cases: [GasRole, string, RegExp, RegExp][] = [
    [
      "annotator",
      "s3:GetObject",
      /gas-results-example\/\*$/,
      /cannot s3:GetObject on arn:aws:s3:::gas-results-example\/x \(HeadObject after each upload\)/,
    ],
    ["annotator", "sqs:ReceiveMessage", /gas-annotator-dlq$/, /cannot sqs:ReceiveMessage on .*:gas-annotator-dlq/],
    ["annotator", "sqs:DeleteMessage", /gas-annotator-dlq$/, /cannot sqs:DeleteMessage on .*:gas-annotator-dlq/],
    [
      "annotator",
      "s3:ListBucket",
      /gas-releases-example$/,
      /cannot s3:ListBucket on arn:aws:s3:::gas-releases-example with s3:prefix=reference\/ \(user-data: aws s3 sync of reference\/\)/,
    ],
    // A split job's chunk files (split/<job>/ in the results bucket), removed by the annotator that merges it.
    [
      "annotator",
      "s3:ListBucket",
      /gas-results-example$/,
      /cannot s3:ListBucket on arn:aws:s3:::gas-results-example with s3:prefix=split\/[^/]+\/ \(ListObjectsV2 of a split job's chunk files\)/,
    ],
    [
      "annotator",
      "dynamodb:DeleteItem",
      /gas-annotations$/,
      /cannot dynamodb:DeleteItem on .*table\/gas-annotations with dynamodb:LeadingKeys=#split#.* \(removing a split's records/,
    ],
    [
      "annotator",
      "s3:DeleteObject",
      /gas-results-example\/split\/\*$/,
      /cannot s3:DeleteObject on arn:aws:s3:::gas-results-example\/split\/.* \(deleting a split job's chunk files/,
    ],
    ["annotator", "s3:GetObject", /gas-releases-example\/reference\/\*$/, /cannot s3:GetObject on .*reference\/manifest.json \(user-data/],
    ["archiver", "s3:ListBucket", /gas-results-example$/, /cannot s3:ListBucket on arn:aws:s3:::gas-results-example \(the restore check/],
    [
      "annotator",
      "dynamodb:Query",
      /gas-annotations\/index\/\*$/,
      /cannot dynamodb:Query on .*gas-annotations\/index\/user_id_index \(the user's usage before each claim/,
    ],
  ];
  /**
   * AmazonSSMManagedInstanceCore, attached to every role beside its inline policy: the part that
   * matters here (ssm:GetParameter* on every parameter), so that the inline Deny of the other
   * roles' environments is shown to be needed.
   */
  const ssmCore: PolicyDocument = {
    Statement: [
      {
        Effect: "Allow",
        Action: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory", "ssm:GetParametersByPath"],
        Resource: "*",
      },
    ],
  };
  /**
   * Actions a template grants that no single call in the checker's table needs, each with why it
   * is there: taking one out breaks nothing the checker sees, so this list is the whole of it.
   */
  const UNCHECKED: Record<string, string> = {
    "WriteResults s3:AbortMultipartUpload":
      "the annotator's multipart upload of a large result aborts its parts on failure (no call of the table: it cannot be a request of its own)",
    "Logs logs:DescribeLogStreams":
      "the CloudWatch agent looks its stream up at start (not GAS's code; the table holds the two calls that ship)",
    "EnvironmentParameter ssm:GetParameter":
      "also allowed by AmazonSSMManagedInstanceCore, which every role has; written out so the role's own parameter never depends on it",
    "NoOtherRolesEnvironment ssm:GetParameters": "the table asks ssm:GetParameter of the other roles' environments only",
    "NoOtherRolesEnvironment ssm:GetParameterHistory": "the table asks ssm:GetParameter of the other roles' environments only",
    "NoOtherRolesEnvironment ssm:GetParametersByPath": "the table asks ssm:GetParameter of the other roles' environments only",
  };

  test("every action of every statement is needed: taking any one out, the checker names a problem", () => {
    const unnoticed: string[] = [];
    let tried = 0;
    for (const role of GAS_ROLES) {
      const statements = [policies[role].Statement ?? []].flat();
      statements.forEach((statement, i) => {
        for (const action of [statement.Action ?? []].flat()) {
          tried++;
          const without = statements.flatMap((s, j) => {
            if (j !== i) return [s];
            const rest = [s.Action ?? []].flat().filter((a) => a !== action);
            return rest.length > 0 ? [{ ...s, Action: rest }] : [];
          });
          const problems = privilegeProblems(role, [{ Statement: without }, ssmCore], spec, ACCOUNT);
          if (problems.length === 0 && !UNCHECKED[`${statement.Sid} ${action}`])
            unnoticed.push(`${role} ${statement.Sid ?? `#${i}`} ${statement.Effect} ${action}`);
        }
      });
    }
    expect(tried).toBeGreaterThan(60);
    expect(unnoticed).toEqual([]);
  });

  test("the checker catches the annotator's split grants widened to the whole results bucket and table", () => {
    const widened = [policies.annotator.Statement ?? []].flat().map((s) => {
      if (s.Sid === "RemoveSplitChunks") return { ...s, Resource: String(s.Resource).replace(/split\/\*$/, "*") };
      if (s.Sid === "ListSplitChunks") return { ...s, Condition: { StringLike: { "s3:prefix": ["*"] } } };
      if (s.Sid === "RemoveSplitRecords") return { ...s, Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["*"] } } };
      return s;
    });
    expect(widened.filter((s) => /^(RemoveSplitChunks|ListSplitChunks|RemoveSplitRecords)$/.test(s.Sid ?? ""))).toHaveLength(3);
    expect(privilegeProblems("annotator", [{ Statement: widened }], spec, ACCOUNT)).toEqual([
      expect.stringMatching(/^can dynamodb:DeleteItem on .*table\/gas-annotations with dynamodb:LeadingKeys=[0-9a-f-]+ \(should not\)$/),
      expect.stringMatching(/^can s3:DeleteObject on arn:aws:s3:::gas-results-example\/u1\/.* \(should not\)$/),
      "can s3:ListBucket on arn:aws:s3:::gas-results-example with s3:prefix=u1/ (should not)",
    ]);
  });

  for (const [role, action, resource, message] of cases) {
    test(`the checker catches ${role} without ${action} on ${resource.source}`, () => {
      const problems = privilegeProblems(role, [withoutAction(policies[role], action, resource)], spec, ACCOUNT);
      expect(problems.join("\n")).toMatch(message);
    });
  }
});
