-- tools/make-embed-eval.lua: writes the project's word-embedding evaluation
-- sets for the King James Bible corpus (lower-cased, letters only), as used
-- in week 5:
--   datasets/eval/kjv_analogies.txt   ": relation" headers, then "a b c d" lines
--                                     (a is to b as c is to d), word2vec's
--                                     questions-words format
--   datasets/eval/kjv_similarity.txt  "w1 w2 score" lines, score 0..10
-- Both are made from word lists written for this project (below), so the
-- sets are reproducible: run `llmlab run tools/make-embed-eval.lua` from the
-- project root to write them again.
--
-- Analogies: every ordered pair of two different word pairs of one relation
-- (n pairs give n(n-1) questions). Similarity: words sit in topical groups;
-- two words of one group score 8, of two related groups 5, of unrelated
-- groups 1. These grades are by construction, not human ratings: they test
-- whether vectors recover the grouping, which is what a lab can check on a
-- corpus this size.

local relations = {
  { "plural", {
    { "man", "men" }, { "woman", "women" }, { "king", "kings" }, { "son", "sons" },
    { "daughter", "daughters" }, { "city", "cities" }, { "house", "houses" }, { "tree", "trees" },
    { "hand", "hands" }, { "day", "days" }, { "year", "years" }, { "servant", "servants" },
    { "prophet", "prophets" }, { "priest", "priests" }, { "horse", "horses" }, { "field", "fields" },
    { "gate", "gates" }, { "nation", "nations" }, { "child", "children" }, { "word", "words" },
  } },
  { "gender", {
    { "man", "woman" }, { "king", "queen" }, { "son", "daughter" }, { "father", "mother" },
    { "brother", "sister" }, { "husband", "wife" }, { "he", "she" }, { "him", "her" },
    { "men", "women" }, { "sons", "daughters" }, { "brethren", "sisters" }, { "manservant", "maidservant" },
  } },
  { "past-tense", {
    { "go", "went" }, { "come", "came" }, { "say", "said" }, { "give", "gave" }, { "take", "took" },
    { "see", "saw" }, { "know", "knew" }, { "speak", "spake" }, { "make", "made" }, { "bring", "brought" },
    { "hear", "heard" }, { "find", "found" }, { "keep", "kept" }, { "send", "sent" }, { "stand", "stood" },
    { "sit", "sat" }, { "rise", "rose" }, { "write", "wrote" }, { "smite", "smote" }, { "build", "built" },
  } },
  { "land-people", {
    { "egypt", "egyptians" }, { "israel", "israelites" }, { "moab", "moabites" }, { "ammon", "ammonites" },
    { "assyria", "assyrians" }, { "edom", "edomites" }, { "canaan", "canaanites" }, { "syria", "syrians" },
  } },
  { "ordinal", {
    { "one", "first" }, { "two", "second" }, { "three", "third" }, { "four", "fourth" },
    { "five", "fifth" }, { "six", "sixth" }, { "seven", "seventh" }, { "ten", "tenth" },
  } },
}

local groups = {
  family = { "father", "mother", "son", "daughter", "brother", "sister", "wife", "husband" },
  animals = { "sheep", "goats", "oxen", "lamb", "camels", "horses", "lion", "flock" },
  body = { "hand", "eye", "head", "heart", "mouth", "foot", "face", "ear" },
  buildings = { "house", "city", "temple", "tabernacle", "gate", "wall", "tower", "altar" },
  food = { "bread", "wine", "water", "meat", "oil", "honey", "corn", "milk" },
  royalty = { "king", "queen", "prince", "throne", "crown", "kingdom", "reign", "princes" },
  nature = { "sea", "river", "mountain", "wilderness", "field", "tree", "rock", "valley" },
  sin = { "sin", "iniquity", "transgression", "wickedness", "evil", "trespass", "guilt", "abomination" },
  feeling = { "joy", "gladness", "fear", "sorrow", "anger", "wrath", "love", "mercy" },
  numbers = { "two", "three", "four", "five", "seven", "ten", "twelve", "hundred" },
}
-- pairs of groups that are related (score 5); all other pairs of groups score 1
local related = {
  { "animals", "food" }, { "royalty", "buildings" }, { "family", "feeling" }, { "sin", "feeling" },
  { "nature", "animals" }, { "body", "feeling" }, { "royalty", "family" }, { "buildings", "nature" },
}

local function write_analogies(path)
  local out, n = { "# Analogy questions for the KJV corpus, written by the llmlab project (tools/make-embed-eval.lua)." }, 0
  for _, rel in ipairs(relations) do
    out[#out + 1] = ": " .. rel[1]
    local pairs_ = rel[2]
    for i = 1, #pairs_ do
      for j = 1, #pairs_ do
        if i ~= j then
          out[#out + 1] = table.concat({ pairs_[i][1], pairs_[i][2], pairs_[j][1], pairs_[j][2] }, " ")
          n = n + 1
        end
      end
    end
  end
  local f = assert(io.open(path, "w"))
  f:write(table.concat(out, "\n"), "\n")
  f:close()
  return n
end

local function write_similarity(path)
  local names = {}
  for name in pairs(groups) do names[#names + 1] = name end
  table.sort(names)
  local rel = {}
  for _, r in ipairs(related) do rel[r[1] .. "|" .. r[2]], rel[r[2] .. "|" .. r[1]] = true, true end
  local lines = { "# Word similarity pairs for the KJV corpus, written by the llmlab project (tools/make-embed-eval.lua).",
    "# score 8: same topical group, 5: related groups, 1: unrelated groups." }
  local n = 0
  -- within groups: each word with the next two in its list
  for _, g in ipairs(names) do
    local ws = groups[g]
    for i = 1, #ws do
      for k = 1, 2 do
        local j = (i + k - 1) % #ws + 1
        lines[#lines + 1] = string.format("%s %s 8", ws[i], ws[j])
        n = n + 1
      end
    end
  end
  -- across groups: word i of one with word i of the other
  for a = 1, #names do
    for b = a + 1, #names do
      local ga, gb = names[a], names[b]
      local score = rel[ga .. "|" .. gb] and 5 or 1
      local picks = score == 5 and 4 or 1
      for i = 1, picks do
        local wa, wb = groups[ga][(a + b + i) % 8 + 1], groups[gb][(a * b + i) % 8 + 1]
        if wa ~= wb then
          lines[#lines + 1] = string.format("%s %s %d", wa, wb, score)
          n = n + 1
        end
      end
    end
  end
  local f = assert(io.open(path, "w"))
  f:write(table.concat(lines, "\n"), "\n")
  f:close()
  return n
end

local na = write_analogies("datasets/eval/kjv_analogies.txt")
local ns = write_similarity("datasets/eval/kjv_similarity.txt")
print(string.format("wrote %d analogy questions and %d similarity pairs", na, ns))
