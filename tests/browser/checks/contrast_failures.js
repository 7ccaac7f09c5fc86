// The elements whose own text has a contrast under 4.5:1 (WCAG AA) against the first
// opaque background behind them (the page's backgrounds are opaque colours, no images).
() => {
  const rgb = (colour) => colour.match(/[\d.]+/g).map(Number);
  const channel = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const colour = rgb(getComputedStyle(e).backgroundColor);
      if (colour.length < 4 || colour[3] === 1) return colour.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const failures = [];
  for (const element of document.body.querySelectorAll("*")) {
    const ownText = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!ownText || !element.checkVisibility()) continue;
    const text = luminance(rgb(getComputedStyle(element).color));
    const behind = luminance(background(element));
    const ratio = (Math.max(text, behind) + 0.05) / (Math.min(text, behind) + 0.05);
    if (ratio < 4.5) {
      failures.push(`${element.tagName}#${element.id} ${ratio.toFixed(2)}: ${element.textContent.trim().slice(0, 50)}`);
    }
  }
  return failures;
}
