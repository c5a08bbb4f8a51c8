-- llm.text.passive: a rule-based passive-voice detector, the dataset utility
-- the course uses to tag or filter instruction data.
--
-- A passive is a form of BE or GET, optionally followed by adverbs, "not",
-- "been"/"being", then a past participle: a regular -ed form or one from the
-- list of irregular participles below. Adjectival ("stative") participles
-- such as "tired", "interested", "married" count only when an agent
-- ("by ...") follows; after an intensifier ("very tired") they are
-- adjectives. -ed words that are not participles ("need", "hundred",
-- "naked") never count.
--
--   find(sentence) -> list of spans { first, last (byte offsets, inclusive),
--                     aux = "was", participle = "written", agent = true|false }
local M = {}

local function set(list)
  local t = {}
  for w in list:gmatch("%S+") do t[w] = true end
  return t
end

local BE = set "am is are was were be been being 're 'm"
local GET = set "get gets got gotten getting"
local SKIP = set [[not n't never also already always often just still then
  only ever sometimes usually soon quickly slowly carefully finally recently
  immediately automatically unanimously easily badly widely rarely seldom
  again first later once all both each partly fully completely entirely
  being been]]
local INTENSIFIER = set "very so too quite rather extremely really more most less least"

local IRREGULAR = set [[arisen awoken borne born beaten become begun bent bet bid bitten bled
  blown broken brought built burnt burned bought cast caught chosen clung come cost crept cut
  dealt dug done drawn dreamt drunk driven eaten fallen fed felt fought found fled flung flown
  forbidden forgotten forgiven frozen given gone ground grown hung heard hidden hit held hurt
  kept knelt known laid led leant leapt learnt left lent let lain lit lost made meant met
  mistaken misunderstood mown overcome overtaken overthrown paid proven put quit read rid
  ridden rung risen run said sawn seen sought sold sent set sewn shaken shed shone shot shown
  shrunk shut sung sunk slain slept slid slung slit smelt sown spoken sped spelt spent spilt
  spun spat split spoilt spread sprung stood stolen stuck stung stunk strewn stridden struck
  strung striven sworn swept swollen swum swung taken taught torn told thought thrown thrust
  trodden understood undertaken undone upset woken worn woven wed wept won wound withdrawn
  written rewritten overheard outgrown]]

-- -ed words that are not past participles
local NOT_PARTICIPLE = set [[need speed seed feed bleed breed creed deed greed heed weed
  red bed sled hundred kindred hatred naked wicked sacred rugged ragged crooked jagged
  wretched beloved learned aged blessed cursed dogged shred embed indeed steed tweed]]

-- Participles that usually describe a state; passive only with an agent.
local STATIVE = set [[tired interested excited worried married surprised pleased bored
  scared confused crowded closed located determined convinced dressed delighted packed
  inspired used ashamed amazed annoyed disappointed frightened satisfied embarrassed
  exhausted relaxed involved qualified experienced concerned prepared finished
  locked drunk lost gone]]

local function is_participle(w)
  if NOT_PARTICIPLE[w] then return false end
  if IRREGULAR[w] then return true end
  return #w > 3 and w:sub(-2) == "ed"
end

-- Words of a sentence with byte offsets; contractions split ("isn't" -> "is", "n't").
local function tokens(s)
  local out = {}
  for a, w, b in s:gmatch("()([%a']+)()") do
    local low = w:lower()
    local base, neg = low:match("^(%a+)(n't)$")
    if base and (base == "is" or base == "are" or base == "was" or base == "were" or base == "wasn" or base == "weren") then
      out[#out + 1] = { w = base, a = a, b = a + #base - 1 }
      out[#out + 1] = { w = neg, a = a + #base, b = b - 1 }
    else
      local stem, clitic = low:match("^(%a+)('%a+)$")
      if stem and (clitic == "'re" or clitic == "'m") then
        out[#out + 1] = { w = stem, a = a, b = a + #stem - 1 }
        out[#out + 1] = { w = clitic, a = a + #stem, b = b - 1 }
      else
        out[#out + 1] = { w = low, a = a, b = b - 1 }
      end
    end
  end
  return out
end

function M.find(s, opts)
  if type(s) ~= "string" then error("text.passive: expected a sentence string, got " .. type(s), 3) end
  opts = opts or {}
  local t = tokens(s)
  local spans = {}
  local i = 1
  while i <= #t do
    local aux = t[i].w
    if BE[aux] or (GET[aux] and opts.get ~= false) then
      local j = i + 1
      local intensified = false
      while j <= #t and (SKIP[t[j].w] or INTENSIFIER[t[j].w] or (t[j].w:sub(-2) == "ly" and #t[j].w > 4 and not is_participle(t[j].w))) do
        if INTENSIFIER[t[j].w] then intensified = true end
        j = j + 1
      end
      local p = t[j]
      if p and is_participle(p.w) then
        local agent = t[j + 1] and t[j + 1].w == "by"
        local passive
        if intensified then passive = false
        elseif STATIVE[p.w] then passive = agent
        else passive = true end
        -- "got home", "got lost" are handled by the lists; "get" + non-participle never matches.
        if passive then
          spans[#spans + 1] = { first = t[i].a, last = p.b, aux = t[i].w, participle = p.w, agent = agent or false }
          i = j
        end
      end
    end
    i = i + 1
  end
  return spans
end

-- Precision and recall on a labelled list { {label = 0|1, text = "..."}, ... }.
function M.evaluate(items, opts)
  local tp, fp, fn, tn = 0, 0, 0, 0
  local errors = {}
  for _, it in ipairs(items) do
    local got = #M.find(it.text, opts) > 0
    local want = it.label == 1
    if got and want then tp = tp + 1
    elseif got then fp = fp + 1 errors[#errors + 1] = { kind = "false positive", text = it.text }
    elseif want then fn = fn + 1 errors[#errors + 1] = { kind = "false negative", text = it.text }
    else tn = tn + 1 end
  end
  local precision = tp + fp > 0 and tp / (tp + fp) or 1
  local recall = tp + fn > 0 and tp / (tp + fn) or 1
  return { tp = tp, fp = fp, fn = fn, tn = tn, precision = precision, recall = recall,
           f1 = (precision + recall) > 0 and 2 * precision * recall / (precision + recall) or 0,
           errors = errors }
end

return M
