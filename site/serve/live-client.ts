/**
 * The script the development server adds to every page it serves: it listens to the server's
 * build events and reloads the page after a successful build, or replaces the page with the
 * build's one-line error (element #live-build-error) after a failed one. Served as plain
 * JavaScript; it runs in the browser, never in Node.
 */

/** Server-sent events: `reload` (data `{}`) and `failed` (data `{ "message": "content/posts/x.md:9: …" }`). */
export const LIVE_EVENTS_PATH = '/__live/events';
export const LIVE_CLIENT_PATH = '/__live/client.js';

/** Styles of the error overlay, shared by the client and the server's error page. */
export const OVERLAY_CSS =
  '#live-build-error{position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:2rem;' +
  'background:#fff;color:#111;font:16px/1.5 system-ui,sans-serif}' +
  '#live-build-error h1{margin:0 0 1rem;font-size:1.4rem;color:#a00}' +
  '#live-build-error pre{white-space:pre-wrap;word-break:break-word;font:15px/1.5 ui-monospace,monospace;' +
  'background:#fff4f4;border-left:4px solid #a00;padding:1rem}';

export function liveClientScript(): string {
  return `// Live reload for npm run serve.
const css = ${JSON.stringify(OVERLAY_CSS)};
function showError(message) {
  const style = document.createElement('style');
  style.textContent = css;
  const overlay = document.createElement('div');
  overlay.id = 'live-build-error';
  overlay.setAttribute('role', 'alert');
  const heading = document.createElement('h1');
  heading.textContent = 'The build failed';
  const text = document.createElement('pre');
  text.textContent = message;
  const hint = document.createElement('p');
  hint.textContent = 'Fix it and save: this page comes back by itself.';
  overlay.append(heading, text, hint);
  document.title = 'Build failed';
  document.body.replaceChildren(style, overlay);
}
if (document.getElementById('live-build-error')) {
  const style = document.createElement('style');
  style.textContent = css;
  document.head.append(style);
}
const events = new EventSource(${JSON.stringify(LIVE_EVENTS_PATH)});
events.addEventListener('reload', () => location.reload());
events.addEventListener('failed', (event) => showError(JSON.parse(event.data).message));
`;
}
