// taod explorer: one page, plain JavaScript, no dependencies. Everything it
// shows comes from the node's JSON-RPC at /rpc (same origin). Every answer
// is untrusted text: the DOM is built with textContent, never innerHTML.
'use strict';

const RAO = 1000000000n;
const main = document.getElementById('main');

// ---- DOM helpers ----------------------------------------------------------

// el builds an element: attrs (class, href, data-*...) and children
// (strings become text nodes; null and false are skipped).
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    e.setAttribute(k, String(v));
  }
  for (const k of kids.flat()) {
    if (k === null || k === undefined || k === false) continue;
    e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return e;
}
const link = (href, text, cls) => el('a', { href, class: cls }, text);
const short = (h) => (typeof h === 'string' && h.length > 14 ? h.slice(0, 8) + '…' + h.slice(-4) : String(h));
const addr = (a) => (a ? link('#/account/' + a, short(a), 'mono') : el('span', { class: 'muted' }, '–'));
const tx = (h) => link('#/tx/' + h, short(h), 'mono');
const blk = (n) => link('#/block/' + n, '#' + n);
const card = (k, v, id) => el('div', { class: 'card', id }, el('div', { class: 'k' }, k), el('div', { class: 'v' }, v));

// table renders rows (arrays of cells) under headers; a header ending in
// '#' is a right-aligned number column (the '#' is dropped).
function table(headers, rows, attrs) {
  const num = headers.map((h) => h.endsWith('#'));
  return el('div', { class: 'scroll' }, el('table', attrs,
    el('thead', null, el('tr', null, headers.map((h, i) => el('th', { class: num[i] ? 'num' : null }, num[i] ? h.slice(0, -1) : h)))),
    el('tbody', null, rows.map((r) => el('tr', null, r.map((c, i) => el('td', { class: num[i] ? 'num' : null }, c)))))));
}
function kv(pairs) {
  return el('div', { class: 'scroll' }, el('table', { class: 'kv' }, el('tbody', null,
    pairs.filter((p) => p[1] !== undefined).map(([k, v]) => el('tr', null, el('td', null, k), el('td', null, v))))));
}

// tao formats an amount in rao (a decimal string) as TAO, with at most
// digits decimals (default all nine, trailing zeros dropped).
function tao(rao, digits = 9) {
  if (rao === null || rao === undefined || rao === '') return '–';
  let v;
  try { v = BigInt(rao); } catch (e) { return String(rao); }
  const neg = v < 0n;
  if (neg) v = -v;
  const frac = (v % RAO).toString().padStart(9, '0').slice(0, digits).replace(/0+$/, '');
  const whole = (v / RAO).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (neg ? '-' : '') + whole + (frac ? '.' + frac : '') + ' τ';
}
const fixed = (s) => { const f = parseFloat(s); return Number.isFinite(f) ? f : 0; };
// taoNum is an amount in rao as a JavaScript number of TAO, for charts only.
const taoNum = (rao) => { try { return Number(BigInt(rao) / 1000n) / 1e6; } catch (e) { return 0; } };
function ago(ms) {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 90 ? s + ' s ago' : s < 5400 ? Math.round(s / 60) + ' min ago' : Math.round(s / 3600) + ' h ago';
}
function duration(ms) {
  const s = ms / 1000;
  if (s < 120) return s.toFixed(1) + ' s';
  if (s < 7200) return (s / 60).toFixed(0) + ' min';
  if (s < 172800) return (s / 3600).toFixed(1) + ' h';
  return (s / 86400).toFixed(1) + ' days';
}

// ---- JSON-RPC ---------------------------------------------------------------

