/**
 * The README examples' extractor (scripts/readme-extract.ts), which `npm run test:readme` runs the
 * README by: every shell or TypeScript block must be marked run or skip, markers must sit on a block
 * and follow the grammar, and the README itself extracts to the examples CI runs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractExamples, onPorts } from '../scripts/readme-extract.ts';

const FENCE = '```';
const markdown = (...lines: string[]) => lines.join('\n');

describe('extractExamples', () => {
  it('returns the marked blocks in order, with their runner, heading, options and skip reasons', () => {
    const text = markdown(
      '# Start',
      '<!-- readme-test: skip, needs an AWS account -->',
      `${FENCE}bash`,
      'npx cdk deploy',
      FENCE,
      '## Try it',
      '<!-- readme-test: run -->',
      '',
      `${FENCE}bash`,
      'export HP=http://127.0.0.1:3000',
      'hp() { curl -s "$@"; }',
      FENCE,
      'Some text, and a diagram that is not an example:',
      FENCE,
      'producer ──▶ queue',
      FENCE,
      '<!-- readme-test: run; verified 2; expect "queued msg_"; expect "say \\"hi\\"" -->',
      `${FENCE}ts`,
      "console.log('queued', 'msg_1');",
      FENCE,
    );

    const examples = extractExamples(text);

    expect(examples).toEqual([
      { line: 3, heading: 'Start', language: 'bash', code: 'npx cdk deploy', run: false, reason: 'needs an AWS account', expect: [] },
      { line: 9, heading: 'Try it', language: 'bash', code: 'export HP=http://127.0.0.1:3000\nhp() { curl -s "$@"; }', run: true, runner: 'bash', expect: [] },
      { line: 18, heading: 'Try it', language: 'ts', code: "console.log('queued', 'msg_1');", run: true, runner: 'tsx', verified: 2, expect: ['queued msg_', 'say "hi"'] },
    ]);
  });

  it('keeps a block whole: a longer fence holds a shorter one, and a ~~~ fence a ``` line', () => {
    const text = markdown('<!-- readme-test: run -->', '````sh', 'cat <<EOF', FENCE, 'EOF', '````', '<!-- readme-test: run -->', '~~~bash', FENCE, '~~~');

    const examples = extractExamples(text);

    expect(examples.map((example) => [example.line, example.code])).toEqual([
      [2, `cat <<EOF\n${FENCE}\nEOF`],
      [8, FENCE],
    ]);
  });

  it.each([
    ['a shell block without a marker', markdown('# H', `${FENCE}bash`, 'echo hi', FENCE), 'line 2: a bash block without a readme-test marker'],
    ['a TypeScript block without a marker', markdown(`${FENCE}ts`, 'const x = 1;', FENCE), 'line 1: a ts block without a readme-test marker'],
    ['a marker with text between it and its block', markdown('<!-- readme-test: run -->', 'Then:', `${FENCE}bash`, 'echo', FENCE), 'line 1: a readme-test marker not followed by a fenced block'],
    ['a marker at the end', markdown('<!-- readme-test: run -->'), 'line 1: a readme-test marker not followed by a fenced block'],
    ['a marker on a block that is not an example', markdown('<!-- readme-test: run -->', FENCE, 'a diagram', FENCE), 'line 1: a readme-test marker on a "plain" block'],
    ['a skip without a reason', markdown('<!-- readme-test: skip -->', `${FENCE}bash`, 'x', FENCE), 'line 1: a skip marker needs its reason'],
    ['a marker of another word', markdown('<!-- readme-test: maybe -->', `${FENCE}bash`, 'x', FENCE), 'line 1: a readme-test marker is "run…" or "skip, reason", not "maybe"'],
    ['an unknown option', markdown('<!-- readme-test: run; retries 3 -->', `${FENCE}bash`, 'x', FENCE), 'line 1: unknown option "retries 3"'],
    ['an expect without quotes', markdown('<!-- readme-test: run; expect ok -->', `${FENCE}bash`, 'x', FENCE), 'line 1: unknown option "expect ok"'],
    ['a console block marked run', markdown('<!-- readme-test: run -->', `${FENCE}console`, '$ npm test', FENCE), 'line 1: a console block cannot run'],
    ['a block that never closes', markdown('<!-- readme-test: run -->', `${FENCE}bash`, 'echo'), 'line 2: a fenced block that never closes'],
    [
      'a verified count below an earlier one',
      markdown('<!-- readme-test: run; verified 2 -->', `${FENCE}bash`, 'a', FENCE, '<!-- readme-test: run; verified 1 -->', `${FENCE}bash`, 'b', FENCE),
      'line 6: "verified 1" counts all verified messages so far, and is below an earlier 2',
    ],
  ])('refuses %s, naming its line', (_, text, problem) => {
    expect(() => extractExamples(text)).toThrow(problem);
  });

  it('names every problem at once', () => {
    const text = markdown(`${FENCE}bash`, 'a', FENCE, `${FENCE}sh`, 'b', FENCE);

    expect(() => extractExamples(text)).toThrow(/line 1: .*\n.*line 4: /);
  });
});

describe('the README', () => {
  // Read in each test, so a README the extractor refuses fails these tests (with its problems), not the file's collection.
  const readme = () => extractExamples(readFileSync(new URL('../README.md', import.meta.url), 'utf8'));
  const runnable = () => readme().filter((example) => example.run);

  it('marks every example, runs the local ones and says why the others are not run', () => {
    const examples = readme();
    const run = examples.filter((example) => example.run);
    expect(run.length).toBeGreaterThanOrEqual(10);
    expect(run[0]?.heading).toMatch(/^Try it/);
    expect(run[0]?.code).toContain('hp() {');
    for (const skipped of examples.filter((example) => !example.run)) expect(skipped.reason).toMatch(/\w{3,}/);
    expect(examples.find((example) => example.code.includes('npx cdk deploy'))?.run).toBe(false);
  });

  it('uses no placeholder a pasted command would trip on, nor a shell alias (a script does not expand them)', () => {
    for (const example of runnable()) {
      const commands = example.code.replace(/(^|\s)#.*$/gm, ''); // comments may show placeholders
      expect(commands, `README.md:${example.line}`).not.toMatch(/<[a-z_]+>|\balias\s/);
    }
  });

  it('expects the receiver to verify the deliveries the examples make', () => {
    expect(Math.max(...runnable().map((example) => example.verified ?? 0))).toBeGreaterThanOrEqual(3);
  });
});

describe('onPorts', () => {
  it("moves the README's API and receiver addresses to this run's ports, and nothing else", () => {
    const code = 'export HP=http://127.0.0.1:3000\ncurl -d \'{"url":"http://127.0.0.1:4000/webhook"}\' # not 127.0.0.1:30000 or :4000 alone';

    expect(onPorts(code, { api: 41_000, receiver: 42_000 })).toBe(
      'export HP=http://127.0.0.1:41000\ncurl -d \'{"url":"http://127.0.0.1:42000/webhook"}\' # not 127.0.0.1:30000 or :4000 alone',
    );
  });
});
