// The process's logger: pino, JSON lines on stdout (LOG_FORMAT=json, the default, for log collectors) or
// coloured one-line entries for a person at a terminal (LOG_FORMAT=pretty). Errors are logged with their cause.
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from '../config.js';

export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>): Logger {
  const options = { level: config.logLevel, serializers: { err: pino.stdSerializers.errWithCause } };
  if (config.logFormat === 'pretty') {
    return pino(options, pretty({ colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true, sync: true }));
  }
  return pino(options);
}
