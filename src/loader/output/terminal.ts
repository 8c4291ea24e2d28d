/**
 * The terminal's stderr, shared by the progress bar and the log lines: while a bar is drawn, a line goes
 * above it through the bar (which would otherwise redraw itself over it); otherwise straight to stderr.
 */
let bar: { log(text: string): void } | null = null;

/** Called by the progress bar when it starts (with itself) and stops (with null). */
export function attachBar(active: { log(text: string): void } | null): void {
  bar = active;
}

export function writeLine(text: string): void {
  const line = text.endsWith('\n') ? text : `${text}\n`;
  if (bar) bar.log(line);
  else process.stderr.write(line);
}
