/* The phone simulator: each frame is one simulated phone texting Tremplin.
 *
 * Why it is written this way:
 * - Text from the bot or the person is always put in with textContent, never innerHTML: a message
 *   is shown exactly as an SMS would show it and can never become markup.
 * - The tab remembers only its own phones (sessionStorage): the page never lists anyone else's.
 * - Requests for one phone run one after another, so a poll and a send never race.
 * - Each answer says the conversation's locale and direction; a phone texting in Arabic, Dari or
 *   Pashto is laid out right to left like the candidate's own phone, while each bubble keeps
 *   dir="auto" so a message in another script still reads the right way.
 */
(function () {
  "use strict";

  var STORE = "tremplin.simulator.phones";
  var MAX_KEPT = 300; // messages kept per phone across reloads
  var POLL_EVERY_MS = 5000;

  var body = document.body;
  var urls = {
    phones: body.dataset.phonesUrl,
    send: body.dataset.sendUrl,
    poll: body.dataset.pollUrl,
  };
  var container = document.getElementById("phones");
  var template = document.getElementById("phone-template");
  var notice = document.getElementById("notice");
  var phones = []; // {number, display, locale, dir, messages, queue, frame}
  var counter = 0;

  function load() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(STORE) || "[]");
      return Array.isArray(saved) ? saved : [];
    } catch (error) {
      return [];
    }
  }

  function save() {
    var data = phones.map(function (phone) {
      return {
        number: phone.number,
        display: phone.display,
        locale: phone.locale,
        dir: phone.dir,
        messages: phone.messages.slice(-MAX_KEPT),
      };
    });
    try {
      sessionStorage.setItem(STORE, JSON.stringify(data));
    } catch (error) {
      /* storage full or off: the phones still work for this visit */
    }
  }

  function say(text) {
    notice.textContent = text;
    notice.hidden = !text;
  }

  function request(method, url, payload) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    };
    if (payload !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    return fetch(url, options).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          throw new Error(data.error || "HTTP " + response.status);
        }
        return data;
      });
    });
  }

  // One request at a time per phone; an error does not block the ones after it.
  function enqueue(phone, task) {
    var next = phone.queue.then(task, task);
    phone.queue = next.catch(function () {});
    return next;
  }

  // What the operator bills, as a tester needs to see it: "GSM-7 · 1 SMS", "UCS-2 · 2 SMS".
  function segmentsLabel(message) {
    return message.encoding + " · " + message.segments + " SMS";
  }

  // The thread and the input box follow the conversation's language: "fa_AF" → lang="fa-AF".
  function layout(phone) {
    var dir = phone.dir === "rtl" ? "rtl" : "ltr";
    var thread = phone.frame.querySelector(".thread");
    thread.dir = dir;
    phone.frame.querySelector("textarea").dir = dir;
    if (typeof phone.locale === "string" && phone.locale) {
      thread.lang = phone.locale.replace(/_/g, "-");
    } else {
      thread.removeAttribute("lang");
    }
  }

  // The page's own words (French, Latin script) read left to right even in a mirrored thread.
  function note(className, text) {
    var line = document.createElement("p");
    line.className = className;
    line.dir = "ltr";
    line.lang = "fr";
    line.textContent = text;
    return line;
  }

  function markFailed(item, reason) {
    item.appendChild(note("meta failed", "Non envoyé : " + reason));
  }

  function bubble(phone, message) {
    var item = document.createElement("div");
    item.className = "message " + (message.from === "bot" ? "from-bot" : "from-me");
    if (message.step) {
      item.dataset.step = message.step;
    }
    var text = document.createElement("p");
    text.className = "bubble";
    text.dir = "auto";
    text.textContent = message.text;
    item.appendChild(text);
    if (message.from === "bot") {
      item.appendChild(note("meta", segmentsLabel(message)));
    } else if (message.failed) {
      markFailed(item, message.failed);
    }
    var thread = phone.frame.querySelector(".thread");
    thread.appendChild(item);
    thread.scrollTop = thread.scrollHeight;
    return item;
  }

  function receive(phone, data) {
    var messages = data.messages;
    var changed = data.locale !== phone.locale || data.dir !== phone.dir;
    phone.locale = data.locale;
    phone.dir = data.dir;
    if (changed) {
      layout(phone);
    }
    messages.forEach(function (received) {
      var message = {
        from: "bot",
        text: received.text,
        step: received.step,
        encoding: received.encoding,
        segments: received.segments,
      };
      phone.messages.push(message);
      bubble(phone, message);
    });
    if (messages.length || changed) {
      save();
    }
  }

  function poll(phone) {
    return enqueue(phone, function () {
      return request("GET", urls.poll + "?phone=" + encodeURIComponent(phone.number)).then(
        function (data) {
          receive(phone, data);
        }
      );
    });
  }

  function send(phone, text) {
    var message = { from: "me", text: text };
    phone.messages.push(message);
    var item = bubble(phone, message);
    save();
    var button = phone.frame.querySelector(".send");
    button.disabled = true;
    item.classList.add("pending");
    return enqueue(phone, function () {
      return request("POST", urls.send, { phone: phone.number, text: text });
    })
      .then(function (data) {
        receive(phone, data);
      })
      .catch(function (error) {
        message.failed = error.message;
        markFailed(item, error.message);
        save();
      })
      .then(function () {
        item.classList.remove("pending");
        button.disabled = false;
      });
  }

  function mount(phone) {
    counter += 1;
    var frame = template.content.firstElementChild.cloneNode(true);
    phone.frame = frame;
    phone.queue = Promise.resolve();
    frame.dataset.phone = phone.number;
    frame.setAttribute("aria-label", "Téléphone " + phone.display);
    frame.querySelector(".number-value").textContent = phone.display;

    var field = frame.querySelector("textarea");
    var label = frame.querySelector("label");
    field.id = "sms-" + counter;
    label.htmlFor = field.id;
    frame.querySelector(".close").setAttribute(
      "aria-label",
      "Fermer le téléphone " + phone.display
    );

    var form = frame.querySelector("form");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = field.value;
      if (!text.trim()) {
        return;
      }
      field.value = "";
      send(phone, text);
      field.focus();
    });
    field.addEventListener("keydown", function (event) {
      // Enter sends, Shift+Enter is a new line; never while an input method is composing.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    frame.querySelector(".close").addEventListener("click", function () {
      phones = phones.filter(function (other) {
        return other !== phone;
      });
      frame.remove();
      save();
    });

    layout(phone);
    container.appendChild(frame);
    phone.messages.forEach(function (message) {
      bubble(phone, message);
    });
    return frame;
  }

  function addPhone() {
    say("");
    return request("POST", urls.phones, {})
      .then(function (data) {
        var phone = {
          number: data.phone,
          display: data.display,
          locale: null,
          dir: "ltr",
          messages: [],
        };
        phones.push(phone);
        save();
        mount(phone).querySelector("textarea").focus();
      })
      .catch(function (error) {
        say("Impossible de créer un téléphone : " + error.message);
      });
  }

  function start() {
    load().forEach(function (saved) {
      if (!saved || typeof saved.number !== "string") {
        return;
      }
      var phone = {
        number: saved.number,
        display: String(saved.display || saved.number),
        locale: typeof saved.locale === "string" ? saved.locale : null,
        dir: saved.dir === "rtl" ? "rtl" : "ltr",
        messages: Array.isArray(saved.messages) ? saved.messages : [],
      };
      phones.push(phone);
      mount(phone);
      poll(phone).catch(function (error) {
        say("Relève impossible pour " + phone.display + " : " + error.message);
      });
    });
    if (!phones.length) {
      addPhone();
    }
    document.getElementById("new-phone").addEventListener("click", addPhone);
    // Messages queued by others (a coach's words) show up without a reload.
    setInterval(function () {
      if (document.visibilityState === "visible") {
        phones.forEach(function (phone) {
          poll(phone).catch(function () {});
        });
      }
    }, POLL_EVERY_MS);
  }

  start();
})();
