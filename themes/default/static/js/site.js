// Progressive enhancement only: the page is complete without this script.
// Re-checks a certificate's validity against the visitor's own date, so a
// site that was not rebuilt for months still warns once a certificate has
// expired.
(function () {
  "use strict";
  var org = document.querySelector("article.org[data-expires]");
  if (!org) return;
  var status = org.getAttribute("data-status");
  if (status !== "valid" && status !== "expiring") return;
  var expires = org.getAttribute("data-expires");
  var now = new Date();
  var today = now.getFullYear() + "-" + String(now.getMonth() + 1).padStart(2, "0") + "-" + String(now.getDate()).padStart(2, "0");
  if (today > expires) {
    var warning = org.querySelector(".live-expired");
    if (warning) warning.hidden = false;
  }
})();
