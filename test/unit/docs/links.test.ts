import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');

/**
 * Pages other engineers are writing on their own branches at the same time as
 * this test; links to them may dangle until those branches are merged. Empty
 * this list once they are all in.
 */
const PAGES_FROM_OTHER_BRANCHES = new Set([
  'docs/metrics.md',
  'docs/training.md',
  'docs/fine-tuning.md',
  'docs/console.md',
  'docs/scaling.md',
]);

function markdownFiles(): string[] {
  const files = ['README.md', 'CHANGELOG.md'];
  const walk = (directory: string) => {
    for (const entry of fs.readdirSync(path.join(root, directory), { withFileTypes: true })) {
      const relative = path.join(directory, entry.name);
      if (entry.isDirectory()) walk(relative);
      else if (entry.name.endsWith('.md')) files.push(relative);
    }
  };
  walk('docs');
  return files;
}

/** GitHub's heading anchors: lower case, punctuation and emoji dropped, spaces to dashes. */
function anchors(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/^```[\s\S]*?^```$/gm, '');
  return new Set(
    [...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((match) =>
      match[1]
        .replace(/`/g, '')
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .trim()
        .replace(/\s/g, '-'),
    ),
  );
}

describe('links between the documentation pages', () => {
  const files = markdownFiles();

  it.each(files)('%s: every relative link and anchor resolves', (file) => {
    const text = fs.readFileSync(path.join(root, file), 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
    const broken: string[] = [];
    for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1];
      if (/^[a-z]+:/i.test(target)) continue;
      const [pathPart, anchor] = target.split('#');
      const resolved = pathPart ? path.normalize(path.join(path.dirname(file), pathPart)) : file;
      if (!fs.existsSync(path.join(root, resolved))) {
        if (!PAGES_FROM_OTHER_BRANCHES.has(resolved)) broken.push(`${target} (no ${resolved})`);
        continue;
      }
      if (anchor && resolved.endsWith('.md')) {
        const headings = anchors(fs.readFileSync(path.join(root, resolved), 'utf8'));
        if (!headings.has(anchor)) broken.push(`${target} (no heading #${anchor} in ${resolved})`);
      }
    }
    expect(broken).toEqual([]);
  });
});
