import { describe, expect, it } from 'vitest';
import { parseImageMap } from '../../src/image/image-map-file.ts';

describe('parseImageMap', () => {
  it('normalizes repositories and defaults the working dir', () => {
    const map = parseImageMap(
      JSON.stringify({
        images: [{ name: 'loom', repositories: ['loom-net/loom'], entrypoint: ['/loom'] }],
      }),
      'map.json',
    );
    expect(map.definitions[0]).toMatchObject({
      repositories: ['docker.io/loom-net/loom'],
      workingDir: '/',
      binds: [],
    });
  });

  it.each([
    { text: '[]', why: /must be \{"images": \[\.\.\.\]\}/ },
    {
      text: '{"images":[{"name":"x","repositories":[]}]}',
      why: /images\[0\]\.repositories must name at least one/,
    },
    {
      text: '{"images":[{"name":"x","repositories":["a"],"binds":[{"path":"rel","source":"/s"}]}]}',
      why: /binds\[0\]\.path must be an absolute path/,
    },
    {
      text: '{"images":[{"name":"x","repositories":["a"],"env":["NOVALUE"]}]}',
      why: /"NOVALUE" is not NAME=value/,
    },
  ])('rejects $text', ({ text, why }) => {
    expect(() => parseImageMap(text, 'map.json')).toThrow(why);
  });
});
