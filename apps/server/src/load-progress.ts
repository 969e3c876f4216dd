/**
 * The weights-upload progress bar (cli-progress), on stderr and only when it
 * is a terminal, so logs and pipes stay clean.
 * @module
 */
import cliProgress from 'cli-progress';

/** A progress callback for `createEngine`'s `onLoadProgress`, and the bar's end. */
export interface LoadProgress {
  readonly onLoadProgress: ((done: number, total: number) => void) | undefined;
  stop(): void;
}

/** A bar on `stream` when it is a TTY; otherwise nothing. */
export function loadProgress(stream: NodeJS.WriteStream = process.stderr): LoadProgress {
  if (!stream.isTTY) return { onLoadProgress: undefined, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'loading weights [{bar}] {percentage}% | {value}/{total} MiB',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
  return {
    onLoadProgress(done, total) {
      if (!started) bar.start(mib(total), 0);
      started = true;
      bar.update(mib(done));
    },
    stop: () => started && bar.stop(),
  };
}
