// A one-line progress bar for a terminal: `label [#########           ] 42%`, redrawn in place when the
// percentage changes.
const WIDTH = 30;

export function progressBar(stream: NodeJS.WriteStream, label: string) {
  let shown = -1;
  return {
    /** `share`: 0 to 1. */
    update: (share: number) => {
      const percent = Math.min(100, Math.floor(share * 100));
      if (percent === shown) return;
      shown = percent;
      const filled = Math.round((percent / 100) * WIDTH);
      stream.write(`\r${label} [${'#'.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${percent}%`);
    },
    /** Ends the line, if anything was drawn. */
    done: () => {
      if (shown >= 0) stream.write('\n');
    },
  };
}
