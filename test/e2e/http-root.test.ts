/** What `GET /` answers a person who opens the server's address (in process, fastify inject). */
import { describe, expect, it } from 'vitest';
import { testApps } from '../helpers/app.js';

const app = testApps();

describe('GET /', () => {
  it('redirects to the playground when it is on, keeping the query (the token)', async () => {
    const t = (await app());
    const res = await t.app.http.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/playground');
    const withToken = await t.app.http.inject({ method: 'GET', url: '/?token=abc' });
    expect(withToken.headers.location).toBe('/playground?token=abc');
  });

  it('without the playground, answers a short HTML page in English and Chinese naming /healthz', async () => {
    const t = (await app({ config: { playground: { enabled: false } } }));
    const res = await t.app.http.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('qunbot is running');
    expect(res.body).toContain('qunbot 正在运行');
    expect(res.body).toContain('href="/healthz"');
    expect(res.body).toMatch(/sqlite|postgres/);
    // Unknown paths still answer JSON 404.
    const unknown = await t.app.http.inject({ method: 'GET', url: '/nope' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: 'not found' });
  });
});
