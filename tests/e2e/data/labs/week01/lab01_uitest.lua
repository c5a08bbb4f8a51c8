-- A lab for the UI's end-to-end tests (tests/e2e/tui.sh): a step that
-- prints and plots and is checked, and a step that runs until cancelled.
return {
  id = "w01.lab01", week = 1, title = "UI test lab",
  steps = {
    { title = "Print and plot",
      text = "# Counting\n\nThis step **prints** a line and draws a `loss` plot.\n\n- first point\n- second point",
      run = function(ctx)
        print("hello from the step")
        llm.plot.line { title = "uitest loss", xlabel = "step", y = { 3, 2, 1.5, 1.2 }, name = "train" }
        return 42
      end,
      check = function(ctx)
        return { points = ctx.result == 42 and 2 or 0, max = 2, message = "the step returned 42" }
      end,
      hints = { "The answer is forty-two." } },
    { title = "Spin",
      text = "A loop that only stops when you cancel it (x).",
      run = function(ctx)
        local p = llm.plot.line { title = "live curve", y = { 1 }, name = "loss" }
        local i = 0
        while true do
          i = i + 1
          if i % 200000 == 0 then
            print("tick " .. i // 200000)
            p:push("loss", i // 200000, 1 / (i // 200000))
            llm.progress("spinning", i // 200000, 100000)
          end
        end
      end },
    { title = "Broken",
      text = "This step has a bug: its error names the file and line.",
      run = function(ctx)
        local t = nil
        return t.field
      end },
  },
}
