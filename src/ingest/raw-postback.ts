/**
 * A postback as it arrived, captured once before any step looks at it: the source slug from the
 * path, method, verbatim query and body text, the headers steps need, the client address and the
 * server clock. Steps read this; none of them re-reads the HTTP request.
 */

export interface RawPostback {
  sourceSlug: string;
  method: string;
  /** The query string as received, without the leading `?`. */
  rawQuery: string;
  /** The body text as received (form or JSON), or null. */
  rawBody: string | null;
  contentType: string | null;
  /** Path plus query exactly as requested (what an HMAC signature covers). */
  url: string;
  headers: Readonly<Record<string, string | undefined>>;
  ip: string | null;
  userAgent: string | null;
  receivedAt: Date;
  /**
   * Where the postback came from: `postback` (a network), `api` (a token client), `import`, or
   * `reprocess` (a stored rejection sent through again by an admin, see routes/admin/rejections.ts).
   * Only `postback` is authenticated by the pipeline; the others by their caller.
   */
  channel: 'postback' | 'api' | 'import' | 'reprocess';
  /** Default for the `sender` field (the API client's name, for instance). */
  defaultSender?: string | null;
  /** Default for the `sheet` field (an imported file's sheet name). */
  defaultSheet?: string | null;
}
