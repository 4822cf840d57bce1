// Progressive enhancements shared by every page (the pages work without them).
document.addEventListener("DOMContentLoaded", () => {
  // The group switcher submits on change; its button stays for people without JavaScript.
  for (const form of document.querySelectorAll("form.group-switcher")) {
    const select = form.querySelector("select");
    const button = form.querySelector("button");
    if (!select) continue;
    if (button) button.hidden = true;
    select.addEventListener("change", () => form.submit());
  }

  // The header menu: always open on wide screens (for browsers without ::details-content),
  // a toggle on narrow ones, closed again by Escape.
  const menu = document.querySelector("details[data-site-menu]");
  if (menu) {
    const wide = window.matchMedia("(min-width: 80rem)");
    const sync = () => { menu.open = wide.matches; };
    sync();
    wide.addEventListener("change", sync);
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !wide.matches && menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  }

  // File pickers show the chosen file's name.
  for (const input of document.querySelectorAll("input.file-picker-input")) {
    const name = input.closest(".file-picker").querySelector(".file-picker-name");
    input.addEventListener("change", () => {
      name.textContent = input.files && input.files.length ? input.files[0].name : name.dataset.empty;
    });
  }

  // Rich-text fields: load the editor only where one is used.
  if (document.querySelector("[data-rich-text]")) {
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = "/static/vendor/quill.snow.css";
    document.head.insertBefore(css, document.querySelector('link[href="/static/app.css"]'));
    const quill = document.createElement("script");
    quill.src = "/static/vendor/quill.js";
    quill.onload = () => {
      const editor = document.createElement("script");
      editor.src = "/static/rich-text.js";
      document.head.appendChild(editor);
    };
    document.head.appendChild(quill);
  }
});
