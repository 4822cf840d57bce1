// Progressive enhancements shared by every page (the pages work without them).
// The group switcher submits on change; its button stays for people without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form.group-switcher")) {
    const select = form.querySelector("select");
    const button = form.querySelector("button");
    if (!select) continue;
    if (button) button.hidden = true;
    select.addEventListener("change", () => form.submit());
  }
});
