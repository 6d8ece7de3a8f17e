import { describe, expect, it } from 'vitest';
import { matchesEventType, wantsEventType } from '#shared/core/engine/match.ts';

describe('event type matching', () => {
  it.each([
    ['user.created', 'user.created', true],
    ['user.created', 'user.deleted', false],
    ['user.*', 'user.created', true],
    ['user.*', 'user.profile.updated', true],
    ['user.*', 'users.created', false],
    ['user.*', 'user', false],
    ['*', 'PostRegister', true],
    ['PostRegister', 'postregister', false],
    ['Organization.*', 'Organization.Membership.Updated', true],
  ])('pattern %s against %s → %s', (pattern, type, expected) => {
    expect(matchesEventType(pattern, type)).toBe(expected);
  });

  it('a subscription wants a type when any of its patterns matches', () => {
    expect(wantsEventType(['payment_received', 'site.*'], 'site.published')).toBe(true);
    expect(wantsEventType(['payment_received', 'site.*'], 'user.created')).toBe(false);
    expect(wantsEventType([], 'user.created')).toBe(false);
  });
});
