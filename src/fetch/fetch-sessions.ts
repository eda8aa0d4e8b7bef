/**
 * Incremental fetch sessions (KIP-227; Kafka's FetchSession.scala and FetchManager).
 *
 * A consumer of many partitions sends the same long list in every Fetch, and gets every partition
 * back even when nothing changed. With a session, the broker remembers the list instead:
 *
 * - A **full** request (`session_epoch` 0) names every partition and asks for a session: the
 *   response carries a new `session_id`, and every partition.
 * - An **incremental** request (`session_id`, epoch 1, 2, 3, ...) names only partitions whose fetch
 *   position changed (or that are new), and `forgotten_topics_data` for those to drop. The broker
 *   fetches from the whole remembered set but answers **only partitions with something new**:
 *   records, an error, or a changed high watermark / last stable offset / log start offset.
 * - Epoch -1 is a sessionless full fetch (and closes the named session, if any).
 *
 * Errors: 70 FETCH_SESSION_ID_NOT_FOUND for an unknown (or evicted) session; 71
 * INVALID_FETCH_SESSION_EPOCH when the epoch is not the next one (a lost or duplicated request);
 * 106 FETCH_SESSION_TOPIC_ID_ERROR when a session made with topic ids (Fetch v13+) is continued by
 * name or the other way round. The client then starts over with a full request.
 *
 * The cache holds `max.incremental.fetch.session.cache.slots` sessions (0: none are made). When it
 * is full, a new session may take the place of one unused for 2 minutes, or else of the smallest
 * session that is itself older than 2 minutes and smaller than the new one (Kafka's tryEvict): busy
 * consumers of many partitions keep their sessions; the newcomer goes without rather than evicting them.
 */
import { randomInt } from 'node:crypto';
import { ErrorCode } from '../../protocol/errors.js';
import type { RecordsValue } from '../../protocol/schema.js';
import type { Clock } from '../clock.js';

/** Kafka's fetch session eviction time (FetchManager: 120 s, not configurable). */
export const EVICTION_MS = 120_000;
const INITIAL_EPOCH = 0;
const FINAL_EPOCH = -1;

/** One partition of a request, as the Fetch schema has it (by name before v13, by id from v13). */
export interface RequestPartition {
  readonly partition: number;
  readonly currentLeaderEpoch: number;
  readonly fetchOffset: bigint;
  readonly lastFetchedEpoch: number;
  readonly logStartOffset: bigint;
  readonly partitionMaxBytes: number;
}

export interface RequestTopic<P extends RequestPartition = RequestPartition> {
  readonly topic: string;
  readonly topicId: string;
  readonly partitions: P[];
}

/** The fields of a response partition the session compares. */
export interface ResponsePartition {
  readonly partitionIndex: number;
  readonly errorCode: number;
  readonly highWatermark: bigint;
  readonly lastStableOffset: bigint;
  readonly logStartOffset: bigint;
  /** Record batches as the log returned them (one buffer, or chunks), or null. */
  readonly records: RecordsValue;
}

const hasRecords = (r: RecordsValue) => r !== null && (Buffer.isBuffer(r) ? r.length > 0 : r.some((b) => b.length > 0));

export interface ResponseTopic<P extends ResponsePartition> {
  readonly topic: string;
  readonly topicId: string;
  readonly partitions: P[];
}

export interface FetchSessionRequest<P extends RequestPartition> {
  readonly sessionId: number;
  readonly sessionEpoch: number;
  readonly topics: readonly RequestTopic<P>[];
  readonly forgottenTopicsData: readonly { readonly topic: string; readonly topicId: string; readonly partitions: readonly number[] }[];
}

/** What the fetch handler does with a request: fetch `topics`, then hand the result to `respond`. */
export interface FetchContext<P extends RequestPartition> {
  /** 0, or the top-level error to answer with (no partitions, session id 0). */
  readonly errorCode: number;
  /** The partitions to fetch: the request's (full) or the whole session's (incremental). */
  readonly topics: RequestTopic<P>[];
  /** The session id and the partitions to send back, given every fetched partition's result. */
  respond<R extends ResponsePartition>(responses: ResponseTopic<R>[]): { sessionId: number; responses: ResponseTopic<R>[] };
}

interface Cached<P extends RequestPartition> {
  topic: string;
  topicId: string;
  request: P;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
}

class FetchSession {
  /** The epoch the next incremental request must carry. */
  epoch = 1;
  lastUsedMs: number;
  /** Insertion order is fetch order; partitions that returned data move to the back (fairness). */
  readonly partitions = new Map<string, Cached<RequestPartition>>();
  constructor(readonly id: number, readonly usesTopicIds: boolean, readonly creationMs: number) {
    this.lastUsedMs = creationMs;
  }
}

/** A partition the client has not been told anything about yet. */
const uncached = (t: { topic: string; topicId: string }, request: RequestPartition): Cached<RequestPartition> =>
  ({ topic: t.topic, topicId: t.topicId, request, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n });

const keyOf = (usesTopicIds: boolean, topic: { topic: string; topicId: string }, partition: number) =>
  `${usesTopicIds ? topic.topicId : topic.topic}:${partition}`;

/** Groups a flat list of partitions back into topics, keeping their order. */
function byTopic<P extends RequestPartition>(parts: Iterable<Cached<P>>): RequestTopic<P>[] {
  const out: { topic: string; topicId: string; partitions: P[] }[] = [];
  for (const c of parts) {
    const last = out[out.length - 1];
    if (last && last.topic === c.topic && last.topicId === c.topicId) last.partitions.push(c.request);
    else out.push({ topic: c.topic, topicId: c.topicId, partitions: [c.request] });
  }
  return out;
}

