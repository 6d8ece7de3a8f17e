/** `cdk synth` / `cdk deploy` entry point: the Hookpost stack, checked by cdk-nag's AwsSolutions rules. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { HookpostStack } from './hookpost-stack.ts';

const app = new App();

// Optional at deploy time: `npx cdk deploy -c alarmEmail=ops@example.com`.
const alarmEmail: unknown = app.node.tryGetContext('alarmEmail');
// `npx cdk deploy -c smokeReceiver=true`: also deploy the receiver `npm run smoke` needs (SmokeReceiverUrl).
const smokeReceiver: unknown = app.node.tryGetContext('smokeReceiver');

new HookpostStack(app, 'Hookpost', {
  alarmEmail: typeof alarmEmail === 'string' && alarmEmail !== '' ? alarmEmail : undefined,
  smokeReceiver: smokeReceiver === true || smokeReceiver === 'true',
});

// cdk-nag v3 is a policy-validation plugin: any unacknowledged finding fails `cdk synth`.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
