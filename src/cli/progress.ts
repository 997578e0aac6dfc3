export interface ProgressBar {
  update(done: number, total: number, label?: string): void;
  finish(): void;
}

/** A bar redrawn in place on a terminal; on a pipe or a log file, a line every 10 %. */
export function createProgressBar(stream: NodeJS.WriteStream, title: string): ProgressBar {
  let lastDecile = -1;
  let drawn = false;
  return {
    update(done, total, label = '') {
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      if (stream.isTTY) {
        const width = 30;
        const filled = Math.round(fraction * width);
        const text = `${title} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${label}`;
        const columns = stream.columns || 100;
        stream.write(`\r${text.slice(0, columns - 1).padEnd(columns - 1)}`);
        drawn = true;
      } else {
        const decile = Math.floor(fraction * 10);
        if (decile !== lastDecile) {
          lastDecile = decile;
          stream.write(`${title}: ${done}/${total}\n`);
        }
      }
    },
    finish() {
      if (drawn) stream.write('\n');
    },
  };
}
