// biocap operator page: its own texts in the operator's language (texts.json: en, vi ...).
// Elements name their text with data-i18n (content), data-i18n-placeholder, data-i18n-title;
// scripts call t(key, {name: value}). The choice is remembered per browser; without one, the
// station's language (BIOCAP_LANG, from /v1/modalities) is used.
"use strict";

const I18N = { texts: { en: {} }, lang: "en" };

async function loadTexts() {
  try {
    const r = await fetch("/static/texts.json");
    if (r.ok) I18N.texts = await r.json();
  } catch (e) { /* the page still works in the keys' English */ }
  const chooser = document.getElementById("lang");
  for (const [code, texts] of Object.entries(I18N.texts)) {
    chooser.add(new Option(texts._name || code, code));
  }
  chooser.addEventListener("change", () => setLang(chooser.value, true));
  setLang(localStorage.getItem("biocap.lang") || I18N.lang);
}

function t(key, vars) {
  const text = (I18N.texts[I18N.lang] || {})[key] ?? I18N.texts.en[key] ?? key;
  return vars ? text.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? vars[k] : m)) : text;
}

// `chosen`: the operator picked it (remembered); otherwise a default that a later choice beats.
function setLang(lang, chosen = false) {
  if (!(lang in I18N.texts)) return;
  I18N.lang = lang;
  if (chosen) localStorage.setItem("biocap.lang", lang);
  document.documentElement.lang = lang;
  document.getElementById("lang").value = lang;
  document.title = t("title");
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of document.querySelectorAll("option[data-i18n-value]")) el.textContent = t(el.value);
  document.dispatchEvent(new CustomEvent("langchange", { detail: lang }));
}

function stationLang(lang) {
  if (!localStorage.getItem("biocap.lang")) setLang(lang);
}
