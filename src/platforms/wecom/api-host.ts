/**
 * The one rule for URLs that WeCom hands us or an admin pastes (a bot's
 * response_url, a group robot's webhook URL): they must point at the
 * configured WeCom API (WECOM_API_URL), so that neither a forged callback nor
 * a pasted link can send our posts, or their one-time codes and keys,
 * anywhere else.
 */

/**
 * `raw` parsed, when it is an absolute URL on the configured API: the same
 * scheme (https in production, a loopback http fake in tests) and host:port,
 * with no user name or password. Undefined otherwise.
 */
export function onWecomApi(raw: string, apiUrl: string): URL | undefined {
  let url: URL;
  let api: URL;
  try {
    url = new URL(raw);
    api = new URL(apiUrl);
  } catch {
    return undefined;
  }
  return url.protocol === api.protocol && url.host === api.host && url.username === '' && url.password === '' ? url : undefined;
}

/** The host of `raw` for a log line (never the whole URL: its query carries codes and keys). */
export function hostOf(raw: string): string | undefined {
  try {
    return new URL(raw).host || undefined;
  } catch {
    return undefined;
  }
}
