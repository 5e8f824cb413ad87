// The SNS envelope, read strictly without zod: @bulwark/email/ses and parseEmailWebhook stay
// under the 60 kB edge budget (test/sns-envelope.test.ts compares this reader with the zod
// schema it replaced, for arbitrary bodies).

/** The fields of an SNS message that are signed or used; other fields are ignored. @internal */
export interface SnsEnvelope {
  readonly Type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Message: string;
  readonly Timestamp: string;
  readonly SignatureVersion: '1' | '2';
  readonly Signature: string;
  readonly SigningCertURL: string;
  readonly Subject?: string | undefined;
  readonly SubscribeURL?: string | undefined;
  readonly Token?: string | undefined;
}

const TYPES: readonly unknown[] = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'];
const REQUIRED = ['MessageId', 'TopicArn', 'Message', 'Timestamp', 'Signature', 'SigningCertURL'] as const;
const OPTIONAL = ['Subject', 'SubscribeURL', 'Token'] as const;

/**
 * The envelope when `json` is an object with every required field a string (`Type` and
 * `SignatureVersion` one of their values, `Subject`/`SubscribeURL`/`Token` strings when
 * present); otherwise the name of the first field that is not. @internal
 */
export function readSnsEnvelope(json: unknown): { envelope: SnsEnvelope } | { invalid: string } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { invalid: '(body)' };
  const bag = json as Record<string, unknown>;
  if (!TYPES.includes(bag.Type)) return { invalid: 'Type' };
  const out: Record<string, unknown> = { Type: bag.Type };
  for (const key of REQUIRED) {
    if (typeof bag[key] !== 'string') return { invalid: key };
    out[key] = bag[key];
  }
  if (bag.SignatureVersion !== '1' && bag.SignatureVersion !== '2') return { invalid: 'SignatureVersion' };
  out.SignatureVersion = bag.SignatureVersion;
  for (const key of OPTIONAL) {
    if (bag[key] === undefined) continue;
    if (typeof bag[key] !== 'string') return { invalid: key };
    out[key] = bag[key];
  }
  return { envelope: out as unknown as SnsEnvelope };
}
