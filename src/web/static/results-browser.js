// The results browser without reloads (progressive enhancement: without JavaScript every filter,
// sort and page is a plain GET of the same URLs). Filtering, sorting, paging and the chart bars
// fetch the page's #results-browser part alone (the x-gas-fragment header) and swap it in, keeping
// the address bar in sync with history.replaceState so the state stays bookmarkable; a variant's
// "effects" link fetches its effects table and shows it under the row.
(() => {
  if (!document.getElementById("results-browser") || typeof fetch === "undefined" || !window.history.replaceState) return;
  var live = document.getElementById("results-live");
  var seq = 0;

  function announce(text) {
    if (live) live.textContent = text;
  }

  function fetchFragment(url) {
    return fetch(url, { headers: { "x-gas-fragment": "1", accept: "text/html" }, credentials: "same-origin" }).then((res) => {
      // A refused filter is a 400 that still carries the page with its message.
      if (!res.ok && res.status !== 400) throw new Error("HTTP " + res.status);
      return res.text();
    });
  }

  function navigate(url, fromOutside) {
    var root = document.getElementById("results-browser");
    var hadFocus = !!document.activeElement && root.contains(document.activeElement);
    var focusedId = hadFocus ? document.activeElement.id : "";
    var mine = ++seq;
    root.setAttribute("aria-busy", "true");
    fetchFragment(url)
      .then((html) => {
        if (mine !== seq) return; // a later request won
        var tpl = document.createElement("template");
        tpl.innerHTML = html;
        var fresh = tpl.content.getElementById("results-browser");
        if (!fresh) throw new Error("no results in the answer");
        root.replaceWith(fresh);
        window.history.replaceState(null, "", url);
        var count = document.getElementById("result-count");
        var error = document.getElementById("results-error");
        announce((error ? error.textContent + " " : "") + (count ? count.textContent : ""));
        // Focus goes back to the control that had it (the form's fields have ids); after a sort
        // or page link, whose element is gone, to the count, which says what is shown now.
        var again = focusedId && document.getElementById(focusedId);
        if (again) again.focus();
        else if (hadFocus && count) {
          count.setAttribute("tabindex", "-1");
          count.focus();
        }
        if (fromOutside) fresh.scrollIntoView({ block: "start" });
      })
      .catch(() => {
        if (mine === seq) window.location.assign(url); // the plain page still works
      });
  }

  function toggleEffects(link) {
    var id = link.getAttribute("aria-controls");
    var open = document.getElementById(id);
    if (open) {
      open.remove();
      link.setAttribute("aria-expanded", "false");
      return;
    }
    var row = link.closest("tr");
    link.setAttribute("aria-busy", "true");
    fetchFragment(link.getAttribute("href"))
      .then((html) => {
        if (document.getElementById(id)) return;
        var tr = document.createElement("tr");
        tr.id = id;
        tr.className = "effects-row";
        var td = document.createElement("td");
        td.colSpan = Number(link.getAttribute("data-colspan") || "1");
        td.innerHTML = html;
        tr.appendChild(td);
        row.after(tr);
        link.setAttribute("aria-expanded", "true");
      })
      .catch(() => {
        window.location.assign(link.getAttribute("href"));
      })
      .finally(() => {
        link.removeAttribute("aria-busy");
      });
  }

  document.addEventListener("click", (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    var target = e.target instanceof Element ? e.target : null;
    var expander = target && target.closest("a.variant-expand");
    if (expander) {
      e.preventDefault();
      toggleEffects(expander);
      return;
    }
    var nav = target && target.closest("a[data-results-nav]");
    if (!nav) return;
    var href = nav.getAttribute("href");
    if (!href) return;
    e.preventDefault();
    navigate(new URL(href, window.location.href).href, !document.getElementById("results-browser").contains(nav));
  });

  document.addEventListener("submit", (e) => {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || form.id !== "results-filters") return;
    e.preventDefault();
    var params = new URLSearchParams();
    new FormData(form).forEach((value, key) => {
      if (typeof value === "string" && value.trim() !== "") params.append(key, value.trim());
    });
    var text = params.toString();
    var action = new URL(form.getAttribute("action") || window.location.pathname, window.location.href);
    navigate(action.origin + action.pathname + (text ? "?" + text : ""), false);
  });
})();
