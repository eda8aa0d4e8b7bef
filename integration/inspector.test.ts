/**
 * The inspector in a real browser: Debian's Chromium, driven by playwright-core, against a Tafka
 * process with traffic capture on. A KafkaJS producer runs and the traffic page shows its Produce
 * request with the topic (and lights the topic name's bytes), the partition page's log end offset
 * advances as more is produced, and the group page shows the consumer as a member of a Stable group.
 * Screenshots go to integration/artifacts/ (not committed) for a person to look at.
 *
 * Without /usr/bin/chromium (`apt-get install chromium`) the file skips, saying so in one line.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consumer } from 'kafkajs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, kafkajs, resolveTarget, ROOT, startTafka, type BrokerHandle } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
/** As the machine's notes prescribe: without the background-networking flags Chromium keeps dialling out. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = join(ROOT, 'integration', 'artifacts');
const TOPIC = 'inspector-demo';
const GROUP = 'inspector-group';

const target = await resolveTarget();
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`inspector browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

describe.skipIf(!hasChromium || target.kind !== 'tafka')('the inspector in Chromium', () => {
  let broker: BrokerHandle;
  let browser: Browser;
  let page: Page;
  let profile: string;
  let inspector: string;
  let consumer: Consumer | undefined;
  const kafka = () => kafkajs(broker, { clientId: 'inspector-test' });
  const produce = async (values: string[]) => {
    const producer = kafka().producer();
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: values.map((value, i) => ({ key: `key-${i}`, value })) });
    await producer.disconnect();
  };
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `inspector-${name}.png`), fullPage: true });

  beforeAll(async () => {
    const adminPort = await freePort();
    inspector = `http://127.0.0.1:${adminPort}/inspector/`;
    broker = await startTafka({ overrides: { 'tafka.admin.listener': `127.0.0.1:${adminPort}`, 'tafka.inspector.traffic.enable': 'true' } });
    mkdirSync(ARTIFACTS, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'tafka-chromium-'));
    // A persistent context on a fresh directory is a fresh profile that we also remove afterwards.
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: FLAGS, viewport: { width: 1400, height: 1000 } });
    browser = context.browser()!;
    page = context.pages()[0] ?? (await context.newPage());
    afterAllClose.push(() => context.close());
  }, 90_000);

  const afterAllClose: (() => Promise<void>)[] = [];
  afterAll(async () => {
    await consumer?.disconnect();
    for (const close of afterAllClose) await close();
    await browser?.close();
    await broker?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('shows a KafkaJS Produce request live, with its topic, and lights the topic name\'s bytes', async () => {
    await page.goto(`${inspector}#/traffic`);
    await page.waitForSelector('#traffic-rows', { state: 'attached' });
    await produce(['hello', 'inspector']);
    const row = page.locator('#traffic-rows tr[data-api="Produce"]', { hasText: TOPIC }).first();
    await row.waitFor();
    await row.click();
    const name = page.locator('#traffic-detail .panel').first().locator('.field[data-field="name"]').first();
    await expect.poll(() => name.textContent(), { timeout: 10_000 }).toContain(`"${TOPIC}"`);
    await name.click();
    // The lit bytes are the topic name as the request carries it: KafkaJS sends Produce v7, whose
    // strings are an int16 length and the characters (flexible versions use a varint length + 1).
    const lit = Buffer.from((await page.locator('#traffic-detail .panel').first().locator('.hex b.on').allTextContents()).join(''), 'hex');
    expect(await page.locator('#traffic-detail h2').textContent()).toContain('Produce v7');
    expect([lit.readInt16BE(0), lit.toString('utf8', 2)]).toEqual([TOPIC.length, TOPIC]);
    await shot('traffic');
  });

  it('shows the partition log, whose log end offset advances as more is produced', async () => {
    await page.goto(`${inspector}#/topics/${TOPIC}/0`);
    const leo = page.locator('[data-card="log end offset"]');
    await expect.poll(() => leo.textContent(), { timeout: 10_000 }).toBe('2');
    await produce(['three', 'four', 'five']);
    await expect.poll(() => leo.textContent(), { timeout: 10_000 }).toBe('5');
    await page.click('#decode');
    await page.locator('#batch .tree').waitFor();
    expect(await page.locator('#batch pre').textContent()).toMatch(/^baseOffset: 0 lastOffset: 1 count: 2 /);
    await page.locator('#batch .field[data-field="recordsCount"]').click();
    await shot('partition');
  });

  it('shows the consumer as the member of a Stable group, with its assignment', async () => {
    consumer = kafka().consumer({ groupId: GROUP });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    let seen = 0;
    const allSeen = new Promise<void>((resolve) => {
      void consumer!.run({
        eachMessage: async () => {
          if (++seen === 5) resolve();
        },
      });
    });
    await allSeen;
    await page.goto(`${inspector}#/groups/${GROUP}`);
    await page.locator('svg.states g.lit[data-state="Stable"]').waitFor({ timeout: 20_000 });
    const member = page.locator('tr.member');
    await expect.poll(() => member.count(), { timeout: 10_000 }).toBe(1);
    expect(await member.textContent()).toContain('inspector-test');
    expect(await member.textContent()).toContain(`${TOPIC} [0]`);
    await shot('group');
  });
});
