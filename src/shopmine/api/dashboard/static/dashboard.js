// Draws every figure of a dashboard page from its JSON data block, and submits a picker when it changes.
// (A file of its own: the pages' Content-Security-Policy runs no inline script.)
(function () {
  "use strict";
  document.querySelectorAll("[data-figure]").forEach(function (target) {
    var block = document.getElementById(target.getAttribute("data-figure"));
    var figure = JSON.parse(block.textContent);
    Plotly.newPlot(target, figure.data || [], figure.layout || {}, figure.config || {});
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
