// The original's client-side check on the upload form: the submit button stays disabled until a
// file is chosen, and a file over the tier's limit is refused before it is sent, with the upgrade
// offer. The server checks again (signed policy and on submit); this only saves a wasted upload.
(() => {
  var form = document.getElementById("upload-form");
  if (!form) return;
  var input = form.querySelector("input[type=file]");
  var button = form.querySelector("button[type=submit]");
  var alert = document.getElementById("too-large");
  var detail = document.getElementById("too-large-detail");
  var max = Number(form.getAttribute("data-max-bytes"));
  if (!input || !button) return;
  button.disabled = true;
  input.addEventListener("change", () => {
    var file = input.files && input.files[0];
    var tooBig = !!file && max > 0 && file.size > max;
    button.disabled = !file || tooBig;
    if (alert) alert.hidden = !tooBig;
    if (tooBig && detail) detail.textContent = file.name + " is " + file.size.toLocaleString() + " bytes.";
  });
})();
