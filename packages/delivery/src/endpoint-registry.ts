import type { Clock } from '@bulwark/core';
import { generateSecret } from '@bulwark/webhooks';
import { CachedRead } from './cached-read.js';
import {
  type EndpointInput,
  type EndpointUpdate,
  endpointInputSchema,
  endpointUpdateSchema,
  parseInput,
  randomId,
} from './endpoint.js';
import { DeliveryError } from './errors/delivery-error.js';
import type { DeliveryMetrics } from './metrics.js';
import type { DeliveryStore, DisabledReason, EndpointRecord } from './store.js';

/** An endpoint with its secrets left out (what listing and reading return). */
export type EndpointView = Omit<EndpointRecord, 'secrets'> & { readonly secretCount: number };

/** The result of creating an endpoint or rotating its secret: the secret is shown this once. */
export interface EndpointWithSecret {
  readonly endpoint: EndpointView;
  readonly secret: string;
}

/** Endpoint management (`dispatcher.endpoints`). */
export interface EndpointsApi {
  /** Validates (zod) and stores a new endpoint; returns its signing secret once. */
  create(input: EndpointInput): Promise<EndpointWithSecret>;
  update(id: string, changes: EndpointUpdate): Promise<EndpointView>;
  get(id: string): Promise<EndpointView>;
  list(): Promise<EndpointView[]>;
  delete(id: string): Promise<void>;
  enable(id: string): Promise<EndpointView>;
  disable(id: string): Promise<EndpointView>;
  /** A new secret (returned once); the previous one keeps signing alongside for `overlapMs`. */
  rotateSecret(id: string, options?: { overlapMs?: number | undefined }): Promise<EndpointWithSecret>;
}

/** Strips secrets from a record. */
export function toView(record: EndpointRecord): EndpointView {
  const { secrets, ...rest } = record;
  return { ...rest, secretCount: secrets.length };
}

/** Endpoint CRUD plus the cached reads the worker and `publish` use. */
export class EndpointRegistry implements EndpointsApi {
  readonly #store: DeliveryStore;
  readonly #clock: Clock;
  readonly #metrics: DeliveryMetrics;
  readonly #ttl: number;
  readonly #overlapMs: number;
  readonly #byId = new Map<string, CachedRead<EndpointRecord | undefined>>();
  readonly #all = new CachedRead<EndpointRecord[]>();

  constructor(store: DeliveryStore, clock: Clock, metrics: DeliveryMetrics, ttlMs: number, overlapMs: number) {
    this.#store = store;
    this.#clock = clock;
    this.#metrics = metrics;
    this.#ttl = ttlMs;
    this.#overlapMs = overlapMs;
  }

  /** The endpoint as last seen within the cache TTL. */
  async cached(id: string): Promise<EndpointRecord | undefined> {
    return this.#entry(id).read(this.#clock.now(), this.#ttl, () => this.#store.getEndpoint(id));
  }

  /** Every endpoint, cached for the TTL. */
  async all(): Promise<EndpointRecord[]> {
    return this.#all.read(this.#clock.now(), this.#ttl, () => this.#store.listEndpoints());
  }

