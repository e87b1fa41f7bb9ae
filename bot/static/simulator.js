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
 * - A WhatsApp phone draws what WhatsApp draws: quick-reply buttons under the message, a list
 *   behind its button, the name of the approved template a message went as. Pressing a button
 *   sends its number, as WhatsApp's ButtonPayload does; typing still works. "+25 h" moves the
 *   conversation's clock, so that the 24-hour window closes and reminders come due.
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
    advance: body.dataset.advanceUrl,
  };
  var container = document.getElementById("phones");
  var template = document.getElementById("phone-template");
  var notice = document.getElementById("notice");
  var phones = []; // {number, display, kind, locale, dir, messages, queue, frame}
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
        kind: phone.kind,
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

  function isWhatsApp(phone) {
    return phone.kind === "whatsapp";
  }

  // What WhatsApp shows under a message: its template's name, or that it is a WhatsApp message.
  function whatsappLabel(message) {
    if (message.template) {
      return "WhatsApp · modèle approuvé « " + message.template + " »";
    }
    return "WhatsApp";
  }

  function choiceButton(phone, option, className) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = className;
    button.dir = "auto";
    button.textContent = option.title;
    button.addEventListener("click", function () {
      send(phone, option.id, option.title);
    });
    return button;
  }

  // Quick replies as a row of buttons; a list behind one button that opens its rows.
  function interactive(phone, message) {
    var box = document.createElement("div");
    var choices = message.interactive;
    box.className = "choices " + choices.kind;
    if (choices.kind === "buttons") {
      choices.options.forEach(function (option) {
        box.appendChild(choiceButton(phone, option, "quick-reply"));
      });
      return box;
    }
    var opener = document.createElement("button");
    opener.type = "button";
    opener.className = "list-opener";
    opener.dir = "auto";
    opener.textContent = "☰ " + choices.button;
    opener.setAttribute("aria-expanded", "false");
    var rows = document.createElement("div");
    rows.className = "list-rows";
    rows.hidden = true;
    choices.options.forEach(function (option) {
      rows.appendChild(choiceButton(phone, option, "list-row"));
    });
    opener.addEventListener("click", function () {
      rows.hidden = !rows.hidden;
      opener.setAttribute("aria-expanded", rows.hidden ? "false" : "true");
    });
    box.appendChild(opener);
    box.appendChild(rows);
    return box;
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
    if (message.from === "clock") {
      item.className = "message clock";
      item.appendChild(note("meta", message.text));
      var clockThread = phone.frame.querySelector(".thread");
      clockThread.appendChild(item);
      return item;
    }
    var text = document.createElement("p");
    text.className = "bubble";
    text.dir = "auto";
    // On WhatsApp the buttons carry the choices: the text shows the question without numbers.
    text.textContent =
      message.interactive && message.interactive.body ? message.interactive.body : message.text;
    item.appendChild(text);
    if (message.from === "bot" && message.interactive) {
      item.appendChild(interactive(phone, message));
    }
    if (message.from === "bot") {
      item.appendChild(note("meta", isWhatsApp(phone) ? whatsappLabel(message) : segmentsLabel(message)));
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
        interactive: received.interactive || null,
        template: received.template || null,
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
      var query = "?phone=" + encodeURIComponent(phone.number) + "&kind=" + phone.kind;
      return request("GET", urls.poll + query).then(
        function (data) {
          receive(phone, data);
        }
      );
    });
  }

  // ``shown`` is what the person's own bubble says (a button's title) when it differs from
  // what is sent (the button's number).
  function send(phone, text, shown) {
    var message = { from: "me", text: shown || text };
    phone.messages.push(message);
    var item = bubble(phone, message);
    save();
    var button = phone.frame.querySelector(".send");
    button.disabled = true;
    item.classList.add("pending");
    return enqueue(phone, function () {
      return request("POST", urls.send, { phone: phone.number, text: text, kind: phone.kind });
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

  function advance(phone, hours) {
    var message = { from: "clock", text: "⏩ " + hours + " h plus tard…" };
    phone.messages.push(message);
    bubble(phone, message);
    save();
    return enqueue(phone, function () {
      return request("POST", urls.advance, {
        phone: phone.number,
        kind: phone.kind,
        hours: hours,
      });
    })
      .then(function (data) {
        if (data.advanced_hours && data.advanced_hours > hours) {
          var later = {
            from: "clock",
            text: "⏩ … et jusqu'à l'heure d'envoi des rappels (9 h – 19 h) : "
              + data.advanced_hours + " h en tout",
          };
          phone.messages.push(later);
          bubble(phone, later);
        }
        receive(phone, data);
      })
      .catch(function (error) {
        say("Impossible d'avancer l'horloge : " + error.message);
      });
  }

  function mount(phone) {
    counter += 1;
    var frame = template.content.firstElementChild.cloneNode(true);
    phone.frame = frame;
    phone.queue = Promise.resolve();
    frame.dataset.phone = phone.number;
    frame.dataset.kind = phone.kind;
    if (isWhatsApp(phone)) {
      frame.classList.add("whatsapp");
      frame.querySelector("label").textContent = "Votre message WhatsApp";
      frame.querySelector("textarea").placeholder = "Écrire un message…\u200e";
    }
    var kindLabel = isWhatsApp(phone) ? "WhatsApp " : "";
    frame.setAttribute("aria-label", "Téléphone " + kindLabel + phone.display);
    frame.querySelector(".number-value").textContent = phone.display;
    if (isWhatsApp(phone)) {
      frame.querySelector(".number-label").textContent = "WhatsApp";
    }
    var clock = frame.querySelector(".advance");
    clock.setAttribute("aria-label", "Avancer l'horloge de 25 heures (" + phone.display + ")");
    clock.addEventListener("click", function () {
      advance(phone, 25);
    });
    var other = frame.querySelector(".other-kind");
    other.textContent = isWhatsApp(phone) ? "Même numéro par SMS" : "Même numéro sur WhatsApp";
    other.addEventListener("click", function () {
      addPhone(isWhatsApp(phone) ? "sms" : "whatsapp", phone.number);
    });

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

  function addPhone(kind, number) {
    say("");
    var asked = { kind: kind === "whatsapp" ? "whatsapp" : "sms" };
    if (number) {
      asked.phone = number;
    }
    return request("POST", urls.phones, asked)
      .then(function (data) {
        var phone = {
          number: data.phone,
          display: data.display,
          kind: data.kind === "whatsapp" ? "whatsapp" : "sms",
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
        kind: saved.kind === "whatsapp" ? "whatsapp" : "sms",
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
      addPhone("sms");
    }
    document.getElementById("new-phone").addEventListener("click", function () {
      addPhone("sms");
    });
    document.getElementById("new-whatsapp").addEventListener("click", function () {
      addPhone("whatsapp");
    });
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
