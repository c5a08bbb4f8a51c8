-- llm.ui.keys: THE key table of the UI. Every binding is one row here;
-- dispatch looks keys up here and the help screen (?) is generated from
-- it, so the two cannot disagree. A row: keys (names as src/app/tui/term.c
-- gives them: "j", "enter", "C-c", "up", " " for space), the action the
-- screens receive, where it applies ("all" or a screen name) and the
-- help text.
local M = {}

M.table = {
  -- moving around (every screen)
  { keys = { "up", "k" }, action = "up", where = "all", help = "move up" },
  { keys = { "down", "j" }, action = "down", where = "all", help = "move down" },
  { keys = { "left", "h" }, action = "left", where = "all", help = "collapse / back out" },
  { keys = { "right", "l" }, action = "right", where = "all", help = "expand / go in" },
  { keys = { "pgup", "C-b" }, action = "page_up", where = "all", help = "page up" },
  { keys = { "pgdn", "C-f" }, action = "page_down", where = "all", help = "page down" },
  { keys = { "home", "g" }, action = "top", where = "all", help = "first line" },
  { keys = { "end", "G" }, action = "bottom", where = "all", help = "last line" },
  { keys = { "enter" }, action = "open", where = "all", help = "open the item / choose" },
  { keys = { "tab" }, action = "next_pane", where = "all", help = "next pane" },
  { keys = { "backtab" }, action = "prev_pane", where = "all", help = "previous pane" },
  { keys = { "?", "f1" }, action = "help", where = "all", help = "this help" },
  { keys = { "q", "esc" }, action = "back", where = "all", help = "back; quit on the course screen (asks if a step runs)" },
  { keys = { "x", "C-c" }, action = "cancel", where = "all", help = "cancel the running step" },
  -- course
  { keys = { "/" }, action = "search", where = "course", help = "search the course (n: next match)" },
  { keys = { "n" }, action = "search_next", where = "course", help = "next search match" },
  { keys = { "c" }, action = "checklist", where = "course", help = "the week's checklist" },
  { keys = { "Q" }, action = "quiz", where = "course", help = "the week's quiz" },
  { keys = { "R" }, action = "runs", where = "course", help = "runs: list and compare loss curves" },
  -- lab
  { keys = { "n" }, action = "next_step", where = "lab", help = "next step" },
  { keys = { "p" }, action = "prev_step", where = "lab", help = "previous step" },
  { keys = { "r" }, action = "run", where = "lab", help = "run the step (and check it)" },
  { keys = { "e" }, action = "edit", where = "lab", help = "edit the exercise in $VISUAL/$EDITOR, then re-check" },
  { keys = { "H" }, action = "hint", where = "lab", help = "show the next hint" },
  { keys = { ":" }, action = "repl", where = "lab", help = "Lua prompt in the lab's environment (Tab leaves)" },
  { keys = { "s" }, action = "save_plot", where = "lab", help = "save the plot as PNG in your llmlab folder" },
  { keys = { "c" }, action = "checklist", where = "lab", help = "the week's checklist" },
  -- checklist
  { keys = { " " }, action = "toggle", where = "checklist", help = "tick / untick the item (saved at once)" },
  -- quiz
  { keys = { " " }, action = "toggle", where = "quiz", help = "choose / unchoose an option" },
  { keys = { "s" }, action = "submit", where = "quiz", help = "submit the quiz and see the score" },
  { keys = { "n" }, action = "next_question", where = "quiz", help = "next question" },
  { keys = { "p" }, action = "prev_question", where = "quiz", help = "previous question" },
  { keys = { "e" }, action = "edit", where = "quiz", help = "write a code answer in $VISUAL/$EDITOR" },
  -- runs
  { keys = { " " }, action = "toggle", where = "runs", help = "select a run to compare" },
  { keys = { "enter" }, action = "compare", where = "runs", help = "plot the selected runs' loss curves" },
}

-- The action for key `name` on screen `where` (its own rows first).
function M.lookup(name, where)
  local fallback
  for _, row in ipairs(M.table) do
    for _, k in ipairs(row.keys) do
      if k == name then
        if row.where == where then return row.action end
        if row.where == "all" and not fallback then fallback = row.action end
      end
    end
  end
  return fallback
end

-- How a key name is shown to people.
function M.display(name)
  if name == " " then return "Space" end
  if name:match("^C%-") then return "Ctrl-" .. name:sub(3):upper() end
  if #name > 1 then return name:sub(1, 1):upper() .. name:sub(2) end
  return name
end

local titles = { all = "Everywhere", course = "Course", lab = "Lab", checklist = "Checklist",
  quiz = "Quiz", runs = "Runs" }
local order = { "all", "course", "lab", "checklist", "quiz", "runs" }

-- The help text: one section per place, one line per row of the table.
function M.help_lines()
  local lines = {}
  for _, where in ipairs(order) do
    lines[#lines + 1] = { { titles[where], "heading" } }
    for _, row in ipairs(M.table) do
      if row.where == where then
        local names = {}
        for i, k in ipairs(row.keys) do names[i] = M.display(k) end
        local keys = table.concat(names, " ")
        lines[#lines + 1] = { { "  " .. keys .. string.rep(" ", math.max(1, 16 - #keys)), "bold" }, { row.help, "normal" } }
      end
    end
    lines[#lines + 1] = {}
  end
  return lines
end

return M