let nextId = 0;
class RPCError extends Error {
  constructor(e) { super(e.message); this.code = e.code; }
}
async function post(body) {
  const r = await fetch('/rpc', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error('rpc: HTTP ' + r.status + ' ' + (await r.text()).slice(0, 200));
  return r.json();
}
async function rpc(method, ...params) {
  const j = await post({ jsonrpc: '2.0', id: ++nextId, method, params });
  if (j.error) throw new RPCError(j.error);
  return j.result;
}
// batch makes many calls in batches of at most 50 (the node caps a batch);
// each result is the value or an RPCError.
async function batch(calls) {
  const out = [];
  for (let i = 0; i < calls.length; i += 50) {
    const part = calls.slice(i, i + 50).map(([m, ...p]) => ({ jsonrpc: '2.0', id: ++nextId, method: m, params: p }));
    const res = await post(part);
    const byId = new Map((Array.isArray(res) ? res : [res]).map((r) => [r.id, r]));
    for (const c of part) {
      const r = byId.get(c.id);
      out.push(!r ? new RPCError({ code: 0, message: 'no answer' }) : r.error ? new RPCError(r.error) : r.result);
    }
  }
  return out;
}
const failed = (v) => v instanceof Error;
const missing = (e) => e instanceof RPCError && e.code === -32601; // method not found

// optional calls a method that another build of the node may lack: null
// when the node does not have it (the panel is hidden), the error text when
// it failed otherwise.
async function optional(method, ...params) {
  try { return { value: await rpc(method, ...params) }; } catch (e) {
    if (missing(e)) return null;
    return { error: e.message };
  }
}

// ---- charts (SVG) ----------------------------------------------------------

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}
// bars draws one bar per value as a single path (thousands of UIDs stay cheap).
function bars(title, series, values, color) {
  const n = Math.max(values.length, 1);
  const max = Math.max(...values, 0) || 1;
  const s = svg('svg', { viewBox: `0 0 ${n} 100`, preserveAspectRatio: 'none', role: 'img', 'data-series': series, 'data-points': values.length });
  let d = '';
  values.forEach((v, i) => { const h = (v / max) * 100; if (h > 0) d += `M${i} 100V${100 - h}h${n > 200 ? 1 : 0.8}V100z`; });
  s.append(svg('path', { d, fill: color }));
  const tip = svg('title', {});
  tip.textContent = title;
  s.append(tip);
  return el('div', { class: 'chart' }, el('div', { class: 't' }, title), s,
    el('div', { class: 's' }, `${values.length} UIDs · max ${max.toPrecision(4)}`));
}
// lines draws a series over epochs as a polyline.
function lines(title, series, values, color) {
  const n = Math.max(values.length - 1, 1);
  const max = Math.max(...values, 0) || 1;
  const s = svg('svg', { viewBox: `0 0 ${n} 100`, preserveAspectRatio: 'none', role: 'img', 'data-series': series, 'data-points': values.length });
  s.append(svg('polyline', { points: values.map((v, i) => `${i},${100 - (v / max) * 96}`).join(' '), fill: 'none', stroke: color, 'stroke-width': 2, 'vector-effect': 'non-scaling-stroke' }));
  return el('div', { class: 'chart' }, el('div', { class: 't' }, title), s,
    el('div', { class: 's' }, `${values.length} epochs · max ${max.toPrecision(4)}`));
}

// ---- pages -----------------------------------------------------------------

// recentBlocks reads the last count blocks up to head, newest first.
async function recentBlocks(head, count, full) {
  const calls = [];
  for (let n = head; n >= 0 && n > head - count; n--) calls.push(['tao_getBlockByNumber', n, full]);
  return (await batch(calls)).filter((b) => b && !failed(b));
}

async function overview() {
  const [head, sched, health, sync] = await batch([['tao_blockNumber'], ['tao_emissionSchedule'], ['net_health'], ['eth_syncing']]);
  if (failed(head)) throw head;
  const blocks = await recentBlocks(head, 30, false);
  let finality = '–', tps = '–';
  if (blocks.length > 1) {
    const span = blocks[0].timestampMs - blocks[blocks.length - 1].timestampMs;
    const txs = blocks.slice(0, -1).reduce((a, b) => a + b.transactions.length, 0);
    finality = duration(span / (blocks.length - 1));
    tps = span > 0 ? (txs / (span / 1000)).toFixed(2) : '0';
  }
  const cards = [card('Height', head, 'height'), card('Finality (one block)', finality), card('Tx/s (last 30 blocks)', tps)];
  if (!failed(sched)) {
    cards.push(card('Issuance', tao(sched.issuance, 2)), card('Max supply', tao(sched.maxSupply)),
      card('Block reward', tao(sched.blockReward)), card('Era', sched.era),
      card('Next halving', `${sched.blocksToNextHalving.toLocaleString()} blocks ≈ ${duration(sched.blocksToNextHalving * sched.blockTimeMs)}`));
  }
  if (!failed(health)) cards.push(card('Peers', health.peers), card('Tx pool', health.txpool));
  if (!failed(sync)) cards.push(card('Syncing', sync === false ? 'no' : `${parseInt(sync.currentBlock, 16)} / ${parseInt(sync.highestBlock, 16)}`));
  return [el('h1', null, 'Chain overview'), el('div', { class: 'cards' }, cards),
    el('h2', null, 'Latest blocks'), blockTable(blocks.slice(0, 10))];
}

