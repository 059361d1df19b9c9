/** cdk-nag in the CDK tests: what AwsSolutions finds when nothing is acknowledged, and what is acknowledged. */
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag's findings under scope with every acknowledgement ignored (isAcknowledged is private to NagPack: a
 * test-only patch): rule id and the path of the construct that has it.
 */
export function unacknowledgedFindings(scope: IConstruct): { id: string; path: string }[] {
  const proto = NagPack.prototype as unknown as { isAcknowledged: (...args: unknown[]) => boolean };
  const original = proto.isAcknowledged;
  proto.isAcknowledged = () => false;
  try {
    return new AwsSolutionsChecks()
      .validateScope(scope)
      .violations.flatMap((v) => v.violatingResources.map((r) => ({ id: v.ruleName, path: r.constructPath ?? '' })));
  } finally {
    proto.isAcknowledged = original;
  }
}

/** Every `Validations.of(x).acknowledge()` under scope: rule id, reason and where. */
export function acknowledgements(scope: IConstruct): { id: string; reason: string; path: string }[] {
  return scope.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          id: id.replace(/^annotation::/i, ''),
          reason,
          path: c.node.path,
        })),
      ),
  );
}
