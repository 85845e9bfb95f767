// A modal <dialog> asking to confirm a destructive action: replaces window.confirm, which cannot be
// styled, labelled or tested, and which some browsers let a page suppress.
import { h } from './common.js';

let counter = 0;

/**
 * Shows a modal dialog and resolves true when the action is confirmed, false on Cancel, Escape
 * or a click on the backdrop. The dialog is labelled by its title and described by its message;
 * the focus starts on Cancel (the safe choice) and goes back to where it was when the answer is
 * "no". On "yes" the caller decides where it goes, since the element that opened the dialog is
 * often removed by what follows (e.g. the row of an ended session).
 */
export function confirmDialog({ title, message, confirmLabel, cancelLabel = 'Cancel', danger = true }) {
  const id = `confirm-${++counter}`;
  const opener = document.activeElement;
  const cancel = h('button', { class: 'button', type: 'submit', value: 'cancel', autofocus: true }, cancelLabel);
  const confirm = h(
    'button',
    { class: danger ? 'button danger-solid' : 'button primary', type: 'submit', value: 'confirm' },
    confirmLabel,
  );
  const dialog = h(
    'dialog',
    { class: 'confirm', 'aria-labelledby': `${id}-title`, 'aria-describedby': `${id}-message` },
    h(
      'form',
      { method: 'dialog' },
      h('h2', { id: `${id}-title` }, title),
      h('p', { id: `${id}-message` }, message),
      h('div', { class: 'form-actions end' }, cancel, confirm),
    ),
  );
  // A click whose target is the dialog itself landed on the backdrop, outside the box.
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) dialog.close('cancel');
  });
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        const confirmed = dialog.returnValue === 'confirm';
        dialog.remove();
        if (!confirmed && opener instanceof HTMLElement && opener.isConnected) opener.focus();
        resolve(confirmed);
      },
      { once: true },
    );
    dialog.returnValue = '';
    dialog.showModal();
  });
}
