/** How attempts show as one line each (`attempts`, `tail`, `publish --wait`). */
import type { Schema } from 'hookpost/client';
import type { Style } from './io.ts';

export type Attempt = Schema<'Attempt'>;

export function attemptLine(attempt: Attempt, style: Style): string {
  const outcome = attempt.status === 'succeeded' ? style.ok(`✓ ${attempt.statusCode ?? ''}`) : style.bad(`✗ ${attempt.statusCode ?? attempt.error ?? ''}`);
  const extras = [attempt.test ? 'test' : '', attempt.lane === 'slow' ? 'slow lane' : '', attempt.status === 'failed' && attempt.error ? attempt.error : '']
    .filter(Boolean)
    .join(', ');
  return [
    style.dim(attempt.timestamp),
    outcome,
    attempt.subscriptionId,
    attempt.messageId,
    attempt.eventType,
    `#${attempt.attemptNumber}`,
    `${attempt.durationMs} ms`,
    extras ? style.dim(`(${extras})`) : '',
  ]
    .filter(Boolean)
    .join('  ');
}
