import { parseTimestamp } from '../../internal/timestamp.js';
import { HEX_256, malformed, presetHeader } from '../headers.js';
import type { InboundPreset } from '../preset.js';

const HEADER = 'x-slack-signature';
const TIMESTAMP_HEADER = 'x-slack-request-timestamp';

/**
 * Slack: `X-Slack-Signature: v0=<hex>` over `v0:${X-Slack-Request-Timestamp}:${body}`,
 * HMAC-SHA256 keyed with the app's signing secret. Default tolerance 300 s (Slack's five minutes).
 */
export const slackPreset: InboundPreset = {
  provider: 'slack',
  algorithm: 'sha256',
  encoding: 'hex',
  signatureHeader: HEADER,
  toleranceSec: 300,
  signsUrl: false,
  parse({ headers, body }) {
    const rawTimestamp = presetHeader(headers, TIMESTAMP_HEADER);
    const value = presetHeader(headers, HEADER);
    const seconds = parseTimestamp(rawTimestamp, TIMESTAMP_HEADER);
    const signature = value.slice(3);
    if (!value.startsWith('v0=') || !HEX_256.test(signature)) {
      throw malformed(HEADER, 'expected v0= followed by 64 lowercase hex digits');
    }
    return { signatures: [signature], timestampMs: seconds * 1000, messages: [[`v0:${rawTimestamp}:`, body]] };
  },
};
