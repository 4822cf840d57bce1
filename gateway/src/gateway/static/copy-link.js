// "Copier le lien" (the public offer page): without JavaScript it is a plain link to the page; with
// it, a click copies the link and says so in the live region beside it.
document.addEventListener("DOMContentLoaded", () => {
  for (const link of document.querySelectorAll("a[data-copy-link]")) {
    link.addEventListener("click", (event) => {
      if (!navigator.clipboard || !window.isSecureContext) return; // follow the link instead
      event.preventDefault();
      const status = link.parentElement.querySelector(".copy-link-status");
      navigator.clipboard.writeText(link.href).then(() => {
        if (status) status.textContent = link.dataset.copied || "";
      }, () => { window.location.href = link.href; });
    });
  }
});
