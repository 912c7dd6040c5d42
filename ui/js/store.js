// The UI's state in one place; views subscribe and redraw what changed.
//
// `accounts` are the user's active rows of `social_media_accounts`, read under RLS: they alone
// decide whether a platform shows as connected (`accountsLoaded` once they have been read). `outcomes` hold what the last connect attempt
// said per platform (reason, message, missing permissions), which explains a failure but never
// makes a platform look connected. `pending` marks a platform whose request is under way.

export function createStore() {
  const listeners = new Set();
  let state = {
    user: null,
    accounts: [],
    accountsLoaded: false,
    outcomes: { facebook: null, instagram: null },
    pending: { facebook: false, instagram: false },
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

export function setPending(store, platforms, pending) {
  store.update((state) => ({
    pending: { ...state.pending, ...Object.fromEntries(platforms.map((platform) => [platform, pending])) },
  }));
}
