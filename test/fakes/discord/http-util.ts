/**
 * Small HTTP helpers for the fake Discord server: body reading, multipart parsing, route matching.
 */
import type { IncomingMessage } from 'node:http';
import type { RecordedFile, RequestMatcher } from './types.js';

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export interface MultipartPart {
  name: string;
  filename: string | null;
  contentType: string | null;
  data: Buffer;
}

/** Parses a `multipart/form-data` body (as undici's FormData writes it). */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delimiter);
  while (pos !== -1) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString('latin1') === '--') break;
    pos += 2; // CRLF after the delimiter
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd === -1) break;
    const next = body.indexOf(delimiter, headerEnd + 4);
    if (next === -1) break;
    const headers = body.subarray(pos, headerEnd).toString('utf8');
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? '';
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1] ?? null;
    const contentType = /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim() ?? null;
    parts.push({ name, filename, contentType, data: body.subarray(headerEnd + 4, next - 2) });
    pos = next;
  }
  return parts;
}

export interface ParsedBody {
  body: unknown;
  files: RecordedFile[];
  invalidJson: boolean;
}

export function parseBody(raw: Buffer, contentType: string | undefined): ParsedBody {
  if (raw.length === 0) return { body: undefined, files: [], invalidJson: false };
  const type = contentType ?? '';
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(type);
    const parts = parseMultipart(raw, boundary?.[1] ?? boundary?.[2] ?? '');
    let body: unknown;
    let invalidJson = false;
    const files: RecordedFile[] = [];
    for (const part of parts) {
      if (part.name === 'payload_json') {
        try {
          body = JSON.parse(part.data.toString('utf8'));
        } catch {
          invalidJson = true;
        }
      } else if (part.filename !== null) {
        files.push({ field: part.name, filename: part.filename, contentType: part.contentType, size: part.data.length, data: part.data });
      }
    }
    return { body, files, invalidJson };
  }
  const text = raw.toString('utf8');
  try {
    return { body: JSON.parse(text), files: [], invalidJson: false };
  } catch {
    return { body: text, files: [], invalidJson: type.includes('json') };
  }
}

/**
 * Splits a raw request path into its route below `/api/v{n}` (segments percent-decoded) and the version.
 * Returns null when the path is not under `/api/v{n}`.
 */
export function splitApiPath(rawPath: string): { version: number; segments: string[] } | null {
  const raw = rawPath.split('/').filter((segment) => segment !== '');
  if (raw[0] !== 'api') return null;
  const version = /^v(\d+)$/.exec(raw[1] ?? '');
  if (!version) return null;
  const segments = raw.slice(2).map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment;
    }
  });
  return { version: Number(version[1]), segments };
}

/**
 * Matches route segments against a pattern such as `/channels/:id/messages`.
 * Returns the captured parameters, or null.
 */
export function matchSegments(pattern: string, segments: readonly string[]): Record<string, string> | null {
  const parts = pattern.split('/').filter((part) => part !== '');
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const segment = segments[i] as string;
    if (part.startsWith(':')) params[part.slice(1)] = segment;
    else if (part !== segment) return null;
  }
  return params;
}

/**
 * A request predicate for a method and route pattern below `/api/v10`, e.g.
 * `matchRoute('POST', '/channels/:id/messages')`. Method `'*'` matches any method.
 */
export function matchRoute(method: string, pattern: string): RequestMatcher {
  const upper = method.toUpperCase();
  return (request) =>
    (upper === '*' || request.method === upper) &&
    matchSegments(pattern, request.path.split('/').filter((segment) => segment !== '')) !== null;
}
