// What a person sees on the seeds' story page, in headless Chromium: both events, the timeline in
// date order, quotes with their speakers, the figures ledger flagging the shells that outlets count
// differently; then an article page with its highlights, and a search. Screenshots go to
// target/e2e/ so a person can look. STORYLINE_URL is the server's address (scripts/e2e sets it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.env.STORYLINE_URL;
const shots = new URL('../../target/e2e/', import.meta.url).pathname;
let browser;
let page;

before(async () => {
  assert.ok(base, 'STORYLINE_URL must name the server');
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // Nothing may be loaded from anywhere but the server.
  page.on('request', (r) => assert.ok(r.url().startsWith(base), `outside request: ${r.url()}`));
});

after(async () => { await browser?.close(); });

test('the story list leads to the seeds story page', async () => {
  await page.goto(base + '/');
  const stories = page.locator('li.story a');
  assert.equal(await stories.count(), 1);
  await stories.first().click();
  await page.waitForSelector('#story-title');
  assert.match(await page.title(), /Kim/);
});

test('the story page shows both events, the timeline in order, quotes and the ledger', async () => {
  const events = page.locator('article.event h3');
  assert.equal(await events.count(), 2, 'two events: the 2023 trip and the 2024 visit');

  const dates = await page.locator('ol.timeline li').evaluateAll((lis) => lis.map((li) => li.dataset.date));
  assert.ok(dates.length >= 3, `timeline entries: ${dates}`);
  assert.deepEqual(dates, [...dates].sort(), 'timeline in date order');
  assert.ok(dates.some((d) => d.startsWith('2023-09')), 'September 2023 is on the timeline');

  const speakers = await page.locator('#quotes .speaker h3').allTextContents();
  for (const who of ['Dmitri Peskow', 'John Kirby', 'Wladimir Putin']) {
    assert.ok(speakers.includes(who), `${who} among ${speakers}`);
  }
  const peskow = page.locator('#quotes .speaker', { hasText: 'Dmitri Peskow' }).locator('q');
  assert.ok(await peskow.count() >= 1, 'Peskow is quoted');

  const flagged = page.locator('#figures tr.disagree');
  const rows = await flagged.allTextContents();
  assert.ok(rows.some((r) => r.includes('4,8 Millionen Granaten')), rows.join(' | '));
  assert.ok(rows.some((r) => r.includes('fünf Millionen Schuss')), rows.join(' | '));
  assert.ok(await page.locator('#figures .flag').count() >= 1, 'the disagreement is flagged');
  await page.screenshot({ path: shots + 'story.png', fullPage: true });
});

test('a cited article opens with its entities, quotes and the cited sentence marked', async () => {
  await page.locator('#summary a.cite').first().click();
  await page.waitForSelector('#article-text');
  assert.ok(await page.locator('#article-text .entity').count() > 5);
  assert.ok(await page.locator('#article-text .quote').count() > 0);
  assert.ok(await page.locator('#article-text .cited').count() > 0, 'the cited sentence is marked');
  assert.ok(await page.locator('#decisions tbody tr').count() > 0, 'normalisation decisions are shown');
  await page.screenshot({ path: shots + 'article.png', fullPage: true });
});

test('search finds the shells by a word inside a compound, with facets', async () => {
  await page.fill('input[name=q]', 'Granaten');
  await page.click('header button');
  await page.waitForSelector('#hit-count');
  assert.match(await page.locator('#hit-count').textContent(), /^[1-9]\d* articles match/);
  assert.ok(await page.locator('.facets li').count() > 0);
  const marked = await page.locator('.snippet mark').allTextContents();
  assert.ok(marked.some((m) => m.startsWith('Granaten')), `snippets mark the word found: ${marked}`);
  await page.screenshot({ path: shots + 'search.png', fullPage: true });
});
