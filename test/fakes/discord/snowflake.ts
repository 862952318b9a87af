/**
 * Discord-style snowflake ids for the fake Discord server.
 *
 * Real snowflakes are 64-bit: milliseconds since the Discord epoch (2015-01-01) in the top 42 bits,
 * then worker (5), process (5) and an increment (12). Ids minted today are 18–19 digits long, which
 * matters because @discordjs/rest buckets routes by matching `\d{17,19}`.
 */

const DISCORD_EPOCH = 1_420_070_400_000n;
let increment = 0n;

/** A fresh, process-unique snowflake for `timestampMs` (defaults to now). */
export function snowflake(timestampMs: number = Date.now()): string {
  increment = (increment + 1n) & 0xfffn;
  const worker = 1n;
  const proc = BigInt(process.pid & 0x1f);
  return (((BigInt(timestampMs) - DISCORD_EPOCH) << 22n) | (worker << 17n) | (proc << 12n) | increment).toString();
}

/** Milliseconds since the Unix epoch encoded in a snowflake. */
export function snowflakeTimestamp(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

/** True for strings that look like ids Discord would hand out (17–20 digits). */
export function isSnowflake(value: unknown): value is string {
  return typeof value === 'string' && /^\d{17,20}$/.test(value);
}

/** Discord's shard for a guild: (guild_id >> 22) % shardCount (the timestamp part, modulo the count). */
export function shardOf(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** A fresh snowflake whose guild would live on `shard` of `shardCount` (its timestamp moved back at most shardCount - 1 ms). */
export function snowflakeOnShard(shard: number, shardCount: number, timestampMs: number = Date.now()): string {
  const offset = Number((BigInt(timestampMs) - DISCORD_EPOCH - BigInt(shard)) % BigInt(shardCount));
  return snowflake(timestampMs - offset);
}
