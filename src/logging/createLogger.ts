import pino from 'pino';
import pretty from 'pino-pretty';

import type { LogLevel } from '../config/loadConfig';

export type Logger = pino.Logger;

/**
 * The gateway's structured logger (pino, JSON lines on stdout). Secrets never
 * reach it by construction; the redaction list is a second line of defence
 * for anything that would carry one by mistake.
 */
export function createLogger(options: {
  level: LogLevel;
  /** Default `json`; `auto` is `pretty` when stdout is a terminal (see Config.logFormat). */
  format?: 'json' | 'pretty' | 'auto';
  destination?: pino.DestinationStream;
}): Logger {
  const format =
    options.format === 'auto' ? (process.stdout.isTTY ? 'pretty' : 'json') : options.format;
  const destination =
    options.destination ??
    // In-process and synchronous: a line is on the terminal before the next one is made.
    (format === 'pretty'
      ? pretty({ colorize: true, sync: true, ignore: 'pid,hostname,service' })
      : undefined);
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
    destination,
  );
}

/** A logger that writes nothing, for tests and the benchmark harness. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
