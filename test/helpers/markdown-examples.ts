/** One runnable API example of a Markdown page: a GraphQL operation, its variables and the curl command sending them. */
export interface ApiExample {
  /** The nearest heading above the example. */
  title: string;
  graphql: string;
  variables: string;
  shell: string;
  /** `<placeholder>` → dotted path into the JSON answer (`data.corrections.nodes.0.id`), from `<!-- capture: … -->`. */
  captures: Array<{ placeholder: string; path: string }>;
}

interface Fence {
  lang: string;
  body: string;
  /** Text between this fence's end and the next fence (or the end). */
  after: string;
  heading: string;
}

function fences(markdown: string): Fence[] {
  const matches = [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)];
  return matches.map((match, index) => {
    const start = match.index ?? 0;
    const end = start + match[0].length;
    const next = matches[index + 1]?.index ?? markdown.length;
    const headings = [...markdown.slice(0, start).matchAll(/^#{1,6} (.+)$/gm)];
    return { lang: match[1], body: match[2], after: markdown.slice(end, next), heading: headings.at(-1)?.[1] ?? '' };
  });
}

/**
 * The examples of a page: every `sh` block that calls `$PARLEY_URL/graphql`,
 * with the `graphql` and `json` blocks just before it. Throws when a GraphQL
 * block belongs to no example, so nothing on the page goes untested.
 */
export function apiExamples(markdown: string): ApiExample[] {
  const blocks = fences(markdown);
  const examples: ApiExample[] = [];
  blocks.forEach((block, index) => {
    if (block.lang === 'graphql') {
      const json = blocks[index + 1];
      const shell = blocks[index + 2];
      if (json?.lang !== 'json' || shell?.lang !== 'sh' || !shell.body.includes('$PARLEY_URL/graphql'))
        throw new Error(`the GraphQL block under "${block.heading}" is not followed by its variables and curl command`);
      examples.push({
        title: block.heading,
        graphql: block.body,
        variables: json.body,
        shell: shell.body,
        captures: [...shell.after.matchAll(/<!-- capture: (<[^>]+>) = ([\w.]+) -->/g)].map((match) => ({
          placeholder: match[1],
          path: match[2],
        })),
      });
    }
  });
  return examples;
}

/** The JSON body a curl example sends through its quoted here-document (`<<'JSON'`). */
export function hereDocumentBody(shell: string): string {
  const match = /<<'JSON'\n([\s\S]*?)\nJSON\s*$/.exec(shell);
  if (!match) throw new Error(`no <<'JSON' here-document in:\n${shell}`);
  return match[1];
}

/** `data.corrections.nodes.0.id` in a parsed JSON answer. */
export function valueAt(answer: unknown, path: string): unknown {
  let value: unknown = answer;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
