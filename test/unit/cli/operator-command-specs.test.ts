import { COMMANDS, parseCommand } from '../../../src/cli/command-line';
import { reportFormat } from '../../../src/cli/operator-commands';
import { API_KEY_SCOPES } from '../../../src/db/entities';

/** The specs of the operators' commands (tenants, knowledge, datasets, evaluate) and of the learning benches, parsed without running anything. */
const parse = (key: string, argv: string[]) => parseCommand(key.split('/').pop()!, COMMANDS[key]!, argv);
const problem = (key: string, argv: string[]) => {
  const outcome = parse(key, argv);
  return outcome.kind === 'error' ? outcome.message : null;
};

describe('operator command specs', () => {
  it('writes out the tenant key scopes the entities define', () => {
    expect(COMMANDS['src/cli/tenants']!.usage).toContain(`--scopes ${API_KEY_SCOPES.join(',')}]`);
  });

  it('answers --help with the usage for every new command', () => {
    for (const key of [
      'src/cli/tenants',
      'src/cli/knowledge',
      'src/cli/datasets',
      'src/cli/evaluate',
      'bench/learning-bench',
      'bench/retrieval-experiment',
    ]) {
      const outcome = parse(key, ['--help']);
      expect(outcome).toEqual({ kind: 'help', text: COMMANDS[key]!.usage });
      expect(COMMANDS[key]!.usage).toMatch(/^Usage[\s\S]*\n$/);
    }
  });

  it.each([
    ['src/cli/tenants', ['list'], null],
    ['src/cli/tenants', ['create', 'shop', '--scopes', 'analytics:view', '--key-name', 'first'], null],
    ['src/cli/tenants', ['platform-key'], null],
    ['src/cli/tenants', [], /missing argument/],
    ['src/cli/tenants', ['rename'], /unknown command "rename"/],
    ['src/cli/tenants', ['disable'], /disable needs a tenant name/],
    ['src/cli/tenants', ['create', 'x', '--bogus'], /--bogus/],
    [
      'src/cli/knowledge',
      ['import', '--tenant', 'demo', '--file', 'faq.csv', '--format', 'CSV', '--map', 'question=q'],
      null,
    ],
    ['src/cli/knowledge', ['list', '--tenant', 'demo', '--status', 'all'], null],
    ['src/cli/knowledge', ['list'], /--tenant <name> is required/],
    ['src/cli/knowledge', ['import', '--tenant', 'demo'], /import needs --file/],
    ['src/cli/knowledge', ['retire', '--tenant', 'demo'], /retire needs an article id/],
    ['src/cli/knowledge', ['list', '--tenant', 'demo', '--status', 'gone'], /--status must be/],
    ['src/cli/knowledge', ['export', '--tenant', 'demo'], /unknown command "export"/],
    ['src/cli/datasets', ['list'], null],
    [
      'src/cli/datasets',
      ['import', 'support', 'cases.csv', '--sample', '600', '--handoff-topics', 'contact_human_agent'],
      null,
    ],
    ['src/cli/datasets', ['add', 'support', '--input', 'hi', '--expected-reply', 'hello', '--expect-handoff'], null],
    ['src/cli/datasets', ['archive', 'support', 'a,b', '--reason', 'stale'], null],
    ['src/cli/datasets', ['import-corrections', 'support', '--min-quality', '4'], null],
    ['src/cli/datasets', [], /missing argument/],
    ['src/cli/datasets', ['drop', 'support'], /unknown command "drop"/],
    ['src/cli/datasets', ['versions'], /versions needs a dataset name/],
    ['src/cli/datasets', ['import', 'support'], /import needs a file/],
    ['src/cli/datasets', ['archive', 'support'], /archive needs case ids/],
    ['src/cli/datasets', ['add', 'support', '--input', 'hi'], /add needs --input .* and --expected-reply/],
    ['src/cli/datasets', ['import', 'support', 'cases.txt', '--format', 'txt'], /--format must be csv or jsonl/],
    ['src/cli/datasets', ['import', 'support', 'cases.csv', '--sample', 'many'], /--sample must be a whole number/],
    [
      'src/cli/evaluate',
      ['--version', '3', '--dataset', 'support@2', '--out', 'report.json', '--concurrency', '8', '--no-compare'],
      null,
    ],
    ['src/cli/evaluate', [], /--version .* and --dataset .* are required/],
    ['src/cli/evaluate', ['--version', '3'], /--dataset/],
    [
      'src/cli/evaluate',
      ['--version', '3', '--dataset', 'support', '--format', 'html'],
      /--format must be md, csv or json/,
    ],
    [
      'src/cli/evaluate',
      ['--version', '3', '--dataset', 'support', '--out', 'report.html'],
      /--format must be md, csv or json, not "html" \(from --out/,
    ],
    [
      'src/cli/evaluate',
      ['--version', '3', '--dataset', 'support', '--concurrency', '0'],
      /--concurrency must be a positive whole number/,
    ],
    ['bench/learning-bench', ['--dataset', 'train.csv', '--stages', '2,10,30,100'], null],
    ['bench/learning-bench', ['--stages', '2,x'], /--stages must be percentages/],
    ['bench/learning-bench', ['--stages', '150'], /--stages/],
    ['bench/retrieval-experiment', ['--only', 'blend', '--floor', '0.12'], null],
    ['bench/retrieval-experiment', ['--floor', 'high'], /--floor must be a number/],
    ['bench/retrieval-experiment', ['extra'], /unexpected argument "extra"/],
  ] as const)('%s %j', (key, argv, expected) => {
    const found = problem(key, [...argv]);
    if (expected === null) expect(found).toBeNull();
    else expect(found).toMatch(expected);
  });

  it('takes the report format from --format, else the extension of --out, else Markdown', () => {
    expect(reportFormat({})).toBe('md');
    expect(reportFormat({ out: 'r.CSV' })).toBe('csv');
    expect(reportFormat({ out: 'r.markdown' })).toBe('md');
    expect(reportFormat({ out: 'r.csv', format: 'json' })).toBe('json');
  });
});
