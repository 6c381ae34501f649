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

// Filters: each facet panel remembers whether it was left open or closed (this browser), and
// the filters drawer of a narrow screen stays open while its choices refresh the results.
(function () {
  "use strict";

  var STORE = "carbonscope.facets";
  var drawerOpen = false;

  function saved() {
    try {
      return JSON.parse(window.localStorage.getItem(STORE) || "{}");
    } catch (error) {
      return {};
    }
  }

  function save(name, open) {
    var states = saved();
    states[name] = open;
    try {
      window.localStorage.setItem(STORE, JSON.stringify(states));
    } catch (error) {
      // Storage full or refused (private mode): the panels simply open as served.
    }
  }

  function restore(root) {
    var states = saved();
    root.querySelectorAll("details.facet-panel[data-facet]").forEach(function (panel) {
      var name = panel.getAttribute("data-facet");
      if (Object.prototype.hasOwnProperty.call(states, name)) panel.open = states[name];
    });
    var drawer = root.querySelector("#filters-drawer");
    if (drawer && drawerOpen) drawer.open = true;
  }

  // "toggle" does not bubble: listen in the capture phase.
  document.addEventListener("toggle", function (event) {
    var element = event.target;
    if (!element.matches) return;
    if (element.matches("details.facet-panel[data-facet]")) {
      save(element.getAttribute("data-facet"), element.open);
    } else if (element.id === "filters-drawer") {
      drawerOpen = element.open;
    }
  }, true);

  document.addEventListener("DOMContentLoaded", function () { restore(document); });
  document.addEventListener("htmx:afterSwap", function () { restore(document); });
})();

// The results' "Compare" boxes belong to the compare form (form="compare-form"), but sit inside
// the search form in the page: keep their clicks from asking the search for new results.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.getAttribute && target.getAttribute("form") === "compare-form") {
      event.stopPropagation();
    }
  }, true);
})();

// The search box and the results' links never race: a link clicked while the box holds
// text not yet searched (within its pause) searches that text instead, from page 1. The
// typed text is what the user meant last; a page of the old search would throw it away.
(function () {
  "use strict";
  document.addEventListener("htmx:confirm", function (event) {
    var link = event.target;
    if (link.tagName !== "A" || !link.closest("#catalog-results")) return;
    var box = document.getElementById("search-q");
    if (!box || box.value === box.defaultValue) return;
    event.preventDefault();
    window.htmx.trigger(box.form, "submit");
  });
})();
