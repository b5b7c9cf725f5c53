/* Runs in <head>, before the page paints (not deferred): the theme this browser chose
 * (localStorage, set by the toggle in docklight.js) and the "js" class that lets the
 * stylesheet collapse the navigation only when a script can open it again. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  try {
    var chosen = localStorage.getItem("docklight-theme");
    if (chosen === "dark" || chosen === "light") root.setAttribute("data-theme", chosen);
  } catch (e) { /* storage refused: follow the browser's preference */ }
})();
