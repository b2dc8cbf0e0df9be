// Keys: the queue is walked with j/k and opened with Enter; Esc skips a dossier; "/" searches.
document.addEventListener("keydown", (e) => {
  const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
  const review = document.getElementById("review");
  if (e.key === "Escape" && review) { window.location = review.dataset.next; return; }
  if (typing) return;
  if (e.key === "/") { e.preventDefault(); window.location = "/search"; return; }
  const links = [...document.querySelectorAll(".dossier-link")];
  if (!links.length) return;
  let at = links.findIndex((a) => a.parentElement.classList.contains("selected"));
  if (e.key === "j" || e.key === "k") {
    if (at >= 0) links[at].parentElement.classList.remove("selected");
    at = Math.max(0, Math.min(links.length - 1, at + (e.key === "j" ? 1 : -1)));
    links[at].parentElement.classList.add("selected");
    links[at].focus();
  }
});
