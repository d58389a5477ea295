-- wrk script for `npm run bench:ingest`: every request is a new, valid Cellxpert postback.
--
--   wrk -t2 -c64 -d20s -s bench/wrk/postback.lua http://127.0.0.1:PORT -- KEY RUN MODE [IDS]
--
--   KEY   the cellxpert source key (the bare baseline server ignores it)
--   RUN   a run id (any word), part of every userid/depositid, so two runs against one database
--         never collide
--   MODE  "body"  (default): count responses per status code and those whose body holds
--                 "accepted" (defines wrk's response() hook, which costs wrk some CPU)
--         "fast": no response() hook; wrk only counts status > 399 as errors
--   IDS   (optional, body mode) file prefix: each thread appends the event_id of every "accepted"
--         answer to IDS.<thread>, one per line, so the caller can check that each acknowledged
--         event really is in the database (written when wrk exits)
--
-- userid and depositid are "<RUN>-<thread>-<counter>": unique per request across threads and
-- connections (each wrk thread has its own Lua state and counter; setup() numbers the threads),
-- so the server sees every request as a new event, never a duplicate.
-- done() prints one line `WRK_RESULT {json}` to stdout.

local brands = {
  "spinvilla", "luckyreef", "goldenmoose", "royalpanda", "casinolab", "betnero", "wildfortune",
  "slotsgem", "jackpotcity", "vegasplus", "mrplay", "playzilla", "nomini", "rabona", "campobet",
  "nine-casino", "ivibet", "hellspin", "bizzo", "wazamba", "librabet", "zotabet", "sgcasino",
  "betamo", "joka", "fatpirate", "n1casino", "kingbilly", "slotum", "5gringos", "verde",
  "nationalcasino", "mystake", "goldenbet", "tsars", "rollino", "spinbara", "malina", "betsson",
  "unibet", "leovegas", "casumo", "betway", "888casino", "mrgreen", "guts", "bethard",
  "videoslots", "karamba", "hopa", "dunder", "rizk", "wheelz", "voodoodreams", "genesis",
  "sloty", "playojo", "energycasino", "britsino",
}
-- Weighted event mix: 40 % reg, 20 % ftd, 30 % dep, 10 % cpa.
local events = { "reg", "reg", "reg", "reg", "ftd", "ftd", "dep", "dep", "dep", "cpa" }
local subs = { "fb_spring", "g_ads_es", "tt_promo", "seo_blog", "push_es", "email_q3", "native_1" }
local tagnames = { "banner728", "text_link", "landing_a", "landing_b", "popup", "video_pre" }

local nbrands, nevents, nsubs, ntags = #brands, #events, #subs, #tagnames

-- Main Lua state: number the threads and keep them for done().
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

-- Per-thread state from here on (each wrk thread runs its own copy of this script).
local prefix, idbase
counter = 0
accepted = 0
statuses = {}

local idsfile = nil

local function count_response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 200 and body ~= nil and string.find(body, '"accepted"', 1, true) then
    accepted = accepted + 1
    if idsfile then
      idsfile:write(string.match(body, '"event_id":(%d+)') or "?", "\n")
    end
  end
end

function init(args)
  local key = args[1] or "none"
  local run = args[2] or "run"
  local mode = args[3] or "body"
  prefix = "/postback/cellxpert?key=" .. key .. "&event="
  idbase = run .. "-" .. tostring(tid) .. "-"
  if mode == "body" then
    response = count_response -- must exist right after init for wrk to collect bodies
    if args[4] and args[4] ~= "" then
      -- Buffered; C stdio flushes it when wrk exits.
      idsfile = assert(io.open(args[4] .. "." .. tostring(tid), "w"))
      idsfile:setvbuf("full", 65536)
    end
  end
end

function request()
  counter = counter + 1
  local c = counter
  local id = idbase .. c
  local path = prefix .. events[c % nevents + 1]
    .. "&brand=" .. brands[(c * 7 + tid) % nbrands + 1]
    .. "&affiliateid=" .. ((c * 13 + tid) % 300 + 1)
    .. "&afp=" .. subs[c % nsubs + 1] .. "_" .. (c % 1000)
    .. "&trackingcode=" .. tagnames[c % ntags + 1]
    .. "&userid=u" .. id
    .. "&depositid=d" .. id
    .. "&amount=" .. (10 + c % 490) .. "." .. string.format("%02d", c % 100)
    .. "&currency=EUR&isocountry=ES"
  return wrk.format("GET", path)
end

local function json_escape(s)
  return (string.gsub(tostring(s), '[%c"\\]', function(ch)
    return string.format("\\u%04x", string.byte(ch))
  end))
end

function done(summary, latency, requests)
  local generated, acc, by_status = 0, 0, {}
  local counted = false
  for _, thread in ipairs(threads) do
    generated = generated + (thread:get("counter") or 0)
    acc = acc + (thread:get("accepted") or 0)
    local st = thread:get("statuses")
    if st then
      for code, n in pairs(st) do
        counted = true
        by_status[code] = (by_status[code] or 0) + n
      end
    end
  end
  local parts = {}
  for code, n in pairs(by_status) do
    table.insert(parts, string.format('"%s":%d', json_escape(code), n))
  end
  local e = summary.errors
  local function pct(p) return latency:percentile(p) / 1000 end
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"generated":%d,"duration_s":%.3f,"bytes":%d,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
      .. '"body_checked":%s,"accepted_body":%d,"statuses":{%s},'
      .. '"latency_ms":{"p50":%.3f,"p90":%.3f,"p99":%.3f,"p999":%.3f,"max":%.3f,"mean":%.3f,"stdev":%.3f}}\n',
    summary.requests, generated, summary.duration / 1e6, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    counted and "true" or "false", acc, table.concat(parts, ","),
    pct(50), pct(90), pct(99), pct(99.9), latency.max / 1000, latency.mean / 1000,
    latency.stdev / 1000))
end
