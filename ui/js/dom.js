// A small element builder, so views read as the markup they produce, and the formats they share.

export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) element.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'class') element.className = value;
    else element.setAttribute(key, value === true ? '' : value);
  }
  element.append(...present(children));
  return element;
}

// Children without the null/undefined/false that `condition && element` leaves behind.
export function present(children) {
  return children.flat().filter((child) => child !== null && child !== undefined && child !== false);
}

export function formatDateTime(iso) {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function formatDate(iso, options = { day: 'numeric', month: 'short' }) {
  return new Intl.DateTimeFormat(undefined, { ...options, timeZone: 'UTC' }).format(new Date(iso));
}

export function formatNumber(value) {
  return new Intl.NumberFormat().format(value);
}

const RELATIVE_UNITS = [['day', 86400], ['hour', 3600], ['minute', 60]];

// "just now", "5 minutes ago", "yesterday".
export function formatRelative(iso, now = Date.now()) {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  if (Math.abs(seconds) < 60) return 'just now';
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const [unit, size] = RELATIVE_UNITS.find(([, length]) => Math.abs(seconds) >= length);
  return format.format(Math.round(seconds / size), unit);
}

// A <time> showing relative time, with the full date as its tooltip; `refreshRelativeTimes`
// keeps them current.
export function relativeTime(iso) {
  return h('time', { datetime: iso, title: formatDateTime(iso), 'data-relative': true }, formatRelative(iso));
}

export function refreshRelativeTimes(root = document) {
  root.querySelectorAll('time[data-relative]').forEach((time) => { time.textContent = formatRelative(time.dateTime); });
}

const FALLBACK_AVATAR = 'avatar.svg';

// A profile picture; pictures on Meta's CDN expire, so a broken one falls back to a neutral avatar.
export function avatar(url, size) {
  return h('img', {
    class: 'avatar',
    src: url || FALLBACK_AVATAR,
    alt: '',
    width: size,
    height: size,
    onError: (event) => { if (!event.target.src.endsWith(FALLBACK_AVATAR)) event.target.src = FALLBACK_AVATAR; },
  });
}

// The platform's logo, decorative: the platform's name is always written next to it.
export function platformLogo(platform, size) {
  return h('img', { class: 'platform-logo', src: `img/${platform}.svg`, alt: '', width: size, height: size });
}

// An account's picture with the small platform badge at its corner, as the publishing tools show it.
export function accountAvatar(account, size) {
  return h('span', { class: 'avatar-with-badge' }, avatar(account.profile_picture_url, size),
    h('span', { class: 'avatar-badge' }, platformLogo(account.platform, Math.round(size / 2.6))));
}
