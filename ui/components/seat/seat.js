// A seat's page in the browser: the HTML of where the game stands, swapped in place.
//
// Why: a class is thirty seat pages, and a Streamlit rerun costs each browser about a quarter
// of a CPU second at every resolve (docs/PERFORMANCE.md). This component shows the HTML that
// ui/seat_page.py builds once per point of the game for every page of the seat. It holds a
// question open at the watch route (ui/serve.py: "answer when the game's log goes past what
// this page shows") and, only when the answer's mark (turn, status, branch, deadline, injected
// events) differs from the one shown, fetches the seat's HTML from the seat route and swaps it
// in: no rerun, nothing redrawn but this block. What a team has ticked or typed in a form of
// the same turn survives the swap. A Submit is a trigger value: one rerun of this page, which
// sends the submission and hands back what became of it. Without the routes (a plain
// `streamlit run ui/app.py`) it asks the page to look every few seconds instead, as a timer
// would. A hidden tab asks a quick question every few seconds instead of holding one open (a
// browser keeps at most six requests open to one address).

const HIDDEN_EVERY_MS = 3000;
const AT_LEAST_MS = 500;
const kept = new Map();  // component key -> {drawn, known, noticeId}: outlives a rerun's new mount

function hidden() { return document.visibilityState === "hidden"; }
function pause(ms) { return new Promise(function (done) { window.setTimeout(done, ms); }); }

function routeUrl(route, params) {
  // The routes sit at the app's root, wherever the app is served (a proxy may add a prefix).
  const page = new URL(window.location.href);
  const root = page.pathname.replace(/[^/]*$/, "");
  const query = new URLSearchParams(params).toString();
  return page.origin + root + route + "?" + query;
}

function fill(template, minutes, seconds) {
  return template.replace("{minutes}", String(minutes)).replace("{seconds}", String(seconds));
}

function formValues(root) {
  const form = root.querySelector("form.rp-form");
  if (!form) return null;
  const box = form.querySelector('textarea[name="statement"]');
  return {
    branch: Number(form.dataset.branch),
    turn: Number(form.dataset.turn),
    decisions: Array.from(form.querySelectorAll('input[name="decision"]:checked')).map(function (b) { return b.value; }),
    statement: box.value,
    unsent: box.value !== box.defaultValue,  // words typed and not sent (the box's own text was last submitted)
  };
}

function limitChoices(form) {
  const max = Number(form.dataset.max || "2");
  const boxes = Array.from(form.querySelectorAll('input[name="decision"]'));
  const full = boxes.filter(function (b) { return b.checked; }).length >= max;
  boxes.forEach(function (b) { b.disabled = full && !b.checked; });
}

