import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/** Attributes that name a person's address or client, dropped from every span. */
const DROPPED_KEYS = new Set([
  'client.address',
  'network.peer.address',
  'net.peer.ip',
  'net.sock.peer.addr',
  'http.client_ip',
  'user_agent.original',
  'http.user_agent',
]);

/** Attributes that hold a URL or a path: their query strings go, token-like segments too. */
const URL_KEYS = new Set(['url.full', 'http.url', 'http.target', 'url.path', 'url.query']);

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
const IPV6 = /\b(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{1,4}\b|::ffff:[0-9.]+/g;
const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer|Basic)\s+\S+/gi;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A path segment that looks like a secret (invite and verification tokens): long base64url. */
const TOKEN_SEGMENT = /^[A-Za-z0-9_-]{22,}$/;

/** A string attribute with emails, IP addresses and tokens replaced by placeholders. */
export function scrubText(value: string): string {
  return value.replace(JWT, '[token]').replace(BEARER, '$1 [token]').replace(EMAIL, '[email]').replace(IPV6, '[ip]').replace(IPV4, '[ip]');
}

function scrubUrl(value: string): string {
  const [path = ''] = value.split('?');
  const segments = path.split('/').map((segment) => (TOKEN_SEGMENT.test(segment) && !UUID.test(segment) && !/^\d+$/.test(segment) ? '[token]' : segment));
  return scrubText(segments.join('/'));
}

/**
 * Removes what must never leave a process in a span: client addresses and user agents (dropped),
 * emails, IP addresses, JWTs and bearer credentials in any string attribute (replaced), query
 * strings and token-like path segments of URLs. In place, on the span's attribute object.
 */
export function scrubAttributes(attributes: Record<string, unknown>): void {
  for (const key of Object.keys(attributes)) {
    if (DROPPED_KEYS.has(key)) {
      delete attributes[key];
      continue;
    }
    const value = attributes[key];
    if (typeof value === 'string') attributes[key] = URL_KEYS.has(key) ? scrubUrl(value) : scrubText(value);
    else if (Array.isArray(value)) attributes[key] = value.map((item: unknown) => (typeof item === 'string' ? scrubText(item) : item));
  }
}

/** Wraps the exporter: every span (and its events' attributes) is scrubbed before it leaves. */
export class ScrubbingExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: Parameters<SpanExporter['export']>[1]): void {
    for (const span of spans) {
      scrubAttributes(span.attributes as Record<string, unknown>);
      for (const event of span.events) if (event.attributes) scrubAttributes(event.attributes as Record<string, unknown>);
    }
    this.inner.export(spans, resultCallback);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
