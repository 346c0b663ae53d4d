// Small progressive enhancements for the shell; everything works without it.
document.addEventListener("DOMContentLoaded", () => {
  // The language switcher submits on change; the button stays for keyboard and no-JS users.
  const select = document.getElementById("language-select");
  if (select) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
  // The main menu is a disclosure on a phone and always open on a wide screen (the stylesheet
  // shows it where ::details-content is supported; this covers the other browsers).
  const menu = document.querySelector(".nav-menu");
  if (menu && window.matchMedia("(min-width: 56rem)").matches) {
    menu.open = true;
  }
});
