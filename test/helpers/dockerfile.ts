/** One instruction of a Dockerfile: its stage (index of the FROM above it), keyword and arguments, continuations joined. */
export interface DockerInstruction {
  stage: number;
  keyword: string;
  args: string;
}

/** A small reader of Dockerfile syntax: comments dropped, `\` continuations joined. Enough to check our own file. */
export function readDockerfile(text: string): DockerInstruction[] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const instructions: DockerInstruction[] = [];
  let stage = -1;
  for (const line of logical) {
    const [keyword, ...rest] = line.split(/\s+/);
    if (keyword.toUpperCase() === 'FROM') stage += 1;
    instructions.push({ stage, keyword: keyword.toUpperCase(), args: rest.join(' ') });
  }
  return instructions;
}

/** The exec-form (`["node", "…"]`) arguments of a CMD or HEALTHCHECK … CMD instruction. */
export function execForm(args: string): string[] {
  const json = args.slice(args.indexOf('['));
  return JSON.parse(json) as string[];
}
