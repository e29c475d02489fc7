/* The receipt page's buttons (docs/receipts.md): Print sends the ESC/POS
   bytes to a Bluetooth (Web Bluetooth) or serial (Web Serial) printer where
   the browser can, else downloads the .bin file; Share image hands the PNG to
   the phone's share sheet, else downloads it. No library. */
(function () {
  "use strict";
  var box = document.getElementById("receipt-actions");
  if (!box) { return; }
  var status = document.getElementById("receipt-status");
  var CHUNK = 180;
  // GATT services that portable ESC/POS printers commonly offer.
  var SERVICES = [0x18f0, 0xff00, 0xffe0, 0xfee7,
    "e7810a71-73ae-499d-8c15-faa9aef0c3f2",
    "49535343-fe7d-4ae5-8fa9-9fafd205e455"];

  function say(key) { status.textContent = box.dataset[key] || ""; }

  function download(url, name) {
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function fetchBytes(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.arrayBuffer();
    });
  }

  function writable(services) {
    return Promise.all(services.map(function (s) {
      return s.getCharacteristics().catch(function () { return []; });
    })).then(function (lists) {
      var all = [].concat.apply([], lists);
      for (var i = 0; i < all.length; i++) {
        var p = all[i].properties;
        if (p.writeWithoutResponse || p.write) { return all[i]; }
      }
      throw new Error("no writable characteristic");
    });
  }

  function sendChunks(ch, data) {
    var bytes = new Uint8Array(data);
    var fast = ch.properties.writeWithoutResponse && ch.writeValueWithoutResponse;
    var chain = Promise.resolve();
    for (var at = 0; at < bytes.length; at += CHUNK) {
      (function (part) {
        chain = chain.then(function () {
          return fast ? ch.writeValueWithoutResponse(part) : ch.writeValue(part);
        });
      })(bytes.slice(at, at + CHUNK));
    }
    return chain;
  }

  function viaBluetooth(data) {
    var device;
    return navigator.bluetooth.requestDevice({
      acceptAllDevices: true, optionalServices: SERVICES
    }).then(function (d) {
      device = d;
      return d.gatt.connect();
    }).then(function (server) {
      return server.getPrimaryServices();
    }).then(writable).then(function (ch) {
      return sendChunks(ch, data);
    }).then(function () {
      if (device && device.gatt.connected) { device.gatt.disconnect(); }
    });
  }

  function viaSerial(data) {
    return navigator.serial.requestPort().then(function (port) {
      return port.open({ baudRate: 9600 }).then(function () {
        var writer = port.writable.getWriter();
        return writer.write(new Uint8Array(data)).then(function () {
          writer.releaseLock();
          return port.close();
        });
      });
    });
  }

  function print() {
    var url = box.dataset.bin;
    var name = box.dataset.name + ".bin";
    fetchBytes(url).then(function (data) {
      if (navigator.bluetooth) { return viaBluetooth(data); }
      if (navigator.serial) { return viaSerial(data); }
      throw new Error("no printer API");
    }).then(function () { say("msgSent"); }, function () {
      download(url, name);
      say("msgFailed");
    });
  }

  function share() {
    var url = box.dataset.png;
    var name = box.dataset.name + ".png";
    fetchBytes(url).then(function (data) {
      var file = new File([data], name, { type: "image/png" });
      if (navigator.canShare && navigator.canShare({ files: [file] })) {
        return navigator.share({ files: [file], title: box.dataset.name });
      }
      throw new Error("no share");
    }).catch(function (err) {
      if (err && err.name === "AbortError") { return; }
      download(url, name);
      say("msgSaved");
    });
  }

  box.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) { return; }
    if (button.dataset.action === "print") { print(); }
    if (button.dataset.action === "share") { share(); }
  });
})();
