// Small progressive enhancements for the shell; everything works without it.
document.addEventListener("DOMContentLoaded", () => {
  // The language switcher submits on change; the button stays for keyboard and no-JS users.
  const select = document.getElementById("language-select");
  if (select) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
});
