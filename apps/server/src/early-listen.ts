/**
 * Binds the listening socket before the model loads, so a busy port fails
 * at once in one line instead of after loading and warming up. Until the
 * app is ready every request gets 503 (and `/health` is not healthy yet).
 * @module
 */
import { readFileSync } from 'node:fs';
import { listen, type ListeningServer, type OpenAIApp } from '@x/openai-server';

/** Where to listen: the server's `host`, `port` and TLS files. */
export interface ListenSettings {
  readonly host?: string;
  readonly port?: number;
  readonly sslKeyfile?: string;
  readonly sslCertfile?: string;
}

/** The address cannot be bound, or the TLS files do not serve; the message names the flags. */
export class ListenError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ListenError';
  }
}

/** A bound socket waiting for its app. */
export interface EarlyListener {
  readonly listening: ListeningServer;
  /** Starts answering with `app`. */
  serve(app: Pick<OpenAIApp, 'fetch'>): void;
}

const LOADING = JSON.stringify({
  error: { message: 'the model is loading', type: 'ServiceUnavailableError', param: null, code: 503 },
});

/** Binds `settings`' address; a failure names the address and the flags that set it. */
export async function listenEarly(settings: ListenSettings): Promise<EarlyListener> {
  const host = settings.host ?? '0.0.0.0';
  const port = settings.port ?? 8000;
  const tls =
    settings.sslKeyfile !== undefined && settings.sslCertfile !== undefined
      ? { key: readFileSync(settings.sslKeyfile), cert: readFileSync(settings.sslCertfile) }
      : undefined;
  let fetch: OpenAIApp['fetch'] | undefined;
  try {
    const listening = await listen(
      {
        fetch: (request, ...rest) =>
          fetch
            ? fetch(request, ...rest)
            : new Response(LOADING, { status: 503, headers: { 'content-type': 'application/json' } }),
      },
      { host, port, ...(tls && { tls }) },
    );
    return { listening, serve: (app) => void (fetch = app.fetch) };
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      const why = code === 'EADDRINUSE' ? 'the address is in use' : message;
      throw new ListenError(`cannot listen on ${host}:${port} (--host, --port): ${why}`, { cause: error });
    }
    if (tls)
      throw new Error(`cannot serve HTTPS (--ssl-keyfile, --ssl-certfile): ${message}`, { cause: error });
    throw error;
  }
}
