import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../src/build/format-duration.ts';

describe('formatDuration', () => {
  it.each([
    [850, '850ms'],
    [2600, '2.6s'],
    [59_960, '1m00s'],
    [575_000, '9m35s'],
    [119_999, '2m00s'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
