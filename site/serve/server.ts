/**
 * The development server of `npm run serve`: serves the built folder on one host and port, tells
 * open pages to reload after a build (server-sent events on LIVE_EVENTS_PATH) and, while the last
 * build failed, answers every page with the error instead of the stale page.
 *
 * Static files are served by sirv rather than @11ty/eleventy-dev-server: 2.1.2 (the newest release)
 * dies on a request for `/%2e%2e%2f…` (11ty/dev-server#150) and serves files from sibling folders
 * whose names start with the output folder's, e.g. `_site-other/` (11ty/dev-server#152). sirv
 * answers both with a 404, and reads from disk on every request in its `dev` mode.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';
import { escapeHtml } from '../page.ts';
import { LIVE_CLIENT_PATH, LIVE_EVENTS_PATH, liveClientScript } from './live-client.ts';

/** What the server knows about the last build: fine, or failed with a one-line message. */
export type BuildState = { status: 'ok' } | { status: 'failed'; message: string };

export interface DevServerOptions {
  /** The built site's folder, e.g. `_site`. */
  root: string;
  /** Default 127.0.0.1: the server is reachable from this machine only. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
}

export interface DevServer {
  /** e.g. `http://127.0.0.1:8080` */
  origin: string;
  /** Records the outcome of a build and tells every open page: reload, or show the error. */
  setState(state: BuildState): void;
  close(): Promise<void>;
}

/** The tag added to every HTML page served, before `</body>` (or at the end). */
const CLIENT_TAG = `<script type="module" src="${LIVE_CLIENT_PATH}"></script>`;

/** Adds the live-reload client to an HTML document. */
export function withLiveClient(html: string): string {
  const at = html.lastIndexOf('</body>');
  return at === -1 ? html + CLIENT_TAG : html.slice(0, at) + CLIENT_TAG + html.slice(at);
}

/** The page shown instead of any page while the last build failed; the overlay markup matches the client's. */
export function errorPage(message: string): string {
  return withLiveClient(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Build failed</title></head><body>` +
      `<div id="live-build-error" role="alert"><h1>The build failed</h1><pre>${escapeHtml(message)}</pre>` +
      `<p>Fix it and save: this page comes back by itself.</p></div></body></html>`,
  );
}

/**
 * Buffers a response whose Content-Type is HTML and adds the live client before sending it; any
 * other response passes through untouched. sirv writes headers with `writeHead` and the body by
 * piping a file stream, so those are the calls intercepted.
 */
function injectIntoHtml(response: http.ServerResponse): void {
  const writeHead = response.writeHead.bind(response);
  const write = response.write.bind(response);
  const end = response.end.bind(response);
  let status = 200;
  let headers: http.OutgoingHttpHeaders = {};
  let html = false;
  const chunks: Buffer[] = [];
  response.writeHead = ((code: number, ...rest: unknown[]) => {
    status = code;
    const given = rest.find((r) => typeof r === 'object' && r !== null) as
      http.OutgoingHttpHeaders | undefined;
    headers = { ...given };
    const type = String(
      headers['Content-Type'] ?? headers['content-type'] ?? response.getHeader('content-type'),
    );
    html = type.startsWith('text/html');
    if (!html) return writeHead(code, given);
    return response;
  }) as typeof response.writeHead;
  response.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (!html) return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    chunks.push(Buffer.from(chunk as Uint8Array));
    return true;
  }) as typeof response.write;
  response.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (!html) return (end as (...args: unknown[]) => http.ServerResponse)(chunk, ...rest);
    if (chunk !== undefined && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as Uint8Array));
    const body = Buffer.from(withLiveClient(Buffer.concat(chunks).toString('utf8')));
    delete headers['Content-Length'];
    delete headers['content-length'];
    writeHead(status, { ...headers, 'Content-Length': body.length, 'Cache-Control': 'no-store' });
    return end(body);
  }) as typeof response.end;
}

/** Starts the server; resolves once it listens. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const files = sirv(options.root, { dev: true, extensions: ['html'], etag: false });
  const clients = new Set<http.ServerResponse>();
  let state: BuildState = { status: 'ok' };

  const send = (client: http.ServerResponse, event: 'reload' | 'failed', data: unknown) =>
    client.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

  const server = http.createServer((request, response) => {
    const pathname = (request.url ?? '/').split('?')[0]!;
    if (pathname === LIVE_EVENTS_PATH) {
      response.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
      });
      response.write(': connected\n\n');
      if (state.status === 'failed') send(response, 'failed', { message: state.message });
      clients.add(response);
      request.on('close', () => clients.delete(response));
      return;
    }
    if (pathname === LIVE_CLIENT_PATH) {
      response
        .writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' })
        .end(liveClientScript());
      return;
    }
    const accept = request.headers.accept ?? '';
    if (state.status === 'failed' && accept.includes('text/html')) {
      response
        .writeHead(500, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
        .end(errorPage(state.message));
      return;
    }
    injectIntoHtml(response);
    files(request, response, () => {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
    });
  });
  // A request the parser rejects must not take the server down.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    origin: `http://${host}:${address.port}`,
    setState(next) {
      state = next;
      for (const client of clients) {
        if (next.status === 'ok') send(client, 'reload', {});
        else send(client, 'failed', { message: next.message });
      }
    },
    close() {
      for (const client of clients) client.end();
      clients.clear();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