function blockTable(blocks) {
  return table(['Block', 'Time', 'Txs#', 'Proposer', 'Hash'], blocks.map((b) =>
    [blk(b.number), ago(b.timestampMs), b.transactions.length, addr(b.proposer), el('span', { class: 'mono' }, short(b.hash))]), { id: 'blocks' });
}

async function blocksPage() {
  const head = await rpc('tao_blockNumber');
  return [el('h1', null, 'Blocks'), blockTable(await recentBlocks(head, 50, false))];
}

function txRows(txs) {
  return txs.map((t) => [tx(t.hash), t.blockNumber !== undefined ? blk(t.blockNumber) : '–', t.call || t.type,
    addr(t.from), t.to ? addr(t.to) : el('span', { class: 'muted' }, '–'), t.amount ? tao(t.amount) : '', tao(t.fee)]);
}
const txHeaders = ['Tx', 'Block', 'Call', 'From', 'To', 'Amount#', 'Fee#'];

async function blockPage(n) {
  const b = await rpc('tao_getBlockByNumber', Number(n), true);
  if (!b) return [el('h1', null, 'Block #' + n), el('p', { class: 'muted' }, 'No such block (yet).')];
  // The block's events (its txs' and its end-of-block work's: epochs,
  // rewards, slashes, tallies), where the node has tao_getEvents.
  const evs = await optional('tao_getEvents', { fromBlock: b.number, toBlock: b.number });
  const events = evs && !evs.error && isEvents(evs.value) ? [
    el('h2', null, `Events (${evs.value.events.length}${evs.value.next ? '+' : ''})`), eventTable(evs.value, 'events')] : [];
  return [el('h1', null, 'Block #' + b.number),
    kv([['Hash', el('span', { class: 'mono' }, b.hash)], ['Parent', b.number > 0 ? blk(b.number - 1) : '–'],
      ['Time', new Date(b.timestampMs).toISOString() + ' (' + ago(b.timestampMs) + ')'], ['Proposer', addr(b.proposer)],
      ['State root', el('span', { class: 'mono' }, b.stateRoot)], ['Size', b.size + ' bytes']]),
    el('h2', null, `Transactions (${b.transactions.length})`), table(txHeaders, txRows(b.transactions), { id: 'txs' }), ...events];
}

async function txPage(h) {
  const [t, r] = await batch([['tao_getTransactionByHash', h], ['tao_getTransactionReceipt', h]]);
  if (failed(t)) throw t;
  if (!t) return [el('h1', null, 'Transaction'), el('p', { class: 'muted' }, 'Unknown transaction ' + h)];
  const pairs = [['Hash', el('span', { class: 'mono' }, t.hash)], ['Call', t.call], ['From', addr(t.from)],
    ['To', t.to ? addr(t.to) : undefined], ['Amount', t.amount ? tao(t.amount) : undefined], ['Nonce', t.nonce],
    ['Fee', tao(t.fee)], ['Block', t.blockNumber !== undefined ? blk(t.blockNumber) : 'pending']];
  if (r && !failed(r)) pairs.push(['Status', el('span', { class: 'tag ' + (r.status === 'success' ? 'ok' : 'bad') }, r.status)],
    ['Fee paid', tao(r.feePaid)], ['Error', r.error]);
  return [el('h1', null, 'Transaction'), kv(pairs)];
}

