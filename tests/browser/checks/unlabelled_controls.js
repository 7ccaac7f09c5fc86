// The form controls and buttons that have no accessible name.
() =>
  [...document.querySelectorAll("input, select, textarea, button")]
    .filter((control) => !(control.labels?.length || control.textContent.trim() || control.getAttribute("aria-label")))
    .map((control) => control.id || control.outerHTML)
