// Live status for a job page (progressive enhancement: without JavaScript the page refreshes
// itself through a <noscript> meta refresh). Listens to the job's server-sent events, updates the
// status badge and the progress bar, and once the job finishes swaps in the finished page's
// details without reloading.
(function () {
  "use strict";
  var root = document.querySelector("[data-job-events]");
  if (!root || typeof EventSource === "undefined") return;
  var badge = document.getElementById("job-status");
  var progress = document.getElementById("job-progress");
  var progressText = document.getElementById("job-progress-text");
  var live = document.getElementById("job-live-region");
  var source = new EventSource(root.getAttribute("data-job-events"));
  var BADGE = { PENDING: "text-bg-secondary", RUNNING: "text-bg-primary", COMPLETED: "text-bg-success", FAILED: "text-bg-danger" };

  function setStatus(status) {
    if (status === "RUNNING" && progressText && progressText.textContent.indexOf("queue") >= 0) progressText.textContent = "Annotating…";
    if (!badge || badge.textContent === status) return;
    badge.textContent = status;
    badge.className = "badge " + (BADGE[status] || "text-bg-secondary");
    if (live) live.textContent = "Status: " + status;
  }

  function setProgress(p) {
    if (!progress || !p) return;
    progress.hidden = false;
    if (p.totalBytes > 0) {
      progress.max = p.totalBytes;
      progress.value = Math.min(p.bytesRead, p.totalBytes);
    }
    if (progressText) {
      progressText.textContent =
        (p.totalBytes > 0 ? Math.floor((100 * p.bytesRead) / p.totalBytes) + "% of the input, " : "") + p.records + " records annotated";
    }
  }

  function swapInFinishedPage() {
    fetch(window.location.href, { headers: { accept: "text/html" }, credentials: "same-origin" })
      .then(function (res) {
        return res.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("job-detail");
        var current = document.getElementById("job-detail");
        if (fresh && current) current.replaceWith(fresh);
        if (live) live.textContent = "The job has finished.";
      });
  }

  source.addEventListener("status", function (e) {
    var data = JSON.parse(e.data);
    setStatus(data.status);
    setProgress(data.progress);
    if (data.status === "COMPLETED" || data.status === "FAILED") {
      source.close();
      swapInFinishedPage();
    }
  });
  source.addEventListener("gone", function () {
    source.close();
  });
})();