async function accountPage(a) {
  const [bal, nonce, stakes, unb] = await batch([['tao_getBalance', a], ['tao_getNonce', a], ['stake_stakesOf', a], ['stake_unbonding', a]]);
  if (failed(bal)) throw bal;
  const out = [el('h1', null, 'Account'), el('p', { class: 'mono' }, a),
    el('div', { class: 'cards' }, card('Balance', tao(bal), 'balance'), card('Nonce', failed(nonce) ? '–' : nonce),
      card('Staked', tao((Array.isArray(stakes) ? stakes : []).reduce((s, p) => s + BigInt(/^\d+$/.test(p.stake) ? p.stake : 0), 0n).toString())))];
  if (Array.isArray(stakes) && stakes.length) {
    out.push(el('h2', null, 'Stake positions'), table(['Hotkey', 'Stake#'], stakes.map((p) => [addr(p.hotkey), tao(p.stake)])));
  }
  if (Array.isArray(unb) && unb.length) {
    out.push(el('h2', null, 'Unbonding'), table(['Hotkey', 'Amount#', 'Matures at#'], unb.map((u) => [addr(u.hotkey), tao(u.amount), u.releaseAt])));
  }
  // The account index (tao_getAccountHistory) when the node keeps one; else
  // (method not found, or the index switched off) what the last blocks hold.
  const hist = await optional('tao_getAccountHistory', a, null, HISTORY_PAGE);
  if (hist && !hist.error) {
    out.push(el('h2', null, 'History'), eventTable(hist.value, 'history'), olderEvents(a, hist.value));
  } else {
    const head = await rpc('tao_blockNumber');
    const span = 300;
    const mine = [];
    for (const b of await recentBlocks(head, span, true)) {
      for (const t of b.transactions) if (eq(t.from, a) || eq(t.to, a)) mine.push(t);
    }
    out.push(el('h2', null, 'Recent transactions'),
      el('p', { class: 'muted' }, `From the last ${span} blocks: this node keeps no account index (` +
        (hist ? hist.error : 'tao_getAccountHistory is not available') + ').'),
      table(txHeaders, txRows(mine), { id: 'history' }));
  }
  return out;
}
const eq = (x, y) => typeof x === 'string' && typeof y === 'string' && x.toLowerCase() === y.toLowerCase();

// eventTable renders tao_getAccountHistory's {events: [...]} (EventJSON:
// kind, blockNumber, txHash, address, peer, netuid, uid, amount, and source
// on the index's own records: "incentive", a miner's epoch pay, shown as
// "reward (incentive)"); records of another shape fall back to genericRows.
const HISTORY_PAGE = 50;
const isEvents = (v) => v && Array.isArray(v.events) && v.events.every((e) => e && 'kind' in e && 'blockNumber' in e);
const eventCols = ['Block', 'Event', 'Tx', 'Address', 'Counterparty', 'Subnet', 'Amount#'];
const eventRow = (e) => [
  blk(e.blockNumber), typeof e.source === 'string' && e.source ? `${e.kind} (${e.source})` : e.kind, e.txHash ? tx(e.txHash) : el('span', { class: 'muted' }, 'block'), addr(e.address),
  e.peer ? addr(e.peer) : '', e.netuid === null || e.netuid === undefined ? '' : `${e.netuid} / uid ${e.uid}`,
  /^\d+$/.test(String(e.amount)) && e.amount !== '0' ? tao(e.amount) : ''];
function eventTable(v, id) {
  if (!isEvents(v)) return genericRows(v, id);
  if (!v.events.length) return el('p', { class: 'muted', id }, 'No events yet' + (v.indexedFrom ? ` (indexed from block ${v.indexedFrom}).` : '.'));
  return table(eventCols, v.events.map(eventRow), { id });
}

// olderEvents is the history's "Older events" button: it fetches the page
// at the answer's next cursor and appends its rows to #history, until the
// node says there is no next page (the button then goes). Nothing when the
// first page was the last.
function olderEvents(a, v) {
  if (!isEvents(v) || !v.events.length || typeof v.next !== 'string') return null;
  let cursor = v.next;
  const note = el('span', { class: 'muted', id: 'history-more-note' });
  const button = el('button', { type: 'button', id: 'history-more' }, 'Older events');
  const box = el('p', null, button, note);
  button.addEventListener('click', async () => {
    button.disabled = true;
    note.textContent = '';
    try {
      const page = await rpc('tao_getAccountHistory', a, cursor, HISTORY_PAGE);
      if (!isEvents(page)) throw new Error('the node answered a page of another shape');
      const body = document.querySelector('#history tbody');
      if (!body || !box.isConnected) return; // the page moved on
      for (const e of page.events) {
        const r = eventRow(e);
        body.append(el('tr', null, r.map((c, i) => el('td', { class: eventCols[i].endsWith('#') ? 'num' : null }, c))));
      }
      if (typeof page.next !== 'string' || page.next === cursor) {
        box.replaceChildren(el('span', { class: 'muted', id: 'history-end' }, 'No older events' +
          (page.indexedFrom ? ` (indexed from block ${page.indexedFrom}).` : '.')));
        return;
      }
      cursor = page.next;
    } catch (e) {
      note.textContent = ' ' + e.message;
      note.className = 'err';
    }
    button.disabled = false;
  });
  return box;
}

