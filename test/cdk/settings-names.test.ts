/**
 * One name and one unit per setting, end to end: the stack prop, the settings field and the
 * environment variable the stack writes and the functions read.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULTS as SETTINGS_DEFAULTS, ENV, type Settings, settingsEnvironment, settingsFromEnv } from '#shared/core/platform/settings.ts';
import { DEFAULTS as STACK_DEFAULTS } from '../../cdk/stack-props.ts';

const required = { [ENV.tableName]: 't', [ENV.eventsQueueUrl]: 'q', [ENV.deadLetterQueueUrl]: 'd' };
const squashed = (name: string) => name.replaceAll('_', '').toLowerCase();

describe('setting names', () => {
  it('name each environment variable HOOKPOST_ and its setting (AWS_REGION aside)', () => {
    const mismatched = Object.entries(ENV).filter(
      ([field, variable]) => field !== 'region' && squashed(variable) !== `hookpost${field.toLowerCase()}`,
    );
    expect(mismatched).toEqual([]);
  });

  it('give the stack props the functions read their setting’s name, unit and default', () => {
    const settingProps = Object.keys(STACK_DEFAULTS).filter((prop) => prop in ENV);
    expect(settingProps.sort()).toEqual(
      [
        'attemptTtlDays',
        'deliveryTimeoutMs',
        'disableAfterFailingMs',
        'maxPayloadBytes',
        'maxSubscriptionsPerTenant',
        'portalFrameAncestors',
        'retryScheduleSeconds',
        'slowLaneAfterMs',
        'slowLaneHoldMs',
        'subscriptionCacheMs',
      ].sort(),
    );
    for (const prop of settingProps.filter((p) => p in SETTINGS_DEFAULTS)) {
      expect([prop, STACK_DEFAULTS[prop as keyof typeof STACK_DEFAULTS]]).toEqual([
        prop,
        SETTINGS_DEFAULTS[prop as keyof typeof SETTINGS_DEFAULTS],
      ]);
    }
  });

  it('read back what the stack writes, in the same unit', () => {
    const written: Partial<Settings> = {
      retryScheduleSeconds: [1, 2, 3],
      deliveryTimeoutMs: 8000,
      disableAfterFailingMs: 5_400_000,
      subscriptionCacheMs: 2500,
      slowLaneAfterMs: 3000,
      slowLaneHoldMs: 120_000,
      attemptTtlDays: 7,
      maxPayloadBytes: 100_000,
      maxSubscriptionsPerTenant: 250,
    };
    expect(settingsFromEnv({ ...required, ...settingsEnvironment(written) })).toMatchObject(written);
  });

  it.each([
    ['HOOKPOST_RETRY_SCHEDULE', '5,60', /set HOOKPOST_RETRY_SCHEDULE_SECONDS/],
    ['HOOKPOST_DISABLE_AFTER_FAILING_HOURS', '120', /set HOOKPOST_DISABLE_AFTER_FAILING_MS \(milliseconds, not hours\)/],
    ['HOOKPOST_DLQ_URL', 'https://sqs.example/dlq', /set HOOKPOST_DEAD_LETTER_QUEUE_URL/],
  ])('refuse %s, the old name, instead of ignoring it', (old, value, message) => {
    expect(() => settingsFromEnv({ ...required, [old]: value })).toThrow(message);
  });
});
