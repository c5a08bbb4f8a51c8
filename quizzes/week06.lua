-- Week 6 quiz: language-modelling basics, recurrent neural language models,
-- masked (BERT-style) and causal (GPT-style) objectives.
return {
  week = 6,
  title = "Language modelling: neural, masked and causal",
  pass = 0.6,
  questions = {
    {
      id = "chain-rule", kind = "choice", points = 1,
      prompt = "How does a causal language model assign a probability to a whole sentence w1 ... wn?",
      choices = {
        "P(w1) + P(w2) + ... + P(wn)",
        "P(w1) P(w2 | w1) P(w3 | w1 w2) ... P(wn | w1 ... wn-1)",
        "The probability of its most likely word",
        "P(wn | w1 ... wn-1) only",
      },
      answer = 2,
      explain = [[
The chain rule of probability factors the joint probability into one
next-token prediction per position. A causal LM models exactly those
conditionals; its training loss is the mean of -log of each.]],
    },
    {
      id = "perplexity-num", kind = "numeric", points = 1, tolerance = 0.01,
      prompt = [[
A character model's mean loss on held-out text is 1.386 nats per character.
What is its perplexity? (2 decimals)]],
      answer = 4.0,
      explain = [[
Perplexity = exp(mean loss) = exp(1.386) ≈ 4.00: on average the model is as
unsure as if it chose uniformly among 4 characters.]],
    },
    {
      id = "rnn-state", kind = "choice", points = 1,
      prompt = "What lets a recurrent language model use context further back than a fixed n-gram window?",
      choices = {
        "A larger vocabulary",
        "A hidden state updated at every token and passed on to the next step",
        "Counting all n-grams up to n = 10",
        "Attention over all previous tokens",
      },
      answer = 2,
      explain = [[
h_t = f(x_t, h_{t-1}): the state summarises everything read so far in a
fixed-size vector, so in principle any earlier token can matter. In
practice plain RNNs forget quickly; gated cells (LSTM, GRU) hold on longer.
Attention is the Transformer's answer, next week.]],
    },
    {
      id = "tbptt", kind = "multi", points = 2,
      prompt = "Truncated backpropagation through time with a carried state: which statements are true? (choose all that apply)",
      choices = {
        "The hidden state at the end of one chunk is the starting state of the next",
        "Gradients flow back through all earlier chunks of the text",
        "The carried state is detached, so the graph (and memory) stays the size of one chunk",
        "Dependencies longer than a chunk can still influence the forward pass",
      },
      answer = { 1, 3, 4 },
      explain = [[
The state carries information forward across chunk borders, so the forward
pass sees long context; detaching it stops the backward pass at the border,
which keeps memory and time per step bounded. The price: the model gets no
gradient signal for dependencies longer than one chunk.]],
    },
    {
      id = "lstm-gates", kind = "choice", points = 1,
      prompt = "Which LSTM gate decides how much of the previous cell state c_{t-1} survives into c_t?",
      choices = { "The input gate", "The forget gate", "The output gate", "The reset gate" },
      answer = 2,
      explain = [[
c_t = f ⊙ c_{t-1} + i ⊙ g: the forget gate f scales the old cell state, the
input gate i scales the new candidate g, and the output gate decides how
much of tanh(c_t) becomes h_t. The reset gate belongs to the GRU.]],
    },
    {
      id = "temperature", kind = "choice", points = 1,
      prompt = "Sampling from softmax(logits / T): what happens as the temperature T goes towards 0?",
      choices = {
        "Every token becomes equally likely",
        "Sampling approaches always picking the most likely token (greedy decoding)",
        "The model's loss goes down",
        "Only unknown tokens are produced",
      },
      answer = 2,
      explain = [[
Dividing by a small T stretches the gaps between logits, so the largest one
takes almost all the probability: greedy decoding in the limit. T > 1
flattens the distribution towards uniform. Temperature changes sampling
only, not the model.]],
    },
    {
      id = "mlm-rates", kind = "numeric", points = 1, tolerance = 0.5,
      prompt = [[
BERT-style masking of a 1,000-token batch: 15 % of the tokens are chosen, and
80 % of the chosen ones are replaced by [MASK]. How many [MASK] tokens do you
expect in the input?]],
      answer = 120,
      explain = [[
1,000 × 0.15 = 150 chosen positions; 80 % of them, 120, become [MASK]; 15
become random tokens and 15 stay as they were. All 150 are scored.]],
    },
    {
      id = "mlm-why-random", kind = "choice", points = 1,
      prompt = "Why does BERT leave 10 % of the chosen tokens unchanged and swap 10 % for random tokens, instead of always using [MASK]?",
      choices = {
        "To make training faster",
        "[MASK] never appears when the model is used later; the model must build good vectors for real input tokens too, since any of them may be scored",
        "To enlarge the vocabulary",
        "Because [MASK] cannot be embedded",
      },
      answer = 2,
      explain = [[
If only [MASK] positions were ever predicted, the model could learn to care
about its representation only there. Since some scored positions hold the
real or a random token, it cannot tell which inputs are trustworthy and
must represent every token well, which is what fine-tuning later uses.]],
    },
    {
      id = "mlm-scored", kind = "choice", points = 1,
      prompt = "In a masked language model's loss, which positions contribute?",
      choices = {
        "Every position of the sequence",
        "Only the positions chosen for masking (labels elsewhere are set to an ignore value such as -100)",
        "Only the [MASK] tokens, not the randomly replaced or unchanged ones",
        "Only the first and last position",
      },
      answer = 2,
      explain = [[
All chosen positions are scored: those shown as [MASK], as a random token
or unchanged. Other positions get the ignore label, so cross_entropy skips
them. The model sees those tokens as context but is not asked to predict
them.]],
    },
    {
      id = "mlm-vs-clm", kind = "multi", points = 2,
      prompt = "Masked vs causal language modelling: which statements are true? (choose all that apply)",
      choices = {
        "A causal model gets a training signal from every position; a masked model from about 15 % of them",
        "A masked model uses context on both sides of the predicted token",
        "A masked model can generate text left to right as easily as a causal one",
        "An encoder with full (bidirectional) attention cannot be trained on next-token prediction without a causal mask, because it would see the answer",
      },
      answer = { 1, 2, 4 },
      explain = [[
Causal LMs score every next token and generate naturally; masked LMs score
only the corrupted positions but see both sides, which suits understanding
tasks (classification, tagging). Full attention on next-token prediction
would simply copy the next input; masking the future (GPT) or hiding the
targets (BERT) is what makes the task non-trivial.]],
    },
    {
      id = "objective-name", kind = "text", points = 1,
      prompt = "GPT-style models are trained to predict the next token from the previous ones. What is this objective called? (two words)",
      answers = { "causal language modeling", "causal language modelling", "causal lm", "autoregressive language modeling",
        "autoregressive language modelling" },
      patterns = { "^causal language model", "^causal lm$", "^clm$", "^autoregressive" },
      explain = [[
Causal (or autoregressive) language modelling: each position attends only to
earlier positions and predicts the next token. BERT's objective is masked
language modelling.]],
    },
    {
      id = "mask-code", kind = "code", points = 3,
      prompt = [[
Write `score_positions(labels)`: given a list of labels where -100 means
"not scored", return the list of the (1-based) positions that are scored,
and how many there are: `return positions, n`. For example
{-100, 7, -100, 3} gives {2, 4}, 2.]],
      entry = "score_positions",
      template = "function score_positions(labels)\n  -- your code\nend",
      solution = [[
function score_positions(labels)
  local pos = {}
  for i, l in ipairs(labels) do
    if l ~= -100 then pos[#pos + 1] = i end
  end
  return pos, #pos
end]],
      tests = {
        { name = "example", args = { { -100, 7, -100, 3 } }, expect = { 2, 4 } },
        { name = "none scored", args = { { -100, -100 } }, expect = {} },
        { name = "label 0 is a real token", args = { { 0, -100, 5 } }, expect = { 1, 3 }, hidden = true },
        { name = "all scored", args = { { 1, 2, 3 } }, expect = { 1, 2, 3 }, hidden = true },
      },
      explain = [[
Id 0 is an ordinary token id (often [PAD] or the first word), so the test
must be `l ~= -100`, not a truthiness test. These are the positions where
the masked loss and the masked-token accuracy are computed.]],
    },
  },
}
