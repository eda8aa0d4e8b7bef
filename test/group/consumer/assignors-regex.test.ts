/**
 * The server-side assignors (uniform, range) and the RE2-syntax topic regex.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromTopicPartitions, type Assignment } from '../../../src/group/consumer/assignment.js';
import { rangeAssignor, uniformAssignor, type AssignorMember } from '../../../src/group/consumer/assignors.js';
import { compileTopicRegex } from '../../../src/group/consumer/topic-regex.js';

const m = (memberId: string, topics: string[], current: Assignment = new Map()): AssignorMember =>
  ({ memberId, instanceId: null, topics: new Set(topics), current });
const flat = (a: Assignment | undefined) => [...(a ?? new Map())].flatMap(([t, ps]) => [...ps].map((p) => `${t}-${p}`)).sort();

describe('uniform assignor', () => {
  it('spreads evenly, keeps what members own up to their quota, and covers every partition once', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }), (n, pa, pb) => {
      const counts = new Map([['a', pa], ['b', pb]]);
      const members = Array.from({ length: n }, (_, i) => m(`m${i}`, ['a', 'b']));
      const first = uniformAssignor.assign(members, counts);
      const all = members.flatMap((x) => flat(first.get(x.memberId)));
      expect(all).toHaveLength(pa + pb);
      expect(new Set(all).size).toBe(pa + pb);
      const sizes = members.map((x) => flat(first.get(x.memberId)).length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      // One more member: nobody loses a partition it keeps under the new quota.
      const again = uniformAssignor.assign([...members.map((x) => ({ ...x, current: first.get(x.memberId)! })), m('new', ['a', 'b'])], counts);
      const quota = Math.floor((pa + pb) / (n + 1));
      for (const x of members) {
        const kept = flat(again.get(x.memberId)).filter((p) => flat(first.get(x.memberId)).includes(p));
        expect(kept.length).toBeGreaterThanOrEqual(Math.min(quota, flat(first.get(x.memberId)).length));
      }
    }));
  });

  it('with different subscriptions, gives each topic only to its subscribers, balanced', () => {
    const r = uniformAssignor.assign([m('x', ['a']), m('y', ['a', 'b']), m('z', ['b'])], new Map([['a', 4], ['b', 4]]));
    expect(flat(r.get('x')).every((p) => p.startsWith('a'))).toBe(true);
    expect(flat(r.get('z')).every((p) => p.startsWith('b'))).toBe(true);
    expect([...r.values()].map((a) => flat(a).length).sort()).toEqual([2, 3, 3]);
    // Sticky: a member keeps a partition it still subscribes to.
    const current = fromTopicPartitions([{ topicId: 'a', partitions: [1] }, { topicId: 'gone', partitions: [0] }]);
    const sticky = uniformAssignor.assign([m('x', ['a', 'b'], current), m('y', ['a'])], new Map([['a', 2], ['b', 1]]));
    expect(flat(sticky.get('x'))).toContain('a-1');
    expect(flat(sticky.get('x'))).not.toContain('gone-0');
  });
});

describe('range assignor', () => {
  it('gives consecutive ranges in member order, static members by instance id first, extras to the first', () => {
    const r = rangeAssignor.assign([m('b', ['t']), m('a', ['t']), { ...m('z', ['t']), instanceId: 'i0' }], new Map([['t', 7]]));
    expect(flat(r.get('z'))).toEqual(['t-0', 't-1', 't-2']);
    expect(flat(r.get('a'))).toEqual(['t-3', 't-4']);
    expect(flat(r.get('b'))).toEqual(['t-5', 't-6']);
  });
});

describe('topic regex (RE2 syntax, full match)', () => {
  it.each([
    ['orders\\..*', 'orders.eu', true], ['orders\\..*', 'xorders.eu', false], ['(?i)ORDERS', 'orders', true],
    ['a|bc', 'bc', true], ['a{2,3}', 'aaaa', false], ['[[:digit:]]+', '123', true], ['\\pL+', 'abc', true],
    ['\\Qa.b\\E', 'axb', false], ['(?P<x>ab)+', 'abab', true], ['t\\b', 't', true], ['[^a-c]x', 'dx', true],
  ])('%s on %s: %s', (re, topic, expected) => expect(compileTopicRegex(re).matches(topic)).toBe(expected));

  it.each(['(a', 'a)', '\\1', '(?=a)', '(?!a)', '(?<=a)b', 'a**', '[a', '\\k', 'x{2,1}', 'x{1001}', '*a'])(
    'refuses %s as RE2 does', (re) => expect(() => compileTopicRegex(re)).toThrow());

  it('takes time linear in the name on patterns that make backtracking engines explode', () => {
    // (a+)+b against 249 a's: 2^249 paths for a backtracker; a few thousand steps here.
    expect(compileTopicRegex('(a+)+b').matches('a'.repeat(249))).toBe(false);
  });
});
