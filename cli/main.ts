/**
 * The `hookpost` command: parses the command line (node:util parseArgs, strict, per verb) and runs a
 * verb with the given streams, environment and stop signal. bin/hookpost.js calls it with the process's.
 */
import { parseArgs } from 'node:util';
import { EXIT, Failure, type Io, UsageError } from './io.ts';
import { listen } from './listen.ts';
import { attempts, deadLetters, endpoints, eventTypes, login, publish, whoami } from './manage.ts';
import { certify, verify } from './signatures.ts';
import { tail } from './tail.ts';
import { Args, type Verb } from './verb.ts';

const VERBS: Verb[] = [login, whoami, publish, endpoints, eventTypes, deadLetters, attempts, tail, listen, verify, certify];

const FOOTER = `Connection: HOOKPOST_URL and HOOKPOST_KEY, else the file \`hookpost login\` writes
($XDG_CONFIG_HOME/hookpost/config.json, default ~/.config/hookpost/config.json, mode 0600).
--json prints JSON for scripts; colours only on a terminal, never with NO_COLOR set.
Exit codes: 0 ok, 1 failed (an API error, a signature that does not verify, a certify verdict FAIL), 2 usage error.`;

function mainHelp(): string {
  const width = Math.max(...VERBS.map((v) => v.name.length));
  return [
    'hookpost: publish events, manage endpoints, follow deliveries, and check webhook receivers',
    '',
    'Usage: hookpost <verb> [flags]        hookpost <verb> --help for a verb’s flags',
    '',
    ...VERBS.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`),
    '',
    FOOTER,
  ].join('\n');
}

function verbHelp(verb: Verb): string {
  return [`hookpost ${verb.name}: ${verb.summary}`, '', ...verb.usage.map((u, i) => `${i === 0 ? 'Usage: ' : '       '}hookpost ${u}`), '', verb.help, '', FOOTER].join('\n');
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(`${mainHelp()}\n`);
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    const verb = VERBS.find((v) => v.name === name);
    if (!verb) throw new UsageError(`unknown verb ${name}`);
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({ args: rest, options: { ...verb.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError(`${(error as Error).message.split('\n')[0]} (hookpost ${verb.name} --help)`);
    }
    if (parsed.values.help) {
      io.stdout.write(`${verbHelp(verb)}\n`);
      return EXIT.ok;
    }
    return await verb.run(new Args(parsed.values, parsed.positionals), io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`hookpost: ${error.message}\n${name && VERBS.some((v) => v.name === name) ? '' : 'Run hookpost --help for the verbs.\n'}`);
      return EXIT.usage;
    }
    if (error instanceof Failure) {
      io.stderr.write(`hookpost: ${error.message}\n`);
      return EXIT.failure;
    }
    throw error;
  }
}
