// The UI's state in one place; views subscribe and redraw what changed.
//
// `accounts` are the user's active rows of `social_media_accounts`, read under RLS: they alone
// decide whether a platform shows as connected (`accountsLoaded` once they have been read).
// `outcomes` hold the last connect attempt per platform as the service stored it (reason,
// message, missing permissions): it explains a failure, also after a reload, but never makes a
// platform look connected. `pending` marks a platform whose connect is under way, `syncing` a
// sync of this user's accounts, and `dataVersion` counts the reads, so the insights reload after
// each.

export function createStore() {
  const listeners = new Set();
  let state = {
    accounts: [],
    accountsLoaded: false,
    outcomes: { facebook: null, instagram: null },
    pending: { facebook: false, instagram: false },
    syncing: false,
    dataVersion: 0,
  };

  return {
    get: () => state,
    update(change) {
      state = { ...state, ...change(state) };
      listeners.forEach((listener) => listener(state));
    },
    subscribe(listener) {
      listeners.add(listener);
    },
  };
}

export function setPending(store, platform, pending) {
  store.update((state) => ({ pending: { ...state.pending, [platform]: pending } }));
}
