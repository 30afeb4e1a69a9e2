// The dashboard in headless Chromium (issue 4, "How it is shown to work"):
// sign in, see the inventory, approve a pending request with two security
// officers, see the new certificate and its audit trail; screenshots at
// laptop and phone widths; no console errors; strict headers on the page.
//
// Run by tests/browser/run.sh, which sets up the data and the server and
// passes them in the environment (CW_URL, CW_CA, CW_TOKEN_*, ...).

import {test, before, after} from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import {chromium} from 'playwright-core';

const env = (k) => {
  const v = process.env[k];
  assert.ok(v, `${k} is not set (run tests/browser/run.sh)`);
  return v;
};
const URL_BASE = env('CW_URL');
const ARTIFACTS = env('CW_ARTIFACTS');
const PENDING = env('CW_PENDING_ID');
const LAPTOP = {width: 1280, height: 900};
const PHONE = {width: 390, height: 844};

let context;
let userDataDir;
const consoleErrors = [];

// The server's TLS certificate must chain to the data directory's root;
// Chromium is then told to trust exactly that certificate's key
// (--ignore-certificate-errors-spki-list), not to ignore TLS errors.
async function serverSpki() {
  const u = new URL(URL_BASE);
  const ca = fs.readFileSync(env('CW_CA'));
  const cert = await new Promise((resolve, reject) => {
    const s = tls.connect({host: u.hostname, port: Number(u.port), ca,
      servername: 'localhost'}, () => {
      const c = s.getPeerCertificate();
      s.end();
      resolve(c);
    });
    s.on('error', reject);
  });
  const x = new crypto.X509Certificate(cert.raw);
  const spki = x.publicKey.export({type: 'spki', format: 'der'});
  return crypto.createHash('sha256').update(spki).digest('base64');
}

before(async () => {
  fs.mkdirSync(ARTIFACTS, {recursive: true});
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'certward-chromium-'));
  const spki = await serverSpki();
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CW_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
      '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
      `--ignore-certificate-errors-spki-list=${spki}`],
    viewport: LAPTOP,
  });
});

after(async () => {
  if (context) await context.close();
  if (userDataDir) fs.rmSync(userDataDir, {recursive: true, force: true});
});

async function newPage() {
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
  return page;
}

async function signIn(page, token) {
  await page.goto(URL_BASE + '/#/signin');
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', {name: 'Sign in'}).click();
  await page.getByRole('heading', {level: 1, name: 'Inventory'}).waitFor();
}

// Plain requests from inside the page (same origin, the page's token).
async function apiFromPage(page, method, p) {
  return page.evaluate(async ([m, u]) => {
    const r = await fetch(u, {method: m, headers: {Authorization: 'Bearer ' +
      sessionStorage.getItem('certward.token')}});
    return {status: r.status, body: await r.json()};
  }, [method, p]);
}

test('the page is served with strict headers and nothing inline', async () => {
  const page = await newPage();
  const r = await page.goto(URL_BASE + '/');
  assert.equal(r.status(), 200);
  const h = r.headers();
  assert.match(h['content-type'], /^text\/html/);
  const csp = h['content-security-policy'] || '';
  assert.match(csp, /default-src 'none'/, csp);
  assert.match(csp, /script-src 'self'(;|$)/, csp);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, csp);
  assert.match(csp, /frame-ancestors 'none'/, csp);
  assert.equal(h['x-content-type-options'], 'nosniff');
  assert.equal(h['referrer-policy'], 'no-referrer');
  assert.equal(h['x-frame-options'], 'DENY');
  for (const f of ['/ui/app.js', '/ui/app.css', '/ui/favicon.svg']) {
    const a = await page.evaluate(async (u) => {
      const x = await fetch(u);
      return {status: x.status, csp: x.headers.get('Content-Security-Policy'),
        type: x.headers.get('Content-Type')};
    }, f);
    assert.equal(a.status, 200, f);
    assert.equal(a.csp, csp, f);
  }
  // no script in the markup itself, and nothing from another origin
  const html = await r.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc="\/ui\/app\.js")/);
  assert.doesNotMatch(html, /https?:\/\//);
  // signed out: the sign-in form, and no token anywhere yet
  await page.getByLabel('API token').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  await page.close();
});

test('a wrong token is refused with an announced error', async () => {
  const page = await newPage();
  await page.goto(URL_BASE + '/#/signin');
  // the 401 answer is logged by Chromium as a failed resource: expected here
  const before = consoleErrors.length;
  await page.getByLabel('API token').fill('cw_1_not-a-real-token');
  await page.getByRole('button', {name: 'Sign in'}).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /not valid/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('certward.token')), null);
  consoleErrors.splice(before);
  await page.close();
});

