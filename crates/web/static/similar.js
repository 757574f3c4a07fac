// While a new idea's title is typed, show similar existing ideas under the field, so people
// support instead of duplicating. Without JavaScript the form works the same, without hints.
(function () {
  var title = document.getElementById("idea-title");
  var box = document.getElementById("similar-ideas");
  if (!title || !box || !box.dataset.source) return;
  var timer = null;
  var last = "";
  title.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var text = title.value.trim();
      if (text === last) return;
      last = text;
      if (text.length < 3) { box.innerHTML = ""; return; }
      fetch(box.dataset.source + "?title=" + encodeURIComponent(text), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) { if (title.value.trim() === text) box.innerHTML = html; })
        .catch(function () {});
    }, 250);
  });
})();
