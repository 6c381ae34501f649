// Catalogue and credit searches: keep back/forward honest for the fields outside the swapped results.
(function () {
  "use strict";

  // htmx snapshots a page for back/forward from its HTML attributes, not the fields' live
  // values. The search box, sort, order and ranges are never re-rendered by a results swap,
  // so once a new URL is pushed, write their live values into their attributes: the next
  // snapshot then shows the fields this URL was fetched with.
  function recordFields(form) {
    form.querySelectorAll("input, select").forEach(function (field) {
      if (field.closest(".catalog-layout")) return; // re-rendered by the server each time
      if (field.tagName === "SELECT") {
        Array.prototype.forEach.call(field.options, function (option) {
          option.toggleAttribute("selected", option.selected);
        });
      } else if (field.type === "checkbox" || field.type === "radio") {
        field.toggleAttribute("checked", field.checked);
      } else {
        field.setAttribute("value", field.value);
      }
    });
  }

  document.addEventListener("htmx:pushedIntoHistory", function () {
    document.querySelectorAll("form.catalog-search").forEach(recordFields);
  });
})();