test('sign in, inventory, approve with two officers, certificate and its audit trail',
  async () => {
    // --- bob: inventory, then the pending request ---------------------------
    const page = await newPage();
    await signIn(page, env('CW_TOKEN_BOB'));
    const token = await page.evaluate(() => sessionStorage.getItem('certward.token'));
    assert.equal(token, env('CW_TOKEN_BOB'));
    assert.ok(!page.url().includes(token), 'the token is never in the URL');

    // the six issued in run.sh and the server's own TLS certificate
    const all = await apiFromPage(page, 'GET', '/api/v1/certificates?page=1');
    assert.equal(all.status, 200);
    assert.equal(all.body.total, 7);
    const inv = page.locator('table.inventory tbody tr');
    await page.locator('#inv-summary').waitFor();
    assert.equal(await inv.count(), 7);
    await page.getByText('www.svc.example.internal').waitFor();
    // the timeline: 13 weekly bars, with the 6 certificates in them
    await page.locator('svg.chart').waitFor();
    assert.equal(await page.locator('svg.chart g.bar').count(), 13);
    assert.match(await page.locator('svg.chart desc').textContent(), /^7 valid/);
    await page.screenshot({path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true});

    // filters go through the API: template and then a search on the page
    await page.getByLabel('Template').selectOption('workload-mtls');
    await page.getByRole('button', {name: 'Apply'}).click();
    await page.waitForFunction(() => document.querySelectorAll(
      'table.inventory tbody tr').length === 2);
    await page.getByLabel('Search this page').fill('billing');
    await page.getByRole('button', {name: 'Apply'}).click();
    await page.waitForFunction(() => {
      const rows = document.querySelectorAll('table.inventory tbody tr');
      return rows.length === 1 && rows[0].textContent.includes('billing');
    });

    // pending approvals: requester, verdict, approvals so far
    await page.getByRole('link', {name: 'Approvals'}).click();
    const row = page.locator('tbody tr', {hasText: '#' + PENDING});
    await row.waitFor();
    const text = await row.textContent();
    assert.match(text, /code-signing/);
    assert.match(text, /alice/);
    assert.match(text, /compliant/);
    assert.match(text, /0 of 2/);
    await row.getByRole('link', {name: 'Review'}).click();
    await page.getByRole('heading', {level: 1, name: 'Request #' + PENDING}).waitFor();
    await page.getByLabel('Comment').fill('release 2.0 <b>checked</b>');
    await page.getByRole('button', {name: 'Approve'}).click();
    await page.getByText('1 required').or(page.getByText('1 missing')).first().waitFor();
    const decided = page.locator('tbody tr', {hasText: 'bob'});
    await decided.waitFor();
    // the comment is shown as text, never as markup
    assert.match(await decided.textContent(), /release 2\.0 <b>checked<\/b>/);
    assert.equal(await page.locator('main b').count(), 0);
    await page.getByRole('button', {name: 'Sign out'}).click();
    await page.getByLabel('API token').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('certward.token')), null);

    // --- carol: the second approval issues the certificate -----------------
    await signIn(page, env('CW_TOKEN_CAROL'));
    await page.goto(URL_BASE + '/#/requests/' + PENDING);
    await page.getByRole('button', {name: 'Approve'}).click();
    const certLink = page.locator('dd a[href^="#/certificates/"]');
    await certLink.waitFor();
    assert.match(await page.locator('dl.fields').textContent(), /issued/);
    const serial = (await certLink.textContent()).trim();
    assert.match(serial, /^[0-9a-f]+$/);
    await certLink.click();
    await page.getByRole('heading', {level: 1, name: 'Certificate ' + serial}).waitFor();
    const trail = page.locator('table.audit tbody');
    await trail.getByText('cert.issue').waitFor();
    const trailText = await trail.textContent();
    assert.match(trailText, /request\.submit/);
    assert.match(trailText, /request\.approve/);
    assert.match(trailText, /carol/);
    assert.match(await page.locator('dl.fields').textContent(), /bob, carol|carol, bob/);
    await page.screenshot({path: path.join(ARTIFACTS, 'certificate.png'), fullPage: true});

    // the approval really happened on the server
    const got = await apiFromPage(page, 'GET', '/api/v1/requests/' + PENDING);
    assert.equal(got.status, 200);
    assert.equal(got.body.state, 'issued');
    assert.equal(got.body.serial, serial);
    await page.close();
  });

test('services show stale owners; the audit page shows verify status', async () => {
  const page = await newPage();
  await signIn(page, env('CW_TOKEN_DAVE'));
  await page.getByRole('link', {name: 'Services'}).click();
  const stale = page.locator('tr.stale');
  await stale.first().waitFor();
  assert.equal(await stale.count(), 1);
  assert.match(await stale.textContent(), /legacy/);
  assert.match(await stale.textContent(), /stale/);
  await page.screenshot({path: path.join(ARTIFACTS, 'services.png'), fullPage: true});

  await page.getByRole('link', {name: 'Audit'}).click();
  const verify = page.locator('#verify-result');
  await verify.waitFor();
  assert.match(await verify.textContent(), /intact/);
  await page.locator('table.audit tbody tr').first().waitFor();
  assert.match(await page.locator('table.audit').textContent(), /cert\.issue/);
  await page.screenshot({path: path.join(ARTIFACTS, 'audit.png'), fullPage: true});

  // a request's own trail, for a role that may read the audit log
  await page.goto(URL_BASE + '/#/requests/' + PENDING);
  await page.locator('table.audit').getByText('request.approve').first().waitFor();
  await page.close();
});

test('readable at phone width', async () => {
  const page = await newPage();
  await page.setViewportSize(PHONE);
  await signIn(page, env('CW_TOKEN_BOB'));
  await page.locator('table.inventory tbody tr').first().waitFor();
  await page.locator('svg.chart').waitFor();
  // the page itself does not scroll sideways (wide tables scroll in place)
  const overflow = await page.evaluate(() =>
    document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
  await page.screenshot({path: path.join(ARTIFACTS, 'dashboard-phone.png'), fullPage: true});
  await page.close();
});

test('no console errors', () => {
  assert.deepEqual(consoleErrors, []);
});
