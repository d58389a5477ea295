import { describe, expect, it } from 'vitest';
import { routingUrl } from './index.js';

describe('routingUrl', () => {
  it.each([
    ['/postback/cellxpert?key=k&event=reg', '/postback/cellxpert'],
    ['/postback/cellxpert', '/postback/cellxpert'],
    ['/postback/cellxpert?', '/postback/cellxpert'],
    ['/postback/a/b?x=1', '/postback/a/b'],
  ])('gives the router the postback path alone: %s', (url, expected) => {
    expect(routingUrl(url)).toBe(expected);
  });

  it.each([
    '/api/v1/summary?from=2026-01-01&to=2026-02-01',
    '/postback?key=k',
    '/postbacks/x?y=1',
    'http://host/postback/x?y=1',
    '/',
  ])('leaves every other URL as it is: %s', (url) => {
    expect(routingUrl(url)).toBe(url);
  });
});
