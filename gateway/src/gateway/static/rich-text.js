// The rich-text editor (Quill) over a plain textarea, for fields drawn by ui.rich_text().
// It offers exactly what the server keeps: paragraphs, bold, italic, lists and links. Pasted
// Word or web HTML is reduced by Quill to those formats; the server's sanitizer still decides.
(() => {
  const FORMATS = ["bold", "italic", "list", "link"];

  const button = (cls, label, value) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = cls;
    if (value) b.value = value;
    b.setAttribute("aria-label", label);
    b.title = label;
    return b;
  };

  const group = (...buttons) => {
    const span = document.createElement("span");
    span.className = "ql-formats";
    span.append(...buttons);
    return span;
  };

  const clean = (html) => html.replace(/&nbsp;/g, " ").replace(/\u00a0/g, " ");

  function enhance(field) {
    const d = field.dataset;
    const textarea = field.querySelector("textarea");
    const format = field.querySelector('input[type="hidden"][name$="_format"]');
    const initial = field.querySelector("template[data-rich-text-initial]");
    const label = field.querySelector("label");
    if (!textarea || !format || field.dataset.enhanced) return;
    field.dataset.enhanced = "1";

    const box = document.createElement("div");
    box.className = "rich-editor";
    const toolbar = document.createElement("div");
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", d.labelToolbar);
    toolbar.append(
      group(button("ql-bold", d.labelBold), button("ql-italic", d.labelItalic)),
      group(button("ql-list", d.labelOrdered, "ordered"), button("ql-list", d.labelBullet, "bullet")),
      group(button("ql-link", d.labelLink)),
      group(button("ql-clean", d.labelClean)),
    );
    const surface = document.createElement("div");
    box.append(toolbar, surface);
    textarea.insertAdjacentElement("beforebegin", box);

    const quill = new window.Quill(surface, {
      theme: "snow",
      formats: FORMATS,
      modules: { toolbar: toolbar },
    });
    // Pasted scripts and styles leave nothing, not even their text.
    const Delta = window.Quill.import("delta");
    for (const tag of ["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "IFRAME", "OBJECT"]) {
      quill.clipboard.addMatcher(tag, () => new Delta());
    }
    if (initial) {
      quill.setContents(quill.clipboard.convert({ html: initial.innerHTML }), "silent");
    }

    // The editable area is the field: same name, description and error state as the textarea.
    const editable = quill.root;
    editable.setAttribute("role", "textbox");
    editable.setAttribute("aria-multiline", "true");
    editable.id = textarea.id + "-editor";
    if (label) {
      label.removeAttribute("for");
      editable.setAttribute("aria-labelledby", label.id);
    }
    for (const attr of ["aria-describedby", "aria-invalid"]) {
      if (textarea.hasAttribute(attr)) editable.setAttribute(attr, textarea.getAttribute(attr));
    }
    if (label) label.addEventListener("click", () => quill.focus());

    const tooltip = box.querySelector(".ql-tooltip");
    if (tooltip) {
      tooltip.dataset.labelVisit = d.labelLink + " :";
      tooltip.dataset.labelEnter = d.labelLinkPrompt;
      tooltip.dataset.labelEdit = d.labelEdit;
      tooltip.dataset.labelSave = d.labelSave;
      tooltip.dataset.labelRemove = d.labelRemove;
      const input = tooltip.querySelector('input[type="text"]');
      if (input) {
        input.setAttribute("aria-label", d.labelLinkPrompt);
        input.dataset.link = "https://";
      }
    }

    const sync = () => {
      textarea.value = quill.getText().trim() ? clean(quill.getSemanticHTML()) : "";
    };
    textarea.hidden = true;
    textarea.removeAttribute("id");
    format.value = "html";
    sync();
    quill.on("text-change", sync);
    textarea.form && textarea.form.addEventListener("submit", sync);
  }

  for (const field of document.querySelectorAll("[data-rich-text]")) enhance(field);
})();
