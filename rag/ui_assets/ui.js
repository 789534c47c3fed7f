// Clicking an [n] marker opens the cited paragraph in the sources panel and scrolls to it.
(function () {
  function openSource(id) {
    var el = document.getElementById(id);
    if (!el) return false;
    for (var p = el; p; p = p.parentElement) { if (p.tagName === "DETAILS") p.open = true; }
    el.classList.add("flash");
    el.scrollIntoView({ behavior: "smooth", block: "center" });
    setTimeout(function () { el.classList.remove("flash"); }, 1600);
    return true;
  }
  document.addEventListener("click", function (ev) {
    var a = ev.target && ev.target.closest ? ev.target.closest("a.cite") : null;
    if (!a) return;
    var id = a.getAttribute("data-target") || (a.getAttribute("href") || "").replace(/^.*#/, "");
    if (id && openSource(id)) { ev.preventDefault(); ev.stopPropagation(); }
  }, true);
})();
