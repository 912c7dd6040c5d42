// A small element builder, so views read as the markup they produce.

export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) element.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'class') element.className = value;
    else element.setAttribute(key, value === true ? '' : value);
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

export function formatDateTime(iso) {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function formatNumber(value) {
  return new Intl.NumberFormat().format(value);
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
