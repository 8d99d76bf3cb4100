import { describe, expect, it } from 'vitest';
import type { UserInput } from '../../src/container/container-user.ts';
import { resolveUser } from '../../src/container/container-user.ts';

const passwd = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:app:/home/app:/bin/sh\n';
const group = 'root:x:0:\napp:x:1001:\nstaff:x:50:app\n';

function input(extra: Partial<UserInput>): UserInput {
  return {
    imageUser: '',
    runAsUser: null,
    runAsGroup: null,
    runAsUsername: '',
    passwd,
    group,
    ...extra,
  };
}

describe('resolveUser (containerd: image User, then the security context)', () => {
  it.each([
    { name: 'no user anywhere: root', extra: {}, user: null },
    { name: 'image User by name', extra: { imageUser: 'app' }, user: { uid: 1000, gid: 1001 } },
    {
      name: 'image User numeric, gid from passwd',
      extra: { imageUser: '1000' },
      user: { uid: 1000, gid: 1001 },
    },
    {
      name: 'image User numeric, not in passwd: gid 0',
      extra: { imageUser: '4242' },
      user: { uid: 4242, gid: 0 },
    },
    { name: 'image uid:gid', extra: { imageUser: '7:8' }, user: { uid: 7, gid: 8 } },
    { name: 'image name:group', extra: { imageUser: 'app:staff' }, user: { uid: 1000, gid: 50 } },
    {
      name: 'run_as_user overrides the image user, its gid from passwd',
      extra: { imageUser: 'app', runAsUser: 0 },
      user: { uid: 0, gid: 0 },
    },
    {
      name: 'run_as_group overrides the gid',
      extra: { imageUser: 'app', runAsGroup: 5 },
      user: { uid: 1000, gid: 5 },
    },
    {
      name: 'run_as_group alone: root with that gid',
      extra: { runAsGroup: 5 },
      user: { uid: 0, gid: 5 },
    },
    {
      name: 'run_as_username looked up in the image',
      extra: { runAsUsername: 'app' },
      user: { uid: 1000, gid: 1001 },
    },
  ])('$name', ({ extra, user }) => {
    expect(resolveUser(input(extra))).toEqual(user);
  });

  it.each([
    {
      extra: { imageUser: 'ghost' },
      error: /unable to find user ghost: no matching entries in passwd file/,
    },
    {
      extra: { imageUser: 'app:ghosts' },
      error: /unable to find group ghosts: no matching entries in group file/,
    },
    { extra: { imageUser: 'app', passwd: '' }, error: /unable to find user app/ },
  ])('fails clearly for $extra.imageUser', ({ extra, error }) => {
    expect(() => resolveUser(input(extra))).toThrow(error);
  });
});
