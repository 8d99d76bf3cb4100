import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { RuntimeError } from '../runtime-error.ts';
import type { ImageBind, ImageDefinition, ImageMap } from './image-map.ts';
import { parseImageReference } from './image-reference.ts';

type Json = Record<string, unknown>;

class MapFileError extends Error {}

function fail(where: string, what: string): never {
  throw new MapFileError(`${where} ${what}`);
}

function stringList(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    fail(where, 'must be a list of strings');
  }
  return value as string[];
}

function absolute(value: unknown, where: string): string {
  if (typeof value !== 'string' || !isAbsolute(value)) fail(where, 'must be an absolute path');
  return value as string;
}

function binds(value: unknown, where: string): ImageBind[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(where, 'must be a list of {path, source}');
  return (value as Json[]).map((bind, i) => ({
    path: absolute(bind?.path, `${where}[${i}].path`),
    source: absolute(bind?.source, `${where}[${i}].source`),
  }));
}

function symlinks(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(where, 'must map absolute paths to link targets');
  }
  const entries = Object.entries(value as Json);
  for (const [path, target] of entries) {
    absolute(path, `${where} key`);
    if (typeof target !== 'string' || target === '')
      fail(`${where}["${path}"]`, 'must be a string');
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

function definition(raw: Json, where: string): ImageDefinition {
  if (typeof raw !== 'object' || raw === null) fail(where, 'must be an object');
  if (typeof raw.name !== 'string' || raw.name === '') fail(`${where}.name`, 'must be a string');
  const repositories = stringList(raw.repositories, `${where}.repositories`);
  if (repositories.length === 0) fail(`${where}.repositories`, 'must name at least one repository');
  const env = stringList(raw.env, `${where}.env`);
  const badEnv = env.find((entry) => !entry.includes('='));
  if (badEnv !== undefined) fail(`${where}.env`, `entry "${badEnv}" is not NAME=value`);
  const result: ImageDefinition = {
    name: raw.name as string,
    repositories: repositories.map((r) => parseImageReference(r).repository),
    binds: binds(raw.binds, `${where}.binds`),
    symlinks: symlinks(raw.symlinks, `${where}.symlinks`),
    entrypoint: stringList(raw.entrypoint, `${where}.entrypoint`),
    cmd: stringList(raw.cmd, `${where}.cmd`),
    env,
    workingDir:
      raw.workingDir === undefined ? '/' : absolute(raw.workingDir, `${where}.workingDir`),
  };
  if (raw.busybox !== undefined) result.busybox = absolute(raw.busybox, `${where}.busybox`);
  if (typeof raw.stopSignal === 'string') result.stopSignal = raw.stopSignal;
  return result;
}

/** Parses an image map file's text: `{"images": [ImageDefinition, …]}`. */
export function parseImageMap(text: string, source: string): ImageMap {
  try {
    const raw = JSON.parse(text) as Json;
    if (!Array.isArray(raw?.images)) fail('the file', 'must be {"images": [...]}');
    const definitions = (raw.images as Json[]).map((entry, i) => definition(entry, `images[${i}]`));
    return { definitions, source };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new RuntimeError('LOOM_RUNTIME_BAD_CONFIG', `invalid image map ${source}: ${why}`, {
      cause: error,
    });
  }
}

/** The map file's images first (they win over the built-in ones for the same repository). */
export function loadImageMap(path: string, builtIn: ImageMap): ImageMap {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RuntimeError('LOOM_RUNTIME_BAD_CONFIG', `cannot read image map ${path}`, {
      cause: error,
    });
  }
  const fromFile = parseImageMap(text, path);
  return {
    definitions: [...fromFile.definitions, ...builtIn.definitions],
    source: `${path} (plus ${builtIn.source})`,
  };
}
