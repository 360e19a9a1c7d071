/* clstr Maelstrom report: the page's script. Plain browser JavaScript, inlined
   into report.html with uPlot; it reads the run from <script id="data"> and
   draws the operation timeline (canvas), the space-time diagram of messages
   (SVG, only the chosen window) and the latency and throughput plots (uPlot). */
(function () {
  "use strict";

  /** At most this many arrows are drawn in the space-time diagram at once. */
  var MAX_ARROWS = 2000;
  var COLORS = {
    ok: "#2f9e44",
    fail: "#e8590c",
    info: "#f2b705",
    node: "#343a40",
    client: "#1c7ed6",
    service: "#7048e8",
    dropped: "#e03131",
    partition: "rgba(224, 49, 49, 0.09)",
    partitionText: "#c92a2a",
    event: "#868e96",
    window: "rgba(28, 126, 214, 0.14)",
    windowEdge: "#1c7ed6",
    laneShade: "#f8f9fb",
    grid: "#e9ecef",
    text: "#1f2933",
    muted: "#5f6b7a",
  };
  var F_PALETTE = ["#1c7ed6", "#0ca678", "#d6336c", "#7048e8", "#495057", "#15aabf", "#9c36b5", "#5c940d"];
  var OUTCOMES = ["ok", "fail", "info"];
  var OUTCOME_WORDS = ["OK", "failed (a definite error)", "unknown outcome (timed out, or an indefinite error)"];

  var data = JSON.parse(document.getElementById("data").textContent);
  var ops = decodeOps(data);
  var msgs = decodeMessages(data);
  var state = { start: 0, end: 0, hideClients: false, hideServices: false };
  var tooltip = createTooltip(document.getElementById("tooltip"));
  var timeline;
  var lamport;
  var charts = [];

  main();

  function main() {
    var w = defaultWindow();
    state.start = w.start;
    state.end = w.end;
    timeline = createTimeline(document.getElementById("timeline"), setWindow);
    lamport = createLamport(document.getElementById("lamport-wrap"));
    bindWindowControls();
    fillLegends();
    charts.push(latencyChart(document.getElementById("latency-chart")));
    charts.push(rateChart(document.getElementById("rate-chart")));
    redrawAll();
    window.addEventListener("resize", debounce(onResize, 120));
  }

  // ---- data ----

  function decodeOps(d) {
    return d.ops.map(function (o, i) {
      var finalPhase = o[6] === 1 || (d.finalAt != null && o[3] >= d.finalAt);
      return { i: i, client: o[0], node: o[1], f: o[2], inv: o[3], comp: o[4], outcome: o[5], final: o[6] === 1, finalPhase: finalPhase, request: o[7], reply: o[8] };
    });
  }

  /** Columns of message fields; times back in ms; arrive is NaN for messages that never arrived. */
  function decodeMessages(d) {
    var m = d.msgs;
    var n = m.src.length;
    var sent = new Float64Array(n);
    var arrive = new Float64Array(n);
    var t = 0;
    var longest = 0;
    for (var i = 0; i < n; i++) {
      t += m.sent[i];
      sent[i] = t / 10;
      arrive[i] = m.took[i] >= 0 ? (t + m.took[i]) / 10 : NaN;
      if (m.took[i] > longest) longest = m.took[i];
    }
    return { n: n, src: m.src, dest: m.dest, type: m.type, id: m.id, re: m.re, took: m.took, sent: sent, arrive: arrive, longest: longest / 10 };
  }

  function kindOfMessage(i) {
    var a = data.kinds[msgs.src[i]];
    var b = data.kinds[msgs.dest[i]];
    if (a === "client" || b === "client") return "client";
    if (a === "service" || b === "service") return "service";
    return "node";
  }

  /** Where a message's arrow ends: its arrival, or where a dropped one was lost. */
  function messageEnd(i) {
    if (msgs.took[i] >= 0) return msgs.arrive[i];
    return msgs.sent[i] + Math.max(1, data.latencyMs / 2);
  }

  /** A small slice after the clients start: about 150 messages, 100 to 500 ms. */
  function defaultWindow() {
    var start = data.clientsStartedAt != null ? data.clientsStartedAt : ops.length ? ops[0].inv : 0;
    start = Math.max(0, Math.floor(start));
    var first = firstSentAtOrAfter(start);
    var last = Math.min(msgs.n - 1, first + 150);
    var end = last >= first && last >= 0 ? msgs.sent[last] : start + 200;
    end = Math.min(Math.max(end, start + 100), start + 500);
    return { start: start, end: Math.ceil(end) };
  }

  /** The first message sent at or after t (binary search: messages are in send order). */
  function firstSentAtOrAfter(t) {
    var lo = 0;
    var hi = msgs.n;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (msgs.sent[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // ---- window ----

  function setWindow(start, end) {
    start = Math.max(0, Math.round(start * 10) / 10);
    end = Math.round(end * 10) / 10;
    if (!(end > start)) end = start + 1;
    state.start = start;
    state.end = end;
    document.getElementById("window-start").value = String(start);
    document.getElementById("window-end").value = String(end);
    timeline.drawOverlay();
    lamport.render();
  }

  function bindWindowControls() {
    var startInput = document.getElementById("window-start");
    var endInput = document.getElementById("window-end");
    startInput.value = String(state.start);
    endInput.value = String(state.end);
    var fromInputs = function () {
      var s = Number(startInput.value);
      var e = Number(endInput.value);
      if (Number.isFinite(s) && Number.isFinite(e)) setWindow(s, e);
    };
    startInput.addEventListener("change", fromInputs);
    endInput.addEventListener("change", fromInputs);
    document.getElementById("window-earlier").addEventListener("click", function () {
      var width = state.end - state.start;
      var start = Math.max(0, state.start - width);
      setWindow(start, start + width);
    });
    document.getElementById("window-later").addEventListener("click", function () {
      var width = state.end - state.start;
      setWindow(state.start + width, state.end + width);
    });
    document.getElementById("hide-clients").addEventListener("change", function (e) {
      state.hideClients = e.target.checked;
      lamport.render();
    });
    document.getElementById("hide-services").addEventListener("change", function (e) {
      state.hideServices = e.target.checked;
      lamport.render();
    });
  }

  function redrawAll() {
    timeline.layout();
    lamport.render();
  }

  function onResize() {
    redrawAll();
    charts.forEach(function (c) {
      if (c) c.setSize({ width: chartWidth(c.root.parentElement), height: c.height });
    });
  }

  // ---- legends ----

  function fillLegends() {
    document.getElementById("timeline-legend").innerHTML = [
      swatch(COLORS.ok, "OK"),
      swatch(COLORS.fail, "Failed"),
      swatch(COLORS.info, "Unknown outcome"),
      '<span><i class="swatch final" style="background-color:' + COLORS.ok + '"></i>Final phase (after the network healed)</span>',
      swatch(COLORS.partition, "Network partition", "outline:1px solid #ffc9c9"),
      swatch(COLORS.window, "Window shown in the message diagram", "outline:1px solid " + COLORS.windowEdge),
    ].join("");
    document.getElementById("lamport-legend").innerHTML = [
      swatch(COLORS.node, "Between nodes", "", true),
      swatch(COLORS.client, "To or from a client", "", true),
      swatch(COLORS.service, "To or from a service", "", true),
      '<span><b style="color:' + COLORS.dropped + '">&#x2715;</b>Dropped (by a partition or by loss)</span>',
      swatch(COLORS.partition, "Network partition", "outline:1px solid #ffc9c9"),
    ].join("");
  }

  function swatch(color, label, style, line) {
    return '<span><i class="swatch' + (line ? " line" : "") + '" style="background:' + color + ";" + (style || "") + '"></i>' + escapeXml(label) + "</span>";
  }

  // ---- timeline of client operations (canvas) ----

  function createTimeline(canvas, onWindow) {
    var LEFT = 48;
    var RIGHT = 16;
    var TOP = 18;
    var BOTTOM = 24;
    var lanes = clientLanes();
    var laneOf = new Map(lanes.map(function (c, k) { return [c, k]; }));
    var t0 = timelineStart();
    var t1 = Math.max(data.endMs, t0 + 1);
    var base = document.createElement("canvas");
    var size = { w: 0, h: 0, laneH: 0, dpr: 1 };
    var hits = [];
    var drag = null;
    var hover = null;

    canvas.dataset.bars = String(ops.length);
    document.getElementById("timeline-count").textContent = timelineSummary();
    canvas.addEventListener("mousemove", onMove);
    canvas.addEventListener("mouseleave", function () {
      hover = null;
      tooltip.hide();
      if (!drag) drawOverlay();
    });
    canvas.addEventListener("mousedown", function (e) {
      drag = { x0: localX(e), x1: localX(e) };
      tooltip.hide();
    });
    window.addEventListener("mouseup", onUp);

    function clientLanes() {
      var seen = new Set(ops.map(function (o) { return o.client; }));
      return data.procs.map(function (_, k) { return k; }).filter(function (k) { return seen.has(k); });
    }

    function timelineStart() {
      var first = data.clientsStartedAt != null ? data.clientsStartedAt : ops.length ? ops[0].inv : 0;
      return Math.max(0, first - 0.02 * Math.max(1, data.endMs - first));
    }

    function x(t) {
      return LEFT + ((t - t0) / (t1 - t0)) * (size.w - LEFT - RIGHT);
    }

    function timeAt(px) {
      return t0 + ((px - LEFT) / (size.w - LEFT - RIGHT)) * (t1 - t0);
    }

    function localX(e) {
      return Math.min(Math.max(e.clientX - canvas.getBoundingClientRect().left, LEFT), size.w - RIGHT);
    }

    function layout() {
      size.dpr = window.devicePixelRatio || 1;
      size.w = Math.max(400, canvas.parentElement.clientWidth);
      size.laneH = Math.max(10, Math.min(24, Math.floor(380 / Math.max(1, lanes.length))));
      size.h = TOP + lanes.length * size.laneH + BOTTOM;
      for (var c of [canvas, base]) {
        c.width = Math.round(size.w * size.dpr);
        c.height = Math.round(size.h * size.dpr);
      }
      canvas.style.width = size.w + "px";
      canvas.style.height = size.h + "px";
      drawBase();
      drawOverlay();
    }

    function drawBase() {
      var ctx = base.getContext("2d");
      ctx.setTransform(size.dpr, 0, 0, size.dpr, 0, 0);
      ctx.clearRect(0, 0, size.w, size.h);
      var bottom = TOP + lanes.length * size.laneH;
      drawLaneShading(ctx);
      drawPartitions(ctx, bottom);
      drawEvents(ctx, bottom);
      drawBars(ctx);
      drawTimeAxis(ctx, bottom);
      drawLaneLabels(ctx);
    }

    function drawLaneShading(ctx) {
      lanes.forEach(function (_, k) {
        if (k % 2 === 1) {
          ctx.fillStyle = COLORS.laneShade;
          ctx.fillRect(LEFT, TOP + k * size.laneH, size.w - LEFT - RIGHT, size.laneH);
        }
      });
    }

    function drawPartitions(ctx, bottom) {
      ctx.font = "11px system-ui, sans-serif";
      ctx.textBaseline = "top";
      data.partitions.forEach(function (p) {
        var a = x(p[0]);
        var b = x(p[1]);
        ctx.fillStyle = COLORS.partition;
        ctx.fillRect(a, TOP, b - a, bottom - TOP);
        clippedText(ctx, partitionLabel(p[2]), a + 3, 3, b - a - 6, COLORS.partitionText);
      });
    }

    function drawEvents(ctx, bottom) {
      ctx.font = "11px system-ui, sans-serif";
      ctx.textBaseline = "top";
      [["clients started", data.clientsStartedAt], ["final reads", data.finalAt]].forEach(function (e) {
        if (e[1] == null) return;
        var px = x(e[1]);
        ctx.strokeStyle = COLORS.event;
        ctx.setLineDash([4, 3]);
        ctx.beginPath();
        ctx.moveTo(px + 0.5, TOP);
        ctx.lineTo(px + 0.5, bottom);
        ctx.stroke();
        ctx.setLineDash([]);
        var w = ctx.measureText(e[0]).width;
        ctx.fillStyle = COLORS.muted;
        ctx.fillText(e[0], Math.min(px + 3, size.w - RIGHT - w), 3);
      });
    }

    function drawBars(ctx) {
      hits = lanes.map(function () { return []; });
      var hatch = hatchPattern(ctx);
      var barH = Math.max(6, size.laneH - 5);
      ops.forEach(function (op) {
        var lane = laneOf.get(op.client);
        var a = x(op.inv);
        var b = Math.max(a + 2, x(op.comp != null ? op.comp : data.endMs));
        var y = TOP + lane * size.laneH + (size.laneH - barH) / 2;
        ctx.globalAlpha = op.comp == null ? 0.5 : 1;
        ctx.fillStyle = COLORS[OUTCOMES[op.outcome]];
        ctx.fillRect(a, y, b - a, barH);
        ctx.globalAlpha = 1;
        if (op.finalPhase) {
          ctx.fillStyle = hatch;
          ctx.fillRect(a, y, b - a, barH);
          ctx.strokeStyle = COLORS.text;
          ctx.lineWidth = 1;
          ctx.strokeRect(a + 0.5, y + 0.5, b - a - 1, barH - 1);
        }
        hits[lane].push({ op: op, a: a, b: b });
      });
    }

    function hatchPattern(ctx) {
      var tile = document.createElement("canvas");
      tile.width = tile.height = 6;
      var t = tile.getContext("2d");
      t.strokeStyle = "rgba(255, 255, 255, 0.75)";
      t.lineWidth = 2;
      t.beginPath();
      t.moveTo(0, 6);
      t.lineTo(6, 0);
      t.stroke();
      return ctx.createPattern(tile, "repeat");
    }

    function drawTimeAxis(ctx, bottom) {
      ctx.strokeStyle = COLORS.grid;
      ctx.fillStyle = COLORS.muted;
      ctx.font = "11px system-ui, sans-serif";
      ctx.textBaseline = "top";
      ctx.textAlign = "center";
      var step = niceStep(t1 - t0, Math.max(3, Math.floor((size.w - LEFT - RIGHT) / 90)));
      ticks(t0, t1, step).forEach(function (t) {
        var px = Math.round(x(t)) + 0.5;
        ctx.beginPath();
        ctx.moveTo(px, bottom);
        ctx.lineTo(px, bottom + 4);
        ctx.stroke();
        ctx.fillText(formatMs(t, step), px, bottom + 5);
      });
      ctx.textAlign = "left";
      ctx.beginPath();
      ctx.moveTo(LEFT, bottom + 0.5);
      ctx.lineTo(size.w - RIGHT, bottom + 0.5);
      ctx.stroke();
    }

    function drawLaneLabels(ctx) {
      ctx.fillStyle = COLORS.text;
      ctx.font = "600 11px system-ui, sans-serif";
      ctx.textBaseline = "middle";
      var every = Math.ceil(12 / size.laneH);
      lanes.forEach(function (c, k) {
        if (k % every === 0) ctx.fillText(data.procs[c], 6, TOP + (k + 0.5) * size.laneH);
      });
    }

    function drawOverlay() {
      var ctx = canvas.getContext("2d");
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(base, 0, 0);
      ctx.setTransform(size.dpr, 0, 0, size.dpr, 0, 0);
      var bottom = TOP + lanes.length * size.laneH;
      var from = drag ? Math.min(drag.x0, drag.x1) : Math.max(LEFT, x(state.start));
      var to = drag ? Math.max(drag.x0, drag.x1) : Math.min(size.w - RIGHT, x(state.end));
      if (to > LEFT && from < size.w - RIGHT) {
        var w = Math.max(2, to - from);
        ctx.fillStyle = COLORS.window;
        ctx.fillRect(from, TOP, w, bottom - TOP);
        ctx.strokeStyle = COLORS.windowEdge;
        ctx.lineWidth = 1;
        ctx.strokeRect(from + 0.5, TOP + 0.5, w - 1, bottom - TOP - 1);
      }
      if (hover) {
        ctx.strokeStyle = COLORS.text;
        ctx.lineWidth = 2;
        var barH = Math.max(6, size.laneH - 5);
        var y = TOP + laneOf.get(hover.op.client) * size.laneH + (size.laneH - barH) / 2;
        ctx.strokeRect(hover.a - 1, y - 1, hover.b - hover.a + 2, barH + 2);
      }
    }

    function onMove(e) {
      if (drag) {
        drag.x1 = localX(e);
        drawOverlay();
        return;
      }
      var r = canvas.getBoundingClientRect();
      hover = hitAt(e.clientX - r.left, e.clientY - r.top);
      drawOverlay();
      if (hover) showOperation(e, hover.op);
      else tooltip.hide();
    }

    function onUp() {
      if (!drag) return;
      var d = drag;
      drag = null;
      if (Math.abs(d.x1 - d.x0) >= 4) {
        onWindow(timeAt(Math.min(d.x0, d.x1)), timeAt(Math.max(d.x0, d.x1)));
      } else if (hover) {
        var op = hover.op;
        var end = op.comp != null ? op.comp : op.inv + 4 * Math.max(5, data.latencyMs);
        var pad = Math.max(5, (end - op.inv) * 0.1);
        onWindow(op.inv - pad, end + pad);
        document.getElementById("lamport-section").scrollIntoView({ behavior: "smooth", block: "start" });
      } else drawOverlay();
    }

    function hitAt(px, py) {
      var lane = Math.floor((py - TOP) / size.laneH);
      if (lane < 0 || lane >= lanes.length) return null;
      var best = null;
      var bestDistance = 4;
      hits[lane].forEach(function (h) {
        var d = px < h.a ? h.a - px : px > h.b ? px - h.b : 0;
        if (d < bestDistance || (d === 0 && best && h.b - h.a < best.b - best.a)) {
          best = h;
          bestDistance = d;
        }
      });
      return best;
    }

    function timelineSummary() {
      var counts = [0, 0, 0];
      var finals = 0;
      var open = 0;
      ops.forEach(function (o) {
        counts[o.outcome]++;
        if (o.finalPhase) finals++;
        if (o.comp == null) open++;
      });
      return (
        plural(ops.length, "operation") + " from " + plural(lanes.length, "client") + ": " +
        counts[0] + " OK, " + counts[1] + " failed, " + counts[2] + " with an unknown outcome" +
        (finals ? "; " + finals.toLocaleString("en-US") + " in the final phase" : "") +
        (open ? "; " + open + " got no reply before the test ended" : "") + "."
      );
    }

    return { layout: layout, drawOverlay: drawOverlay };
  }

  function showOperation(e, op) {
    var title = data.fs[op.f] + " by " + data.procs[op.client] + " on " + data.procs[op.node];
    var rows = [
      "Outcome: " + (op.comp == null ? "no reply before the test ended" : OUTCOME_WORDS[op.outcome]),
      "Sent at " + fmt(op.inv) + " ms" + (op.comp != null ? ", reply at " + fmt(op.comp) + " ms (" + fmt(op.comp - op.inv) + " ms)" : ""),
    ];
    if (op.final) rows.push("Final phase, after the network healed: one of the final reads the checker uses.");
    else if (op.finalPhase) rows.push("Final phase, after the network healed: an earlier round, before the nodes agreed.");
    tooltip.show(e, title, rows, [["Request", op.request], ["Reply", op.reply == null ? "none" : op.reply]]);
  }

  function partitionLabel(what) {
    var isolated = /^isolated (.*)$/.exec(what);
    if (isolated) return isolated[1] + " isolated";
    return what.replace(/^partitioned /, "partition ");
  }

  // ---- space-time diagram of messages (SVG) ----

  function createLamport(wrap) {
    var LEFT = 70;
    var RIGHT = 24;
    var TOP = 34;
    var active = activeProcesses();

    wrap.addEventListener("mouseover", function (e) {
      var g = e.target.closest && e.target.closest("g.msg");
      if (g) showMessage(e, Number(g.getAttribute("data-i")));
    });
    wrap.addEventListener("mousemove", function (e) {
      if (!tooltip.visible()) return;
      tooltip.move(e);
    });
    wrap.addEventListener("mouseout", function (e) {
      var g = e.target.closest && e.target.closest("g.msg");
      if (g && !(e.relatedTarget && g.contains(e.relatedTarget))) tooltip.hide();
    });

    /** Nodes always; services and clients that sent or got a message. */
    function activeProcesses() {
      var has = new Uint8Array(data.procs.length);
      for (var i = 0; i < msgs.n; i++) has[msgs.src[i]] = has[msgs.dest[i]] = 1;
      return data.procs.map(function (_, k) { return k; }).filter(function (k) { return data.kinds[k] === "node" || has[k]; });
    }

    function shownProcesses() {
      return active.filter(function (k) {
        var kind = data.kinds[k];
        return !(kind === "client" && state.hideClients) && !(kind === "service" && state.hideServices);
      });
    }

    function shownMessage(i) {
      var kind = kindOfMessage(i);
      return !(kind === "client" && state.hideClients) && !(kind === "service" && state.hideServices);
    }

    /** Messages in flight during the window (sent before its end, arrived after its start), in send order. */
    function messagesInWindow() {
      var found = [];
      var total = 0;
      var from = firstSentAtOrAfter(state.start - msgs.longest - data.latencyMs - 1);
      for (var i = from; i < msgs.n && msgs.sent[i] <= state.end; i++) {
        if (Math.max(messageEnd(i), msgs.sent[i]) < state.start || !shownMessage(i)) continue;
        total++;
        if (found.length < MAX_ARROWS) found.push(i);
      }
      return { found: found, total: total };
    }

    function render() {
      var lanes = shownProcesses();
      var row = new Map(lanes.map(function (k, n) { return [k, n]; }));
      var width = Math.max(500, wrap.clientWidth);
      var gap = Math.max(22, Math.min(40, Math.floor(560 / Math.max(1, lanes.length))));
      var height = TOP + lanes.length * gap + 12;
      var span = state.end - state.start;
      var x = function (t) { return LEFT + ((t - state.start) / span) * (width - LEFT - RIGHT); };
      var y = function (k) { return TOP + (row.get(k) + 0.5) * gap; };
      var picked = messagesInWindow();
      var parts = [
        '<svg id="lamport" xmlns="http://www.w3.org/2000/svg" width="' + width + '" height="' + height + '" viewBox="0 0 ' + width + " " + height + '">',
        svgDefs(width, height),
        axisSvg(x, width, height),
        partitionsSvg(x, width, height),
        eventsSvg(x, height),
        lanesSvg(lanes, y, width),
        '<g clip-path="url(#plot-clip)">',
        picked.found.map(function (i) { return messageSvg(i, x, y, row, picked.found.length); }).join(""),
        "</g>",
        "</svg>",
      ];
      wrap.innerHTML = parts.join("");
      var svg = wrap.firstChild;
      svg.setAttribute("data-arrows", String(picked.found.length));
      svg.setAttribute("data-total", String(picked.total));
      describeWindow(picked);
    }

    function svgDefs(width, height) {
      var marker = function (id, color) {
        return '<marker id="' + id + '" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="' + color + '"/></marker>';
      };
      return (
        "<defs>" + marker("arrow-node", COLORS.node) + marker("arrow-client", COLORS.client) + marker("arrow-service", COLORS.service) +
        '<clipPath id="plot-clip"><rect x="' + LEFT + '" y="0" width="' + (width - LEFT - RIGHT) + '" height="' + height + '"/></clipPath></defs>'
      );
    }

    function axisSvg(x, width, height) {
      var step = niceStep(state.end - state.start, Math.max(3, Math.floor((width - LEFT - RIGHT) / 90)));
      var out = ['<g class="axis">'];
      ticks(state.start, state.end, step).forEach(function (t) {
        var px = x(t).toFixed(1);
        out.push('<line x1="' + px + '" x2="' + px + '" y1="' + (TOP - 6) + '" y2="' + (height - 8) + '" stroke="' + COLORS.grid + '"/>');
        out.push('<text x="' + px + '" y="' + (TOP - 10) + '" text-anchor="middle">' + escapeXml(formatMs(t, step, true)) + "</text>");
      });
      out.push("</g>");
      return out.join("");
    }

    function partitionsSvg(x, width, height) {
      return data.partitions
        .filter(function (p) { return p[1] >= state.start && p[0] <= state.end; })
        .map(function (p) {
          var a = Math.max(LEFT, x(p[0]));
          var b = Math.min(width - RIGHT, x(p[1]));
          var label = escapeXml(partitionLabel(p[2]));
          return '<rect x="' + a.toFixed(1) + '" y="' + (TOP - 4) + '" width="' + Math.max(0, b - a).toFixed(1) + '" height="' + (height - TOP - 4) + '" fill="' + COLORS.partition + '"><title>' + label + "</title></rect>" +
            '<text class="event-label" x="' + (a + 3).toFixed(1) + '" y="10">' + label + "</text>";
        })
        .join("");
    }

    function eventsSvg(x, height) {
      return data.events
        .filter(function (e) { return e[0] >= state.start && e[0] <= state.end && !/^(partitioned|isolated) /.test(e[1]); })
        .map(function (e) {
          var px = x(e[0]).toFixed(1);
          return '<line x1="' + px + '" x2="' + px + '" y1="' + (TOP - 4) + '" y2="' + (height - 8) + '" stroke="' + COLORS.event + '" stroke-dasharray="4 3"><title>' + escapeXml(e[1]) + "</title></line>" +
            '<text x="' + (Number(px) + 3) + '" y="10" fill="' + COLORS.muted + '">' + escapeXml(e[1]) + "</text>";
        })
        .join("");
    }

    function lanesSvg(lanes, y, width) {
      return lanes
        .map(function (k) {
          var py = y(k).toFixed(1);
          return '<line x1="' + LEFT + '" x2="' + (width - RIGHT) + '" y1="' + py + '" y2="' + py + '" stroke="#adb5bd"/>' +
            '<text class="lane-label ' + data.kinds[k] + '" x="' + (LEFT - 8) + '" y="' + py + '" dy="0.35em" text-anchor="end">' + escapeXml(data.procs[k]) + "</text>";
        })
        .join("");
    }

    function messageSvg(i, x, y, row, drawn) {
      if (!row.has(msgs.src[i]) || !row.has(msgs.dest[i])) return "";
      var kind = kindOfMessage(i);
      var x1 = x(msgs.sent[i]);
      var y1 = y(msgs.src[i]);
      var x2 = x(messageEnd(i));
      var y2 = y(msgs.dest[i]);
      var took = msgs.took[i];
      var coords;
      var g = '<g class="msg ' + kind + '" data-i="' + i + '">';
      if (took >= 0) {
        coords = 'x1="' + x1.toFixed(1) + '" y1="' + y1.toFixed(1) + '" x2="' + x2.toFixed(1) + '" y2="' + y2.toFixed(1) + '"';
        return g + '<line class="shown" ' + coords + ' stroke="' + COLORS[kind] + '" stroke-width="1.3" marker-end="url(#arrow-' + kind + ')"/><line class="hit" ' + coords + "/></g>";
      }
      var ym = y1 + (y2 - y1) / 2;
      coords = 'x1="' + x1.toFixed(1) + '" y1="' + y1.toFixed(1) + '" x2="' + x2.toFixed(1) + '" y2="' + ym.toFixed(1) + '"';
      var color = took === -3 ? COLORS.event : COLORS.dropped;
      var label = took === -1 ? "partition" : took === -2 ? "loss" : "never arrived";
      return (
        g + '<line class="shown" ' + coords + ' stroke="' + color + '" stroke-width="1.3" stroke-dasharray="4 2"/><line class="hit" ' + coords + "/>" +
        crossSvg(x2, ym, color) +
        (drawn <= 300 ? '<text class="drop-label" x="' + (x2 + 6).toFixed(1) + '" y="' + (ym + 3).toFixed(1) + '">' + label + "</text>" : "") +
        "</g>"
      );
    }

    function crossSvg(cx, cy, color) {
      var d = 4;
      return '<path d="M' + (cx - d).toFixed(1) + "," + (cy - d).toFixed(1) + " L" + (cx + d).toFixed(1) + "," + (cy + d).toFixed(1) + " M" + (cx - d).toFixed(1) + "," + (cy + d).toFixed(1) + " L" + (cx + d).toFixed(1) + "," + (cy - d).toFixed(1) + '" stroke="' + color + '" stroke-width="2"/>';
    }

    function describeWindow(picked) {
      var el = document.getElementById("lamport-count");
      var range = "between " + fmt(state.start) + " ms and " + fmt(state.end) + " ms";
      var text;
      if (picked.total === 0) text = "No messages " + range + ". Choose another window, or drag across the operation timeline above.";
      else if (picked.total > picked.found.length) {
        text = "This window (" + range + ") holds " + picked.total.toLocaleString("en-US") + " messages; showing the first " + picked.found.length.toLocaleString("en-US") + ". Narrow the window to see them all.";
      } else text = "Showing all " + plural(picked.total, "message") + " in flight " + range + ".";
      if (msgs.n < data.sentCount) text += " The engine recorded the first " + msgs.n.toLocaleString("en-US") + " of " + data.sentCount.toLocaleString("en-US") + " messages; later ones are not shown.";
      el.textContent = text;
      el.className = "count" + (picked.total > picked.found.length ? " capped" : "");
    }

    function showMessage(e, i) {
      var took = msgs.took[i];
      var title = data.types[msgs.type[i]] + " from " + data.procs[msgs.src[i]] + " to " + data.procs[msgs.dest[i]];
      var rows = [
        "msg_id: " + (msgs.id[i] == null ? "none" : msgs.id[i]) + ", in_reply_to: " + (msgs.re[i] == null ? "none" : msgs.re[i]),
        "Sent at " + fmt(msgs.sent[i]) + " ms",
        took >= 0 ? "Arrived at " + fmt(msgs.arrive[i]) + " ms (" + fmt(took / 10) + " ms later)"
          : took === -1 ? "Dropped: the network was partitioned between them."
          : took === -2 ? "Dropped: lost at random (--loss)."
          : "Had not arrived when the test ended.",
      ];
      tooltip.show(e, title, rows, []);
    }

    return { render: render };
  }

  // ---- plots (uPlot) ----

  function chartWidth(el) {
    return Math.max(400, el.clientWidth);
  }

  /** Shades partitions behind a uPlot chart whose x is in seconds. */
  function partitionBands() {
    return {
      hooks: {
        drawClear: [
          function (u) {
            var ctx = u.ctx;
            var left = u.bbox.left;
            var right = u.bbox.left + u.bbox.width;
            ctx.save();
            ctx.fillStyle = COLORS.partition;
            data.partitions.forEach(function (p) {
              var a = Math.max(left, u.valToPos(p[0] / 1000, "x", true));
              var b = Math.min(right, u.valToPos(p[1] / 1000, "x", true));
              if (b > a) ctx.fillRect(a, u.bbox.top, b - a, u.bbox.height);
            });
            ctx.restore();
          },
        ],
      },
    };
  }

  function pointSeries(label, color) {
    return {
      label: label,
      stroke: color,
      fill: color,
      paths: function () { return null; },
      points: { show: true, space: 0, size: 5, width: 1, stroke: color, fill: color },
      value: function (u, v) { return v == null ? "–" : fmt(v) + " ms"; },
    };
  }

  function latencyChart(el) {
    var done = ops.filter(function (o) { return o.comp != null; }).sort(function (a, b) { return a.inv - b.inv; });
    if (done.length === 0) return emptyChart(el, "No operation got a reply, so there is no latency to plot.");
    var fsUsed = data.fs.map(function (_, k) { return k; });
    var columns = fsUsed.map(function (f) {
      return done.map(function (o) { return o.outcome === 0 && o.f === f ? latency(o) : null; });
    });
    var failed = done.map(function (o) { return o.outcome === 1 ? latency(o) : null; });
    var unknown = done.map(function (o) { return o.outcome === 2 ? latency(o) : null; });
    var series = [{ label: "Sent at", value: function (u, v) { return v == null ? "–" : fmt(v) + " s"; } }]
      .concat(fsUsed.map(function (f, k) { return pointSeries(data.fs[f] + " (OK)", F_PALETTE[k % F_PALETTE.length]); }))
      .concat([pointSeries("failed", COLORS.fail), pointSeries("unknown outcome", COLORS.info)]);
    var values = done.map(latency).sort(function (a, b) { return a - b; });
    var useLog = values[values.length - 1] > 20 * Math.max(0.1, values[Math.floor(values.length / 2)]);
    var opts = {
      width: chartWidth(el),
      height: 300,
      scales: { x: { time: false }, y: useLog ? { distr: 3, log: 10 } : { range: function (u, min, max) { return [0, Math.max(1, max * 1.08)]; } } },
      axes: [
        { label: "Sent at (seconds since the start)", stroke: COLORS.muted, grid: { stroke: COLORS.grid } },
        { label: "Latency (ms" + (useLog ? ", log scale)" : ")"), stroke: COLORS.muted, grid: { stroke: COLORS.grid }, size: 60 },
      ],
      series: series,
      plugins: [partitionBands()],
    };
    var chart = new uPlot(opts, [done.map(function (o) { return o.inv / 1000; })].concat(columns, [failed, unknown]), el);
    chart.height = opts.height;
    return chart;
  }

  function latency(o) {
    return Math.max(0.1, Math.round((o.comp - o.inv) * 10) / 10);
  }

  function rateChart(el) {
    var buckets = Math.max(1, Math.ceil(data.endMs / 1000));
    var xs = [];
    for (var s = 0; s <= buckets; s++) xs.push(s);
    var perOutcome = [0, 1, 2].map(function () { return new Array(buckets + 1).fill(0); });
    ops.forEach(function (o) {
      if (o.comp != null) perOutcome[o.outcome][Math.min(buckets - 1, Math.floor(o.comp / 1000))]++;
    });
    var sent = new Array(buckets + 1).fill(0);
    for (var i = 0; i < msgs.n; i++) sent[Math.min(buckets - 1, Math.floor(msgs.sent[i] / 1000))]++;
    // The last point repeats the last bucket, so its step is drawn to the end of its second.
    perOutcome.concat([sent]).forEach(function (column) { column[buckets] = column[buckets - 1]; });
    var stepped = uPlot.paths.stepped({ align: 1 });
    var line = function (label, color, scale, dash) {
      return { label: label, stroke: color, width: 2, scale: scale, dash: dash, paths: stepped, points: { show: false } };
    };
    var opts = {
      width: chartWidth(el),
      height: 280,
      scales: { x: { time: false }, ops: { range: function (u, min, max) { return [0, Math.max(1, max * 1.1)]; } }, msgs: { range: function (u, min, max) { return [0, Math.max(1, max * 1.1)]; } } },
      axes: [
        { label: "Seconds since the start", stroke: COLORS.muted, grid: { stroke: COLORS.grid } },
        { label: "Operations per second", scale: "ops", stroke: COLORS.muted, grid: { stroke: COLORS.grid }, size: 60 },
        { label: "Messages per second", scale: "msgs", side: 1, stroke: COLORS.muted, grid: { show: false }, size: 70 },
      ],
      series: [
        { label: "Second" },
        line("OK operations/s", COLORS.ok, "ops"),
        line("failed operations/s", COLORS.fail, "ops"),
        line("unknown-outcome operations/s", COLORS.info, "ops"),
        line("messages sent/s", COLORS.node, "msgs", [5, 4]),
      ],
      plugins: [partitionBands()],
    };
    var chart = new uPlot(opts, [xs, perOutcome[0], perOutcome[1], perOutcome[2], sent], el);
    chart.height = opts.height;
    return chart;
  }

  function emptyChart(el, text) {
    var p = document.createElement("p");
    p.className = "count";
    p.textContent = text;
    el.appendChild(p);
    return null;
  }

  // ---- tooltip ----

  function createTooltip(el) {
    function show(e, title, rows, blocks) {
      el.textContent = "";
      append("div", "tip-title", title);
      rows.forEach(function (r) { append("div", "tip-row", r); });
      blocks.forEach(function (b) {
        append("div", "tip-row", b[0] + ":");
        append("pre", "", typeof b[1] === "string" ? b[1] : JSON.stringify(b[1], null, 1));
      });
      el.hidden = false;
      move(e);
    }
    function append(tag, cls, text) {
      var node = document.createElement(tag);
      if (cls) node.className = cls;
      node.textContent = text;
      el.appendChild(node);
    }
    function move(e) {
      var pad = 14;
      var r = el.getBoundingClientRect();
      var left = e.clientX + pad + r.width > window.innerWidth ? e.clientX - pad - r.width : e.clientX + pad;
      var top = e.clientY + pad + r.height > window.innerHeight ? e.clientY - pad - r.height : e.clientY + pad;
      el.style.left = Math.max(4, left) + "px";
      el.style.top = Math.max(4, top) + "px";
    }
    return {
      show: show,
      move: move,
      hide: function () { el.hidden = true; },
      visible: function () { return !el.hidden; },
    };
  }

  // ---- small helpers ----

  function niceStep(span, target) {
    var raw = Math.max(span, 1e-6) / Math.max(1, target);
    var pow = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 5, 10];
    for (var k = 0; k < steps.length; k++) if (raw <= steps[k] * pow) return steps[k] * pow;
    return 10 * pow;
  }

  function ticks(from, to, step) {
    var out = [];
    for (var t = Math.ceil(from / step) * step; t <= to + 1e-9; t += step) out.push(t);
    return out;
  }

  /** A tick label: in seconds when ticks are at least 100 ms apart (unless inMs), else in milliseconds. */
  function formatMs(ms, step, inMs) {
    if (step >= 100 && !inMs) return trimNumber(ms / 1000, Math.max(0, 3 - Math.floor(Math.log10(step)))) + " s";
    return trimNumber(ms, Math.max(0, -Math.floor(Math.log10(step)))) + " ms";
  }

  function trimNumber(v, decimals) {
    return String(Number(v.toFixed(decimals)));
  }

  function fmt(ms) {
    return String(Math.round(ms * 10) / 10);
  }

  function plural(n, word) {
    return n.toLocaleString("en-US") + " " + word + (n === 1 ? "" : "s");
  }

  function clippedText(ctx, text, x, y, maxWidth, color) {
    if (maxWidth < 20) return;
    ctx.save();
    ctx.beginPath();
    ctx.rect(x, y - 2, maxWidth, 16);
    ctx.clip();
    ctx.fillStyle = color;
    ctx.fillText(text, x, y);
    ctx.restore();
  }

  function escapeXml(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  function debounce(fn, ms) {
    var timer = 0;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }
})();
