import { describe, expect, it } from 'vitest';
import { createLogger, resolveLogLevel } from '../../src/daemon/index.ts';

function capture(): { lines: () => Array<Record<string, unknown>>; write(line: string): void } {
  const chunks: string[] = [];
  return {
    write: (line) => void chunks.push(line),
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
  };
}

describe('createLogger', () => {
  it('writes one JSON object per line, each with the component', () => {
    const out = capture();
    const logger = createLogger({ component: 'route-agent', level: 'info', destination: out });
    logger.info({ node: 'node1' }, 'routes programmed');
    logger.child({ netns: 'loom-node1' }).warn('route missing');
    expect(out.lines()).toMatchObject([
      { component: 'route-agent', level: 'info', node: 'node1', msg: 'routes programmed' },
      { component: 'route-agent', level: 'warn', netns: 'loom-node1', msg: 'route missing' },
    ]);
    expect(out.lines()[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('drops lines below the level', () => {
    const out = capture();
    const logger = createLogger({ component: 'dns', level: 'warn', destination: out });
    logger.info('not shown');
    logger.error('shown');
    expect(out.lines().map((l) => l.msg)).toEqual(['shown']);
  });
});

describe('resolveLogLevel', () => {
  it.each([
    { flag: 'debug', env: { LOOM_LOG_LEVEL: 'error' }, level: 'debug' },
    { flag: undefined, env: { LOOM_LOG_LEVEL: 'ERROR' }, level: 'error' },
    { flag: undefined, env: {}, level: 'info' },
    { flag: undefined, env: { LOOM_LOG_LEVEL: '' }, level: 'info' },
  ])('flag $flag, env $env → $level', ({ flag, env, level }) => {
    expect(resolveLogLevel(flag, env)).toBe(level);
  });

  it('names the bad value and where it came from', () => {
    expect(() => resolveLogLevel(undefined, { LOOM_LOG_LEVEL: 'verbose' })).toThrow(
      'invalid LOOM_LOG_LEVEL "verbose": expected one of trace, debug, info, warn, error, fatal, silent',
    );
    expect(() => resolveLogLevel('loud', {})).toThrow(/^invalid log level "loud"/);
  });
});
