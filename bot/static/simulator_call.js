/* The simulator's phone call: a keypad, a box standing for speech, and captions.
 *
 * - Every caption is put in with textContent, never innerHTML: the call's words stay words.
 * - Each caption says which voice speaks it (Twilio's, or espeak-ng's clip, which plays here);
 *   a caption in another script is laid out by dir="auto" and its own lang.
 * - Requests of one call run one after another; each sends the turn the last answer gave, as
 *   Twilio's <Gather> action does, so the server sees the same requests as from Twilio.
 */
(function () {
  "use strict";

  var body = document.body;
  var callUrl = body.dataset.callUrl;
  var phonesUrl = body.dataset.phonesUrl;
  var container = document.getElementById("phones");
  var template = document.getElementById("call-template");
  var notice = document.getElementById("notice");
  var button = document.getElementById("new-call");
  if (!callUrl || !template || !button) {
    return;
  }

  function post(url, payload) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          throw new Error(data.error || "HTTP " + response.status);
        }
        return data;
      });
    });
  }

  function line(call, className, text) {
    var item = document.createElement("p");
    item.className = "note " + className;
    item.textContent = text;
    call.captions.appendChild(item);
    call.captions.scrollTop = call.captions.scrollHeight;
  }

  function caption(call, said) {
    var item = document.createElement("div");
    item.className = "bubble in";
    item.setAttribute("dir", "auto");
    item.setAttribute("lang", said.lang);
    var words = document.createElement("p");
    words.textContent = said.text;
    item.appendChild(words);
    var voice = document.createElement("small");
    voice.setAttribute("dir", "ltr");
    voice.textContent = said.engine === "twilio" ? "voix Twilio (" + said.lang + ")" : "espeak-ng (" + said.lang + ")";
    item.appendChild(voice);
    if (said.clip) {
      var audio = document.createElement("audio");
      audio.controls = true;
      audio.preload = "none";
      audio.src = said.clip;
      item.appendChild(audio);
    }
    call.captions.appendChild(item);
    call.captions.scrollTop = call.captions.scrollHeight;
  }

  function you(call, text) {
    var item = document.createElement("div");
    item.className = "bubble out";
    item.setAttribute("dir", "auto");
    var words = document.createElement("p");
    words.textContent = text;
    item.appendChild(words);
    call.captions.appendChild(item);
  }

  function state(call) {
    var live = Boolean(call.sid) && !call.ended;
    call.frame.querySelector(".call-state").textContent = live
      ? call.listens === "dtmf"
        ? "en ligne · attend une touche"
        : "en ligne · écoute (voix ou clavier)"
      : "prêt à appeler";
    call.frame.querySelector(".dial").disabled = live;
    call.frame.querySelector(".hangup").disabled = !live;
    call.frame.querySelector(".silence").disabled = !live;
    call.frame.querySelectorAll(".key, .speech button, .speech input").forEach(function (el) {
      el.disabled = !live;
    });
  }

  function act(call, payload, shown) {
    call.queue = call.queue.then(function () {
      payload.phone = call.number;
      if (payload.action !== "call") {
        payload.call_sid = call.sid;
        payload.turn = call.turn;
      }
      if (shown) {
        you(call, shown);
      }
      return post(callUrl, payload)
        .then(function (data) {
          notice.hidden = true;
          call.sid = data.call_sid;
          if (payload.action === "hangup" || data.hung_up) {
            (data.said || []).forEach(function (said) { caption(call, said); });
            call.ended = true;
            line(call, "ended", "Appel terminé.");
          } else {
            call.ended = false;
            call.turn = data.turn;
            call.listens = data.listens;
            data.said.forEach(function (said) { caption(call, said); });
          }
          state(call);
        })
        .catch(function (error) {
          notice.textContent = "L'appel n'a pas abouti : " + error.message;
          notice.hidden = false;
        });
    });
  }

  function mount(call) {
    var frame = template.content.firstElementChild.cloneNode(true);
    call.frame = frame;
    call.captions = frame.querySelector(".captions");
    frame.querySelector(".number-value").textContent = call.display;
    frame.querySelector(".dial").addEventListener("click", function () {
      call.captions.textContent = "";
      act(call, { action: "call" }, null);
    });
    frame.querySelector(".hangup").addEventListener("click", function () {
      act(call, { action: "hangup" }, null);
    });
    frame.querySelector(".silence").addEventListener("click", function () {
      act(call, { action: "silence" }, "(silence)");
    });
    frame.querySelectorAll(".key").forEach(function (key) {
      key.addEventListener("click", function () {
        act(call, { action: "press", digits: key.dataset.key }, "touche " + key.dataset.key);
      });
    });
    var form = frame.querySelector(".speech");
    var field = form.querySelector("input");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = field.value.trim();
      if (!text) {
        return;
      }
      field.value = "";
      act(call, { action: "speak", text: text }, "« " + text + " »");
    });
    frame.querySelector(".close").addEventListener("click", function () {
      if (call.sid && !call.ended) {
        act(call, { action: "hangup" }, null);
      }
      frame.remove();
    });
    container.appendChild(frame);
    state(call);
  }

  button.addEventListener("click", function () {
    post(phonesUrl, { kind: "sms" })
      .then(function (data) {
        mount({ number: data.phone, display: data.display, queue: Promise.resolve() });
      })
      .catch(function (error) {
        notice.textContent = "Pas de nouveau téléphone : " + error.message;
        notice.hidden = false;
      });
  });
})();