// genericRows renders a list of records whose exact shape this page does not
// assume: known fields get links, the rest text.
function genericRows(v, id) {
  const items = Array.isArray(v) ? v : (v && (v.items || v.events || v.entries)) || [];
  if (!items.length) return el('p', { class: 'muted', id }, 'Nothing yet.');
  const cols = [...new Set(items.flatMap((x) => Object.keys(x || {})))].slice(0, 8);
  return table(cols, items.map((x) => cols.map((c) => cell(c, x[c]))), { id });
}
function cell(k, v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return el('span', { class: 'mono' }, JSON.stringify(v).slice(0, 120));
  if (/^(tx|txHash|transactionHash|hash)$/.test(k) && /^0x[0-9a-f]{64}$/i.test(v)) return tx(v);
  if (/^(block|height|blockNumber)$/.test(k)) return blk(v);
  if (/^0x[0-9a-f]{40}$/i.test(v)) return addr(v);
  if (/amount|balance|fee|stake|emission|reward/i.test(k) && /^\d+$/.test(String(v))) return tao(v);
  return String(v);
}

async function validatorsPage() {
  const [set, dels] = await batch([['stake_validators', null], ['stake_delegates']]);
  if (failed(set)) throw set;
  const byHot = new Map((failed(dels) ? [] : dels).map((d) => [d.hotkey, d]));
  const hots = set.validators.filter((v) => v.hotkey).map((v) => v.hotkey);
  const infos = await batch(hots.map((h) => ['stake_ofHotkey', h]));
  const noms = new Map(hots.map((h, i) => [h, failed(infos[i]) || !infos[i] ? null : infos[i]]));
  const rows = set.validators.map((v) => {
    const d = v.hotkey && (noms.get(v.hotkey) || byHot.get(v.hotkey));
    return [el('span', { class: 'mono' }, short(v.consensusKey)), addr(v.hotkey), v.power,
      (100 * v.power / (set.totalPower || 1)).toFixed(2) + ' %', d ? tao(d.totalStake) : '–',
      d && d.nominators ? d.nominators.length : '–',
      d ? el('span', { class: 'tag ' + (d.jailed ? 'bad' : 'ok') }, d.jailed ? 'jailed' : 'active') : '–'];
  });
  const out = [el('h1', null, 'Validators'),
    el('p', { class: 'muted' }, `Set at height ${set.height}, total power ${set.totalPower}${set.bootstrap ? ' (bootstrap set from genesis)' : ''}.`),
    table(['Consensus key', 'Hotkey', 'Power#', 'Share#', 'Stake#', 'Nominators#', 'Status'], rows, { id: 'validators' })];
  if (!failed(dels) && dels.length) {
    out.push(el('h2', null, 'Delegates'), table(['Hotkey', 'Owner', 'Total stake#', 'Take#', 'Status'], dels.map((d) =>
      [addr(d.hotkey), addr(d.owner), tao(d.totalStake), (d.takePpm / 10000).toFixed(2) + ' %',
        el('span', { class: 'tag ' + (d.jailed ? 'bad' : 'ok') }, d.jailed ? 'jailed' : 'active')])));
  }
  return out;
}

async function subnetsPage() {
  const list = await rpc('subnet_list');
  return [el('h1', null, 'Subnets'), table(['Netuid#', 'Name', 'Neurons#', 'Tempo#', 'Burn#', 'Share#', 'Last emission#', 'Locked#'],
    list.map((s) => [link('#/subnet/' + s.netuid, s.netuid), link('#/subnet/' + s.netuid, s.name || '(unnamed)'),
      `${s.neurons} / ${s.maxUids}`, s.tempo, tao(s.burnCost), (100 * fixed(s.emissionShare)).toFixed(2) + ' %',
      tao(s.lastEmission), tao(s.locked)]), { id: 'subnets' })];
}

