/*
 * tfpub annex builder: expands a selection of IHE actors into requirements in the
 * browser, from the published model export (model.json).
 *
 * This is a line-by-line mirror of generator/annex/expand.py and render.py: the
 * same keys, order, wording and escaping, so that the page gives exactly what
 * `tfpub annex build` gives. Change both together (tests/test_annex_browser.py
 * compares them). TFPUB_ANNEX (wording and constants) is prepended by tfpub.
 */
(function () {
  "use strict";

  var C = typeof TFPUB_ANNEX !== "undefined" ? TFPUB_ANNEX : {};
  var SHALL = 2, SHOULD = 1;
  var WORD = { 2: "SHALL", 1: "SHOULD" };

  // ------------------------------------------------------------------ helpers

  function norm(text) {
    return String(text || "").replace(/[ \t\r\n\f\v]+/g, " ").replace(/^ +| +$/g, "");
  }

  function joinWords(items, conj) {
    if (items.length <= 1) return items.join("");
    return items.slice(0, -1).join(", ") + " " + conj + " " + items[items.length - 1];
  }

  // Python-style ordering of tuples (arrays) of numbers, strings and nested arrays.
  function cmp(a, b) {
    if (Array.isArray(a) && Array.isArray(b)) {
      var n = Math.min(a.length, b.length);
      for (var i = 0; i < n; i++) {
        var c = cmp(a[i], b[i]);
        if (c !== 0) return c;
      }
      return a.length - b.length;
    }
    if (typeof a === "number" && typeof b === "number") return a - b;
    a = String(a); b = String(b);
    // compare by code point, as Python does
    var ia = Array.from(a), ib = Array.from(b);
    var m = Math.min(ia.length, ib.length);
    for (var j = 0; j < m; j++) {
      var x = ia[j].codePointAt(0), y = ib[j].codePointAt(0);
      if (x !== y) return x - y;
    }
    return ia.length - ib.length;
  }

  function sortBy(list, keyFn) {
    return list
      .map(function (v, i) { return { v: v, k: keyFn(v), i: i }; })
      .sort(function (p, q) { return cmp(p.k, q.k) || p.i - q.i; })
      .map(function (p) { return p.v; });
  }

  function unique(list) {
    var out = [];
    list.forEach(function (x) { if (out.indexOf(x) < 0) out.push(x); });
    return out;
  }

  function T(profile, actor, options) {
    return { profile: profile, actor: actor, options: (options || []).slice() };
  }

  function singleKey(p, a) { return "A:" + p + ":" + a; }
  function groupKey(targets) {
    return "G:" + targets.map(function (t) { return t.profile + ":" + t.actor + ":" + t.options.join(","); }).join("+");
  }
  function externalKey(cited) {
    return "X:" + cited.map(function (x) { return x.domain + ":" + (x.profile || "") + ":" + x.actor + ":" + (x.options || []).join(","); }).join("+");
  }
  function externalPhrase(x) {  // expand.py external_phrase
    var options = x.options || [];
    var text = "the " + x.domain + " " + (x.profile ? x.profile + " " : "") + x.actor + " actor";
    if (options.length) text += " with the " + joinWords(options, "and") + " Option" + (options.length > 1 ? "s" : "");
    return text + (x.reference ? " (" + x.reference + ")" : "");
  }
  function targetsKey(targets) {
    return targets.length === 1 ? singleKey(targets[0].profile, targets[0].actor) : groupKey(targets);
  }

  // ------------------------------------------------------------------ the model

  function Model(data) {
    var self = this;
    this.domains = {};
    (data.domains || []).forEach(function (d) { self.domains[d.acronym] = d; });
    this.actors = {};
    (data.actors || []).forEach(function (a) { self.actors[a.id] = a; });
    this.transactions = {};
    (data.transactions || []).forEach(function (t) { self.transactions[t.id] = t; });
    this.profiles = {};
    this.profileList = data.profiles || [];
    this.profileList.forEach(function (p) { self.profiles[p.acronym] = p; });
    this.contents = {};
    (data.content_modules || []).forEach(function (c) { self.contents[c.id] = c; });
  }

  Model.prototype.profileActor = function (p, a) {
    var prof = this.profiles[p];
    for (var i = 0; i < prof.actors.length; i++) if (prof.actors[i].actor === a) return prof.actors[i];
    return null;
  };
  Model.prototype.option = function (p, o) {
    var prof = this.profiles[p];
    for (var i = 0; i < (prof.options || []).length; i++) if (prof.options[i].id === o) return prof.options[i];
    return null;
  };

  // ------------------------------------------------------------------ the expander

  function Expander(model) { this.m = model; this.chosen = {}; }
  var E = Expander.prototype;

  E.actorName = function (a) { var x = this.m.actors[a]; return x ? x.name : a; };
  E.optionName = function (p, o) { var x = this.m.option(p, o); return x ? x.name : o; };
  E.txLabel = function (t) { var x = this.m.transactions[t]; return x ? x.name + " [" + x.id + "]" : t; };
  E.actorRank = function (p, a) {
    var prof = this.m.profiles[p], idx = prof.actors.length;
    for (var i = 0; i < prof.actors.length; i++) if (prof.actors[i].actor === a) { idx = i; break; }
    return [prof.domain, prof.chapter, idx];
  };
  E.optionRank = function (p, o) {
    var opts = this.m.profiles[p].options || [];
    for (var i = 0; i < opts.length; i++) if (opts[i].id === o) return i;
    return opts.length;
  };
  E.txRank = function (t) {
    var x = this.m.transactions[t];
    if (!x) return ["~", 0];
    return [x.domain, parseInt(x.id.split("-").pop(), 10)];
  };
  E.cite = function (p, table) {
    var prof = this.m.profiles[p];
    return prof.domain + " TF-1 Table " + prof.chapter + "." + table + "-1";
  };
  E.chapterRef = function (p) { var prof = this.m.profiles[p]; return prof.domain + " TF-1: " + prof.chapter; };

  E.canonicalTargets = function (targets) {
    var self = this;
    var out = targets.map(function (t) {
      var opts = sortBy(unique(t.options), function (o) { return [self.optionRank(t.profile, o), o]; });
      return T(t.profile, t.actor, opts);
    });
    return sortBy(out, function (t) { return [self.actorRank(t.profile, t.actor), t.options]; });
  };

  E.optionSuffix = function (t) {
    var self = this;
    if (!t.options.length) return "";
    var names = t.options.map(function (o) { return self.optionName(t.profile, o); });
    return " with the " + joinWords(names, "and") + (names.length === 1 ? " Option" : " Options");
  };
  E.phrase = function (targets) {
    var self = this;
    if (targets.length === 1) {
      var t = targets[0];
      return "the " + t.profile + " " + this.actorName(t.actor) + " actor" + this.optionSuffix(t);
    }
    var profiles = unique(targets.map(function (t) { return t.profile; }));
    if (profiles.length === 1 && !targets.some(function (t) { return t.options.length; })) {
      return "the " + targets[0].profile + " " + joinWords(targets.map(function (t) { return self.actorName(t.actor); }), "or") + " actor";
    }
    return joinWords(targets.map(function (t) {
      return "the " + t.profile + " " + self.actorName(t.actor) + " actor" + self.optionSuffix(t);
    }), "or");
  };
  E.title = function (targets) {
    var self = this;
    var profiles = unique(targets.map(function (t) { return t.profile; }));
    if (targets.length > 1 && profiles.length === 1) {
      return targets[0].profile + " " + joinWords(targets.map(function (t) { return self.actorName(t.actor); }), "or");
    }
    return joinWords(targets.map(function (t) { return t.profile + " " + self.actorName(t.actor); }), "or");
  };

  // What one actor requires by itself. Tables keep insertion order like Python dicts.
  function Table() { this.keys = []; this.map = {}; }
  Table.prototype.get = function (k) { return Object.prototype.hasOwnProperty.call(this.map, k) ? this.map[k] : undefined; };
  Table.prototype.set = function (k, v) { if (this.get(k) === undefined) this.keys.push(k); this.map[k] = v; };
  Table.prototype.has = function (k) { return this.get(k) !== undefined; };

  // entry: {level, srcs: Table of "rel\u0000via" -> level, srcList: [[rel, via]]}
  function addEntry(table, key, level, src) {
    var entry = table.get(key), changed = false;
    if (entry === undefined) { entry = { level: 0, srcs: new Table() }; table.set(key, entry); changed = true; }
    if (level > entry.level) { entry.level = level; changed = true; }
    if (src) {
      var sk = src[0] + "\u0000" + src[1];
      var prev = entry.srcs.get(sk);
      if (prev === undefined || level > prev.level) { entry.srcs.set(sk, { src: src, level: level }); changed = true; }
    }
    return changed;
  }

  // chosen: Table of transaction -> level the selection requires by name (Selected.transactions)
  // added: Table of transaction -> [[level, fact key, via]] that other actors' options add (options[].adds)
  E.local = function (p, a, given, lvl, chosen, added) {
    var self = this, prof = this.m.profiles[p], pa = this.m.profileActor(p, a);
    var out = { options: new Table(), txs: new Table(), contents: [], oneofs: [], ctxs: [], edges: [], behaviours: [], externals: [] };
    var via1 = this.cite(p, 1), via2 = this.cite(p, 2), via3 = this.cite(p, 3);
    given.keys.forEach(function (o) { addEntry(out.options, o, Math.min(given.get(o), lvl), null); });
    (pa.options || []).forEach(function (claim) {
      if (claim.required) addEntry(out.options, claim.option, lvl, ["actor", via2]);
    });
    var sortedOpts = function () {
      return sortBy(out.options.keys.slice(), function (o) { return [self.optionRank(p, o), o]; });
    };
    var changed = true;
    while (changed) {
      changed = false;
      sortedOpts().forEach(function (o) {
        var option = self.m.option(p, o);
        ((option && option.requires) || []).forEach(function (r) {
          if (addEntry(out.options, r, out.options.get(o).level, ["option:" + o, via2])) changed = true;
        });
      });
    }
    (pa.transactions || []).forEach(function (tu) {
      if (tu.optionality === "R") addEntry(out.txs, tu.transaction, lvl, ["actor", via1]);
    });
    if (chosen) chosen.keys.forEach(function (x) { addEntry(out.txs, x, chosen.get(x), ["selection", via1]); });
    sortedOpts().forEach(function (o) {
      var option = self.m.option(p, o);
      ((option && option.transactions) || []).forEach(function (t) {
        addEntry(out.txs, t, out.options.get(o).level, ["option:" + o, via2]);
      });
    });
    if (added) added.keys.forEach(function (x) {
      added.get(x).forEach(function (e) { addEntry(out.txs, x, e[0], ["fact:" + e[1], e[2]]); });
    });
    (pa.content_modules || []).forEach(function (cu) {
      if (cu.optionality === "R") out.contents.push([cu.module, lvl, via1]);
    });
    (pa.at_least_one_of || []).forEach(function (s) {
      if (s.transactions && s.transactions.length) out.oneofs.push(["transactions", s.transactions.slice(), lvl, via1]);
      else out.oneofs.push(["options", (s.options || []).slice(), lvl, via2]);
    });
    (pa.transactions || []).forEach(function (tu) {
      if (tu.optionality === "C") out.ctxs.push([tu.transaction, norm(tu.condition), lvl, via1]);
    });
    (pa.requirements || []).forEach(function (r) {
      if (r.optionality !== "O") out.behaviours.push([norm(r.text), r.optionality === "C" ? norm(r.condition) : "", lvl, via1]);
    });
    (prof.groupings || []).forEach(function (g) {
      if (g.actor !== a) return;
      if (g.kind === "optional") return;  // a MAY grouping requires nothing of a product
      var base, rel;
      if (g.when_option) {
        if (!out.options.has(g.when_option)) return;
        base = out.options.get(g.when_option).level; rel = "option:" + g.when_option;
      } else { base = lvl; rel = "actor"; }
      var level = Math.min(base, g.kind === "recommended" ? SHOULD : SHALL);
      var targets = self.canonicalTargets((g["with"] || []).map(function (w) { return T(w.profile, w.actor, w.options || []); }));
      if (g.external && g.external.length) {
        out.externals.push([targets, g.external, level, via3, norm(g.condition)]);
        return;
      }
      out.edges.push({ targets: targets, level: level, rel: rel, via: via3, condition: norm(g.condition) });
    });
    return out;
  };

  function srcVias(entry) {
    return unique(entry.srcs.keys.map(function (k) { return entry.srcs.get(k).src[1]; })).sort(cmp);
  }

  // keyed items: Table of key -> {level, vias, obj}
  E.localKeys = function (t, loc) {
    var self = this, keys = new Table();
    function put(key, level, vias, obj) {
      var old = keys.get(key);
      if (old !== undefined) {
        level = Math.max(old.level, level);
        vias = old.vias.concat(vias.filter(function (v) { return old.vias.indexOf(v) < 0; }));
      }
      keys.set(key, { level: level, vias: vias, obj: obj });
    }
    sortBy(loc.options.keys.slice(), function (o) { return [self.optionRank(t.profile, o), o]; }).forEach(function (o) {
      var e = loc.options.get(o);
      if (e.srcs.keys.length) put(JSON.stringify(["option", t.profile, o]), e.level, srcVias(e), o);
    });
    loc.contents.forEach(function (c) { put(JSON.stringify(["content", c[0]]), c[1], [c[2]], c[0]); });
    sortBy(loc.txs.keys.slice(), function (x) { return [self.txRank(x), x]; }).forEach(function (x) {
      var e = loc.txs.get(x);
      put(JSON.stringify(["tx", x]), e.level, srcVias(e), x);
    });
    loc.oneofs.forEach(function (s) {
      put(JSON.stringify(["oneof", s[0], s[0] === "options" ? t.profile : "", s[1]]), s[2], [s[3]], [s[0], s[1], t.profile]);
    });
    loc.ctxs.forEach(function (c) { put(JSON.stringify(["ctx", c[0], c[1]]), c[2], [c[3]], [c[0], c[1]]); });
    loc.edges.forEach(function (e) { put(JSON.stringify(["edge", groupKey(e.targets), e.condition]), e.level, [e.via], e); });
    loc.behaviours.forEach(function (b) { put(JSON.stringify(["behaviour", b[0], b[1]]), b[2], [b[3]], [b[0], b[1]]); });
    loc.externals.forEach(function (x) {
      put(JSON.stringify(["external", groupKey(x[0]), externalKey(x[1]), x[4]]), x[2], [x[3]], [x[0], x[1]]);
    });
    return keys;
  };

  E.memberLocals = function (targets, lvl) {
    var self = this;
    return targets.map(function (t) {
      var given = new Table();
      t.options.forEach(function (o) { given.set(o, lvl); });
      return self.localKeys(t, self.local(t.profile, t.actor, given, lvl));
    });
  };

  E.common = function (targets, lvl) {
    var per = this.memberLocals(targets, lvl), out = new Table();
    per[0].keys.forEach(function (key) {
      var first = per[0].get(key);
      if (!per.slice(1).every(function (o) { return o.has(key); })) return;
      var vias = first.vias.slice(), level = first.level;
      per.slice(1).forEach(function (o) {
        o.get(key).vias.forEach(function (v) { if (vias.indexOf(v) < 0) vias.push(v); });
        level = Math.min(level, o.get(key).level);
      });
      out.set(key, { level: level, vias: vias, obj: first.obj });
    });
    return out;
  };

  E.subjectRank = function (skey, targets, selected) {
    var first = targets[0];
    return [selected[skey] ? 0 : 1, this.actorRank(first.profile, first.actor), targets.length, skey];
  };

  function absKey(skey, rel) {
    if (rel === "selection") return "";
    if (rel.indexOf("fact:") === 0) return rel.slice(5);  // another subject's option that adds to this actor
    return rel === "actor" ? "actor|" + skey : "option|" + skey + "|" + rel.split(":").slice(1).join(":");
  }

  E.fixedPoint = function (selection, satisfied) {
    var self = this;
    var facts = new Table(), members = new Table(), optionsOf = {};
    var state = { changed: false };
    function add(fkey, level, src) {
      var f = facts.get(fkey);
      if (f === undefined) { f = { level: 0, sources: new Table() }; facts.set(fkey, f); state.changed = true; }
      if (level > f.level) { f.level = level; state.changed = true; }
      var sk = src[0] + "\u0000" + src[1], prev = f.sources.get(sk);
      if (prev === undefined || level > prev.level) { f.sources.set(sk, { src: src, level: level }); state.changed = true; }
    }
    function addSubject(targets) {
      var key;
      if (targets.length === 1) {
        key = singleKey(targets[0].profile, targets[0].actor);
        if (!members.has(key)) members.set(key, [T(targets[0].profile, targets[0].actor)]);
      } else {
        key = groupKey(targets);
        if (!members.has(key)) members.set(key, targets);
      }
      if (!optionsOf[key]) optionsOf[key] = [];
      return key;
    }
    function addOption(skey, o, level, src) {
      if (optionsOf[skey].indexOf(o) < 0) optionsOf[skey].push(o);
      add("option|" + skey + "|" + o, level, src);
    }
    function follow(edge, srcKey) {
      if (edge.condition) return;
      var key = addSubject(edge.targets);
      add("actor|" + key, edge.level, [srcKey, edge.via]);
      if (edge.targets.length === 1) {
        edge.targets[0].options.forEach(function (o) { addOption(key, o, edge.level, [srcKey, edge.via]); });
      }
    }
    selection.forEach(function (s) {
      var key = addSubject([s.target]);
      add("actor|" + key, s.level, ["", "selection"]);
      s.target.options.forEach(function (o) { addOption(key, o, s.level, ["", "selection"]); });
    });
    var selected = {};
    selection.forEach(function (s) { selected[singleKey(s.target.profile, s.target.actor)] = true; });
    for (;;) {
      state.changed = false;
      var order = sortBy(members.keys.slice(), function (k) { return self.subjectRank(k, members.get(k), selected); });
      order.forEach(function (skey) {
        var lvl = facts.get("actor|" + skey).level, targets = members.get(skey);
        if (targets.length === 1) {
          var t = targets[0], given = new Table();
          optionsOf[skey].forEach(function (o) { given.set(o, facts.get("option|" + skey + "|" + o).level); });
          var loc = self.local(t.profile, t.actor, given, lvl);
          sortBy(loc.options.keys.slice(), function (o) { return [self.optionRank(t.profile, o), o]; }).forEach(function (o) {
            var e = loc.options.get(o);
            e.srcs.keys.forEach(function (k) {
              var s = e.srcs.get(k);
              addOption(skey, o, s.level, [absKey(skey, s.src[0]), s.src[1]]);
            });
          });
          loc.edges.forEach(function (e) { follow(e, absKey(skey, e.rel)); });
        } else if (!satisfied[skey]) {
          var common = self.common(targets, lvl);
          common.keys.forEach(function (key) {
            if (JSON.parse(key)[0] !== "edge") return;
            var c = common.get(key), e = c.obj;
            c.vias.forEach(function (via) {
              follow({ targets: e.targets, level: c.level, rel: "actor", via: via, condition: e.condition }, "actor|" + skey);
            });
          });
        }
      });
      if (!state.changed) break;
    }
    return { facts: facts, members: members, optionsOf: optionsOf };
  };

  function finalSources(fact) {
    return fact.sources.keys.map(function (k) { return fact.sources.get(k); })
      .filter(function (s) { return s.level === fact.level; })
      .map(function (s) { return s.src; });
  }

  function levelOf(facts, key) { var f = facts.get(key); return f === undefined ? 0 : f.level; }

  E.expand = function (annex) {
    var self = this, m = this.m;
    var selection = annex.selection.map(function (s) {
      return { target: self.canonicalTargets([T(s.profile, s.actor, s.options || [])])[0], level: s.level === "SHOULD" ? SHOULD : SHALL };
    });
    selection = sortBy(selection, function (s) { return [self.actorRank(s.target.profile, s.target.actor), s.target.options]; });
    var selected = {};
    selection.forEach(function (s) { selected[singleKey(s.target.profile, s.target.actor)] = true; });
    this.chosen = {};
    annex.selection.forEach(function (s) {
      var txs = sortBy(unique(s.transactions || []), function (x) { return [self.txRank(x), x]; });
      if (!txs.length) return;
      var table = new Table();
      txs.forEach(function (x) { table.set(x, s.level === "SHOULD" ? SHOULD : SHALL); });
      self.chosen[singleKey(s.profile, s.actor)] = table;
    });

    var st = this.fixedPoint(selection, {});
    var satisfied = {}, any = false;
    st.members.keys.forEach(function (skey) {
      var targets = st.members.get(skey);
      if (targets.length < 2) return;
      var glevel = st.facts.get("actor|" + skey).level;
      for (var i = 0; i < targets.length; i++) {
        var t = targets[i], mkey = singleKey(t.profile, t.actor);
        var mf = st.facts.get("actor|" + mkey);
        if (mf === undefined || mf.level < glevel) continue;
        if (t.options.every(function (o) { return levelOf(st.facts, "option|" + mkey + "|" + o) >= glevel; })) {
          satisfied[skey] = "actor|" + mkey; any = true;
          break;
        }
      }
    });
    if (any) st = this.fixedPoint(selection, satisfied);

    var added = this.optionEffects(st.facts, st.members, st.optionsOf);
    var items = [];
    sortBy(st.members.keys.slice(), function (k) { return self.subjectRank(k, st.members.get(k), selected); }).forEach(function (skey) {
      items = items.concat(self.subjectItems(skey, st.members.get(skey), st.facts, st.optionsOf, satisfied, added[skey]));
    });
    var width = Math.max(3, String(items.length).length);
    var ids = {}, order = {};
    items.forEach(function (item, n) {
      var num = String(n + 1);
      while (num.length < width) num = "0" + num;
      ids[item.key] = annex.prefix + "-" + num;
      order[item.key] = n;
    });
    var requirements = items.map(function (item) {
      var sources = sortBy(item.sources, function (s) { return [s[0] === "" ? -1 : (order[s[0]] === undefined ? 1e9 : order[s[0]]), s[1]]; });
      return {
        id: ids[item.key],
        level: WORD[item.level],
        kind: item.kind,
        subject: item.subject.map(function (t) { return T(t.profile, t.actor, t.options); }),
        text: self.text(item, ids),
        reference: item.reference,
        sources: sources.map(function (s) { return { from: s[0] === "" ? null : ids[s[0]], via: s[1] }; }),
        flags: self.flags(item, annex.minimum_status),
        condition: item.condition || "",
        applies_if: item.member ? { profile: item.member.profile, actor: item.member.actor } : null,
        met_by: item.metBy.map(function (t) { return T(t.profile, t.actor, t.options); }),
        subjectKey: item.subjectKey,
        subjectTitle: self.title(item.subject)
      };
    });
    requirements.forEach(function (r) { r.provenance = provenance(r.sources); });

    var domain = annex.domain;
    if (!domain) {
      var best = null;
      annex.selection.forEach(function (s) {
        var p = m.profiles[s.profile];
        if (p && (best === null || cmp([p.domain, p.chapter], best) < 0)) best = [p.domain, p.chapter];
      });
      domain = best ? best[0] : Object.keys(m.domains).sort(cmp)[0];
    }
    var ds = [];
    st.members.keys.forEach(function (k) {
      st.members.get(k).forEach(function (t) { var d = m.profiles[t.profile].domain; if (ds.indexOf(d) < 0) ds.push(d); });
    });
    ds.sort(cmp);
    ds = [domain].concat(ds.filter(function (d) { return d !== domain; }));
    var frameworks = ds.filter(function (d) { return m.domains[d]; }).map(function (d) {
      var x = m.domains[d];
      return { domain: d, title: x.title, revision: x.revision, date: x.date, status: x.status };
    });
    return {
      annex: annex,
      domain: domain,
      revision: m.domains[domain].revision,
      date: m.domains[domain].date,
      frameworks: frameworks,
      selection: selection.map(function (s) {
        var chosen = self.chosen[singleKey(s.target.profile, s.target.actor)];
        return { target: s.target, level: WORD[s.level], transactions: chosen ? chosen.keys.slice() : [] };
      }),
      requirements: requirements
    };
  };

  function provenance(sources) {
    var derived = sources.filter(function (s) { return s.from !== null; }).map(function (s) { return s.from + " through " + s.via; });
    var parts = sources.some(function (s) { return s.from === null; }) ? ["Selected in this annex"] : [];
    if (derived.length) parts.push((parts.length ? "derived from " : "Derived from ") + derived.join(", "));
    return parts.join("; ");
  }

  function item(key, kind, subject, skey, level, sources, extra) {
    var it = { key: key, kind: kind, subject: subject, subjectKey: skey, level: level, sources: sources, obj: null,
      condition: "", member: null, metByKey: "", reference: "", metBy: [] };
    Object.keys(extra || {}).forEach(function (k) { it[k] = extra[k]; });
    return it;
  }

  // Transactions one actor's options add to another actor the system implements (expand.py option_effects).
  E.optionEffects = function (facts, members, optionsOf) {
    var self = this, added = {};
    sortBy(members.keys.slice(), function (k) { return k; }).forEach(function (skey) {
      var targets = members.get(skey);
      if (targets.length !== 1) return;
      var t = targets[0];
      sortBy(optionsOf[skey].slice(), function (o) { return [self.optionRank(t.profile, o), o]; }).forEach(function (o) {
        var option = self.m.option(t.profile, o);
        ((option && option.adds) || []).forEach(function (e) {
          var bkey = singleKey(t.profile, e.actor);
          if (e.optionality !== "R" || !members.has(bkey)) return;
          var level = Math.min(facts.get("option|" + skey + "|" + o).level, facts.get("actor|" + bkey).level);
          if (!added[bkey]) added[bkey] = new Table();
          if (!added[bkey].has(e.transaction)) added[bkey].set(e.transaction, []);
          added[bkey].get(e.transaction).push([level, "option|" + skey + "|" + o, self.cite(t.profile, 2)]);
        });
      });
    });
    return added;
  };

  E.subjectItems = function (skey, targets, facts, optionsOf, satisfied, added) {
    var self = this, fact = facts.get("actor|" + skey), lvl = fact.level, items = [];
    var actorKey = "actor|" + skey;
    if (targets.length === 1) {
      var t = targets[0];
      items.push(item(actorKey, "actor", targets, skey, lvl, finalSources(fact),
        { reference: this.chapterRef(t.profile), metBy: [T(t.profile, t.actor)] }));
      var opts = sortBy(optionsOf[skey].slice(), function (o) { return [self.optionRank(t.profile, o), o]; });
      var given = new Table();
      opts.forEach(function (o) {
        var of = facts.get("option|" + skey + "|" + o);
        given.set(o, of.level);
        items.push(item("option|" + skey + "|" + o, "option", targets, skey, of.level, finalSources(of),
          { obj: o, reference: self.cite(t.profile, 2), metBy: [T(t.profile, t.actor, [o])] }));
      });
      var loc = this.local(t.profile, t.actor, given, lvl, this.chosen[singleKey(t.profile, t.actor)], added);
      var keys = this.localKeys(t, loc), filtered = new Table();
      keys.keys.forEach(function (k) { if (JSON.parse(k)[0] !== "option") filtered.set(k, keys.get(k)); });
      return items.concat(this.keyedItems(skey, targets, filtered, facts, null, loc.txs, given));
    }
    var metByKey = satisfied[skey] || "";
    items.push(item(actorKey, "alternatives", targets, skey, lvl, finalSources(fact), {
      metByKey: metByKey,
      reference: unique(targets.map(function (x) { return self.chapterRef(x.profile); })).join("; "),
      metBy: targets.slice()
    }));
    if (metByKey) return items;
    var per = this.memberLocals(targets, lvl), common = this.common(targets, lvl);
    items = items.concat(this.keyedItems(skey, targets, common, facts, null, null, null));
    targets.forEach(function (t, i) {
      var own = new Table();
      per[i].keys.forEach(function (k) { if (!common.has(k)) own.set(k, per[i].get(k)); });
      items = items.concat(self.keyedItems(skey, targets, own, facts, t, null, null));
    });
    return items;
  };

  E.keyedItems = function (skey, targets, keys, facts, member, txs, options) {
    var self = this, actorKey = "actor|" + skey;
    var mtag = member === null ? "" : "|" + member.profile + ":" + member.actor;
    var out = [], txLevels = {}, optLevels = {};
    keys.keys.forEach(function (k) { var kk = JSON.parse(k); if (kk[0] === "tx") txLevels[kk[1]] = keys.get(k).level; });
    if (options) options.keys.forEach(function (o) { optLevels[o] = options.get(o); });
    keys.keys.forEach(function (k) {
      var kk = JSON.parse(k);
      if (kk[0] === "option") optLevels[kk[2]] = Math.max(optLevels[kk[2]] || 0, keys.get(k).level);
    });
    function claims(extra) {
      var base = member ? [member] : targets;
      return base.map(function (b) { return T(b.profile, b.actor, unique(b.options.concat(extra || []))); });
    }
    function src(vias) { return vias.map(function (v) { return [actorKey, v]; }); }
    ["option", "content", "tx", "oneof", "ctx", "behaviour", "edge", "external"].forEach(function (category) {
      keys.keys.forEach(function (k) {
        var kk = JSON.parse(k);
        if (kk[0] !== category) return;
        var v = keys.get(k), level = v.level, vias = v.vias, obj = v.obj;
        if (category === "option") {
          out.push(item("option|" + skey + "|" + obj + mtag, "option", targets, skey, level, src(vias),
            { obj: obj, member: member, reference: vias.join("; "), metBy: claims([obj]) }));
        } else if (category === "content") {
          out.push(item("content|" + skey + "|" + obj + mtag, "content", targets, skey, level, src(vias),
            { obj: obj, member: member, reference: vias.join("; "), metBy: claims() }));
        } else if (category === "tx") {
          if (txs !== null && member === null && targets.length === 1) {
            var entry = txs.get(obj), t = targets[0];
            var fin = entry.srcs.keys.map(function (x) { return entry.srcs.get(x); }).filter(function (s) { return s.level === entry.level; });
            var sources = fin.map(function (s) { return [absKey(skey, s.src[0]), s.src[1]]; });
            var met;
            if (fin.some(function (s) { return s.src[0] === "actor" || s.src[0] === "selection" || s.src[0].indexOf("fact:") === 0; })) met = [T(t.profile, t.actor)];
            else met = fin.map(function (s) { return T(t.profile, t.actor, [s.src[0].split(":").slice(1).join(":")]); });
            out.push(item("tx|" + skey + "|" + obj, "transaction", targets, skey, entry.level, sources,
              { obj: obj, reference: unique(sources.map(function (s) { return s[1]; })).join("; "), metBy: met }));
          } else {
            out.push(item("tx|" + skey + "|" + obj + mtag, "transaction", targets, skey, level, src(vias),
              { obj: obj, member: member, reference: vias.join("; "), metBy: claims() }));
          }
        } else if (category === "oneof") {
          var kind = obj[0], mem = obj[1], profile = obj[2], metOne;
          if (kind === "transactions") {
            if (mem.some(function (x) { return (txLevels[x] || 0) >= level; })) return;
            metOne = claims();
          } else {
            if (mem.some(function (x) { return (optLevels[x] || 0) >= level; })) return;
            metOne = [];
            mem.forEach(function (x) { metOne = metOne.concat(claims([x])); });
          }
          out.push(item("oneof|" + skey + "|" + kind + "|" + profile + "|" + mem.join(",") + mtag, "one-of", targets, skey, level, src(vias),
            { obj: obj, member: member, reference: vias.join("; "), metBy: metOne }));
        } else if (category === "behaviour") {
          out.push(item("behaviour|" + skey + "|" + obj[0] + "|" + obj[1] + mtag, obj[1] ? "conditional-behaviour" : "behaviour", targets, skey, level,
            src(vias), { obj: obj[0], condition: obj[1], member: member, reference: vias.join("; "), metBy: claims() }));
        } else if (category === "external") {
          out.push(item("external|" + skey + "|" + groupKey(obj[0]) + "|" + externalKey(obj[1]) + "|" + kk[3] + mtag, "external-grouping", targets, skey,
            level, src(vias), { obj: obj, condition: kk[3], member: member, reference: vias.join("; "), metBy: obj[0].slice() }));
        } else if (category === "ctx") {
          var tx = obj[0], cond = obj[1];
          if ((txLevels[tx] || 0) >= level) return;
          out.push(item("ctx|" + skey + "|" + tx + "|" + cond + mtag, "conditional-transaction", targets, skey, level, src(vias),
            { obj: tx, condition: cond, member: member, reference: vias.join("; "), metBy: claims() }));
        } else {
          var e = obj;
          if (!e.condition && member === null) return;
          var tkey = targetsKey(e.targets), tf = facts.get("actor|" + tkey);
          if (tf !== undefined && tf.level >= level && (e.targets.length > 1 || e.targets[0].options.every(function (o) {
            return levelOf(facts, "option|" + tkey + "|" + o) >= level;
          }))) return;
          out.push(item("edge|" + skey + "|" + groupKey(e.targets) + "|" + e.condition + mtag, e.condition ? "conditional-grouping" : "grouping",
            targets, skey, level, src(vias), { obj: e, condition: e.condition, member: member, reference: vias.join("; "), metBy: e.targets.slice() }));
        }
      });
    });
    return out;
  };

  E.text = function (it, ids) {
    var L = WORD[it.level], lead, subj, profile, body;
    if (it.kind === "actor") return "The system " + L + " implement " + this.phrase(it.subject) + ".";
    if (it.kind === "alternatives") {
      var text = "The system " + L + " implement " + this.phrase(it.subject) + ".";
      if (it.metByKey) text += " This is met by " + ids[it.metByKey] + ".";
      return text;
    }
    if (it.member !== null) {
      lead = "If " + this.phrase([it.member]) + " is implemented to meet " + ids["actor|" + it.subjectKey] + ", ";
      subj = "it";
      profile = it.member.profile;
    } else {
      lead = "";
      var ph = this.phrase(it.subject);
      subj = ph.charAt(0).toUpperCase() + ph.slice(1);
      profile = it.subject[0].profile;
    }
    var self = this;
    if (it.kind === "option") body = subj + " " + L + " support the " + this.optionName(profile, it.obj) + " Option.";
    else if (it.kind === "content") {
      var cm = this.m.contents[it.obj];
      body = subj + " " + L + " support the " + (cm ? cm.name : it.obj) + " content module.";
    } else if (it.kind === "transaction") body = subj + " " + L + " support " + this.txLabel(it.obj) + ".";
    else if (it.kind === "one-of") {
      var kind = it.obj[0], mem = it.obj[1], op = it.obj[2];
      if (kind === "transactions") body = subj + " " + L + " support at least one of " + joinWords(mem.map(function (x) { return self.txLabel(x); }), "or") + ".";
      else body = subj + " " + L + " support at least one of the " + joinWords(mem.map(function (x) { return self.optionName(op, x); }), "or") + " Options.";
    } else if (it.kind === "conditional-transaction") {
      body = subj + " " + L + " support " + this.txLabel(it.obj) + " when this condition holds: " + it.condition;
    } else if (it.kind === "behaviour" || it.kind === "conditional-behaviour") {
      body = subj + " " + L + " meet this requirement: " + it.obj.replace(/\.+$/, "");
      body += it.condition ? ", when this condition holds: " + it.condition : ".";
    } else if (it.kind === "external-grouping") {
      var inTree = it.obj[0], cited = it.obj[1], also2 = it.member !== null ? "also " : "";
      var named = inTree.map(function (x) { return self.phrase([x]); }).concat(cited.map(externalPhrase));
      body = "the system " + L + " " + also2 + "implement " + joinWords(named, "or");
      body += it.condition ? " when this condition holds: " + it.condition : ".";
      if (it.member === null) body = "T" + body.slice(1);
    } else {
      var e = it.obj, also = it.member !== null ? "also " : "";
      body = "the system " + L + " " + also + "implement " + this.phrase(e.targets);
      body += it.condition ? " when this condition holds: " + it.condition : ".";
      if (it.member === null) body = "T" + body.slice(1);
    }
    return lead + body;
  };

  E.flags = function (it, minimum) {
    var m = this.m, found = [], self = this;
    if (it.kind === "actor" || it.kind === "alternatives") {
      it.subject.forEach(function (t) {
        found.push(["Profile " + t.profile, m.profiles[t.profile].status]);
        var a = m.actors[t.actor];
        if (a) found.push(["Actor " + a.name, a.status]);
      });
    } else if (it.kind === "option") {
      var profile = it.member ? it.member.profile : it.subject[0].profile;
      var o = m.option(profile, it.obj);
      if (o && o.status) found.push(["Option " + o.name + " (" + profile + ")", o.status]);
    } else if (it.kind === "transaction" || it.kind === "conditional-transaction") {
      var t = m.transactions[it.obj];
      if (t) found.push(["Transaction " + self.txLabel(it.obj), t.status]);
    } else if (it.kind === "content") {
      var c = m.contents[it.obj];
      if (c) found.push(["Content module " + c.name, c.status]);
    }
    var out = [];
    found.forEach(function (f) {
      var status = f[1];
      if (C.statusRank[status] >= C.statusRank[minimum]) return;
      var text = f[0] + " is " + C.statusLabels[status];
      if (status !== "retired" && status !== "deprecated") text += ", below the " + C.statusLabels[minimum] + " this annex requires";
      if (out.indexOf(text) < 0) out.push(text);
    });
    return out;
  };

  // ------------------------------------------------------------------ rendering (render.py)

  var MD_SPECIAL = "\\`*_[]|#{}";  // as render.py: {} would be attr_list
  function mdEscape(text) {
    var out = "";
    Array.from(String(text)).forEach(function (ch) {
      if (MD_SPECIAL.indexOf(ch) >= 0) out += "\\" + ch;
      else if (ch === "&") out += "&amp;";
      else if (ch === "<") out += "&lt;";
      else if (ch === ">") out += "&gt;";
      else out += ch;
    });
    return out;
  }

  function paragraphs(text) {
    var out = [], current = [];
    String(text || "").replace(/\r\n/g, "\n").replace(/\r/g, "\n").split("\n").forEach(function (line) {
      if (line.replace(/[ \t]/g, "")) current.push(line);
      else if (current.length) { out.push(norm(current.join(" "))); current = []; }
    });
    if (current.length) out.push(norm(current.join(" ")));
    return out.filter(function (p) { return p; });
  }

  function factsLines(e) {
    var shall = e.requirements.filter(function (r) { return r.level === "SHALL"; }).length;
    var should = e.requirements.length - shall;
    var lines = [];
    if (e.annex.buyer) lines.push(["Buyer", norm(e.annex.buyer)]);
    lines.push(["Framework", e.frameworks.map(function (f) {
      return f.title + " (" + f.domain + " TF) Revision " + f.revision + ", " + f.date;
    }).join("; ")]);
    lines.push(["Minimum status", C.statusLabels[e.annex.minimum_status]]);
    var range = e.requirements.length ? e.requirements[0].id + " to " + e.requirements[e.requirements.length - 1].id : "";
    lines.push(["Requirements", e.requirements.length + " (" + shall + " SHALL, " + should + " SHOULD), " + range]);
    return lines;
  }

  function selectionRows(e, m) {
    return e.selection.map(function (s) {
      var t = s.target, p = m.profiles[t.profile];
      var opts = t.options.map(function (o) { var x = m.option(t.profile, o); return x ? x.name : o; });
      return [p.name + " (" + t.profile + ")", m.actors[t.actor].name, opts.join(", ") || "None", s.level];
    });
  }

  function bySubject(e) {
    var groups = [], index = {};
    e.requirements.forEach(function (r) {
      if (!(r.subjectKey in index)) { index[r.subjectKey] = groups.length; groups.push([r.subjectTitle, []]); }
      groups[index[r.subjectKey]][1].push(r);
    });
    return groups;
  }

  function row(cells) { return "| " + cells.join(" | ") + " |"; }
  function dashes(n) { var a = []; for (var i = 0; i < n; i++) a.push("---"); return a; }

  function toMarkdown(e, m) {
    var out = ["# " + mdEscape(norm(e.annex.title)), ""];
    factsLines(e).forEach(function (kv) { out.push("- " + kv[0] + ": " + mdEscape(kv[1])); });
    out.push("");
    paragraphs(e.annex.introduction).forEach(function (p) { out.push(mdEscape(p), ""); });
    out.push("## Conformance", "");
    C.conformance.forEach(function (p) { out.push(mdEscape(p), ""); });
    out.push("## Selection", "", row(["Profile", "Actor", "Options", "Level"]), row(dashes(4)));
    selectionRows(e, m).forEach(function (r) { out.push(row(r.map(mdEscape))); });
    out.push("", "## Requirements", "");
    bySubject(e).forEach(function (g) {
      out.push("### " + mdEscape(g[0]), "", row(["ID", "Level", "Requirement", "Source", "Flags"]), row(dashes(5)));
      g[1].forEach(function (r) {
        out.push(row([r.id, r.level, mdEscape(r.text), mdEscape(r.provenance), mdEscape(r.flags.join("; "))]));
      });
      out.push("");
    });
    return out.join("\n").replace(/\n+$/, "") + "\n";
  }

  function safeCell(text) {
    return ["=", "+", "-", "@", "\t", "\r"].indexOf(text.charAt(0)) >= 0 ? "'" + text : text;
  }
  function csvRow(cells) {
    return cells.map(function (c) { return '"' + String(c).replace(/"/g, '""') + '"'; }).join(",") + "\r\n";
  }
  function toCsv(e) {
    var out = csvRow(C.requirementColumns.concat(C.vendorColumns));
    e.requirements.forEach(function (r) {
      var cells = [r.id, r.level, r.subjectTitle, r.text, r.provenance, r.reference, r.flags.join("; ")];
      C.vendorColumns.forEach(function () { cells.push(""); });
      out += csvRow(cells.map(safeCell));
    });
    return out;
  }

  function toData(e) {
    var a = e.annex;
    return {
      format: "tfpub-annex",
      version: 1,
      annex: {
        id: a.id, title: a.title, buyer: a.buyer, prefix: a.prefix, domain: e.domain,
        revision: a.revision || e.revision, minimum_status: a.minimum_status, introduction: a.introduction
      },
      frameworks: e.frameworks,
      conformance: C.conformance.slice(),
      selection: e.selection.map(function (s) {
        var out = { profile: s.target.profile, actor: s.target.actor, options: s.target.options.slice(), level: s.level };
        if (s.transactions.length) out.transactions = s.transactions.slice();
        return out;
      }),
      requirements: e.requirements.map(function (r) {
        return {
          id: r.id, level: r.level, kind: r.kind, subject: r.subject, text: r.text, reference: r.reference,
          sources: r.sources, provenance: r.provenance, flags: r.flags, condition: r.condition,
          applies_if: r.applies_if, met_by: r.met_by
        };
      })
    };
  }
  function toJson(e) { return JSON.stringify(toData(e), null, 2) + "\n"; }

  // Selection checks, as check_selection does (the page only offers valid choices).
  function checkSelection(m, selection) {
    var problems = [], seen = {};
    selection.forEach(function (s) {
      var p = m.profiles[s.profile];
      if (!p) { problems.push("unknown profile '" + s.profile + "'"); return; }
      var pa = m.profileActor(s.profile, s.actor);
      if (!pa) { problems.push("profile " + s.profile + " has no actor '" + s.actor + "'"); return; }
      var key = s.profile + ":" + s.actor;
      if (seen[key]) { problems.push(key + " is selected twice"); return; }
      seen[key] = true;
      var claimable = (pa.options || []).map(function (c) { return c.option; });
      (s.options || []).forEach(function (o) {
        if (claimable.indexOf(o) < 0) problems.push("the " + s.profile + " actor " + s.actor + " has no option '" + o + "'");
      });
      var listed = (pa.transactions || []).map(function (tu) { return tu.transaction; });
      (s.transactions || []).forEach(function (x) {
        if (listed.indexOf(x) < 0) problems.push("the " + s.profile + " actor " + s.actor + " has no transaction '" + x + "'; its transactions are: " + (listed.join(", ") || "(none)"));
      });
    });
    return problems;
  }

  function build(model, annex) {
    var problems = checkSelection(model, annex.selection);
    if (problems.length) throw new Error(problems.join("; "));
    var e = new Expander(model).expand(annex);
    return { expansion: e, markdown: toMarkdown(e, model), csv: toCsv(e), json: toJson(e) };
  }

  // ------------------------------------------------------------------ Word and Excel (docx, exceljs)

  // What a requirement row says, as render.py's matrix_rows.
  function matrixRow(r) { return [r.id, r.level, r.subjectTitle, r.text, r.provenance, r.reference, r.flags.join("; ")]; }

  function optionNames(m, t) {
    return t.options.map(function (o) { var x = m.option(t.profile, o); return x ? x.name : o; });
  }

  // Word, with the sections and columns of office.py's annex_docx. Widths in twips fill
  // the text width of the library's default A4 page (11906 - 2 x 1440).
  function toDocx(e, m) {
    var D = window.docx;
    var title = norm(e.annex.title);
    function text(t, bold) { return new D.TextRun({ text: t, bold: !!bold }); }
    function cell(t, width, bold) {
      return new D.TableCell({ width: { size: width, type: D.WidthType.DXA }, children: [new D.Paragraph({ children: [text(t, bold)] })] });
    }
    function table(header, rows, widths) {
      var out = [new D.TableRow({ tableHeader: true, children: header.map(function (h, i) { return cell(h, widths[i], true); }) })];
      rows.forEach(function (r) { out.push(new D.TableRow({ cantSplit: true, children: r.map(function (c, i) { return cell(c, widths[i], false); }) })); });
      return new D.Table({ rows: out, columnWidths: widths, width: { size: widths.reduce(function (a, b) { return a + b; }, 0), type: D.WidthType.DXA } });
    }
    var body = [new D.Paragraph({ text: title, heading: D.HeadingLevel.TITLE })];
    factsLines(e).forEach(function (kv) {
      body.push(new D.Paragraph({ bullet: { level: 0 }, children: [text(kv[0] + ": ", true), text(kv[1])] }));
    });
    paragraphs(e.annex.introduction).forEach(function (p) { body.push(new D.Paragraph({ text: p })); });
    body.push(new D.Paragraph({ text: "Conformance", heading: D.HeadingLevel.HEADING_1 }));
    C.conformance.forEach(function (p) { body.push(new D.Paragraph({ text: p })); });
    body.push(new D.Paragraph({ text: "Selection", heading: D.HeadingLevel.HEADING_1 }));
    body.push(table(["Profile", "Actor", "Options", "Level"], selectionRows(e, m), [3300, 2300, 2526, 900]));
    body.push(new D.Paragraph({ text: "Requirements", heading: D.HeadingLevel.HEADING_1 }));
    bySubject(e).forEach(function (g) {
      body.push(new D.Paragraph({ text: g[0], heading: D.HeadingLevel.HEADING_2 }));
      body.push(table(["ID", "Level", "Requirement", "Source", "Flags"],
        g[1].map(function (r) { return [r.id, r.level, r.text, r.provenance, r.flags.join("; ")]; }), [1150, 850, 4150, 2000, 876]));
    });
    var doc = new D.Document({
      creator: norm(e.annex.buyer) || "tfpub", title: title, subject: "IHE requirements annex", keywords: "IHE",
      lastModifiedBy: "tfpub", sections: [{ children: body }]
    });
    return D.Packer.toBlob(doc);
  }

  var XLSX_WIDTHS = [12, 9, 28, 60, 40, 22, 24, 16, 14, 22, 30, 34, 30];

  // Excel, with the columns, drop-down and date check of office.py's annex_xlsx; the
  // requirement columns are locked and the response columns left open.
  function toXlsx(e, m) {
    var X = window.ExcelJS;
    var wb = new X.Workbook();
    var when = new Date((e.date || "2000-01-01") + "T00:00:00Z");
    if (isNaN(when.getTime())) when = new Date("2000-01-01T00:00:00Z");
    wb.creator = norm(e.annex.buyer) || "tfpub";
    wb.lastModifiedBy = "tfpub";
    wb.title = norm(e.annex.title);
    wb.subject = "IHE requirements annex: compliance matrix";
    wb.created = when; wb.modified = when;
    var header = C.requirementColumns.concat(C.vendorColumns), nreq = C.requirementColumns.length;
    var ws = wb.addWorksheet("Requirements", { views: [{ state: "frozen", xSplit: 1, ySplit: 1 }] });
    ws.columns = header.map(function (h, i) { return { header: h, key: "c" + i, width: XLSX_WIDTHS[i] || 20 }; });
    e.requirements.forEach(function (r) {
      var cells = matrixRow(r);
      C.vendorColumns.forEach(function () { cells.push(""); });
      ws.addRow(cells);
    });
    var last = e.requirements.length + 1;
    ws.eachRow(function (row, n) {
      var lines = 1;
      row.eachCell({ includeEmpty: true }, function (cell, col) {
        cell.alignment = { wrapText: true, vertical: "top" };
        if (n === 1) {
          cell.font = { bold: true };
          cell.fill = { type: "pattern", pattern: "solid", fgColor: { argb: col > nreq ? "FFFFF2CC" : "FFDDE4EE" } };
        } else if (col > nreq) {
          cell.protection = { locked: false };
        }
        var width = XLSX_WIDTHS[col - 1] || 20;
        lines = Math.max(lines, Math.ceil(String(cell.value || "").length / Math.max(1, width - 2)));
      });
      row.height = Math.max(15, 15 * lines);
    });
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: last, column: header.length } };
    for (var r = 2; r <= last; r++) {
      ws.getCell(r, nreq + 1).dataValidation = {
        type: "list", allowBlank: true, formulae: ['"' + C.complianceChoices.join(",") + '"'], showErrorMessage: true,
        errorTitle: "Compliance", error: "Choose Compliant, Partial, Not compliant or Planned.",
        showInputMessage: true, promptTitle: "Compliance", prompt: "Compliant, Partial, Not compliant or Planned"
      };
      var date = ws.getCell(r, nreq + 2);
      date.numFmt = "yyyy-mm-dd";
      date.dataValidation = {
        type: "date", operator: "greaterThan", allowBlank: true, formulae: [new Date(Date.UTC(2000, 0, 1))], showErrorMessage: true,
        errorTitle: "Roadmap date", error: "Give the date the requirement will be met (for Partial or Planned)."
      };
    }
    ws.pageSetup = { paperSize: 9, orientation: "landscape", fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: "1:1" };

    var about = wb.addWorksheet("Annex");
    about.columns = [{ width: 22 }, { width: 110 }];
    about.addRow(["Title", norm(e.annex.title)]);
    factsLines(e).forEach(function (kv) { about.addRow(kv); });
    about.addRow(["Annex id", e.annex.id]);
    paragraphs(e.annex.introduction).forEach(function (p, i) { about.addRow([i === 0 ? "Introduction" : "", p]); });
    C.conformance.forEach(function (p, i) { about.addRow([i === 0 ? "Conformance" : "", p]); });
    e.selection.forEach(function (s) {
      var t = s.target, names = optionNames(m, t);
      var line = s.level + " " + t.profile + " " + m.actors[t.actor].name + (names.length ? " with the " + joinWords(names, "and") + (names.length === 1 ? " Option" : " Options") : "");
      if (s.transactions.length) line += "; " + s.transactions.join(", ") + " required";
      about.addRow(["Selected", line]);
    });
    about.eachRow(function (row) {
      row.getCell(1).font = { bold: true };
      row.eachCell(function (cell) { cell.alignment = { wrapText: true, vertical: "top" }; });
    });
    return ws.protect("", { selectLockedCells: true, selectUnlockedCells: true, formatColumns: true, formatRows: true, autoFilter: true })
      .then(function () { return wb.xlsx.writeBuffer(); })
      .then(function (buf) { return new Blob([buf], { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }); });
  }

  // ------------------------------------------------------------------ the selection as text (URL, files)

  var TX_ID = /^[A-Z][A-Z0-9]{1,11}-[0-9]{1,5}$/;

  // PROFILE:actor[option,TRANSACTION], as the command line's --select.
  function selectText(s) {
    var items = (s.options || []).concat(s.transactions || []);
    return s.profile + ":" + s.actor + (items.length ? "[" + items.join(",") + "]" : "");
  }
  function parseSelect(text, level) {
    var mm = /^\s*([^:\[\]\s]+)\s*:\s*([^:\[\]\s]+)\s*(?:\[([^\]]*)\])?\s*$/.exec(text);
    if (!mm) return null;
    var items = (mm[3] || "").split(",").map(function (x) { return x.trim(); }).filter(function (x) { return x; });
    return { profile: mm[1], actor: mm[2], options: items.filter(function (x) { return !TX_ID.test(x); }),
      transactions: items.filter(function (x) { return TX_ID.test(x); }), level: level };
  }

  function encodeState(annex) {
    var q = new URLSearchParams(), d = C.defaults;
    if (annex.title !== d.title) q.set("title", annex.title);
    if (annex.buyer) q.set("buyer", annex.buyer);
    if (annex.prefix !== d.prefix) q.set("prefix", annex.prefix);
    if (annex.minimum_status !== d.minimumStatus) q.set("minimum_status", annex.minimum_status);
    annex.selection.forEach(function (s) { q.append(s.level === "SHOULD" ? "should" : "select", selectText(s)); });
    return q.toString();
  }

  function decodeState(text) {
    var q = new URLSearchParams(text), d = C.defaults, problems = [], selection = [];
    [["select", "SHALL"], ["should", "SHOULD"]].forEach(function (kl) {
      q.getAll(kl[0]).forEach(function (t) {
        var s = parseSelect(t, kl[1]);
        if (s) selection.push(s); else problems.push("cannot read '" + t + "'; write PROFILE:actor[option,TRANSACTION]");
      });
    });
    return {
      annex: { title: q.has("title") ? q.get("title") : d.title, buyer: q.get("buyer") || "", prefix: q.get("prefix") || d.prefix,
        minimum_status: q.get("minimum_status") || d.minimumStatus, selection: selection },
      problems: problems
    };
  }

  function str(v, dflt) { return typeof v === "string" ? v : dflt; }
  function strings(v) { return Array.isArray(v) ? v.filter(function (x) { return typeof x === "string"; }) : []; }

  // An annex file: the JSON the builder or `tfpub annex build` wrote, or an annex YAML file.
  function readAnnexFile(name, text) {
    var data, d = C.defaults, items;
    var isJson = /\.json$/i.test(name) || /^\s*\{/.test(text);
    if (isJson) {
      try { data = JSON.parse(text); } catch (err) { throw new Error(name + ": not valid JSON (" + err.message + ")"); }
      if (!data || data.format !== "tfpub-annex" || typeof data.annex !== "object") {
        throw new Error(name + ": not an annex JSON file (it has no \"format\": \"tfpub-annex\")");
      }
      items = data.selection; data = data.annex;
    } else {
      if (typeof window.jsyaml === "undefined") {
        throw new Error("Reading YAML needs the js-yaml library, which this site was built without (" + C.vendorFix + "); load the annex JSON instead");
      }
      try { data = window.jsyaml.load(text); } catch (err) { throw new Error(name + ": not valid YAML (" + (err.message || err) + ")"); }
      if (!data || typeof data !== "object" || !Array.isArray(data.select)) throw new Error(name + ": not an annex file (it has no 'select' list)");
      items = data.select;
    }
    var selection = [];
    (Array.isArray(items) ? items : []).forEach(function (s, i) {
      if (!s || typeof s.profile !== "string" || typeof s.actor !== "string") throw new Error(name + ": selection #" + (i + 1) + " needs a profile and an actor");
      selection.push({ profile: s.profile, actor: s.actor, options: strings(s.options), transactions: strings(s.transactions), level: s.level === "SHOULD" ? "SHOULD" : "SHALL" });
    });
    return { title: str(data.title, d.title), buyer: str(data.buyer, ""), prefix: str(data.prefix, d.prefix),
      minimum_status: data.minimum_status === "trial-implementation" ? "trial-implementation" : "final-text", selection: selection };
  }

  // ------------------------------------------------------------------ the page

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function field(label, input) {
    return el("label", { "class": "tfpub-field" }, [el("span", { text: label }), input]);
  }

  function profileOrder(model, domain) {
    return sortBy(model.profileList.slice(), function (p) { return [p.domain === domain ? 0 : 1, p.domain, p.chapter]; });
  }

  var INPUT_BORDER = "border:1px solid #8a8a8a;border-radius:.15rem;padding:.15rem .35rem;background-color:var(--md-default-bg-color,#fff);color:inherit;font:inherit";
  var STYLE = [
    ".tfpub-annex-builder input[type=text],.tfpub-annex-builder input[type=search],.tfpub-annex-builder select,.tfpub-annex-builder textarea{" + INPUT_BORDER + "}",
    ".tfpub-annex-builder input[type=file]{font:inherit}",
    ".tfpub-annex-builder input:focus,.tfpub-annex-builder select:focus,.tfpub-annex-builder textarea:focus{outline:2px solid var(--md-accent-fg-color,#526cfe);outline-offset:1px}",
    ".tfpub-annex-meta{display:grid;grid-template-columns:max-content 1fr;gap:.4rem .8rem;align-items:center;border:1px solid #ccc;padding:.6rem .8rem;margin:0 0 1rem}",
    ".tfpub-annex-meta label.tfpub-field{display:contents}",
    ".tfpub-annex-meta input[type=text],.tfpub-annex-meta input[type=search]{width:100%;max-width:40rem;box-sizing:border-box}",
    ".tfpub-annex-meta select{justify-self:start}",
    ".tfpub-annex-profile{margin:.2rem 0;border-bottom:1px solid #eee}",
    ".tfpub-annex-profile>summary{cursor:pointer;padding:.25rem 0}",
    ".tfpub-annex-actor{margin:.3rem 0 .5rem 1.5rem}",
    ".tfpub-annex-options{display:flex;flex-wrap:wrap;gap:.1rem 1.2rem;margin:.2rem 0 0 1.6rem;font-size:.92em}",
    ".tfpub-annex-result table{border-collapse:collapse;width:100%;margin-top:.8rem}",
    ".tfpub-annex-result td,.tfpub-annex-result th{border:1px solid #ccc;padding:.25rem .4rem;vertical-align:top;text-align:left}",
    ".tfpub-annex-result td:first-child{white-space:nowrap}",
    ".tfpub-annex-result textarea{width:100%;font-family:monospace}",
    ".tfpub-annex-error,.tfpub-annex-unavailable{color:#b00020;font-weight:bold}"
  ].join("\n");

  function addStyle() {
    if (document.getElementById("tfpub-annex-style")) return;
    var style = document.createElement("style");
    style.id = "tfpub-annex-style";
    style.textContent = STYLE;
    document.head.appendChild(style);
  }

  function each(root, selector, fn) { Array.prototype.forEach.call(root.querySelectorAll(selector), fn); }
  function where(s) { return '[data-profile="' + CSS.escape(s.profile) + '"][data-actor="' + CSS.escape(s.actor) + '"]'; }

  function renderForm(root, model) {
    addStyle();
    var domain = root.getAttribute("data-domain") || "";
    var d = C.defaults;
    var ex = new Expander(model);
    var form = el("form", { "class": "tfpub-annex-form", id: "tfpub-annex-form" });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); });
    var meta = el("fieldset", { "class": "tfpub-annex-meta" }, [el("legend", { text: "Annex" })]);
    meta.appendChild(field("Title", el("input", { type: "text", id: "tfpub-annex-title", value: d.title, size: "60" })));
    meta.appendChild(field("Buyer", el("input", { type: "text", id: "tfpub-annex-buyer", value: "", size: "40" })));
    meta.appendChild(field("Requirement-id prefix", el("input", { type: "text", id: "tfpub-annex-prefix", value: d.prefix, size: "10", pattern: "[A-Z][A-Z0-9]*(-[A-Z0-9]+)*" })));
    var minimum = el("select", { id: "tfpub-annex-minimum-status" }, [
      el("option", { value: "final-text", text: "Final Text only" }),
      el("option", { value: "trial-implementation", text: "Trial Implementation allowed" })
    ]);
    meta.appendChild(field("Minimum status", minimum));
    var load = el("input", { type: "file", id: "tfpub-annex-load", accept: ".yaml,.yml,.json,application/json" });
    meta.appendChild(field("Load an annex file", load));
    var filter = el("input", { type: "search", id: "tfpub-annex-filter", placeholder: "profile or actor name", "aria-label": "Filter profiles and actors" });
    meta.appendChild(field("Filter profiles and actors", filter));
    form.appendChild(meta);
    var status = el("p", { id: "tfpub-annex-load-status", role: "status" });
    form.appendChild(status);

    profileOrder(model, domain).forEach(function (p) {
      var details = el("details", { "class": "tfpub-annex-profile", "data-profile": p.acronym });
      var pstatus = C.statusLabels[p.status] || p.status;
      var words = [p.name, p.acronym];
      details.appendChild(el("summary", { "data-profile": p.acronym, text: p.name + " (" + p.acronym + "), " + p.domain + " TF-1 chapter " + p.chapter + ", " + pstatus }));
      p.actors.forEach(function (pa) {
        var actor = model.actors[pa.actor] || { name: pa.actor };
        words.push(actor.name, pa.actor);
        var box = el("div", { "class": "tfpub-annex-actor" });
        var pick = el("input", { type: "checkbox", "class": "tfpub-annex-select", "data-profile": p.acronym, "data-actor": pa.actor,
          id: "tfpub-select-" + p.acronym + "-" + pa.actor });
        box.appendChild(el("label", {}, [pick, document.createTextNode(" " + actor.name)]));
        var level = el("select", { "class": "tfpub-annex-level", "data-profile": p.acronym, "data-actor": pa.actor, "aria-label": "Level" }, [
          el("option", { value: "SHALL", text: "SHALL" }), el("option", { value: "SHOULD", text: "SHOULD" })
        ]);
        box.appendChild(document.createTextNode(" "));
        box.appendChild(level);
        var opts = el("div", { "class": "tfpub-annex-options" });
        (pa.options || []).forEach(function (claim) {
          var o = model.option(p.acronym, claim.option) || { name: claim.option };
          var input = el("input", { type: "checkbox", "class": "tfpub-annex-option", "data-profile": p.acronym,
            "data-actor": pa.actor, "data-option": claim.option });
          var note = "";
          if (claim.required) { input.checked = true; input.disabled = true; note = " (required)"; }
          if (o.status && o.status !== p.status) note += " (" + (C.statusLabels[o.status] || o.status) + ")";
          input.addEventListener("change", function () { if (input.checked) pick.checked = true; });
          opts.appendChild(el("label", {}, [input, document.createTextNode(" " + o.name + " Option" + note)]));
        });
        box.appendChild(opts);
        var optional = (pa.transactions || []).filter(function (tu) { return tu.optionality !== "R"; });
        if (optional.length) {
          var txs = el("div", { "class": "tfpub-annex-options tfpub-annex-transactions" }, [el("span", { text: "Require:" })]);
          optional.forEach(function (tu) {
            var input = el("input", { type: "checkbox", "class": "tfpub-annex-tx", "data-profile": p.acronym,
              "data-actor": pa.actor, "data-transaction": tu.transaction });
            input.addEventListener("change", function () { if (input.checked) pick.checked = true; });
            txs.appendChild(el("label", { title: "Require this " + (tu.optionality === "C" ? "conditional" : "optional") + " transaction" },
              [input, document.createTextNode(" " + ex.txLabel(tu.transaction))]));
          });
          box.appendChild(txs);
        }
        details.appendChild(box);
      });
      details.setAttribute("data-search", words.join(" ").toLowerCase());
      form.appendChild(details);
    });
    var empty = el("p", { id: "tfpub-annex-filter-empty", hidden: "hidden", text: "No profile or actor matches the filter." });
    form.appendChild(empty);
    var button = el("button", { type: "button", id: "tfpub-annex-build", "class": "md-button md-button--primary", text: "Build annex" });
    form.appendChild(el("p", {}, [button]));
    root.appendChild(form);
    var result = el("div", { id: "tfpub-annex-result", "class": "tfpub-annex-result" });
    root.appendChild(result);

    function applyFilter() {
      var q = filter.value.trim().toLowerCase(), shown = 0;
      each(form, "details.tfpub-annex-profile", function (det) {
        var hit = !q || q.split(/\s+/).every(function (w) { return det.getAttribute("data-search").indexOf(w) >= 0; });
        det.hidden = !hit;
        if (hit) shown++;
      });
      empty.hidden = shown > 0;
    }
    filter.addEventListener("input", applyFilter);

    function remember() {
      var text = encodeState(readForm(root));
      var url = location.pathname + location.search + (text ? "#" + text : "");
      if (url !== location.pathname + location.search + location.hash) history.replaceState(null, "", url);
    }
    form.addEventListener("change", function (ev) { if (ev.target !== load && ev.target !== filter) remember(); });
    form.addEventListener("input", function (ev) { if (ev.target.type === "text") remember(); });

    load.addEventListener("change", function () {
      var file = load.files && load.files[0];
      if (!file) return;
      file.text().then(function (text) {
        var annex = readAnnexFile(file.name, text);
        var problems = applyAnnex(root, model, annex);
        remember();
        status.className = problems.length ? "tfpub-annex-error" : "";
        status.textContent = problems.length ? file.name + ": " + problems.join("; ")
          : "Loaded " + file.name + ": " + annex.selection.length + " selected actor" + (annex.selection.length === 1 ? "" : "s") + ".";
      }).catch(function (err) {
        status.className = "tfpub-annex-error";
        status.textContent = String(err.message || err);
      }).then(function () { load.value = ""; });
    });
    button.addEventListener("click", function () { buildFromForm(root, model, result); });

    if (location.hash.length > 1) {
      var state = decodeState(location.hash.slice(1));
      var problems = state.problems.concat(applyAnnex(root, model, state.annex));
      if (problems.length) {
        status.className = "tfpub-annex-error";
        status.textContent = "The page address names what this framework does not have: " + problems.join("; ");
      }
    }
  }

  // Put an annex's selection and settings on the form; returns what could not be applied.
  function applyAnnex(root, model, annex) {
    var problems = checkSelection(model, annex.selection);
    var set = function (id, v) { var x = root.querySelector("#" + id); if (x) x.value = v; };
    set("tfpub-annex-title", annex.title);
    set("tfpub-annex-buyer", annex.buyer);
    set("tfpub-annex-prefix", annex.prefix);
    set("tfpub-annex-minimum-status", annex.minimum_status);
    each(root, "input.tfpub-annex-select, input.tfpub-annex-tx", function (x) { x.checked = false; });
    each(root, "input.tfpub-annex-option", function (x) { if (!x.disabled) x.checked = false; });
    each(root, "select.tfpub-annex-level", function (x) { x.value = "SHALL"; });
    annex.selection.forEach(function (s) {
      var w = where(s), pick = root.querySelector("input.tfpub-annex-select" + w);
      if (!pick) return;
      pick.checked = true;
      root.querySelector("select.tfpub-annex-level" + w).value = s.level === "SHOULD" ? "SHOULD" : "SHALL";
      (s.options || []).forEach(function (o) {
        var x = root.querySelector("input.tfpub-annex-option" + w + '[data-option="' + CSS.escape(o) + '"]');
        if (x) x.checked = true;
      });
      (s.transactions || []).forEach(function (t) {
        var x = root.querySelector("input.tfpub-annex-tx" + w + '[data-transaction="' + CSS.escape(t) + '"]');
        if (x) x.checked = true;
        else if (problems.join().indexOf("'" + t + "'") < 0) problems.push("the " + s.profile + " actor " + s.actor + " has " + t + " as a required transaction already");
      });
      var det = root.querySelector('details.tfpub-annex-profile[data-profile="' + CSS.escape(s.profile) + '"]');
      if (det) det.open = true;
    });
    return problems;
  }

  function readForm(root) {
    var selection = [];
    each(root, "input.tfpub-annex-select", function (pick) {
      if (!pick.checked) return;
      var s = { profile: pick.getAttribute("data-profile"), actor: pick.getAttribute("data-actor") }, w = where(s);
      var level = root.querySelector("select.tfpub-annex-level" + w);
      var options = [], transactions = [];
      each(root, "input.tfpub-annex-option" + w, function (o) { if (o.checked && !o.disabled) options.push(o.getAttribute("data-option")); });
      each(root, "input.tfpub-annex-tx" + w, function (o) { if (o.checked) transactions.push(o.getAttribute("data-transaction")); });
      selection.push({ profile: s.profile, actor: s.actor, options: options, transactions: transactions, level: level ? level.value : "SHALL" });
    });
    var value = function (id) { var x = root.querySelector("#" + id); return x ? x.value : ""; };
    return {
      id: C.defaults.id,
      title: value("tfpub-annex-title") || C.defaults.title,
      buyer: value("tfpub-annex-buyer"),
      prefix: value("tfpub-annex-prefix") || C.defaults.prefix,
      revision: "",
      minimum_status: value("tfpub-annex-minimum-status") || C.defaults.minimumStatus,
      introduction: "",
      domain: "",
      selection: selection
    };
  }

  var urls = [], generation = 0;
  function link(name, blob) {
    var url = URL.createObjectURL(blob);
    urls.push(url);
    return el("a", { href: url, download: name, "class": "md-button", id: "tfpub-annex-download-" + name.split(".").pop(), text: name });
  }
  function download(name, text, type) { return link(name, new Blob([text], { type: type })); }

  // Word and Excel are written asynchronously; their links appear when ready, or say why not.
  function officeLinks(holder, e, model, annexId, mine) {
    [["docx", "Word", "docx", toDocx], ["xlsx", "Excel", "ExcelJS", toXlsx]].forEach(function (k) {
      if (typeof window[k[2]] === "undefined") {
        holder.appendChild(el("span", { "class": "tfpub-annex-unavailable", id: "tfpub-annex-unavailable-" + k[0],
          text: k[1] + " (." + k[0] + ") is unavailable: this site was built without its library (" + C.vendorFix + "). " }));
        return;
      }
      var slot = el("span", { text: k[1] + " \u2026 " });
      holder.appendChild(slot);
      Promise.resolve().then(function () { return k[3](e, model); }).then(function (blob) {
        if (mine !== generation) return;
        slot.textContent = "";
        slot.appendChild(link(annexId + "." + k[0], blob));
        slot.appendChild(document.createTextNode(" "));
      }).catch(function (err) {
        slot.className = "tfpub-annex-error";
        slot.textContent = k[1] + " could not be written: " + (err.message || err) + " ";
      });
    });
  }

  function buildFromForm(root, model, result) {
    urls.forEach(function (u) { URL.revokeObjectURL(u); });
    urls = [];
    generation++;
    result.textContent = "";
    var annex = readForm(root);
    if (!/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$/.test(annex.prefix)) {
      result.appendChild(el("p", { "class": "tfpub-annex-error", text: "The prefix must be upper-case letters, digits and hyphens (REQ, RFP-2024)." }));
      return;
    }
    if (!annex.selection.length) {
      result.appendChild(el("p", { "class": "tfpub-annex-error", text: "Tick at least one actor." }));
      return;
    }
    var out;
    try { out = build(model, annex); } catch (err) {
      result.appendChild(el("p", { "class": "tfpub-annex-error", text: String(err.message || err) }));
      return;
    }
    var e = out.expansion;
    var shall = e.requirements.filter(function (r) { return r.level === "SHALL"; }).length;
    result.appendChild(el("p", { id: "tfpub-annex-summary", text: e.requirements.length + " requirements (" + shall + " SHALL, " + (e.requirements.length - shall) + " SHOULD)." }));
    var office = el("p", { id: "tfpub-annex-office" });
    result.appendChild(office);
    officeLinks(office, e, model, annex.id, generation);
    result.appendChild(el("p", {}, [
      download(annex.id + ".md", out.markdown, "text/markdown;charset=utf-8"), document.createTextNode(" "),
      download(annex.id + ".csv", out.csv, "text/csv;charset=utf-8"), document.createTextNode(" "),
      download(annex.id + ".json", out.json, "application/json;charset=utf-8")
    ]));
    var table = el("table", { id: "tfpub-annex-table" });
    table.appendChild(el("thead", {}, [el("tr", {}, ["ID", "Level", "Requirement", "Source", "Flags"].map(function (h) { return el("th", { text: h }); }))]));
    var body = el("tbody");
    e.requirements.forEach(function (r) {
      body.appendChild(el("tr", { id: "tfpub-req-" + r.id }, [r.id, r.level, r.text, r.provenance, r.flags.join("; ")].map(function (c) { return el("td", { text: c }); })));
    });
    table.appendChild(body);
    result.appendChild(table);
    result.appendChild(el("details", {}, [el("summary", { text: "Markdown" }),
      el("textarea", { id: "tfpub-annex-markdown", readonly: "readonly", rows: "20", cols: "100" })]));
    result.querySelector("#tfpub-annex-markdown").value = out.markdown;
    var csv = el("textarea", { id: "tfpub-annex-csv", readonly: "readonly", hidden: "hidden" });
    csv.value = out.csv;
    result.appendChild(csv);
    var json = el("textarea", { id: "tfpub-annex-json", readonly: "readonly", hidden: "hidden" });
    json.value = out.json;
    result.appendChild(json);
  }

  function start() {
    var root = document.getElementById("tfpub-annex-builder");
    if (!root || root.getAttribute("data-ready")) return;
    root.setAttribute("data-ready", "loading");
    var url = root.getAttribute("data-model") || "model.json";
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (data) {
        var model = new Model(data);
        root.textContent = "";
        renderForm(root, model);
        root.setAttribute("data-ready", "yes");
      })
      .catch(function (err) {
        root.textContent = "The annex builder could not load the model (" + url + "): " + (err.message || err);
        root.setAttribute("data-ready", "error");
      });
  }

  window.tfpubAnnex = { Model: Model, build: build, toMarkdown: toMarkdown, toCsv: toCsv, toJson: toJson, mdEscape: mdEscape,
    encodeState: encodeState, decodeState: decodeState, readAnnexFile: readAnnexFile };
  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
})();
