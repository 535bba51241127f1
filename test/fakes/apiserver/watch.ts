import type { ServerResponse } from 'node:http';
import { apiVersionOf, type ResourceType } from './resources.js';
import { statusBody } from './status.js';
import type { EventType, KubeObject, Store, StoreEvent } from './store.js';

export interface WatchRequest {
  type: ResourceType;
  namespace: string | undefined;
  matches: (object: KubeObject) => boolean;
  /** Absent or "0": start with the current state as ADDED events, as the real server does. */
  resourceVersion: string | undefined;
  timeoutSeconds: number | undefined;
  /** `allowWatchBookmarks=true`: a BOOKMARK with the current resourceVersion before the timeout closes the stream. */
  bookmarks: boolean;
  /** How an object travels in an event: itself, or a one-row Table for kubectl get -w. */
  render: (object: KubeObject) => object;
}

/**
 * Streams watch events as newline-delimited JSON until the client goes away,
 * `timeoutSeconds` passes, or the returned function is called (server shutdown).
 * A resourceVersion older than the retained history gets the real server's
 * answer: HTTP 200 and one ERROR event carrying a 410 Expired Status.
 */
export function serveWatch(response: ServerResponse, store: Store, request: WatchRequest): () => void {
  response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  response.flushHeaders();
  const send = (type: string, object: object) => response.write(`${JSON.stringify({ type, object })}\n`);
  const inScope = (event: StoreEvent) =>
    event.resource === request.type &&
    (request.namespace === undefined || event.object.metadata.namespace === request.namespace);
  const deliver = (event: StoreEvent) => {
    if (!inScope(event)) return;
    const translated = asSeenThroughSelector(event, request.matches);
    if (translated) send(translated, request.render(event.object));
  };

  const since =
    request.resourceVersion === undefined || request.resourceVersion === '' || request.resourceVersion === '0'
      ? undefined
      : Number(request.resourceVersion);
  if (since === undefined) {
    for (const object of store.list(request.type, request.namespace).filter(request.matches))
      send('ADDED', request.render(object));
  } else {
    const backlog = store.eventsSince(since);
    if (!backlog.ok) {
      send('ERROR', statusBody(backlog.error));
      response.end();
      return () => {};
    }
    backlog.events.forEach(deliver);
  }
  const unsubscribe = store.subscribe(deliver);
  const bookmark = () =>
    send('BOOKMARK', {
      kind: request.type.kind,
      apiVersion: apiVersionOf(request.type),
      metadata: { resourceVersion: String(store.currentRevision) },
    });
  const timer = request.timeoutSeconds
    ? setTimeout(() => {
        if (request.bookmarks) bookmark();
        stop();
      }, request.timeoutSeconds * 1000)
    : undefined;
  const stop = () => {
    clearTimeout(timer);
    unsubscribe();
    if (!response.writableEnded) response.end();
  };
  response.on('close', stop);
  return stop;
}

/**
 * What a selector-filtered watch reports, as the real watch cache does: an
 * object that starts matching is ADDED, one that stops matching is DELETED.
 */
export function asSeenThroughSelector(
  event: StoreEvent,
  matches: (object: KubeObject) => boolean,
): EventType | undefined {
  const now = event.type !== 'DELETED' && matches(event.object);
  const before = event.previous !== undefined && matches(event.previous);
  if (event.type === 'DELETED') return before ? 'DELETED' : undefined;
  if (now && before) return 'MODIFIED';
  if (now) return 'ADDED';
  return before ? 'DELETED' : undefined;
}