async function subnetPage(netuid) {
  const id = Number(netuid);
  const [info, hp, mg] = await batch([['subnet_info', id], ['subnet_hyperparams', id], ['subnet_metagraph', id]]);
  if (failed(info)) throw info;
  if (!info) return [el('h1', null, 'Subnet ' + id), el('p', { class: 'muted' }, 'No such subnet.')];
  const ns = failed(mg) || !mg ? [] : mg;
  const out = [el('h1', null, `Subnet ${info.netuid}: ${info.name || '(unnamed)'}`),
    el('div', { class: 'cards' }, card('Neurons', `${info.neurons} / ${info.maxUids}`, 'neurons'), card('Tempo', info.tempo + ' blocks'),
      card('Burn to register', tao(info.burnCost)), card('Emission share', (100 * fixed(info.emissionShare)).toFixed(2) + ' %'),
      card('Last epoch', info.lastEpoch), card('Last emission', tao(info.lastEmission)), card('Owner', addr(info.owner)))];
  out.push(el('h2', null, 'Per UID (last epoch)'), el('div', { class: 'charts', id: 'charts' },
    bars('Incentive', 'incentive', ns.map((n) => fixed(n.incentive)), 'var(--inc)'),
    bars('Dividends', 'dividends', ns.map((n) => fixed(n.dividends)), 'var(--div)'),
    bars('Emission (τ)', 'emission', ns.map((n) => taoNum(n.emission)), 'var(--emi)')));
  const uid = ns.length ? ns[0].uid : 0;
  const hist = await optional('subnet_history', id, uid, 32);
  if (hist) out.push(el('h2', null, `UID ${uid} over the last epochs`), historyCharts(hist));
  const limit = 256;
  const shown = ns.slice().sort((x, y) => fixed(y.incentive) + fixed(y.dividends) - fixed(x.incentive) - fixed(x.dividends)).slice(0, limit);
  out.push(el('h2', null, 'Metagraph'),
    ns.length > limit ? el('p', { class: 'muted' }, `Top ${limit} of ${ns.length} UIDs by incentive + dividends.`) : null,
    table(['UID#', 'Hotkey', 'Coldkey', 'Stake#', 'Incentive#', 'Dividends#', 'Emission#', 'VTrust#', 'Permit', 'Active'], shown.map((n) =>
      [n.uid, addr(n.hotkey), addr(n.coldkey), tao(n.stake), n.incentive, n.dividends, tao(n.emission), n.validatorTrust,
        n.validatorPermit ? 'yes' : '', n.active ? 'yes' : 'no']), { id: 'metagraph' }));
  if (!failed(hp) && hp) out.push(el('h2', null, 'Hyperparameters'), kv(Object.entries(hp).map(([k, v]) => [k, String(v)])));
  return out;
}

// historyCharts draws subnet_history's epochs, whatever fields of
// incentive, dividends and emission each record carries.
function historyCharts(h) {
  if (h.error) return el('p', { class: 'muted' }, 'No per-epoch history: ' + h.error);
  const v = h.value;
  const items = Array.isArray(v) ? v : (v && (v.epochs || v.items)) || [];
  if (!items.length) return el('p', { class: 'muted' }, 'No epochs recorded yet.');
  const charts = [['incentive', 'Incentive', 'var(--inc)'], ['dividends', 'Dividends', 'var(--div)'], ['emission', 'Emission', 'var(--emi)']]
    .filter(([k]) => items.some((x) => x && x[k] !== undefined))
    .map(([k, t, c]) => lines(t, 'history-' + k, items.map((x) => point(k, x[k])), c));
  const first = items[0].block, last = items[items.length - 1].block;
  return el('div', null, el('div', { class: 'charts', id: 'history-charts' }, charts),
    first !== undefined ? el('p', { class: 'muted' }, `${items.length} epochs, blocks ${first}–${last}.`) : null);
}
// point is one epoch's value for a chart: emission in rao (a decimal string)
// as TAO; incentive and dividends as a fraction, from subnet_history's u16
// (65535 = 1) or a decimal string.
function point(k, v) {
  if (k === 'emission' && /^\d+$/.test(String(v))) return taoNum(v);
  if (typeof v === 'number') return v / 65535;
  return fixed(v);
}

