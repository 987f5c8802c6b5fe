import pino from 'pino';

import type { LogLevel } from '../config/loadConfig';

export type Logger = pino.Logger;

/**
 * The gateway's structured logger (pino, JSON lines on stdout). Secrets never
 * reach it by construction; the redaction list is a second line of defence
 * for anything that would carry one by mistake.
 */
export function createLogger(options: {
  level: LogLevel;
  destination?: pino.DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'onelogin-events-gateway' },
      redact: {
        paths: [
          'authorization',
          '*.authorization',
          'headers.authorization',
          '*.headers.authorization',
          'clientSecret',
          '*.clientSecret',
          'apiKey',
          '*.apiKey',
          'access_token',
          '*.access_token',
          'token',
          '*.token',
        ],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
}

/** A logger that writes nothing, for tests and the benchmark harness. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
