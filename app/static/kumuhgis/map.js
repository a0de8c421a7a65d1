/*
 * kumuhgis web map: the city's slum layers on a Folium/Leaflet map.
 *
 * Started by the Folium page with KG.init(map, config, baseLayers). Two modes:
 *  - "served": layers come from the app's JSON API, RT polygons as canvas tiles
 *    (/api/tiles/rt/{z}/{x}/{y}.json), the RT under a click from /api/rt/at;
 *  - "embedded": every layer is inside the page (kumuhgis export-map), filters run here.
 * Every text from the data is put on the page with textContent, never as HTML.
 * The page loads nothing from another host unless the user picks the OpenStreetMap basemap.
 */
(function () {
  "use strict";

  var KG = (window.KG = window.KG || {});

  // ------------------------------------------------------------------ helpers
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === undefined || v === null) return;
        if (k === "text") e.textContent = String(v);
        else if (k === "class") e.className = v;
        else e.setAttribute(k, v);
      });
    }
    (children || []).forEach(function (c) {
      if (c) e.appendChild(c);
    });
    return e;
  }

  // Lookups keyed by data values use own properties only ("constructor" is a name too).
  function own(obj, key) {
    return obj && Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
  }

  var HEX = /^#[0-9a-fA-F]{6}$/;
  function safeColor(c, fallback) {
    return HEX.test(c || "") ? c : fallback;
  }

  function numberFormat(lang, min, max) {
    return new Intl.NumberFormat(lang === "en" ? "en-GB" : "id-ID", {
      minimumFractionDigits: min,
      maximumFractionDigits: max,
    });
  }

  function formatValue(kind, v, cfg) {
    var t = cfg.text;
    if (v === null || v === undefined || v === "") return null;
    switch (kind) {
      case "int":
        return numberFormat(cfg.lang, 0, 0).format(v);
      case "ha":
        return numberFormat(cfg.lang, 2, 2).format(v) + " ha";
      case "num":
        return numberFormat(cfg.lang, 0, 2).format(v);
      case "rp":
        return "Rp " + numberFormat(cfg.lang, 0, 0).format(v);
      case "pct":
        return numberFormat(cfg.lang, 2, 2).format(v) + " %";
      case "share":
        return numberFormat(cfg.lang, 0, 1).format(v * 100) + " %";
      case "level":
        return (own(t, v) || v) + " (" + v + ")";
      case "status":
      case "asal":
        return own(t, v) || String(v);
      default:
        return String(v);
    }
  }

  function popupContent(layerKey, props, cfg) {
    var title = {
      wilayah: props.kelurahan,
      rt: props.rt !== undefined ? "RT " + props.rt + " / RW " + props.rw : props.kode_rt,
      delineasi: props.nama_kawasan,
      infrastruktur: props.jenis,
      kolaborasi: props.nama_kegiatan,
    }[layerKey];
    var box = el("div", { class: "kg-popup" });
    box.appendChild(el("div", { class: "kg-popup-layer", text: cfg.text[layerKey] }));
    box.appendChild(el("div", { class: "kg-popup-title", text: title || "" }));
    var table = el("table");
    (cfg.fields[layerKey] || []).forEach(function (f) {
      var value = formatValue(f.kind, props[f.key], cfg);
      if (value === null) return;
      var td = el("td", { text: value });
      if (f.kind === "level") td.appendChild(swatch(own(cfg.level_colors, props[f.key])));
      if (f.kind === "status" && f.key === "status_lokasi") td.appendChild(swatch(own(cfg.status_colors, props[f.key])));
      table.appendChild(el("tr", null, [el("th", { text: f.label }), td]));
    });
    box.appendChild(table);
    return box;
  }

  function swatch(color) {
    var s = el("span", { class: "kg-swatch" });
    s.style.background = safeColor(color, "#bdbdbd");
    return s;
  }

  // Fixed SVG symbols for infrastructure types: only the colour (checked) varies.
  var ICONS = {
    hidran: '<path d="M8 4h6v3h2v3h-2v8H8v-8H6V7h2z" fill="#fff"/>',
    sumur: '<path d="M11 4c3 4 5 7 5 9a5 5 0 0 1-10 0c0-2 2-5 5-9z" fill="#fff"/>',
    mck: '<path d="M6 5h10v3H6zM7 9h8l-1 9H8z" fill="#fff"/>',
    septik: '<rect x="5" y="8" width="12" height="9" rx="2" fill="#fff"/><rect x="9" y="4" width="4" height="4" fill="#fff"/>',
    sampah: '<path d="M6 7h10l-1 11H7zM5 5h12v2H5zM9 3h4v2H9z" fill="#fff"/>',
    api: '<path d="M11 3c4 4 6 7 6 10a6 6 0 0 1-12 0c0-2 1-4 3-6 0 2 1 3 2 3 0-3 0-5 1-7z" fill="#fff"/>',
    lain: '<circle cx="11" cy="11" r="4" fill="#fff"/>',
  };

  function iconFor(style) {
    var key = style && own(ICONS, style.icon) ? style.icon : "lain";
    var color = safeColor(style && style.color, "#525252");
    var html =
      '<svg xmlns="http://www.w3.org/2000/svg" width="22" height="22" viewBox="0 0 22 22">' +
      '<circle cx="11" cy="11" r="10" fill="' + color + '" stroke="#fff" stroke-width="1.5"/>' +
      ICONS[key] + "</svg>";
    return L.divIcon({ className: "kg-infra-icon kg-icon-" + key, html: html, iconSize: [22, 22], iconAnchor: [11, 11], popupAnchor: [0, -10] });
  }

  function bboxBounds(b) {
    return L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
  }

  // ------------------------------------------------------------------ data sources
  function servedSource(cfg) {
    var urls = cfg.urls;
    function get(url, params) {
      var u = new URL(url, window.location.href);
      Object.keys(params || {}).forEach(function (k) {
        var v = params[k];
        if (v !== undefined && v !== null && v !== "") u.searchParams.set(k, v);
      });
      return fetch(u.toString(), { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) {
          return r.json().then(
            function (j) { throw new Error((j && j.error) || r.statusText); },
            function () { throw new Error(r.status + " " + r.statusText); }
          );
        }
        return r.json();
      });
    }
    return {
      layer: function (name, params) {
        return get(urls.layer.replace("__layer__", name), params);
      },
      rtAt: function (latlng, year) {
        return get(urls.rt_at, { lon: latlng.lng, lat: latlng.lat, tahun: year });
      },
      search: function (q) {
        return get(urls.search, { q: q }).then(function (j) { return j.results; });
      },
      tileUrl: function (coords, year) {
        return urls.rt_tile.replace("__z__", coords.z).replace("__x__", coords.x).replace("__y__", coords.y) +
          (year ? "?tahun=" + encodeURIComponent(year) : "");
      },
    };
  }

  function embeddedSource(cfg) {
    var data = cfg.data;
    var ID = { wilayah: "kode_kel", rt: "kode_rt", delineasi: "kode_kawasan", infrastruktur: "kode_infra", kolaborasi: "kode_kegiatan" };
    function matches(props, params) {
      return Object.keys(params || {}).every(function (k) {
        var v = params[k];
        if (v === undefined || v === null || v === "" || k === "no_sk" || k === "tahun_rt") return true;
        return String(props[k]).toLowerCase() === String(v).toLowerCase();
      });
    }
    function rtProps(p, year) {
      var out = Object.assign({}, p);
      delete out.levels;
      var lv = (p.levels || {})[String(year)];
      out.tahun = year;
      if (lv) {
        out.tingkat = lv[0]; out.total_nilai = lv[1]; out.rata_sektoral = lv[2]; out.asal = lv[3];
      }
      return out;
    }
    function norm(s) {
      return String(s || "").toLowerCase().replace(/^(kelurahan|kel\.?|desa|ds\.?)\s+/, "").replace(/\s+/g, " ").trim();
    }
    function bboxOf(f) {
      var b = [Infinity, Infinity, -Infinity, -Infinity];
      (function walk(c) {
        if (typeof c[0] === "number") {
          b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]);
          b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
        } else c.forEach(walk);
      })(f.geometry.coordinates);
      return b;
    }
    return {
      layer: function (name, params) {
        var src = data[name];
        var feats = src.features.filter(function (f) {
          if (!matches(f.properties, params)) return false;
          if (name === "delineasi" && params && params.no_sk) return Object.prototype.hasOwnProperty.call(f.properties.sk || {}, params.no_sk);
          return true;
        });
        if (name === "delineasi") {
          feats = feats.map(function (f) {
            var p = Object.assign({}, f.properties);
            var sk = p.sk || {};
            var no = params && params.no_sk ? params.no_sk : Object.keys(sk).pop();
            delete p.sk;
            p.no_sk = no || "";
            p.luas_sk_ha = no ? sk[no] : null;
            return { type: "Feature", id: f.id, geometry: f.geometry, properties: p };
          });
        }
        if (name === "rt") {
          var year = params && params.tahun_rt;
          feats = feats.map(function (f) {
            return { type: "Feature", id: f.id, geometry: f.geometry, properties: rtProps(f.properties, year) };
          });
        }
        return Promise.resolve({ type: "FeatureCollection", features: feats, count: feats.length });
      },
      search: function (q) {
        var nq = norm(q);
        var out = [];
        if (!nq) return Promise.resolve(out);
        var rtm = /\brt\.?\s*0*(\d+)/i.exec(q), rwm = /\brw\.?\s*0*(\d+)/i.exec(q);
        data.wilayah.features.forEach(function (f) {
          var p = f.properties;
          if (norm(p.kelurahan).indexOf(nq) >= 0 || String(p.kode_kel) === q.trim())
            out.push({ layer: "wilayah", id: String(p.kode_kel), label: p.kelurahan, detail: "Kec. " + p.kecamatan, bbox: bboxOf(f) });
        });
        data.delineasi.features.forEach(function (f) {
          var p = f.properties;
          if (norm(p.nama_kawasan).indexOf(nq) >= 0 || String(p.kode_kawasan).toLowerCase().indexOf(nq) >= 0)
            out.push({ layer: "delineasi", id: String(p.kode_kawasan), label: p.nama_kawasan + " (" + p.kode_kawasan + ")", detail: p.kelurahan, bbox: bboxOf(f) });
        });
        var rest = norm(q.replace(/\brt\.?\s*\d+/i, " ").replace(/\brw\.?\s*\d+/i, " ").replace(/\//g, " "));
        data.rt.features.forEach(function (f) {
          var p = f.properties;
          var hit;
          if (rtm || rwm) {
            hit = (!rtm || parseInt(p.rt, 10) === parseInt(rtm[1], 10)) && (!rwm || parseInt(p.rw, 10) === parseInt(rwm[1], 10)) &&
              (!rest || norm(p.kelurahan).indexOf(rest) >= 0);
          } else {
            hit = String(p.kode_rt).toLowerCase().indexOf(q.trim().toLowerCase()) >= 0;
          }
          if (hit) out.push({ layer: "rt", id: String(p.kode_rt), label: "RT " + p.rt + " / RW " + p.rw, detail: p.kelurahan + " — " + p.kode_rt, bbox: bboxOf(f) });
        });
        data.kolaborasi.features.forEach(function (f) {
          var p = f.properties;
          if (String(p.kode_kegiatan).toLowerCase() === q.trim().toLowerCase() || (nq.length >= 3 && norm(p.nama_kegiatan).indexOf(nq) >= 0))
            out.push({ layer: "kolaborasi", id: String(p.kode_kegiatan), label: p.nama_kegiatan, detail: p.kode_kegiatan + " — " + p.tahun, bbox: bboxOf(f) });
        });
        return Promise.resolve(out.slice(0, 20));
      },
      feature: function (layer, id, year) {
        var f = (data[layer].features || []).filter(function (f) { return String(f.properties[ID[layer]]) === String(id); })[0];
        if (!f) return null;
        var props = layer === "rt" ? rtProps(f.properties, year) : f.properties;
        return { type: "Feature", geometry: f.geometry, properties: props };
      },
    };
  }

  // ------------------------------------------------------------------ RT canvas tiles
  function rtTileLayer(source, cfg, state) {
    var Layer = L.GridLayer.extend({
      createTile: function (coords, done) {
        var tile = document.createElement("canvas");
        var ratio = window.devicePixelRatio || 1;
        var size = this.getTileSize();
        tile.width = size.x * ratio;
        tile.height = size.y * ratio;
        var url = source.tileUrl(coords, state.year);
        fetch(url, { credentials: "same-origin" })
          .then(function (r) {
            if (!r.ok) throw new Error("RT tile " + r.status);
            return r.json();
          })
          .then(function (json) {
            return drawRaster(tile, json, ratio).then(function () {
              drawTile(tile, json, ratio, coords.z, cfg);
              state.stats.rtTiles += 1;
              state.stats.rtDrawn += json.n;
              done(null, tile);
            });
          })
          .catch(function (err) { done(err, tile); });
        return tile;
      },
    });
    var opts = { pane: "kg-rt", opacity: 0.8, updateWhenZooming: false, keepBuffer: 1, maxZoom: 22 };
    if (cfg.bounds) opts.bounds = bboxBounds(cfg.bounds).pad(0.05);
    return new Layer(opts);
  }

  function drawTile(canvas, json, ratio, z, cfg) {
    var ctx = canvas.getContext("2d");
    var q = json.q || 4;
    ctx.setTransform(ratio / q, 0, 0, ratio / q, 0, 0);
    ctx.lineJoin = "round";
    json.levels.forEach(function (lv) {
      var color = safeColor(own(cfg.level_colors, lv.lv), "#bdbdbd");
      var xy = lv.xy, k = 0;
      var path = new Path2D();
      lv.rings.forEach(function (n) {
        var x = xy[k], y = xy[k + 1]; // first point absolute, then differences
        path.moveTo(x, y);
        for (var i = 1; i < n; i++) {
          x += xy[k + 2 * i];
          y += xy[k + 2 * i + 1];
          path.lineTo(x, y);
        }
        path.closePath();
        k += 2 * n;
      });
      ctx.fillStyle = color;
      ctx.fill(path, "nonzero");
      if (z >= 15) {
        ctx.strokeStyle = "rgba(255,255,255,0.95)";
        ctx.lineWidth = 1.2 * q;
      } else {
        ctx.strokeStyle = color; // hides hairline seams between neighbouring RTs
        ctx.lineWidth = 0.7 * q;
      }
      ctx.stroke(path);
    });
  }

  // RTs under eight pixels come burnt into a small palette PNG, drawn under the polygons.
  function drawRaster(canvas, json, ratio) {
    if (!json.raster) return Promise.resolve();
    var img = new Image();
    img.src = "data:image/png;base64," + json.raster;
    return img.decode().then(function () {
      var ctx = canvas.getContext("2d");
      ctx.save();
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(img, 0, 0);
      ctx.restore();
    });
  }

  // ------------------------------------------------------------------ init
  KG.init = function (map, cfg, baseLayers) {
    var t = cfg.text;
    var served = cfg.mode === "served";
    var source = served ? servedSource(cfg) : embeddedSource(cfg);
    var state = {
      map: map,
      cfg: cfg,
      year: cfg.year,
      noSk: cfg.no_sk || "",
      filters: { tahun: "", sumber_dana: "" },
      layers: {},
      stats: { rtTiles: 0, rtDrawn: 0, features: {} },
      ready: false,
      errors: [],
    };
    KG.state = state;
    var container = map.getContainer();
    container.classList.add("kg-map");

    [["kg-rt", 350], ["kg-batas", 420], ["kg-delineasi", 430], ["kg-lines", 440], ["kg-highlight", 640]].forEach(function (p) {
      map.createPane(p[0]).style.zIndex = p[1];
    });
    // the final view first, so that tiles and boundaries are fetched once, for this zoom
    if (cfg.bounds) map.fitBounds(bboxBounds(cfg.bounds), { padding: [10, 10], animate: false });

    // base layers: none (the city's own layers) first
    var bases = {};
    var none = L.layerGroup();
    bases[t.base_none] = none;
    if (baseLayers.local) bases[cfg.basemaps.local || t.base_local] = baseLayers.local;
    if (baseLayers.osm) bases[t.base_osm] = baseLayers.osm;
    var active = cfg.base_default === "local" && baseLayers.local ? baseLayers.local : cfg.base_default === "osm" && baseLayers.osm ? baseLayers.osm : none;
    if (!map.hasLayer(active)) active.addTo(map);

    // overlays
    var wilayah = L.geoJSON(null, {
      pane: "kg-batas",
      style: { color: "#303030", weight: 2.2, fill: false, opacity: 0.9 },
      onEachFeature: function (f, layer) {
        layer.bindPopup(function () { return popupContent("wilayah", f.properties, cfg); });
        layer.on("click", markHandled);
      },
    });
    var labels = L.layerGroup();
    var wilayahGroup = L.featureGroup([wilayah, labels]);

    var rt;
    if (served) {
      rt = rtTileLayer(source, cfg, state);
    } else {
      rt = L.geoJSON(null, {
        pane: "kg-rt",
        renderer: L.canvas({ pane: "kg-rt" }),
        style: function (f) { return rtStyle(f.properties); },
        onEachFeature: function (f, layer) {
          layer.bindPopup(function () {
            return popupContent("rt", source.feature("rt", f.properties.kode_rt, state.year).properties, cfg);
          });
          layer.on("click", markHandled);
        },
      });
    }
    function rtStyle(p) {
      var lv = (p.levels || {})[String(state.year)];
      var code = lv ? lv[0] : "";
      return { color: "#ffffff", weight: 0.6, fillColor: safeColor(own(cfg.level_colors, code), "#bdbdbd"), fillOpacity: 0.8 };
    }

    var delineasi = L.geoJSON(null, {
      pane: "kg-delineasi",
      style: { color: "#5e3c99", weight: 3, dashArray: "8 5", fill: false },
      onEachFeature: function (f, layer) {
        layer.bindPopup(function () { return popupContent("delineasi", f.properties, cfg); });
        layer.on("click", markHandled);
      },
    });

    function infraStyle(p) {
      return own(cfg.infra_styles, p.jenis) || { icon: p.ikon, color: p.warna };
    }
    var infrastruktur = L.geoJSON(null, {
      pane: "kg-lines",
      pointToLayer: function (f, latlng) {
        return L.marker(latlng, { icon: iconFor(infraStyle(f.properties)), title: String(f.properties.jenis || "") });
      },
      style: function (f) {
        var s = infraStyle(f.properties);
        return { color: safeColor(s.color, "#525252"), weight: 4, opacity: 0.9, dashArray: s.icon === "drainase" ? "2 6" : null, lineCap: "round" };
      },
      onEachFeature: function (f, layer) {
        layer.bindPopup(function () { return popupContent("infrastruktur", f.properties, cfg); });
        layer.on("click", markHandled);
      },
    });

    function statusColor(p) {
      return safeColor(own(cfg.status_colors, p.status || ""), "#6b6b6b");
    }
    var kolaborasi = L.geoJSON(null, {
      pane: "kg-lines",
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 6, color: "#ffffff", weight: 1.5, fillColor: statusColor(f.properties), fillOpacity: 0.95, pane: "markerPane" });
      },
      style: function (f) {
        if (f.geometry && f.geometry.type === "Point") {
          return { color: "#ffffff", weight: 1.5, fillColor: statusColor(f.properties), fillOpacity: 0.95 };
        }
        return { color: statusColor(f.properties), weight: 4, opacity: 0.95, fillColor: statusColor(f.properties), fillOpacity: 0.35 };
      },
      onEachFeature: function (f, layer) {
        layer.bindPopup(function () { return popupContent("kolaborasi", f.properties, cfg); });
        layer.on("click", markHandled);
      },
    });

    var highlight = L.geoJSON(null, {
      pane: "kg-highlight",
      style: { color: "#00e5ff", weight: 5, fill: false, opacity: 1 },
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 12, color: "#00e5ff", weight: 4, fill: false, pane: "kg-highlight" }); },
    }).addTo(map);

    state.layers = { rt: rt, wilayah: wilayahGroup, delineasi: delineasi, infrastruktur: infrastruktur, kolaborasi: kolaborasi, highlight: highlight };
    var overlays = {};
    overlays[t.rt] = rt;
    overlays[t.wilayah] = wilayahGroup;
    overlays[t.delineasi] = delineasi;
    overlays[t.infrastruktur] = infrastruktur;
    overlays[t.kolaborasi] = kolaborasi;
    Object.keys(overlays).forEach(function (k) { overlays[k].addTo(map); });
    state.layerControl = L.control.layers(bases, overlays, { collapsed: window.innerWidth < 900, position: "topright" }).addTo(map);
    L.control.scale({ imperial: false, maxWidth: 200, position: "bottomleft" }).addTo(map);

    function markHandled(e) {
      if (e.originalEvent) e.originalEvent._kgHandled = true;
    }

    // ---------------------------------------------------------------- loading
    var pending = 0;
    function track(promise) {
      pending += 1;
      return promise.then(
        function (v) { pending -= 1; checkReady(); return v; },
        function (err) { pending -= 1; state.errors.push(String(err)); console.error("kumuhgis:", err); checkReady(); }
      );
    }
    function fill(layer, key, fc) {
      layer.clearLayers();
      layer.addData(fc);
      state.stats.features[key] = fc.features.length;
    }
    // Boundaries are simplified to half a pixel of the current zoom (served mode), and
    // fetched again, finer, when the user zooms in (a new detail level every zoom up to 17).
    function detailZoom() {
      return Math.min(Math.round(map.getZoom()), 17);
    }
    function detail(extra) {
      var p = Object.assign({}, extra || {});
      if (!served) return p;
      var z = detailZoom();
      if (z >= 17) return p;
      var mpp = (156543.03392804097 * Math.cos((map.getCenter().lat * Math.PI) / 180)) / Math.pow(2, z);
      p.simplify = (mpp / 2).toFixed(2);
      p.precision = Math.min(6, Math.max(3, Math.ceil(-Math.log10(mpp / 111320)) + 1));
      return p;
    }
    state.detailZoom = null;
    map.on("zoomend", function () {
      if (!served || !state.ready || detailZoom() === state.detailZoom) return;
      loadWilayah();
      loadDelineasi();
    });
    function loadWilayah() {
      state.detailZoom = detailZoom();
      return track(source.layer("wilayah", detail()).then(function (fc) {
        fill(wilayah, "wilayah", fc);
        labels.clearLayers();
        fc.features.forEach(function (f) {
          var p = f.properties;
          if (p.label_lat === null || p.label_lon === null || p.label_lat === undefined) return;
          var span = el("span", { text: p.kelurahan });
          L.marker([p.label_lat, p.label_lon], {
            icon: L.divIcon({ className: "kg-label", html: span, iconSize: null }),
            interactive: false,
            keyboard: false,
            pane: "kg-highlight",
          }).addTo(labels);
        });
      }));
    }
    function loadRT() {
      if (served) return null;
      return track(source.layer("rt", { tahun_rt: state.year }).then(function (fc) {
        rt.clearLayers();
        rt.addData(cfg.data.rt);
        state.stats.features.rt = fc.features.length;
        state.stats.rtDrawn = fc.features.length;
      }));
    }
    function loadDelineasi() {
      return track(source.layer("delineasi", detail({ no_sk: state.noSk })).then(function (fc) { fill(delineasi, "delineasi", fc); }));
    }
    function kegiatanParams() {
      return { tahun: state.filters.tahun, sumber_dana: state.filters.sumber_dana };
    }
    function loadInfra() {
      return track(source.layer("infrastruktur", kegiatanParams()).then(function (fc) { fill(infrastruktur, "infrastruktur", fc); }));
    }
    function loadKolaborasi() {
      return track(source.layer("kolaborasi", kegiatanParams()).then(function (fc) { fill(kolaborasi, "kolaborasi", fc); }));
    }

    var rtLoaded = !served;
    if (served) {
      rt.on("load", function () { rtLoaded = true; checkReady(); });
      rt.on("tileerror", function (e) { state.errors.push("tile " + (e.coords && [e.coords.z, e.coords.x, e.coords.y].join("/"))); });
    }
    function checkReady() {
      if (state.ready || pending > 0 || !rtLoaded) return;
      state.ready = true;
      window.kumuhgisReadyAt = performance.now();
      window.kumuhgisReady = true;
      document.documentElement.setAttribute("data-kg-ready", "1");
      if (cfg.select) selectFromParam(cfg.select);
      window.dispatchEvent(new CustomEvent("kumuhgis:ready", { detail: state.stats }));
    }

    // ---------------------------------------------------------------- RT click (tiles)
    map.on("click", function (e) {
      if (!served || (e.originalEvent && e.originalEvent._kgHandled) || !map.hasLayer(rt)) return;
      source.rtAt(e.latlng, state.year).then(function (j) {
        if (!j || !j.rt) return;
        L.popup().setLatLng(e.latlng).setContent(popupContent("rt", j.rt, cfg)).openOn(map);
      }).catch(function (err) { console.error("kumuhgis:", err); });
    });

    // ---------------------------------------------------------------- selection
    var ID = { wilayah: "kode_kel", rt: "kode_rt", delineasi: "kode_kawasan", infrastruktur: "kode_infra", kolaborasi: "kode_kegiatan" };
    function showFeature(layerKey, feature, bbox) {
      highlight.clearLayers();
      if (feature && feature.geometry) highlight.addData(feature);
      var b = bbox ? bboxBounds(bbox) : highlight.getBounds();
      if (b && b.isValid()) map.fitBounds(b, { maxZoom: 18, padding: [40, 40] });
      if (feature) {
        var where = b && b.isValid() ? b.getCenter() : map.getCenter();
        if (feature.geometry && feature.geometry.type === "Point") where = L.latLng(feature.geometry.coordinates[1], feature.geometry.coordinates[0]);
        L.popup({ autoPan: false }).setLatLng(where).setContent(popupContent(layerKey, feature.properties, cfg)).openOn(map);
      }
    }
    function select(layerKey, id, bbox) {
      if (!ID[layerKey]) return Promise.resolve(null);
      if (served) {
        var params = { limit: 1 };
        params[ID[layerKey]] = id;
        if (layerKey === "rt") params.tahun = state.year;
        return source.layer(layerKey, params).then(function (fc) {
          var f = fc.features[0] || null;
          showFeature(layerKey, f, bbox || (fc.bbox || null));
          return f;
        });
      }
      var f = source.feature(layerKey, id, state.year);
      showFeature(layerKey, f, bbox);
      return Promise.resolve(f);
    }
    function selectFromParam(value) {
      var i = value.indexOf(":");
      if (i < 0) return;
      select(value.slice(0, i), value.slice(i + 1)).catch(function (err) { console.error("kumuhgis:", err); });
    }
    state.select = select;

    // ---------------------------------------------------------------- panel
    var Panel = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        var box = el("div", { class: "kg-panel" });
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);

        // search
        var form = el("form", { class: "kg-search", role: "search" });
        var input = el("input", { type: "search", placeholder: t.search, "aria-label": t.search, id: "kg-search-input" });
        var button = el("button", { type: "submit", text: t.search_button, id: "kg-search-button" });
        var results = el("ul", { class: "kg-results", id: "kg-search-results" });
        form.appendChild(input);
        form.appendChild(button);
        box.appendChild(form);
        box.appendChild(results);
        form.addEventListener("submit", function (ev) {
          ev.preventDefault();
          var q = input.value.trim();
          results.textContent = "";
          if (!q) return;
          source.search(q).then(function (hits) {
            results.textContent = "";
            if (!hits.length) results.appendChild(el("li", { class: "kg-none", text: t.no_result }));
            hits.forEach(function (h) {
              var b = el("button", { type: "button", class: "kg-hit", "data-layer": h.layer, "data-id": h.id }, [
                el("strong", { text: h.label }),
                el("span", { text: h.detail || "" }),
              ]);
              b.addEventListener("click", function () { select(h.layer, h.id, h.bbox); });
              results.appendChild(el("li", null, [b]));
            });
          }).catch(function (err) { console.error("kumuhgis:", err); });
        });

        function selectBox(id, label, options, value, onChange) {
          var s = el("select", { id: id });
          options.forEach(function (o) {
            var opt = el("option", { value: o[0], text: o[1] });
            if (String(o[0]) === String(value)) opt.selected = true;
            s.appendChild(opt);
          });
          s.addEventListener("change", function () { onChange(s.value); });
          box.appendChild(el("label", { class: "kg-field" }, [el("span", { text: label }), s]));
          return s;
        }
        if (cfg.years.length) {
          selectBox("kg-year", t.level_year, cfg.years.map(function (y) { return [y, String(y)]; }), state.year, function (v) {
            state.year = parseInt(v, 10);
            updateTitle();
            if (served) rt.redraw();
            else rt.setStyle(function (f) { return rtStyle(f.properties); });
            legendUpdate();
          });
        }
        if (cfg.sk_versions.length) {
          var opts = [["", t.sk_all]].concat(cfg.sk_versions.map(function (v) { return [v.no_sk, v.no_sk + " (" + v.tanggal_sk + ")"]; }));
          selectBox("kg-sk", t.sk_version, opts, state.noSk, function (v) { state.noSk = v; updateTitle(); loadDelineasi(); });
        }
        if (cfg.kegiatan_years.length) {
          selectBox("kg-filter-year", t.filter_year, [["", t.all]].concat(cfg.kegiatan_years.map(function (y) { return [y, String(y)]; })), "", function (v) {
            state.filters.tahun = v; loadInfra(); loadKolaborasi();
          });
        }
        if (cfg.sumber_dana.length) {
          selectBox("kg-filter-source", t.filter_source, [["", t.all]].concat(cfg.sumber_dana.map(function (s) { return [s, s]; })), "", function (v) {
            state.filters.sumber_dana = v; loadInfra(); loadKolaborasi();
          });
        }

        var tools = el("div", { class: "kg-tools" });
        var printBtn = el("button", { type: "button", id: "kg-print", text: t.print });
        printBtn.addEventListener("click", function () { KG.printLayout(true); window.setTimeout(function () { window.print(); }, 400); });
        tools.appendChild(printBtn);
        var projBtn = el("button", { type: "button", id: "kg-projector", text: t.projector });
        projBtn.addEventListener("click", function () {
          var on = !document.body.classList.contains("kg-projector");
          document.body.classList.toggle("kg-projector", on);
          map.invalidateSize();
        });
        tools.appendChild(projBtn);
        if (served && cfg.urls.image) {
          var a = el("a", { id: "kg-image", class: "kg-button", text: t.image, download: "peta.png" });
          a.addEventListener("click", function () {
            var u = new URL(cfg.urls.image, window.location.href);
            if (state.year) u.searchParams.set("tahun", state.year);
            if (state.noSk) u.searchParams.set("no_sk", state.noSk);
            u.searchParams.set("ukuran", document.body.classList.contains("kg-projector") ? "proyektor" : "a3");
            a.href = u.toString();
          });
          tools.appendChild(a);
        }
        box.appendChild(tools);
        return box;
      },
    });
    new Panel().addTo(map);

    // ---------------------------------------------------------------- legend
    var legendBody;
    var Legend = L.Control.extend({
      options: { position: "bottomright" },
      onAdd: function () {
        var box = el("div", { class: "kg-legend", id: "kg-legend" });
        L.DomEvent.disableClickPropagation(box);
        legendBody = box;
        legendUpdate();
        return box;
      },
    });
    function legendRow(symbol, text) {
      return el("div", { class: "kg-legend-row" }, [symbol, el("span", { text: text })]);
    }
    function legendUpdate() {
      if (!legendBody) return;
      legendBody.textContent = "";
      legendBody.appendChild(el("div", { class: "kg-legend-title", text: t.legend }));
      legendBody.appendChild(el("div", { class: "kg-legend-sub", text: t.level_year + " " + (state.year || "") }));
      cfg.levels.forEach(function (c) { legendBody.appendChild(legendRow(swatch(cfg.level_colors[c]), t[c] + " (" + c + ")")); });
      legendBody.appendChild(legendRow(swatch(cfg.level_colors[""]), t.no_data));
      var dl = el("span", { class: "kg-line kg-line-delineasi" });
      legendBody.appendChild(legendRow(dl, t.delineasi));
      var bt = el("span", { class: "kg-line kg-line-batas" });
      legendBody.appendChild(legendRow(bt, t.wilayah));
      legendBody.appendChild(el("div", { class: "kg-legend-sub", text: t.kolaborasi }));
      (cfg.classified ? cfg.statuses : [""]).forEach(function (s) {
        var dot = el("span", { class: "kg-dot" });
        dot.style.background = safeColor(cfg.status_colors[s], "#6b6b6b");
        legendBody.appendChild(legendRow(dot, s ? t[s] : t.unclassified));
      });
      var jenis = Object.keys(cfg.infra_styles);
      if (jenis.length) {
        legendBody.appendChild(el("div", { class: "kg-legend-sub", text: t.infrastruktur }));
        jenis.forEach(function (j) {
          var style = cfg.infra_styles[j];
          var holder;
          if (style.icon === "jalan" || style.icon === "drainase") {
            holder = el("span", { class: "kg-line kg-line-" + style.icon });
            holder.style.borderTopColor = safeColor(style.color, "#525252");
          } else {
            holder = el("span", { class: "kg-legend-icon" });
            holder.appendChild(iconFor(style).createIcon());
          }
          legendBody.appendChild(legendRow(holder, j));
        });
      }
    }
    new Legend().addTo(map);

    // ---------------------------------------------------------------- print title block
    var titleBlock = el("div", { class: "kg-print-title", id: "kg-print-title" });
    container.appendChild(titleBlock);
    function updateTitle() {
      titleBlock.textContent = "";
      titleBlock.appendChild(el("div", { class: "kg-print-h1", text: t.title + (cfg.kota ? " — " + cfg.kota : "") }));
      var sub = (state.year ? t.level_year + " " + state.year : "") + (state.noSk ? " · " + t.sk_version + " " + state.noSk : "");
      titleBlock.appendChild(el("div", { class: "kg-print-h2", text: sub }));
      titleBlock.appendChild(el("div", { class: "kg-print-note", text: t.source + " · " + t.made + ": " + cfg.made }));
    }
    updateTitle();
    var north = el("div", { class: "kg-north", "aria-hidden": "true" }, [el("span", { text: "▲" }), el("b", { text: t.north })]);
    container.appendChild(north);

    // ---------------------------------------------------------------- start
    loadWilayah();
    loadRT();
    loadDelineasi();
    loadInfra();
    loadKolaborasi();
    checkReady();
    return state;
  };

  KG.printLayout = function (on) {
    document.body.classList.toggle("kg-print-a3", !!on);
    if (KG.state && KG.state.map) KG.state.map.invalidateSize();
  };
  window.addEventListener("afterprint", function () { KG.printLayout(false); });
})();
