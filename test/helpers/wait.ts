/** Polls until `fn` returns a truthy value or the time is up; returns the value. */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until the next multiple of `periodMs` is `beforeMs` away; returns that tick's time. */
export async function untilBefore(periodMs: number, beforeMs: number): Promise<number> {
  let tick = Math.ceil(Date.now() / periodMs) * periodMs;
  if (tick - Date.now() < beforeMs + 300) tick += periodMs;
  await sleep(tick - beforeMs - Date.now());
  return tick;
}
