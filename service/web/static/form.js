/* Progressive enhancement of the citizen forms; every page works without this file.
   - the unit list filters as you type (diacritics ignored), instead of a GET round trip;
   - the error summary takes the focus, so screen readers and keyboards start there;
   - too many or too large attachments, or a missing consent, are caught before a long upload;
   - a second click on "Gửi đơn" does not send the petition twice;
   - the representatives of a crowd are asked for only once the number of people reaches the threshold,
     and only as many rows as the law allows (Luật Tiếp công dân Điều 29). */
(function () {
  "use strict";

  /* The same folding as the server (service/domain/text.py): no diacritics, đ -> d, lower case. */
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase()
      .replace(/[^a-z0-9]+/g, " ").trim();
  }

  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); return; }
    /* A form without a summary (the rating): the first field in error takes the focus, its message beside it. */
    var field = document.querySelector(".field--error [aria-invalid='true']");
    if (!field) { return; }
    var box = field.closest(".field--error");
    function show() {
      box.scrollIntoView({block: "start", behavior: "instant"});
      field.focus({preventScroll: true});
    }
    show();
    /* The form posts to "#danh-gia": the browser scrolls to that fragment once the page has loaded, which
       takes the focus away again; give it back then, with the message in view. */
    window.addEventListener("load", function () { setTimeout(show, 0); });
  }

  function unitFilter() {
    var select = document.getElementById("f-unit");
    var search = document.getElementById("f-unit-search");
    var button = document.getElementById("unit-search-button");
    var live = document.getElementById("unit-filter-status");
    if (!select || !search || !button) { return; }
    var groups = Array.prototype.map.call(select.querySelectorAll("optgroup"), function (group) {
      return { el: group, options: Array.prototype.slice.call(group.querySelectorAll("option")) };
    });
    var timer = null;

    function apply(announce) {
      var words = fold(search.value).split(" ").filter(Boolean);
      var chosen = select.value;
      var found = [];
      groups.forEach(function (group) {
        group.el.textContent = "";
        group.options.forEach(function (option) {
          var name = option.getAttribute("data-folded") || "";
          var match = words.every(function (w) { return name.indexOf(w) !== -1; });
          if (match || option.value === chosen) { group.el.appendChild(option); }
          if (match) { found.push(option); }
        });
        if (group.el.children.length) { select.appendChild(group.el); }
        else if (group.el.parentNode) { group.el.parentNode.removeChild(group.el); }
      });
      if (found.length === 1 && !chosen) { select.value = found[0].value; } else { select.value = chosen; }
      if (announce && live) {
        live.textContent = !words.length ? "" :
          found.length === 0 ? "Không tìm thấy nơi nào phù hợp." :
          found.length === 1 ? "Còn 1 nơi phù hợp: " + found[0].textContent + "." :
          "Còn " + found.length + " nơi phù hợp.";
      }
    }

    search.addEventListener("input", function () {
      clearTimeout(timer);
      apply(false);
      timer = setTimeout(function () { apply(true); }, 600);
    });
    /* «Tìm» (or Enter in the search box) filters here instead of posting the form back. */
    button.addEventListener("click", function (event) {
      event.preventDefault();
      apply(true);
      select.focus();
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); apply(true); }
    });
  }

  function attachmentCheck() {
    var form = document.getElementById("petition-form");
    var input = document.getElementById("f-attachments");
    var message = document.getElementById("f-attachments-check");
    if (!form || !input || !message || !input.files) { return; }
    var maxFiles = parseInt(input.getAttribute("data-max-files"), 10) || 5;
    var maxBytes = parseInt(input.getAttribute("data-max-bytes"), 10) || 10485760;

    function problem() {
      var files = Array.prototype.slice.call(input.files);
      if (files.length > maxFiles) { return "Bạn chọn " + files.length + " tệp; chỉ được gửi tối đa " + maxFiles + " tệp."; }
      var big = files.filter(function (f) { return f.size > maxBytes; });
      if (big.length) {
        return "Tệp " + big.map(function (f) { return f.name; }).join(", ") + " lớn hơn " +
          Math.round(maxBytes / 1048576) + " MB.";
      }
      return "";
    }

    function show() {
      var text = problem();
      message.textContent = text;
      message.hidden = !text;
      if (text) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
      return text;
    }

    input.addEventListener("change", show);
    form.addEventListener("submit", function (event) {
      if (show()) { event.preventDefault(); input.focus(); }
    });
  }

  /* Consent is required before anything is sent; say so next to the box instead of a round trip. */
  function consentCheck() {
    var form = document.getElementById("petition-form");
    var box = document.getElementById("f-consent");
    if (!form || !box) { return; }
    var field = box.parentNode;
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented || box.checked) { return; }
      event.preventDefault();
      var message = document.getElementById("f-consent-error");
      if (!message) {
        message = document.createElement("p");
        message.className = "field-error";
        message.id = "f-consent-error";
        message.setAttribute("role", "alert");
        message.textContent = box.getAttribute("data-required-message");
        field.appendChild(message);
        box.setAttribute("aria-describedby", (box.getAttribute("aria-describedby") || "") + " f-consent-error");
      }
      field.classList.add("field--error");
      box.setAttribute("aria-invalid", "true");
      box.focus();
    });
    box.addEventListener("change", function () {
      if (box.checked) { box.removeAttribute("aria-invalid"); }
    });
  }

  /* Rows of representatives: hidden (and disabled, so not sent) below the threshold or for an anonymous
     petition; otherwise one row, more on request up to the law's maximum for that many people. A row
     already filled in is never hidden: the server then says what is wrong instead of dropping it. */
  function representatives() {
    var group = document.getElementById("crowd");
    var block = document.getElementById("representatives");
    var count = document.getElementById("f-co_signers");
    var add = document.getElementById("rep-add");
    var live = document.getElementById("rep-status");
    var anonymous = document.getElementById("f-anonymous");
    if (!group || !block || !count || !add) { return; }
    var threshold = parseInt(group.getAttribute("data-crowd"), 10);
    var limits = JSON.parse(group.getAttribute("data-limits") || "[]");
    var rows = Array.prototype.slice.call(block.querySelectorAll(".rep"));
    var shown = 0;
    var said = "";

    function filled(row) {
      return Array.prototype.some.call(row.querySelectorAll("input"), function (i) { return i.value.trim(); }) ||
        row.querySelector("[aria-invalid]") !== null;
    }

    function most(people) {
      var found = 0;
      limits.forEach(function (l) { if (people >= l[0]) { found = l[2]; } });
      return found;
    }

    function setRow(row, visible) {
      row.hidden = !visible;
      Array.prototype.forEach.call(row.querySelectorAll("input"), function (i) { i.disabled = !visible; });
    }

    function apply() {
      var n = parseInt(count.value, 10);
      var people = isNaN(n) || n < 0 ? 1 : n + 1;
      var crowd = people >= threshold && !(anonymous && anonymous.checked);
      var high = crowd ? most(people) : 0;
      var last = 0;
      rows.forEach(function (row, i) { if (filled(row)) { last = i + 1; } });
      var senderBox = document.getElementById("f-rep_self");
      shown = Math.max(crowd ? Math.min(high, Math.max(shown, 1)) : 0, last);
      block.hidden = !crowd && !last && !(senderBox && senderBox.checked);
      if (senderBox) { senderBox.disabled = block.hidden; }
      rows.forEach(function (row, i) { setRow(row, i < shown); });
      add.hidden = !crowd || shown >= high;
      var text = crowd ? "Đơn có " + people + " người cùng đứng tên: vui lòng ghi người đại diện (tối đa " +
        high + " người)." : "";
      if (live && text !== said) { live.textContent = text; said = text; }
    }

    add.addEventListener("click", function () {
      shown += 1;
      apply();
      var row = rows[shown - 1];
      if (row) { row.querySelector("input").focus(); }
    });
    count.addEventListener("input", apply);
    if (anonymous) { anonymous.addEventListener("change", apply); }
    apply();
  }

  function singleSubmit() {
    var form = document.getElementById("petition-form");
    var button = document.getElementById("submit-button");
    if (!form || !button) { return; }
    var sending = false;
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) { return; }
      if (sending) { event.preventDefault(); return; }
      sending = true;
      button.setAttribute("aria-disabled", "true");
      button.textContent = "Đang gửi…";
    });
    /* Coming back with the browser's Back button must leave a usable form. */
    window.addEventListener("pageshow", function () {
      sending = false;
      button.removeAttribute("aria-disabled");
      button.textContent = "Gửi đơn";
    });
  }

  function start() {
    focusErrorSummary();
    unitFilter();
    attachmentCheck();
    consentCheck();
    representatives();
    singleSubmit();
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
}());
