// A confirmation before something that cannot be undone from here: resolves true or false.
// The native <dialog> traps focus while open and gives it back to the element that opened it.

import { h } from '../dom.js';

export function createConfirmDialog(dialog) {
  const title = h('h2', { id: 'confirm-title' });
  const text = h('p', { id: 'confirm-text' });
  const cancel = h('button', { type: 'button', class: 'button quiet', onClick: () => dialog.close('cancel') }, 'Cancel');
  const confirm = h('button', { type: 'button', class: 'button danger', onClick: () => dialog.close('confirm') });
  dialog.append(title, text, h('div', { class: 'dialog-footer' }, cancel, confirm));

  return ({ title: titleText, text: body, action }) => new Promise((resolve) => {
    title.textContent = titleText;
    text.textContent = body;
    confirm.textContent = action;
    dialog.returnValue = 'cancel';
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
    dialog.showModal();
    // The safe choice first.
    cancel.focus();
  });
}
