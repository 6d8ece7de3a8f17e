/** Operational notices to the alarm topic (SNS on AWS, fauxqs's SNS locally). */
import type { SNSClient } from '@aws-sdk/client-sns';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { Log, Notice, Notifier } from '../../core/platform/ports.ts';

export class SnsNotifier implements Notifier {
  constructor(private readonly sns: SNSClient, private readonly topicArn: string) {}

  async publish(notice: Notice): Promise<void> {
    await this.sns.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: `Hookpost: ${notice.type} (${notice.tenant})`.slice(0, 100),
        Message: JSON.stringify(notice),
        MessageAttributes: { type: { DataType: 'String', StringValue: notice.type } },
      }),
    );
  }
}

/** Without a topic, notices go to the log so they are not lost silently. */
export const logNotifier = (log: Log): Notifier => ({
  async publish(notice) {
    log.warn('notice', { notice });
  },
});
