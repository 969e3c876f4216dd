/**
 * The live feed's fan-out: a snapshot first, one serialized update per flush
 * for every page, a slow page skipping updates and catching up with a fresh
 * snapshot, and no watching at all while no page is open.
 */
import { describe, expect, test } from '@jest/globals';
import { JourneyRecorder } from '../src/journey-recorder.js';
import { LiveFeed, type FeedMessage } from '../src/live-feed.js';
import type { JourneyUpdate } from '../src/shared/journey-types.js';
import { runToEnd, tinyScheduler, tokens } from './support/fake-loop.js';

function setup() {
  const recorder = new JourneyRecorder();
  const scheduler = tinyScheduler({ numBlocks: 64 });
  scheduler.use(recorder.schedulerPlugin);
  // A long interval: the tests flush by hand.
  const feed = new LiveFeed(recorder, 60_000);
  const run = (id: string) => {
    scheduler.addRequest({
      requestId: id,
      promptTokenIds: tokens(4),
      sampling: { maxTokens: 2, ignoreEos: true },
    });
    runToEnd(scheduler);
  };
  return { recorder, feed, run };
}

/** A client that records what it gets and finishes each write when told. */
function client(autoResolve = true) {
  const got: FeedMessage[] = [];
  const waiting: (() => void)[] = [];
  const send = (message: FeedMessage) => {
    got.push(message);
    return autoResolve ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve));
  };
  return { got, send, finishWrite: () => waiting.shift()?.() };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const ids = (m: FeedMessage) => (JSON.parse(m.data) as JourneyUpdate).journeys.map((j) => j.id);

describe('LiveFeed', () => {
  test('nothing is watched until a page subscribes, and after the last one leaves', () => {
    const { recorder, feed, run } = setup();
    run('a');
    expect(recorder.watched).toBe(false);
    const page = client();
    const leave = feed.subscribe(page.send, () => {});
    expect(recorder.watched).toBe(true);
    expect(page.got.map((m) => m.event)).toEqual(['snapshot']);
    leave();
    expect(recorder.watched).toBe(false);
    run('b');
    feed.flush();
    expect(page.got).toHaveLength(1);
  });

  test('each flush sends what changed once, the same message to every page', async () => {
    const { feed, run } = setup();
    const pages = [client(), client()];
    for (const page of pages) feed.subscribe(page.send, () => {});
    await settle(); // the snapshots are written
    feed.flush();
    expect(pages[0]!.got).toHaveLength(1); // nothing changed yet: nothing sent
    run('a');
    run('b');
    feed.flush();
    await settle();
    for (const page of pages) {
      expect(page.got.map((m) => m.event)).toEqual(['snapshot', 'update']);
      expect(ids(page.got[1]!)).toEqual(['a', 'b']);
    }
    expect(pages[0]!.got[1]).toBe(pages[1]!.got[1]);
  });

  test('a page still writing skips updates, then gets a fresh snapshot', async () => {
    const { feed, run } = setup();
    const slow = client(false);
    feed.subscribe(slow.send, () => {});
    run('a');
    feed.flush(); // the snapshot is still being written: skipped
    run('b');
    feed.flush();
    expect(slow.got.map((m) => m.event)).toEqual(['snapshot']);
    slow.finishWrite();
    await settle();
    expect(slow.got.map((m) => m.event)).toEqual(['snapshot', 'snapshot']);
    const latest = JSON.parse(slow.got[1]!.data) as { journeys: { id: string }[] };
    expect(latest.journeys.map((j) => j.id)).toEqual(['a', 'b']);
  });

  test('journeys evicted before a flush are not sent', async () => {
    const recorder = new JourneyRecorder({ maxRequests: 2 });
    const scheduler = tinyScheduler({ numBlocks: 64 });
    scheduler.use(recorder.schedulerPlugin);
    const feed = new LiveFeed(recorder, 60_000);
    const page = client();
    feed.subscribe(page.send, () => {});
    await settle();
    for (const id of ['a', 'b', 'c', 'd']) {
      scheduler.addRequest({
        requestId: id,
        promptTokenIds: tokens(4),
        sampling: { maxTokens: 2, ignoreEos: true },
      });
    }
    runToEnd(scheduler);
    feed.flush();
    expect(ids(page.got[1]!)).toEqual(['c', 'd']);
  });

  test('a page whose write fails is dropped', async () => {
    const { recorder, feed } = setup();
    feed.subscribe(
      () => Promise.reject(new Error('socket closed')),
      () => {},
    );
    await settle();
    expect(feed.clients).toBe(0);
    expect(recorder.watched).toBe(false);
  });

  test('close ends every page, and later ones at once', () => {
    const { recorder, feed } = setup();
    let ended = 0;
    feed.subscribe(client().send, () => ended++);
    feed.subscribe(client().send, () => ended++);
    feed.close();
    expect([ended, feed.clients, recorder.watched]).toEqual([2, 0, false]);
    feed.subscribe(client().send, () => ended++);
    expect([ended, feed.clients]).toEqual([3, 0]);
  });
});
