// The notice under the top bar: what the last action did. It stays until the person dismisses it
// or goes to another page. Kinds: info, success, warning, error (each has its own colour and an
// icon word, so colour is not the only signal).

import { h } from '../dom.js';

const KIND_WORDS = { info: 'Note', success: 'Done', warning: 'Partly done', error: 'Problem' };

export function mountNotice(container) {
  const kindWord = h('strong', { class: 'notice-kind' });
  const text = h('span', { class: 'notice-text' });
  const dismiss = h('button', { type: 'button', class: 'button quiet notice-dismiss', onClick: clear },
    'Dismiss', h('span', { class: 'visually-hidden' }, ' notice'));
  container.replaceChildren(h('p', {}, kindWord, ' ', text), dismiss);

  function show(message, kind = 'info') {
    container.dataset.kind = kind;
    kindWord.textContent = `${KIND_WORDS[kind]}:`;
    text.textContent = message;
    container.hidden = false;
  }

  function clear() {
    const hadFocus = container.contains(document.activeElement);
    container.hidden = true;
    text.textContent = '';
    if (hadFocus) document.getElementById('main').focus();
  }

  return { show, clear };
}
