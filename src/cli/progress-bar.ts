/**
 * A one-line progress bar on stderr (redrawn in place on a terminal, a line
 * every 10 % otherwise, so logs and CI output stay readable).
 */
export function createProgressBar(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): { update(done: number, total: number): void; finish(): void } {
  const interactive = Boolean(stream.isTTY);
  let lastDecile = -1;
  let lastDraw = 0;
  const startedAt = Date.now();
  let finished = false;
  let last = { done: 0, total: 0 };
  const draw = (done: number, total: number) => {
    const fraction = total ? done / total : 1;
    const width = 30;
    const filled = Math.round(fraction * width);
    const seconds = (Date.now() - startedAt) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${(fraction * 100).toFixed(0)} % ${rate.toFixed(1)}/s`;
  };
  return {
    update(done, total) {
      last = { done, total };
      if (interactive) {
        const now = Date.now();
        if (now - lastDraw < 100 && done < total) return;
        lastDraw = now;
        stream.write(`\r${draw(done, total)}`);
        return;
      }
      const decile = total ? Math.floor((done / total) * 10) : 10;
      if (decile !== lastDecile) {
        lastDecile = decile;
        stream.write(`${draw(done, total)}\n`);
      }
    },
    finish() {
      if (finished) return;
      finished = true;
      if (interactive) stream.write(`\r${draw(last.done, last.total)}\n`);
    },
  };
}
