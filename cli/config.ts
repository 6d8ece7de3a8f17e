/**
 * Where the command finds its API: `HOOKPOST_URL` and `HOOKPOST_KEY`, else the per-user config file that
 * `hookpost login` writes ($XDG_CONFIG_HOME/hookpost/config.json or ~/.config/hookpost/config.json,
 * mode 0600, since it holds a key).
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { UsageError } from './io.ts';

export interface Connection {
  url: string;
  key: string;
}

type Env = Record<string, string | undefined>;

export function configPath(env: Env): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'hookpost', 'config.json');
}

function readConfig(env: Env): Partial<Connection> {
  let text: string;
  try {
    text = readFileSync(configPath(env), 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed = JSON.parse(text) as Partial<Connection>;
    return { url: typeof parsed.url === 'string' ? parsed.url : undefined, key: typeof parsed.key === 'string' ? parsed.key : undefined };
  } catch {
    throw new UsageError(`${configPath(env)} is not JSON: run hookpost login again`);
  }
}

/** Writes the config file with mode 0600 (its directory 0700) and returns its path. */
export function writeConfig(env: Env, connection: Connection): string {
  const path = configPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(connection, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600); // an existing file keeps its mode on write
  return path;
}

/** The API to talk to: environment first, then the config file. */
export function connection(env: Env): Connection {
  const saved = readConfig(env);
  const url = env.HOOKPOST_URL || saved.url;
  const key = env.HOOKPOST_KEY || saved.key;
  if (!url || !key) {
    throw new UsageError('no API to talk to: run `hookpost login --url <base url> --key <hp_…>`, or set HOOKPOST_URL and HOOKPOST_KEY');
  }
  return { url, key };
}
