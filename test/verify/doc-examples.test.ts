/**
 * The Node.js, Python and Go receivers in docs/verifying.md, taken from the page as written, run
 * against deliveries signed by Hookpost's own signer: each must accept the good ones and refuse the rest.
 * They need /usr/bin/python3 with Debian's python3-cryptography, and Go (golang-go); a missing one
 * fails this test, saying what to install.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { deliveryVectors } from './vectors.ts';

const DOC = resolve(import.meta.dirname, '../../docs/verifying.md');
const PYTHON = '/usr/bin/python3';
/** Go's build cache survives between runs here, so only the first run compiles the example. */
const GOCACHE = resolve(import.meta.dirname, '../../node_modules/.cache/go-build');

/** The one fenced block of `language` in the page. */
function docBlock(language: string): string {
  const blocks = [...readFileSync(DOC, 'utf8').matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))];
  expect(blocks.map((block) => block.index), `one \`\`\`${language} block in docs/verifying.md`).toHaveLength(1);
  return blocks[0]?.[1] as string;
}

const work = mkdtempSync(join(tmpdir(), 'hookpost-verify-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs a program that reads the vectors on stdin and prints `{name: "accept" | "refuse: why"}`. */
function run(command: string, args: string[], install: string, env: Record<string, string> = {}): Record<string, string> {
  const vectors = deliveryVectors();
  const result = spawnSync(command, args, {
    cwd: work,
    input: JSON.stringify(vectors),
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
  if (result.error) throw new Error(`${command} did not run (${result.error.message}); install ${install}`);
  expect(result.stderr, `${command} ${args.join(' ')} (needs ${install})`).toBe('');
  expect(result.status).toBe(0);
  const answers = JSON.parse(result.stdout) as Record<string, string>;
  // Each vector's answer, beside what a correct receiver does with it.
  const seen = vectors.map((v) => [v.name, answers[v.name]?.startsWith('refuse') ? 'refuse' : answers[v.name]]);
  expect(seen).toEqual(vectors.map((v) => [v.name, v.expected === 'accept' ? 'accept' : 'refuse']));
  return answers;
}

describe('docs/verifying.md', () => {
  it('Node.js (hookpost/verify): the receiver answers 204 to what Hookpost signs for the key and 400 with the reason to the rest', async () => {
    const vectors = deliveryVectors();
    const listen = ".listen(4000, '127.0.0.1');";
    const example = docBlock('js');
    expect(example).toContain(listen);
    expect(example).toContain("from 'hookpost/verify';");
    // The package's own module instead of its name (the copy runs outside the package), a free port,
    // and each request's key from a test header instead of WEBHOOK_KEY, so one receiver serves every vector.
    expect(example).toContain('process.env.WEBHOOK_KEY');
    const script = example
      .replace('process.env.WEBHOOK_KEY', "req.headers['x-test-key']")
      .replace("from 'hookpost/verify';", `from '${pathToFileURL(resolve(import.meta.dirname, '../../client/verify.js')).href}';`)
      .replace(listen, ".listen(0, '127.0.0.1', function () { console.log('port', this.address().port); });");
    writeFileSync(join(work, 'receiver.mjs'), script);
    const receiver = spawn(process.execPath, ['receiver.mjs'], { cwd: work });
    try {
      let output = '';
      receiver.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const port = await new Promise<string>((done, fail) => {
        receiver.stdout.on('data', () => {
          const found = /port (\d+)/.exec(output);
          if (found) done(found[1] as string);
        });
        receiver.on('exit', (code) => fail(new Error(`the example exited (${code}) before listening`)));
      });
      const answers: [string, string][] = [];
      for (const v of vectors) {
        const response = await fetch(`http://127.0.0.1:${port}/hook`, { method: 'POST', headers: { ...v.headers, 'x-test-key': v.key }, body: v.body });
        answers.push([v.name, response.status === 204 ? 'accept' : `${response.status} ${await response.text()}`]);
      }
      expect(answers).toEqual(vectors.map((v) => [v.name, v.expected === 'accept' ? 'accept' : `400 ${v.expected}`]));
      expect(output).toContain(`verified ${vectors[0]?.headers['webhook-id']}: payment.received`);
    } finally {
      receiver.kill();
    }
  });

  it('Python (cryptography): accepts what Hookpost signs for the key, refuses tampered, stale and wrongly keyed deliveries', () => {
    const harness = `
import json
import sys

answers = {}
for vector in json.load(sys.stdin):
    try:
        verify_webhook(vector["body"].encode(), vector["headers"], vector["key"])
        answers[vector["name"]] = "accept"
    except Exception as error:
        answers[vector["name"]] = f"refuse: {error!r}"
print(json.dumps(answers))
`;
    writeFileSync(join(work, 'verify.py'), `${docBlock('python')}\n${harness}`);
    const answers = run(PYTHON, ['verify.py'], 'python3-cryptography (apt-get install python3-cryptography)');
    // Refused for the right reason, not because the example broke.
    expect(answers['v1a signed 6 minutes ago']).toMatch(/more than 5 minutes/);
    expect(answers['v1a with the body changed']).toMatch(/no signature matches/);
  });

  it('Go (crypto/ed25519): accepts what Hookpost signs for the key, refuses tampered, stale and wrongly keyed deliveries', () => {
    const example = docBlock('go');
    expect(example).toMatch(/^package webhooks\n/);
    const harness = `package main

import (
	"encoding/json"
	"net/http"
	"os"
)

func main() {
	var vectors []struct {
		Name    string            \`json:"name"\`
		Headers map[string]string \`json:"headers"\`
		Body    string            \`json:"body"\`
		Key     string            \`json:"key"\`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&vectors); err != nil {
		panic(err)
	}
	answers := map[string]string{}
	for _, vector := range vectors {
		header := http.Header{}
		for name, value := range vector.Headers {
			header.Set(name, value)
		}
		answers[vector.Name] = "accept"
		if err := Verify(header, []byte(vector.Body), vector.Key); err != nil {
			answers[vector.Name] = "refuse: " + err.Error()
		}
	}
	json.NewEncoder(os.Stdout).Encode(answers)
}
`;
    writeFileSync(join(work, 'verify.go'), example.replace(/^package webhooks\n/, 'package main\n'));
    writeFileSync(join(work, 'main.go'), harness);
    mkdirSync(GOCACHE, { recursive: true });
    const answers = run('go', ['run', 'verify.go', 'main.go'], 'golang-go (apt-get install golang-go)', {
      GOCACHE,
      GOPROXY: 'off',
      GOTOOLCHAIN: 'local',
      GOFLAGS: '',
      GOTELEMETRY: 'off',
    });
    expect(answers['v1a signed 6 minutes ahead']).toMatch(/more than 5 minutes/);
    expect(answers['v1a with the body changed']).toMatch(/no signature matches/);
  });
});
