import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

/** Reconnect attempts back off to this; a Redis outage pauses the batch and it resumes when Redis returns. */
const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * A Redis connection for BullMQ: commands wait for a reconnect instead of failing (`maxRetriesPerRequest: null`,
 * which BullMQ workers require). Loss and return are logged once each, with the address but never the URL.
 */
export function openRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(times * 200, MAX_RECONNECT_DELAY_MS) });
  const address = redisAddress(url);
  let lost = false;
  redis.on('error', (error: Error) => {
    if (lost) return;
    lost = true;
    logger.warn('queue connection lost; retrying', { redis: address, error: error.message });
  });
  redis.on('ready', () => {
    if (!lost) return;
    lost = false;
    logger.info('queue connection restored', { redis: address });
  });
  return redis;
}

/** host:port of a Redis URL, without user or password: what logs may show. */
export function redisAddress(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '6379'}`;
}
