import { CriError } from '../cri/cri-error.ts';
import type { ContainerConfig } from '../cri/cri-types.ts';

export interface ContainerUser {
  uid: number;
  gid: number;
}

/** What decides a container's user: the image's `User`, the security context, the image's files. */
export interface UserInput {
  /** The image config's `User`: `uid`, `name`, `uid:gid`, `name:group`, or ''. */
  imageUser: string;
  runAsUser: number | null;
  runAsGroup: number | null;
  runAsUsername: string;
  /** The image's /etc/passwd and /etc/group ('' when it has none). */
  passwd: string;
  group: string;
}

interface Entry {
  name: string;
  id: number;
  gid: number;
}

// passwd: name:x:uid:gid:…; group: name:x:gid:members.
function parseEntries(text: string, gidField: boolean): Entry[] {
  return text.split('\n').flatMap((line) => {
    const fields = line.split(':');
    if (line.startsWith('#') || fields.length < 3) return [];
    const id = Number(fields[2]);
    const gid = gidField ? Number(fields[3]) : id;
    return Number.isInteger(id) && Number.isInteger(gid) ? [{ name: fields[0]!, id, gid }] : [];
  });
}

const numeric = (value: string) => /^\d+$/.test(value);

function userByName(passwd: string, name: string): Entry {
  const found = parseEntries(passwd, true).find((entry) => entry.name === name);
  if (found === undefined) {
    throw new CriError(
      'INVALID_ARGUMENT',
      `unable to find user ${name}: no matching entries in passwd file`,
    );
  }
  return found;
}

// containerd's WithUserID: the gid of the uid's passwd entry, else 0.
function gidOfUid(passwd: string, uid: number): number {
  return parseEntries(passwd, true).find((entry) => entry.id === uid)?.gid ?? 0;
}

function groupId(group: string, name: string): number {
  if (numeric(name)) return Number(name);
  const found = parseEntries(group, false).find((entry) => entry.name === name);
  if (found === undefined) {
    throw new CriError(
      'INVALID_ARGUMENT',
      `unable to find group ${name}: no matching entries in group file`,
    );
  }
  return found.id;
}

function imageUserIds(input: UserInput): ContainerUser {
  const [user = '', group] = input.imageUser.split(':', 2);
  const base = numeric(user)
    ? { uid: Number(user), gid: gidOfUid(input.passwd, Number(user)) }
    : (({ id, gid }) => ({ uid: id, gid }))(userByName(input.passwd, user));
  return group === undefined || group === '' ? base : { ...base, gid: groupId(input.group, group) };
}

/**
 * The container's uid and gid as containerd sets them: run_as_user (its gid from the image's
 * passwd), else run_as_username, else the image's User (names looked up in the image's
 * /etc/passwd and /etc/group); run_as_group overrides the gid. null: root, as the image is.
 */
export function resolveUser(input: UserInput): ContainerUser | null {
  let user: ContainerUser | null = null;
  if (input.runAsUser !== null) {
    user = { uid: input.runAsUser, gid: gidOfUid(input.passwd, input.runAsUser) };
  } else if (input.runAsUsername !== '') {
    const { id, gid } = userByName(input.passwd, input.runAsUsername);
    user = { uid: id, gid };
  } else if (input.imageUser !== '') {
    user = imageUserIds(input);
  }
  if (input.runAsGroup !== null) user = { uid: user?.uid ?? 0, gid: input.runAsGroup };
  return user;
}

/** The security context's part of UserInput. */
export function securityContextUser(
  config: ContainerConfig,
): Pick<UserInput, 'runAsUser' | 'runAsGroup' | 'runAsUsername'> {
  const context = config.linux?.security_context;
  const value = (v: { value: string | number } | null | undefined) =>
    v === null || v === undefined ? null : Number(v.value);
  return {
    runAsUser: value(context?.run_as_user),
    runAsGroup: value(context?.run_as_group),
    runAsUsername: context?.run_as_username ?? '',
  };
}
