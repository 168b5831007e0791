import 'reflect-metadata';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BoardApp,
  seedDeadLetters,
  seedEvents,
  startBoardApp,
  XSS,
} from './board.spec-helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Set to a file path (e.g. `docs/images/board.png`) to save a screenshot of the page. */
const SCREENSHOT = process.env.BOARD_SCREENSHOT;

const HAS_CHROMIUM = existsSync(CHROMIUM);
/** In CI the browser is installed by `.ci/run`: a missing binary is a broken setup, never a skip. */
const IN_CI = ['1', 'true'].includes((process.env.CI ?? '').toLowerCase());

if (!HAS_CHROMIUM && IN_CI) {
  describe('board page in Chromium', () => {
    it('has a browser to run in', () => {
      expect.fail(`${CHROMIUM} is missing in CI (CI=${process.env.CI}): apt-get install chromium`);
    });
  });
} else if (!HAS_CHROMIUM) {
  console.warn(`board browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);
}

describe.skipIf(!HAS_CHROMIUM)('board page in Chromium', () => {
  let browser: Browser;
  let board: BoardApp;
  let page: Page;
  let deadIds: string[];
  const errors: string[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    board = await startBoardApp();
    deadIds = await seedDeadLetters(board.broker, [
      { amount: 1250, currency: 'EUR', note: XSS },
      { amount: 99, currency: 'EUR' },
    ]);
    await seedEvents(board.store);
    for (const n of [1, 2, 3]) await board.broker.publish('orders', { n }, { type: 'OrderPlaced' });
    const shipping = await board.broker.consumerSingle('orders', { group: 'shipping' });
    await shipping.consume(1, 100, () => Promise.reject(new Error('carrier down'))).catch(() => {});
    await board.broker.consumerSingle('orders', { group: 'billing' });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  });

  afterAll(async () => {
    await browser?.close();
    await board?.close();
  });

  it('lists the streams with their groups and consumers', async () => {
    await page.goto(board.boardUrl);
    const orders = page.locator('article[data-stream="orders"]');
    await expect.poll(() => orders.locator('h2').textContent(), { timeout: 20_000 }).toBe('orders');
    await expect
      .poll(() => orders.locator('tr[data-id="shipping"]').textContent())
      .toContain('consumer-single');
    const payments = page.locator('article[data-stream="payments"]');
    expect(await payments.getByRole('button', { name: 'Dead letters (2)' }).count()).toBe(1);
    expect(await page.locator('article[data-stream="payments:dead"]').count()).toBe(0);
  });

  it('replays a dead letter back to its stream with a click', async () => {
    await page
      .locator('article[data-stream="payments"]')
      .getByRole('button', { name: /Dead letters/ })
      .click();
    const row = page.locator(`#dead tr[data-id="${deadIds[1]}"]`);
    await row.waitFor();
    if (SCREENSHOT) await screenshot(page, SCREENSHOT);
    await row.getByRole('button', { name: 'Replay' }).click();
    await expect
      .poll(() => page.locator('#status').textContent())
      .toContain(`Replayed ${deadIds[1]}`);
    await expect.poll(() => row.count(), { timeout: 20_000 }).toBe(0);
    expect(await board.admin.xlen(`${board.prefix}payments:dead`)).toBe(1);
    const [[, fields]] = await board.admin.xrange(`${board.prefix}payments`, '-', '+');
    expect(fields).toEqual(
      expect.arrayContaining(['type', 'PaymentFailed', 'aggregate_id', 'pay-2']),
    );
    expect(fields).not.toContain('error');
  });

  it('shows markup in event data and dead letters as text, never as HTML', async () => {
    const deadRow = page.locator(`#dead tr[data-id="${deadIds[0]}"]`);
    expect(await deadRow.locator('pre').textContent()).toContain(XSS);
    expect(await deadRow.locator('.error').textContent()).toBe(`Error: card declined ${XSS}`);
    await page.getByRole('tab', { name: 'Events' }).click();
    const row = page.locator('#events tr', { hasText: 'acc-2' }).first();
    await row.waitFor();
    await expect
      .poll(() => page.locator('#events tr', { hasText: XSS }).count(), { timeout: 20_000 })
      .toBe(1);
    await row.getByRole('button', { name: /acc-2/ }).click();
    await expect
      .poll(() => page.locator('#history tr[data-id]').count(), { timeout: 20_000 })
      .toBe(2);
    expect(await page.locator('#history pre').first().textContent()).toContain(XSS);
    if (SCREENSHOT) await screenshot(page, SCREENSHOT.replace(/\.png$/, '-events.png'));
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
    expect(errors).toEqual([]);
  });
});

async function screenshot(page: Page, path: string) {
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
}
