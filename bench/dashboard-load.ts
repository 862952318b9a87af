/**
 * The dashboard's first load in Chromium (issue #13: under 1 s on this
 * machine), for a community the caller has seeded: the app's HTTP server on a
 * loopback port, an operator's session cookie, then each repetition in a
 * fresh browser context (empty cache) from navigation to every chart drawn
 * and the last card filled. Baseline, in the
 * same browser and run: a page that loads the same ECharts file from the same
 * server and draws one line chart of as many points (what any chart page pays
 * before its own data).
 */
import type { App } from '../src/app.js';
import { launchChromium } from '../test/helpers/browser.js';
import { nowNs } from './harness.js';

const CHARTS = ['chart-active', 'chart-growth', 'chart-retention', 'chart-segments'];

export interface FirstLoad {
  loads: number[];
  baseline: number[];
}

export async function dashboardFirstLoad(app: App, options: { communityId: number; session: { name: string; value: string }; port: number; reps: number; days: number }): Promise<FirstLoad> {
  await app.http.listen({ host: '127.0.0.1', port: options.port });
  const origin = `http://127.0.0.1:${options.port}`;
  const pageUrl = `${origin}/dashboard/c/${options.communityId}`;
  const cookies = [{ name: options.session.name, value: options.session.value, domain: '127.0.0.1', path: '/dashboard', httpOnly: true, sameSite: 'Strict' as const }];
  const browser = await launchChromium();
  try {
    const loads: number[] = [];
    const baseline: number[] = [];
    for (let rep = 0; rep < options.reps; rep++) {
      {
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        await context.addCookies(cookies);
        const p = await context.newPage();
        const errors: string[] = [];
        p.on('pageerror', (err) => errors.push(err.message));
        const t0 = nowNs();
        await p.goto(pageUrl);
        await p.locator('#delivery').waitFor();
        for (const id of CHARTS) {
          if (!(await p.evaluate(`Boolean(window.echarts.getInstanceByDom(document.getElementById('${id}')))`))) throw new Error(`${id} was not drawn`);
        }
        loads.push((nowNs() - t0) / 1e6);
        if (errors.length) throw new Error(`the dashboard page failed: ${errors.join('; ')}`);
        await context.close();
      }
      {
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        await context.addCookies(cookies);
        const p = await context.newPage();
        const t0 = nowNs();
        await p.goto(`${origin}/healthz`);
        await p.setContent(
          `<div id="c" style="width:1200px;height:320px"></div><script src="${origin}/dashboard/assets/echarts.min.js"></script>` +
            `<script>const n=${options.days};const x=[...Array(n).keys()];echarts.init(document.getElementById('c')).setOption({animation:false,xAxis:{type:'category',data:x},yAxis:{type:'value'},series:[{type:'line',data:x.map((i)=>i%17)}]});document.body.dataset.drawn='1';</script>`,
        );
        await p.locator('body[data-drawn="1"]').waitFor({ state: 'attached' });
        baseline.push((nowNs() - t0) / 1e6);
        await context.close();
      }
    }
    return { loads, baseline };
  } finally {
    await browser.close();
    await app.http.close();
  }
}
