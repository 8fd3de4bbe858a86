// The upload form's signed policy expires (UPLOAD_POLICY_SECONDS after the page was served). While
// the page is open this script fetches a fresh one before that (the page's own URL with
// Accept: application/json answers {url, fields, expires_at}) and swaps the form's action and
// signed fields, so a form left open for an hour still uploads (issue 17). It renews a little
// before the deadline, again when a hidden tab becomes visible, and on submit if the form is
// (nearly) expired. Without JavaScript the store refuses the expired form and its error page
// offers "Open the upload page again".
//
// The deadline is counted from `data-expires-in` (seconds, as the server saw it) on this
// browser's clock, so a client clock that is off does not matter.
(() => {
  var form = document.getElementById("upload-form");
  if (!form || !window.fetch) return;
  var note = document.getElementById("form-expires-at");
  var lifetimeMs = Number(form.getAttribute("data-expires-in")) * 1000;
  if (!(lifetimeMs > 0)) return; // no known lifetime: nothing to schedule
  var deadline = Date.now() + lifetimeMs;
  // Renew this long before the deadline: a tenth of the lifetime, between 2 s and 60 s, and at
  // most half of it (the store checks the fields when an upload starts, not when it ends).
  var margin = Math.min(60000, Math.max(2000, lifetimeMs / 10), lifetimeMs / 2);
  var timer = null;
  var pending = null;

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(renew, Math.max(0, deadline - margin - Date.now()));
  }

  function renew() {
    if (pending) return pending;
    pending = fetch(location.pathname + location.search, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store",
    })
      .then((res) => {
        if (!res.ok) throw new Error("HTTP " + res.status);
        return res.json();
      })
      .then((body) => {
        apply(body);
        return true;
      })
      .catch(() => {
        // Not renewed (offline, signed out, rate-limited): try again in a while; a submit then
        // goes ahead with what the form has, and the server says what to do.
        timer = setTimeout(renew, 30000);
        return false;
      })
      .then((ok) => {
        pending = null;
        return ok;
      });
    return pending;
  }

  function apply(body) {
    if (!body || typeof body.url !== "string" || !body.fields) throw new Error("unexpected answer");
    var old = form.querySelectorAll("input[type=hidden]");
    Array.prototype.forEach.call(old, (el) => {
      el.parentNode.removeChild(el);
    });
    // The signed fields go first, before the file input: the store reads them before the file.
    var first = form.firstChild;
    Object.keys(body.fields).forEach((name) => {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = body.fields[name];
      form.insertBefore(input, first);
    });
    form.action = body.url;
    var expires = Date.parse(body.expires_at);
    // A new form lives as long as the first one did (the same UPLOAD_POLICY_SECONDS).
    deadline = Date.now() + lifetimeMs;
    form.setAttribute("data-renewed", String((Number(form.getAttribute("data-renewed")) || 0) + 1));
    if (note && Number.isFinite(expires)) {
      note.setAttribute("datetime", body.expires_at);
      note.textContent = new Date(expires).toISOString().replace("T", " ").slice(0, 19) + " UTC";
    }
    schedule();
  }

  form.addEventListener("submit", (event) => {
    if (Date.now() < deadline - margin) return;
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    var wasDisabled = button ? button.disabled : false;
    if (button) button.disabled = true;
    renew().then(() => {
      if (button) button.disabled = wasDisabled;
      // submit() skips this listener and the form's validation, both already passed.
      HTMLFormElement.prototype.submit.call(form);
    });
  });

  document.addEventListener("visibilitychange", () => {
    // Timers are throttled in hidden tabs: catch up as soon as the page is seen again.
    if (document.visibilityState === "visible" && Date.now() >= deadline - margin) renew();
  });

  schedule();
})();
