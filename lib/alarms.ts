/**
 * The pipeline's alarms: one evaluation period above a threshold, missing data not breaching, and the alarm topic (if
 * any) told when the alarm fires and when it is OK again.
 */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

export function thresholdAlarm(
  scope: Construct,
  id: string,
  o: {
    readonly metric: cloudwatch.IMetric;
    readonly threshold: number;
    readonly description: string;
    readonly topic?: sns.ITopic | undefined;
  },
): cloudwatch.Alarm {
  const a = new cloudwatch.Alarm(scope, id, {
    metric: o.metric,
    threshold: o.threshold,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: o.description,
  });
  if (o.topic) {
    a.addAlarmAction(new cwActions.SnsAction(o.topic));
    a.addOkAction(new cwActions.SnsAction(o.topic));
  }
  return a;
}