export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>();

  constructor(
    private readonly slots: () => number,
    private readonly clock: Clock,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Resolves a Fetch against its session (usesTopicIds: Fetch v13+, topics named by id). */
  open<P extends RequestPartition>(req: FetchSessionRequest<P>, usesTopicIds: boolean): FetchContext<P> {
    const now = this.clock.now();
    if (req.sessionEpoch === INITIAL_EPOCH || req.sessionEpoch === FINAL_EPOCH) {
      if (req.sessionId !== 0) this.sessions.delete(req.sessionId);
      const topics = req.topics.map((t) => ({ ...t, partitions: [...t.partitions] }));
      return {
        errorCode: ErrorCode.NONE,
        topics,
        respond: (responses) => {
          const session = req.sessionEpoch === INITIAL_EPOCH ? this.create(topics, usesTopicIds, now) : undefined;
          if (session) {
            for (const t of responses) for (const p of t.partitions) this.changed(session.partitions.get(keyOf(usesTopicIds, t, p.partitionIndex)), p);
          }
          return { sessionId: session?.id ?? 0, responses };
        },
      };
    }
    const session = this.sessions.get(req.sessionId);
    const error = (errorCode: number): FetchContext<P> => ({ errorCode, topics: [], respond: () => ({ sessionId: 0, responses: [] }) });
    if (!session) return error(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    if (session.epoch !== req.sessionEpoch) return error(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    if (session.usesTopicIds !== usesTopicIds) {
      this.sessions.delete(session.id);
      return error(ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR);
    }
    // Apply the request: new and changed partitions, then the forgotten ones.
    for (const t of req.topics) {
      for (const p of t.partitions) {
        const key = keyOf(usesTopicIds, t, p.partition);
        const cached = session.partitions.get(key);
        if (cached) cached.request = p;
        else session.partitions.set(key, uncached(t, p));
      }
    }
    for (const t of req.forgottenTopicsData) for (const p of t.partitions) session.partitions.delete(keyOf(usesTopicIds, t, p));
    session.epoch = session.epoch === 0x7fffffff ? 1 : session.epoch + 1;
    session.lastUsedMs = now;
    return {
      errorCode: ErrorCode.NONE,
      topics: byTopic(session.partitions.values() as Iterable<Cached<P>>),
      respond: (responses) => {
        const out: typeof responses = [];
        for (const t of responses) {
          const partitions = t.partitions.filter((p) => {
            const key = keyOf(usesTopicIds, t, p.partitionIndex);
            const cached = session.partitions.get(key);
            const include = this.changed(cached, p);
            if (cached && hasRecords(p.records)) {
              session.partitions.delete(key);
              session.partitions.set(key, cached);
            }
            return include;
          });
          if (partitions.length > 0) out.push({ ...t, partitions });
        }
        return { sessionId: session.id, responses: out };
      },
    };
  }

  /**
   * Whether a partition has news for the client (Kafka's maybeUpdateResponseData), remembering what
   * it was told. An error is always news, and leaves the cache so the recovery is news too.
   */
  private changed(cached: Cached<RequestPartition> | undefined, p: ResponsePartition): boolean {
    if (!cached) return true;
    let news = hasRecords(p.records);
    if (p.errorCode !== ErrorCode.NONE) {
      cached.highWatermark = -1n;
      return true;
    }
    if (cached.highWatermark !== p.highWatermark) news = true;
    if (cached.lastStableOffset !== p.lastStableOffset) news = true;
    if (cached.logStartOffset !== p.logStartOffset) news = true;
    cached.highWatermark = p.highWatermark;
    cached.lastStableOffset = p.lastStableOffset;
    cached.logStartOffset = p.logStartOffset;
    return news;
  }

  /** A new session for a full request, if there is a slot for it (evicting as Kafka would). */
  private create<P extends RequestPartition>(topics: RequestTopic<P>[], usesTopicIds: boolean, now: number): FetchSession | undefined {
    const size = topics.reduce((n, t) => n + t.partitions.length, 0);
    if (this.sessions.size >= this.slots() && !this.tryEvict(size, now)) return undefined;
    let id: number;
    do id = randomInt(1, 0x7fffffff); while (this.sessions.has(id));
    const session = new FetchSession(id, usesTopicIds, now);
    for (const t of topics) {
      for (const p of t.partitions) {
        session.partitions.set(keyOf(usesTopicIds, t, p.partition), uncached(t, p));
      }
    }
    this.sessions.set(id, session);
    return session;
  }

  /**
   * Kafka's tryEvict for an unprivileged (consumer) session: the least recently used session if it
   * has been idle for EVICTION_MS; otherwise the smallest session older than EVICTION_MS, if it is
   * smaller than the new one (ties: the lower id goes).
   */
  private tryEvict(newSize: number, now: number): boolean {
    if (this.slots() <= 0) return false;
    let lru: FetchSession | undefined;
    for (const s of this.sessions.values()) if (!lru || s.lastUsedMs < lru.lastUsedMs) lru = s;
    if (lru && now - lru.lastUsedMs > EVICTION_MS) {
      this.sessions.delete(lru.id);
      return true;
    }
    let smallest: FetchSession | undefined;
    for (const s of this.sessions.values()) {
      if (now - s.creationMs <= EVICTION_MS) continue;
      if (!smallest || s.partitions.size < smallest.partitions.size || (s.partitions.size === smallest.partitions.size && s.id < smallest.id)) smallest = s;
    }
    if (!smallest || newSize <= smallest.partitions.size) return false;
    this.sessions.delete(smallest.id);
    return true;
  }
}
