-- llm.sampling: the next-token sampler every generating model shares:
-- greedy at temperature 0, top-k, and the softmax(logits / T) probabilities.
local T = require "llm.test"
local describe, it, expect = T.describe, T.it, T.expect
local sampling = llm.sampling

describe("sampling", function()
  it("temperature 0 is greedy and top_k = 1 always takes the best", function()
    local row = { 0.1, 2.0, -1, 1.9 }
    expect(sampling.sample_row(row, 0)).to_equal(1)
    llm.seed(1)
    for _ = 1, 20 do expect(sampling.sample_row(row, 1.5, 1)).to_equal(1) end
  end)
  it("top_k keeps only the k largest logits", function()
    llm.seed(2)
    local row = { 0, 3, 2.5, -2, 1 }
    for _ = 1, 200 do
      local id = sampling.sample_row(row, 5, 2)
      expect(id == 1 or id == 2).to_equal(true)
    end
  end)
  it("draws with softmax(logits / temperature) probabilities", function()
    -- logits {0, ln 3}: p = 1/4, 3/4 at temperature 1; at temperature 2 the
    -- ratio is sqrt(3): p(1) = sqrt3 / (1 + sqrt3) = 0.634
    llm.seed(3)
    local row = { 0, math.log(3) }
    local n, ones = 4000, 0
    for _ = 1, n do ones = ones + sampling.sample_row(row, 1) end
    expect(ones / n).to_be_near(0.75, 0.025)
    ones = 0
    for _ = 1, n do ones = ones + sampling.sample_row(row, 2) end
    expect(ones / n).to_be_near(math.sqrt(3) / (1 + math.sqrt(3)), 0.025)
  end)
  it("rejects a negative temperature and a bad top_k", function()
    expect(function() sampling.sample_row({ 1, 2 }, -1) end).to_error("temperature must be a number >= 0")
    expect(function() sampling.sample_row({ 1, 2, 3 }, 1, 0) end).to_error("top_k must be a positive integer")
  end)
end)

describe("permutation", function()
  it("is Fisher-Yates on the engine PRNG: draws random(n) .. random(2), swapping from the end", function()
    llm.seed(7)
    local draws = {}
    for i = 6, 2, -1 do draws[i] = llm.random(i) end
    local want = { 1, 2, 3, 4, 5, 6 }
    for i = 6, 2, -1 do want[i], want[draws[i]] = want[draws[i]], want[i] end
    llm.seed(7)
    expect(sampling.permutation(6)).to_equal(want)
    expect(sampling.permutation(0)).to_equal({})
    expect(sampling.permutation(1)).to_equal({ 1 })
  end)
  it("keeps the quiz choice orders students already saw", function()
    -- recorded before choice_order used permutation: a saved attempt's
    -- seed must keep giving the same order
    local quiz = require "llm.quiz"
    expect(quiz.choice_order(quiz.seed_for("alice", 1), 2, 6)).to_equal({ 4, 1, 5, 6, 2, 3 })
  end)
end)
