/**
 * Progress on stderr: a spinner with the current step and the time elapsed on a terminal, plain lines (one per
 * change of step) otherwise, so logs and CI output stay readable. Results go to stdout, never here.
 */
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Progress {
  /** The current step; shown at once (a new line when not on a terminal and the text changed). */
  step(text: string): void;
  /** A line that stays (the spinner goes on below it). */
  note(text: string): void;
  /** Clears the spinner. */
  done(): void;
}

export function progress(stream: NodeJS.WriteStream = process.stderr, opts: { quiet?: boolean } = {}): Progress {
  if (opts.quiet) return { step() {}, note() {}, done() {} };
  const start = Date.now();
  if (!stream.isTTY) {
    let last = '';
    return {
      step(text) {
        if (text !== last) stream.write(`${text}\n`);
        last = text;
      },
      note(text) {
        stream.write(`${text}\n`);
      },
      done() {},
    };
  }
  let text = '';
  let frame = 0;
  const draw = () => {
    const secs = ((Date.now() - start) / 1000).toFixed(0);
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${text} (${secs}s)`);
  };
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    step(t) {
      text = t;
      draw();
    },
    note(t) {
      stream.write(`\r\x1b[2K${t}\n`);
      draw();
    },
    done() {
      clearInterval(timer);
      stream.write('\r\x1b[2K');
    },
  };
}
