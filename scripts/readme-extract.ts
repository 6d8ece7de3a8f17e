/**
 * Reads the examples out of README.md for `npm run test:readme` (scripts/readme-examples.ts).
 *
 * Every fenced block in a shell or TypeScript/JavaScript language must say, in an HTML comment on the
 * line before it (invisible on GitHub), whether the runner runs it:
 *   <!-- readme-test: run -->
 *   <!-- readme-test: run; verified 2; expect "queued msg_" -->
 *   <!-- readme-test: skip, needs an AWS account -->
 * `verified N`: once this block has run, the README's receiver has verified N distinct messages in all.
 * `expect "…"` (a JSON string, repeatable): the block's output contains this text.
 * A block without a marker, a marker without a block, or a marker the grammar does not know is an error,
 * so a new example cannot silently go untested.
 */

/** How the runner runs a block: `bash` in the README's one shell session, `tsx` as a module of its own. */
export type ExampleRunner = 'bash' | 'tsx';

export interface Example {
  /** 1-based line of the opening fence. */
  line: number;
  /** The nearest heading above the block. */
  heading: string;
  /** The fence's language, as written. */
  language: string;
  code: string;
  run: boolean;
  runner?: ExampleRunner;
  /** Why a skipped block is not run. */
  reason?: string;
  /** Distinct messages the receiver has verified in all once this block has run. */
  verified?: number;
  /** Texts the block's output must contain. */
  expect: string[];
}

const RUNNERS: Record<string, ExampleRunner | undefined> = {
  bash: 'bash',
  sh: 'bash',
  shell: 'bash',
  ts: 'tsx',
  typescript: 'tsx',
  js: 'tsx',
  javascript: 'tsx',
};
/** Shell-like languages that need a marker but cannot run as a script (prompts, other shells). */
const MARKED_ONLY = new Set(['console', 'zsh', 'fish', 'powershell']);

const MARKER = /^\s*<!--\s*readme-test:(.*?)-->\s*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/;

interface Marker {
  line: number;
  run: boolean;
  reason?: string;
  verified?: number;
  expect: string[];
}

function parseMarker(text: string, line: number, problems: string[]): Marker | undefined {
  const body = text.trim();
  const skip = body.match(/^skip\s*[,:—-]\s*(\S.*)$/);
  if (skip) return { line, run: false, reason: (skip[1] ?? '').trim(), expect: [] };
  if (/^skip\b/.test(body)) {
    problems.push(`line ${line}: a skip marker needs its reason ("skip, needs …")`);
    return undefined;
  }
  if (!/^run\b/.test(body)) {
    problems.push(`line ${line}: a readme-test marker is "run…" or "skip, reason", not "${body}"`);
    return undefined;
  }
  const marker: Marker = { line, run: true, expect: [] };
  // Options after "run", each after a ";" (an expected text may itself hold one).
  let rest = body.slice(3).trim();
  while (rest !== '') {
    const option = rest.match(/^;\s*(?:verified\s+(\d+)|expect\s+("(?:[^"\\]|\\.)*"))\s*/);
    if (!option) {
      problems.push(`line ${line}: unknown option "${rest.replace(/^;\s*/, '')}" (known: verified N; expect "text")`);
      break;
    }
    if (option[1] !== undefined) marker.verified = Number(option[1]);
    else marker.expect.push(JSON.parse(option[2] ?? '""') as string);
    rest = rest.slice(option[0].length);
  }
  return marker;
}

/** The README's examples in order; throws, naming every problem's line, when any block or marker is wrong. */
export function extractExamples(markdown: string): Example[] {
  const lines = markdown.split('\n');
  const examples: Example[] = [];
  const problems: string[] = [];
  let heading = '';
  let pending: Marker | undefined;
  let pendingText = '';
  for (let index = 0; index < lines.length; index += 1) {
    const text = lines[index] ?? '';
    const line = index + 1;
    const markerMatch = text.match(MARKER);
    if (markerMatch) {
      if (pending) problems.push(`line ${pending.line}: a readme-test marker not followed by a fenced block`);
      pending = parseMarker(markerMatch[1] ?? '', line, problems);
      pendingText = text;
      continue;
    }
    const fence = text.match(FENCE);
    if (!fence) {
      if (text.trim() === '') continue;
      if (pending) problems.push(`line ${pending.line}: a readme-test marker not followed by a fenced block ("${pendingText.trim()}")`);
      pending = undefined;
      const title = text.match(/^#{1,6}\s+(.*)$/);
      if (title) heading = (title[1] ?? '').trim();
      continue;
    }
    // A fenced block: find its end (same character, at least as long, nothing after it).
    const [, opener = '```', rawLanguage = ''] = fence;
    const language = rawLanguage.toLowerCase();
    const close = new RegExp(`^ {0,3}${opener[0]}{${opener.length},}\\s*$`);
    let end = index + 1;
    while (end < lines.length && !close.test(lines[end] ?? '')) end += 1;
    if (end >= lines.length) {
      problems.push(`line ${line}: a fenced block that never closes`);
      break;
    }
    const code = lines.slice(index + 1, end).join('\n');
    index = end;
    const marker = pending;
    pending = undefined;
    const runner = RUNNERS[language];
    if (!runner && !MARKED_ONLY.has(language)) {
      if (marker) problems.push(`line ${marker.line}: a readme-test marker on a "${language || 'plain'}" block, which is not an example`);
      continue;
    }
    if (!marker) {
      problems.push(`line ${line}: a ${language} block without a readme-test marker on the line before ("run" or "skip, reason")`);
      continue;
    }
    if (marker.run && !runner) {
      problems.push(`line ${marker.line}: a ${language} block cannot run; mark it "skip, reason"`);
      continue;
    }
    examples.push({
      line,
      heading,
      language,
      code,
      run: marker.run,
      ...(marker.run ? { runner } : { reason: marker.reason }),
      ...(marker.verified === undefined ? {} : { verified: marker.verified }),
      expect: marker.expect,
    });
  }
  if (pending) problems.push(`line ${pending.line}: a readme-test marker not followed by a fenced block`);
  let verified = 0;
  for (const example of examples) {
    if (example.verified === undefined) continue;
    if (example.verified < verified) problems.push(`line ${example.line}: "verified ${example.verified}" counts all verified messages so far, and is below an earlier ${verified}`);
    verified = example.verified;
  }
  if (problems.length > 0) throw new Error(`README examples:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  return examples;
}

/** The README's addresses (API on 127.0.0.1:3000, receiver on 127.0.0.1:4000), moved to the ports this run uses. */
export function onPorts(code: string, ports: { api: number; receiver: number }): string {
  return code.replace(/127\.0\.0\.1:3000(?!\d)/g, `127.0.0.1:${ports.api}`).replace(/127\.0\.0\.1:4000(?!\d)/g, `127.0.0.1:${ports.receiver}`);
}
