// UserSync console: the one script. Every page works without it (links and forms); it adds
// pop-ups for confirmations, live refresh while something runs, auto-saving dropdowns, the
// "tick everyone" box and copy buttons. No inline script anywhere (the CSP forbids it).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // --- Pop-ups: a link marked data-dialog opens its page's [data-dialog-content] in a <dialog>.
  let dialog = null;
  function ensureDialog() {
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.className = "popup";
    dialog.setAttribute("aria-modal", "true");
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close();
      const close = event.target.closest("[data-dialog-close]");
      if (close) { event.preventDefault(); dialog.close(); }
    });
    document.body.appendChild(dialog);
    return dialog;
  }

  async function openDialog(url, opener) {
    let response;
    try {
      response = await fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } });
    } catch (error) {
      window.location.href = url;
      return;
    }
    const text = await response.text();
    const page = new DOMParser().parseFromString(text, "text/html");
    const content = page.querySelector("[data-dialog-content]");
    if (!content) { window.location.href = url; return; }
    const box = ensureDialog();
    box.replaceChildren();
    const close = document.createElement("button");
    close.type = "button";
    close.className = "close";
    close.setAttribute("aria-label", "Close");
    close.setAttribute("data-dialog-close", "");
    close.textContent = "×";
    box.appendChild(close);
    box.appendChild(document.importNode(content, true));
    const heading = box.querySelector("h1");
    if (heading) { heading.id = "popup-title"; box.setAttribute("aria-labelledby", "popup-title"); }
    box.addEventListener("close", function restore() {
      box.removeEventListener("close", restore);
      if (opener && document.contains(opener)) opener.focus();
    });
    box.showModal();
    const first = box.querySelector("button[type=submit]:not([disabled]), a.button, button:not(.close)");
    if (first) first.focus();
  }

  document.addEventListener("click", function (event) {
    const link = event.target.closest("a[data-dialog]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    const menu = link.closest("details");
    if (menu) menu.open = false;
    openDialog(link.href, link);
  });

  // The bulk form reviews its action in a pop-up too.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.matches("form[method=get]#bulk")) {
      event.preventDefault();
      const params = new URLSearchParams(new FormData(form));
      // getAttribute: the form has a field named "action", which hides the form.action property.
      openDialog(form.getAttribute("action") + "?" + params.toString(), form.querySelector("[data-dialog-submit]"));
      return;
    }
    const question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // --- Menus: close an open three-dot menu on Escape or a click elsewhere.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.menu[open], details.legend[open]").forEach(function (open) {
      open.open = false;
      const summary = open.querySelector("summary");
      if (summary) summary.focus();
    });
  });
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open], details.legend[open]").forEach(function (open) {
      if (!open.contains(event.target)) open.open = false;
    });
  });

  // --- Dropdowns that save as soon as they change (the primary platform).
  document.addEventListener("change", function (event) {
    const select = event.target.closest("select[data-autosubmit]");
    if (select && select.value) select.form.requestSubmit();
    if (event.target.matches("[data-select-all]")) {
      document.querySelectorAll("input[name=person_id]").forEach(function (box) {
        if (!box.disabled) box.checked = event.target.checked;
      });
    }
    if (event.target.matches("input[name=person_id], [data-select-all]")) countSelected();
  });

  function countSelected() {
    const label = document.querySelector("[data-selected-count]");
    if (!label) return;
    const ticked = document.querySelectorAll("input[name=person_id]:checked").length;
    label.textContent = ticked === 0 ? "" : ticked + (ticked === 1 ? " person ticked" : " people ticked");
  }

  // --- Copy buttons.
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-copy-target]");
    if (!button) return;
    const field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) return;
    field.select();
    if (navigator.clipboard) navigator.clipboard.writeText(field.value);
    button.textContent = "Copied";
  });

  // --- Live refresh: while the page says something is running, fetch it again every few
  // seconds and swap in the [data-live] parts that changed, leaving what the admin is doing
  // (focus, ticked boxes, an open menu or pop-up) alone.
  const body = document.body;
  let seconds = Number(body.getAttribute("data-refresh") || 0);
  let timer = null;

  function schedule() {
    if (seconds > 0 && !timer) timer = window.setTimeout(refresh, seconds * 1000);
  }

  async function refresh() {
    timer = null;
    if (document.hidden || (dialog && dialog.open) || document.querySelector("details.menu[open]")) { schedule(); return; }
    let text;
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } });
      if (!response.ok || response.redirected) { schedule(); return; }
      text = await response.text();
    } catch (error) {
      schedule();
      return;
    }
    const page = new DOMParser().parseFromString(text, "text/html");
    page.querySelectorAll("[data-live][id]").forEach(function (fresh) {
      const current = document.getElementById(fresh.id);
      if (!current || current.outerHTML === fresh.outerHTML) return;
      if (current.contains(document.activeElement) && document.activeElement !== document.body) return;
      const ticked = Array.from(current.querySelectorAll("input[type=checkbox]:checked")).map(function (box) { return box.value; });
      const replacement = document.importNode(fresh, true);
      replacement.querySelectorAll("input[type=checkbox]").forEach(function (box) {
        if (ticked.indexOf(box.value) >= 0) box.checked = true;
      });
      current.replaceWith(replacement);
    });
    seconds = Number(page.body.getAttribute("data-refresh") || 0);
    schedule();
  }

  document.addEventListener("visibilitychange", function () { if (!document.hidden) schedule(); });
  schedule();
})();