async function govPage() {
  const ps = await rpc('gov_proposals', null);
  const rows = ps.slice().reverse().map((p) => {
    const t = p.tally || {};
    const parts = ['yes', 'no', 'abstain', 'veto'].map((k) => { try { return BigInt(t[k] || '0'); } catch (e) { return 0n; } });
    const total = parts.reduce((a, b) => a + b, 0n) || 1n;
    const bar = svg('svg', { viewBox: '0 0 100 6', preserveAspectRatio: 'none', width: 120, height: 10, 'data-series': 'tally' });
    let x = 0;
    parts.forEach((v, i) => {
      const w = Number((v * 10000n) / total) / 100;
      bar.append(svg('rect', { x, y: 0, width: w, height: 6, fill: ['#2e8b57', '#c0392b', '#98a2ad', '#7b241c'][i] }));
      x += w;
    });
    return [p.id, p.kind, p.title, el('span', { class: 'tag ' + (p.status === 'passed' ? 'ok' : p.status === 'voting' ? '' : 'bad') }, p.status),
      blk(p.submitHeight), p.votingEnd, tao(t.yes), tao(t.no), tao(t.abstain), tao(t.veto), bar];
  });
  return [el('h1', null, 'Governance proposals'),
    ps.length ? table(['ID#', 'Kind', 'Title', 'Status', 'Submitted', 'Voting ends#', 'Yes#', 'No#', 'Abstain#', 'Veto#', 'Tally'], rows, { id: 'proposals' })
      : el('p', { class: 'muted', id: 'proposals' }, 'No proposals yet.')];
}

// ---- routing and live updates ------------------------------------------------

const routes = [
  [/^\/?$/, overview], [/^\/blocks$/, blocksPage], [/^\/block\/(\d+)$/, blockPage],
  [/^\/tx\/(0x[0-9a-fA-F]{64})$/, txPage], [/^\/account\/(0x[0-9a-fA-F]{40})$/, accountPage],
  [/^\/validators$/, validatorsPage], [/^\/subnets$/, subnetsPage], [/^\/subnet\/(\d+)$/, subnetPage], [/^\/gov$/, govPage],
];
let renderSeq = 0;

// render draws the page the hash names. The body's data-state says when it
// is done (ready or error) and data-load-ms how long it took: tests and
// measurements read them.
async function render() {
  const seq = ++renderSeq;
  const path = decodeURIComponent(location.hash.replace(/^#/, ''));
  const start = performance.now();
  document.body.dataset.state = 'loading';
  let content;
  try {
    const r = routes.find(([re]) => re.test(path));
    content = r ? await r[1](...path.match(r[0]).slice(1)) : [el('h1', null, 'Not found'), el('p', null, 'No page ' + path)];
  } catch (e) {
    content = [el('h1', null, 'Error'), el('p', { class: 'err' }, e.message)];
    if (seq === renderSeq) document.body.dataset.state = 'error';
  }
  if (seq !== renderSeq) return; // a newer navigation won
  main.replaceChildren(...content.filter(Boolean));
  document.body.dataset.route = path || '/';
  document.body.dataset.loadMs = Math.round(performance.now() - start);
  if (document.body.dataset.state !== 'error') document.body.dataset.state = 'ready';
}

// Pages that follow the head are redrawn on newHeads, at most once a second.
let lastLive = 0, liveTimer = null;
function onHead(h) {
  document.getElementById('head').textContent = '#' + h.number;
  const path = location.hash.replace(/^#/, '');
  if (!/^\/?$|^\/blocks$/.test(path) || liveTimer) return;
  const wait = Math.max(0, 1000 - (Date.now() - lastLive));
  liveTimer = setTimeout(() => { liveTimer = null; lastLive = Date.now(); render(); }, wait);
}

function subscribe(backoff) {
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/rpc');
  const live = document.getElementById('live');
  ws.onopen = () => {
    backoff = 1000;
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tao_subscribe', params: ['newHeads'] }));
  };
  ws.onmessage = (m) => {
    let j;
    try { j = JSON.parse(m.data); } catch (e) { return; }
    if (j.id === 1 && j.result) live.classList.remove('off');
    if (j.method === 'tao_subscription' && j.params && j.params.result) onHead(j.params.result);
  };
  ws.onclose = () => {
    live.classList.add('off');
    setTimeout(() => subscribe(Math.min(backoff * 2, 30000)), backoff);
  };
}

document.getElementById('search').addEventListener('submit', (e) => {
  e.preventDefault();
  const q = document.getElementById('q').value.trim();
  if (/^\d+$/.test(q)) location.hash = '#/block/' + q;
  else if (/^0x[0-9a-fA-F]{64}$/.test(q)) location.hash = '#/tx/' + q;
  else if (/^0x[0-9a-fA-F]{40}$/.test(q)) location.hash = '#/account/' + q;
});
window.addEventListener('hashchange', render);
render();
subscribe(1000);
