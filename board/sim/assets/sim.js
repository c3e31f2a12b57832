// The simulator page: the LCD follows the phone's frames (server-sent
// events carry each new frame's number) and the buttons press keys.
"use strict";

const lcd = document.getElementById("lcd");
const hook = document.getElementById("hook");

function press(keys) {
  return fetch("api/keys", { method: "POST", body: keys });
}

for (const b of document.querySelectorAll("button[data-key]")) {
  b.addEventListener("click", () => {
    press(b.dataset.key);
    if (b === hook) {
      const off = b.dataset.key === "HOOK_OFF";
      b.dataset.key = off ? "HOOK_ON" : "HOOK_OFF";
      b.textContent = off ? "Hang up" : "Lift handset";
    }
  });
}

const keymap = {
  ArrowUp: "UP", ArrowDown: "DOWN", ArrowLeft: "LEFT", ArrowRight: "RIGHT",
  Enter: "OK", Backspace: "BACK", Escape: "BACK", m: "MENU",
  F1: "SOFT1", F2: "SOFT2", F3: "SOFT3", F4: "SOFT4",
};
document.addEventListener("keydown", (e) => {
  let key = keymap[e.key];
  if (!key && /^[0-9*#]$/.test(e.key)) key = e.key;
  if (e.key === "h") { hook.click(); e.preventDefault(); return; }
  if (key) { press(key); e.preventDefault(); }
});

const events = new EventSource("api/events");
events.onmessage = (e) => { lcd.src = "api/screen.png?f=" + encodeURIComponent(e.data); };
