/** Lifecycle of one delivery (one message to one endpoint). */
export type DeliveryStatus = 'pending' | 'inflight' | 'succeeded' | 'dead';

/** A signing secret of an endpoint; `expiresAt` is set on the old secret during a rotation overlap. */
export interface StoredSecret {
  /** The secret in Standard Webhooks form (`whsec_<base64>`). */
  readonly secret: string;
  /** Epoch ms after which this secret no longer signs; `null` = current secret. */
  readonly expiresAt: number | null;
}

/** Why an endpoint was disabled. */
export type DisabledReason = 'manual' | 'gone' | 'failing';

/** An endpoint as persisted by a {@link DeliveryStore}. */
export interface EndpointRecord {
  readonly id: string;
  readonly url: string;
  /** Event types delivered to this endpoint; `null` = all types. */
  readonly eventTypes: readonly string[] | null;
  readonly enabled: boolean;
  readonly disabledReason: DisabledReason | null;
  /** At most `limit` deliveries per `intervalMs`; `null` = unlimited. */
  readonly rateLimit: { readonly limit: number; readonly intervalMs: number } | null;
  readonly timeoutMs: number;
  readonly secrets: readonly StoredSecret[];
  /** Epoch ms of the first failed attempt since the last success; `null` when healthy. */
  readonly failingSince: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A delivery to persist in the outbox. */
export interface NewDelivery {
  /** `<messageId>:<endpointId>`: publishing the same message id twice does not duplicate it. */
  readonly id: string;
  /** The stable message id, sent as `webhook-id` so receivers can de-duplicate. */
  readonly messageId: string;
  readonly endpointId: string;
  readonly eventType: string;
  /** The JSON body exactly as it will be signed and sent. */
  readonly payload: string;
  readonly createdAt: number;
  /** Epoch ms when the delivery becomes due. */
  readonly nextAt: number;
}

/** A persisted delivery. */
export interface DeliveryRecord extends NewDelivery {
  readonly status: DeliveryStatus;
  /** Attempts made since the delivery was (re)queued. */
  readonly attempts: number;
  /** The last error code or `http_<status>`, if any. */
  readonly lastError: string | null;
  readonly updatedAt: number;
}

/** A delivery claimed by a worker; `leaseToken` fences its completion. */
export interface ClaimedDelivery extends DeliveryRecord {
  readonly leaseToken: string;
  /** Epoch ms when the lease expires and another worker may re-claim it. */
  readonly leaseUntil: number;
}

/** One recorded delivery attempt. */
export interface AttemptRecord {
  readonly deliveryId: string;
  /** 1-based, across the whole life of the delivery (redeliveries continue the count). */
  readonly n: number;
  readonly at: number;
  /** HTTP status, or `null` when no response arrived. */
  readonly statusCode: number | null;
  readonly latencyMs: number;
  /** Response body, truncated to `maxResponseBytes`. */
  readonly response: string | null;
  /** Error code of a failed attempt (`delivery_timeout`, `delivery_http_error`, …); `null` on success. */
  readonly errorCode: string | null;
  /**
   * `true` when the attempt went through a simulated transport (`WEBHOOK_REAL` off): nothing
   * left the process and the receiver never saw it. Absent on attempts recorded before the flag existed.
   */
  readonly simulated?: boolean | undefined;
}

/** How a claimed delivery ends (or is handed back). */
export interface Completion {
  /** `pending` = retry at `nextAt`; `succeeded`/`dead` are final until a requeue. */
  readonly status: 'pending' | 'succeeded' | 'dead';
  readonly nextAt: number;
  /** The attempt made, if any (a lease released at shutdown or by a breaker has none). */
  readonly attempt: AttemptRecord | null;
  readonly lastError: string | null;
  readonly now: number;
}

/** Which deliveries a requeue affects; every given field must match. */
export interface DeliverySelector {
  readonly ids?: readonly string[] | undefined;
  readonly messageId?: string | undefined;
  readonly endpointId?: string | undefined;
  /** Only deliveries in these states (a lease in flight is never touched). */
  readonly statuses: readonly Exclude<DeliveryStatus, 'inflight'>[];
}

/** Filter and page for {@link DeliveryStore.listDeliveries}. */
export interface ListDeliveriesOptions {
  readonly status?: DeliveryStatus | undefined;
  readonly endpointId?: string | undefined;
  readonly messageId?: string | undefined;
  /** Default 100. */
  readonly limit?: number | undefined;
  /** Return deliveries whose id sorts after this one (from the previous page). */
  readonly after?: string | undefined;
}

/** Counts of deliveries by status. */
export interface DeliveryCounts {
  readonly pending: number;
  readonly inflight: number;
  readonly succeeded: number;
  readonly dead: number;
}

/** Dead-letter queue statistics. */
export interface DlqStats {
  readonly size: number;
  readonly byEndpoint: Readonly<Record<string, number>>;
  /** `updatedAt` of the oldest dead delivery, or `null` when the DLQ is empty. */
  readonly oldestAt: number | null;
}

/** A lease taken at enqueue time (see {@link DeliveryStore.enqueue}). */
export interface EnqueueLease {
  readonly token: string;
  /** When the lease expires and the delivery becomes claimable again. */
  readonly until: number;
  /** Ids of the deliveries to store leased; the others are stored pending. */
  readonly ids: ReadonlySet<string>;
  /** Written as `updated_at` of the leased deliveries. */
  readonly now: number;
}

/** Options of {@link DeliveryStore.claim}. */
export interface ClaimOptions {
  readonly now: number;
  readonly leaseMs: number;
  readonly limit: number;
  /** Skip deliveries of these endpoints (their per-endpoint slots are full in this worker). */
  readonly excludeEndpoints?: readonly string[] | undefined;
  /** Take at most this many deliveries of any one endpoint. @defaultValue `limit` */
  readonly maxPerEndpoint?: number | undefined;
  /**
   * Lower caps for some endpoints: what the claimer may still take of each (its share minus
   * what it already holds of that endpoint). Applies on top of `maxPerEndpoint`; `0` (or less)
   * skips the endpoint like `excludeEndpoints`.
   */
  readonly endpointCaps?: ReadonlyMap<string, number> | undefined;
}

/** A lease held by a worker, to extend with {@link DeliveryStore.renew}. */
export interface HeldLease {
  readonly id: string;
  readonly leaseToken: string;
}

/** Options of {@link DeliveryStore.prune}. */
export interface PruneOptions {
  /** Only deliveries whose `updatedAt` is strictly before this epoch ms are deleted. */
  readonly before: number;
  /** At most this many deliveries are deleted by one call (one atomic batch). */
  readonly limit: number;
}

/**
 * Durable storage for endpoints, the delivery outbox, leases, attempt history and the DLQ.
 * Stores never read the clock: every time is passed in, so one conformance suite drives
 * them all with a fake clock. `@bulwark/delivery/sqlite` and `@bulwark/delivery/redis`
 * implement it.
 */
export interface DeliveryStore {
  /** Short name for logs and metrics (`sqlite`, `redis`). */
  readonly kind: string;
  saveEndpoint(endpoint: EndpointRecord): Promise<void>;
  getEndpoint(id: string): Promise<EndpointRecord | undefined>;
  listEndpoints(): Promise<EndpointRecord[]>;
  deleteEndpoint(id: string): Promise<boolean>;
  /**
   * Persists deliveries atomically; ids already present are ignored (idempotent publish).
   * Deliveries named in `lease` are stored already claimed by its holder (`inflight`, due again
   * at `lease.until`), so a worker in the publishing process can start them without a claim.
   * Resolves with the ids actually inserted.
   */
  enqueue(deliveries: readonly NewDelivery[], lease?: EnqueueLease): Promise<readonly string[]>;
  /**
   * Leases up to `limit` due deliveries: `pending` ones with `nextAt <= now`, and `inflight`
   * ones whose lease expired (their worker died). Two concurrent claims never return the same
   * delivery with a live lease. Endpoints are taken in the order of their oldest due delivery,
   * each contributing its oldest (at most `maxPerEndpoint`, and at most its `endpointCaps`
   * entry). The cost of a claim depends on what it claims and on the endpoints it skips
   * (`excludeEndpoints`, caps of 0), never on how many deliveries are queued.
   */
  claim(options: ClaimOptions): Promise<ClaimedDelivery[]>;
  /**
   * Extends the leases still held (same token, still `inflight`) until `until`; resolves with
   * the ids renewed. A lease missing from the answer was lost: its delivery was re-claimed (or
   * handed back), and the holder must not act on it any more.
   */
  renew(leases: readonly HeldLease[], until: number): Promise<readonly string[]>;
  /** Ends or hands back a lease; `false` when the lease was lost (expired and re-claimed). */
  complete(id: string, leaseToken: string, completion: Completion): Promise<boolean>;
  getDelivery(id: string): Promise<DeliveryRecord | undefined>;
  listDeliveries(options?: ListDeliveriesOptions): Promise<DeliveryRecord[]>;
  /** Every attempt of a delivery, oldest first. */
  listAttempts(deliveryId: string): Promise<AttemptRecord[]>;
  /** Makes matching deliveries `pending` and due at `now` with their attempt budget reset; returns how many. */
  requeue(selector: DeliverySelector, now: number): Promise<number>;
  /**
   * Deletes up to `limit` `succeeded` deliveries with `updatedAt < before`, oldest first,
   * together with their attempts and every index entry, atomically; returns how many. Dead
   * (DLQ), pending and inflight deliveries are never pruned.
   */
  prune(options: PruneOptions): Promise<number>;
  counts(): Promise<DeliveryCounts>;
  dlqStats(): Promise<DlqStats>;
  close(): Promise<void>;
}
