// The webhook service's user endpoints (`/api/v1/social-media/...`), called with the user's JWT.

export class ApiError extends Error {
  constructor(status, payload) {
    super(payload.message || payload.error || `Request failed (${status})`);
    this.status = status;
    this.payload = payload;
  }
}

// What a person reads when a request never got an answer (the browser only says "Failed to fetch").
export const UNREACHABLE = 'The service did not answer. Check your connection and try again in a moment.';

export function createApi(webhookUrl, accessToken) {
  async function call(method, path, body, credentials = 'omit') {
    const headers = { Authorization: `Bearer ${accessToken()}` };
    if (body) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(`${webhookUrl}/api/v1/social-media${path}`, {
        method,
        headers,
        body: body && JSON.stringify(body),
        credentials,
      });
    } catch {
      throw new ApiError(0, { error: 'service_unreachable', message: UNREACHABLE });
    }
    const payload = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(response.status, payload);
    return payload;
  }

  return {
    // -> {url}: Facebook's Login dialog (or, with login 'instagram_login', Instagram's), which
    // returns to the service and then to this page. The answer also sets the cookie that ties the
    // login to this browser, hence the credentials.
    oauthStart: (platform, login = 'facebook_login') => call('GET', `/oauth/start?${new URLSearchParams({ platform, login })}`,
      undefined, 'include'),
    // One account (`accountId`), or every account of the platform.
    disconnect: (platform, accountId) => call('POST', `/disconnect/${platform}`, accountId ? { account_id: accountId } : undefined),
    syncNow: () => call('POST', '/insights/sync'),
    topPosts: (accountId, { sort, since, pageSize }) => call('GET', `/posts?${new URLSearchParams({
      account_id: accountId, sort, since, page_size: String(pageSize),
    })}`),
  };
}