export default function (component) {
  const { data, parentElement, setTriggerValue, key } = component;
  let root = parentElement.querySelector(".rp-root");
  if (!root) {
    root = document.createElement("div");
    root.className = "rp-root";
    root.innerHTML = '<div class="rp-notice" role="status"></div><div class="rp-body"></div>';
    parentElement.appendChild(root);
  }
  const noticeBox = root.querySelector(".rp-notice");
  const bodyBox = root.querySelector(".rp-body");
  // drawn: the page's HTML shown (its seq, mark, language); known: the last log position the
  // watch heard of (others' submissions move it without anything to draw).
  const state = kept.get(key) || { drawn: null, known: -1, noticeId: null };
  kept.set(key, state);
  let left = null;       // seconds to the deadline when `leftAt` was taken
  let leftAt = 0;
  let stopped = false;
  let held = null;

  function drawClock() {
    const clock = bodyBox.querySelector("[data-rp-clock]");
    if (!clock) return;
    let text = data.texts.none;
    if (left !== null && left !== undefined) {
      const now = left - (performance.now() - leftAt) / 1000;
      text = now <= 0 ? data.texts.over : fill(data.texts.left, Math.floor(now / 60), Math.floor(now % 60));
    }
    if (clock.textContent !== text) clock.textContent = text;
  }

  // Show a page of the game unless a later one is shown; keep what the team typed in a form
  // of the same turn (a deadline set, an injected event, this page's own submission refused).
  function show(page) {
    if (state.drawn && page.seq < state.drawn.seq) return;
    left = page.left;
    leftAt = performance.now();
    const reading = data.lang + "|" + data.places;
    if (!state.drawn || page.seq !== state.drawn.seq || state.drawn.reading !== reading || !bodyBox.firstChild) {
      const typed = formValues(bodyBox);
      bodyBox.innerHTML = page.html;
      const form = bodyBox.querySelector("form.rp-form");
      if (form && typed) {
        const box = form.querySelector('textarea[name="statement"]');
        if (Number(form.dataset.branch) === typed.branch && Number(form.dataset.turn) === typed.turn) {
          form.querySelectorAll('input[name="decision"]').forEach(function (b) { b.checked = typed.decisions.includes(b.value); });
          box.value = typed.statement;
        } else {
          if (!box.value && typed.unsent) box.value = typed.statement;  // a new turn: the choices go, unsent words stay
          noticeBox.innerHTML = "";  // what was said of the last turn's submission
        }
      }
      if (form) limitChoices(form);
    }
    state.drawn = { seq: page.seq, mark: page.mark, reading: reading };
    state.known = Math.max(state.known, page.seq);
    drawClock();
  }

  function showNotice(notice) {
    if (!notice || notice.id === state.noticeId) return;
    state.noticeId = notice.id;
    noticeBox.innerHTML = notice.html;
  }

  bodyBox.onchange = function (event) {
    const form = event.target.closest("form.rp-form");
    if (form) limitChoices(form);
  };
  bodyBox.onsubmit = function (event) {
    event.preventDefault();
    const values = formValues(bodyBox);
    const pressed = bodyBox.querySelector("form.rp-form button");
    if (pressed) {
      pressed.disabled = true;  // until the run's answer mounts this anew
      // or, if no answer comes (the connection dropped), long enough for the team to press again
      window.setTimeout(function () { pressed.disabled = false; }, 10000);
    }
    setTriggerValue("submit", values);
  };

  show(data.page);
  showNotice(data.notice);
  const button = bodyBox.querySelector("form.rp-form button");
  if (button) button.disabled = false;  // this run answered the last Submit
  const clockTimer = window.setInterval(drawClock, 1000);

  async function ask(url) {
    held = new AbortController();
    try {
      const response = await fetch(url, { cache: "no-store", credentials: "same-origin", signal: held.signal });
      if (!response.ok) throw new Error("status " + response.status);
      return await response.json();
    } finally {
      held = null;
    }
  }

  async function watchLoop() {
    let failures = 0;
    let ticks = 0;
    while (!stopped) {
      if (failures >= 3) {
        // No route (or it keeps failing): let the page look for itself every few seconds.
        for (let k = 0; k < 10 && !stopped; k += 1) {
          await pause(1000);
          ticks += 1;
          if (ticks % data.fallback_every === 0) setTriggerValue("look", ticks);
        }
        failures = 2;
        continue;
      }
      const quick = hidden();
      const asked = performance.now();
      try {
        const answer = await ask(routeUrl(data.watch_route,
          { code: data.code, after: state.known, wait: quick ? 0 : data.wait_s }));
        failures = 0;
        if (answer.seq > state.known) {
          if (JSON.stringify(answer.mark) === JSON.stringify(state.drawn.mark)) {
            state.known = answer.seq;  // submissions (others', or this page's own: its run redraws it)
          } else {
            show(await ask(routeUrl(data.seat_route,
              { code: data.code, lang: data.lang, places: data.places, at_least: answer.seq })));
          }
        }
      } catch (err) {
        if (stopped) return;
        if (!(err && err.name === "AbortError")) failures += 1;
        await pause(1000);
        continue;
      }
      const took = performance.now() - asked;
      if (hidden()) await pause(HIDDEN_EVERY_MS);
      else if (took < AT_LEAST_MS) await pause(AT_LEAST_MS - took);
    }
  }

  function onVisibility() { if (hidden() && held !== null) held.abort(); }
  document.addEventListener("visibilitychange", onVisibility);
  watchLoop();

  return function () {
    stopped = true;
    window.clearInterval(clockTimer);
    document.removeEventListener("visibilitychange", onVisibility);
    if (held !== null) held.abort();
  };
}