  #entry(id: string): CachedRead<EndpointRecord | undefined> {
    let entry = this.#byId.get(id);
    if (!entry) {
      entry = new CachedRead();
      this.#byId.set(id, entry);
    }
    return entry;
  }

  async #require(id: string): Promise<EndpointRecord> {
    const record = await this.#store.getEndpoint(id);
    if (!record) throw new DeliveryError('delivery_endpoint_not_found', { detail: `No endpoint ${id}` });
    return record;
  }

  /** Persists a record, refreshes the caches and reports the endpoint state gauge. */
  async save(record: EndpointRecord): Promise<EndpointRecord> {
    await this.#store.saveEndpoint(record);
    this.#entry(record.id).set(record, this.#clock.now());
    this.#all.drop();
    this.#metrics.gauge('webhook.endpoint.state', record.enabled ? 1 : 0, { endpoint: record.id });
    return record;
  }

  async create(input: EndpointInput): Promise<EndpointWithSecret> {
    const parsed = parseInput(endpointInputSchema, input, 'delivery_invalid_endpoint');
    const id = parsed.id ?? randomId('ep');
    if (await this.#store.getEndpoint(id)) {
      throw new DeliveryError('delivery_invalid_endpoint', { detail: `Endpoint ${id} already exists` });
    }
    const now = this.#clock.now();
    const secret = parsed.secret ?? generateSecret();
    const enabled = parsed.enabled ?? true;
    const record = await this.save({
      id,
      url: parsed.url,
      eventTypes: parsed.eventTypes ?? null,
      enabled,
      disabledReason: enabled ? null : 'manual',
      rateLimit: parsed.rateLimit ?? null,
      timeoutMs: parsed.timeoutMs ?? 15_000,
      secrets: [{ secret, expiresAt: null }],
      failingSince: null,
      createdAt: now,
      updatedAt: now,
    });
    return { endpoint: toView(record), secret };
  }

  async update(id: string, changes: EndpointUpdate): Promise<EndpointView> {
    const parsed = parseInput(endpointUpdateSchema, changes, 'delivery_invalid_endpoint');
    const current = await this.#require(id);
    const defined = Object.fromEntries(
      Object.entries(parsed).filter(([, v]) => v !== undefined),
    ) as Partial<EndpointRecord>;
    const enabledChange: Partial<EndpointRecord> =
      parsed.enabled === undefined
        ? {}
        : parsed.enabled
          ? { disabledReason: null, failingSince: null }
          : { disabledReason: 'manual' };
    const merged: EndpointRecord = { ...current, ...defined, ...enabledChange, updatedAt: this.#clock.now() };
    return toView(await this.save(merged));
  }

  async get(id: string): Promise<EndpointView> {
    return toView(await this.#require(id));
  }

  async list(): Promise<EndpointView[]> {
    return (await this.#store.listEndpoints()).map(toView);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.#store.deleteEndpoint(id))) {
      throw new DeliveryError('delivery_endpoint_not_found', { detail: `No endpoint ${id}` });
    }
    this.#byId.delete(id);
    this.#all.drop();
  }

  enable(id: string): Promise<EndpointView> {
    return this.update(id, { enabled: true });
  }

  disable(id: string): Promise<EndpointView> {
    return this.update(id, { enabled: false });
  }

  /** Disables an endpoint on the dispatcher's own initiative (410 Gone, failing too long). */
  async autoDisable(record: EndpointRecord, reason: Exclude<DisabledReason, 'manual'>): Promise<void> {
    const current = (await this.#store.getEndpoint(record.id)) ?? record;
    await this.save({ ...current, enabled: false, disabledReason: reason, updatedAt: this.#clock.now() });
  }

  /** Records the start (or end, with `null`) of a failing streak. */
  async markFailing(record: EndpointRecord, failingSince: number | null): Promise<void> {
    const current = await this.#store.getEndpoint(record.id);
    if (current) await this.save({ ...current, failingSince });
  }

  async rotateSecret(id: string, options: { overlapMs?: number | undefined } = {}): Promise<EndpointWithSecret> {
    const current = await this.#require(id);
    const now = this.#clock.now();
    const overlap = options.overlapMs ?? this.#overlapMs;
    const secret = generateSecret();
    const kept = current.secrets
      .filter((s) => s.expiresAt === null || s.expiresAt > now)
      .map((s) => ({ secret: s.secret, expiresAt: Math.min(s.expiresAt ?? Number.POSITIVE_INFINITY, now + overlap) }));
    const record = await this.save({ ...current, secrets: [{ secret, expiresAt: null }, ...kept], updatedAt: now });
    return { endpoint: toView(record), secret };
  }
}
