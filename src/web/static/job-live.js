// Live status for a job page (progressive enhancement: without JavaScript the page refreshes
// itself through a <noscript> meta refresh). Listens to the job's server-sent events, updates the
// status badge and the progress bar, and whenever the job finishes or its result moves in its
// lifecycle (archived, restoring, available again) swaps in the fresh page's details without
// reloading. The stream says `final` once nothing more can change; until then the browser's
// EventSource reconnects by itself if the stream ends.
(() => {
  var root = document.querySelector("[data-job-events]");
  if (!root || typeof EventSource === "undefined") return;
  var live = document.getElementById("job-live-region");
  var events = root.getAttribute("data-job-events");
  var source = new EventSource(events);
  // The job's page, where the fresh details come from (this page may be another URL: a form's answer).
  var pageUrl = events.replace(/\/events$/, "");
  var BADGE = { PENDING: "text-bg-secondary", RUNNING: "text-bg-primary", COMPLETED: "text-bg-success", FAILED: "text-bg-danger" };
  var SAY = {
    archived: "The results were archived.",
    restoring: "The results are being restored.",
    available: "The results are available.",
  };
  // What the page on screen shows; a different state in an event means the page is out of date.
  var shown = { status: badgeText(), resultState: detail().getAttribute("data-result-state") || null };
  var swapping = false;
  var latest = null; // the last event's data

  function detail() {
    return document.getElementById("job-detail");
  }
  function badgeText() {
    var badge = document.getElementById("job-status");
    return badge ? badge.textContent : null;
  }

  function setStatus(status) {
    var badge = document.getElementById("job-status");
    var progressText = document.getElementById("job-progress-text");
    if (status === "RUNNING" && progressText && progressText.textContent.indexOf("queue") >= 0) progressText.textContent = "Annotating…";
    if (!badge || badge.textContent === status) return;
    badge.textContent = status;
    badge.className = "badge " + (BADGE[status] || "text-bg-secondary");
    if (live) live.textContent = "Status: " + status;
  }

  function setProgress(p) {
    var progress = document.getElementById("job-progress");
    var progressText = document.getElementById("job-progress-text");
    if (!progress || !p) return;
    progress.hidden = false;
    if (p.totalBytes > 0) {
      progress.max = p.totalBytes;
      progress.value = Math.min(p.bytesRead, p.totalBytes);
    }
    if (progressText) {
      // A split job counts chunks (done of all) and its speed so far.
      progressText.textContent = p.split
        ? p.split.done +
          " of " +
          p.split.chunks +
          " chunks done (split across the annotators), " +
          p.records +
          " records annotated, " +
          p.split.variantsPerSecond +
          " variants/s"
        : (p.totalBytes > 0 ? Math.floor((100 * p.bytesRead) / p.totalBytes) + "% of the input, " : "") + p.records + " records annotated";
    }
  }

  /** Replace #job-detail with the server's current one; `said` goes to the live region. */
  function swapInFreshPage(said) {
    if (swapping) return;
    swapping = true;
    fetch(pageUrl, { headers: { accept: "text/html" }, credentials: "same-origin" })
      .then((res) => res.text())
      .then((html) => {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("job-detail");
        var current = detail();
        if (fresh && current) current.replaceWith(fresh);
        // Nothing more can change (say, a Premium result back from the archive): stop listening.
        if (fresh && !fresh.hasAttribute("data-job-events")) source.close();
        shown = { status: badgeText(), resultState: fresh?.getAttribute("data-result-state") || null };
        if (live && said) live.textContent = said;
      })
      .finally(() => {
        swapping = false;
        // An event that arrived during the fetch may be newer than the page it fetched.
        if (latest && outOfDate(latest)) swapInFreshPage(SAY[latest.resultState] || "");
      });
  }

  function outOfDate(data) {
    var finished = data.status === "COMPLETED" || data.status === "FAILED";
    return (finished && shown.status !== data.status) || (data.resultState || null) !== shown.resultState;
  }

  source.addEventListener("status", (e) => {
    var data = JSON.parse(e.data);
    latest = data;
    var finished = data.status === "COMPLETED" || data.status === "FAILED";
    if (!finished) {
      setStatus(data.status);
      setProgress(data.progress);
    }
    if (data.final) source.close();
    if (finished && shown.status !== data.status) swapInFreshPage("The job has finished.");
    else if ((data.resultState || null) !== shown.resultState) swapInFreshPage(SAY[data.resultState] || "");
  });
  source.addEventListener("gone", () => {
    source.close();
  });
})();
