import { type Logger, pino } from 'pino';

/** Paths redacted from every log line (secrets and credentials). */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.secret',
  '*.token',
  '*.apiKey',
  '*.password',
  'secret',
  'token',
];

/** The server's structured logger: JSON lines with redaction. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'bulwark-reference-server' },
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination as pino.DestinationStream | undefined,
  );
}
