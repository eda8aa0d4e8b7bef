import { describe, expect, it } from 'vitest';
import { LEADER_EPOCH, leaderEpochError } from '../src/leader-epoch.js';

describe('leaderEpochError', () => {
  it('accepts the current epoch and "not given" (-1); 75 for a future epoch', () => {
    expect(LEADER_EPOCH).toBe(0);
    expect(leaderEpochError(-1)).toBe(0);
    expect(leaderEpochError(0)).toBe(0);
    expect(leaderEpochError(1)).toBe(75);
    expect(leaderEpochError(2 ** 31 - 1)).toBe(75);
  });
});
